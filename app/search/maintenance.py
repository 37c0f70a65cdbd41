"""What the worker and the CLI call, for either backend (SEARCH_BACKEND): `apply_pending()`
applies queued index jobs; `rebuild()` writes every document again (Whoosh: into a fresh directory
swapped in while holding the old index's write lock; PostgreSQL: app.search.postgres.rebuild);
`check()` compares the documents with the database and repairs what differs; `status()` gives
the numbers for `flask search status`."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time

from sqlalchemy.orm import Session as OrmSession
from whoosh import index as whoosh_index

from app.extensions import db
from app.models.search import SearchJob
from app.search import jobs, postgres
from app.search.backend import backend_name, uses_postgresql
from app.search.documents import all_documents
from app.search.evaluation import _SEGMENT_CACHE
from app.search.index import (IndexBusy, IndexMissing, IndexUnavailable, _forget_searchers,
                              _used_dirs, _write_lock, index_dir, open_index)
from app.search.jobs import _request_context, pending_jobs
from app.search.schema import SCHEMA, CheckReport
from app.timeutil import utcnow

# -- applying, rebuild and check ------------------------------------------------------------------

def apply_pending(limit=None, lock_timeout=2.0, include_waiting=False):
    """Apply queued index jobs (see app.search.jobs and app.search.postgres); returns how many."""
    if uses_postgresql():
        return postgres.apply_pending(limit=limit, include_waiting=include_waiting)
    return jobs.apply_pending(limit=limit, lock_timeout=lock_timeout,
                              include_waiting=include_waiting)


def rebuild(progress=None):
    """Write every document again from the database; returns the number of documents."""
    if uses_postgresql():
        return postgres.rebuild(progress)
    return _rebuild_whoosh(progress)


def _rebuild_whoosh(progress=None):
    """Build the whole index from the database in a fresh directory next to the index and swap it
    in; returns the number of documents. `progress(n)` is called as documents are added.

    The current index's write lock is held from before the database is read until the new index
    is in place, so no job can be applied (and deleted) to the old index meanwhile: jobs queued
    during the rebuild stay in the table and are applied to the new index right after the swap."""
    path = index_dir()
    parent = os.path.dirname(path) or "."
    os.makedirs(parent, exist_ok=True)
    guard = contextlib.ExitStack()
    try:
        # Held until the new index is in place: no writer can make an index at the live path
        # between the two renames of the swap (the lock file is beside the directory).
        guard.enter_context(_write_lock(path, timeout=60.0, inner=os.path.isdir(path)))
    except IndexBusy:
        raise RuntimeError("the index stayed busy for a minute; try again") from None
    fresh = tempfile.mkdtemp(prefix=".search-rebuild-", dir=parent)
    count = 0
    try:
        ix = whoosh_index.create_in(fresh, SCHEMA)
        writer = ix.writer(limitmb=128)
        try:
            with OrmSession(db.engine) as session, _request_context():
                for doc in all_documents(session):
                    writer.add_document(**doc)
                    count += 1
                    if progress and count % 100 == 0:
                        progress(100)
            writer.commit(optimize=True)
            if progress and count % 100:
                progress(count % 100)
        except BaseException:
            writer.cancel()
            raise
        _swap_in(fresh, path)
        fresh = None
        _used_dirs.add(path)
    finally:
        guard.close()
        if fresh:
            shutil.rmtree(fresh, ignore_errors=True)
    apply_pending(include_waiting=True, lock_timeout=30.0)  # what changed while we were reading
    return count


def _swap_in(fresh, path):
    """Replace the index directory by `fresh` (two renames). Readers that have the old files open
    keep reading them until they notice the new generation."""
    old = None
    if os.path.exists(path):
        for name in os.listdir(path):  # keep files that are not the index's, e.g. .gitkeep
            if name.startswith(".") and os.path.isfile(os.path.join(path, name)):
                shutil.copy2(os.path.join(path, name), os.path.join(fresh, name))
        old = path + f".old-{os.getpid()}-{int(time.time() * 1000)}"
        os.rename(path, old)
    os.rename(fresh, path)
    _forget_searchers(path)
    _SEGMENT_CACHE.clear()
    if old:
        shutil.rmtree(old, ignore_errors=True)


def indexed_versions():
    """{doc id: version} of everything in the index."""
    if uses_postgresql():
        return postgres.indexed_versions()
    searcher = open_index().searcher()
    try:
        return {fields["id"]: fields.get("version") for fields in searcher.all_stored_fields()}
    finally:
        searcher.close()


def check(repair=True):
    """Compare the index with the database; with repair, queue and apply what differs."""
    report = CheckReport()
    try:
        have = indexed_versions()
    except IndexUnavailable as exc:
        report.error = str(exc)
        have = {}
    report.indexed = len(have)
    with OrmSession(db.engine) as session, _request_context():
        want = {doc["id"]: doc["version"] for doc in all_documents(session)}
    report.expected = len(want)
    report.missing = sorted(set(want) - set(have))
    report.extra = sorted(set(have) - set(want))
    report.stale = sorted(key for key in set(want) & set(have) if want[key] != have[key])
    if not repair or report.ok and not report.error:
        report.repaired = report.ok and not report.error
        return report
    if report.error:
        try:
            rebuild()
            report.repaired = True
        except Exception as exc:
            report.error = f"{report.error}; rebuild failed: {exc}"
        return report
    with OrmSession(db.engine) as session:
        now = utcnow()
        rows = [{"doc_type": key.split(":", 1)[0], "doc_id": int(key.split(":", 1)[1]),
                 "created_at": now, "attempts": 0}
                for key in report.missing + report.stale + report.extra]
        session.execute(SearchJob.__table__.insert(), rows)
        session.commit()
    apply_pending(include_waiting=True, lock_timeout=30.0)
    try:
        after = indexed_versions()
        with OrmSession(db.engine) as session, _request_context():
            want = {doc["id"]: doc["version"] for doc in all_documents(session)}
        report.repaired = after == want
    except Exception as exc:
        report.error = str(exc)
        report.repaired = False
    return report


def status():
    """Numbers for `search status`."""
    postgresql = uses_postgresql()
    info = {"backend": backend_name(),
            "dir": "table search_documents" if postgresql else index_dir(),
            "pending_jobs": pending_jobs(), "documents": None, "failing_jobs": 0}
    with OrmSession(db.engine) as session:
        info["failing_jobs"] = session.execute(
            db.select(db.func.count()).select_from(SearchJob).where(SearchJob.attempts > 0)
        ).scalar_one()
    if postgresql:
        try:
            info["documents"] = postgres.document_count()
        except Exception as exc:
            info["error"] = str(exc)
        return info
    try:
        searcher = open_index(create=False).searcher()
        try:
            info["documents"] = searcher.doc_count()
        finally:
            searcher.close()
    except IndexMissing:
        info["documents"] = 0
    except IndexUnavailable as exc:
        info["error"] = str(exc)
    return info
