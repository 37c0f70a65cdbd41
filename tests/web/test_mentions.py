"""@mentions through the test client: the lookup behind the text boxes (who may ask, what it
answers, its limits), the preview's notes, mentions in saved posts, and mentions in the labs."""
import json
import re

import pytest

from app.extensions import db
from app.models.forum import Post
from app.models.labs import LabQuestion
from app.timeutil import utcnow
from tests.factories import answer, ask, make_group, quick_user, start_thread
from tests.fixtures.forum import posts_of, thread_path
from tests.fixtures.labs import LabCast, question_path, replies_of
from tests.support import (
    QueryCounter, isolated_client, login, mention_html, notifications, submit, text,
)

LOOKUP = "/personen/zoeken"


@pytest.fixture
def cast():
    return LabCast()


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


def client_for(app, email):
    new_client = isolated_client(app)
    response = login(new_client, email)
    assert response.status_code == 302, text(response)
    return new_client


def look_up(client, q, plek="forum"):
    return client.get(LOOKUP, query_string={"q": q, "plek": plek})


def people_in(response):
    assert response.status_code == 200, text(response)
    return [person["name"] for person in response.get_json()["people"]]


# -- the lookup: who may ask ------------------------------------------------------------------------

def test_a_visitor_gets_401_and_someone_who_cannot_read_the_place_403(app, client, cast):
    response = look_up(client, "be")
    assert response.status_code == 401 and "fout" in response.get_json()
    outsider = client_for(app, "los@example.org")  # registered, no collective: reads nothing
    for plek in ("forum", "lab:financelab", f"vraag:{ask(cast.member).id}"):
        response = look_up(outsider, "be", plek)
        assert response.status_code == 403, plek
        assert response.get_json() == {"fout": "Je kunt hier niemand noemen."}
        assert response.headers["Cache-Control"] == "no-store"


def test_unknown_places_answer_400_or_404(app, cast):
    member = client_for(app, "lid@example.org")
    hidden = ask(cast.member, title="Een verborgen vraag over geld")
    hidden.hidden_at = utcnow()
    db.session.commit()
    for plek, status in [("", 400), ("overal", 400), ("lab:", 404), ("lab:onbekend", 404),
                         ("vraag:", 404), ("vraag:abc", 404), ("vraag:0", 404),
                         ("vraag:99999999999999999999", 404), ("vraag:²", 404),
                         (f"vraag:{hidden.id}", 404)]:
        assert look_up(member, "be", plek).status_code == status, plek
    assert client_for(app, "mod@example.org").get(
        LOOKUP, query_string={"q": "be", "plek": f"vraag:{hidden.id}"}).status_code == 200


# -- the lookup: what it answers ------------------------------------------------------------------

def test_readers_of_the_place_by_name_and_collective_never_an_address(app, cast):
    member = client_for(app, "lid@example.org")
    response = look_up(member, "be")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    assert response.get_json() == {"people": [
        {"id": cast.member2.id, "name": "Bert Jansen",
         "collective": "Energiecoöperatie De Windvang", "organisation": None},
    ]}
    assert look_up(member, "ba").get_json() == {"people": [
        {"id": cast.partner2.id, "name": "Bas Bankier", "collective": None,
         "organisation": "Coöperatieve Spaarbank"},
    ]}
    assert people_in(look_up(member, "olga")) == []  # cannot read the forum
    assert people_in(look_up(member, "anna")) == []  # the writer herself
    for q in ("a", "e", "o", "b"):  # one letter is not enough
        assert people_in(look_up(member, q)) == []
    everything = "".join(text(look_up(member, q)) for q in ("ba", "be", "pe", "mo", "ol", "sa"))
    assert "@" not in everything and "example.org" not in everything


def test_the_labs_audience(app, cast):
    question = ask(cast.member)
    member = client_for(app, "lid@example.org")
    # Everyone who reads the labs reads a visible question, whichever lab's partner they are.
    assert people_in(look_up(member, "sam", "lab:financelab")) == ["Sam Wetenschap"]
    assert people_in(look_up(member, "sam", f"vraag:{question.id}")) == ["Sam Wetenschap"]
    assert people_in(look_up(member, "olga", f"vraag:{question.id}")) == []
    # A hidden question is read by moderators only: only they are offered there.
    question.hidden_at = utcnow()
    db.session.commit()
    moderator = client_for(app, "mod@example.org")
    assert people_in(look_up(moderator, "sam", f"vraag:{question.id}")) == []
    quick_user("mona@example.org", role="moderator", name="Mona Beheer")
    assert people_in(look_up(moderator, "mon", f"vraag:{question.id}")) == ["Mona Beheer"]


def test_at_most_eight(app, cast):
    for number in range(10):
        quick_user(f"bea{number}@example.org", collective=cast.collective,
                   name=f"Bea {number}", commit=False)
    db.session.commit()
    member = client_for(app, "lid@example.org")
    assert people_in(look_up(member, "bea")) == [f"Bea {number}" for number in range(8)]


HOSTILE = [
    ("x" * 1000, 400), ("b" * 61, 400), ("be\x00", 400), ("\x1b[31mbe", 400), ("\u202ebe", 400),
    ("be\r\nX: y", 200), ("' OR 1=1 --", 200), ("%", 200), ("%%%%", 200), ("_", 200), ("\\", 200),
    ("'; DROP TABLE users; --", 200), ("<script>", 200), ("b" + "\u0301" * 50, 200), ("🙂🙂", 200),
    (" " * 50, 200), ("b%", 200), ("_e", 200),
]


@pytest.mark.parametrize("q,status", HOSTILE)
def test_hostile_queries_get_an_answer_never_a_500(app, cast, q, status):
    member = client_for(app, "lid@example.org")
    response = look_up(member, q)
    assert response.status_code == status
    if status == 200:
        assert people_in(response) == []


def test_repeated_and_odd_arguments(app, cast):
    member = client_for(app, "lid@example.org")
    response = member.get(LOOKUP + "?q=be&q=xx&plek=forum&plek=lab:x&endpoint=x&_method=POST")
    assert people_in(response) == ["Bert Jansen"]
    assert member.post(LOOKUP, data={"q": "be", "plek": "forum"}).status_code in (400, 405)


def test_the_lookup_is_rate_limited_per_person(app, cast):
    member = client_for(app, "lid@example.org")
    statuses = [look_up(member, "be").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    # Another person has their own allowance.
    assert look_up(client_for(app, "lid2@example.org"), "an").status_code == 200


def test_the_lookup_makes_the_same_statements_for_one_person_or_eight(app, cast):
    member = client_for(app, "lid@example.org")
    question = ask(cast.member)

    def statements(q, plek):
        look_up(member, q, plek)  # the same warm-up for each
        with QueryCounter() as counter:
            response = look_up(member, q, plek)
        assert response.status_code == 200
        return counter.count, len(response.get_json()["people"])

    places = ("forum", f"vraag:{question.id}")
    one = [statements("bert", plek) for plek in places]
    for number in range(10):
        quick_user(f"bert{number}@example.org", collective=cast.other_collective,
                   name=f"Bert{number} Jansen", commit=False)
    db.session.commit()
    eight = [statements("bert", plek) for plek in places]
    for (few, found_few), (many, found_many) in zip(one, eight):
        assert (found_few, found_many) == (1, 8)
        assert few == many <= 8, (one, eight)


# -- the script on the pages ----------------------------------------------------------------------

def test_writing_pages_load_the_script_with_their_place(app, client, cast, group):
    thread, _ = start_thread(group, cast.member)
    question = ask(cast.member)
    member = client_for(app, "lid@example.org")
    pages = {
        thread_path(thread): "plek=forum",
        "/forum/energie/nieuw": "plek=forum",
        "/labs/financelab/vragen/nieuw": "plek=lab:financelab",
        question_path(question): f"plek=vraag:{question.id}",
        question_path(question, "/bewerken"): f"plek=vraag:{question.id}",
    }
    for path, place in pages.items():
        page = text(member.get(path)).replace("%3A", ":")
        assert re.search(r'src="/static/js/mentions(?:\.[0-9a-f]+)?\.js" data-lookup="/personen/zoeken\?'
                         + re.escape(place) + '" defer>', page), path
        assert "data-mentions" in page and "<script>" not in page, path
    # Not for visitors, nor on pages outside the forum and the labs.
    assert "mentions.js" not in text(client.get("/forum"))
    assert "mentions.js" not in text(member.get("/kennisbank"))


# -- the preview ---------------------------------------------------------------------------------

@pytest.fixture
def no_flood_limit(monkeypatch):
    """One person starts a thread and replies at once (the limits have their own tests)."""
    from app.accounts import limits

    monkeypatch.setattr(limits, "SECONDS_BETWEEN_POSTS", 0)


def test_the_forum_preview_links_readers_and_says_who_will_not_hear_of_it(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    member = client_for(app, "lid@example.org")
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Vraag het @Bert Jansen, @Olga Los of @Karel.\n\n> @Olga Los citaat",
                       "preview": "Voorbeeld"}, page=thread_path(thread))
    page = text(response)
    assert response.status_code == 200
    assert mention_html(cast.member2) in page
    assert "Olga Los kan deze discussie niet lezen en krijgt geen melding." in page
    assert "“@Karel” is niemand op het platform: er gaat geen melding uit." in page
    assert page.count("Olga Los kan") == 1  # the quote adds no second note
    assert len(posts_of(thread)) == 1  # nothing saved
    # Without such mentions: no note at all.
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Dank je @Bert Jansen", "preview": "Voorbeeld"},
                      page=thread_path(thread))
    assert "mention-notes" not in text(response)


def test_a_saved_post_shows_the_mention_as_a_link(app, cast, group, no_flood_limit):
    thread, _ = start_thread(group, cast.member)
    member = client_for(app, "lid@example.org")
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Wat vind jij, @bert jansen? En @Olga Los?"}, page=thread_path(thread))
    assert response.status_code == 302
    post = posts_of(thread)[-1]
    bert = mention_html(cast.member2, "bert jansen")
    assert post.body_html == f"<p>Wat vind jij, {bert}? En @Olga Los?</p>"
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]
    assert notifications(cast.outsider) == []
    assert bert in text(member.get(thread_path(thread)))


def test_lab_previews_say_who_cannot_read_the_question(app, cast):
    member = client_for(app, "lid@example.org")
    response = submit(member, "/labs/financelab/vragen/nieuw", {
        "title": "Hoe financieren we een buurtbatterij?",
        "body": "Wie weet dit? @Petra Geldmans misschien, of @Olga Los.",
        "context": "Ook @Olga Los vroeg het ons.", "preview": "Voorbeeld"})
    page = text(response)
    assert response.status_code == 200
    assert mention_html(cast.partner) in page
    assert page.count("Olga Los kan deze vraag niet lezen en krijgt geen melding.") == 1
    assert db.session.execute(db.select(LabQuestion)).first() is None
    question = ask(cast.member)
    partner = client_for(app, "financier@example.org")
    response = submit(partner, question_path(question, "/beantwoorden"),
                      {"answer": "Vraag het @Olga Los", "answer_preview": "Voorbeeld"},
                      page=question_path(question))
    assert "Olga Los kan deze vraag niet lezen en krijgt geen melding." in text(response)
    assert replies_of(question) == []


# -- mentions in the labs ------------------------------------------------------------------------

def test_lab_mentions_notify_readers_once(app, cast):
    # Asking: Bert is mentioned; the partner of the lab hears of the question anyway (once).
    question = ask(cast.member, body="@Bert Jansen en @Petra Geldmans, wat vinden jullie van dit plan?",
                   context="Ook @Olga Los dacht mee.")
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]
    assert [n.kind for n in notifications(cast.partner)] == ["lab_question"]
    assert notifications(cast.outsider) == []
    [told] = notifications(cast.member2)
    assert told.text == "Anna de Vries noemde je bij de vraag “Hoe financieren we een buurtbatterij?”"
    assert told.url == question_path(question)
    assert mention_html(cast.member2) in question.body_html
    # Answering: the asker hears of the answer, not of the mention too; Sam of the mention.
    reply = answer(cast.partner, question, body="@Anna de Vries en @Sam Wetenschap: een ledenlening.")
    assert [n.kind for n in notifications(cast.member)] == ["lab_answer"]
    assert [n.kind for n in notifications(cast.scientist)] == ["mention"]
    assert notifications(cast.scientist)[0].url == question_path(question) + f"#antwoord-{reply.id}"
    # Editing: only people newly mentioned are told.
    from app.labs import services

    services.edit_reply(cast.partner, reply, "@Sam Wetenschap en @Bas Bankier: een ledenlening.")
    db.session.commit()
    assert [n.kind for n in notifications(cast.scientist)] == ["mention"]
    assert [n.kind for n in notifications(cast.partner2)] == ["lab_question", "mention"]


def test_no_mention_notifications_from_a_hidden_question(app, cast):
    question = ask(cast.member)
    question.hidden_at = utcnow()
    db.session.commit()
    answer(cast.moderator, question, body="@Bert Jansen kijk eens mee")
    assert notifications(cast.member2) == []
    assert "mention" not in replies_of(question)[0].body_html


def test_quoting_does_not_notify_the_people_mentioned_in_the_quote(app, cast, group,
                                                                  no_flood_limit):
    thread, post = start_thread(group, cast.member, body="Wat denk jij, @Bert Jansen?")
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]
    partner = client_for(app, "financier@example.org")
    reply_form = text(partner.get(thread_path(thread) + f"?citeer={post.id}"))
    assert "&gt; Wat denk jij, @Bert Jansen?" in reply_form
    response = submit(partner, f"/forum/energie/{thread.id}/reageren",
                      {"body": "> **Anna de Vries** schreef:\n> Wat denk jij, @Bert Jansen?\n\nEens!"},
                      page=thread_path(thread))
    assert response.status_code == 302
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]  # not a second time
    assert db.session.execute(db.select(Post).where(Post.number == 2)).scalar_one() is not None
