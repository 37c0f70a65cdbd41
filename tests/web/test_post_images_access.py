"""Who sees an image in a post: exactly who may read the post, as its page shows it (roles ×
places × hidden/deleted), and what showing them costs in SQL statements."""
import re

import pytest

from app import post_images
from app.extensions import db
from app.forum import services as forum
from app.models.images import PostImage
from app.timeutil import utcnow
from tests.factories import add_replies, answer, ask, make_group, start_thread
from tests.fixtures.forum import thread_path
from tests.fixtures.labs import LabCast
from tests.fixtures.photos import png_bytes
from tests.support import QueryCounter, isolated_client, login, text

VIEWERS = ["writer", "member2", "other_member", "partner", "scientist", "moderator", "outsider",
           "visitor"]


@pytest.fixture
def cast():
    return LabCast()


def image_for(author):
    image = post_images.store_bytes(author, png_bytes())
    db.session.commit()
    return image, post_images.markdown_for(image, "Een foto")


@pytest.fixture
def places(cast):
    """One image in each kind of place and state, all written by Anna (the forum reply by Bert)."""
    anna = cast.member
    group = make_group("Energie", slug="energie")
    made = {}

    image, markdown = image_for(anna)
    start_thread(group, anna, title="Zichtbaar bericht", body=markdown)
    made["forum post"] = image

    image, markdown = image_for(anna)
    _, post = start_thread(group, anna, title="Verborgen bericht", body=markdown)
    post.hidden_at = utcnow()
    made["hidden forum post"] = image

    thread, _ = start_thread(group, anna, title="Bericht dat weg is")
    image, markdown = image_for(anna)
    reply = forum.post_reply(anna, thread, markdown, enforce_limits=False)
    forum.delete_post(anna, reply)
    made["deleted forum post"] = image

    image, markdown = image_for(anna)
    thread, post = start_thread(group, anna, title="Verwijderde discussie", body=markdown)
    thread.deleted_at = utcnow()
    made["deleted thread"] = image

    image, markdown = image_for(anna)
    question = ask(anna, body="Hoe financieren we dit? " + markdown)
    made["lab question"] = image

    image, markdown = image_for(anna)
    hidden = ask(anna, title="Een verborgen vraag over geld", body="Hoe zit dit? " + markdown)
    hidden.hidden_at = utcnow()
    made["hidden lab question"] = image

    image, markdown = image_for(cast.partner)
    reply = answer(cast.partner, question, "Zo dus: " + markdown)
    made["lab answer"] = image

    image, markdown = image_for(cast.partner)
    reply = answer(cast.partner, question, "En zo: " + markdown)
    reply.hidden_at = utcnow()
    made["hidden lab answer"] = image

    image, markdown = image_for(cast.partner)
    reply = answer(cast.partner, question, "Of zo: " + markdown)
    reply.deleted_at = utcnow()
    made["deleted lab answer"] = image

    made["not posted"], _ = image_for(anna)
    db.session.commit()
    for name, image in made.items():
        assert image.is_attached == (name != "not posted"), name
    return made


# Who sees the image in each place ("writer" is whoever added it: Anna, or the partner).
SEES = {
    "forum post": {"writer", "member2", "other_member", "partner", "scientist", "moderator"},
    "hidden forum post": {"moderator"},
    "deleted forum post": set(),
    "deleted thread": {"moderator"},
    "lab question": {"writer", "member2", "other_member", "partner", "scientist", "moderator"},
    "hidden lab question": {"moderator"},
    "lab answer": {"writer", "member2", "other_member", "partner", "scientist", "moderator"},
    "hidden lab answer": {"moderator"},
    "deleted lab answer": set(),
    "not posted": {"writer"},
}


def test_images_are_served_to_exactly_the_readers_of_their_post(app, cast, places):
    people = {"member2": cast.member2, "other_member": cast.other_member, "partner": cast.partner,
              "scientist": cast.scientist, "moderator": cast.moderator, "outsider": cast.outsider}
    clients = {"visitor": isolated_client(app)}
    for name, person in [("anna", cast.member), *people.items()]:
        clients[name] = isolated_client(app)
        assert login(clients[name], person.email).status_code == 302
    wrong = []
    for place, image in places.items():
        writer = "partner" if image.owner_id == cast.partner.id else "anna"
        for viewer in VIEWERS:
            client = clients[writer if viewer == "writer" else viewer]
            if viewer == "partner" and writer == "partner":
                continue  # the writer row covers them
            for path in (post_images.image_path(image.id), post_images.image_path(image.id, True)):
                status = client.get(path).status_code
                if (status == 200) != (viewer in SEES[place]) or status not in (200, 404):
                    wrong.append(f"{place}: {viewer} got {status} for {path}")
    assert wrong == []


def test_a_missing_file_or_an_unknown_number_is_not_found(app, cast, places):
    client = isolated_client(app)
    assert login(client, cast.member2.email).status_code == 302
    assert client.get("/afbeeldingen/999999").status_code == 404
    assert client.get("/afbeeldingen/0").status_code == 404
    image = places["forum post"]
    post_images.uploads.delete_stored(image.stored_name)
    assert client.get(post_images.image_path(image.id)).status_code == 404


def test_showing_an_image_takes_a_fixed_number_of_statements(app, cast, places):
    client = isolated_client(app)
    assert login(client, cast.member2.email).status_code == 302
    counts = []
    for place in ("forum post", "lab question", "lab answer"):
        with QueryCounter() as counter:
            assert client.get(post_images.image_path(places[place].id)).status_code == 200
        counts.append(counter.count)
    assert max(counts) <= 4  # the session and person, the image with its post


def test_a_thread_page_with_images_takes_no_more_statements_than_one_without(app, cast):
    group = make_group("Energie", slug="energie")
    people = [cast.member, cast.member2, cast.partner, cast.moderator]
    plain, _ = start_thread(group, cast.member, title="Zonder afbeeldingen")
    add_replies(plain, people, 9)
    pictured, _ = start_thread(group, cast.member, title="Met afbeeldingen")
    for number in range(9):
        author = people[number % len(people)]
        image = post_images.store_bytes(author, png_bytes(30 + number, 20))
        db.session.commit()
        forum.post_reply(author, pictured, f"Foto {number}: {post_images.markdown_for(image)}",
                         enforce_limits=False)
    db.session.commit()
    assert db.session.execute(
        db.select(db.func.count(PostImage.id)).where(PostImage.forum_post_id.is_not(None))
    ).scalar_one() == 9
    client = isolated_client(app)
    assert login(client, cast.member2.email).status_code == 302

    def statements(thread):
        with QueryCounter() as counter:
            response = client.get(thread_path(thread))
        assert response.status_code == 200
        return counter.count, text(response)

    statements(pictured)  # the first visit of each writes a read marker, and the session
    statements(plain)
    without, _ = statements(plain)
    with_images, page = statements(pictured)
    assert page.count('<img src="/afbeeldingen/') == 9
    assert with_images == without


def test_a_partner_answers_with_an_image_sent_with_the_form(app, cast):
    import io

    from tests.fixtures.labs import question_path, replies_of
    from tests.support import csrf_token

    question = ask(cast.member)
    partner = isolated_client(app)
    assert login(partner, cast.partner.email).status_code == 302
    path = question_path(question)
    page = text(partner.get(path))
    # only the answer form here
    assert len(re.findall(r'src="/static/js/images(?:\.[0-9a-f]+)?\.js" defer', page)) == 1
    data = {"csrf_token": csrf_token(partner, path), "answer": "Zo ziet de lening eruit:",
            "answer_images": [(io.BytesIO(png_bytes(90, 60)), "schema.png")],
            "answer_submit": "Antwoord plaatsen"}
    response = partner.post(path + "/beantwoorden", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    [reply] = replies_of(question)
    [image_id] = post_images.referenced_ids(reply.body_source)
    assert db.session.get(PostImage, image_id).lab_reply_id == reply.id
    asker = isolated_client(app)
    assert login(asker, cast.member.email).status_code == 302
    page = text(asker.get(path))
    assert f'<img src="/afbeeldingen/{image_id}/klein" alt="Afbeelding bij bericht van Petra Geldmans"' in page
    assert asker.get(f"/afbeeldingen/{image_id}").status_code == 200


def test_a_question_counts_the_images_of_its_text_and_background_together(app, cast):
    from tests.support import submit

    images = [post_images.store_bytes(cast.member, png_bytes()) for _ in range(11)]
    db.session.commit()
    markdown = [post_images.markdown_for(image) for image in images]
    client = isolated_client(app)
    assert login(client, cast.member.email).status_code == 302
    response = submit(client, "/labs/financelab/vragen/nieuw", {
        "title": "Hoe financieren we een buurtbatterij?",
        "body": "We willen een buurtbatterij kopen. " + " ".join(markdown[:6]),
        "context": "Zo ziet de wijk eruit: " + " ".join(markdown[6:])})
    assert response.status_code == 400
    assert "hoogstens 10 afbeeldingen tonen; dit bericht heeft er 11" in text(response)
