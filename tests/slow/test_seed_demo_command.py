"""seed-demo through the command line on an empty database: the accounts of the README, and the
refusal to seed again (the quick refusals are in tests/unit/test_commands.py)."""
import pytest

from tests.fixtures.demo import DEMO_PASSWORD, DEMO_ROLES, snapshot, users
from tests.support import isolated_client, login

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]  # seeds the whole demo site


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
