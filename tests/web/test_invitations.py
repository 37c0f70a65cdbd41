"""Accepting a representative's invitation: /uitnodiging/<token> → account → representative."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.accounts import Token, User
from app.models.audit import AuditLog
from app.selfscan import review as services
from app.timeutil import utcnow
from tests.factories import PASSWORD, make_user, submitted_scan
from tests.fixtures.selfscan import approve_data
from tests.support import csrf_token, isolated_client, link_from, login, outbox, submit, text

NEW_PASSWORD = "zonnepanelen-op-elk-dak"
INVALID = "werkt niet (meer)"


def invite(contact_email="sanne@example.org", contact_name="Sanne Visser"):
    """Approve a scan as a moderator would; returns (collective, invitation path)."""
    moderator = make_user(email="mod@example.org", name="Mo Derator", role="moderator")
    scan = submitted_scan(contact_email=contact_email, contact_name=contact_name)
    collective = services.approve_selfscan(moderator, scan, approve_data())
    db.session.commit()
    [mail] = outbox(contact_email.lower())
    return collective, link_from(mail, "/uitnodiging/")


def accept(client, path, name="Sanne Visser", password=NEW_PASSWORD, confirm=None, **extra):
    data = {"name": name, "password": password, "confirm": password if confirm is None else confirm}
    data.update(extra)
    return submit(client, path, data)


def users_with(email):
    db.session.expire_all()
    return db.session.execute(db.select(User).where(User.email == email)).scalars().all()


def current_user_email(client):
    """The e-mail address on /account, or None when the client is not logged in."""
    response = client.get("/account")
    if response.status_code != 200:
        return None
    page = text(response)
    start = page.index("Nu: <strong>") + len("Nu: <strong>")
    return page[start:page.index("</strong>", start)]


def test_invitation_creates_a_logged_in_representative(client):
    collective, path = invite()
    page = text(client.get(path))
    assert "Energiecoöperatie Zonnedael" in page
    assert 'value="Sanne Visser"' in page  # the contact name from the scan
    assert "sanne@example.org" in page
    assert 'name="password"' in page and 'name="confirm"' in page

    response = accept(client, path, name="Sanne de Visser")
    assert response.status_code == 302
    assert response.headers["Location"] == "/collectieven/zonnedael"

    [user] = users_with("sanne@example.org")
    assert user.name == "Sanne de Visser"
    assert user.role == "representative"
    assert user.collective_id == collective.id
    assert user.email_verified
    assert user.check_password(NEW_PASSWORD)
    assert user.represents(collective)
    assert current_user_email(client) == "sanne@example.org"
    db.session.expire_all()
    [token] = db.session.execute(db.select(Token)).scalars().all()
    assert token.used_at is not None
    entry = db.session.execute(db.select(AuditLog).where(AuditLog.action == "invitation.accept")).scalar_one()
    assert entry.actor_id == user.id and "Zonnedael" in entry.summary


def test_the_link_works_once(client, app):
    _, path = invite()
    assert accept(client, path).status_code == 302
    other = isolated_client(app)
    response = other.get(path)
    assert response.status_code == 400
    assert INVALID in text(response)
    token = csrf_token(other, "/inloggen")
    response = other.post(path, data={"name": "Iemand", "password": NEW_PASSWORD,
                                      "confirm": NEW_PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert len(users_with("sanne@example.org")) == 1


def test_an_expired_link_is_refused(client):
    _, path = invite()
    token = db.session.execute(db.select(Token)).scalar_one()
    assert token.expires_at > utcnow() + timedelta(days=6)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 400
    assert INVALID in text(response)
    assert users_with("sanne@example.org") == []


@pytest.mark.parametrize("token", ["onzin", "x" * 5000, "%00", "<script>"])
def test_unknown_tokens_are_refused(client, token):
    invite()
    response = client.get("/uitnodiging/" + token)
    assert response.status_code in (400, 404)
    assert "<script>" not in text(response)


@pytest.mark.parametrize("password, confirm, message", [
    ("wachtwoord123", None, "door veel mensen gebruikt"),
    ("kort", None, "minstens 10 tekens"),
    ("", None, "Kies een wachtwoord."),
    (NEW_PASSWORD, "iets-anders-helemaal", "niet gelijk"),
    ("sanne@example.org", None, "lijkt te veel op je e-mailadres"),
])
def test_weak_or_mismatched_passwords_are_refused(client, password, confirm, message):
    _, path = invite()
    response = accept(client, path, password=password, confirm=confirm)
    assert response.status_code == 200
    assert message in text(response)
    assert users_with("sanne@example.org") == []
    # The link still works after a refused attempt.
    assert accept(client, path).status_code == 302


@pytest.mark.parametrize("name, message", [
    ("", "Vul je naam in."),
    ("n" * 121, "hoogstens 120 tekens"),
    ("Sanne\x00", "onzichtbare tekens"),
])
def test_bad_names_are_refused(client, name, message):
    _, path = invite()
    response = accept(client, path, name=name)
    assert response.status_code == 200
    assert message in text(response)
    assert users_with("sanne@example.org") == []


def test_hostile_posts_never_500(client):
    _, path = invite()
    token = csrf_token(client, path)
    for data in ({}, {"name": ["a", "b"], "password": "x" * 100_000},
                 {"name": "<b>x</b>", "password": NEW_PASSWORD, "confirm": ["a", "b"]}):
        response = client.post(path, data=dict(data, csrf_token=token))
        assert response.status_code == 200
    assert client.post(path, data={"name": "x", "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD}).status_code == 400  # no CSRF token
    assert users_with("sanne@example.org") == []


def test_posting_is_rate_limited(client):
    _, path = invite()
    token = csrf_token(client, path)
    for _ in range(10):
        assert client.post(path, data={"name": "", "csrf_token": token}).status_code == 200
    assert client.post(path, data={"name": "", "csrf_token": token}).status_code == 429


def test_an_existing_account_is_linked_after_logging_in(client):
    person = make_user(email="sanne@example.org", name="Sanne Bestaand")
    collective, path = invite(contact_email="Sanne@Example.org")

    page = text(client.get(path))
    assert "Er bestaat al een account" in page
    assert 'name="password"' not in page
    # Trying to create an account anyway creates nothing.
    response = submit(client, path, {"name": "Nieuw", "password": NEW_PASSWORD,
                                     "confirm": NEW_PASSWORD}, page="/inloggen")
    assert response.status_code == 200 and "Er bestaat al een account" in text(response)
    assert len(users_with("sanne@example.org")) == 1
    assert users_with("sanne@example.org")[0].check_password(PASSWORD)

    response = login(client, "sanne@example.org")
    assert response.status_code == 302
    page = text(client.get(path))
    assert "Koppel mijn account" in page and "Energiecoöperatie Zonnedael" in page
    response = submit(client, path, {})
    assert response.status_code == 302
    assert response.headers["Location"] == "/collectieven/zonnedael"
    [user] = users_with("sanne@example.org")
    assert user.id == person.id
    assert (user.role, user.collective_id, user.name) == ("representative", collective.id, "Sanne Bestaand")
    assert current_user_email(client) == "sanne@example.org"
    assert client.get(path).status_code == 400  # used


def test_login_from_the_invitation_comes_back_to_it(client):
    make_user(email="sanne@example.org")
    _, path = invite()
    page = text(client.get(path))
    assert f'href="/inloggen?next={path}"' in page or f"/inloggen?next={path.replace('/', '%2F')}" in page
    response = submit(client, "/inloggen", {"email": "sanne@example.org", "password": PASSWORD,
                                            "next": path}, page="/inloggen")
    assert response.headers["Location"] == path


@pytest.mark.parametrize("role, with_collective", [
    ("moderator", False), ("admin", False), ("partner", False), ("member", True),
])
def test_staff_partners_and_members_of_another_collective_are_not_linked(client, role, with_collective):
    other = None
    if with_collective:
        from tests.fixtures.selfscan import review_collective

        other = review_collective()
    person = make_user(email="sanne@example.org", role=role,
                       collective_id=other.id if other else None)
    _, path = invite()
    login(client, "sanne@example.org")
    page = text(client.get(path))
    assert "kan niet automatisch" in page
    token = csrf_token(client, "/account")
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 200
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.role == role
    assert person.collective_id == (other.id if other else None)
    assert db.session.execute(db.select(Token)).scalar_one().used_at is None


def test_someone_else_logged_in_is_told_to_log_out(client):
    make_user(email="sanne@example.org")
    make_user(email="ander@example.org", name="Ander Persoon")
    _, path = invite()
    login(client, "ander@example.org")
    page = text(client.get(path))
    assert "ander@example.org" in page and "Log uit" in page
    token = csrf_token(client, "/account")
    client.post(path, data={"csrf_token": token})
    db.session.expire_all()
    assert {u.email: u.collective_id for u in db.session.execute(db.select(User)).scalars()}[
        "ander@example.org"] is None
    assert db.session.execute(db.select(Token)).scalar_one().used_at is None


def test_a_new_account_replaces_whoever_was_logged_in(client):
    make_user(email="ander@example.org", name="Ander Persoon")
    _, path = invite()
    login(client, "ander@example.org")
    assert "Je bent nu ingelogd als Ander Persoon" in text(client.get(path))
    assert accept(client, path).status_code == 302
    assert current_user_email(client) == "sanne@example.org"


def test_invitation_for_a_deleted_collective_is_invalid(client):
    collective, path = invite()
    db.session.delete(collective)
    db.session.commit()
    assert client.get(path).status_code == 400


def test_the_whole_journey_from_scan_to_representative(app, client):
    """A visitor fills in the scan, a moderator approves it, the contact accepts the invitation."""
    from tests.fixtures.selfscan import CONTACT_EMAIL, CONTACT_NAME, fill_scan

    visitor = isolated_client(app)
    filled = fill_scan(visitor)

    make_user(email="mod@example.org", name="Mo Derator", role="moderator")
    login(client, "mod@example.org")
    queue = text(client.get("/beheer/zelfscans"))
    assert "Energiecoöperatie De Proef" in queue and CONTACT_NAME in queue
    page = text(client.get(f"/beheer/zelfscans/{filled.scan_id}"))
    assert 'value="energiecooperatie-de-proef"' in page
    response = submit(client, f"/beheer/zelfscans/{filled.scan_id}/goedkeuren",
                      approve_data(name="Energiecoöperatie De Proef", slug="de-proef",
                                   municipality="Utrecht"),
                      page=f"/beheer/zelfscans/{filled.scan_id}")
    assert response.status_code == 302

    invitation = [m for m in outbox(CONTACT_EMAIL) if "/uitnodiging/" in m.body_text]
    assert len(invitation) == 1
    path = link_from(invitation[0], "/uitnodiging/")
    assert f'value="{CONTACT_NAME}"' in text(visitor.get(path))
    response = accept(visitor, path, name=CONTACT_NAME)
    assert response.headers["Location"] == "/collectieven/de-proef"
    [user] = users_with(CONTACT_EMAIL)
    assert user.role == "representative" and user.collective.slug == "de-proef"
    assert current_user_email(visitor) == CONTACT_EMAIL
    if "collectives.detail" in app.view_functions:
        assert visitor.get("/collectieven/de-proef").status_code == 200
