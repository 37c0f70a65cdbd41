"""The labs' permission matrix: every role × every action, through the test client.

The question is asked by Bert (a member of De Windvang) in Financelab and answered by Petra (a
partner of Financelab). Roles: a visitor, a registered person without a collective, the asker, a
fellow member, the collective's representative, a member of another collective, the partner who
answered, another partner of Financelab, a partner of Sciencelab, a moderator and an administrator.
For each action the real HTTP status is checked, and for actions that change something, that the
change happened exactly when the role may make it. Every POST carries a valid CSRF token, so a 403
is the permission check speaking, not the token's.
"""
import pytest

from app import permissions
from app.extensions import db
from app.models.bookmarks import Bookmark
from app.models.labs import LabQuestion, LabReply
from tests.factories import answer, ask, quick_user
from tests.fixtures.labs import LabCast, question_path, replies_of, reply_path
from tests.support import csrf_token, isolated_client, login, reload, text

EMAILS = {
    "outsider": "los@example.org",
    "asker": "lid2@example.org",
    "member": "lid@example.org",
    "representative": "vertegenwoordiger@example.org",
    "other_member": "ander@example.org",
    "partner": "financier@example.org",
    "partner_same_lab": "bank@example.org",
    "other_partner": "onderzoeker@example.org",
    "moderator": "mod@example.org",
    "admin": "beheer@example.org",
}
ROLES = ["visitor", *EMAILS]
STAFF = {"moderator", "admin"}
READERS = set(ROLES) - {"visitor", "outsider"}
COLLECTIVE = {"asker", "member", "representative"}
MEMBERS = COLLECTIVE | {"other_member"}

ALLOWED = {
    "view_lab": set(ROLES),
    "view_question": READERS,
    "ask": MEMBERS,
    "answer": {"partner", "partner_same_lab"} | STAFF,
    "respond": COLLECTIVE | STAFF,
    "accept": COLLECTIVE | STAFF,
    "unaccept": COLLECTIVE | STAFF,
    "edit_question": {"asker"} | STAFF,
    "edit_answer": {"partner"} | STAFF,
    "history": STAFF,
    # Every reader but the partner who wrote the answer; bookmarks: every reader.
    "helpful": READERS - {"partner"},
    "bookmark": READERS,
}


class World:
    def __init__(self):
        self.cast = LabCast()
        quick_user("beheer@example.org", role="admin", name="Ad Ministrator")
        self.question = ask(self.cast.member2)
        self.reply = answer(self.cast.partner, self.question, "Het antwoord van Petra")
        self.question_id, self.reply_id = self.question.id, self.reply.id
        self.path = question_path(self.question)
        self.reply_base = reply_path(self.reply, "")



@pytest.fixture(autouse=True)
def _no_pause_between_posts(monkeypatch):
    """These tests post many times in a row as one person; the shared posting limit (tested in
    test_forum_limits and test_labs_flows) would refuse all but the first."""
    from app.accounts import limits

    monkeypatch.setattr(limits, "SECONDS_BETWEEN_POSTS", 0)

@pytest.fixture
def world():
    return World()


def client_as(app, role):
    client = isolated_client(app)
    if role != "visitor":
        assert login(client, EMAILS[role]).status_code == 302
    return client


def post(client, url, data, page="/contact"):
    """A POST with a valid CSRF token (of the session; visitors get one from the contact form)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})


def answers(world):
    return [r for r in replies_of(world.question) if r.kind == "answer"]


def responses(world):
    return [r for r in replies_of(world.question) if r.kind == "response"]


# Each action: what it does, and whether the change it makes is there afterwards.

def do_view_lab(client, world):
    response = client.get("/labs/financelab")
    return response, "Fonds Groene Energie" in text(response) and "In het Financelab" in text(response)


def questions_listed(client, world):
    return f"/labs/financelab/vragen/{world.question_id}" in text(client.get("/labs/financelab"))


def do_view_question(client, world):
    response = client.get(world.path)
    return response, "Het antwoord van Petra" in text(response)


def do_ask(client, world):
    page = "/labs/financelab/vragen/nieuw"
    form = client.get(page)
    if form.status_code != 200:
        response = post(client, page, {"title": "Een tweede vraag over geld", "body": "x" * 30})
    else:
        response = post(client, page, {"title": "Een tweede vraag over geld", "body": "x" * 30}, page=page)
    db.session.expire_all()
    return response, db.session.query(LabQuestion).count() == 2


def do_answer(client, world):
    response = post(client, world.path + "/beantwoorden", {"answer": "Nog een antwoord"})
    return response, len(answers(world)) == 2


def do_respond(client, world):
    response = post(client, world.path + "/reageren", {"response": "Een reactie erop"})
    return response, len(responses(world)) == 1


def do_accept(client, world):
    response = post(client, world.reply_base + "accepteren", {})
    return response, reload(LabQuestion, world.question_id).status == "opgelost"


def do_unaccept(client, world):
    from app.labs import services

    services.accept_answer(world.cast.member2, reload(LabReply, world.reply_id))
    db.session.commit()
    response = post(client, world.reply_base + "niet-accepteren", {})
    return response, reload(LabQuestion, world.question_id).status == "beantwoord"


def do_edit_question(client, world):
    form = client.get(world.path + "/bewerken")
    response = post(client, world.path + "/bewerken",
                    {"title": "Een bewerkte titel van de vraag", "body": "y" * 30})
    changed = reload(LabQuestion, world.question_id).title == "Een bewerkte titel van de vraag"
    assert form.status_code == (200 if changed else form.status_code)
    return response, changed


def do_edit_answer(client, world):
    client.get(world.reply_base + "bewerken")
    response = post(client, world.reply_base + "bewerken", {"body": "Een bewerkt antwoord"})
    return response, reload(LabReply, world.reply_id).body_source == "Een bewerkt antwoord"


def do_history(client, world):
    response = client.get(world.path + "/geschiedenis")
    return response, response.status_code == 200


def do_helpful(client, world):
    response = post(client, world.reply_base + "hielp-mij", {})
    return response, reload(LabReply, world.reply_id).helpful_count == 1


def do_bookmark(client, world):
    response = post(client, "/bewaard/bewaren", {"soort": "lab_question", "doel": world.question_id})
    db.session.expire_all()
    return response, db.session.query(Bookmark).count() == 1


ACTIONS = {
    "view_lab": (do_view_lab, 200),
    "view_question": (do_view_question, 200),
    "ask": (do_ask, 302),
    "answer": (do_answer, 302),
    "respond": (do_respond, 302),
    "accept": (do_accept, 302),
    "unaccept": (do_unaccept, 302),
    "edit_question": (do_edit_question, 302),
    "edit_answer": (do_edit_answer, 302),
    "history": (do_history, 200),
    "helpful": (do_helpful, 302),
    "bookmark": (do_bookmark, 302),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, world, role, action):
    do, success_status = ACTIONS[action]
    client = client_as(app, role)
    response, changed = do(client, world)
    allowed = role in ALLOWED[action]
    if allowed:
        assert response.status_code == success_status, (role, action, text(response)[:500])
        assert changed, (role, action)
    elif action == "view_lab":
        raise AssertionError("everyone may view a lab page")
    elif role == "visitor":
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
        assert not changed
    else:
        assert response.status_code == 403, (role, action, response.status_code)
        assert not changed


@pytest.mark.parametrize("role", ROLES)
def test_question_list_only_for_readers(app, world, role):
    assert questions_listed(client_as(app, role), world) is (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_forms_and_buttons_shown_exactly_when_allowed(app, world, role):
    if role not in READERS:
        return
    page = text(client_as(app, role).get(world.path))
    assert ('name="answer"' in page) is (role in ALLOWED["answer"])
    assert ('name="response"' in page) is (role in ALLOWED["respond"])
    assert ("Dit antwoord heeft geholpen" in page) is (role in ALLOWED["accept"])
    assert ("Vraag bewerken" in page) is (role in ALLOWED["edit_question"])
    assert (world.reply_base + "bewerken" in page) is (role in ALLOWED["edit_answer"])
    assert ("Geschiedenis" in page) is (role in ALLOWED["history"])
    assert (world.reply_base + "hielp-mij" in page) is (role in ALLOWED["helpful"])
    assert ('name="soort" value="lab_question"' in page) is (role in ALLOWED["bookmark"])


@pytest.mark.parametrize("role", ROLES)
def test_ask_button_only_for_members(app, world, role):
    page = text(client_as(app, role).get("/labs/financelab"))
    assert ("/labs/financelab/vragen/nieuw" in page) is (role in ALLOWED["ask"])


def test_partner_of_another_lab_may_answer_in_their_own_lab(app, world):
    question = ask(world.cast.member, "sciencelab", title="Hoe meten we de betrokkenheid?")
    client = client_as(app, "other_partner")
    path = question_path(question)
    assert 'name="answer"' in text(client.get(path))
    assert post(client, path + "/beantwoorden", {"answer": "Met een ledenenquête."}).status_code == 302
    # … and the Financelab partner may not answer there.
    petra = client_as(app, "partner")
    assert 'name="answer"' not in text(petra.get(path))
    assert post(petra, path + "/beantwoorden", {"answer": "Ik ook!"}).status_code == 403
    assert len(replies_of(question)) == 1


def test_a_member_who_left_the_collective_can_no_longer_respond_or_accept(app, world):
    member = world.cast.member
    member.collective_id = world.cast.other_collective.id
    db.session.commit()
    client = client_as(app, "member")
    assert post(client, world.path + "/reageren", {"response": "Toch nog iets"}).status_code == 403
    assert post(client, world.reply_base + "accepteren", {}).status_code == 403
    assert responses(world) == []


def test_suspended_people_are_logged_out_and_cannot_act(app, world):
    client = client_as(app, "partner")
    world.cast.partner.status = "suspended"
    db.session.commit()
    response = post(client, world.path + "/beantwoorden", {"answer": "Nog snel iets"})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert len(answers(world)) == 1


def test_posts_without_csrf_token_change_nothing(app, world):
    client = client_as(app, "asker")
    response = client.post(world.reply_base + "accepteren")
    assert response.status_code == 400
    assert reload(LabQuestion, world.question_id).status == "beantwoord"
    response = client.post(world.path + "/reageren", data={"response": "zonder token"})
    assert response.status_code == 400 and responses(world) == []


@pytest.mark.parametrize("method, suffix", [("get", "/beantwoorden"), ("get", "/reageren"),
                                            ("get", "/antwoorden/{reply}/accepteren"),
                                            ("get", "/antwoorden/{reply}/niet-accepteren")])
def test_state_changes_only_by_post(app, world, method, suffix):
    client = client_as(app, "moderator")
    response = getattr(client, method)(world.path + suffix.format(reply=world.reply_id))
    assert response.status_code == 405


def test_permission_functions_for_people_without_an_account(world):
    from flask_login import AnonymousUserMixin

    visitor = AnonymousUserMixin()
    question, reply = reload(LabQuestion, world.question_id), reload(LabReply, world.reply_id)
    assert not permissions.can_view_lab_questions(visitor)
    assert not permissions.can_ask_question(visitor, question.lab)
    assert not permissions.can_answer(visitor, question)
    assert not permissions.can_respond(visitor, question)
    assert not permissions.can_accept(visitor, question)
    assert not permissions.can_edit_question(visitor, question)
    assert not permissions.can_edit_reply(visitor, reply)
    assert not permissions.can_answer(None, question)


def test_hidden_question_is_only_for_moderators(app, world):
    from app.timeutil import utcnow

    reload(LabQuestion, world.question_id).hidden_at = utcnow()
    db.session.commit()
    assert client_as(app, "asker").get(world.path).status_code == 404
    assert client_as(app, "partner").get(world.path).status_code == 404
    assert f"/vragen/{world.question_id}" not in text(client_as(app, "member").get("/labs/financelab"))
    assert client_as(app, "moderator").get(world.path).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_similar_questions_lookup_for_readers_only(app, world, role):
    """GET /labs/<lab>/vragen/vergelijkbaar (JSON for similar.js): 401 for a visitor (no redirect:
    a script asks), 403 for someone who reads no lab questions, the question for every reader."""
    response = client_as(app, role).get("/labs/financelab/vragen/vergelijkbaar",
                                        query_string={"titel": world.question.title})
    assert response.is_json and response.headers["Cache-Control"] == "no-store"
    if role in READERS:
        assert response.status_code == 200
        assert [entry["url"] for entry in response.get_json()["vragen"]] == [world.path]
    else:
        assert response.status_code == (401 if role == "visitor" else 403)
        assert "vragen" not in response.get_json()
