"""Command-line tasks: seed-demo, create-admin and the mail commands."""
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.mail import queue_mail
from app.urls import external_url
from app.models.accounts import User
from app.models.public import ContactMessage
from config import ProductionConfig
from tests.factories import make_user
from tests.support import isolated_client, login, outbox

DEMO_PASSWORD = "Kracht-demo-2026"
DEMO_ROLES = {  # DESIGN.md, "Demo data"
    "beheerder@example.org": "admin",
    "lid@example.org": "representative",
    "lid2@example.org": "member",
    "financier@example.org": "partner",
    "onderzoeker@example.org": "partner",
    "ambtenaar@example.org": "partner",
    "netwerk@example.org": "partner",
}
STRONG = "een-sterk-beheerderswachtwoord-81"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Still scrypt, with a small work factor: seeding hashes seven passwords, logging in checks them."""
    import app.models.accounts as accounts
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, "scrypt:1024:8:1"))


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


def users():
    db.session.expire_all()
    return db.session.execute(db.select(User).order_by(User.id)).scalars().all()


def snapshot():
    """Every row of every table, to prove a command changed nothing."""
    db.session.expire_all()
    return {table.name: sorted(map(tuple, db.session.execute(db.select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables}


# -- seed-demo ---------------------------------------------------------------------------------


def test_seed_demo_creates_the_demo_accounts_of_the_readme(app, cli):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output

    accounts = {u.email: u for u in users() if u.email in DEMO_ROLES}
    assert {email: u.role for email, u in accounts.items()} == DEMO_ROLES
    assert len(users()) > len(DEMO_ROLES)  # and more members, so discussions have many voices
    assert accounts["beheerder@example.org"].is_moderator and accounts["beheerder@example.org"].is_admin
    assert all(u.email_verified and u.is_active for u in accounts.values())

    for email in DEMO_ROLES:
        client = isolated_client(app)
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        assert email in client.get("/account").get_data(as_text=True)


def test_seed_demo_refuses_a_database_with_data(app, cli):
    first = cli("seed-demo", "--if-empty")  # an empty database: filled
    assert first.exit_code == 0, first.output
    assert {u.email for u in users()} >= set(DEMO_ROLES)
    before = snapshot()

    again = cli("seed-demo")
    assert again.exit_code != 0
    assert "bevat al gegevens" in again.output
    assert snapshot() == before

    if_empty = cli("seed-demo", "--if-empty")
    assert if_empty.exit_code == 0, if_empty.output
    assert snapshot() == before


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
