"""Thanks and "Dit hielp mij" through the pages, as people use them: a button per post (its state
in aria-pressed), the count, who gave it in a disclosure, taking back, and who may not."""
import re

import pytest

from app.extensions import db
from app.models.forum import Post
from app.models.labs import LabQuestion, LabReply
from app.timeutil import utcnow
from tests.factories import add_replies, answer, ask, make_group, respond, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.labs import LabCast, question_path, reply_path
from tests.support import csrf_token, isolated_client, login, notifications, reload, text


def as_person(app, email):
    client = isolated_client(app)
    assert login(client, email).status_code == 302
    return client


def post_form(client, url, page="/account"):
    return client.post(url, data={"csrf_token": csrf_token(client, page)})


def article(page, number):
    """The HTML of post `number` on a thread page."""
    match = re.search(r'<article[^>]*id="bericht-%d".*?</article>' % number, page, re.S)
    assert match, f"no post {number}"
    return match.group(0)


# -- the forum --------------------------------------------------------------------------------------

@pytest.fixture
def forum():
    cast = Cast()
    thread, opening = start_thread(make_group(), cast.member, title="Zonnepanelen op het dorpshuis")
    reply = add_replies(thread, [cast.member2], 1)[0]
    return cast, thread, opening, reply


def test_thanking_a_post_shows_the_count_and_who_and_can_be_taken_back(app, forum):
    cast, thread, opening, _reply = forum
    bert = as_person(app, "lid2@example.org")
    page = text(bert.get(thread_path(thread)))
    button = re.search(r'<button[^>]*aria-pressed="false"[^>]*>Bedankt<span class="visually-hidden"> '
                       r'\(bericht 1 van Anna de Vries\)', article(page, 1))
    assert button, article(page, 1)
    assert f'action="/forum/bericht/{opening.id}/bedanken"' in article(page, 1)

    response = post_form(bert, f"/forum/bericht/{opening.id}/bedanken")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#bericht-1")
    page = text(bert.get(response.headers["Location"]))
    assert "Je hebt Anna de Vries bedankt voor dit bericht." in page  # in the status region
    mine = article(page, 1)
    assert 'aria-pressed="true"' in mine and f"/forum/bericht/{opening.id}/bedankt-intrekken" in mine
    assert "<summary" in mine and "1 keer bedankt" in mine and "Bedankt door Bert Jansen." in mine

    petra = as_person(app, "partner@example.org")
    post_form(petra, f"/forum/bericht/{opening.id}/bedanken")
    page = text(petra.get(thread_path(thread)))
    assert "2 keer bedankt" in article(page, 1)
    assert "Bedankt door Petra Partner en Bert Jansen." in article(page, 1)

    response = post_form(bert, f"/forum/bericht/{opening.id}/bedankt-intrekken")
    assert response.status_code == 302
    assert reload(Post, opening.id).thanks_count == 1
    page = text(bert.get(thread_path(thread)))
    assert "Je bedankje is ingetrokken." in page
    assert "1 keer bedankt" in article(page, 1) and 'aria-pressed="false"' in article(page, 1)
    [note] = notifications(cast.member, kind="thanks")
    assert note.text.startswith("Petra Partner bedankte je")


def test_a_double_click_counts_once(app, forum):
    _cast, _thread, opening, _reply = forum
    bert = as_person(app, "lid2@example.org")
    token = csrf_token(bert, "/account")
    for _ in range(2):
        assert bert.post(f"/forum/bericht/{opening.id}/bedanken",
                         data={"csrf_token": token}).status_code == 302
    assert reload(Post, opening.id).thanks_count == 1
    page = text(bert.get(f"/forum/bericht/{opening.id}", follow_redirects=True))
    assert "Je had dit bericht al bedankt." in page


def test_no_button_on_ones_own_post_and_a_post_of_it_is_refused(app, forum):
    _cast, thread, opening, reply = forum
    anna = as_person(app, "lid@example.org")
    page = text(anna.get(thread_path(thread)))
    assert "/bedanken" not in article(page, 1)
    assert f"/forum/bericht/{reply.id}/bedanken" in article(page, 2)
    assert post_form(anna, f"/forum/bericht/{opening.id}/bedanken").status_code == 403
    assert reload(Post, opening.id).thanks_count == 0


def test_hidden_and_deleted_posts_cannot_be_thanked(app, forum):
    _cast, thread, opening, reply = forum
    reload(Post, reply.id).hidden_at = utcnow()
    db.session.commit()
    anna = as_person(app, "lid@example.org")
    assert "/bedanken" not in text(anna.get(thread_path(thread)))
    assert post_form(anna, f"/forum/bericht/{reply.id}/bedanken").status_code == 403


def test_no_thanks_in_a_thread_one_cannot_read(app, forum):
    _cast, thread, opening, _reply = forum
    reload(type(thread), thread.id).deleted_at = utcnow()
    db.session.commit()
    bert = as_person(app, "lid2@example.org")
    assert post_form(bert, f"/forum/bericht/{opening.id}/bedanken").status_code == 404
    outsider = as_person(app, "los@example.org")
    assert post_form(outsider, f"/forum/bericht/{opening.id}/bedanken").status_code == 403
    visitor = isolated_client(app)
    response = visitor.post(f"/forum/bericht/{opening.id}/bedanken",
                            data={"csrf_token": csrf_token(visitor, "/inloggen")})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert reload(Post, opening.id).thanks_count == 0


def test_thanks_need_post_and_a_csrf_token(app, forum):
    _cast, _thread, opening, _reply = forum
    bert = as_person(app, "lid2@example.org")
    assert bert.get(f"/forum/bericht/{opening.id}/bedanken").status_code == 405
    assert bert.post(f"/forum/bericht/{opening.id}/bedanken").status_code == 400
    assert reload(Post, opening.id).thanks_count == 0


def test_the_names_list_holds_ten_and_counts_the_rest(app, forum):
    from app import reactions
    from tests.factories import quick_user

    cast, thread, opening, _reply = forum
    for number in range(12):
        person = quick_user(f"lezer{number}@example.org", collective=cast.collective,
                            name=f"Lezer {number:02d}")
        reactions.give_thanks(person, reload(Post, opening.id))
        db.session.commit()
    page = article(text(as_person(app, "lid@example.org").get(thread_path(thread))), 1)
    assert "12 keer bedankt" in page
    names = re.search(r"Bedankt door (.*?)\.</p>", page).group(1)
    assert names.endswith(" en 2 anderen") and names.count("Lezer") == 10
    assert "title=" not in re.search(r"<details.*?</details>", page, re.S).group(0)


# -- the labs ---------------------------------------------------------------------------------------

@pytest.fixture
def lab_world():
    cast = LabCast()
    question = ask(cast.member2, title="Hoe financieren we een buurtbatterij?")
    reply = answer(cast.partner, question, "Begin met een ledenlening.")
    response = respond(cast.member2, question, "Dank je, en hoe hoog mag die zijn?")
    return cast, question, reply, response


def test_marking_an_answer_helpful_and_taking_it_back(app, lab_world):
    cast, question, reply, _response = lab_world
    anna = as_person(app, "lid@example.org")
    page = text(anna.get(question_path(question)))
    assert re.search(r'aria-pressed="false"[^>]*>Dit hielp mij<span class="visually-hidden"> '
                     r'\(antwoord van Petra Geldmans\)', page)
    response = post_form(anna, reply_path(reply, "hielp-mij"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#antwoord-{reply.id}")
    page = text(anna.get(question_path(question)))
    assert "je hebt laten weten dat dit antwoord je hielp" in page
    assert 'aria-pressed="true"' in page and "Hielp 1 persoon" in page
    assert "Dit antwoord hielp Anna de Vries." in page
    [note] = notifications(cast.partner, kind="helpful")
    assert note.text.startswith("Anna de Vries had iets aan je antwoord op")

    assert post_form(anna, reply_path(reply, "hielp-mij-intrekken")).status_code == 302
    assert reload(LabReply, reply.id).helpful_count == 0
    assert notifications(cast.partner, kind="helpful") == []


def test_not_on_ones_own_answer_a_response_or_a_hidden_question(app, lab_world):
    _cast, question, reply, response = lab_world
    petra = as_person(app, "financier@example.org")
    assert "/hielp-mij" not in text(petra.get(question_path(question)))
    assert post_form(petra, reply_path(reply, "hielp-mij")).status_code == 403
    anna = as_person(app, "lid@example.org")
    assert reply_path(response, "hielp-mij") not in text(anna.get(question_path(question)))
    assert post_form(anna, reply_path(response, "hielp-mij")).status_code == 403
    reload(LabQuestion, question.id).hidden_at = utcnow()
    db.session.commit()
    assert post_form(anna, reply_path(reply, "hielp-mij")).status_code == 404
    outsider = as_person(app, "los@example.org")
    assert post_form(outsider, reply_path(reply, "hielp-mij")).status_code == 403
    assert reload(LabReply, reply.id).helpful_count == 0


def test_the_most_helpful_answer_comes_first_after_the_accepted_one(app, lab_world):
    cast, question, first, _response = lab_world
    second = answer(cast.partner2, question, "Kijk ook naar een subsidie van de provincie.")
    anna = as_person(app, "lid@example.org")
    page = text(anna.get(question_path(question)))
    assert page.index(f'id="antwoord-{first.id}"') < page.index(f'id="antwoord-{second.id}"')
    post_form(anna, reply_path(second, "hielp-mij"))
    page = text(anna.get(question_path(question)))
    assert page.index(f'id="antwoord-{second.id}"') < page.index(f'id="antwoord-{first.id}"')
