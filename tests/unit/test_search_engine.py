"""The search engine (app.search): Dutch analysis, who sees what, the index following the database
through the real services and views, rebuild/check, a broken index, and hostile query text.

The contract suite of both backends: every test runs once per available backend (Whoosh always,
PostgreSQL's when DATABASE_URL is PostgreSQL), except the few marked `whoosh_only`, which are
about the index directory itself."""
import os
from datetime import timedelta

import pytest
from flask import current_app
from flask_login import AnonymousUserMixin
from markupsafe import Markup

from app import search
from app.extensions import db
from app.forum import moderation
from app.forum import services as forum
from app.markup import render_markdown
from app.models.knowledge import STATUS_DRAFT, STATUS_PUBLISHED, KnowledgeItem
from app.models.search import SearchJob
from app.search import postgres
from app.search.analysis import analyse
from app.search.documents import finish
from app.search.index import _forget_searchers, _searcher, open_index
from app.search.jobs import paused
from app.search.query import tidy_operators
from app.timeutil import utcnow
from tests.factories import add_replies, cheap_passwords, make_collective, make_group, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.search import indexed_documents, pytest_generate_tests  # noqa: F401
from tests.fixtures.search import search_backend  # noqa: F401  (a fixture)
from tests.support import isolated_client, login, submit

SECRET = "Geheimwoord"  # only in a knowledge item's members-only body


@pytest.fixture(autouse=True)
def index_at_commit(app, search_backend):
    """These tests apply index jobs right after each commit (SEARCH_APPLY=inline), on each backend."""
    app.config["SEARCH_APPLY"] = "inline"
    return search_backend


@pytest.fixture
def cast():
    cast = Cast()
    cheap_passwords(cast.member, cast.member2, cast.partner, cast.moderator, cast.outsider)
    return cast


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


def make_item(title="Zo start je een energiecoöperatie", summary="Een praktijkvoorbeeld uit Zeist.",
              body=f"De **{SECRET}** staat alleen in de uitwerking.", status=STATUS_PUBLISHED,
              slug=None):
    item = KnowledgeItem(
        slug=slug or title.lower().replace(" ", "-")[:100], kind="praktijkvoorbeeld", title=title,
        summary=summary, body_source=body, body_html=str(render_markdown(body)), status=status,
        published_at=utcnow() if status == STATUS_PUBLISHED else None,
    )
    db.session.add(item)
    db.session.commit()
    return item


def ids(results):
    return sorted(hit.id for hit in results.hits)


def indexed():
    """{doc id: stored fields} of everything in the index."""
    return indexed_documents(current_app.config["SEARCH_BACKEND"])


def write_behind_the_back(remove, add):
    """Change the index without the database knowing (drift for `check` to find)."""
    if current_app.config["SEARCH_BACKEND"] == "postgresql":
        with db.engine.begin() as connection:
            postgres.write(connection, set(), {remove}, {add["id"]: add})
        return
    writer = open_index().writer()
    writer.delete_by_term("id", remove)
    writer.add_document(**add)
    writer.commit()


def jobs():
    db.session.expire_all()
    return db.session.execute(db.select(SearchJob).order_by(SearchJob.id)).scalars().all()


# -- the package's public face -------------------------------------------------------------------

PUBLIC = {
    "search", "SearchResults", "SearchHit", "SEARCH_KINDS", "SORTS", "MAX_QUERY_LENGTH",
    "clean_query", "apply_pending", "rebuild", "check", "CheckReport", "status", "register_search",
}


def test_the_package_exports_only_what_the_app_uses():
    """app.search's __init__ is the engine's public face; the rest is imported from its module."""
    assert sorted(search.__all__) == sorted(PUBLIC)
    assert [name for name in search.__all__ if not hasattr(search, name)] == []
    namespace = {}
    exec("from app.search import *", namespace)
    assert set(namespace) - {"__builtins__"} == PUBLIC


def test_indexes_written_before_the_split_still_unpickle_their_stemming_filter():
    """Indexes written when the engine was one module pickled `app.search.DutchStemFilter`."""
    import pickle

    from app.search.analysis import DutchStemFilter

    assert search.DutchStemFilter is DutchStemFilter
    old = pickle.dumps(DutchStemFilter(), protocol=0)
    assert b"app.search.analysis\nDutchStemFilter" in old
    old = old.replace(b"app.search.analysis\n", b"app.search\n")
    assert isinstance(pickle.loads(old), DutchStemFilter)


# -- the Dutch analyser ---------------------------------------------------------------------------

@pytest.mark.parametrize("written, searched", [
    ("energiecoöperaties", "energiecooperatie"),
    ("Energiecoöperatie", "ENERGIECOOPERATIES"),
    ("woningen", "woning"),
    ("collectieven", "collectief"),
    ("huizen", "huis"),
    ("België", "belgie"),
    ("vrijwilligers", "vrijwilliger"),
])
def test_analyser_folds_accents_case_and_stems(written, searched):
    assert analyse(written) == analyse(searched)
    assert len(analyse(written)) == 1


def test_analyser_drops_dutch_stop_words():
    assert analyse("de het een en van zonnepanelen") == analyse("zonnepanelen")


def test_stemming_and_accents_through_a_search(cast, group):
    start_thread(group, cast.member, title="Nieuwe leden gezocht",
                 body="Onze energiecoöperaties bouwen woningen voor collectieven.")
    for query in ("energiecooperatie", "woning", "collectief", "ENERGIECOÖPERATIE", "woningen"):
        results = search.search(query, cast.member, kind="discussie")
        assert [hit.title for hit in results.hits] == ["Nieuwe leden gezocht"], query
        assert "<mark>" in results.hits[0].snippet
    assert search.search("energiecoöp*", cast.member, kind="discussie").total == 1  # accents folded
    assert search.search("Energiecoop*", cast.member).total == 2  # and the collective's name


# -- who sees what --------------------------------------------------------------------------------

@pytest.fixture
def content(cast, group):
    thread, _ = start_thread(group, cast.member, title="Warmtepomp in het dorpshuis",
                             body="Wie heeft ervaring met een warmtepomp?")
    add_replies(thread, [cast.member2], 1, body="Wij hebben een warmtepomp sinds 2021.")
    from tests.factories import ask
    question = ask(cast.member, title="Lening voor een warmtepomp?",
                   body="Welke bank financiert een warmtepomp?")
    item = make_item(title="Warmtepomp voor verenigingen", summary="Wat een warmtepomp kost.")
    return thread, question, item


def _visitor_sees_only_public(user, cast):
    results = search.search("warmtepomp", user)
    assert ids(results) == sorted(["knowledge:" + str(KnowledgeItem.query.one().id)])
    assert results.total == 1
    assert results.counts == {"discussie": 0, "labvraag": 0, "kennis": 1, "collectief": 0}
    for hit in results.hits:
        assert SECRET.lower() not in hit.snippet.lower()
    # Members-only text: not found, not counted, not in a snippet, also not through field syntax.
    for query in (SECRET, f"members_text:{SECRET}", f"text:{SECRET}", f'"{SECRET}"',
                  f"{SECRET.lower()[:5]}*", f"warmtepomp OR {SECRET}"):
        results = search.search(query, user)
        assert all(SECRET.lower() not in (hit.snippet + hit.title).lower() for hit in results.hits)
        if "warmtepomp" not in query:
            assert results.total == 0 and sum(results.counts.values()) == 0, query


def test_visitor_sees_public_text_only(content, cast):
    _visitor_sees_only_public(None, cast)
    _visitor_sees_only_public(AnonymousUserMixin(), cast)


def test_logged_in_person_without_collective_sees_public_text_only(content, cast):
    _visitor_sees_only_public(cast.outsider, cast)


@pytest.mark.parametrize("role", ["member", "partner", "moderator"])
def test_insiders_see_discussions_labs_and_knowledge_bodies(content, cast, role):
    person = getattr(cast, role)
    results = search.search("warmtepomp", person)
    assert results.counts == {"discussie": 2, "labvraag": 1, "kennis": 1, "collectief": 0}
    assert results.total == 4
    assert {hit.kind for hit in results.hits} == {"discussie", "labvraag", "kennis"}
    secret = search.search(SECRET, person)
    assert secret.total == 1 and secret.hits[0].kind == "kennis"
    assert f"<mark>{SECRET}</mark>" in secret.hits[0].snippet


def test_a_suspended_member_is_a_visitor_to_search(content, cast):
    cast.member.status = "suspended"
    db.session.commit()
    assert not cast.member.is_active
    assert search.search("warmtepomp", cast.member).counts["discussie"] == 0


def test_hits_carry_kind_where_url_date_and_safe_snippet(content, cast):
    thread, question, item = content
    results = search.search("warmtepomp", cast.member, kind="discussie")
    assert results.total == 2 and results.counts["labvraag"] == 1  # counts ignore the type filter
    opening = next(hit for hit in results.hits if hit.id == f"thread:{thread.id}")
    assert opening.kind_label == "Discussies" and opening.where == "Forum · Energie"
    assert opening.url == thread_path(thread)
    assert opening.date == thread.created_at
    reply = next(hit for hit in results.hits if hit.id.startswith("post:"))
    assert reply.title == "Warmtepomp in het dorpshuis"  # a reply shows its thread's title
    assert reply.url.startswith("/forum/bericht/")
    lab_hit = search.search("bank", cast.member).hits[0]
    assert lab_hit.where == "Financelab" and lab_hit.url == f"/labs/financelab/vragen/{question.id}"
    assert isinstance(lab_hit.snippet, Markup)


def test_snippets_escape_what_people_wrote(cast, group):
    start_thread(group, cast.member, title="Over scripts",
                 body="Let op <script>alert('x')</script> & <b>zonnepaneel</b> [link](javascript:x)")
    hit = search.search("zonnepaneel", cast.member).hits[0]
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "<mark>zonnepaneel</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet or "alert" not in hit.snippet


def test_collective_pages_are_public(cast):
    make_collective("Zorgcoöperatie Hoogland", slug="hoogland", sector="zorg",
                    municipality="Amersfoort", description="Zorg dichtbij voor ouderen.")
    results = search.search("zorgcooperatie ouderen", None)
    assert [hit.title for hit in results.hits] == ["Zorgcoöperatie Hoogland"]
    assert results.hits[0].url == "/collectieven/hoogland"
    assert results.hits[0].where == "Amersfoort"
    assert search.search("amersfoort", None).counts["collectief"] == 1


def test_pages_sorting_and_type_filter(cast, group):
    thread, _ = start_thread(group, cast.member, title="Zonnepanelen", body="Over zonnepanelen.",
                             now=utcnow() - timedelta(days=30))
    add_replies(thread, [cast.member2], 24, start=utcnow() - timedelta(days=20),
                body="Zonnepanelen bericht {n}")
    results = search.search("zonnepanelen", cast.member, per_page=10)
    assert (results.total, results.pages, len(results.hits)) == (25, 3, 10)
    last = search.search("zonnepanelen", cast.member, page=3, per_page=10)
    assert len(last.hits) == 5 and not last.has_next and last.has_prev
    assert search.search("zonnepanelen", cast.member, page=9, per_page=10).hits == []
    newest = search.search("zonnepanelen", cast.member, sort="datum", per_page=5)
    dates = [hit.date for hit in newest.hits]
    assert dates == sorted(dates, reverse=True) and newest.hits[0].title == "Zonnepanelen"
    assert "bericht 25" in newest.hits[0].snippet
    assert search.search("zonnepanelen", cast.member, kind="kennis").total == 0
    odd = search.search("zonnepanelen", cast.member, kind="nonsense", sort="x", page="y")
    assert odd.total == 25 and odd.kind is None and odd.sort == "relevantie" and odd.page == 1


def test_boolean_phrase_and_prefix_queries(cast, group):
    start_thread(group, cast.member, title="Subsidie", body="Subsidie voor zonnepanelen op scholen.")
    start_thread(group, cast.member2, title="Lening", body="Een lening voor zonnepanelen.")
    member = cast.member
    assert search.search("zonnepanelen", member).total == 2
    assert search.search("subsidie AND zonnepanelen", member).total == 1
    assert search.search("subsidie OR lening", member).total == 2
    assert search.search("zonnepanelen NOT lening", member).total == 1
    assert search.search('"zonnepanelen op scholen"', member).total == 1
    assert search.search('"scholen op zonnepanelen"', member).total == 0
    assert search.search("subs*", member).total == 1
    assert search.search("(subsidie OR lening) AND scholen", member).total == 1


HOSTILE_QUERIES = [
    '"', '""', '"zonnepanelen', "zonnepanelen\"", "(", ")", "((zonnepanelen", "zonnepanelen))",
    "AND", "OR", "NOT", "AND OR NOT", "zonnepanelen AND", "OR zonnepanelen", "NOT zonnepanelen",
    "title:", "title:zonnepanelen", "id:post:1", "audience:members", "kind:discussie",
    "members_text:*", "*", "?", "a*", "*zon", "zon?panelen", "[a TO z]", "{a TO z}",
    "zonnepanelen^100", "zonnepanelen~2", "'", "auto's", "\x00", "zon\x00panelen", "\u202e",
    "🙂", "☀️ zonnepanelen 🔋", "x" * 3000, "zonnepanelen " * 400, "<script>alert(1)</script>",
    "%00", "\\", "\\\\\\", "::", "@@@", "0", "-1", "  ", "\t\n", "é" * 600, "日本語",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_any_query_text_works(cast, group, query):
    start_thread(group, cast.member, title="Zonnepanelen", body="Over zonnepanelen en accu's.")
    for person in (None, cast.outsider, cast.member):
        results = search.search(query, person)
        assert isinstance(results, search.SearchResults)
        assert results.total >= len(results.hits)
        assert not results.unavailable
        for hit in results.hits:
            assert isinstance(hit.snippet, Markup)


def test_blank_query_is_an_empty_result(cast):
    for query in ("", "   ", None, "\x00\x01"):
        results = search.search(query, cast.member)
        assert (results.total, results.hits, results.pages) == (0, [], 0)


def test_unparsable_queries_are_searched_as_words(cast, group):
    start_thread(group, cast.member, title="Zonnepanelen", body="Over zonnepanelen.")
    long = search.search("zonnepanelen " + "x" * 3000, cast.member)
    assert long.as_words
    only_not = search.search("NOT zonnepanelen", cast.member)
    assert only_not.as_words  # "not" and "zonnepanelen" as words
    assert search.search("zonnepanelen))", cast.member).total == 1
    assert search.search("title:zonnepanelen", cast.member).total == 1


# -- the index follows the database ----------------------------------------------------------------

def test_new_thread_and_reply_are_indexed_after_commit(cast, group):
    thread, opening = start_thread(group, cast.member, title="Ledenvergadering",
                                   body="Agenda van de vergadering")
    replies = add_replies(thread, [cast.member2], 2, body="Notulen {n}")
    assert jobs() == []  # applied and removed
    docs = indexed()
    assert set(docs) == {f"thread:{thread.id}", f"post:{replies[0].id}", f"post:{replies[1].id}",
                         f"collective:{cast.collective.id}"}
    assert docs[f"thread:{thread.id}"]["text"] == "Agenda van de vergadering"
    assert f"post:{opening.id}" not in docs  # the opening post is part of the thread


def test_reply_posted_through_the_page_is_found(app, cast, group):
    thread, _ = start_thread(group, cast.member, title="Buurtbatterij")
    member = isolated_client(app)
    login(member, cast.member2.email)
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Onze buurtbatterij draait sinds maart."}, page=thread_path(thread))
    assert response.status_code == 302
    results = search.search("buurtbatterij maart", cast.member)
    assert results.total == 1 and "<mark>maart</mark>" in results.hits[0].snippet


def test_edit_hide_restore_and_delete_of_posts(cast, group):
    thread, _ = start_thread(group, cast.member, title="Isolatie")
    reply = add_replies(thread, [cast.member2], 1, body="Spouwmuurisolatie werkt goed")[0]
    member = cast.member
    assert search.search("spouwmuurisolatie", member).total == 1
    forum.edit_post(cast.member2, reply, "Dakisolatie werkt beter")
    db.session.commit()
    assert search.search("spouwmuurisolatie", member).total == 0
    assert search.search("dakisolatie", member).total == 1
    moderation.hide_post(cast.moderator, reply, "Reclame")
    db.session.commit()
    assert search.search("dakisolatie", member).total == 0
    assert search.search("dakisolatie", cast.moderator).total == 0  # hidden is hidden for all
    moderation.restore_post(cast.moderator, reply)
    db.session.commit()
    assert search.search("dakisolatie", member).total == 1
    forum.delete_post(cast.member2, reply)
    db.session.commit()
    assert search.search("dakisolatie", member).total == 0
    assert f"post:{reply.id}" not in indexed()


def test_deleting_a_thread_removes_it_and_its_replies(cast, group):
    thread, _ = start_thread(group, cast.member, title="Windmolen", body="Een windmolen erbij?")
    add_replies(thread, [cast.member2], 3, body="Windmolen reactie {n}")
    assert search.search("windmolen", cast.member).total == 4
    moderation.delete_thread(cast.moderator, thread)
    db.session.commit()
    assert search.search("windmolen", cast.moderator).total == 0
    assert [key for key in indexed() if key.startswith(("thread:", "post:"))] == []


def test_thread_title_move_and_group_rename_follow(cast, group):
    other = make_group("Wonen", slug="wonen", position=1)
    thread, _ = start_thread(group, cast.member, title="Oude titel", body="Tekst")
    add_replies(thread, [cast.member2], 1, body="Kozijnen vervangen")
    thread.title = "Nieuwe titel"
    db.session.commit()
    hit = search.search("kozijnen", cast.member).hits[0]
    assert hit.title == "Nieuwe titel"
    moderation.move_thread(cast.moderator, thread, other)
    db.session.commit()
    hit = search.search("kozijnen", cast.member).hits[0]
    assert hit.where == "Forum · Wonen"
    moderation.update_group(cast.moderator, other, "Wonen en bouwen", "wonen-bouwen")
    db.session.commit()
    hit = search.search("kozijnen", cast.member).hits[0]
    assert hit.where == "Forum · Wonen en bouwen"
    assert search.search("nieuwe titel", cast.member).hits[0].url.startswith("/forum/wonen-bouwen/")


def test_hidden_lab_question_and_replies_leave_the_index(cast):
    from tests.factories import answer, ask

    question = ask(cast.member, title="Crowdfunding voor een buurthuis",
                   body="Hoe werkt crowdfunding?")
    partner = cast.partner
    partner.labs = [question.lab]
    db.session.commit()
    reply = answer(partner, question, body="Crowdfunding werkt met een platform.")
    assert search.search("crowdfunding", cast.member).counts["labvraag"] == 2
    question.hidden_at = utcnow()
    db.session.commit()
    assert search.search("crowdfunding", cast.moderator).total == 0
    question.hidden_at = None
    db.session.commit()
    assert search.search("crowdfunding", cast.member).total == 2
    reply.deleted_at = utcnow()
    db.session.commit()
    assert search.search("crowdfunding", cast.member).total == 1


def test_unpublished_and_deleted_knowledge_leaves_the_index():
    item = make_item(title="Statuten schrijven", summary="Modelstatuten voor coöperaties.")
    draft = make_item(title="Concept over statuten", summary="Nog niet af.", status=STATUS_DRAFT)
    assert ids(search.search("statuten", None)) == [f"knowledge:{item.id}"]
    item.status = STATUS_DRAFT
    db.session.commit()
    assert search.search("statuten", None).total == 0
    draft.status = STATUS_PUBLISHED
    draft.published_at = utcnow()
    db.session.commit()
    assert ids(search.search("statuten", None)) == [f"knowledge:{draft.id}"]
    db.session.delete(draft)
    db.session.commit()
    assert search.search("statuten", None).total == 0
    assert indexed() == {}


def test_a_rolled_back_change_queues_nothing(cast, group):
    thread, _ = start_thread(group, cast.member, title="Vergunning")
    before = indexed()
    thread.title = "Iets anders"
    db.session.flush()
    db.session.rollback()
    assert jobs() == []
    assert indexed() == before


# -- rebuild and check ------------------------------------------------------------------------------

def _some_content(cast, group):
    thread, _ = start_thread(group, cast.member, title="Energiecoöperatie opzetten",
                             body="Stappenplan voor een **energiecoöperatie**.")
    replies = add_replies(thread, [cast.member2, cast.partner], 3, body="Ervaring {n}")
    moderation.hide_post(cast.moderator, replies[1], "Off-topic")
    db.session.commit()
    from tests.factories import ask

    ask(cast.member, title="Lening bij de gemeente?", body="Wie heeft ervaring?")
    make_item()
    make_item(title="Concept", summary="Nog niet af", status=STATUS_DRAFT, slug="concept")


def test_rebuild_equals_incremental_indexing(app, cast, group):
    _some_content(cast, group)
    incremental = indexed()
    assert len(incremental) == 1 + 1 + 2 + 1 + 1  # collective, thread, 2 visible replies, lab, item
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "7 documents indexed" not in result.output and "6 documents indexed" in result.output
    assert "docs/s" in result.output
    rebuilt = indexed()
    assert rebuilt == incremental  # same ids, same stored content, same versions
    assert search.search("energiecooperatie", cast.member).counts == {
        "discussie": 1, "labvraag": 0, "kennis": 1, "collectief": 1}


def test_check_finds_and_repairs_missing_stale_and_extra(app, cast, group):
    _some_content(cast, group)
    good = indexed()
    thread_key = next(key for key in good if key.startswith("thread:"))
    ghost = finish({  # extra: a post that does not exist
        "id": "post:999999", "kind": "discussie", "audience": "public", "scopes": "",
        "title": "Spook", "display_title": "Spook", "text": "spookbericht", "members_text": "",
        "where": "Forum", "link": None, "path": "/", "date": utcnow()})
    write_behind_the_back(remove=thread_key, add=ghost)  # missing and extra
    collective_key = f"collective:{cast.collective.id}"
    db.session.execute(db.update(type(cast.collective)).values(description="Stil veranderd"))
    db.session.commit()  # a bulk update: no session event, so the index is stale

    report = search.check(repair=False)
    assert (report.missing, report.extra, report.stale) == ([thread_key], ["post:999999"],
                                                           [collective_key])
    assert search.search("spookbericht", None).total == 1

    result = app.test_cli_runner().invoke(args=["search", "check", "-v"])
    assert result.exit_code == 0, result.output
    assert "missing: 1: " + thread_key in result.output and "extra: 1" in result.output
    assert "Repaired" in result.output
    assert search.search("spookbericht", None).total == 0
    assert search.search("veranderd", None).total == 1
    assert search.check(repair=False).ok
    result = app.test_cli_runner().invoke(args=["search", "check"])
    assert "Index and database agree." in result.output and result.exit_code == 0


def test_status_command(app, cast, group):
    start_thread(group, cast.member, title="Status")
    result = app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 0
    assert "Documents: 2" in result.output and "Pending jobs: 0" in result.output


# -- a missing, unwritable or broken index never fails a request ------------------------------------

@pytest.mark.whoosh_only
def test_unwritable_index_keeps_the_job_until_it_works_again(app, tmp_path, cast, group):
    thread, _ = start_thread(group, cast.member, title="Netcongestie")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    good_dir = app.config["SEARCH_INDEX_DIR"]
    app.config["SEARCH_INDEX_DIR"] = str(blocker / "index")  # cannot be made
    member = isolated_client(app)
    login(member, cast.member2.email)
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Netcongestie raakt ons ook."}, page=thread_path(thread))
    assert response.status_code == 302
    waiting = jobs()
    assert [(job.doc_type, job.attempts) for job in waiting] == [("post", 1)]
    assert waiting[0].last_error and waiting[0].next_attempt_at > utcnow()
    results = search.search("netcongestie", cast.member)
    assert results.unavailable and results.hits == []
    assert search.apply_pending() == 0  # still in back-off

    app.config["SEARCH_INDEX_DIR"] = good_dir
    assert search.apply_pending(include_waiting=True) == 1
    assert jobs() == []
    assert search.search("netcongestie raakt", cast.member).total == 1


@pytest.mark.whoosh_only
def test_broken_index_files_do_not_fail_requests(app, cast, group):
    thread, _ = start_thread(group, cast.member, title="Kapotte index")
    path = app.config["SEARCH_INDEX_DIR"]
    for name in os.listdir(path):
        if name.endswith(".toc"):
            with open(os.path.join(path, name), "wb") as toc:
                toc.write(b"\x00garbage")
    _forget_searchers()
    member = isolated_client(app)
    login(member, cast.member2.email)
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Toch geplaatst."}, page=thread_path(thread))
    assert response.status_code == 302
    assert len(jobs()) == 1
    assert search.search("kapotte", cast.member).unavailable
    report = search.check()  # repairs by rebuilding
    assert report.repaired, report.error
    assert jobs() == []
    assert search.search("geplaatst", cast.member).total == 1


@pytest.mark.whoosh_only
def test_busy_index_leaves_jobs_for_the_next_round(app, cast, group):
    start_thread(group, cast.member, title="Eerst")
    ix = open_index()
    holder = ix.writer()  # another worker is writing
    try:
        thread, _ = start_thread(group, cast.member, title="Wachtrij", body="Even wachten")
        assert [job.doc_type for job in jobs()] == ["thread"]
        assert jobs()[0].attempts == 0  # busy is not a failure
    finally:
        holder.cancel()
    assert search.apply_pending() == 1
    assert search.search("wachtrij", cast.member).total == 1


def test_a_failing_job_is_kept_with_back_off_and_the_others_apply(cast, group):
    thread, _ = start_thread(group, cast.member, title="Eerste")
    db.session.add(SearchJob(doc_type="onbekend", doc_id=1))
    db.session.add(SearchJob(doc_type="thread", doc_id=thread.id))
    db.session.commit()
    search.apply_pending()
    left = jobs()
    assert [(job.doc_type, job.attempts) for job in left] == [("onbekend", 1)]
    assert "onbekend" in left[0].last_error and left[0].next_attempt_at > utcnow()
    assert search.apply_pending() == 0  # waits for its back-off


def test_paused_queues_nothing_and_rebuild_catches_up(cast, group):
    with paused():
        thread, _ = start_thread(group, cast.member, title="Bulk geladen")
    assert jobs() == [] and search.search("bulk", cast.member).total == 0
    search.rebuild()
    assert search.search("bulk", cast.member).total == 1


def test_worker_round_applies_waiting_jobs(app, cast, group):
    from tests.support import worker_round

    thread, _ = start_thread(group, cast.member, title="Vangnet")
    db.session.add(SearchJob(doc_type="thread", doc_id=thread.id))
    db.session.execute(db.update(type(thread)).values(title="Vangnet bijgewerkt"))
    db.session.commit()
    db.session.remove()
    assert worker_round(app, only=["search"]) == {"search": "ran"}
    assert jobs() == []
    assert search.search("bijgewerkt", moderator_role()).total == 1


def moderator_role():
    """Someone with every right, as a plain object (the session was removed)."""
    class Staff:
        is_authenticated = is_active = is_staff = True
        is_partner = is_collective_member = False
    return Staff()


@pytest.mark.whoosh_only
def test_in_worker_mode_a_request_leaves_its_jobs_to_the_worker(app, cast, group):
    """SEARCH_APPLY=worker (production's default): the request only queues; the worker applies."""
    import threading

    from tests.support import worker_round

    thread, _ = start_thread(group, cast.member, title="Achtergrond")
    app.config["SEARCH_APPLY"] = "worker"
    threads_before = set(threading.enumerate())
    member = isolated_client(app)
    login(member, cast.member2.email)
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": "Door de worker verwerkt."}, page=thread_path(thread))
    assert response.status_code == 302
    # No thread was started for it (threads of earlier tests may end meanwhile: compare who, not how
    # many). The rate limiter's in-memory storage expires its counters on short threading.Timers
    # (limits.storage.MemoryStorage), which a sign-in and a reply may start: they are not ours.
    started = {t for t in set(threading.enumerate()) - threads_before
               if not isinstance(t, threading.Timer)}
    assert started == set()
    assert [job.doc_type for job in jobs()] == ["post"]
    assert search.search("worker verwerkt", cast.member).total == 0
    assert worker_round(app, only=["search"]) == {"search": "ran"}
    assert jobs() == []
    assert search.search("worker verwerkt", cast.member).total == 1


@pytest.mark.parametrize("raw, tidy", [
    ('buurtbatterij AND (OR "', "buurtbatterij"),
    ("buurtbatterij AND", "buurtbatterij"),
    ("OR buurtbatterij", "buurtbatterij"),
    ("NOT AND buurtbatterij", "buurtbatterij"),
    ("x AND OR y", "x OR y"),
    ("(buurtbatterij", "buurtbatterij"),
    ("a ( ) b", "a b"),
    ('"zon', "zon"),
    ("(a OR b) AND c", "( a OR b ) AND c"),
    ("a AND NOT b", "a AND NOT b"),
    ('"a b" OR c', '"a b" OR c'),
])
def test_operators_with_nothing_to_act_on_are_left_out(raw, tidy):
    assert tidy_operators(raw) == tidy


@pytest.mark.whoosh_only
def test_rebuild_keeps_dot_files_and_leaves_no_temporary_directories(app, cast, group):
    start_thread(group, cast.member, title="Opruimen")
    path = app.config["SEARCH_INDEX_DIR"]
    with open(os.path.join(path, ".gitkeep"), "w"):
        pass
    before = set(os.listdir(os.path.dirname(path)))
    assert search.rebuild() == 2
    assert os.path.exists(os.path.join(path, ".gitkeep"))
    assert set(os.listdir(os.path.dirname(path))) == before
    assert search.search("opruimen", cast.member).total == 1


@pytest.mark.whoosh_only
def test_an_empty_index_gives_no_results_not_an_error(app, cast, caplog):
    """A new site (or a new index) has no documents: searching finds nothing, quietly."""
    open_index()
    results = search.search("zonnepanelen", cast.member)
    assert results.total == 0 and results.hits == [] and not results.unavailable
    assert "Search failed" not in caplog.text


# -- bounded memory -------------------------------------------------------------------------------


def test_bounded_cache_keeps_the_most_recent_within_its_weight():
    from app.search.evaluation import BoundedCache

    cache = BoundedCache(10, len)
    cache.put("a", [1] * 4)
    cache.put("b", [1] * 4)
    assert cache.get("a") == [1] * 4  # a is now the most recent
    cache.put("c", [1] * 4)  # 12 > 10: the least recent (b) goes
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.weight == 8
    assert cache.put("huge", [1] * 11) == [1] * 11 and "huge" not in cache  # never kept
    cache.put("a", [1] * 2)  # replacing a value re-weighs it
    assert cache.weight == 6


def test_bounded_cache_stays_bounded_under_threads():
    import threading

    from app.search.evaluation import BoundedCache

    cache = BoundedCache(1000, len)
    errors = []

    def hammer(offset):
        try:
            for n in range(3000):
                cache.put((offset, n), [0] * (n % 7 + 1))
                cache.get((offset, n - 5))
        except Exception as exc:  # a race would show as a KeyError or a wrong weight
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.weight <= 1000
    assert cache.weight == sum(len(cache.get(key)) for key in list(cache._items))


@pytest.mark.whoosh_only
def test_the_caches_of_a_searcher_are_bounded(cast, group, monkeypatch):
    """However many different words are searched, a searcher's postings cache holds at most its
    bound; the process-wide segment cache too."""
    from app.search import evaluation

    for n in range(3):
        start_thread(group, cast.member, title=f"Onderwerp {n}",
                     body=" ".join(f"woord{n}x{k}" for k in range(60)))
    monkeypatch.setattr(evaluation, "POSTINGS_CACHE_MAX_ENTRIES", 20)
    evaluation._SEGMENT_CACHE.clear()
    _forget_searchers()
    for n in range(3):
        for k in range(60):
            assert search.search(f"woord{n}x{k}", cast.member).total == 1
    searcher = _searcher()
    assert searcher._ck_evaluation.postings_cache.weight <= 20
    assert evaluation._SEGMENT_CACHE.weight <= evaluation.SEGMENT_CACHE_MAX_ITEMS
