"""Joining from a collective's page brings the person back to it: "Account aanmaken" carries the
page along, the verification link (opened on any device) leads to the login form with the address
filled in, and logging in lands on the collective's page with the join button. Never to another
site, and registering still answers the same whether or not the address has an account."""
import html
import re

import pytest

from app.accounts.auth import PURPOSE_REGISTRATION_NEXT, request_registration
from app.extensions import db
from app.models.accounts import Token, User
from app.models.collectives import JOIN_PENDING
from app.tokens import PURPOSE_VERIFY
from tests.factories import PASSWORD, make_collective, make_user, member_of
from tests.fixtures.collectives import join_requests
from tests.support import (
    csrf_token, handle_account_requests, isolated_client, link_from, login, outbox, submit, text,
)

DETAIL = "/collectieven/windvang"
JOIN_ACTION = 'action="/collectieven/windvang/lid-worden"'
VERIFY_SUBJECT = "Bevestig je e-mailadres"
BACK = "Na het inloggen ga je terug naar De Windvang."


@pytest.fixture
def windvang():
    collective = make_collective("De Windvang", slug="windvang")
    member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    return collective


def hrefs(page, label):
    """The (unescaped) targets of the links or buttons with this text."""
    return [html.unescape(href) for href, text_ in
            re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>', page) if text_.strip() == label]


def hidden_next(page):
    match = re.search(r'<input[^>]*name="next"[^>]*>', page)
    assert match, "no next field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def email_value(page):
    match = re.search(r'<input[^>]*name="email"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def register(client, url, email="bas@example.org", name="Bas Buurman", **extra):
    """Fill in the registration form found at `url`, sending what the page carries along."""
    page = text(client.get(url))
    data = {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD,
            "next": hidden_next(page), "csrf_token": csrf_token(client, url)}
    data.update(extra)
    response = client.post("/registreren", data=data)
    assert response.status_code == 200 and "Kijk in je mailbox" in text(response)
    handle_account_requests()  # the worker creates the account and sends the link
    return response


def verify_link(email="bas@example.org"):
    return link_from([m for m in outbox(email) if m.subject == VERIFY_SUBJECT][-1],
                     "/e-mailadres-bevestigen/")


# -- the whole way back ----------------------------------------------------------------------------

def test_register_from_a_collective_page_and_come_back_to_its_join_button(app, client, windvang):
    page = text(client.get(DETAIL))
    [register_url] = hrefs(page, "Account aanmaken")
    assert register_url == "/registreren?next=/collectieven/windvang"
    assert "/inloggen?next=/collectieven/windvang" in hrefs(page, "Inloggen")
    form_page = text(client.get(register_url))
    assert hidden_next(form_page) == DETAIL
    assert "Na het bevestigen en inloggen ga je terug naar De Windvang." in form_page
    assert hrefs(form_page, "Log in") == ["/inloggen?next=/collectieven/windvang"]

    register(client, register_url)
    # The link is opened on another device (a phone): the way back travels in the link itself.
    phone = isolated_client(app)
    response = phone.get(verify_link())
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen?next=/collectieven/windvang"
    assert "bas@example.org" not in response.headers["Location"]
    login_page = text(phone.get(response.headers["Location"]))
    assert "Je e-mailadres is bevestigd" in login_page
    assert email_value(login_page) == "bas@example.org"
    assert hidden_next(login_page) == DETAIL
    assert BACK in login_page
    # Filled in once: the next visit of the login form starts empty again.
    assert email_value(text(phone.get("/inloggen"))) == ""

    response = submit(phone, "/inloggen", {"email": "bas@example.org", "password": PASSWORD,
                                           "next": DETAIL})
    assert response.status_code == 302 and response.headers["Location"] == DETAIL
    page = text(phone.get(DETAIL))
    assert JOIN_ACTION in page and 'value="Lidmaatschap aanvragen"' in page

    # One click: the message is optional.
    response = phone.post("/collectieven/windvang/lid-worden",
                          data={"csrf_token": csrf_token(phone, DETAIL)})
    assert response.status_code == 302 and response.headers["Location"] == DETAIL
    [request] = join_requests()
    assert request.status == JOIN_PENDING and request.collective_id == windvang.id
    assert User.find_by_email("bas@example.org").email_verified_at is not None


def test_verifying_while_logged_in_goes_straight_back_to_the_collective(client, windvang):
    register(client, f"/registreren?next={DETAIL}")
    login(client, "bas@example.org")  # before verifying: asked to verify first
    assert "Bevestig eerst je e-mailadres" in text(client.get(DETAIL))
    response = client.get(verify_link())
    assert response.status_code == 302 and response.headers["Location"] == DETAIL
    assert JOIN_ACTION in text(client.get(DETAIL))


def test_a_link_sent_again_keeps_the_way_back(app, client, windvang):
    register(client, f"/registreren?next={DETAIL}")
    login(client, "bas@example.org")
    submit(client, "/e-mailadres-bevestigen", {}, page="/account")
    assert len([m for m in outbox("bas@example.org") if m.subject == VERIFY_SUBJECT]) == 2
    response = isolated_client(app).get(verify_link())
    assert response.headers["Location"] == "/inloggen?next=/collectieven/windvang"


def test_without_a_page_to_return_to_verification_leads_to_the_plain_login_form(app, client):
    make_collective("De Windvang", slug="windvang")
    register(client, "/registreren")
    response = isolated_client(app).get(verify_link())
    assert response.headers["Location"] == "/inloggen"
    token = db.session.execute(db.select(Token).where(Token.purpose == PURPOSE_VERIFY)).scalar_one()
    assert token.payload is None


def test_the_login_form_names_only_a_collective_page(client, windvang):
    assert BACK in text(client.get(f"/inloggen?next={DETAIL}"))
    for target in ("/account", "/collectieven/bestaat-niet", "/collectieven", "/forum"):
        page = text(client.get("/inloggen", query_string={"next": target}))
        assert "Na het inloggen ga je terug" not in page


def test_a_logged_in_person_opening_login_with_next_goes_there(client, windvang):
    make_user(email="anna@example.org")
    login(client, "anna@example.org")
    assert client.get(f"/inloggen?next={DETAIL}").headers["Location"] == DETAIL
    assert client.get("/inloggen?next=//evil.example").headers["Location"] == "/"


# -- never to another site -----------------------------------------------------------------------

EVIL = [
    "//evil.example",
    "//evil.example/collectieven/windvang",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("target", EVIL)
def test_next_to_another_site_is_dropped_on_the_whole_way(app, client, windvang, target):
    page = text(client.get("/registreren", query_string={"next": target}))
    assert "evil" not in page and "javascript" not in page
    assert hidden_next(page) == ""

    register(client, "/registreren", next=target)  # posted straight, not from the page
    assert db.session.execute(
        db.select(Token).where(Token.purpose == PURPOSE_REGISTRATION_NEXT)).scalars().all() == []
    response = isolated_client(app).get(verify_link())
    assert response.headers["Location"] == "/inloggen"

    response = submit(client, "/inloggen", {"email": "bas@example.org", "password": PASSWORD,
                                            "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_a_registration_keeps_no_foreign_target(target):
    request_registration("Bas Buurman", "bas@example.org", PASSWORD, next_url=target)
    db.session.commit()
    assert db.session.execute(db.select(Token)).scalars().all() == []


def test_a_failed_registration_form_does_not_echo_a_foreign_target(client):
    response = submit(client, "/registreren", {
        "name": "Bas", "email": "geen-adres", "password": PASSWORD, "confirm": PASSWORD,
        "next": "//evil.example"})
    assert response.status_code == 200 and "Dit is geen geldig e-mailadres." in text(response)
    assert "evil" not in text(response)


# -- no enumeration ----------------------------------------------------------------------------------

def test_registering_a_taken_address_from_a_collective_page_looks_the_same(app, windvang):
    owner = make_user(email="bestaand@example.org", name="Eigenaar")
    url = f"/registreren?next={DETAIL}"
    fresh = register(isolated_client(app), url, email="vers@example.org")
    taken = register(isolated_client(app), url, email="bestaand@example.org", name="Indringer")
    assert (text(fresh).replace("vers@example.org", "ADRES")
            == text(taken).replace("bestaand@example.org", "ADRES"))
    # The owner's notice leads back to the collective as well; nothing else changes for them.
    [notice] = outbox("bestaand@example.org")
    assert notice.subject == "Je hebt al een account bij CollectieveKracht"
    assert link_from(notice, "/inloggen") == "/inloggen?next=/collectieven/windvang"
    assert db.session.execute(db.select(Token).where(Token.user_id == owner.id)).all() == []
    # The notes that carried the page were used up by the worker.
    assert db.session.execute(
        db.select(Token).where(Token.purpose == PURPOSE_REGISTRATION_NEXT)).scalars().all() == []
