"""The demo has a few forum posts with images, made and served as a member's would be."""
import pytest

from app.demo import seed_demo
from app.extensions import db
from app.models.forum import Post
from app.models.images import PostImage
from tests.fixtures.demo import DEMO_PASSWORD
from tests.support import isolated_client, login

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]


def test_demo_posts_show_images_to_forum_readers(app):
    seed_demo()
    db.session.commit()
    images = db.session.execute(db.select(PostImage).order_by(PostImage.id)).scalars().all()
    assert len(images) >= 3
    assert all(image.forum_post_id is not None and image.alt for image in images)
    assert {image.file_type for image in images} >= {"jpg", "png"}
    posts = db.session.execute(
        db.select(Post).where(Post.id.in_([image.forum_post_id for image in images]))
    ).scalars().all()
    for post in posts:
        assert '<img src="/afbeeldingen/' in post.body_html and 'alt="' in post.body_html
        assert 'alt=""' not in post.body_html

    reader = isolated_client(app)
    assert login(reader, "lid2@example.org", password=DEMO_PASSWORD).status_code == 302
    for image in images:
        response = reader.get(f"/afbeeldingen/{image.id}/klein")
        assert response.status_code == 200 and response.mimetype.startswith("image/")
    assert isolated_client(app).get(f"/afbeeldingen/{images[0].id}").status_code == 404
