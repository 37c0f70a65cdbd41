"""The header every page shares: navigation, search, account menu and the notification bell."""
from app.extensions import db
from app.notifications import notify
from tests.factories import make_user
from tests.support import login


def test_visitor_sees_login_and_no_bell(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/inloggen"' in page
    assert "site-bell" not in page


def test_bell_shows_the_unread_count_and_updates(client):
    person = make_user(email="bel@example.org")
    other = make_user(email="ander@example.org", name="Ander")
    for n in range(2):
        notify(person, "reply", f"Ander reageerde ({n})", "/forum", actor=other)
    db.session.commit()
    login(client, "bel@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "2 ongelezen meldingen" in page
    assert 'href="/meldingen"' in page
    from tests.support import submit

    submit(client, "/meldingen/gelezen", {}, page="/meldingen")
    assert "geen ongelezen meldingen" in client.get("/").get_data(as_text=True)


def test_staff_see_beheer(client, moderator):
    login(client, moderator.email)
    assert 'href="/beheer"' in client.get("/").get_data(as_text=True)
