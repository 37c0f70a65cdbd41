"""Command-line tasks: `flask --app wsgi <command>`."""
import getpass
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db


def register(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(mail_cli)


@click.command("create-admin")
@click.option("--email", prompt="E-mailadres")
@click.option("--name", prompt="Naam")
def create_admin(email, name):
    """Create the first administrator (or make an existing account one)."""
    from app.models.accounts import ROLE_ADMIN, User
    from app.timeutil import utcnow
    from app.validators import password_problem

    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.ClickException("Geen geldig e-mailadres.")
    user = User.find_by_email(email)
    if user is not None:
        user.role = ROLE_ADMIN
        db.session.commit()
        click.echo(f"{email} is nu beheerder.")
        return
    password = getpass.getpass("Wachtwoord: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    problem = password_problem(password, email, name)
    if problem:
        raise click.ClickException(problem)
    user = User(email=email, name=name.strip()[:120], role=ROLE_ADMIN, email_verified_at=utcnow())
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
    try:
        run_worker(current_app._get_current_object(), interval, once=once)
    except KeyboardInterrupt:
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
