from tests.factories import make_user
from tests.support import handle_account_requests, login, outbox


def test_home_is_dutch(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.get_data(as_text=True)


def test_login_and_logout(client):
    make_user(email="a@example.org")
    response = login(client, "a@example.org")
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "a@example.org" in page


def test_reset_mail_is_queued(client):
    from tests.support import submit

    make_user(email="b@example.org")
    submit(client, "/wachtwoord-vergeten", {"email": "b@example.org"})
    handle_account_requests()
    assert [m.subject for m in outbox("b@example.org")] == ["Een nieuw wachtwoord instellen"]
