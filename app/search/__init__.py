"""Full-text search: one index over discussions, lab questions, the knowledge base and collectives.

This is the only package that knows Whoosh and PostgreSQL's full-text search; the app calls
`search()`, `apply_pending()`, `rebuild()`, `check()` and `status()`, and SEARCH_BACKEND (backend.py)
says which backend answers: "whoosh" (the index directory described below) or "postgresql"
(postgres.py: documents written in the change's own transaction; its docstring tells how).

How the index follows the database
- Features describe what they index (Source, Scope and Watch in documents.py; create_app passes
  them to `register_search(app, documents=...)`). SQLAlchemy session events notice new, changed
  and deleted rows of the watched models at flush time and write `SearchJob` rows in the same
  transaction, so an index job exists exactly when the change was committed.
- After the commit the jobs are applied by the request itself (SEARCH_APPLY=inline, with a short
  wait for the lock) or by the background worker (SEARCH_APPLY=worker, production's default); the
  worker also applies whatever an inline request left. No web process starts a thread for it.
- Applying takes the index's write lock (one writer at a time, across processes) before it opens
  the index, holds it until the applied jobs are deleted, and meanwhile reads each
  job's row as it is *now* (so jobs are idempotent and order does not matter), updates or removes
  the documents, commits the index and only then deletes those job rows by id. A job that fails is
  kept with a back-off; an index that is busy, missing or broken delays updates, never a request.

Who sees what
Every document carries an `audience`: "public" (knowledge items, collective pages), "forum"
(threads, posts) or "labs" (lab questions and replies). A searcher's rights
(`can_read_forum`, `can_view_lab_questions`) give the audiences they may see; the filter is applied
inside the query, so totals, counts per kind and pages are all permission-filtered. Knowledge
bodies are members-only text in a separate field (`members_text`) that only people with
`can_read_knowledge` search and see snippets of.

One hit per thread
`search(..., collapse=True)` (the search page) shows the documents a feature registered as
belonging together (a `Collapse`: a thread and its replies) as one hit: the best-ranked match (the
newest, sorted by date), with the number of matching documents it stands for; counts, totals and
pages count hits. `within="thread:<id>"` searches only that thread's documents, each a hit. Both
backends group after the audience filter, so only documents the searcher may read are counted.

How the package is laid out (the modules import each other directly, never this `__init__`)
- backend.py      which backend runs (SEARCH_BACKEND, defaulting from DATABASE_URL)
- postgres.py     the PostgreSQL backend: its table, writing, searching, rebuild and the queue
- snippets.py     highlighted snippets and hit links, for both backends
- schema.py       public constants, the Whoosh schema, SearchHit / SearchResults / CheckReport
- analysis.py     the Dutch analyser: fold, dutch_stem, DutchStemFilter, ANALYZER
- index.py        the index on disk: open_index, per-thread searchers, writing() under the lock
- documents.py    the registry the features describe their documents in (Source, Scope, Watch),
                  and loading the documents of many jobs at once
- events.py       session events that queue index jobs; apply_mode, register_search
- jobs.py         applying the queue: apply_pending, paused, queue, pending_jobs
- maintenance.py  apply_pending, rebuild, check, status for either backend
- query.py        cleaning, tidying and parsing what people type
- evaluation.py   evaluating a parsed query with set algebra and BM25; the segment cache
- searching.py    search(): rights, ranking, hits and snippets

What is public
This `__init__` exports only what the app uses (`__all__`): `search()`, the vocabulary of its
arguments (SEARCH_KINDS, SORTS, MAX_QUERY_LENGTH, clean_query) and its SearchResults / SearchHit;
`apply_pending()` for the worker; `rebuild()`, `check()` (a CheckReport) and `status()` (a plain
dict: dir, documents, pending_jobs, failing_jobs and perhaps error) for the `search` commands;
and `register_search(app)` for create_app. Everything else is internal: whoever needs it (the
CLI, the tests) imports it from the module that defines it, e.g.
`from app.search.jobs import pending_jobs`. Patch a function where it is looked up: the views
call `app.search.search`, but inside the package the modules call each other directly.
"""
# Not public, but it must stay importable here: the Whoosh schema pickled into indexes written
# before the package split names its stemming filter `app.search.DutchStemFilter`.
from app.search.analysis import DutchStemFilter  # noqa: F401
from app.search.events import register_search
from app.search.maintenance import apply_pending, check, rebuild, status
from app.search.query import clean_query
from app.search.schema import (MAX_QUERY_LENGTH, SEARCH_KINDS, SORTS, CheckReport, SearchHit,
                               SearchResults)
from app.search.searching import search

__all__ = [
    "search",
    "SearchResults",
    "SearchHit",
    "SEARCH_KINDS",
    "SORTS",
    "MAX_QUERY_LENGTH",
    "clean_query",
    "apply_pending",
    "rebuild",
    "check",
    "CheckReport",
    "status",
    "register_search",
]
