"""The background worker: every periodic job of the platform, in one process of its own.

`flask --app wsgi worker` runs the jobs declared in JOBS, each in a thread of its own with its
own interval, its own app context and transaction, its own error handling and a log line with
its duration, so an exception or a slow run of one job never delays another job's next run.
`--once` runs every due job once and exits (cron, tests); `--only NAME` runs one job. SIGTERM
(and Ctrl-C) lets the running jobs finish their current item and exits within 10 seconds.

Several workers, on one machine or several, may run at once: the outbox and the search queue
claim their rows one by one, and the other jobs ("exclusive") take a lease in the shared
schedule (`worker_jobs`, app.worker.schedule), so none is done twice.

This sits on top of everything: it imports the features whose work it runs, and nothing in the
app imports it (the CLI in app/commands.py registers its command).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from app.accounts.auth import process_account_requests
from app.bookmarks import send_reminders as send_bookmark_reminders
from app.extensions import db
from app.labs.services import send_accept_reminders
from app.mail import deliver_due
from app.notifications import send_notification_emails
from app.retention import apply_retention
from app.search import apply_pending
from app.staff_alerts import send_staff_alerts
from app.timeutil import utcnow
from app.worker import schedule

log = logging.getLogger(__name__)

STOP_SECONDS = 9.0  # after SIGTERM, how long running jobs get to finish before the process exits
MAX_BACKOFF = 300.0  # seconds between tries of a job that keeps failing, at most


@dataclass(frozen=True)
class Job:
    """One periodic job. `run(stop)` does one round and returns a short summary (falsy when there
    was nothing to do); `stop` is a threading.Event to check between items of a long round."""
    name: str
    run: Callable[[threading.Event], object]
    interval: float
    exclusive: bool
    description: str


def _outbox(stop):
    sent, failed = deliver_due(stop=stop)
    return f"{sent} sent, {failed} failed" if sent or failed else None


def _search(stop):
    applied = apply_pending(lock_timeout=current_app.config.get("SEARCH_LOCK_TIMEOUT", 5.0))
    return f"{applied} index jobs applied" if applied else None


def _account_requests(stop):
    done = process_account_requests()
    db.session.commit()
    return f"{done} registrations and reset links" if done else None


def _notifications(stop):
    queued = send_notification_emails()
    return f"{queued} notification e-mails queued" if queued else None


def _staff_alerts(stop):
    done = send_staff_alerts()
    parts = [f"{done['items']} items announced" if done["items"] else "",
             f"{done['summaries']} daily summaries" if done["summaries"] else ""]
    return ", ".join(part for part in parts if part) or None


def _lab_reminders(stop):
    sent = send_accept_reminders()
    return f"{sent} reminders" if sent else None


def _bookmark_reminders(stop):
    sent = send_bookmark_reminders()
    return f"{sent} bookmark reminders" if sent else None


def _retention(stop):
    counts = apply_retention()
    db.session.commit()
    removed = {name: count for name, count in counts.items() if count}
    return ", ".join(f"{name}: {count}" for name, count in removed.items()) or None


# In the order `--once` runs them: what makes e-mail comes before the outbox that delivers it.
JOBS = (
    Job("account-requests", _account_requests, 2, exclusive=True,
        description="registrations and 'forgot password' requests: accounts, links, notices"),
    Job("lab-reminders", _lab_reminders, 600, exclusive=True,
        description="remind askers to accept a helpful answer after a week"),
    Job("bookmark-reminders", _bookmark_reminders, 600, exclusive=True,
        description="remind people of what they bookmarked, from 08:00 Dutch time on the day they chose"),
    Job("staff-alerts", _staff_alerts, 60, exclusive=True,
        description="tell moderators of new queue items and near deadlines; daily summaries at 08:00"),
    Job("notifications", _notifications, 30, exclusive=True,
        description="queue notification e-mails: direct batches and daily digests"),
    Job("outbox", _outbox, 2, exclusive=False,
        description="deliver queued e-mail (rows claimed one by one; at-least-once)"),
    Job("search", _search, 2, exclusive=False,
        description="apply waiting search-index jobs (one writer at a time, index lock)"),
    Job("retention", _retention, 3600, exclusive=True,
        description="remove what the privacy statement says we no longer keep"),
)

JOB_NAMES = tuple(job.name for job in JOBS)

# Outcomes of one attempt.
RAN, FAILED, SKIPPED = "ran", "failed", "skipped"


def backoff(job, failures):
    """Seconds before trying a failing job again: its interval, doubling, at most MAX_BACKOFF."""
    return min(max(job.interval, 1.0) * 2 ** max(failures - 1, 0), max(MAX_BACKOFF, job.interval))


class Worker:
    """Runs `jobs` (default: JOBS) for `app`, in threads (`run`) or once each (`run_once`)."""

    def __init__(self, app, jobs=JOBS, only=None):
        # Rows of jobs no longer declared are removed (they would look late forever); a worker
        # with jobs of its own (tests) leaves the others alone.
        self._prune = jobs is JOBS
        jobs = tuple(jobs)
        self._names = tuple(job.name for job in jobs)
        if only:
            unknown = set(only) - {job.name for job in jobs}
            if unknown:
                raise ValueError(f"unknown job(s): {', '.join(sorted(unknown))}; "
                                 f"known: {', '.join(job.name for job in jobs)}")
            jobs = tuple(job for job in jobs if job.name in only)
        self.app = app
        self.jobs = jobs
        self.stop = threading.Event()
        self._failures = {}
        self._threads = []

    # -- one attempt -------------------------------------------------------------------------------

    def prepare(self):
        with self.app.app_context():
            try:
                schedule.ensure_rows(self._names, prune=self._prune)
            finally:
                db.session.remove()

    def run_job(self, job, force=False):
        """One attempt at `job` in an app context of its own: claim it, run it in its own
        transaction, record the outcome and log it. Never raises; returns RAN, FAILED or SKIPPED."""
        with self.app.app_context():
            try:
                return self._attempt(job, force)
            finally:
                db.session.remove()

    def _attempt(self, job, force):
        try:
            if not schedule.claim(job, force=force):
                return SKIPPED  # not due, or another worker is running it
        except Exception:
            log.exception("job %s: could not be claimed (database?)", job.name)
            db.session.rollback()
            self._failures[job.name] = self._failures.get(job.name, 0) + 1
            return FAILED
        started_at, started = utcnow(), time.monotonic()
        error = result = None
        try:
            result = job.run(self.stop)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s failed after %.0f ms", job.name,
                          (time.monotonic() - started) * 1000)
        duration_ms = (time.monotonic() - started) * 1000
        failures = 0 if error is None else self._failures.get(job.name, 0) + 1
        self._failures[job.name] = failures
        summary = str(result) if result else None
        try:
            schedule.record(job, started_at, ok=error is None, duration_ms=duration_ms,
                            result=summary, error=error,
                            retry_in=backoff(job, failures) if failures else None)
        except Exception:
            log.exception("job %s: could not record its run", job.name)
            db.session.rollback()
        if error is None:
            level = logging.WARNING if duration_ms > job.interval * 1000 else (
                logging.INFO if summary else logging.DEBUG)
            log.log(level, "job %s: %s in %.0f ms", job.name, summary or "nothing to do", duration_ms)
        return RAN if error is None else FAILED

    def next_delay(self, job, outcome):
        """Seconds until this thread tries `job` again."""
        failures = self._failures.get(job.name, 0)
        if outcome == FAILED:
            return backoff(job, failures)
        if job.exclusive:
            try:
                with self.app.app_context():
                    try:
                        wait = schedule.seconds_until_due(job)
                    finally:
                        db.session.remove()
            except Exception:
                wait = job.interval
            return min(max(wait, 1.0), job.interval) if outcome == SKIPPED else job.interval
        return job.interval

    # -- running -----------------------------------------------------------------------------------

    def run_once(self, force=False):
        """Every due job once, one after the other in this thread; {name: outcome}. `force` also
        runs exclusive jobs that are not due yet (tests), never one another worker holds."""
        self.prepare()
        return {job.name: self.run_job(job, force=force) for job in self.jobs}

    def _loop(self, job):
        while not self.stop.is_set():
            outcome = self.run_job(job)
            self.stop.wait(self.next_delay(job, outcome))

    def start(self):
        """Start one thread per job (returns at once; `shutdown()` ends them)."""
        self.prepare()
        log.info("Worker started: %s", ", ".join(
            f"{job.name} every {job.interval:g} s" for job in self.jobs))
        for job in self.jobs:
            thread = threading.Thread(target=self._loop, args=(job,), name=f"job-{job.name}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def shutdown(self, timeout=STOP_SECONDS):
        """Ask every job to stop and wait up to `timeout` seconds for running ones to finish;
        returns the names of jobs still running then (they end with the process)."""
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        left = [thread.name.removeprefix("job-") for thread in self._threads if thread.is_alive()]
        if left:
            log.warning("Worker stopping with job(s) still running: %s", ", ".join(left))
        else:
            log.info("Worker stopped.")
        return left

    def run(self, stop_event=None):
        """Run until `stop_event` (or self.stop) is set, then shut down within STOP_SECONDS."""
        self.start()
        waiting_for = stop_event or self.stop
        while not waiting_for.wait(0.5):
            pass
        return self.shutdown()
