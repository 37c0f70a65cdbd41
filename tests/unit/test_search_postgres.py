"""The PostgreSQL search backend's own promises (the shared contract is test_search_engine.py):
documents written in the change's own transaction, a failed write queued for the worker, prefixes
not truncated, ranking weights and length normalisation, and turning parsed queries into tsquery
text (that part needs no database)."""
import pytest
from flask import current_app

from app import search
from app.extensions import db
from app.models.search import SearchJob
from app.search import postgres
from app.search.query import parse_query
from app.search.schema import MEMBER_FIELDS
from tests.factories import cheap_passwords, make_group, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.search import available_backends
from tests.support import isolated_client, login, submit, worker_round

needs_postgresql = pytest.mark.skipif(
    "postgresql" not in available_backends(), reason="runs when DATABASE_URL is PostgreSQL")


@pytest.fixture
def cast(app):
    app.config["SEARCH_BACKEND"] = "postgresql"
    cast = Cast()
    cheap_passwords(cast.member, cast.member2)
    return cast


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


def queued():
    db.session.expire_all()
    return db.session.execute(db.select(SearchJob.doc_type)).scalars().all()


# -- parsed queries as tsquery text (no database) -------------------------------------------------

@pytest.mark.parametrize("typed, tsquery", [
    ("zonnepanelen gemeente", "('zonnepanel' & 'gemeent')"),
    ('"groene stroom" OR wind', "(('groen' <-> 'strom') | 'wind')"),
    ("gemeente -subsidie", "('gemeent' & !('subsidie'))"),
    ("zonnep*", "'zonnep':*"),
    ("zonnepanelen*", "('zonnepanelen':* | 'zonnepanel')"),
    ("wind NOT molen", "('wind' & !('mol'))"),
    ("it's", "'it'"),
])
def test_parsed_queries_become_tsquery_text(typed, tsquery):
    q, _ = parse_query(typed, MEMBER_FIELDS)
    assert postgres.tsquery_text(q) == tsquery


def test_quotes_and_backslashes_in_a_word_are_escaped():
    assert postgres._lexeme("a'b\\c") == "'a''b\\\\c'"


def test_document_terms_carry_weights_positions_and_a_gap_between_fields():
    vector = postgres.terms_vector([("Zonnepanelen", "A"), ("zonnepanelen op het dak", "B")])
    assert vector == "'zonnepanel':1A,10B 'dak':11B"  # stop words take no position


# -- against the database ------------------------------------------------------------------------

@needs_postgresql
def test_in_worker_mode_documents_are_written_with_the_change(app, cast, group):
    """SEARCH_APPLY=worker changes nothing here: the document commits with the reply."""
    thread, _ = start_thread(group, cast.member, title="Achtergrond")
    app.config["SEARCH_APPLY"] = "worker"
    member = isolated_client(app)
    login(member, cast.member2.email)
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Meteen vindbaar."}, page=thread_path(thread))
    assert response.status_code == 302
    assert queued() == []
    assert search.search("meteen vindbaar", cast.member).total == 1


@needs_postgresql
def test_a_document_that_cannot_be_written_is_queued_and_the_change_still_commits(
        app, cast, group, monkeypatch):
    thread, _ = start_thread(group, cast.member, title="Storing")
    app.config["SEARCH_APPLY"] = "worker"  # no search applies the queue before the worker does
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(postgres, "write", broken)
    member = isolated_client(app)
    login(member, cast.member2.email)
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Toch opgeslagen."}, page=thread_path(thread))
    assert response.status_code == 302
    assert queued() == ["post"]
    monkeypatch.undo()
    app.config["SEARCH_BACKEND"] = "postgresql"
    assert search.search("opgeslagen", cast.member).total == 0
    assert worker_round(app, only=["search"]) == {"search": "ran"}
    assert queued() == []
    assert search.search("opgeslagen", cast.member).total == 1


@needs_postgresql
def test_a_prefix_finds_every_word_it_starts(cast, group):
    words = [f"verband{n:03d}" for n in range(150)]
    for start in range(0, 150, 50):
        start_thread(group, cast.member, title=f"Lijst {start}", body=" ".join(words[start:start + 50]))
    assert search.search("verband*", cast.member).total == 3
    for word in ("verband000", "verband077", "verband149"):
        assert search.search(word, cast.member).total == 1
    assert search.search("verband0*", cast.member).total == 2


@needs_postgresql
def test_a_title_word_outranks_a_body_word_and_a_short_post_a_long_one(cast, group):
    start_thread(group, cast.member, title="Over de ledenvergadering",
                 body="Wat vinden jullie van warmtepompen " + "en nog meer tekst " * 40)
    start_thread(group, cast.member, title="Warmtepompen", body="Ervaringen?")
    start_thread(group, cast.member, title="Lang verhaal",
                 body="Iets over warmtepompen " + "met veel andere woorden erbij " * 60)
    start_thread(group, cast.member, title="Kort", body="Warmtepompen in de wijk.")
    titles = [hit.title for hit in search.search("warmtepompen", cast.member).hits]
    assert titles[0] == "Warmtepompen"
    assert titles.index("Kort") < titles.index("Lang verhaal")


@needs_postgresql
def test_rebuild_removes_rows_no_document_has_and_status_names_the_backend(app, cast, group):
    start_thread(group, cast.member, title="Blijft")
    with db.engine.begin() as connection:
        postgres.write(connection, set(), set(), {"post:424242": {
            "id": "post:424242", "kind": "discussie", "audience": "forum", "scopes": "",
            "title": "", "display_title": "Weg", "text": "verdwijnt", "members_text": "",
            "where": "", "link": None, "path": "/", "date": None, "version": "x"}})
    assert search.search("verdwijnt", cast.member).total == 1
    assert search.rebuild() == 2  # the thread and the collective
    assert search.search("verdwijnt", cast.member).total == 0
    assert search.search("blijft", cast.member).total == 1
    info = search.status()
    assert info["backend"] == "postgresql" and info["documents"] == 2
    assert current_app.config["SEARCH_BACKEND"] == "postgresql"
