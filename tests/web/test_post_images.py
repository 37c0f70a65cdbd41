"""Images in posts, as a member uses them: upload (with and without JavaScript), the picture in the
post, who may see it, hostile files, and what happens when posts and accounts go."""
import io
import os
import re

import pytest
from flask import current_app
from PIL import Image

from app import post_images
from app.extensions import db
from app.models.images import PostImage
from app.timeutil import utcnow
from tests.factories import PASSWORD, make_group, start_thread
from tests.fixtures.forum import Cast, posts_of, thread_path, threads
from tests.fixtures.photos import HTML_PAGE, png_bytes
from tests.support import csrf_token, isolated_client, login, reload, submit, text
from tests.unit.test_image_reencoding import GPS_IFD, one_bit_png, photo_with_gps

IMG_RE = re.compile(r'<a href="(/afbeeldingen/\d+)"[^>]*><img src="(/afbeeldingen/\d+/klein)" '
                    r'alt="([^"]*)" width="(\d+)" height="(\d+)" loading="lazy"></a>')


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


def client_for(app, email):
    client = isolated_client(app)
    assert login(client, email).status_code == 302
    return client


def upload(client, data, name="foto.jpg"):
    token = csrf_token(client, "/account")
    return client.post("/afbeeldingen", data={"afbeelding": (io.BytesIO(data), name)},
                       headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def uploaded(client, data=None, name="foto.jpg"):
    response = upload(client, data or photo_with_gps(), name)
    assert response.status_code == 201, text(response)
    return response.get_json()


def new_thread(client, body, title="Zonnepanelen op de school", **extra):
    return submit(client, "/forum/energie/nieuw", {"title": title, "body": body, **extra})


def stored(name):
    return os.path.join(current_app.config["UPLOAD_DIR"], name)


def files_on_disk():
    folder = current_app.config["UPLOAD_DIR"]
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def image_row(image_id):
    db.session.expire_all()
    return db.session.get(PostImage, image_id)


# -- uploading ----------------------------------------------------------------------------------

def test_an_upload_is_reencoded_stored_outside_static_and_shown_only_to_its_writer(app, cast):
    anna = client_for(app, cast.member.email)
    result = uploaded(anna, photo_with_gps(2400, 1600))
    assert result["url"] == f"/afbeeldingen/{result['id']}"
    assert result["thumbnail"] == f"/afbeeldingen/{result['id']}/klein"
    assert result["markdown"] == f"![](/afbeeldingen/{result['id']})"
    assert result["alt"] == "Afbeelding bij bericht van Anna de Vries"
    assert (result["width"], result["height"]) == (800, 533)

    image = image_row(result["id"])
    assert (image.width, image.height, image.file_type) == (2000, 1333, "jpg")
    assert image.owner_id == cast.member.id and not image.is_attached
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", image.stored_name) and image.thumb_name != image.stored_name
    for name in image.file_names:
        assert os.path.isfile(stored(name))
        assert "static" not in stored(name)
        with Image.open(stored(name)) as picture:
            assert not picture.getexif().get_ifd(GPS_IFD)  # the GPS position is gone

    response = anna.get(result["url"])
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["Content-Disposition"].startswith("inline")
    with Image.open(io.BytesIO(response.data)) as picture:
        assert picture.size == (2000, 1333) and not picture.getexif().get_ifd(GPS_IFD)
    assert anna.get(result["thumbnail"]).status_code == 200

    # Not posted yet: nobody else sees it, not even a moderator.
    for email in (cast.member2.email, cast.moderator.email):
        assert client_for(app, email).get(result["url"]).status_code == 404


@pytest.mark.parametrize("data, name, message", [
    (HTML_PAGE, "foto.png", "geen afbeelding"),
    (png_bytes(4, 4)[:40], "foto.png", "beschadigd"),
    (b"", "leeg.png", "leeg"),
    (b"\xff\xd8\xff" + bytes(post_images.MAX_BYTES), "groot.jpg", "groter dan 5 MB"),
    (one_bit_png(20_000, 20_000), "reus.png", "20000 × 20000 pixels"),
    (one_bit_png(7500, 7500), "bom.png", "te groot"),
], ids=["html-as-png", "broken", "empty", "over-5-mb", "20000x20000", "decompression-bomb"])
def test_hostile_and_unfit_files_are_refused_with_a_dutch_message(app, cast, data, name, message):
    anna = client_for(app, cast.member.email)
    before = files_on_disk()
    response = upload(anna, data, name)
    assert response.status_code == 400
    assert message in response.get_json()["fout"]
    assert db.session.execute(db.select(db.func.count(PostImage.id))).scalar_one() == 0
    assert files_on_disk() == before  # nothing written, not even for a moment left behind


def test_the_content_decides_not_the_name(app, cast):
    anna = client_for(app, cast.member.email)
    result = uploaded(anna, png_bytes(30, 20), name="eigenlijk-een.jpg")
    image = image_row(result["id"])
    assert image.file_type == "png" and image.stored_name.endswith(".png")
    assert anna.get(result["url"]).mimetype == "image/png"


def test_who_may_upload(app, client, cast):
    token = csrf_token(client, "/inloggen")  # a visitor's
    response = client.post("/afbeeldingen", data={"afbeelding": (io.BytesIO(png_bytes()), "a.png")},
                           headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert response.status_code == 401 and "Log in" in response.get_json()["fout"]
    outsider = client_for(app, cast.outsider.email)  # registered, in no collective
    assert upload(outsider, png_bytes()).status_code == 403
    for email in (cast.partner.email, cast.moderator.email):
        assert upload(client_for(app, email), png_bytes()).status_code == 201
    anna = client_for(app, cast.member.email)
    response = anna.post("/afbeeldingen", data={"afbeelding": (io.BytesIO(png_bytes()), "a.png")},
                         content_type="multipart/form-data")  # no CSRF token
    assert response.status_code == 400
    token = csrf_token(anna, "/account")
    response = anna.post("/afbeeldingen", data={}, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and "Kies één afbeelding" in response.get_json()["fout"]


def test_uploads_are_rate_limited_per_person(app, cast):
    anna = client_for(app, cast.member.email)
    token = csrf_token(anna, "/account")
    statuses = [anna.post("/afbeeldingen", headers={"X-CSRFToken": token},
                          data={"afbeelding": (io.BytesIO(HTML_PAGE), "x.png")},
                          content_type="multipart/form-data").status_code for _ in range(31)]
    assert statuses == [400] * 30 + [429]  # 30 in ten minutes, refused or not
    assert upload(client_for(app, cast.member2.email), png_bytes()).status_code == 201  # per person


def test_unposted_images_per_person_are_limited(app, cast):
    anna = client_for(app, cast.member.email)
    for _ in range(post_images.MAX_PENDING):
        post_images.store_bytes(cast.member, png_bytes())
    db.session.commit()
    response = upload(anna, png_bytes())
    assert response.status_code == 429
    assert "nog in geen bericht staan" in response.get_json()["fout"]


# -- in a post ----------------------------------------------------------------------------------

def test_a_posted_image_shows_as_a_thumbnail_linking_to_the_full_picture(app, cast, group):
    anna = client_for(app, cast.member.email)
    first = uploaded(anna, photo_with_gps(1600, 1200))
    second = uploaded(anna, png_bytes(40, 30))
    body = (f"Zo ziet het dak eruit:\n\n![Zonnepanelen op het dak van de school]({first['url']})"
            f"\n\n![]({second['url']})")
    response = new_thread(anna, body)
    assert response.status_code == 302, text(response)
    page = text(anna.get(response.headers["Location"]))
    shown = IMG_RE.findall(page)
    assert shown == [
        (first["url"], first["thumbnail"], "Zonnepanelen op het dak van de school", "800", "600"),
        (second["url"], second["thumbnail"], "Afbeelding bij bericht van Anna de Vries", "40", "30"),
    ]
    post = posts_of(threads()[0])[0]
    assert {image_row(first["id"]).forum_post_id, image_row(second["id"]).forum_post_id} == {post.id}

    # Every reader of the forum sees them now; a visitor and a registered outsider do not.
    bert = client_for(app, cast.member2.email)
    assert bert.get(first["url"]).status_code == 200
    assert bert.get(second["thumbnail"]).status_code == 200
    assert client_for(app, cast.partner.email).get(first["url"]).status_code == 200
    assert isolated_client(app).get(first["url"]).status_code == 404
    assert client_for(app, cast.outsider.email).get(first["url"]).status_code == 404


def test_images_of_others_or_of_another_post_stay_links(app, cast, group):
    anna = client_for(app, cast.member.email)
    bert = client_for(app, cast.member2.email)
    annas = uploaded(anna)
    assert new_thread(anna, f"Mijn foto: ![dak]({annas['url']})").status_code == 302
    bertss = uploaded(bert)
    thread = threads()[0]
    body = f"Haar foto nog eens: ![dak]({annas['url']}) en die van mij: ![]({bertss['url']})"
    response = submit(bert, f"/forum/energie/{thread.id}/reageren", {"body": body})
    assert response.status_code == 302
    reply = posts_of(thread)[1]
    assert f'<a href="{annas["url"]}" rel="nofollow ugc noopener">[dak]</a>' in reply.body_html
    assert f'<img src="{bertss["thumbnail"]}"' in reply.body_html
    assert image_row(annas["id"]).forum_post_id == posts_of(thread)[0].id  # still the first post
    assert image_row(bertss["id"]).forum_post_id == reply.id


def test_images_from_elsewhere_are_not_loaded_and_the_form_says_why(app, cast, group):
    anna = client_for(app, cast.member.email)
    form = text(anna.get("/forum/energie/nieuw"))
    assert 'enctype="multipart/form-data"' in form and 'accept="image/jpeg,image/png,image/webp"' in form
    assert "Afbeeldingen van andere websites tonen we niet" in form
    assert "zo&#39;n website zou anders zien wie dit bericht leest" in form
    assert re.search(r'src="/static/js/images(\.[0-9a-f]+)?\.js" defer', form)
    response = new_thread(anna, "Kijk: ![spionpixel](https://volg.example/pixel.png)")
    page = text(anna.get(response.headers["Location"]))
    assert "<img" not in page.split('class="forum-posts"')[1].split("</article>")[0]
    assert '<a href="https://volg.example/pixel.png" rel="nofollow ugc noopener">[spionpixel]</a>' in page
    assert "img-src 'self' data:" in anna.get("/forum/energie/nieuw").headers["Content-Security-Policy"]


def test_more_than_ten_images_in_a_post_is_refused_with_a_message(app, cast, group):
    anna = client_for(app, cast.member.email)
    images = [post_images.store_bytes(cast.member, png_bytes()) for _ in range(11)]
    db.session.commit()
    body = "\n".join(post_images.markdown_for(image) for image in images)
    response = new_thread(anna, body)
    assert response.status_code == 400
    assert "hoogstens 10 afbeeldingen tonen; dit bericht heeft er 11. Haal er 1 weg." in text(response)
    assert threads() == []


# -- without JavaScript: the file field is sent with the form -----------------------------------

def form_with_files(client, path, fields, files):
    data = {"csrf_token": csrf_token(client, path), **fields,
            "images": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(path, data=data, content_type="multipart/form-data")


def test_without_javascript_images_sent_with_the_form_are_posted(app, cast, group):
    anna = client_for(app, cast.member.email)
    response = form_with_files(anna, "/forum/energie/nieuw",
                               {"title": "Foto's van de opening", "body": "Het was een mooie dag."},
                               [(photo_with_gps(), "opening.jpg"), (png_bytes(50, 20), "plan.png")])
    assert response.status_code == 302, text(response)
    post = posts_of(threads()[0])[0]
    ids = post_images.referenced_ids(post.body_source)
    assert len(ids) == 2 and post.body_source.startswith("Het was een mooie dag.\n\n![](/afbeeldingen/")
    assert len(IMG_RE.findall(post.body_html)) == 2
    assert all(image_row(image_id).forum_post_id == post.id for image_id in ids)


def test_without_javascript_the_preview_keeps_the_images_in_the_text(app, cast, group):
    anna = client_for(app, cast.member.email)
    response = form_with_files(anna, "/forum/energie/nieuw",
                               {"title": "Foto's van de opening", "body": "Kijk maar.",
                                "preview": "Voorbeeld"}, [(png_bytes(50, 20), "plan.png")])
    assert response.status_code == 200
    page = text(response)
    image = db.session.execute(db.select(PostImage)).scalar_one()
    assert f"Kijk maar.\n\n![](/afbeeldingen/{image.id})</textarea>" in page
    assert f'<img src="/afbeeldingen/{image.id}/klein"' in page  # the preview shows it
    assert not image.is_attached and threads() == []


def test_without_javascript_a_refused_file_or_form_keeps_nothing_and_says_so(app, cast, group):
    anna = client_for(app, cast.member.email)
    before = files_on_disk()
    response = form_with_files(anna, "/forum/energie/nieuw",
                               {"title": "Foto's van de opening", "body": "Kijk maar."},
                               [(png_bytes(50, 20), "plan.png"), (HTML_PAGE, "nep.png")])
    assert response.status_code == 400
    page = text(response)
    assert "nep.png: Dit bestand is geen afbeelding" in page
    assert "De afbeeldingen die je meestuurde, zijn nog niet bewaard: kies ze opnieuw." in page
    assert "Kijk maar.</textarea>" in page  # the text as typed, without the rolled-back image
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(PostImage.id))).scalar_one() == 0
    assert files_on_disk() == before  # the stored file went with the rollback

    response = form_with_files(anna, "/forum/energie/nieuw", {"title": "Kort", "body": "Kijk."},
                               [(png_bytes(50, 20), "plan.png")])  # the title is too short
    assert response.status_code == 400
    assert "Kijk.</textarea>" in text(response)
    assert db.session.execute(db.select(db.func.count(PostImage.id))).scalar_one() == 0


# -- hidden, deleted -----------------------------------------------------------------------------

def test_a_hidden_post_hides_its_images_except_from_moderators_and_a_deleted_one_from_all(app, cast,
                                                                                          group):
    anna = client_for(app, cast.member.email)
    result = uploaded(anna)
    assert new_thread(anna, f"![dak]({result['url']})").status_code == 302
    thread = threads()[0]
    bert = client_for(app, cast.member2.email)
    reply_image = uploaded(bert)
    assert submit(bert, f"/forum/energie/{thread.id}/reageren",
                  {"body": f"Nog een: ![]({reply_image['url']})"}).status_code == 302
    opening, reply = posts_of(thread)
    moderator = client_for(app, cast.moderator.email)

    opening.hidden_at = utcnow()
    db.session.commit()
    assert bert.get(result["url"]).status_code == 404
    assert anna.get(result["thumbnail"]).status_code == 404  # the writer too: the page hides it
    assert moderator.get(result["url"]).status_code == 200

    reply.deleted_at = utcnow()
    db.session.commit()
    for person in (anna, bert, moderator):
        assert person.get(reply_image["url"]).status_code == 404


# -- account deletion, retention, download -------------------------------------------------------

def test_deleting_an_account_removes_unposted_images_and_those_of_deleted_posts(app, cast, group):
    thread, kept_post = start_thread(group, cast.member, body="eerst")
    kept = post_images.store_bytes(cast.member, png_bytes())
    gone_with_post = post_images.store_bytes(cast.member, png_bytes(8, 8))
    unposted = post_images.store_bytes(cast.member, png_bytes(9, 9))
    others = post_images.store_bytes(cast.member2, png_bytes())
    db.session.commit()
    from app.forum import services
    services.edit_post(cast.member, kept_post, post_images.markdown_for(kept))
    services.edit_post(cast.member, kept_post, "Nog steeds: " + post_images.markdown_for(kept))
    deleted_post = services.post_reply(cast.member, thread, post_images.markdown_for(gone_with_post),
                                       enforce_limits=False)
    db.session.commit()
    services.delete_post(cast.member, deleted_post)
    db.session.commit()
    files = {image.id: image.file_names for image in (kept, gone_with_post, unposted, others)}

    anna = client_for(app, cast.member.email)
    response = submit(anna, "/account/verwijderen",
                      {"current_password": PASSWORD, "confirmation": "VERWIJDER"},
                      page="/account/mijn-gegevens")
    assert response.status_code == 302, text(response)

    db.session.expire_all()
    remaining = set(db.session.execute(db.select(PostImage.id)).scalars())
    assert remaining == {kept.id, others.id}
    for image_id, names in files.items():
        for name in names:
            assert os.path.isfile(stored(name)) == (image_id in remaining)
    # The post that stays, now by "Voormalig lid", still shows its picture to readers, and its
    # default description no longer names her (nor does the earlier version's).
    assert client_for(app, cast.member2.email).get(f"/afbeeldingen/{kept.id}").status_code == 200
    post = reload(kept_post)
    assert 'alt="Afbeelding bij bericht van voormalig lid"' in post.body_html
    assert "Anna" not in post.body_html and image_row(kept.id).alt.endswith("voormalig lid")
    from app.models.forum import PostRevision
    assert all("Anna" not in revision.body_html for revision in db.session.execute(
        db.select(PostRevision).where(PostRevision.post_id == kept_post.id)).scalars())


def test_unposted_images_go_after_a_day_unless_a_draft_still_shows_them(app, cast):
    from datetime import timedelta

    from app.models.drafts import Draft
    from app.retention import apply_retention

    old = post_images.store_bytes(cast.member, png_bytes(), now=utcnow() - timedelta(hours=25))
    in_draft = post_images.store_bytes(cast.member, png_bytes(), now=utcnow() - timedelta(days=5))
    fresh = post_images.store_bytes(cast.member, png_bytes(), now=utcnow() - timedelta(hours=2))
    db.session.add(Draft(user_id=cast.member.id, place="forum.thread:1", body=f"Concept met "
                         f"{post_images.markdown_for(in_draft)}"))
    db.session.commit()
    old_files = old.file_names

    counts = apply_retention()
    db.session.commit()
    assert counts["unposted images"] == 1
    db.session.expire_all()
    assert set(db.session.execute(db.select(PostImage.id)).scalars()) == {in_draft.id, fresh.id}
    assert not any(os.path.isfile(stored(name)) for name in old_files)


def test_the_download_of_my_data_lists_my_images(app, cast, group):
    anna = client_for(app, cast.member.email)
    result = uploaded(anna)
    assert new_thread(anna, f"![dak]({result['url']})").status_code == 302
    page = text(anna.get("/account/mijn-gegevens"))
    assert "<strong>Afbeeldingen</strong>" in page
    response = submit(anna, "/account/mijn-gegevens/download", {}, page="/account/mijn-gegevens")
    data = response.get_json() or __import__("json").loads(response.data)
    [image] = data["images"]
    assert image["address"] == result["url"] and image["forum_post_id"] == posts_of(threads()[0])[0].id
    assert image["type"] == "jpg" and image["uploaded_at"].endswith("Z")
