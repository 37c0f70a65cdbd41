"""rebuild() swaps the new index in without a window in which a search or a writer can put an
empty index at the live path; searching never creates an index."""
import os

import pytest

from app import search
from app.search import maintenance
from app.search.index import index_dir, reset_index_for_tests
from tests.factories import cheap_passwords, make_group, start_thread
from tests.fixtures.forum import Cast


@pytest.fixture(autouse=True)
def index_at_commit(app):
    app.config["SEARCH_APPLY"] = "inline"
    app.config["SEARCH_BACKEND"] = "whoosh"  # about the index directory's swap


@pytest.fixture
def cast():
    cast = Cast()
    cheap_passwords(cast.member)
    return cast


def test_searching_never_creates_an_index(app, cast):
    path = app.config["SEARCH_INDEX_DIR"]
    reset_index_for_tests(path)  # the cast's collective was indexed; start without an index
    assert not os.path.exists(path)
    results = search.search("zonnepanelen", cast.member)
    assert results.total == 0 and not results.unavailable
    assert not os.path.exists(path)  # nothing was made on the search path


def test_a_search_and_a_writer_between_the_renames_of_a_swap_change_nothing(app, cast, monkeypatch):
    group = make_group("Energie", slug="energie")
    start_thread(group, cast.member, title="Zonnepanelen op het dorpshuis")
    assert search.search("zonnepanelen", cast.member).total == 1  # this thread has a searcher
    seen = []
    real_rename = os.rename

    def rename_and_interfere(source, target):
        real_rename(source, target)
        if target != index_dir() and source == index_dir():
            # The old index has moved away and the new one is not in place yet: a search keeps
            # reading the old files, and nothing may put an index at the live path.
            seen.append(search.search("zonnepanelen", cast.member).total)
            # A new thread: its index job is applied inline after the commit, which must wait
            # for the rebuild's lock (and leave the job queued) instead of making an index here.
            start_thread(group, cast.member, title="Nieuw tijdens de wissel")
            seen.append(os.path.exists(index_dir()))

    monkeypatch.setattr(maintenance.os, "rename", rename_and_interfere)
    assert search.rebuild() == 2  # the thread and the cast's collective
    monkeypatch.undo()
    assert seen == [1, False]
    assert search.search("zonnepanelen", cast.member).total == 1
    # The job queued during the swap was applied to the new index right after it.
    assert search.search("wissel", cast.member).total == 1
