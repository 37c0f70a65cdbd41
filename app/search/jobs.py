"""Applying the queue: `apply_pending()` applies due jobs in batches under the index's write lock
(reading each row as it is now, so jobs are idempotent), deletes them once the index holds them
and gives failing jobs a back-off; plus `paused()` for bulk loads, `queue()` to add a job by hand
and `pending_jobs()`. Who calls `apply_pending()`: the request that committed (SEARCH_APPLY
"inline") and the background worker; no thread of a web process ever does."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy.orm import Session as OrmSession

from app.extensions import db
from app.models.search import SearchJob
from app.search.documents import _load_singles, _scope, is_scope
from app.search.index import IndexBusy, IndexUnavailable, _is_vanished_file, writing
from app.timeutil import utcnow

log = logging.getLogger(__name__)


def _due_count(include_waiting=False):
    with OrmSession(db.engine) as session:
        query = db.select(db.func.count()).select_from(SearchJob)
        if not include_waiting:
            now = utcnow()
            query = query.where(
                db.or_(SearchJob.next_attempt_at.is_(None), SearchJob.next_attempt_at <= now))
        return session.execute(query).scalar_one()


# -- applying jobs ---------------------------------------------------------------------------------

BATCH_SIZE = 500


def retry_delay(attempts):
    """Back-off for a failed job: 10 s, 20 s, 40 s … at most an hour."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


def apply_pending(limit=None, lock_timeout=2.0, include_waiting=False):
    """Apply queued index jobs, one writer at a time; returns how many jobs were applied.

    Never raises for index trouble: a busy index leaves the jobs for the next round, a broken one
    gives them a back-off and an error message. `include_waiting` also takes jobs whose back-off
    has not ended (the CLI and tests use it after a repair)."""
    applied = 0
    try:
        if not _due_count(include_waiting):
            return 0  # the common case: nothing to do, and the index is not touched
    except Exception:
        log.exception("Search: could not read the job queue")
        return 0
    while limit is None or applied < limit:
        batch_limit = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - applied)
        done = _apply_batch(batch_limit, lock_timeout, include_waiting)
        if done <= 0:
            break
        applied += done
    return applied


def _apply_batch(batch_limit, lock_timeout, include_waiting):
    """Apply one batch while holding the index's write lock from before the index is opened until
    the applied jobs are deleted: another writer (a thread, a web process, a worker on this
    machine) never reads jobs this one is applying, so every job is applied once."""
    try:
        with writing(lock_timeout) as writer:
            return _apply_batch_locked(writer, batch_limit, include_waiting)
    except IndexBusy:
        return 0
    except IndexUnavailable as exc:
        if _is_vanished_file(exc.__cause__):
            # A transient file race, not the jobs' fault: they stay due, untouched.
            log.warning("Search index briefly unavailable, jobs stay queued: %s", exc)
            return 0
        log.error("Search index unavailable, jobs stay queued: %s", exc)
        _record_failure_for_due(str(exc), batch_limit, include_waiting)
        return 0


def _apply_batch_locked(writer, batch_limit, include_waiting):
    committed = False
    jobs = []
    with OrmSession(db.engine) as session:
        try:
            jobs = [(job.id, job.doc_type, job.doc_id)
                    for job in _due_jobs(session, batch_limit, include_waiting)]
            if not jobs:
                return 0
            scope_terms, deletes, adds, failures = plan_jobs(session, jobs)
            session.rollback()  # reading done: no transaction held while the index is written
            for term in scope_terms:
                writer.delete_by_term("scopes", term)
            for doc_key in deletes | set(adds):
                writer.delete_by_term("id", doc_key)
            for doc in adds.values():
                writer.add_document(**doc)
            writer.commit()
            committed = True
        except Exception as exc:
            if not committed:
                log.exception("Search: index batch failed; jobs stay queued")
                session.rollback()
                _mark_failed(session, [job[0] for job in jobs], f"{type(exc).__name__}: {exc}")
                return 0
            raise
        done_ids = [job[0] for job in jobs if job[0] not in failures]
        _delete_jobs(session, done_ids)
        if failures:
            for job_id, message in failures.items():
                _mark_failed(session, [job_id], message)
        return len(done_ids)


def plan_jobs(session, jobs):
    """What applying `jobs` ((job id, doc type, doc id) rows) does to the index: (scope terms to
    clear, document ids to remove, {document id: document} to add, {job id: error} for jobs whose
    rows could not be read). Each row is read as it is now, so applying a job twice is harmless."""
    failures = {}
    deletes, adds = set(), {}
    scope_terms = set()
    with _request_context():
        singles = {}
        for (doc_type, doc_id), job_ids in _group_jobs(jobs).items():
            if is_scope(doc_type):
                try:
                    term, docs = _scope(doc_type, doc_id, session)
                    scope_terms.add(term)
                    for doc in docs:
                        adds[doc["id"]] = doc
                except Exception as exc:
                    log.exception("Search: could not index %s %s", doc_type, doc_id)
                    for job_id in job_ids:
                        failures[job_id] = f"{type(exc).__name__}: {exc}"
            else:
                singles.setdefault(doc_type, {})[doc_id] = job_ids
        for doc_type, by_id in singles.items():
            found, failed = _load_singles(doc_type, list(by_id), session)
            for doc_id, job_ids in by_id.items():
                doc_key = f"{doc_type}:{doc_id}"
                if doc_id in failed:
                    for job_id in job_ids:
                        failures[job_id] = failed[doc_id]
                    continue
                deletes.add(doc_key)
                if doc_key in found:
                    adds[doc_key] = found[doc_key]
                else:
                    adds.pop(doc_key, None)
    return scope_terms, deletes, adds, failures


class _request_context:
    """A request context for url_for while documents are built (none exists in a thread)."""

    def __enter__(self):
        self._ctx = None
        if not has_request_context():
            self._ctx = current_app.test_request_context("/")
            self._ctx.push()
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.pop()
        return False


def _due_jobs(session, limit, include_waiting=False):
    query = db.select(SearchJob).order_by(SearchJob.id).limit(limit)
    if not include_waiting:
        now = utcnow()
        query = query.where(db.or_(SearchJob.next_attempt_at.is_(None), SearchJob.next_attempt_at <= now))
    return session.execute(query).scalars().all()


def _group_jobs(jobs):
    grouped = {}
    for job_id, doc_type, doc_id in jobs:
        grouped.setdefault((doc_type, doc_id), []).append(job_id)
    return grouped


def _delete_jobs(session, job_ids):
    try:
        for start in range(0, len(job_ids), 500):
            session.execute(db.delete(SearchJob).where(SearchJob.id.in_(job_ids[start:start + 500])))
        session.commit()
    except Exception:  # applied again later, which is harmless
        log.exception("Search: could not remove applied jobs")
        session.rollback()


def _mark_failed(session, job_ids, message):
    if not job_ids:
        return
    try:
        now = utcnow()
        for job in session.execute(db.select(SearchJob).where(SearchJob.id.in_(job_ids))).scalars():
            job.attempts = (job.attempts or 0) + 1
            job.next_attempt_at = now + retry_delay(job.attempts)
            job.last_error = message[:500]
        session.commit()
    except Exception:
        log.exception("Search: could not record a failed job")
        session.rollback()


def _record_failure_for_due(message, limit, include_waiting):
    try:
        with OrmSession(db.engine) as session:
            jobs = _due_jobs(session, limit, include_waiting)
            _mark_failed(session, [job.id for job in jobs], message)
    except Exception:
        log.exception("Search: could not record index trouble on the jobs")


class paused:
    """`with search.paused():` — changes in this block queue no index jobs (bulk loads such as
    the benchmark's 100,000 posts; run `rebuild()` afterwards)."""

    def __init__(self, session=None):
        self.session = session

    def __enter__(self):
        session = self.session or db.session()
        self._session = session
        self._before = session.info.get("search_enabled")
        session.info["search_enabled"] = False
        return self

    def __exit__(self, *exc):
        if self._before is None:
            self._session.info.pop("search_enabled", None)
        else:
            self._session.info["search_enabled"] = self._before
        return False


def queue(doc_type, doc_id, session=None):
    """Queue one job by hand (the session events do this for every normal change)."""
    session = session or db.session
    session.add(SearchJob(doc_type=doc_type, doc_id=doc_id))


def pending_jobs():
    with OrmSession(db.engine) as session:
        return session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar_one()
