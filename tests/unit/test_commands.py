"""Command-line tasks: seed-demo, create-admin and the mail commands (the runs of seed-demo that
fill a database are in tests/slow/test_seed_demo_command.py)."""
import re
from types import SimpleNamespace

import pytest

from app.accounts import second_factor
from app.extensions import db
from app.mail import queue_mail
from app.urls import external_url
from app.models.public import ContactMessage
from config import ProductionConfig
from tests.factories import make_user
from tests.fixtures.demo import snapshot, users
from tests.support import login, outbox

STRONG = "een-sterk-beheerderswachtwoord-81"

pytestmark = pytest.mark.usefixtures("fast_hashing")


# -- seed-demo ---------------------------------------------------------------------------------


def test_seed_demo_refuses_any_real_data_not_only_accounts(app, cli):
    db.session.add(ContactMessage(name="Echt", email="echt@example.org", subject="Echt",
                                  message="Een echt bericht van iemand"))
    db.session.commit()
    before = snapshot()
    assert cli("seed-demo").exit_code != 0
    assert snapshot() == before


@pytest.mark.parametrize("args", [(), ("--if-empty",)])
def test_seed_demo_is_refused_in_production_configuration(app, cli, args):
    assert ProductionConfig.SEED_DEMO_ALLOWED is False
    app.config["SEED_DEMO_ALLOWED"] = False  # what a ProductionConfig app has
    result = cli("seed-demo", *args)
    assert result.exit_code != 0
    assert "productie" in result.output
    assert users() == []


# -- create-admin ------------------------------------------------------------------------------


def test_create_admin_creates_an_administrator(app, cli, client):
    result = cli("create-admin", "--email", " Baas@Example.org ", "--name", "Bas  Baas", input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    assert "aangemaakt" in result.output
    [admin] = users()
    assert (admin.email, admin.name, admin.role) == ("baas@example.org", "Bas Baas", "admin")
    assert admin.email_verified and admin.password_hash.startswith("scrypt:")
    assert login(client, "baas@example.org", STRONG).status_code == 302
    assert client.get("/beheer").status_code == 200


def test_create_admin_asks_for_what_is_missing(app, cli):
    result = cli("create-admin", input=f"baas@example.org\nBas Baas\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert [u.role for u in users()] == ["admin"]


@pytest.mark.parametrize("password, message", [
    ("kort", "minstens 10 tekens"),
    ("wachtwoord123", "veel mensen"),
    ("", "minstens 10 tekens"),
])
def test_create_admin_refuses_a_weak_password(app, cli, password, message):
    result = cli("create-admin", "--email", "baas@example.org", "--name", "Bas", input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert users() == []


@pytest.mark.parametrize("email, name", [("geen-adres", "Bas"), ("baas@example.org", "   ")])
def test_create_admin_refuses_a_bad_address_or_name(app, cli, email, name):
    result = cli("create-admin", "--email", email, "--name", name, input=STRONG + "\n")
    assert result.exit_code != 0
    assert users() == []


def test_create_admin_promotes_an_existing_account(app, cli):
    make_user(email="bestaand@example.org")
    result = cli("create-admin", "--email", "bestaand@example.org", "--name", "X")
    assert result.exit_code == 0, result.output
    assert [u.role for u in users()] == ["admin"]


# -- mail ------------------------------------------------------------------------------------------


def queue(recipient="lezer@example.org"):
    message = queue_mail(recipient, "Je wachtwoord is gewijzigd", "password_changed",
                         user=SimpleNamespace(name="Lea Lezer"),
                         reset_url=external_url("auth.forgot_password"))
    db.session.commit()
    return message.id


def test_mail_worker_once_delivers_due_mail(app, cli, running_smtp_server):
    queue("een@example.org")
    queue("twee@example.org")
    result = cli("mail", "worker", "--once")
    assert result.exit_code == 0, result.output
    assert sorted(r for e in running_smtp_server.envelopes for r in e.rcpt_tos) == [
        "een@example.org", "twee@example.org"]
    assert {m.status for m in outbox()} == {"sent"}
    assert cli("mail", "worker", "--once").exit_code == 0
    assert len(running_smtp_server.envelopes) == 2  # nothing sent twice


def test_mail_list_and_show_print_the_outbox(app, cli):
    first = queue("een@example.org")
    queue("twee@example.org")

    listed = cli("mail", "list")
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2 and "twee@example.org" in lines[0] and "een@example.org" in lines[1]
    assert all("pending" in line and "Je wachtwoord is gewijzigd" in line for line in lines)

    newest = cli("mail", "show")
    assert newest.exit_code == 0 and "To: twee@example.org" in newest.output
    assert "Hallo Lea Lezer" in newest.output
    assert "http://localhost/wachtwoord-vergeten" in newest.output

    by_id = cli("mail", "show", str(first))
    assert by_id.exit_code == 0 and "To: een@example.org" in by_id.output

    missing = cli("mail", "show", "99999")
    assert missing.exit_code != 0


def test_mail_retry_queues_given_up_mail_again(app, cli, smtp_server):
    from app.mail import deliver_due

    app.config["MAIL_MAX_ATTEMPTS"] = 1
    message_id = queue()
    deliver_due()  # server down: given up at once
    assert [m.status for m in outbox()] == ["failed"]

    assert cli("mail", "retry").exit_code != 0  # says what to give
    result = cli("mail", "retry", "--all-failed")
    assert result.exit_code == 0 and "1 message" in result.output
    [message] = outbox()
    assert (message.id, message.status, message.attempts) == (message_id, "pending", 0)

    smtp_server.start()
    assert cli("mail", "worker", "--once").exit_code == 0
    assert [m.status for m in outbox()] == ["sent"]
    assert len(smtp_server.envelopes) == 1


# -- demo-code ---------------------------------------------------------------------------------


def _demo_admin_with_second_factor():
    admin = make_user(email="beheerder@example.org", name="Bea", role="admin")
    admin.totp_secret = second_factor.new_secret()
    admin.totp_enabled_at = admin.created_at
    db.session.commit()
    return admin


def test_demo_code_prints_the_current_code_of_a_demo_account_in_development(app, cli, monkeypatch):
    admin = _demo_admin_with_second_factor()
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setenv("APP_ENV", "development")
    result = cli("demo-code", "beheerder@example.org")
    assert result.exit_code == 0, result.output
    code = result.stdout.strip()
    assert second_factor.matching_step(admin.totp_secret, code) is not None
    unknown = cli("demo-code", "iemand@example.org")
    assert unknown.exit_code != 0 and "beheerder@example.org" in unknown.output


@pytest.mark.parametrize("env_name, app_env, allowed", [
    ("testing", "testing", True),        # the test configuration
    ("production", "production", False),  # production
    ("development", "", True),            # APP_ENV not set explicitly
])
def test_demo_code_is_refused_outside_development(app, cli, monkeypatch, env_name, app_env, allowed):
    _demo_admin_with_second_factor()
    monkeypatch.setitem(app.config, "ENV_NAME", env_name)
    monkeypatch.setitem(app.config, "SEED_DEMO_ALLOWED", allowed)
    monkeypatch.setenv("APP_ENV", app_env)
    result = cli("demo-code", "beheerder@example.org")
    assert result.exit_code != 0
    assert "ontwikkelomgeving" in result.output
    assert not re.search(r"^\d{6}$", result.output, re.M)
