"""The queue's input: SQLAlchemy session events (registered by `register_search(app)`) that turn
every flush touching an indexed model into `SearchJob` rows in the same transaction, and after
the commit have them applied right away when `apply_mode(app)` says "inline" (otherwise the
background worker, or the next search in the test suite, applies them)."""
from __future__ import annotations

import logging

from flask import current_app, has_app_context, has_request_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from app.models.search import SearchJob
from app.search import postgres
from app.search.backend import configured_backend, uses_postgresql
from app.search.documents import Registry, jobs_for_row
from app.search.jobs import apply_pending
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# -- the queue: session events ---------------------------------------------------------------------

def jobs_for_flush(session):
    """(doc_type, doc_id) pairs for what this flush changed, as the features' watches say."""
    jobs = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        jobs.extend(jobs_for_row(obj, obj in session.new, obj in session.deleted))
    return [(t, i) for t, i in jobs if i is not None]


def _after_flush(session, flush_context):
    if not session.info.get("search_enabled", _search_enabled_for(session)):
        return
    try:
        jobs = jobs_for_flush(session)
    except Exception:  # never let indexing bookkeeping break a save
        log.exception("Search: could not work out the index jobs of a flush")
        return
    if not jobs:
        return
    if uses_postgresql():
        # Written just before the commit, in the same transaction (_before_commit).
        session.info.setdefault("search_documents_due", set()).update(jobs)
        return
    seen = session.info.setdefault("search_jobs_seen", set())
    fresh = [job for job in dict.fromkeys(jobs) if job not in seen]
    if not fresh:
        return
    _queue_jobs(session, fresh)
    seen.update(fresh)


def _queue_jobs(session, jobs):
    now = utcnow()
    session.connection().execute(
        SearchJob.__table__.insert(),
        [{"doc_type": t, "doc_id": i, "created_at": now, "attempts": 0} for t, i in jobs],
    )
    session.info["search_jobs_queued"] = True


def _before_commit(session):
    """PostgreSQL backend: write the documents of this transaction's changes in it, so they are
    committed together; what cannot be written is queued for the worker instead."""
    if "search_documents_due" not in session.info and not session.dirty and not session.new \
            and not session.deleted:
        return
    if session.in_nested_transaction() or not _search_enabled_for(session) \
            or not uses_postgresql():
        return
    session.flush()  # the last changes, so their jobs are known (the commit would flush anyway)
    due = session.info.pop("search_documents_due", None)
    if due:
        failed = postgres.write_in_transaction(session, sorted(due))
        if failed:
            _queue_jobs(session, failed)


def _search_enabled_for(session):
    return has_app_context() and current_app.extensions.get("search") is not None


def _after_commit(session):
    if session.in_nested_transaction():  # a savepoint was released; the real commit comes later
        return
    queued = session.info.pop("search_jobs_queued", False)
    session.info.pop("search_jobs_seen", None)
    if queued:
        _after_commit_apply()


def _after_soft_rollback(session, previous_transaction):
    # Jobs written in a rolled-back savepoint are gone: forget them so they are written again.
    session.info.pop("search_jobs_seen", None)
    if not session.in_transaction():
        session.info.pop("search_jobs_queued", None)
        # Documents still due belonged to changes that are gone. (After a savepoint's rollback
        # they stay due: writing a document again from the rows as they are is harmless.)
        session.info.pop("search_documents_due", None)


APPLY_INLINE, APPLY_WORKER, APPLY_BEFORE_SEARCH = "inline", "worker", "before-search"


def apply_mode(app):
    """Who applies the jobs a commit queued (SEARCH_APPLY): "inline" — the committing request or
    command, right after its commit, waiting only briefly for the index lock (what it cannot
    apply is left for the worker); "worker" — only the background worker; "before-search" — just
    before the next search (the test suite's choice: tests that never search do no index work)."""
    return app.config.get("SEARCH_APPLY", APPLY_INLINE)


def _after_commit_apply():
    if not has_app_context():
        return
    app = current_app._get_current_object()
    if apply_mode(app) != APPLY_INLINE:
        return
    try:
        if has_request_context():
            # A person is waiting: a short wait for the lock and a bounded batch.
            apply_pending(limit=app.config.get("SEARCH_INLINE_LIMIT", 100),
                          lock_timeout=app.config.get("SEARCH_INLINE_LOCK_TIMEOUT", 0.5))
        else:  # a command or script
            apply_pending(lock_timeout=app.config.get("SEARCH_LOCK_TIMEOUT", 5.0))
    except Exception:  # a change is committed; indexing it must never fail the request
        log.exception("Search: applying index jobs after a commit failed; they stay queued")


_registered_events = False


def register_search(app, rights=None, documents=()):
    """Queue index jobs on every change of an indexed model (called from create_app).

    `documents`: the features' descriptions of what they index (Source, Scope and Watch items of
    app.search.documents, e.g. app.forum.search.SEARCH_DOCUMENTS). `rights(user)` gives
    (audiences, may read members-only text) of a searcher; create_app passes the permission
    rules' own (app.permissions.search_rights)."""
    global _registered_events
    configured_backend(app.config)  # a backend that cannot work stops the app at start
    app.extensions["search"] = {"rights": rights, "documents": Registry.of(documents)}
    if not _registered_events:
        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "before_commit", _before_commit)
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _registered_events = True
