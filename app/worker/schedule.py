"""The shared schedule in `worker_jobs`: which job is due, who runs it, what its last run did.

A job that must run once at a time across all workers ("exclusive") is taken with a conditional
UPDATE that succeeds for one worker only: the row must be due and its lease free. A job every
worker may run side by side (the outbox and the search queue: their rows are claimed one by one)
is only recorded here, so `--status` and /healthz can see it run.
"""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db, insert_for
from app.models.worker import WorkerJob
from app.timeutil import utcnow

LEASE = timedelta(minutes=15)  # an exclusive run that outlives this is presumed dead


def ensure_rows(names, prune=True):
    """A row for every job in `names` (several workers may start at once); with `prune`, none
    for any other name."""
    statement = insert_for(WorkerJob).values([
        {"name": name, "failures": 0, "runs": 0} for name in names
    ]).on_conflict_do_nothing(index_elements=["name"])
    db.session.execute(statement)
    if prune:
        db.session.execute(db.delete(WorkerJob).where(WorkerJob.name.not_in(list(names))))
    db.session.commit()


def claim(job, force=False):
    """May this worker run `job` now? Takes the lease of an exclusive job (commits); a job every
    worker may run needs no claim and writes nothing here."""
    if not job.exclusive:
        return True
    now = utcnow()
    conditions = [WorkerJob.name == job.name,
                  db.or_(WorkerJob.running_until.is_(None), WorkerJob.running_until < now)]
    if not force:
        conditions.append(db.or_(WorkerJob.next_run_at.is_(None), WorkerJob.next_run_at <= now))
    taken = db.session.execute(
        db.update(WorkerJob).where(*conditions)
        .values(running_until=now + LEASE, last_started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def record(job, started_at, ok, duration_ms, result=None, error=None, retry_in=None):
    """Write what a run (begun at `started_at`) did and when the job is next due; commits."""
    now = utcnow()
    values = {
        "last_started_at": started_at,
        "last_finished_at": now,
        "last_duration_ms": int(duration_ms),
        "last_result": (result or "")[:200] or None,
        "runs": WorkerJob.runs + 1,
        "next_run_at": now + timedelta(seconds=job.interval if ok else (retry_in or job.interval)),
    }
    if job.exclusive:
        values["running_until"] = None
    if ok:
        values.update(last_ok_at=now, last_error=None, failures=0)
    else:
        values.update(last_error=(error or "")[:1000], failures=WorkerJob.failures + 1)
    db.session.execute(
        db.update(WorkerJob).where(WorkerJob.name == job.name).values(**values)
        .execution_options(synchronize_session=False))
    db.session.commit()


def seconds_until_due(job):
    """How long until `job` is due again by the shared schedule (0 when due)."""
    next_run = db.session.execute(
        db.select(WorkerJob.next_run_at).where(WorkerJob.name == job.name)).scalar()
    db.session.commit()
    if next_run is None:
        return 0.0
    return max(0.0, (next_run - utcnow()).total_seconds())
