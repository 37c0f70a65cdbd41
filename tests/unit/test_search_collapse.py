"""One hit per thread (search(..., collapse=True), what /zoeken asks for) and the posts of one thread
(within="thread:<id>"): the best post stands for its thread with the number of matching posts,
pages count threads without gaps or repeats, and only what the searcher may read is shown or
counted. Part of the contract suite: every test runs once per available backend."""
from datetime import timedelta

import pytest

from app import search
from app.extensions import db
from app.forum import moderation
from app.search import postgres, searching
from app.search.documents import Collapse, Within, collapse_for, narrows
from app.timeutil import utcnow
from tests.factories import add_replies, answer, ask, cheap_passwords, make_group, start_thread
from tests.fixtures.forum import Cast
from tests.fixtures.labs import LabCast
from tests.fixtures.search import add_knowledge, pytest_generate_tests  # noqa: F401
from tests.fixtures.search import search_backend  # noqa: F401  (a fixture)

LONG = ("Een lange inleiding over de vergadering van het bestuur, de begroting, de leden, de "
        "nieuwsbrief en de plannen voor volgend jaar in het dorpshuis. ")


@pytest.fixture(autouse=True)
def index_at_commit(app, search_backend):
    app.config["SEARCH_APPLY"] = "inline"
    return search_backend


@pytest.fixture
def cast():
    cast = Cast()
    cheap_passwords(cast.member, cast.member2, cast.moderator)
    return cast


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


@pytest.fixture
def discussion(cast, group):
    """A thread with three posts about a warmtenet (the last reply the most focused), a thread
    with one, a reply without the word, and a public knowledge item about it."""
    start = utcnow() - timedelta(days=10)
    thread, opening = start_thread(group, cast.member, title="Plannen voor de wijk",
                                   body=LONG * 3 + "Misschien een warmtenet?", now=start)
    add_replies(thread, [cast.member2], 1, start=start + timedelta(hours=1),
                body="Eerst de begroting.")
    first, = add_replies(thread, [cast.member2], 1, start=start + timedelta(days=1),
                         body="Warmtenet" + " en nog meer tekst over het dorpshuis" * 8)
    best, = add_replies(thread, [cast.member], 1, start=start + timedelta(days=1, hours=1),
                        body="Warmtenet, warmtenet, warmtenet!")
    other, _ = start_thread(group, cast.member2, title="Warmtenet in Zwolle",
                            body="Wie weet hoe het warmtenet in Zwolle werkt?",
                            now=start + timedelta(days=2))
    item = add_knowledge("Een warmtenet beginnen", "Stappen voor een warmtenet in de wijk.")
    return thread, opening, first, best, other, item


def test_a_thread_with_three_matching_posts_is_one_hit_with_its_best_post(discussion, cast):
    thread, opening, first, best, other, item = discussion
    flat = search.search("warmtenet", cast.member)
    assert flat.counts["discussie"] == 4 and flat.total == 5  # one hit per document
    assert {hit.matches for hit in flat.hits} == {1}

    results = search.search("warmtenet", cast.member, collapse=True)
    assert results.collapse and results.counts == {"discussie": 2, "labvraag": 0, "kennis": 1,
                                                    "collectief": 0}
    assert results.total == 3 and results.pages == 1 and len(results.hits) == 3
    by_key = {hit.collapse_key: hit for hit in results.hits if hit.collapse_key}
    assert set(by_key) == {f"thread:{thread.id}", f"thread:{other.id}"}
    grouped = by_key[f"thread:{thread.id}"]
    assert grouped.id == f"post:{best.id}"  # the best-ranked post stands for the thread
    assert grouped.matches == 3
    assert grouped.title == "Plannen voor de wijk" and grouped.url == f"/forum/bericht/{best.id}"
    assert "<mark>Warmtenet</mark>, <mark>warmtenet</mark>" in grouped.snippet
    assert by_key[f"thread:{other.id}"].matches == 1
    knowledge = next(hit for hit in results.hits if hit.kind == "kennis")
    assert knowledge.collapse_key == "" and knowledge.matches == 1  # other kinds: one per item

    # The type filter counts threads too; sorted by date a thread shows its newest matching post.
    assert search.search("warmtenet", cast.member, kind="discussie", collapse=True).total == 2
    newest = search.search("warmtenet", cast.member, sort="datum", collapse=True)
    assert [hit.id for hit in newest.hits][:2] == [f"knowledge:{item.id}", f"thread:{other.id}"]
    assert newest.hits[2].id == f"post:{best.id}" and newest.hits[2].matches == 3


def test_within_a_thread_shows_each_matching_post(discussion, cast):
    thread, opening, first, best, other, item = discussion
    results = search.search("warmtenet", cast.member, collapse=True, within=f"thread:{thread.id}")
    assert results.within == f"thread:{thread.id}" and not results.collapse
    assert sorted(hit.id for hit in results.hits) == sorted(
        [f"thread:{thread.id}", f"post:{first.id}", f"post:{best.id}"])
    assert results.total == 3 and results.counts["discussie"] == 3 and results.counts["kennis"] == 0
    assert all(hit.matches == 1 for hit in results.hits)
    assert results.hits[0].id == f"post:{best.id}"
    # A key that is not a thread's is ignored (the whole search), never an error.
    for key in ("thread:abc", "thread:", "group:1", f"post:{best.id}", "thread:1 OR 1=1", 12, ""):
        ignored = search.search("warmtenet", cast.member, collapse=True, within=key)
        assert ignored.within is None and ignored.total == 3, key
    assert search.search("warmtenet", cast.member, within="thread:999999").total == 0


def test_pages_of_threads_have_no_gaps_or_repeats(cast, group):
    start = utcnow() - timedelta(days=30)
    threads = []
    for number in range(7):
        thread, _ = start_thread(group, cast.member, title=f"Zonnedak {number}",
                                 body=f"Over het zonnedak {number}.", now=start + timedelta(days=number))
        add_replies(thread, [cast.member2], 2, start=start + timedelta(days=number, hours=1),
                    body="Nog iets over het zonnedak, deel {n}.")
        threads.append(thread)
    for sort in ("relevantie", "datum"):
        first = search.search("zonnedak", cast.member, sort=sort, per_page=3, collapse=True)
        assert (first.total, first.pages) == (7, 3), sort
        seen = []
        for page in range(1, first.pages + 1):
            results = search.search("zonnedak", cast.member, sort=sort, page=page, per_page=3,
                                    collapse=True)
            assert results.hits, (sort, page)
            assert all(hit.matches == 3 for hit in results.hits)
            seen += [hit.collapse_key for hit in results.hits]
        assert sorted(seen) == sorted(f"thread:{thread.id}" for thread in threads), sort
        assert len(seen) == len(set(seen)) == 7
        beyond = search.search("zonnedak", cast.member, sort=sort, page=4, per_page=3, collapse=True)
        assert beyond.hits == [] and beyond.pages == 3
    by_date = search.search("zonnedak", cast.member, sort="datum", per_page=3, collapse=True)
    assert [hit.title for hit in by_date.hits] == ["Zonnedak 6", "Zonnedak 5", "Zonnedak 4"]


def test_pages_stay_whole_where_the_ranking_is_bounded(cast, group, monkeypatch):
    """Past the bounds (Whoosh ranks SCORE_LIMIT documents, PostgreSQL the newest RANK_LIMIT and
    counts COUNT_LIMIT) the pages count the threads that can be shown, each page has hits, none
    repeats, and a thread still counts all its matching posts."""
    start = utcnow() - timedelta(days=30)
    for number in range(6):
        thread, _ = start_thread(group, cast.member, title=f"Warmtepomp {number}",
                                 body="Over de warmtepomp.", now=start + timedelta(days=number))
        add_replies(thread, [cast.member2], 1, start=start + timedelta(days=number, hours=1),
                    body="De warmtepomp bevalt.")
    monkeypatch.setattr(searching, "SCORE_LIMIT", 5)
    monkeypatch.setattr(postgres, "RANK_LIMIT", 5)
    monkeypatch.setattr(postgres, "COUNT_LIMIT", 5)
    for sort in ("relevantie", "datum"):
        first = search.search("warmtepomp", cast.member, sort=sort, per_page=2, collapse=True)
        assert first.pages >= 2 and first.total >= first.pages, sort
        seen = []
        for page in range(1, first.pages + 1):
            results = search.search("warmtepomp", cast.member, sort=sort, page=page, per_page=2,
                                    collapse=True)
            assert results.hits and results.pages == first.pages, (sort, page)
            assert all(hit.matches == 2 for hit in results.hits), (sort, page)
            seen += [hit.collapse_key for hit in results.hits]
        assert len(seen) == len(set(seen)), sort
        assert search.search("warmtepomp", cast.member, sort=sort, page=first.pages + 1,
                             per_page=2, collapse=True).hits == []


def test_the_count_holds_only_posts_the_searcher_may_read(discussion, cast):
    thread, opening, first, best, other, item = discussion
    # A visitor and a registered person without a collective: no discussions, nothing counted,
    # and the posts of a thread stay out of reach through `within` too.
    for person in (None, cast.outsider):
        results = search.search("warmtenet", person, collapse=True)
        assert results.counts["discussie"] == 0 and results.total == 1
        assert [hit.kind for hit in results.hits] == ["kennis"]
        inside = search.search("warmtenet", person, collapse=True, within=f"thread:{thread.id}")
        assert inside.total == 0 and inside.hits == []
    # A hidden post is read by nobody through search: the thread counts two.
    moderation.hide_post(cast.moderator, first, "Reclame")
    db.session.commit()
    for person in (cast.member, cast.moderator):
        results = search.search("warmtenet", person, collapse=True)
        grouped = next(hit for hit in results.hits if hit.collapse_key == f"thread:{thread.id}")
        assert grouped.matches == 2
        inside = search.search("warmtenet", person, within=f"thread:{thread.id}")
        assert f"post:{first.id}" not in {hit.id for hit in inside.hits} and inside.total == 2


def test_collapse_keys_follow_a_moved_thread(discussion, cast):
    thread, opening, first, best, other, item = discussion
    moderation.move_thread(cast.moderator, thread, make_group("Wonen", slug="wonen", position=1))
    db.session.commit()
    results = search.search("warmtenet", cast.member, collapse=True)
    grouped = next(hit for hit in results.hits if hit.collapse_key == f"thread:{thread.id}")
    assert grouped.matches == 3 and grouped.where == "Forum · Wonen"


def test_a_collapse_knows_its_keys(app):
    spec = Collapse("discussie", "thread")
    assert spec.owns("thread:4") and not spec.owns("thread:x") and not spec.owns("threads:4")
    with app.test_request_context():
        assert collapse_for("thread:12") is not None  # the forum registered one
        assert collapse_for("question:12") is None and collapse_for(None) is None


def test_a_search_narrowed_to_a_lab_keeps_that_labs_documents(app):
    """within="lab:<id>" (a `Within` the labs registered, for similar questions): that lab's
    questions and replies, each a hit, for lab readers only; other keys are still ignored."""
    labs = LabCast()
    here = ask(labs.member, title="Subsidie voor een buurtbatterij")
    answer(labs.partner, here, body="Er is subsidie van de provincie.")
    there = ask(labs.member, lab_slug="sciencelab", title="Subsidie voor onderzoek")
    results = search.search("subsidie", labs.member, within=f"lab:{here.lab_id}")
    assert sorted(hit.id.split(":")[0] for hit in results.hits) == ["labquestion", "labreply"]
    assert results.within == f"lab:{here.lab_id}" and f"labquestion:{there.id}" not in [
        hit.id for hit in results.hits]
    assert search.search("subsidie", labs.outsider, within=f"lab:{here.lab_id}").hits == []
    with app.test_request_context():
        assert narrows("lab:3") and narrows("thread:3") and not narrows("lab:x")
        assert not narrows("question:3") and not narrows(None)
        assert Within("lab").owns("lab:12") and not Within("lab").owns("labs:12")
    assert search.search("subsidie", labs.member, within="lab:x").within is None
