"""The demo has thanks, "Dit hielp mij" and bookmarks, with counters that match their rows."""
import pytest

from app.demo import seed_demo
from app.extensions import db
from app.models.forum import Post
from app.models.labs import LabReply
from app.models.notifications import MAIL_SKIPPED, Notification
from app.models.reactions import LabReplyHelpful, PostThanks
from tests.support import isolated_client, login, text

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]  # seeds the whole demo


def test_demo_thanks_helpful_marks_and_bookmarks(app):
    made = seed_demo()
    db.session.commit()
    assert made["thanks"] >= 50 and made["helpful marks"] >= 3 and made["bookmarks"] == 3
    # The counters on the posts and answers are the rows, one by one.
    counted = dict(db.session.execute(
        db.select(PostThanks.post_id, db.func.count()).group_by(PostThanks.post_id)).all())
    stored = dict(db.session.execute(
        db.select(Post.id, Post.thanks_count).where(Post.thanks_count > 0)).all())
    assert counted == stored
    counted = dict(db.session.execute(
        db.select(LabReplyHelpful.reply_id, db.func.count())
        .group_by(LabReplyHelpful.reply_id)).all())
    assert counted == dict(db.session.execute(
        db.select(LabReply.id, LabReply.helpful_count).where(LabReply.helpful_count > 0)).all())
    # Nothing is e-mailed; the representative has one grouped thanks unread.
    notes = db.session.execute(db.select(Notification).where(
        Notification.kind.in_(("thanks", "helpful")))).scalars().all()
    assert notes and all(note.mail_state == MAIL_SKIPPED for note in notes)
    unread = [note for note in notes if note.read_at is None]
    assert len(unread) == 1 and " en 3 anderen bedankten je voor je bericht in “" in unread[0].text

    client = isolated_client(app)
    assert login(client, "lid@example.org", "Kracht-demo-2026").status_code == 302
    page = text(client.get("/bewaard"))
    assert "Bespreken op de ledenvergadering" in page and "Herinnering op" in page
    assert page.count('class="border-top py-3 bookmark-item') == 2
    note = client.get(f"/meldingen/{unread[0].id}", follow_redirects=True)
    assert note.status_code == 200 and "4 keer bedankt" in text(note)
