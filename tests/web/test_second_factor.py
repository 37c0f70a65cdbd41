"""Two-step sign-in through the pages, as people use it: setting it up from /account, signing in
with a code or a recovery code, the forced setup for staff and research access, codes that cannot
be replayed or guessed, turning it off, and a moderator's reset."""
import re
import time

import pytest

from app.accounts import second_factor
from app.extensions import db
from app.models.accounts import RecoveryCode, UserSession
from app.models.audit import AuditLog
from tests.factories import PASSWORD, cheap_passwords, make_user
from tests.support import (
    SECOND_STEP,
    csrf_token,
    fresh_code,
    give_second_factor,
    isolated_client,
    login,
    outbox,
    reload,
    submit,
    text,
)

SETUP = "/account/tweestapsverificatie"


@pytest.fixture
def anna():
    user = make_user(email="anna@example.org", name="Anna de Vries")
    cheap_passwords(user)
    return user


def password_step(client, email="anna@example.org", password=PASSWORD):
    return submit(client, "/inloggen", {"email": email, "password": password})


def signed_in(client):
    return client.get("/account").status_code == 200


def setup_secret(client):
    """The secret the setup page shows (spaces removed), after GETting it."""
    page = text(client.get(SETUP))
    match = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7 ]+)</code>', page)
    assert match, page
    return match.group(1).replace(" ", "")


def turn_on(client):
    """Set up a second factor through the pages; returns (secret, recovery codes)."""
    secret = setup_secret(client)
    response = submit(client, SETUP, {"code": second_factor.current_code(secret)})
    assert response.status_code == 200, text(response)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", text(response))
    return secret, codes


def wrong_code(secret):
    """Six digits that are no code of `secret` in the accepted window."""
    now = time.time()
    window = {second_factor.current_code(secret, now + drift) for drift in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in window)


# -- setting it up -----------------------------------------------------------------------------

def test_a_member_sets_it_up_with_a_qr_code_and_gets_ten_recovery_codes_once(app, client, anna):
    login(client, "anna@example.org")
    account = text(client.get("/account"))
    assert "Tweestapsverificatie instellen" in account
    page = client.get(SETUP)
    body = text(page)
    assert page.status_code == 200
    assert "<svg" in body and "QR-code om te scannen" in body  # drawn by the app itself
    assert "https://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    secret = setup_secret(client)
    assert setup_secret(client) == secret  # a reload shows the same code to scan

    response = submit(client, SETUP, {"code": second_factor.current_code(secret)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", text(response))
    assert len(codes) == 10 and len(set(codes)) == 10
    anna = reload(anna)
    assert anna.has_second_factor and anna.totp_secret == secret
    stored = db.session.execute(db.select(RecoveryCode.code_hash)).scalars().all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    assert [m.subject for m in outbox("anna@example.org")][-1] == "Tweestapsverificatie staat aan"
    assert "Aan" in text(client.get("/account"))
    assert "abcde" not in text(client.get(SETUP)) and codes[0] not in text(client.get(SETUP))


def test_a_wrong_first_code_changes_nothing_and_says_why(app, client, anna):
    login(client, "anna@example.org")
    secret = setup_secret(client)
    wrong = wrong_code(secret)
    for code in (wrong, "12345", "abcdef", "1" * 30, ""):
        response = submit(client, SETUP, {"code": code})
        assert response.status_code == 400
        assert "code" in text(response).lower()
    assert not reload(anna).has_second_factor
    assert db.session.execute(db.select(RecoveryCode)).first() is None


def test_turning_it_on_signs_out_the_other_devices(app, client, anna):
    login(client, "anna@example.org")
    other = isolated_client(app)
    login(other, "anna@example.org")
    assert signed_in(other)
    turn_on(client)
    assert signed_in(client)
    assert not signed_in(other)


def test_setup_needs_a_login_and_csrf(app, client, anna):
    assert client.get(SETUP).status_code == 302
    assert client.post(SETUP, data={"code": "123456"}).status_code in (302, 400)
    login(client, "anna@example.org")
    secret = setup_secret(client)
    response = client.post(SETUP, data={"code": second_factor.current_code(secret)})
    assert response.status_code == 400
    assert not reload(anna).has_second_factor


# -- signing in --------------------------------------------------------------------------------

def test_with_a_second_factor_the_password_alone_does_not_sign_in(app, client, anna):
    give_second_factor(anna)
    response = password_step(client)
    assert response.status_code == 302 and response.headers["Location"].endswith(SECOND_STEP)
    assert not signed_in(client)
    assert db.session.execute(db.select(UserSession)).first() is None
    page = client.get(SECOND_STEP)
    assert page.status_code == 200 and "Nog één stap" in text(page)

    response = submit(client, SECOND_STEP, {"code": fresh_code(anna)})
    assert response.status_code == 302
    assert signed_in(client)


def test_a_wrong_code_is_refused_in_dutch(app, client, anna):
    give_second_factor(anna)
    password_step(client)
    response = submit(client, SECOND_STEP, {"code": wrong_code(reload(anna).totp_secret)})
    assert response.status_code == 400
    assert "Deze code klopt niet" in text(response)
    assert not signed_in(client)


def test_the_second_step_cannot_be_reached_without_the_password(app, client, anna):
    give_second_factor(anna)
    response = client.get(SECOND_STEP)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert submit(client, SECOND_STEP, {"code": fresh_code(anna)}, page="/inloggen").status_code == 302
    assert not signed_in(client)


def test_the_second_step_expires_after_ten_minutes(app, client, anna):
    give_second_factor(anna)
    password_step(client)
    with client.session_transaction() as session:
        session["second_step"] = dict(session["second_step"], at=int(time.time()) - 601)
    response = submit(client, SECOND_STEP, {"code": fresh_code(anna)}, page="/inloggen")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert not signed_in(client)


def test_a_used_code_cannot_be_replayed_from_another_browser(app, client, anna):
    give_second_factor(anna)
    code = fresh_code(anna)
    password_step(client)
    assert submit(client, SECOND_STEP, {"code": code}).status_code == 302
    thief = isolated_client(app)
    password_step(thief)
    response = submit(thief, SECOND_STEP, {"code": code})
    assert response.status_code == 400
    assert not signed_in(thief)


def test_a_recovery_code_signs_in_once(app, client, anna):
    login(client, "anna@example.org")
    _, codes = turn_on(client)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/account")})
    password_step(client)
    response = submit(client, SECOND_STEP, {"code": codes[3].upper().replace("-", " ")},
                      follow_redirects=True)
    assert signed_in(client)
    assert "je hebt er nog 9" in text(response)

    other = isolated_client(app)
    password_step(other)
    assert submit(other, SECOND_STEP, {"code": codes[3]}).status_code == 400
    assert not signed_in(other)


def test_wrong_codes_are_limited_per_account_whatever_the_browser(app, anna):
    give_second_factor(anna)
    bob = make_user(email="bob@example.org", name="Bob")
    cheap_passwords(bob)
    give_second_factor(bob)
    for attempt in range(5):
        guesser = isolated_client(app)
        password_step(guesser)
        assert submit(guesser, SECOND_STEP, {"code": "99999x"}).status_code == 400
    owner = isolated_client(app)
    password_step(owner)
    assert submit(owner, SECOND_STEP, {"code": fresh_code(anna)}).status_code == 429
    assert not signed_in(owner)
    # Another account's budget is its own.
    other = isolated_client(app)
    password_step(other, "bob@example.org")
    assert submit(other, SECOND_STEP, {"code": fresh_code(bob)}).status_code == 302


# -- required for staff and research access ----------------------------------------------------

@pytest.mark.parametrize("role, research", [("moderator", False), ("admin", False),
                                            ("partner", True)])
def test_who_must_have_one_is_led_through_setup_and_can_do_nothing_else(app, client, role, research):
    person = make_user(email="staf@example.org", name="Sam Staf", role=role,
                       research_access=research)
    cheap_passwords(person)
    response = password_step(client, "staf@example.org")
    assert response.status_code == 302  # no second step yet: there is none to ask for
    for url in ("/", "/account", "/beheer", "/forum", "/zoeken?q=energie"):
        response = client.get(url)
        assert response.status_code == 303 and response.headers["Location"].endswith(SETUP), url
    # Nor can anything be posted meanwhile.
    token = csrf_token(client, SETUP)
    response = client.post("/account/profiel", data={"csrf_token": token, "name": "Ander"})
    assert response.status_code == 303
    assert reload(person).name == "Sam Staf"
    page = client.get(SETUP)
    assert page.status_code == 200 and "verplicht" in text(page)
    stylesheets = re.findall(r'<link[^>]+href="([^"]+\.css[^"]*)"', text(page))
    assert stylesheets and all(client.get(url).status_code == 200 for url in stylesheets)

    turn_on(client)
    assert client.get("/account").status_code == 200
    if role != "partner":
        assert client.get("/beheer").status_code == 200
    # Logging out was possible all along; the next sign-in asks for a code.
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/account")})
    assert password_step(client, "staf@example.org").headers["Location"].endswith(SECOND_STEP)


def test_partners_without_research_access_and_members_are_not_forced(app, client):
    partner = make_user(email="partner@example.org", name="Pam", role="partner")
    cheap_passwords(partner)
    password_step(client, "partner@example.org")
    assert client.get("/account").status_code == 200


def test_who_must_have_one_cannot_turn_it_off(app, client, moderator):
    cheap_passwords(moderator)
    login(client, "moderator@example.org")
    page = text(client.get(SETUP))
    assert "Uitzetten" not in page
    response = submit(client, "/account/tweestapsverificatie/uitzetten",
                      {"current_password": PASSWORD, "code": fresh_code(moderator)}, page=SETUP,
                      follow_redirects=True)
    assert "verplicht" in text(response)
    assert reload(moderator).has_second_factor


# -- turning it off, new codes, a new phone ----------------------------------------------------

def test_turning_it_off_needs_the_password_and_a_code(app, client, anna):
    login(client, "anna@example.org")
    secret, codes = turn_on(client)
    url = "/account/tweestapsverificatie/uitzetten"
    assert submit(client, url, {"current_password": "fout-wachtwoord-1", "code": fresh_code(anna)},
                  page=SETUP).status_code == 400
    assert submit(client, url, {"current_password": PASSWORD, "code": "abcde-fghjk"},
                  page=SETUP).status_code == 400
    assert submit(client, url, {"current_password": PASSWORD, "code": ""}, page=SETUP).status_code == 400
    assert reload(anna).has_second_factor
    response = submit(client, url, {"current_password": PASSWORD, "code": codes[0]}, page=SETUP,
                      follow_redirects=True)
    assert "Tweestapsverificatie staat uit" in text(response)
    anna = reload(anna)
    assert not anna.has_second_factor and anna.totp_secret is None
    assert db.session.execute(db.select(RecoveryCode)).first() is None
    assert outbox("anna@example.org")[-1].subject == "Tweestapsverificatie staat uit"


def test_new_recovery_codes_replace_the_old_ones(app, client, anna):
    login(client, "anna@example.org")
    _, old = turn_on(client)
    url = "/account/tweestapsverificatie/herstelcodes"
    assert submit(client, url, {"code": "12"}, page=SETUP).status_code == 400
    response = submit(client, url, {"code": fresh_code(anna)}, page=SETUP)
    assert response.status_code == 200
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", text(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert not second_factor.use_recovery_code(reload(anna), old[0])
    assert second_factor.use_recovery_code(reload(anna), new[0])


def test_moving_to_a_new_phone_needs_the_password_and_the_new_code(app, client, anna):
    login(client, "anna@example.org")
    old_secret, _ = turn_on(client)
    page = client.get("/account/tweestapsverificatie/verplaatsen")
    assert page.status_code == 200 and "Huidig wachtwoord" in text(page)
    new_secret = re.search(r'<code class="secret-key"[^>]*>([A-Z2-7 ]+)</code>',
                           text(page)).group(1).replace(" ", "")
    assert new_secret != old_secret
    code = second_factor.current_code(new_secret)
    assert submit(client, SETUP, {"code": code, "current_password": ""},
                  page="/account/tweestapsverificatie/verplaatsen").status_code == 400
    assert reload(anna).totp_secret == old_secret
    response = submit(client, SETUP, {"code": code, "current_password": PASSWORD},
                      page="/account/tweestapsverificatie/verplaatsen")
    assert response.status_code == 200
    assert reload(anna).totp_secret == new_secret
    assert outbox("anna@example.org")[-1].subject == "Je tweestapsverificatie is verplaatst"


# -- a moderator resets it ---------------------------------------------------------------------

def test_a_moderator_resets_a_lost_second_factor_with_an_audit_entry_and_an_email(
        app, client, anna, moderator):
    give_second_factor(anna)
    anna_browser = isolated_client(app)
    login(anna_browser, "anna@example.org")
    cheap_passwords(moderator)
    login(client, "moderator@example.org")
    url = f"/beheer/leden/{anna.id}/tweestapsverificatie-uitzetten"
    page = f"/beheer/leden/{anna.id}"
    assert "Tweestapsverificatie uitzetten" in text(client.get(page))
    assert submit(client, url, {"reason": ""}, page=page).status_code == 400
    assert reload(anna).has_second_factor
    response = submit(client, url, {"reason": "Telefoon gestolen; gebeld en gecontroleerd."},
                      page=page, follow_redirects=True)
    assert "staat uit" in text(response)
    assert not reload(anna).has_second_factor
    entry = db.session.execute(db.select(AuditLog).order_by(AuditLog.id.desc())).scalars().first()
    assert entry.action == "member.second_factor_reset" and entry.target_id == anna.id
    assert entry.details["reason"].startswith("Telefoon gestolen")
    mail = outbox("anna@example.org")[-1]
    assert mail.subject == "Je tweestapsverificatie is uitgezet door een beheerder"
    assert "Telefoon gestolen" in mail.body_text
    assert not signed_in(anna_browser)


def test_only_staff_reset_and_moderators_not_for_staff(app, client, anna, moderator, admin_user):
    give_second_factor(anna)
    give_second_factor(admin_user)
    cheap_passwords(anna, moderator)
    bob = make_user(email="bob@example.org", name="Bob")
    cheap_passwords(bob)
    login(client, "bob@example.org")
    url = f"/beheer/leden/{anna.id}/tweestapsverificatie-uitzetten"
    assert submit(client, url, {"reason": "x"}, page="/account").status_code == 403
    moderator_client = isolated_client(app)
    login(moderator_client, "moderator@example.org")
    response = submit(moderator_client, f"/beheer/leden/{admin_user.id}/tweestapsverificatie-uitzetten",
                      {"reason": "x"}, page="/beheer")
    assert response.status_code == 403
    assert moderator_client.post(url, data={"reason": "geen token"}).status_code == 400
    assert reload(anna).has_second_factor and reload(admin_user).has_second_factor
    response = submit(moderator_client, f"/beheer/leden/{moderator.id}/tweestapsverificatie-uitzetten",
                      {"reason": "zelf"}, page="/beheer")
    assert response.status_code == 403  # one's own: through /account, or another administrator
    assert reload(moderator).has_second_factor
