"""Similar questions on the pages (issue 17, part 5): the "Vergelijkbare vragen" section of a
question page (one search and at most one statement more) and the list above the ask form after
"Voorbeeld" (without JavaScript), with the live region and the script for typing."""
import re

import pytest

from app.extensions import db
from app.labs import similar
from app.labs.similar import forget_kept_searches
from app.timeutil import utcnow
from tests.factories import answer, ask
from tests.fixtures.labs import LabCast, question_path
from tests.fixtures.search import index_now
from tests.support import QueryCounter, csrf_token, login, text


@pytest.fixture(autouse=True)
def inline_index(app):
    app.config["SEARCH_APPLY"] = "inline"


@pytest.fixture
def cast():
    return LabCast()


# -- the pages --------------------------------------------------------------------------------------

def section(page):
    match = re.search(r'<section class="mb-4 lab-similar".*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_the_question_page_shows_similar_questions(client, cast):
    question = ask(cast.member, title="Subsidie voor een buurtbatterij")
    other = ask(cast.member2, title="Welke subsidie voor een warmtenet?")
    index_now()
    login(client, "lid@example.org")
    page = text(client.get(question_path(question)))
    shown = section(page)
    assert '<h2 class="h5" id="kop-vergelijkbaar">Vergelijkbare vragen</h2>' in shown
    assert f'href="{question_path(other)}">{other.title}</a>' in shown
    assert question.title not in shown
    # Nothing alike: no section at all.
    lonely = ask(cast.member, title="Hoe vinden we vrijwilligers?")
    index_now()
    assert "Vergelijkbare vragen" not in text(client.get(question_path(lonely)))


def test_the_question_page_costs_the_same_with_five_similar_questions(client, cast):
    question = ask(cast.member, title="Subsidie voor een buurtbatterij")
    index_now()
    login(client, "lid@example.org")
    client.get(question_path(question))

    def statements():
        with QueryCounter() as counter:
            assert client.get(question_path(question)).status_code == 200
        return counter.count

    alone = statements()
    for n in range(6):
        answer(cast.partner, ask(cast.member2, title=f"Subsidie voor een buurtbatterij {n}"))
    index_now()
    forget_kept_searches()  # rather than wait KEEP_SECONDS for the new questions to show
    assert "Vergelijkbare vragen" in text(client.get(question_path(question)))
    assert statements() == alone + 1  # the one statement for the similar questions


def test_showing_a_question_again_asks_the_engine_nothing_and_never_lists_a_hidden_one(
        client, cast, monkeypatch):
    """The engine's answer is kept (a few minutes) per lab and title; what is listed is still
    decided by the database on every view."""
    question = ask(cast.member, title="Subsidie voor een buurtbatterij")
    others = [ask(cast.member2, title=f"Subsidie voor een buurtbatterij {n}") for n in range(2)]
    index_now()
    login(client, "lid@example.org")
    assert others[0].title in section(text(client.get(question_path(question))))

    searches = []
    engine = similar.search.search
    monkeypatch.setattr(similar.search, "search",
                        lambda *args, **kwargs: searches.append(args) or engine(*args, **kwargs))
    shown = section(text(client.get(question_path(question))))
    assert others[0].title in shown and others[1].title in shown
    assert searches == []  # kept: no search

    others[0].hidden_at = utcnow()
    db.session.commit()
    shown = section(text(client.get(question_path(question))))
    assert others[0].title not in shown and others[1].title in shown
    assert searches == []


def test_the_ask_form_shows_similar_questions_after_a_preview(client, cast):
    other = ask(cast.member2, title="Welke subsidie voor een warmtenet?")
    index_now()
    login(client, "lid@example.org")
    path = "/labs/financelab/vragen/nieuw"
    page = text(client.get(path))
    assert "Vergelijkbare vragen" not in page
    assert 'src="/static/js/similar' in page and 'data-url="/labs/financelab/vragen/vergelijkbaar"' in page
    assert 'role="status" aria-live="polite"' in page
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "title": "Subsidie voor ons warmtenet",
                                       "body": "Welke regelingen zijn er voor een warmtenet?",
                                       "preview": "Voorbeeld"})
    assert response.status_code == 200
    shown = section(text(response))
    assert f'href="{question_path(other)}">{other.title}</a>' in shown
    assert text(response).index("Vergelijkbare vragen") < text(response).index('<form method="post"')
