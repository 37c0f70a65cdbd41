"""Full-text search: one index over discussions, lab questions, the knowledge base and collectives.

This is the only package that knows Whoosh; the app calls `search()`, `apply_pending()`,
`rebuild()` and `check()`, so a PostgreSQL full-text backend can replace it behind the same names.

How the index follows the database
- SQLAlchemy session events (registered by `register_search(app)`) notice new, changed and deleted
  rows of the indexed models at flush time and write `SearchJob` rows in the same transaction, so
  an index job exists exactly when the change was committed; no view has to remember anything.
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

How the package is laid out (the modules import each other directly, never this `__init__`)
- schema.py       public constants, the Whoosh schema, SearchHit / SearchResults / CheckReport
- analysis.py     the Dutch analyser: fold, dutch_stem, DutchStemFilter, ANALYZER
- index.py        the index on disk: open_index, per-thread searchers, writing() under the lock
- documents.py    documents from the database, for single rows and for scopes
- events.py       session events that queue index jobs; apply_mode, register_search
- jobs.py         applying the queue: apply_pending, paused, queue
- maintenance.py  rebuild, check, status
- query.py        cleaning, tidying and parsing what people type
- evaluation.py   evaluating a parsed query with set algebra and BM25; the segment cache
- searching.py    search(): rights, ranking, hits and snippets
Everything is re-exported here, so `from app.search import X` and `app.search.X` keep working.
Patch a function where it is looked up: the views call `app.search.search`, but inside the
package the modules call each other directly.
"""
from __future__ import annotations

import logging

from app.search import evaluation, events
from app.search.analysis import (  # noqa: F401
    ANALYZER,
    DUTCH_STOPWORDS,
    DutchStemFilter,  # the pickled schema of indexes written before the split names it here
    _dutch_stem,
    analyse,
    dutch_analyzer,
    dutch_stem,
    fold,
)
from app.search.documents import (  # noqa: F401
    _ID_COLUMNS,
    SCOPE_TYPES,
    SINGLE_TYPES,
    _collective_doc,
    _collective_docs,
    _finish,
    _knowledge_doc,
    _knowledge_docs,
    _load_singles,
    _models,
    _post_doc,
    _post_docs,
    _question_doc,
    _question_docs,
    _reply_doc,
    _reply_docs,
    _scope,
    _single,
    _thread_doc,
    _thread_docs,
    _url,
    all_documents,
    count_documents,
)
from app.search.evaluation import (  # noqa: F401
    _SEGMENT_CACHE,
    SEGMENT_CACHE_MAX_ITEMS,
    BoundedCache,
    BM25_B,
    BM25_K1,
    FIELD_WEIGHTS,
    MAX_EXPANSIONS,
    SCORE_LIMIT,
    _allowed_docs,
    _Evaluation,
    _evaluation,
    _raw_postings,
    _segment_cached,
)
from app.search.events import (  # noqa: F401
    _POST_COLUMNS,
    _WATCHED,
    _after_commit,
    _after_commit_apply,
    _after_flush,
    _after_soft_rollback,
    _changed,
    _search_enabled_for,
    jobs_for_flush,
    register_search,
    apply_mode,
)
from app.search.index import (  # noqa: F401
    IndexBusy,
    IndexUnavailable,
    _forget_searchers,
    _local,
    _process_lock,
    _searcher,
    _used_dirs,
    _write_lock,
    writing,
    index_dir,
    open_index,
    reset_index_for_tests,
)
from app.search.jobs import (  # noqa: F401
    BATCH_SIZE,
    _apply_batch,
    _delete_jobs,
    _due_count,
    _due_jobs,
    _group_jobs,
    _mark_failed,
    _record_failure_for_due,
    _request_context,
    apply_pending,
    paused,
    pending_jobs,
    queue,
    retry_delay,
)
from app.search.maintenance import _swap_in, check, indexed_versions, rebuild, status  # noqa: F401
from app.search.query import (  # noqa: F401
    _BINARY_OPERATORS,
    _CONTROL_RE,
    _FIELD_SYNTAX_RE,
    _TOKEN_RE,
    _WORD_RE,
    _acceptable,
    _ends_operand,
    _parser,
    _positive_terms,
    _PrefixNode,
    _PrefixPlugin,
    _starts_operand,
    _without_field_syntax,
    clean_query,
    fold_for_parser,
    parse_query,
    tidy_operators,
)
from app.search.schema import (  # noqa: F401
    AUDIENCE_FORUM,
    AUDIENCE_LABS,
    AUDIENCE_PUBLIC,
    AUDIENCES,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    MEMBER_FIELDS,
    MIN_PREFIX_LENGTH,
    PUBLIC_FIELDS,
    SCHEMA,
    SCHEMA_VERSION,
    SEARCH_KINDS,
    SNIPPET_CHARS,
    SORTS,
    CheckReport,
    SearchHit,
    SearchResults,
    make_schema,
)
from app.search.searching import (  # noqa: F401
    _FORMATTER,
    _FRAGMENTER,
    MarkFormatter,
    _apply_before_search,
    _highlight_terms,
    _hit_url,
    _run_search,
    _snippet,
    rights_of,
    search,
)

# The package's logger; the modules log to its children (app.search.jobs, …), so a level or a
# handler set on "app.search" applies to all of them.
log = logging.getLogger(__name__)

# Module state that its own module rebinds (a counter, a flag) is read there, never copied here.
_REBOUND = {"_registered_events": events}


def __getattr__(name):
    if name in _REBOUND:
        return getattr(_REBOUND[name], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_REBOUND))
