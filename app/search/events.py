"""The queue's input: SQLAlchemy session events (registered by `register_search(app)`) that turn
every flush touching an indexed model into `SearchJob` rows in the same transaction, and after
the commit have them applied right away when `apply_mode(app)` says "inline" (otherwise the
background worker, or the next search in the test suite, applies them)."""
from __future__ import annotations

import logging

from sqlalchemy import event, inspect as sa_inspect

from app.models.search import SearchJob
from app.search.jobs import apply_pending
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# -- the queue: session events ---------------------------------------------------------------------

# model name -> (job doc type, columns whose change matters, scope doc type on a structural change,
#                columns whose change also re-indexes the scope)
_WATCHED = {
    "Thread": ("thread", {"title", "group_id", "deleted_at", "created_at"}, "thread_posts",
               {"title", "group_id", "deleted_at"}),
    "ForumGroup": (None, set(), "group", {"name", "slug"}),
    "LabQuestion": ("labquestion", {"title", "body_source", "body_html", "context_source",
                                    "context_html", "hidden_at", "lab_id"},
                    "question_replies", {"title", "hidden_at", "lab_id"}),
    "LabReply": ("labreply", {"body_source", "body_html", "hidden_at", "deleted_at", "question_id"},
                 None, set()),
    "Lab": (None, set(), "lab", {"name", "slug"}),
    "KnowledgeItem": ("knowledge", {"title", "summary", "body_source", "body_html", "status",
                                    "kind", "slug", "published_at", "created_at"}, None, set()),
    "Collective": ("collective", {"name", "slug", "description", "municipality", "province",
                                  "sector", "country"}, None, set()),
}
_POST_COLUMNS = {"body_source", "body_html", "deleted_at", "hidden_at", "thread_id", "number"}


def _changed(obj, columns):
    state = sa_inspect(obj)
    for name in columns:
        attr = state.attrs.get(name) if name in state.attrs else None
        if attr is not None and attr.history.has_changes():
            return True
    return False


def jobs_for_flush(session):
    """(doc_type, doc_id) pairs for what this flush changed."""
    jobs = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        name = type(obj).__name__
        is_new, is_deleted = obj in session.new, obj in session.deleted
        if name == "Post":
            if not (is_new or is_deleted or _changed(obj, _POST_COLUMNS)):
                continue
            if obj.number == 1:
                jobs.append(("thread", obj.thread_id))
            else:
                jobs.append(("post", obj.id))
            continue
        spec = _WATCHED.get(name)
        if spec is None:
            continue
        doc_type, columns, scope_type, scope_columns = spec
        if doc_type and (is_new or is_deleted or _changed(obj, columns)):
            jobs.append((doc_type, obj.id))
        if scope_type and not is_new and (is_deleted or _changed(obj, scope_columns)):
            jobs.append((scope_type, obj.id))
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
    seen = session.info.setdefault("search_jobs_seen", set())
    fresh = [job for job in dict.fromkeys(jobs) if job not in seen]
    if not fresh:
        return
    now = utcnow()
    session.connection().execute(
        SearchJob.__table__.insert(),
        [{"doc_type": t, "doc_id": i, "created_at": now, "attempts": 0} for t, i in fresh],
    )
    seen.update(fresh)
    session.info["search_jobs_queued"] = True


def _search_enabled_for(session):
    from flask import current_app, has_app_context

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


APPLY_INLINE, APPLY_WORKER, APPLY_BEFORE_SEARCH = "inline", "worker", "before-search"


def apply_mode(app):
    """Who applies the jobs a commit queued (SEARCH_APPLY): "inline" — the committing request or
    command, right after its commit, waiting only briefly for the index lock (what it cannot
    apply is left for the worker); "worker" — only the background worker; "before-search" — just
    before the next search (the test suite's choice: tests that never search do no index work)."""
    return app.config.get("SEARCH_APPLY", APPLY_INLINE)


def _after_commit_apply():
    from flask import current_app, has_app_context, has_request_context

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


def register_search(app, rights=None):
    """Queue index jobs on every change of an indexed model (called from create_app). `rights(user)`
    gives (audiences, may read members-only text) of a searcher; create_app passes the permission
    rules' own (app.permissions.search_rights)."""
    global _registered_events
    app.extensions["search"] = {"rights": rights}
    if not _registered_events:
        from flask_sqlalchemy.session import Session as FlaskSession

        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _registered_events = True
