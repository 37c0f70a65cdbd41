"""Is the background worker alive? The numbers `flask worker --status` prints and /healthz shows.

Reads what the worker leaves behind (the `worker_jobs` schedule, the outbox and the search queue)
and nothing else, so the web layer can ask without knowing the worker (nothing imports that).
The headline figure is the age of the oldest due work: how long ago the most overdue job should
have run, or the oldest e-mail or index job has been waiting to be picked up. A living worker keeps
it at seconds; when it grows past WORKER_LATE_SECONDS the worker is "late".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from app.extensions import db
from app.models.outbox import STATUS_PENDING, OutboxMessage
from app.models.search import SearchJob
from app.models.worker import WorkerJob
from app.timeutil import utcnow

STATUS_OK, STATUS_LATE, STATUS_NEVER = "ok", "late", "never-ran"


@dataclass
class JobHealth:
    name: str
    last_started_at: object
    last_finished_at: object
    last_duration_ms: int | None
    last_result: str | None
    last_error: str | None
    failures: int
    runs: int
    next_run_at: object
    running: bool
    due_seconds: int  # how long it has been due (0 when not due, or running)


@dataclass
class WorkerHealth:
    status: str
    oldest_due_seconds: int
    late_after_seconds: int
    last_seen_seconds: int | None  # since any job of any worker last finished
    outbox_oldest_due_seconds: int
    search_oldest_due_seconds: int
    jobs: list = field(default_factory=list)

    def as_dict(self):
        return {
            "status": self.status,
            "oldest_due_seconds": self.oldest_due_seconds,
            "late_after_seconds": self.late_after_seconds,
            "last_seen_seconds": self.last_seen_seconds,
            "outbox_oldest_due_seconds": self.outbox_oldest_due_seconds,
            "search_oldest_due_seconds": self.search_oldest_due_seconds,
            "jobs": {
                job.name: {
                    "due_seconds": job.due_seconds,
                    "running": job.running,
                    "last_duration_ms": job.last_duration_ms,
                    "failures": job.failures,
                }
                for job in self.jobs
            },
        }


def _seconds(delta):
    return max(0, int(delta.total_seconds()))


def worker_health(now=None):
    """The worker's health as the database shows it (reads only)."""
    now = now or utcnow()
    late_after = int(current_app.config.get("WORKER_LATE_SECONDS", 300))
    rows = db.session.execute(db.select(WorkerJob).order_by(WorkerJob.name)).scalars().all()
    jobs = []
    for row in rows:
        running = row.running_until is not None and row.running_until > now
        due = row.next_run_at is None or row.next_run_at <= now
        due_since = row.next_run_at or row.last_finished_at or now
        jobs.append(JobHealth(
            name=row.name, last_started_at=row.last_started_at,
            last_finished_at=row.last_finished_at, last_duration_ms=row.last_duration_ms,
            last_result=row.last_result, last_error=row.last_error, failures=row.failures or 0,
            runs=row.runs or 0, next_run_at=row.next_run_at, running=running,
            due_seconds=_seconds(now - due_since) if due and not running else 0,
        ))
    oldest_mail = db.session.execute(
        db.select(db.func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == STATUS_PENDING, OutboxMessage.next_attempt_at <= now)
    ).scalar()
    oldest_search = db.session.execute(
        db.select(db.func.min(db.func.coalesce(SearchJob.next_attempt_at, SearchJob.created_at)))
        .where(db.or_(SearchJob.next_attempt_at.is_(None), SearchJob.next_attempt_at <= now))
    ).scalar()
    outbox_due = _seconds(now - oldest_mail) if oldest_mail else 0
    search_due = _seconds(now - oldest_search) if oldest_search else 0
    finished = [job.last_finished_at for job in jobs if job.last_finished_at]
    oldest_due = max([job.due_seconds for job in jobs] + [outbox_due, search_due])
    if not finished:
        status = STATUS_NEVER
    elif oldest_due > late_after:
        status = STATUS_LATE
    else:
        status = STATUS_OK
    return WorkerHealth(
        status=status, oldest_due_seconds=oldest_due, late_after_seconds=late_after,
        last_seen_seconds=_seconds(now - max(finished)) if finished else None,
        outbox_oldest_due_seconds=outbox_due, search_oldest_due_seconds=search_due, jobs=jobs,
    )
