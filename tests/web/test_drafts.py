"""Drafts through the test client: "Concept opslaan" and "Concept verwijderen" without
JavaScript on the four kinds of writing form, restoring on any page that shows the form, posting
removes the draft, the autosave endpoint drafts.js calls (with its permission checks), the list
on /account, and that nobody else (staff included) gets to see a draft."""
import re

import pytest

from app.accounts import limits
from app.extensions import db
from app.models.drafts import Draft
from app.models.forum import Thread
from app.models.labs import LabReply
from tests.factories import ask, make_group, start_thread
from tests.fixtures.forum import posts_of, thread_path
from tests.fixtures.labs import LabCast, question_path
from tests.support import (
    QueryCounter,
    csrf_token,
    isolated_client,
    login,
    submit,
    text,
)

AUTOSAVE = "/account/concepten/opslaan"
DISCARD = "/account/concepten/verwijderen"


@pytest.fixture
def cast():
    return LabCast()


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch):
    monkeypatch.setattr(limits, "SECONDS_BETWEEN_POSTS", 0)


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


@pytest.fixture
def thread(cast, group):
    thread, _post = start_thread(group, cast.member2, title="Zon op het dorpshuis",
                                 body="Wie heeft ervaring met zonnepanelen?")
    return thread


@pytest.fixture
def question(cast):
    return ask(cast.member2)


def client_for(app, person):
    client = isolated_client(app)
    assert login(client, person.email).status_code == 302
    return client


def stored():
    db.session.expire_all()
    return {(row.user_id, row.place): row for row in db.session.execute(db.select(Draft)).scalars()}


def follow(client, response):
    assert response.status_code == 302, text(response)
    return text(client.get(response.headers["Location"]))


def textarea(page, name):
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"no textarea {name}"
    return match.group(1).strip()


def discard_hidden(page):
    """Whether the page's "Concept verwijderen" button is hidden (until the script saves)."""
    tag = re.search(r'<input[^>]*name="discard_draft"[^>]*>', page).group(0)
    return re.search(r"\shidden[\s>]", tag) is not None


def autosave(client, page_url, payload):
    token = csrf_token(client, page_url)
    return client.post(AUTOSAVE, json=payload, headers={"X-CSRFToken": token})


# -- without JavaScript: the buttons of the forms ----------------------------------------------

def test_new_thread_keep_restore_discard_and_post(app, cast, group):
    anna = client_for(app, cast.member)
    url = f"/forum/{group.slug}/nieuw"
    page = text(anna.get(url))
    assert "Concept opslaan" in page and "teruggezet" not in page
    assert discard_hidden(page)  # nothing to remove yet

    response = submit(anna, url, {"title": "Half", "body": "Nog niet af", "save_draft": "1"})
    assert response.headers["Location"] == url  # back to the form; "Half" is too short to post
    page = follow(anna, response)
    assert "Je concept is opgeslagen" in page
    assert "We hebben je concept van" in page and "teruggezet" in page
    assert 'value="Half"' in page and textarea(page, "body") == "Nog niet af"
    assert not discard_hidden(page)
    assert db.session.execute(db.select(Thread).where(Thread.title == "Half")).first() is None

    page = follow(anna, submit(anna, url, {"title": "Half", "body": "Nog niet af",
                                           "discard_draft": "1"}))
    assert "Je concept is verwijderd." in page and "teruggezet" not in page
    assert textarea(page, "body") == "" and stored() == {}

    submit(anna, url, {"title": "Zonnepanelen op de school", "body": "Wie weet raad?",
                       "save_draft": "1"})
    assert len(stored()) == 1
    response = submit(anna, url, {"title": "Zonnepanelen op de school", "body": "Wie weet raad?",
                                  "submit": "1"})
    assert response.status_code == 302 and "/forum/energie/" in response.headers["Location"]
    assert stored() == {}  # posted: the draft went with it


def test_a_reply_draft_is_restored_on_the_thread_page_and_a_quote_is_added_to_it(app, cast, thread):
    anna = client_for(app, cast.member)
    reply_url = f"/forum/{thread.group.slug}/{thread.id}/reageren"
    response = submit(anna, reply_url, {"body": "Mijn halve reactie", "save_draft": "1"},
                      page=thread_path(thread))
    assert response.headers["Location"] == reply_url
    page = text(anna.get(thread_path(thread)))
    assert textarea(page, "body") == "Mijn halve reactie" and "teruggezet" in page
    opening = posts_of(thread)[0]
    page = text(anna.get(thread_path(thread), query_string={"citeer": opening.id}))
    body = textarea(page, "body")
    assert body.startswith("Mijn halve reactie\n\n&gt;") and "zonnepanelen" in body

    response = submit(anna, reply_url, {"body": "Mijn hele reactie", "submit": "1"},
                      page=thread_path(thread))
    assert response.status_code == 302 and stored() == {}
    assert "teruggezet" not in text(anna.get(thread_path(thread)))


def test_a_preview_or_a_refused_post_keeps_the_draft_and_asks_the_script_to_save(app, cast, thread):
    anna = client_for(app, cast.member)
    reply_url = f"/forum/{thread.group.slug}/{thread.id}/reageren"
    submit(anna, reply_url, {"body": "Bewaard", "save_draft": "1"}, page=thread_path(thread))
    page = text(submit(anna, reply_url, {"body": "Bewaard en meer", "preview": "1"},
                       page=thread_path(thread)))
    assert "data-concept-onbewaard" in page  # the page shows text the server has not kept
    assert textarea(page, "body") == "Bewaard en meer"
    assert stored()[(cast.member.id, f"forum.reply:{thread.id}")].body == "Bewaard"


def test_a_draft_the_service_refuses_stays_in_the_form_with_a_dutch_message(app, cast, group):
    anna = client_for(app, cast.member)
    url = f"/forum/{group.slug}/nieuw"
    response = submit(anna, url, {"title": "Titel", "body": "Met\x07bel", "save_draft": "1"})
    assert response.status_code == 400
    page = text(response)
    assert "onzichtbare tekens" in page and "Met\x07bel" in page
    assert stored() == {}


def test_lab_question_draft_keeps_title_body_and_background(app, cast):
    anna = client_for(app, cast.member)
    url = "/labs/financelab/vragen/nieuw"
    response = submit(anna, url, {"title": "Lening", "body": "Hoe werkt", "context": "Wij zijn klein",
                                  "save_draft": "1"})
    assert response.headers["Location"] == url
    page = follow(anna, response)
    assert 'value="Lening"' in page
    assert textarea(page, "body") == "Hoe werkt" and textarea(page, "context") == "Wij zijn klein"
    response = submit(anna, url, {"title": "Hoe werkt een ledenlening precies?",
                                  "body": "Wij willen een ledenlening uitschrijven voor zonnepanelen.",
                                  "context": "Wij zijn klein", "submit": "1"})
    assert response.status_code == 302 and stored() == {}


def test_lab_answer_and_response_drafts_on_the_question_page(app, cast, question):
    petra = client_for(app, cast.partner)
    path = question_path(question)
    response = submit(petra, path + "/beantwoorden",
                      {"answer": "Begin met", "answer_save_draft": "1"}, page=path)
    assert response.headers["Location"].endswith(path + "#beantwoorden")
    page = follow(petra, response)
    assert textarea(page, "answer") == "Begin met" and "teruggezet" in page

    bert = client_for(app, cast.member2)
    submit(bert, path + "/reageren", {"response": "Dank alvast", "response_save_draft": "1"},
           page=path)
    page = text(bert.get(path))
    assert textarea(page, "response") == "Dank alvast"
    assert "Begin met" not in page  # Petra's draft is Petra's

    # A moderator has both forms: each has its own place, neither shows another person's draft.
    page = text(client_for(app, cast.moderator).get(path))
    assert textarea(page, "answer") == "" and textarea(page, "response") == ""

    response = submit(petra, path + "/beantwoorden",
                      {"answer": "Begin met een ledenlening.", "answer_submit": "1"}, page=path)
    assert response.status_code == 302
    assert set(stored()) == {(cast.member2.id, f"labs.response:{question.id}")}
    assert db.session.execute(db.select(LabReply.body_source)).scalars().all() == [
        "Begin met een ledenlening."]


def test_no_draft_where_one_may_not_write(app, cast, question):
    """A member cannot keep a draft of an answer when only partners answer, with or without
    JavaScript; the form's own check refuses first."""
    anna = client_for(app, cast.member)
    path = question_path(question)
    response = submit(anna, path + "/beantwoorden", {"answer": "Ik weet het!",
                                                     "answer_save_draft": "1"}, page=path)
    assert response.status_code == 403
    response = autosave(anna, path, {"plek": f"labs.answer:{question.id}", "body": "Ik weet het!"})
    assert response.status_code == 403 and response.get_json()["fout"]
    olaf = client_for(app, cast.other_member)  # another collective: no response either
    response = autosave(olaf, path, {"plek": f"labs.response:{question.id}", "body": "Hallo"})
    assert response.status_code == 403
    petra = client_for(app, cast.partner)  # partners do not ask questions
    response = autosave(petra, path, {"plek": f"labs.question:{cast.financelab.id}", "body": "x"})
    assert response.status_code == 403
    assert stored() == {}


def test_no_draft_for_a_thread_one_cannot_read(app, cast, thread):
    olga = client_for(app, cast.outsider)  # registered, no collective: no forum
    response = autosave(olga, "/account", {"plek": f"forum.reply:{thread.id}", "body": "Hallo"})
    assert response.status_code == 403
    thread.deleted_at = thread.created_at
    db.session.commit()
    anna = client_for(app, cast.member)
    response = autosave(anna, "/account", {"plek": f"forum.reply:{thread.id}", "body": "Hallo"})
    assert response.status_code == 403
    assert stored() == {}


# -- with JavaScript: the autosave endpoint ------------------------------------------------------

def test_autosave_saves_replaces_and_removes_an_empty_draft(app, cast, thread):
    anna = client_for(app, cast.member)
    key = f"forum.reply:{thread.id}"
    response = autosave(anna, thread_path(thread), {"plek": key, "body": "Eerste"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["opgeslagen"] is True and re.fullmatch(r"\d\d:\d\d", data["tijd"])
    assert autosave(anna, thread_path(thread), {"plek": key, "body": "Tweede"}).status_code == 200
    assert [row.body for row in stored().values()] == ["Tweede"]
    page = text(anna.get(thread_path(thread)))
    assert textarea(page, "body") == "Tweede"
    assert f'data-concept-plek="{key}"' in page and 'data-concept-velden="body=body"' in page
    assert re.search(r'src="/static/js/drafts(?:\.[0-9a-f]+)?\.js" defer', page)  # hashed name
    response = autosave(anna, thread_path(thread), {"plek": key, "body": ""})
    assert response.get_json() == {"opgeslagen": False, "tijd": None}
    assert stored() == {}


def test_autosave_refuses_bad_requests_without_changing_anything(app, cast, thread):
    anna = client_for(app, cast.member)
    key = f"forum.reply:{thread.id}"
    token = csrf_token(anna, thread_path(thread))
    assert anna.post(AUTOSAVE, json={"plek": key, "body": "x"}).status_code == 400  # no token
    for payload in ([key], "tekst", {"plek": key, "body": ["x"]}, {"plek": key, "title": 5},
                    {"plek": "onzin", "body": "x"}, {"body": "x"}):
        response = anna.post(AUTOSAVE, json=payload, headers={"X-CSRFToken": token})
        assert response.status_code in (400, 403), payload
        assert response.get_json()["fout"]
    response = anna.post(AUTOSAVE, json={"plek": key, "body": "x" * 20_001},
                         headers={"X-CSRFToken": token})
    assert response.status_code == 400 and "hoogstens 20.000" in response.get_json()["fout"]
    assert stored() == {}


def test_autosave_answers_a_visitor_in_json(app, client, cast, thread):
    token = csrf_token(client, "/inloggen")
    response = client.post(AUTOSAVE, json={"plek": f"forum.reply:{thread.id}", "body": "x"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 401 and "ingelogd" in response.get_json()["fout"]


# -- private: nobody else, staff included ------------------------------------------------------

def test_staff_neither_see_nor_remove_someone_elses_draft(app, cast, group):
    anna = client_for(app, cast.member)
    url = f"/forum/{group.slug}/nieuw"
    submit(anna, url, {"title": "Geheim plan", "body": "Alleen voor mij", "save_draft": "1"})
    key = f"forum.thread:{group.id}"
    moderator = client_for(app, cast.moderator)
    page = text(moderator.get(url))
    assert "Geheim plan" not in page and "Alleen voor mij" not in page
    assert "Geheim plan" not in text(moderator.get("/account"))
    response = submit(moderator, DISCARD, {"plek": key}, page="/account")
    assert response.status_code == 302
    assert "bestond al niet meer" in text(moderator.get(response.headers["Location"]))
    # Saving at the same place makes the moderator's own draft; Anna's stays as it was.
    assert autosave(moderator, url, {"plek": key, "body": "Van de moderator"}).status_code == 200
    rows = stored()
    assert rows[(cast.member.id, key)].body == "Alleen voor mij"
    assert rows[(cast.moderator.id, key)].body == "Van de moderator"
    assert "Alleen voor mij" not in text(moderator.get(url))


# -- the list on /account ------------------------------------------------------------------------

def test_account_lists_ones_drafts_with_links_and_removes_one(app, cast, thread, question):
    bert = client_for(app, cast.member2)
    autosave(bert, "/account", {"plek": f"forum.reply:{thread.id}", "body": "Over de panelen"})
    autosave(bert, "/account", {"plek": f"labs.response:{question.id}", "body": "Dank je"})
    autosave(bert, "/account", {"plek": f"labs.question:{cast.financelab.id}",
                                "title": "Vraag over subsidie", "body": ""})
    page = text(bert.get("/account"))
    section = page[page.index('id="kop-concepten"'):]
    assert f'href="/forum/energie/{thread.id}/reageren"' in section
    assert "Reactie op “Zon op het dorpshuis”" in section and "Over de panelen" in section
    assert f'href="{question_path(question)}#reageren"' in section
    assert 'href="/labs/financelab/vragen/nieuw"' in section and "Vraag over subsidie" in section
    assert "Dank je" in section

    response = submit(bert, DISCARD, {"plek": f"labs.response:{question.id}"}, page="/account")
    page = follow(bert, response)
    assert "Je concept is verwijderd." in page and "Dank je" not in page
    assert len(stored()) == 2


def test_a_draft_where_one_can_no_longer_write_is_listed_without_a_link(app, cast, thread):
    anna = client_for(app, cast.member)
    autosave(anna, "/account", {"plek": f"forum.reply:{thread.id}", "body": "Te laat"})
    thread.locked = True
    db.session.commit()
    page = text(anna.get("/account"))
    section = page[page.index('id="kop-concepten"'):]
    assert "Een plek waar je niet meer kunt schrijven" in section and "Te laat" in section
    assert f"/{thread.id}/reageren" not in section


def test_account_page_queries_do_not_grow_with_the_number_of_drafts(app, cast, group):
    anna = client_for(app, cast.member)
    threads = [start_thread(group, cast.member2, title=f"Discussie nummer {n}")[0] for n in range(6)]
    questions = [ask(cast.member2, title=f"Vraag nummer {n} over geld") for n in range(3)]

    def count():
        with QueryCounter() as counter:
            assert anna.get("/account").status_code == 200
        return counter.count

    autosave(anna, "/account", {"plek": f"forum.reply:{threads[0].id}", "body": "Een"})
    autosave(anna, "/account", {"plek": f"labs.response:{questions[0].id}", "body": "Een"})
    few = count()
    for item in threads[1:]:
        autosave(anna, "/account", {"plek": f"forum.reply:{item.id}", "body": "Meer"})
    for item in questions[1:]:
        autosave(anna, "/account", {"plek": f"labs.response:{item.id}", "body": "Meer"})
    autosave(anna, "/account", {"plek": f"forum.thread:{group.id}", "body": "Nieuw"})
    assert len(stored()) == 10
    # One more kind of place (the group of a new thread) is one more query, not one per draft.
    assert count() <= few + 1


def test_no_draft_list_for_someone_without_drafts(app, cast):
    page = text(client_for(app, cast.outsider).get("/account"))
    assert "Je hebt geen concepten" in page
