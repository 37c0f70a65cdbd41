"""Similar questions (issue 17, part 5): app/labs/similar.py, the "Vergelijkbare vragen" section of
a question page, the list above the ask form after "Voorbeeld", and the JSON lookup for
static/js/similar.js (GET /labs/<lab>/vragen/vergelijkbaar?titel=…). Search runs on the default
backend here (Whoosh); the contract tests cover PostgreSQL's `within`."""
import re

import pytest

from app.extensions import db
from app.labs.similar import similar_questions, title_query
from app.search import MAX_QUERY_LENGTH
from app.timeutil import utcnow
from tests.factories import answer, ask, lab
from tests.fixtures.labs import LabCast
from tests.fixtures.search import index_now
from tests.support import login

LOOKUP = "/labs/financelab/vragen/vergelijkbaar"


@pytest.fixture(autouse=True)
def inline_index(app):
    app.config["SEARCH_APPLY"] = "inline"


@pytest.fixture
def cast():
    return LabCast()


def titles(questions):
    return [question.title for question in questions]


def look_up(client, titel, path=LOOKUP):
    return client.get(path, query_string={"titel": titel})


def found_titles(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [entry["titel"] for entry in response.get_json()["vragen"]]


# -- the function -----------------------------------------------------------------------------------

def test_the_title_becomes_an_or_of_its_words():
    assert title_query("Subsidie voor een buurtbatterij?") == "subsidie OR voor OR een OR buurtbatterij"
    assert title_query("OR AND NOT or") == ""  # operators are never words to look for
    assert title_query("a b") == ""
    # Cut to a title's length, so the engine never reads it as too long (and ANDs the words).
    many = " ".join(f"woord{n:03d}" * 5 for n in range(300))
    assert 0 < len(title_query(many)) < MAX_QUERY_LENGTH
    words = "een twee drie vier vijf zes zeven acht negen tiental".split()
    assert len(title_query(" ".join(words)).split(" OR ")) == 8  # the eight longest


def test_partly_matching_titles_are_found_answered_first(cast):
    open_one = ask(cast.member, title="Subsidie voor een buurtbatterij aanvragen")
    answered = ask(cast.member2, title="Welke subsidie past bij een warmtenet?")
    answer(cast.partner, answered)
    ask(cast.member, title="Hoe vinden we vrijwilligers?")  # nothing in common
    index_now()
    found = similar_questions(lab("financelab"), "Subsidie voor zonnepanelen", cast.member)
    assert titles(found) == [answered.title, open_one.title]


def test_at_most_five_and_never_the_question_itself(cast):
    asked = [ask(cast.member, title=f"Subsidie voor project {n}") for n in range(7)]
    index_now()
    found = similar_questions(lab("financelab"), asked[0].title, cast.member, exclude_id=asked[0].id)
    assert len(found) == 5
    assert asked[0] not in found
    assert len(similar_questions(lab("financelab"), "Subsidie", cast.member, limit=2)) == 2


def test_only_the_lab_itself_and_never_hidden_questions(cast):
    ask(cast.member, lab_slug="sciencelab", title="Subsidie voor onderzoek")
    hidden = ask(cast.member, title="Subsidie die verborgen is")
    shown = ask(cast.member, title="Subsidie die zichtbaar is")
    hidden.hidden_at = utcnow()
    db.session.commit()
    index_now()
    for viewer in (cast.member, cast.partner, cast.moderator):
        assert titles(similar_questions(lab("financelab"), "Subsidie", viewer)) == [shown.title]


def test_a_hidden_question_still_in_the_index_is_not_suggested(cast, app):
    hidden = ask(cast.member, title="Subsidie die verborgen is")
    index_now()
    app.config["SEARCH_APPLY"] = "worker"  # the index has not caught up with the hiding yet
    hidden.hidden_at = utcnow()
    db.session.commit()
    assert similar_questions(lab("financelab"), "Subsidie", cast.member) == []


def test_people_who_read_no_lab_questions_get_nothing(cast):
    ask(cast.member, title="Subsidie voor een buurtbatterij")
    index_now()
    assert similar_questions(lab("financelab"), "Subsidie", cast.outsider) == []
    assert similar_questions(lab("financelab"), "Subsidie", None) == []
    assert similar_questions(lab("financelab"), "ab", cast.member) == []
    assert similar_questions(lab("financelab"), "", cast.member) == []


# -- the lookup --------------------------------------------------------------------------------------

def test_the_lookup_for_readers_only(client, cast, app):
    ask(cast.member, title="Subsidie voor een buurtbatterij")
    index_now()
    response = look_up(client, "subsidie")
    assert response.status_code == 401 and response.headers["Cache-Control"] == "no-store"
    for email, status in (("los@example.org", 403), ("lid@example.org", 200),
                          ("ander@example.org", 200), ("financier@example.org", 200),
                          ("onderzoeker@example.org", 200), ("mod@example.org", 200)):
        person = app.test_client()
        login(person, email)
        response = look_up(person, "subsidie")
        assert response.status_code == status, email
        assert response.headers["Cache-Control"] == "no-store"
        assert response.is_json
        if status == 200:
            entry, = response.get_json()["vragen"]
            assert entry["titel"] == "Subsidie voor een buurtbatterij"
            assert re.fullmatch(r"/labs/financelab/vragen/\d+", entry["url"])
            assert entry["status"] == "Open" and entry["datum"]
        else:
            assert response.get_json()["fout"]
    member = app.test_client()
    login(member, "lid@example.org")
    assert look_up(member, "subsidie", "/labs/geenlab/vragen/vergelijkbaar").status_code == 404


HOSTILE = [
    ("", 200), ("a", 200), ("OR OR OR", 200), ("NOT subsidie", 200), ('"subsidie', 200),
    ("subsidie*", 200), ("(((", 200), ("title:subsidie", 200), ("*" * 100, 200),
    ("<script>alert(1)</script>", 200), ("' OR 1=1 --", 200), ("ü" * 150, 200),
    ("zonne\u200bpanelen", 400), ("x" * 151, 400), ("sub\x00sidie", 400), ("sub\x1bsidie", 400),
]


@pytest.mark.parametrize("titel,status", HOSTILE)
def test_hostile_titles_get_an_answer_never_a_500(client, cast, titel, status):
    ask(cast.member, title="Subsidie voor een buurtbatterij")
    login(client, "lid@example.org")
    response = look_up(client, titel)
    assert response.status_code == status
    assert response.is_json


def test_odd_arguments(client, cast):
    login(client, "lid@example.org")
    assert client.get(LOOKUP).status_code == 200
    assert client.get(LOOKUP + "?titel=a&titel=b&x=1").status_code == 200
    assert client.post(LOOKUP, data={"titel": "subsidie"}).status_code in (400, 405)


def test_the_lookup_is_rate_limited_per_person(client, cast, app):
    login(client, "lid@example.org")
    statuses = [look_up(client, "ab").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    other = app.test_client()
    login(other, "lid2@example.org")
    assert look_up(other, "ab").status_code == 200
