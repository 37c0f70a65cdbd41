"""Command-line tasks: `flask --app wsgi <command>`."""
import sys
import time

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from app import search
from app.demo import DEMO_ACCOUNTS, SeedRefused, database_is_empty, demo_code, seed_demo
from app.extensions import db
from app.models.accounts import ROLE_ADMIN, User
from app.models.outbox import STATUS_FAILED, STATUS_PENDING, OutboxMessage
from app.retention import apply_retention
from app.search.backend import uses_postgresql
from app.search.documents import count_documents
from app.search.index import index_dir
from app.search.jobs import pending_jobs
from app.timeutil import utcnow
from app.validators import password_problem
from app.worker.cli import run_worker_command, worker_command
from config import app_env_is_explicit


def register(app):
    app.cli.add_command(worker_command)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(search_cli)


@click.command("create-admin")
@click.option("--email", prompt="E-mailadres")
@click.option("--name", prompt="Naam")
def create_admin(email, name):
    """Create the first administrator (or make an existing account one)."""
    email = email.strip().lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise click.ClickException("Geen geldig e-mailadres.") from None
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise click.ClickException("Geef een naam van 1 tot 120 tekens.")
    user = User.find_by_email(email)
    if user is not None:
        user.role = ROLE_ADMIN
        db.session.commit()
        click.echo(f"{email} is nu beheerder.")
        return
    if sys.stdin.isatty():
        password = click.prompt("Wachtwoord", hide_input=True,
                                confirmation_prompt="Herhaal het wachtwoord")
    else:  # piped in, e.g. from a secrets manager
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, email, name)
    if problem:
        raise click.ClickException(problem)
    user = User(email=email, name=name, role=ROLE_ADMIN, email_verified_at=utcnow())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Beheerder {email} aangemaakt.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database holds data.")
def seed_demo_command(if_empty):
    """Fill an empty database with the demo content of the README."""
    if not current_app.config.get("SEED_DEMO_ALLOWED"):
        raise click.ClickException("Demo-data wordt nooit in de productieconfiguratie aangemaakt.")
    if not app_env_is_explicit():
        raise click.ClickException(
            "APP_ENV is not set: demo data is only added with APP_ENV=development (make run sets "
            "it), never by accident to a database that may be a real one.")
    if if_empty and not database_is_empty():
        click.echo("Database holds data; demo data not added.")
        return
    try:
        made = seed_demo()
    except SeedRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo("Demo data added: " + ", ".join(f"{k}: {v}" for k, v in made.items()))


@click.command("demo-code")
@click.argument("email", required=False, default="")
def demo_code_command(email):
    """Print the current two-step sign-in code of a demo account (development only)."""
    if (current_app.config.get("ENV_NAME") != "development" or not app_env_is_explicit()
            or not current_app.config.get("SEED_DEMO_ALLOWED")):
        raise click.ClickException(
            "demo-code werkt alleen in de ontwikkelomgeving (APP_ENV=development), nooit in "
            "productie.")
    email = (email or "").strip().lower()
    code = demo_code(email)
    if code is None:
        with_factor = [address for address, _, _ in DEMO_ACCOUNTS
                       if demo_code(address) is not None]
        raise click.ClickException(
            "Geef een demo-account met tweestapsverificatie: " + (", ".join(with_factor) or
                                                                   "er is er nu geen") + ".")
    remaining = 30 - int(time.time()) % 30
    click.echo(code)
    click.echo(f"(nog {remaining} seconden geldig; daarna geeft dit commando de volgende code)",
               err=True)


mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="Run every due job once, then stop.")
@click.option("--interval", default=None, type=float, hidden=True)  # accepted, no longer used
def mail_worker(once, interval):
    """Old name of `flask worker` (which runs every background job, mail included)."""
    click.echo("`flask mail worker` is the old name of `flask worker`; starting that.", err=True)
    run_worker_command(once=once)


@mail_cli.command("list")
@click.option("--limit", default=20, show_default=True)
def mail_list(limit):
    """Show the newest messages in the outbox with their status."""
    rows = db.session.execute(
        db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    ).scalars()
    for row in rows:
        click.echo(f"#{row.id:<5} {row.status:<8} tries={row.attempts} {row.created_at:%Y-%m-%d %H:%M} "
                   f"{row.recipient}  {row.subject}" + (f"  [{row.last_error}]" if row.last_error else ""))


@mail_cli.command("retry")
@click.argument("message_ids", type=int, nargs=-1)
@click.option("--all-failed", is_flag=True, help="Every message that was given up on.")
def mail_retry(message_ids, all_failed):
    """Queue given-up messages again (after a long outage, or a fixed address)."""
    if not message_ids and not all_failed:
        raise click.UsageError("Give message ids or --all-failed.")
    query = db.update(OutboxMessage).where(OutboxMessage.status == STATUS_FAILED)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=STATUS_PENDING, attempts=0, next_attempt_at=utcnow(), claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    click.echo(f"{result.rowcount} message(s) queued again.")


@mail_cli.command("show")
@click.argument("message_id", type=int, required=False)
def mail_show(message_id):
    """Print one message's text (the newest without an id): handy for reading links locally."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)
    if message_id:
        query = db.select(OutboxMessage).where(OutboxMessage.id == message_id)
    row = db.session.execute(query).scalar_one_or_none()
    if row is None:
        raise click.ClickException("No such message.")
    click.echo(f"To: {row.recipient}\nSubject: {row.subject}\nStatus: {row.status}\n\n{row.body_text}")


privacy_cli = AppGroup("privacy", help="Retention of personal data.")


@privacy_cli.command("cleanup")
def privacy_cleanup():
    """Remove what the privacy statement says we keep no longer (the worker does this hourly)."""
    counts = apply_retention()
    db.session.commit()
    click.echo("Removed: " + ", ".join(f"{name}: {count}" for name, count in counts.items()))


search_cli = AppGroup("search", help="The full-text search index (SEARCH_BACKEND).")


@search_cli.command("rebuild")
def search_rebuild():
    """Build the whole index again from the database and swap it in."""
    with db.session.no_autoflush:
        total = count_documents(db.session)
    db.session.rollback()
    started = time.monotonic()
    with click.progressbar(length=total, label="Indexeren", show_pos=True) as bar:
        count = search.rebuild(progress=bar.update)
    seconds = max(time.monotonic() - started, 1e-6)
    where = "table search_documents" if uses_postgresql() else index_dir()
    click.echo(f"{count} documents indexed in {seconds:.1f} s ({count / seconds:.0f} docs/s) "
               f"in {where}.")


@search_cli.command("check")
@click.option("--no-repair", is_flag=True, help="Only report the differences.")
@click.option("--verbose", "-v", is_flag=True, help="List the documents that differ.")
def search_check(no_repair, verbose):
    """Compare the index with the database and repair what differs."""
    report = search.check(repair=not no_repair)
    click.echo(f"Database: {report.expected} documents; index: {report.indexed}.")
    for label, keys in (("missing", report.missing), ("stale", report.stale),
                        ("extra", report.extra)):
        shown = ""
        if verbose and keys:
            shown = ": " + ", ".join(keys[:50]) + (" …" if len(keys) > 50 else "")
        click.echo(f"  {label}: {len(keys)}{shown}")
    if report.error:
        click.echo(f"Index problem: {report.error}", err=True)
    if report.ok and not report.error:
        click.echo("Index and database agree.")
    elif no_repair:
        click.echo("Not repaired (--no-repair).")
    elif report.repaired:
        click.echo("Repaired: the index now agrees with the database.")
    else:
        raise click.ClickException("Repair failed; see the log, or run `search rebuild`.")


@search_cli.command("status")
def search_status():
    """Documents in the index and jobs waiting."""
    info = search.status()
    click.echo(f"Backend: {info['backend']}")
    click.echo(f"Index: {info['dir']}")
    click.echo(f"Documents: {info['documents'] if info['documents'] is not None else 'unavailable'}")
    click.echo(f"Pending jobs: {info['pending_jobs']} (failing: {info['failing_jobs']})")
    if info.get("error"):
        click.echo(f"Problem: {info['error']}", err=True)


@search_cli.command("apply")
def search_apply():
    """Apply waiting index jobs now (also those in back-off)."""
    applied = search.apply_pending(include_waiting=True, lock_timeout=30.0)
    click.echo(f"{applied} job(s) applied; {pending_jobs()} waiting.")
