"""Logging in and out, password reset, registration and e-mail verification, through the client."""
import re
import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.accounts import STATUS_SUSPENDED, Token, User
from app.timeutil import utcnow
from app.tokens import PURPOSE_RESET, PURPOSE_VERIFY
from tests.factories import PASSWORD, make_user
from tests.support import (
    csrf_token, handle_account_requests, isolated_client, link_from, login, outbox, reload, submit,
    text,
)

LOGIN_FAILED = "Dit e-mailadres en wachtwoord horen niet bij elkaar"
RESET_ANSWER = "Als er een account bij dit e-mailadres hoort"
LINK_INVALID = "werkt niet (meer)"
NEW_PASSWORD = "nieuwe-zin-voor-de-buurtmolen"


def without_tokens(page):
    """A page with its per-session CSRF tokens blanked, for comparing two answers."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page)


def logged_in(client):
    """True when the client's session belongs to a logged-in person."""
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    return False


def new_client(app):
    return isolated_client(app)


# -- login ---------------------------------------------------------------------------------------

def test_login_page_is_dutch_with_the_named_fields(client):
    response = client.get("/inloggen")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Inloggen</h1>" in page
    assert 'name="email"' in page and 'name="password"' in page
    assert 'type="password"' in page


def test_login_success(client):
    user = make_user(email="anna@example.org", name="Anna de Boer")
    assert user.last_login_at is None
    before = utcnow()

    response = login(client, "anna@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welkom terug, Anna de Boer." in text(client.get("/"))
    assert logged_in(client)
    assert "anna@example.org" in text(client.get("/account"))
    assert reload(user).last_login_at >= before - timedelta(seconds=1)


def test_login_ignores_case_and_spaces_in_the_address(client):
    make_user(email="anna@example.org")
    assert login(client, "  Anna@Example.ORG ").status_code == 302
    assert logged_in(client)


def test_logged_in_person_visiting_login_is_sent_on(client):
    make_user(email="anna@example.org")
    login(client, "anna@example.org")
    response = client.get("/inloggen")
    assert response.status_code == 302


def test_login_required_page_sends_back_after_login(client):
    make_user(email="anna@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")
    form_page = text(client.get(response.headers["Location"]))
    assert 'name="next" type="hidden" value="/account"' in form_page

    response = submit(client, "/inloggen", {"email": "anna@example.org", "password": PASSWORD,
                                            "next": "/account"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/account",
        "https://evil.example",
        "http://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_param_never_leaves_the_site(client, target):
    make_user(email="anna@example.org")
    page = text(client.get("/inloggen", query_string={"next": target}))
    assert "evil" not in page and "javascript" not in page

    response = submit(client, "/inloggen", {"email": "anna@example.org", "password": PASSWORD,
                                            "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in(client)


def test_login_failure_answers_the_same_for_unknown_address_and_wrong_password(app):
    user = make_user(email="bekend@example.org")
    known, unknown = new_client(app), new_client(app)

    wrong_password = login(known, "bekend@example.org", "niet-het-goede-wachtwoord")
    no_account = login(unknown, "onbekend@example.org", "niet-het-goede-wachtwoord")

    assert wrong_password.status_code == no_account.status_code == 200
    page_known, page_unknown = text(wrong_password), text(no_account)
    assert LOGIN_FAILED in page_known and LOGIN_FAILED in page_unknown
    assert (without_tokens(page_known).replace("bekend@example.org", "ADRES")
            == without_tokens(page_unknown).replace("onbekend@example.org", "ADRES"))
    # Nothing about the attempt is remembered or revealed.
    assert wrong_password.headers.get("Location") is None
    assert not logged_in(known) and not logged_in(unknown)
    assert reload(user).last_login_at is None
    assert outbox() == []


def test_login_with_empty_fields_gives_dutch_messages(client):
    page = text(submit(client, "/inloggen", {"email": "", "password": ""}))
    assert "Vul je e-mailadres in." in page
    assert "Vul je wachtwoord in." in page
    assert not logged_in(client)


def test_suspended_person_is_refused_with_the_reason_after_the_right_password(client):
    user = make_user(email="geschorst@example.org", status=STATUS_SUSPENDED,
                     suspension_reason="Herhaaldelijk reclame geplaatst")

    wrong = login(client, "geschorst@example.org", "niet-het-goede-wachtwoord")
    assert wrong.status_code == 200
    assert LOGIN_FAILED in text(wrong)
    assert "Je account is geschorst" not in text(wrong) and "reclame" not in text(wrong)

    right = login(client, "geschorst@example.org")
    assert right.status_code == 403
    page = text(right)
    assert "Je account is geschorst" in page
    assert "Herhaaldelijk reclame geplaatst" in page
    assert not logged_in(client)
    assert reload(user).last_login_at is None


def test_suspension_until_a_date_shows_it_and_ends_by_itself(client):
    until = utcnow() + timedelta(days=3)
    user = make_user(email="tijdelijk@example.org", status=STATUS_SUSPENDED, suspended_until=until)
    response = login(client, "tijdelijk@example.org")
    assert response.status_code == 403
    assert " tot " in text(response)

    user.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert login(client, "tijdelijk@example.org").status_code == 302
    assert logged_in(client)


def test_suspending_ends_an_existing_session(client):
    user = make_user(email="anna@example.org")
    login(client, "anna@example.org")
    assert logged_in(client)

    user.status = STATUS_SUSPENDED
    user.suspension_reason = "Onderzoek naar misbruik"
    db.session.commit()

    assert not logged_in(client)


def test_login_rate_limit_per_network_address(client):
    for attempt in range(10):
        response = login(client, f"iemand{attempt}@example.org", "niet-het-goede-wachtwoord")
        assert response.status_code == 200, attempt
    response = login(client, "iemand-anders@example.org", "niet-het-goede-wachtwoord")
    assert response.status_code == 429
    page = text(response)
    assert "Even rustig aan" in page
    assert "Wacht een paar minuten" in page
    assert '<html lang="nl">' in page


def guess(client, address, email="doelwit@example.org", password="raden-raden-raden"):
    client.environ_base["REMOTE_ADDR"] = address
    return login(client, email, password)


def sign_out(client):
    submit(client, "/uitloggen", {}, page="/account")


def test_guesses_from_one_address_are_slowed_and_the_owner_still_gets_in(app):
    make_user(email="doelwit@example.org")
    stranger = isolated_client(app)
    for attempt in range(8):
        assert guess(stranger, "192.0.2.66").status_code == 200, attempt
    # The ninth guess from that address is refused, even with the right password.
    assert guess(stranger, "192.0.2.66").status_code == 429
    assert guess(stranger, "192.0.2.66", password=PASSWORD).status_code == 429
    assert not logged_in(stranger)
    # The owner, elsewhere and on a device that never signed in here, gets in.
    owner = isolated_client(app)
    assert guess(owner, "198.51.100.7", password=PASSWORD).status_code == 302
    assert logged_in(owner)


def test_guesses_from_many_addresses_never_lock_the_owners_device(app):
    make_user(email="doelwit@example.org")
    owner = isolated_client(app)
    assert guess(owner, "198.51.100.7", password=PASSWORD).status_code == 302  # a known device
    sign_out(owner)
    stranger = isolated_client(app)
    answers = [guess(stranger, f"192.0.2.{attempt + 1}").status_code for attempt in range(32)]
    # Thirty wrong guesses an hour from devices that never signed in: then the account's limit.
    assert answers[:30] == [200] * 30 and answers[30:] == [429, 429]
    assert guess(stranger, "192.0.2.99", password=PASSWORD).status_code == 429
    assert not logged_in(stranger)
    # The owner's own browser is exempt from that limit: the same password lets them in.
    assert guess(owner, "198.51.100.7", password=PASSWORD).status_code == 302
    assert logged_in(owner)


def test_a_forged_device_cookie_is_not_trusted(app):
    make_user(email="doelwit@example.org")
    stranger = isolated_client(app)
    stranger.set_cookie("ck_apparaat", "WyJhYmMiXQ.nep")
    answers = [guess(stranger, f"192.0.2.{attempt + 1}").status_code for attempt in range(31)]
    assert answers[-1] == 429


def test_a_successful_sign_in_does_not_count_as_a_guess(app):
    make_user(email="doelwit@example.org")
    owner = isolated_client(app)
    for attempt in range(6):
        assert guess(owner, "198.51.100.7").status_code == 200  # six typing errors
    for _ in range(2):
        assert guess(owner, "198.51.100.7", password=PASSWORD).status_code == 302
        sign_out(owner)
    # Had the two sign-ins counted, the pair's eight would be used up; the errors go on counting.
    assert guess(owner, "198.51.100.7").status_code == 200
    assert guess(owner, "198.51.100.7").status_code == 200


def test_login_starts_a_fresh_session(client):
    make_user(email="anna@example.org")
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["geplant"] = "door een aanvaller"
    before = client.get_cookie("session").value

    login(client, "anna@example.org")

    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "geplant" not in session
        assert "_user_id" in session


def test_session_cookie_flags(client):
    make_user(email="anna@example.org")
    response = login(client, "anna@example.org")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# -- logout --------------------------------------------------------------------------------------

def test_logout_by_get_is_not_allowed(client):
    make_user(email="anna@example.org")
    login(client, "anna@example.org")
    response = client.get("/uitloggen")
    assert response.status_code == 405
    assert "Dit kan zo niet" in text(response)
    assert logged_in(client)


def test_logout_without_csrf_token_is_refused(client):
    make_user(email="anna@example.org")
    login(client, "anna@example.org")
    response = client.post("/uitloggen")
    assert response.status_code == 400
    assert "Het formulier is verlopen" in text(response)
    assert logged_in(client)


def test_logout_works(client):
    make_user(email="anna@example.org")
    login(client, "anna@example.org")
    response = submit(client, "/uitloggen", {}, page="/account")
    assert response.status_code == 302
    assert "Je bent uitgelogd." in text(client.get("/"))
    assert not logged_in(client)


def test_logout_also_forgets_a_remembered_login(client):
    make_user(email="anna@example.org")
    submit(client, "/inloggen", {"email": "anna@example.org", "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    submit(client, "/uitloggen", {}, page="/account")
    assert client.get_cookie("remember_token") is None
    assert not logged_in(client)


def test_remembered_login_survives_the_end_of_the_browser_session(client):
    make_user(email="anna@example.org")
    submit(client, "/inloggen", {"email": "anna@example.org", "password": PASSWORD, "remember": "y"})
    client.delete_cookie("session")
    assert logged_in(client)


# -- password reset ------------------------------------------------------------------------------

def request_reset(client, email):
    """Ask for a link, and let the worker send it (its account-requests job)."""
    response = submit(client, "/wachtwoord-vergeten", {"email": email})
    handle_account_requests()
    return response


def reset_link(email):
    messages = [m for m in outbox(email) if m.subject == "Een nieuw wachtwoord instellen"]
    return link_from(messages[-1], "/wachtwoord-herstellen/")


def set_new_password(client, link, password=NEW_PASSWORD, confirm=None):
    return submit(client, link, {"password": password, "confirm": confirm or password})


def test_reset_answers_the_same_for_known_and_unknown_addresses(app):
    make_user(email="bekend@example.org")
    known = request_reset(new_client(app), "bekend@example.org")
    unknown = request_reset(new_client(app), "onbekend@example.org")

    assert known.status_code == unknown.status_code == 200
    assert RESET_ANSWER in text(known)
    assert without_tokens(text(known)) == without_tokens(text(unknown))
    assert [m.recipient for m in outbox()] == ["bekend@example.org"]
    message = outbox()[0]
    assert message.body_html and "een uur geldig" in message.body_text
    assert message.body_text.count("http://localhost/wachtwoord-herstellen/") == 1


def test_reset_link_works_once(client, app):
    user = make_user(email="anna@example.org")
    request_reset(client, "anna@example.org")
    link = reset_link("anna@example.org")

    form = client.get(link)
    assert form.status_code == 200
    assert "Kies een nieuw wachtwoord" in text(form)

    response = set_new_password(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert logged_in(client)  # the reset logs the person in
    assert reload(user).check_password(NEW_PASSWORD)
    assert not reload(user).check_password(PASSWORD)
    assert [m.subject for m in outbox("anna@example.org")][-1] == "Je wachtwoord is gewijzigd"

    again = new_client(app).get(link)
    assert again.status_code == 400
    assert LINK_INVALID in text(again)
    # Posting to it again does not change the password either.
    other = new_client(app)
    response = submit(other, link, {"password": "nog-een-andere-zin-hier", "confirm":
                                    "nog-een-andere-zin-hier"}, page="/wachtwoord-vergeten")
    assert response.status_code == 400
    assert reload(user).check_password(NEW_PASSWORD)

    anonymous = new_client(app)
    assert login(anonymous, "anna@example.org", NEW_PASSWORD).status_code == 302
    assert LOGIN_FAILED in text(login(new_client(app), "anna@example.org", PASSWORD))


def test_reset_verifies_the_address(client):
    user = make_user(email="anna@example.org", verified=False)
    request_reset(client, "anna@example.org")
    set_new_password(client, reset_link("anna@example.org"))
    assert reload(user).email_verified_at is not None


def test_expired_reset_link_is_refused(client):
    user = make_user(email="anna@example.org")
    request_reset(client, "anna@example.org")
    link = reset_link("anna@example.org")
    token = db.session.execute(db.select(Token).where(Token.purpose == PURPOSE_RESET)).scalar_one()
    assert abs(token.expires_at - token.created_at - timedelta(hours=1)) < timedelta(seconds=5)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.get(link)
    assert response.status_code == 400
    assert LINK_INVALID in text(response)
    assert "Vraag een nieuwe link aan" in text(response)
    response = submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                      page="/wachtwoord-vergeten")
    assert response.status_code == 400
    assert reload(user).check_password(PASSWORD)


def test_unknown_or_mangled_reset_link_is_refused(client):
    for token in ("onzin", "x" * 500, "%00", "a%20b"):
        response = client.get("/wachtwoord-herstellen/" + token)
        assert response.status_code == 400, token
        assert LINK_INVALID in text(response)


def test_newer_reset_link_retires_the_older(client):
    user = make_user(email="anna@example.org")
    request_reset(client, "anna@example.org")
    first = reset_link("anna@example.org")
    request_reset(client, "anna@example.org")
    second = reset_link("anna@example.org")
    assert first != second

    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
    assert set_new_password(client, second).status_code == 302
    assert reload(user).check_password(NEW_PASSWORD)


def test_reset_ends_other_sessions(app):
    make_user(email="anna@example.org")
    elsewhere = new_client(app)
    login(elsewhere, "anna@example.org")
    assert logged_in(elsewhere)

    here = new_client(app)
    request_reset(here, "anna@example.org")
    set_new_password(here, reset_link("anna@example.org"))

    assert not logged_in(elsewhere)
    assert logged_in(here)


def test_reset_for_a_suspended_person_does_not_log_in(client):
    user = make_user(email="geschorst@example.org", status=STATUS_SUSPENDED)
    request_reset(client, "geschorst@example.org")
    response = set_new_password(client, reset_link("geschorst@example.org"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen"
    assert not logged_in(client)
    assert reload(user).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("kort", None, "Kies een wachtwoord van minstens 10 tekens."),
        ("negen-tkn", None, "Kies een wachtwoord van minstens 10 tekens."),
        ("x" * 201, None, "Een wachtwoord mag hoogstens 200 tekens lang zijn."),
        ("wachtwoord123", None, "door veel mensen gebruikt"),
        ("password1234", None, "door veel mensen gebruikt"),
        ("aaaaaaaaaaaa", None, "makkelijk te raden"),
        ("anna.jansen1", None, "lijkt te veel op je e-mailadres"),
        (NEW_PASSWORD, "iets-heel-anders-nog", "De twee wachtwoorden zijn niet gelijk."),
        ("", "", "Kies een wachtwoord."),
    ],
)
def test_reset_refuses_weak_passwords(client, password, confirm, message):
    user = make_user(email="anna.jansen@example.org")
    request_reset(client, "anna.jansen@example.org")
    link = reset_link("anna.jansen@example.org")

    response = set_new_password(client, link, password, confirm if confirm is not None else password)

    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Niet alles is goed ingevuld" in page
    assert reload(user).check_password(PASSWORD)
    # The link still works for a better choice.
    assert set_new_password(client, link).status_code == 302


def test_reset_request_with_invalid_address_gives_a_dutch_message(client):
    response = request_reset(client, "geen-adres")
    assert response.status_code == 200
    assert "Dit is geen geldig e-mailadres." in text(response)
    assert outbox() == []


def test_reset_rate_limit(client):
    make_user(email="anna@example.org")
    for _ in range(5):
        assert request_reset(client, "anna@example.org").status_code == 200
    response = request_reset(client, "anna@example.org")
    assert response.status_code == 429
    assert "Even rustig aan" in text(response)
    assert len(outbox("anna@example.org")) == 5


# -- registration and verification --------------------------------------------------------------

def register(client, email="nieuw@example.org", name="Nieuwe Persoon", password=NEW_PASSWORD,
             confirm=None):
    """Register, and let the worker act on it (its account-requests job)."""
    response = submit(client, "/registreren", {
        "name": name, "email": email, "password": password,
        "confirm": confirm if confirm is not None else password})
    handle_account_requests()
    return response


def test_the_same_registration_sent_twice_makes_one_account_and_one_mail(app):
    first, second = new_client(app), new_client(app)
    for client in (first, second):
        submit(client, "/registreren", {"name": "Nieuwe Persoon", "email": "nieuw@example.org",
                                         "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert User.find_by_email("nieuw@example.org") is None  # the worker creates it
    handle_account_requests()
    assert User.find_by_email("nieuw@example.org").check_password(NEW_PASSWORD)
    assert [m.subject for m in outbox("nieuw@example.org")] == ["Bevestig je e-mailadres"]


def verify_link(email):
    messages = [m for m in outbox(email) if m.subject == "Bevestig je e-mailadres"]
    return link_from(messages[-1], "/e-mailadres-bevestigen/")


def test_registration_creates_an_unverified_account_and_sends_a_link(client):
    response = register(client, email="Nieuw@Example.org")
    assert response.status_code == 200
    assert "Kijk in je mailbox" in text(response)

    user = User.find_by_email("nieuw@example.org")
    assert user is not None
    assert user.email == "nieuw@example.org"
    assert user.name == "Nieuwe Persoon"
    assert user.role == "member"
    assert user.email_verified_at is None
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(NEW_PASSWORD)
    messages = outbox("nieuw@example.org")
    assert [m.subject for m in messages] == ["Bevestig je e-mailadres"]
    assert "48 uur" in messages[0].body_text
    token = db.session.execute(db.select(Token).where(Token.purpose == PURPOSE_VERIFY)).scalar_one()
    assert abs(token.expires_at - token.created_at - timedelta(hours=48)) < timedelta(seconds=5)


def test_registering_an_existing_address_looks_the_same_and_tells_the_owner(app):
    owner = make_user(email="bestaand@example.org", name="Eigenaar")
    fresh = register(new_client(app), email="vers@example.org")
    taken = register(new_client(app), email="Bestaand@Example.org", name="Indringer",
                     password="een-heel-andere-zin-hier")

    assert fresh.status_code == taken.status_code == 200
    assert (text(fresh).replace("vers@example.org", "ADRES")
            == text(taken).replace("bestaand@example.org", "ADRES"))
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 2
    owner = reload(owner)
    assert owner.name == "Eigenaar"
    assert owner.check_password(PASSWORD)
    assert [m.subject for m in outbox("bestaand@example.org")] == [
        "Je hebt al een account bij CollectieveKracht"
    ]
    assert db.session.execute(
        db.select(Token).where(Token.user_id == owner.id)
    ).scalars().all() == []


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"password": "kort"}, "minstens 10 tekens"),
        ({"password": "wachtwoord123"}, "door veel mensen gebruikt"),
        ({"confirm": "iets-anders-dan-eerst"}, "De twee wachtwoorden zijn niet gelijk."),
        ({"name": "   "}, "Vul je naam in."),
        ({"email": "niet-een-adres"}, "Dit is geen geldig e-mailadres."),
        ({"name": "Marieke van Dam", "password": "Marieke van Dam"}, "lijkt te veel op je naam"),
    ],
)
def test_registration_refuses_bad_input(client, fields, message):
    data = {"name": "Nieuwe Persoon", "email": "nieuw@example.org", "password": NEW_PASSWORD}
    data.update(fields)
    data.setdefault("confirm", data["password"])
    response = submit(client, "/registreren", data)
    assert response.status_code == 200
    assert message in text(response)
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 0
    assert outbox() == []


def test_verification_link_works_once(client, app):
    register(client)
    link = verify_link("nieuw@example.org")

    response = client.get(link)
    assert response.status_code == 302
    user = User.find_by_email("nieuw@example.org")
    assert user.email_verified_at is not None
    assert "Je e-mailadres is bevestigd" in text(client.get(response.headers["Location"]))

    again = new_client(app).get(link)
    assert again.status_code == 400
    assert LINK_INVALID in text(again)


def test_expired_verification_link_is_refused(client):
    register(client)
    link = verify_link("nieuw@example.org")
    token = db.session.execute(db.select(Token).where(Token.purpose == PURPOSE_VERIFY)).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.get(link)
    assert response.status_code == 400
    assert LINK_INVALID in text(response)
    assert User.find_by_email("nieuw@example.org").email_verified_at is None


def test_unverified_person_can_log_in_and_is_reminded(client):
    make_user(email="anna@example.org", verified=False)
    login(client, "anna@example.org")
    page = text(client.get("/account"))
    assert "Bevestig je e-mailadres" in page
    assert "Stuur de bevestigingsmail opnieuw" in page


def test_resend_verification(client):
    user = make_user(email="anna@example.org", verified=False)
    login(client, "anna@example.org")
    submit(client, "/e-mailadres-bevestigen", {}, page="/account")
    first = verify_link("anna@example.org")

    response = submit(client, "/e-mailadres-bevestigen", {}, page="/account")
    assert response.status_code == 302
    assert "nieuwe bevestigingslink gestuurd" in text(client.get("/account"))
    second = verify_link("anna@example.org")
    assert first != second
    assert len(outbox("anna@example.org")) == 2

    assert client.get(first).status_code == 400  # the newer link retired the older
    assert client.get(second).status_code == 302
    assert reload(user).email_verified_at is not None
    assert "Bevestig je e-mailadres" not in text(client.get("/account"))


def test_resend_verification_when_already_verified_sends_nothing(client):
    make_user(email="anna@example.org")
    login(client, "anna@example.org")
    response = submit(client, "/e-mailadres-bevestigen", {}, page="/account")
    assert response.status_code == 302
    assert outbox() == []
    assert "al bevestigd" in text(client.get("/account"))


def test_resend_verification_needs_login_and_csrf(client):
    response = submit(client, "/e-mailadres-bevestigen", {}, page="/inloggen")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    make_user(email="anna@example.org", verified=False)
    login(client, "anna@example.org")
    response = client.post("/e-mailadres-bevestigen")
    assert response.status_code == 400
    assert outbox() == []
    assert client.get("/e-mailadres-bevestigen").status_code == 405


def test_csrf_token_is_required_on_login(client):
    make_user(email="anna@example.org")
    response = client.post("/inloggen", data={"email": "anna@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in text(response)
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"email": "anna@example.org", "password": PASSWORD,
                                              "csrf_token": token[:-2] + "xx"})
    assert response.status_code == 400
    assert not logged_in(client)


def test_double_submitted_registration_answers_normally(client, monkeypatch):
    """Two requests for the same new address at once: the second hits the unique constraint."""
    register(client, email="dubbel@example.org")
    # Let the second request miss the first one's account, as a parallel request would.
    monkeypatch.setattr(User, "find_by_email", classmethod(lambda cls, email: None))
    response = register(client, email="dubbel@example.org", name="Tweede Klik")
    monkeypatch.undo()
    assert response.status_code == 200
    assert "Kijk in je mailbox" in text(response)
    users = db.session.execute(db.select(User)).scalars().all()
    assert [(u.email, u.name) for u in users] == [("dubbel@example.org", "Nieuwe Persoon")]
    assert len(outbox("dubbel@example.org")) == 1


# -- no timing tell -----------------------------------------------------------------------------

def _median_ms(samples):
    samples = sorted(samples)
    return 1000 * samples[len(samples) // 2]


def _timing_gap(client, path, first, second, rounds):
    """(median duration of posting `first` in ms, median gap to `second` in ms, share of pairs in
    which `first` was slower). The forms are posted in adjacent pairs, alternating which goes
    first, so a change in the machine's load hits both of a pair alike."""
    durations, gaps = [], []
    for number in range(rounds):
        pair = {}
        for name in (("a", "b") if number % 2 else ("b", "a")):
            form = (first if name == "a" else second)(number)
            start = time.perf_counter()
            response = submit(client, path, form)
            pair[name] = time.perf_counter() - start
            assert response.status_code == 200
        durations.append(pair["a"])
        gaps.append(pair["a"] - pair["b"])
    slower = sum(gap > 0 for gap in gaps) / len(gaps)
    return _median_ms(durations), _median_ms(gaps), slower


def assert_no_timing_tell(duration, gap, slower):
    """No consistent difference: one answer is not slower in most pairs (a real tell makes it
    slower in nearly all), or the median gap is within 10 % (at least 0.3 ms). A busy machine
    adds noise to both sides of a pair, not a direction."""
    assert 0.25 <= slower <= 0.75 or abs(gap) < max(0.3, 0.10 * duration), (
        f"median {duration:.2f} ms, gap {gap:.2f} ms, slower in {slower:.0%} of the pairs")


@pytest.fixture
def unlimited(monkeypatch):
    from app.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", False)


def test_forgot_password_takes_as_long_for_a_known_as_for_an_unknown_address(client, unlimited):
    """The request records the address in both cases; the worker sends the link later."""
    make_user(email="bestaat@example.org")
    assert_no_timing_tell(*_timing_gap(
        client, "/wachtwoord-vergeten",
        lambda n: {"email": "bestaat@example.org"},
        lambda n: {"email": f"bestaat-niet-{n}@example.org"}, rounds=60))
    # Nothing was sent yet; the worker sends one link per request for the known address only.
    assert outbox("bestaat@example.org") == []
    assert handle_account_requests() == 60
    assert len(outbox("bestaat@example.org")) == 60
    assert [m for m in outbox() if "bestaat-niet" in m.recipient] == []


def test_registration_takes_as_long_for_a_taken_as_for_a_new_address(client, unlimited):
    make_user(email="bestaat@example.org")

    def form(email):
        return {"name": "Iemand Anders", "email": email, "password": "een-lange-zin-voor-de-molen",
                "confirm": "een-lange-zin-voor-de-molen"}

    assert_no_timing_tell(*_timing_gap(
        client, "/registreren",
        lambda n: form("bestaat@example.org"), lambda n: form(f"nieuw-{n}@example.org"),
        rounds=40))


def test_a_reset_request_older_than_an_hour_is_dropped_unsent(client):
    from app.models.accounts import AccountRequest

    make_user(email="bestaat@example.org")
    submit(client, "/wachtwoord-vergeten", {"email": "bestaat@example.org"})
    request_row = db.session.execute(db.select(AccountRequest)).scalar_one()
    request_row.created_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    assert handle_account_requests() == 0
    assert outbox("bestaat@example.org") == []
    assert db.session.execute(db.select(AccountRequest)).first() is None
