"""The index race, shown gone: four processes (like gunicorn workers with SEARCH_APPLY=inline)
each post 50 documents while two more search through the search page without pause, twenty
rounds in a row on one database and one index directory. After every round each post is found;
no process saw an error or a warning, no page said search was unavailable, and no index job was
ever marked failed. Before the fix this failed in about three of five runs with
`FileNotFoundError: …/_MAIN_<n>.toc` (a reader opened a table of contents a writer had just
replaced and removed), which put every due job into back-off."""
import multiprocessing
import queue as queue_module

import pytest

from app import search
from app.extensions import db
from app.models.search import SearchJob
from app.search.index import open_index
from tests.slow import search_race_support as race
from tests.factories import make_group, quick_user
from tests.fixtures.forum import Cast

ROUNDS = 20

pytestmark = pytest.mark.slow


def _drain(q):
    items = []
    while True:
        try:
            items.append(q.get_nowait())
        except queue_module.Empty:
            return items


def test_writers_and_searchers_in_separate_processes_never_race(app):
    cast = Cast()
    make_group("Energie", slug="energie")
    authors = [cast.member, cast.member2, cast.moderator,
               quick_user("lid3@example.org", collective=cast.collective, name="Cor Derde")]
    open_index()  # all start from an existing index
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(race.WRITERS + race.SEARCHERS + 1)
    end = ctx.Barrier(race.WRITERS + race.SEARCHERS + 1)
    writers_done = ctx.Value("i", 0)
    problems, searches = ctx.Queue(), ctx.Queue()
    uri, index_dir = app.config["SQLALCHEMY_DATABASE_URI"], app.config["SEARCH_INDEX_DIR"]
    processes = [
        ctx.Process(target=race.writer, args=(n, uri, index_dir, authors[n].email, "energie",
                                              ROUNDS, start, end, writers_done, problems))
        for n in range(race.WRITERS)
    ] + [
        ctx.Process(target=race.searcher, args=(n, uri, index_dir, cast.member.email, ROUNDS,
                                                start, end, writers_done, problems, searches))
        for n in range(race.SEARCHERS)
    ]
    for process in processes:
        process.start()
    failures = []
    try:
        for round_number in range(ROUNDS):
            start.wait(180)
            end.wait(300)
            with writers_done.get_lock():
                writers_done.value = 0
            # What a writer could not apply within its lock timeout is the worker's job.
            search.apply_pending(include_waiting=True, lock_timeout=30)
            db.session.expire_all()
            failed_jobs = db.session.execute(
                db.select(db.func.count()).select_from(SearchJob).where(SearchJob.attempts > 0)
            ).scalar()
            if failed_jobs:
                failures.append(f"round {round_number}: {failed_jobs} jobs marked failed")
            for writer in range(race.WRITERS):
                tag = race.round_tag(round_number, writer)
                results = search.search(tag, cast.member, per_page=100)
                numbers = sorted(int(hit.snippet.striptags().split()[-1]) for hit in results.hits)
                if results.total != race.POSTS_PER_ROUND or numbers != list(range(50)):
                    failures.append(f"round {round_number} writer {writer}: {results.total} found")
            failures.extend(f"{who}: {what}" for who, what in _drain(problems))
            if failures:
                break
    finally:
        if failures:
            for barrier in (start, end):
                barrier.abort()
        for process in processes:
            process.join(60)
            if process.is_alive():
                process.kill()
    failures.extend(f"{who}: {what}" for who, what in _drain(problems))
    assert failures == [], "\n-----\n".join(failures[:5])
    assert [process.exitcode for process in processes] == [0] * len(processes)
    counts = _drain(searches)
    assert len(counts) == race.SEARCHERS and all(count >= ROUNDS for count in counts)
    assert db.session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar() == 0
    assert search.check(repair=False).ok
