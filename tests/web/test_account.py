"""A person's own account page: name, e-mail address and password."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.accounts import Token, User
from app.timeutil import utcnow
from app.tokens import PURPOSE_EMAIL_CHANGE, PURPOSE_RESET
from tests.factories import PASSWORD, make_user
from tests.support import (
    csrf_token, handle_account_requests, isolated_client, link_from, login, outbox, reload, submit,
    text,
)

NEW_PASSWORD = "nieuwe-zin-voor-de-buurtmolen"
WRONG_PASSWORD = "Je huidige wachtwoord klopt niet."
EMAIL_LINK_SENT = "We hebben een bevestigingslink gestuurd naar"
LINK_INVALID = "werkt niet (meer)"


def logged_in(client):
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    return False


@pytest.fixture
def anna(client):
    """Anna, logged in on `client`."""
    user = make_user(email="anna@example.org", name="Anna de Boer")
    assert login(client, "anna@example.org").status_code == 302
    return user


def post(client, path, data):
    return submit(client, "/account" + path, data, page="/account")


def change_email(client, email, password=PASSWORD):
    return post(client, "/e-mailadres", {"email": email, "current_password": password})


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post(client, "/wachtwoord", {"current_password": current, "password": new,
                                         "confirm": confirm if confirm is not None else new})


def confirm(client, link):
    """Follow a confirmation link and press its button, like the person would."""
    return submit(client, link, {})


def count(model, *where):
    return db.session.execute(
        db.select(db.func.count()).select_from(model).where(*where)
    ).scalar_one()


# -- access --------------------------------------------------------------------------------------

def test_account_requires_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen?next=%2Faccount"
    page = text(client.get(response.headers["Location"]))
    assert "Log in om deze pagina te bekijken." in page


@pytest.mark.parametrize("path", ["/profiel", "/e-mailadres", "/wachtwoord"])
def test_account_forms_require_login(client, path):
    make_user(email="anna@example.org")
    response = submit(client, "/account" + path, {"name": "X", "email": "x@example.org",
                                                  "current_password": PASSWORD}, page="/inloggen")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert outbox() == []
    assert User.find_by_email("anna@example.org").name == "Test Persoon"


@pytest.mark.parametrize("path", ["/profiel", "/e-mailadres", "/wachtwoord"])
def test_account_forms_are_post_only(client, anna, path):
    response = client.get("/account" + path)
    assert response.status_code == 405
    assert "Dit kan zo niet" in text(response)


def test_account_page_shows_the_person(client, anna):
    response = client.get("/account")
    page = text(response)
    assert response.status_code == 200
    assert "Mijn account" in page
    assert "anna@example.org" in page
    assert 'value="Anna de Boer"' in page
    assert response.headers["Cache-Control"] == "private, no-store"


# -- name ----------------------------------------------------------------------------------------

def test_change_name(client, anna):
    response = post(client, "/profiel", {"name": "  Anna Bakker-de Boer  "})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert reload(anna).name == "Anna Bakker-de Boer"
    page = text(client.get("/account"))
    assert "Je profiel is opgeslagen." in page
    assert 'value="Anna Bakker-de Boer"' in page


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Vul je naam in."),
        ("   ", "Vul je naam in."),
        ("x" * 121, "Een naam is hoogstens 120 tekens lang."),
        ("Anna\x00", "onzichtbare tekens"),
        ("Anna\nBoer", "onzichtbare tekens"),
        ("Anna\u2028Boer", "onzichtbare tekens"),
        ("\u202eAnna", "onzichtbare tekens"),
    ],
)
def test_change_name_refuses_bad_names(client, anna, name, message):
    response = post(client, "/profiel", {"name": name})
    assert response.status_code == 400
    assert message in text(response)
    assert reload(anna).name == "Anna de Boer"


# -- e-mail address ------------------------------------------------------------------------------

def test_email_change_needs_the_current_password(client, anna):
    response = change_email(client, "nieuw@example.org", "niet-mijn-wachtwoord")
    assert response.status_code == 400
    assert WRONG_PASSWORD in text(response)
    assert outbox() == []
    assert count(Token) == 0
    assert reload(anna).email == "anna@example.org"


def test_email_change_is_confirmed_from_the_new_address(client, anna, app):
    response = change_email(client, "Nieuw@Example.org")
    assert response.status_code == 302
    assert EMAIL_LINK_SENT + " nieuw@example.org" in text(client.get("/account"))

    # Nothing changes until the link is followed.
    assert reload(anna).email == "anna@example.org"
    assert outbox("anna@example.org") == []
    messages = outbox("nieuw@example.org")
    assert [m.subject for m in messages] == ["Bevestig je nieuwe e-mailadres"]
    link = link_from(messages[0], "/account/e-mailadres/")

    # Opening the link (as a mail scanner would) only shows what will happen.
    page = client.get(link)
    assert page.status_code == 200
    assert "Wil je voortaan <strong>nieuw@example.org</strong> gebruiken" in text(page)
    assert reload(anna).email == "anna@example.org"

    response = confirm(client, link)
    assert response.status_code == 302
    assert "Je e-mailadres is gewijzigd in nieuw@example.org." in text(client.get("/account"))
    anna = reload(anna)
    assert anna.email == "nieuw@example.org"
    assert anna.email_verified_at is not None
    notices = outbox("anna@example.org")
    assert [m.subject for m in notices] == ["Je e-mailadres is gewijzigd"]
    assert "nieuw@example.org" in notices[0].body_text

    # The link works once; the new address logs in, the old one no longer does.
    again = isolated_client(app).get(link)
    assert again.status_code == 400
    assert LINK_INVALID in text(again)
    assert submit(isolated_client(app), link, {}, page="/inloggen").status_code == 400
    assert login(isolated_client(app), "nieuw@example.org").status_code == 302
    assert login(isolated_client(app), "anna@example.org").status_code == 200


def test_email_change_link_works_without_being_logged_in(client, anna, app):
    change_email(client, "nieuw@example.org")
    link = link_from(outbox("nieuw@example.org")[0], "/account/e-mailadres/")
    response = confirm(isolated_client(app), link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen"
    assert reload(anna).email == "nieuw@example.org"


def test_expired_email_change_link_is_refused(client, anna):
    change_email(client, "nieuw@example.org")
    link = link_from(outbox("nieuw@example.org")[0], "/account/e-mailadres/")
    token = db.session.execute(
        db.select(Token).where(Token.purpose == PURPOSE_EMAIL_CHANGE)
    ).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 400
    assert LINK_INVALID in text(response)
    assert submit(client, link, {}, page="/account").status_code == 400
    assert reload(anna).email == "anna@example.org"


def test_newer_email_change_retires_the_older(client, anna):
    change_email(client, "eerste@example.org")
    first = link_from(outbox("eerste@example.org")[0], "/account/e-mailadres/")
    change_email(client, "tweede@example.org")
    second = link_from(outbox("tweede@example.org")[0], "/account/e-mailadres/")
    assert client.get(first).status_code == 400
    assert submit(client, first, {}, page="/account").status_code == 400
    assert reload(anna).email == "anna@example.org"
    assert confirm(client, second).status_code == 302
    assert reload(anna).email == "tweede@example.org"


def test_email_already_taken_gets_the_same_answer_and_changes_nothing(app):
    make_user(email="bezet@example.org", name="Bea Bezet")
    anna = make_user(email="anna@example.org", name="Anna de Boer")
    free_client, taken_client = isolated_client(app), isolated_client(app)
    make_user(email="ben@example.org", name="Ben")
    login(free_client, "ben@example.org")
    login(taken_client, "anna@example.org")

    free = change_email(free_client, "vrij@example.org")
    taken = change_email(taken_client, "Bezet@Example.org")

    assert free.status_code == taken.status_code == 302
    assert free.headers["Location"] == taken.headers["Location"]
    assert EMAIL_LINK_SENT + " vrij@example.org" in text(free_client.get("/account"))
    assert EMAIL_LINK_SENT + " bezet@example.org" in text(taken_client.get("/account"))
    # The owner of the address is told; no link exists that could move it to Anna.
    assert [m.subject for m in outbox("bezet@example.org")] == [
        "Iemand probeerde jouw e-mailadres te gebruiken"
    ]
    assert outbox("anna@example.org") == []
    assert count(Token, Token.user_id == anna.id) == 0
    assert reload(anna).email == "anna@example.org"
    assert User.find_by_email("bezet@example.org").name == "Bea Bezet"


def test_email_taken_between_request_and_confirmation_is_refused(client, anna):
    change_email(client, "nieuw@example.org")
    link = link_from(outbox("nieuw@example.org")[0], "/account/e-mailadres/")
    make_user(email="nieuw@example.org", name="Sneller")
    response = confirm(client, link)
    assert response.status_code == 400
    assert LINK_INVALID in text(response)
    assert reload(anna).email == "anna@example.org"
    assert User.find_by_email("nieuw@example.org").name == "Sneller"


def test_email_change_confirmation_needs_a_csrf_token(client, anna):
    change_email(client, "nieuw@example.org")
    link = link_from(outbox("nieuw@example.org")[0], "/account/e-mailadres/")
    response = client.post(link)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in text(response)
    assert reload(anna).email == "anna@example.org"
    assert confirm(client, link).status_code == 302


def test_email_change_to_the_current_address(client, anna):
    response = change_email(client, "ANNA@example.org")
    assert response.status_code == 400
    assert "Dit is al je e-mailadres." in text(response)
    assert outbox() == []


@pytest.mark.parametrize("email", ["", "geen-adres", "a@b", "anna@example.org\x00", "x" * 300 + "@e.nl"])
def test_email_change_refuses_invalid_addresses(client, anna, email):
    response = change_email(client, email)
    assert response.status_code == 400
    assert "Niet alles is goed ingevuld" in text(response)
    assert outbox() == []
    assert count(Token) == 0


def test_email_change_retires_reset_links_sent_to_the_old_address(client, anna):
    submit(client, "/wachtwoord-vergeten", {"email": "anna@example.org"})
    handle_account_requests()
    reset = link_from(outbox("anna@example.org")[0], "/wachtwoord-herstellen/")
    change_email(client, "nieuw@example.org")
    confirm(client, link_from(outbox("nieuw@example.org")[0], "/account/e-mailadres/"))
    assert reload(anna).email == "nieuw@example.org"
    assert client.get(reset).status_code == 400


def test_email_change_rate_limit(client, anna):
    for number in range(5):
        assert change_email(client, f"adres{number}@example.org").status_code == 302
    response = change_email(client, "adres9@example.org")
    assert response.status_code == 429
    assert "Even rustig aan" in text(response)
    assert outbox("adres9@example.org") == []


# -- password ------------------------------------------------------------------------------------

def test_password_change_needs_the_current_password(client, anna):
    response = change_password(client, current="niet-mijn-wachtwoord")
    assert response.status_code == 400
    assert WRONG_PASSWORD in text(response)
    assert reload(anna).check_password(PASSWORD)
    assert outbox() == []


@pytest.mark.parametrize(
    "new, confirm, message",
    [
        ("kort", None, "Kies een wachtwoord van minstens 10 tekens."),
        ("wachtwoord123", None, "door veel mensen gebruikt"),
        ("password1234", None, "door veel mensen gebruikt"),
        ("x" * 201, None, "hoogstens 200 tekens"),
        ("anna12345", None, "minstens 10 tekens"),
        ("anna123456", None, "lijkt te veel op je e-mailadres"),
        ("Anna de Boer 2026", None, "lijkt te veel op je naam"),
        (NEW_PASSWORD, "iets-anders-dan-eerst", "De twee wachtwoorden zijn niet gelijk."),
        ("", "", "Kies een wachtwoord."),
    ],
)
def test_password_change_refuses_weak_passwords(client, anna, new, confirm, message):
    response = change_password(client, new=new, confirm=confirm)
    assert response.status_code == 400
    assert message in text(response)
    assert reload(anna).check_password(PASSWORD)
    assert outbox() == []


def session_ids(user):
    from app.models.accounts import UserSession

    return set(db.session.execute(  # token hashes: SQLite may give a new row an old id
        db.select(UserSession.token_hash).where(UserSession.user_id == user.id)).scalars())


def test_password_change_ends_other_sessions_but_not_this_one(client, anna, app):
    elsewhere = isolated_client(app)
    login(elsewhere, "anna@example.org")
    assert logged_in(elsewhere)
    sessions_before = session_ids(anna)
    assert len(sessions_before) == 2

    response = change_password(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Op andere apparaten ben je uitgelogd." in text(client.get("/account"))
    assert logged_in(client)
    other = elsewhere.get("/account")
    assert other.status_code == 302
    assert other.headers["Location"].startswith("/inloggen")
    anna = reload(anna)
    # Both old sessions ended; this browser goes on in a new one.
    remaining = session_ids(anna)
    assert len(remaining) == 1 and not remaining & sessions_before
    assert anna.check_password(NEW_PASSWORD)
    assert anna.password_hash.startswith("scrypt:")
    assert [m.subject for m in outbox("anna@example.org")] == ["Je wachtwoord is gewijzigd"]
    assert login(isolated_client(app), "anna@example.org", NEW_PASSWORD).status_code == 302
    assert login(isolated_client(app), "anna@example.org", PASSWORD).status_code == 200


def test_password_change_ends_remembered_logins_elsewhere(client, anna, app):
    elsewhere = isolated_client(app)
    submit(elsewhere, "/inloggen", {"email": "anna@example.org", "password": PASSWORD,
                                    "remember": "y"})
    change_password(client)
    elsewhere.delete_cookie("session")  # browser closed; only the remember cookie is left
    assert not logged_in(elsewhere)


def test_password_change_retires_open_reset_links(client, anna):
    submit(client, "/wachtwoord-vergeten", {"email": "anna@example.org"})
    handle_account_requests()
    reset = link_from(outbox("anna@example.org")[0], "/wachtwoord-herstellen/")
    change_password(client)
    assert client.get(reset).status_code == 400
    assert count(Token, Token.purpose == PURPOSE_RESET, Token.used_at.is_(None)) == 0


def test_email_taken_at_the_same_moment_as_the_confirmation_is_refused(client, anna, monkeypatch):
    """The address is registered by someone else while the confirmation runs (unique constraint)."""
    change_email(client, "nieuw@example.org")
    link = link_from(outbox("nieuw@example.org")[0], "/account/e-mailadres/")
    make_user(email="nieuw@example.org", name="Sneller")
    token = csrf_token(client, link)
    monkeypatch.setattr(User, "find_by_email", classmethod(lambda cls, email: None))
    response = client.post(link, data={"csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 400
    assert LINK_INVALID in text(response)
    assert reload(anna).email == "anna@example.org"
    assert User.find_by_email("nieuw@example.org").name == "Sneller"
    assert outbox("anna@example.org") == []
