"""`flask --app wsgi worker`: run the background worker, or report on it (`--status`)."""
from __future__ import annotations

import signal
import sys
import threading

import click
from flask import current_app

from app.extensions import db
from app.health import STATUS_OK, worker_health
from app.timeutil import utcnow
from app.worker import JOBS, RAN, SKIPPED, Worker
from config import app_env_is_explicit


@click.command("worker")
@click.option("--once", is_flag=True, help="Run every due job once, then exit (cron, tests).")
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="Run only this job (repeatable): " + ", ".join(job.name for job in JOBS) + ".")
@click.option("--status", is_flag=True,
              help="Report whether the worker is alive; exit 1 when it is late.")
@click.option("--list", "list_jobs", is_flag=True, help="List the jobs and their intervals.")
def worker_command(once, only, status, list_jobs):
    """Run the background jobs: e-mail, search index, notifications, reminders, retention."""
    if list_jobs:
        for job in JOBS:
            kind = "one worker at a time" if job.exclusive else "every worker"
            click.echo(f"{job.name:<14} every {job.interval:>5g} s  ({kind}) {job.description}")
        return
    if status:
        sys.exit(print_status())
    run_worker_command(once=once, only=only)


def run_worker_command(once=False, only=()):
    if not app_env_is_explicit():
        raise click.ClickException(
            "APP_ENV is not set: set APP_ENV=production for a deployment (or APP_ENV=development "
            "on a developer machine; `make run` does), so the worker never sends e-mail with "
            "development settings by accident.")
    app = current_app._get_current_object()
    try:
        worker = Worker(app, only=only or None)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--only") from None
    if once:
        outcomes = worker.run_once()
        for name, outcome in outcomes.items():
            click.echo(f"{name}: {outcome}")
        if any(outcome not in (RAN, SKIPPED) for outcome in outcomes.values()):
            sys.exit(1)
        return
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        # systemd and docker stop send SIGTERM; Ctrl-C sends SIGINT (make run stops both this way).
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    click.echo(f"Worker started ({app.config.get('ENV_NAME')}); SIGTERM or Ctrl-C stops it.")
    left = worker.run(stop)
    click.echo("Worker stopped." if not left else
               f"Worker stopped; unfinished: {', '.join(left)} (their work is picked up again).")


def _ago(value, now):
    if value is None:
        return "never"
    seconds = int((now - value).total_seconds())
    return f"{seconds} s ago" if seconds >= 0 else f"in {-seconds} s"


def print_status():
    """Print the worker's health; returns the exit status (0 ok, 1 late or never ran)."""
    now = utcnow()
    health = worker_health(now)
    db.session.rollback()
    seen = "never" if health.last_seen_seconds is None else f"{health.last_seen_seconds} s ago"
    click.echo(f"Worker: {health.status} (oldest due work waits {health.oldest_due_seconds} s; "
               f"late after {health.late_after_seconds} s; a job last finished {seen})")
    click.echo(f"  outbox: oldest due e-mail waits {health.outbox_oldest_due_seconds} s; "
               f"search: oldest due index job waits {health.search_oldest_due_seconds} s")
    for job in health.jobs:
        state = "running" if job.running else (
            f"due {job.due_seconds} s" if job.due_seconds else f"next {_ago(job.next_run_at, now)}")
        outcome = f"error: {job.last_error}" if job.last_error else (job.last_result or "ok")
        took = f"{job.last_duration_ms} ms" if job.last_duration_ms is not None else "-"
        click.echo(f"  {job.name:<14} last run {_ago(job.last_finished_at, now):<12} took {took:<8} "
                   f"{state:<14} {outcome}")
    return 0 if health.status == STATUS_OK else 1
