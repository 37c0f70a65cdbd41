"""Images in private messages, as in forum posts: uploaded with images.js or sent with the form,
shown as pictures in the message, served only to the conversation's members (and a moderator while
a message of it is reported), never to anyone else (404); in the data download; kept for the others
when the writer's account goes, under a description that no longer names them."""
import io
import json
import re

from app import messages, post_images
from app.extensions import db
from app.models.images import PostImage
from app.models.messages import Message
from app.privacy import services as privacy
from tests.fixtures.messages import as_person, cast  # noqa: F401  (a fixture)
from tests.fixtures.photos import png_bytes
from tests.support import csrf_token, isolated_client, submit, text

IMG_RE = re.compile(r'<a href="(/afbeeldingen/\d+)"[^>]*><img src="(/afbeeldingen/\d+/klein)" '
                    r'alt="([^"]*)"')


def uploaded(client):
    token = csrf_token(client, "/account")
    response = client.post("/afbeeldingen", data={"afbeelding": (io.BytesIO(png_bytes(60, 40)),
                                                                 "foto.png")},
                           headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert response.status_code == 201, text(response)
    return response.get_json()


def image_row(image_id):
    db.session.expire_all()
    return db.session.get(PostImage, image_id)


def newest_message():
    db.session.expire_all()
    return db.session.execute(db.select(Message).order_by(Message.id.desc())).scalars().first()


def test_an_image_in_a_message_is_shown_to_the_conversation_only(app, cast):
    anna = as_person(app, "lid@example.org")
    result = uploaded(anna)
    response = submit(anna, f"/berichten/nieuw?aan={cast.member2.id}",
                      {"aan": str(cast.member2.id), "subject": "Foto van het dak",
                       "body": f"Kijk: ![ons dak]({result['url']})"})
    assert response.status_code == 302, text(response)
    message = newest_message()
    assert IMG_RE.findall(message.body_html) == [(result["url"], result["thumbnail"], "ons dak")]
    assert image_row(result["id"]).message_id == message.id
    talk = message.conversation_id

    bert = as_person(app, "lid2@example.org")
    assert result["thumbnail"] in text(bert.get(f"/berichten/{talk}"))
    for client in (anna, bert):
        assert client.get(result["url"]).status_code == 200
        assert client.get(result["thumbnail"]).status_code == 200
    # Nobody else: another member, a partner, a moderator (nothing reported), an outsider, a visitor.
    others = [as_person(app, email) for email in ("partner@example.org", "mod@example.org",
                                                   "los@example.org")] + [isolated_client(app)]
    for client in others:
        assert client.get(result["url"]).status_code == 404
        assert client.get(result["thumbnail"]).status_code == 404

    # A reported message: the moderator handling it sees the conversation and its images.
    messages.report_message(cast.member2, message, "Klopt dit wel?")
    db.session.commit()
    moderator = others[1]
    assert moderator.get(result["url"]).status_code == 200
    assert others[0].get(result["url"]).status_code == 404
    # Hidden by the moderator: gone for the members; the report is resolved, so for them too.
    submit(moderator, f"/berichten/bericht/{message.id}/afhandelen", {"hide": "y"},
           page=f"/berichten/{talk}")
    for client in (anna, bert, moderator):
        assert client.get(result["url"]).status_code == 404

    # Someone who leaves no longer sees the conversation's images.
    second = uploaded(anna)
    messages.reply(cast.member, messages.find_message(message.id).conversation,
                   f"![]({second['url']})")
    db.session.commit()
    assert bert.get(second["url"]).status_code == 200
    submit(bert, f"/berichten/{talk}/verlaten", {}, page=f"/berichten/{talk}")
    assert bert.get(second["url"]).status_code == 404
    assert anna.get(second["url"]).status_code == 200


def test_without_javascript_images_sent_with_a_reply_are_posted(app, cast):
    talk = messages.start_conversation(cast.member, [cast.member2], "Onderwerp", "Hoi")
    db.session.commit()
    bert = as_person(app, "lid2@example.org")
    path = f"/berichten/{talk.id}"
    page = text(bert.get(path))
    assert 'enctype="multipart/form-data"' in page and 'name="images"' in page
    response = bert.post(f"{path}/reageren", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(bert, path), "body": "Zo ziet het eruit.",
        "images": [(io.BytesIO(png_bytes(50, 20)), "plan.png")]})
    assert response.status_code == 302, text(response)
    message = newest_message()
    [image_id] = post_images.referenced_ids(message.body_source)
    assert message.body_source.startswith("Zo ziet het eruit.\n\n![](/afbeeldingen/")
    assert image_row(image_id).message_id == message.id
    assert len(IMG_RE.findall(message.body_html)) == 1

    # A refused reply keeps nothing and says so.
    response = bert.post(f"{path}/reageren", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(bert, path), "body": "x" * 20_001,
        "images": [(io.BytesIO(png_bytes(50, 20)), "plan.png")]})
    assert response.status_code == 400
    assert "nog niet bewaard" in text(response)
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(PostImage.id))).scalar_one() == 1


def test_someone_elses_image_or_one_of_a_post_stays_a_link(app, cast):
    other = uploaded(as_person(app, "lid2@example.org"))
    anna = as_person(app, "lid@example.org")
    response = submit(anna, f"/berichten/nieuw?aan={cast.member2.id}",
                      {"aan": str(cast.member2.id), "subject": "Geleend",
                       "body": f"![niet van mij]({other['url']})"})
    assert response.status_code == 302
    message = newest_message()
    assert IMG_RE.findall(message.body_html) == []
    assert image_row(other["id"]).message_id is None


def test_the_download_and_deleting_the_account(app, cast):
    anna = as_person(app, "lid@example.org")
    result = uploaded(anna)
    submit(anna, f"/berichten/nieuw?aan={cast.member2.id}",
           {"aan": str(cast.member2.id), "subject": "Foto", "body": f"![]({result['url']})"})
    message = newest_message()
    response = submit(anna, "/account/mijn-gegevens/download", {}, page="/account/mijn-gegevens")
    data = response.get_json() or json.loads(response.data)
    [image] = data["images"]
    assert image["message_id"] == message.id and image["address"] == result["url"]

    # The message stays for Bert as "Voormalig lid", its picture with it, no longer named Anna.
    privacy.delete_account(db.session.get(type(cast.member), cast.member.id))
    db.session.commit()
    row = image_row(result["id"])
    assert row is not None and row.alt == "Afbeelding bij bericht van voormalig lid"
    assert "Anna de Vries" not in newest_message().body_html
    assert as_person(app, "lid2@example.org").get(result["url"]).status_code == 200
