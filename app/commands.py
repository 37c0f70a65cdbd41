"""Command-line tasks: `flask --app wsgi <command>`."""
import signal
import sys
import threading

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db


def register(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(privacy_cli)


@click.command("create-admin")
@click.option("--email", prompt="E-mailadres")
@click.option("--name", prompt="Naam")
def create_admin(email, name):
    """Create the first administrator (or make an existing account one)."""
    from app.models.accounts import ROLE_ADMIN, User
    from app.timeutil import utcnow
    from app.validators import password_problem

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
    from app.demo import SeedRefused, database_is_empty, seed_demo

    if not current_app.config.get("SEED_DEMO_ALLOWED"):
        raise click.ClickException("Demo-data wordt nooit in de productieconfiguratie aangemaakt.")
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


mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due once, then stop.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
def mail_worker(once, interval):
    """Deliver the outbox until stopped (run as its own process in production)."""
    from app.mail import run_worker

    click.echo("Outbox worker started." if not once else "Delivering due mail once.")
    stop = threading.Event()
    if not once and threading.current_thread() is threading.main_thread():
        # Stop between rounds on SIGTERM (systemd, docker stop): a message is never left
        # half-sent, which would mean sending it again after its claim expires.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run_worker(current_app._get_current_object(), interval, stop_event=stop, once=once)
    except KeyboardInterrupt:
        pass
    click.echo("Outbox worker stopped.")


@mail_cli.command("list")
@click.option("--limit", default=20, show_default=True)
def mail_list(limit):
    """Show the newest messages in the outbox with their status."""
    from app.models.outbox import OutboxMessage

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
    from app.models.outbox import STATUS_FAILED, STATUS_PENDING, OutboxMessage
    from app.timeutil import utcnow

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
    from app.models.outbox import OutboxMessage

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
    """Remove what the privacy statement says we keep no longer (the mail worker does this hourly)."""
    from app.retention import apply_retention

    counts = apply_retention()
    db.session.commit()
    click.echo("Removed: " + ", ".join(f"{name}: {count}" for name, count in counts.items()))
