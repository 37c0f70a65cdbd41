"""Every form of login, registration, reset and the account page, given hostile input.

Whatever arrives, the answer is a Dutch page (a form with messages, or a Dutch error page) and
never a 500, and nothing odd ends up in the database or the outbox.
"""
import io
import json
import re
from urllib.parse import quote

import pytest

from app.extensions import db, limiter
from app.models.accounts import Token, User
from app.models.outbox import OutboxMessage
from app.tokens import PURPOSE_RESET, issue_token
from app.validators import has_control_characters
from tests.factories import PASSWORD, make_user
from tests.support import CSRF_RE, handle_account_requests, isolated_client, login

NEW_PASSWORD = "nieuwe-zin-voor-de-buurtmolen"

HOSTILE = {
    "huge": "x" * 100_000,
    "huge-multibyte": "ä€😀" * 12_000,
    "empty": "",
    "spaces": " \t\n\r\u00a0 ",
    "nul": "Anna\x00de Boer",
    "escape": "\x1b[31mAnna\x1b[0m",
    "bidi-override": "Anna\u202egro.elpmaxe",
    "zero-width": "An\u200bna",
    "line-separator": "Anna\u2028Boer",
    "markup": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "template": "{{ config.SECRET_KEY }}{% print 1 %}",
    "sql": "'; DROP TABLE users; --",
    "odd-unicode": "Z\u0334\u0321\u031ba\u0337l\u0336g\u0338o \ufffe\uffff \U0010ffff 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 İ ß ﷽",
    "emoji": "👩‍👩‍👧‍👦🔥🏳️‍🌈🇳🇱",
    "header-injection": "anna@example.org\r\nBcc: iedereen@evil.example",
}

EMAIL_HOSTILE = {
    "nul-in-address": "anna\x00@example.org",
    "markup-address": "<script>@example.org",
    "long-address": "a" * 300 + "@example.org",
    "quoted": '"anna boer"@example.org',
    "idn": "anna@exämple.org",
    "emoji-address": "👩@example.org",
    "two-ats": "anna@@example.org",
    "bidi-address": "anna@example.org\u202e",
}

# Pages answer in Dutch: one of these is on every page that is not a redirect.
DUTCH_MESSAGES = (
    "Niet alles is goed ingevuld",
    "Dit e-mailadres en wachtwoord horen niet bij elkaar",
    "Kijk in je mailbox",
    "Je huidige wachtwoord klopt niet",
    "Dit is al je e-mailadres",
    "Het formulier is verlopen",
    "werkt niet (meer)",
    "Dit verzoek klopt niet",
    "Te groot",
    "Pagina niet gevonden",
)


@pytest.fixture(autouse=True)
def no_rate_limits(monkeypatch):
    """Hundreds of posts from one address: switch the limiter off (its own tests are elsewhere)."""
    monkeypatch.setattr(limiter, "enabled", False)


@pytest.fixture
def anna():
    return make_user(email="anna@example.org", name="Anna de Boer")


def reset_path(user):
    raw = issue_token(PURPOSE_RESET, user=user)
    db.session.commit()
    return f"/wachtwoord-herstellen/{raw}"


# name: (needs login, how to find the form's path, the fields with good values)
FORMS = {
    "login": (False, lambda user: "/inloggen", {"email": "anna@example.org", "password": PASSWORD}),
    "register": (False, lambda user: "/registreren",
                 {"name": "Nieuwe Persoon", "email": "nieuw@example.org",
                  "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    "forgot": (False, lambda user: "/wachtwoord-vergeten", {"email": "anna@example.org"}),
    "reset": (False, reset_path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    "profile": (True, lambda user: "/account/profiel", {"name": "Anna Bakker"}),
    "email": (True, lambda user: "/account/e-mailadres",
              {"email": "nieuw@example.org", "current_password": PASSWORD}),
    "password": (True, lambda user: "/account/wachtwoord",
                 {"current_password": PASSWORD, "password": NEW_PASSWORD,
                  "confirm": NEW_PASSWORD}),
}


class Form:
    """One form, reachable by `client`, ready to receive hostile posts."""

    def __init__(self, name, client, user):
        needs_login, path, self.fields = FORMS[name]
        self.name, self.client, self.user = name, client, user
        if needs_login:
            assert login(client, user.email).status_code == 302
        self.url = path(user)
        self.page = "/account" if needs_login else self.url

    def token(self):
        page = self.client.get(self.page).get_data(as_text=True)
        match = CSRF_RE.search(page)
        if match is None:  # e.g. a reset link already used up: any page's token will do
            match = CSRF_RE.search(self.client.get("/inloggen").get_data(as_text=True))
        return match.group(1)

    def post(self, data, **kwargs):
        payload = dict(data)
        payload.setdefault("csrf_token", self.token())
        return self.client.post(self.url, data=payload, **kwargs)


def assert_dutch_answer(response, case):
    assert response.status_code != 500, case
    assert response.status_code in (200, 302, 400, 403, 404, 413), (case, response.status_code)
    if response.status_code == 302:
        return
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page, case
    assert any(message in page for message in DUTCH_MESSAGES), (case, page[-3000:])
    # Markup from the request never comes back as markup.
    assert "<script>alert" not in page, case
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), case
    assert "testing-secret-key" not in page, case


def assert_database_sane():
    db.session.expire_all()
    for user in db.session.execute(db.select(User)).scalars():
        assert user.name and user.name == user.name.strip() and len(user.name) <= 120, user.name[:50]
        assert not has_control_characters(user.name), repr(user.name[:50])
        assert not any(c in user.name for c in "\n\r\u2028\u2029"), repr(user.name[:50])
        assert user.email == user.email.lower() and len(user.email) <= 254
        assert user.email.count("@") == 1, user.email[:50]
        assert not has_control_characters(user.email) and not re.search(r"\s", user.email)
        assert "<" not in user.email and ">" not in user.email
    for message in db.session.execute(db.select(OutboxMessage)).scalars():
        assert not has_control_characters(message.recipient), repr(message.recipient)
        assert not re.search(r"\s", message.recipient) and message.recipient.count("@") == 1
        assert len(message.recipient) <= 254
    for token in db.session.execute(db.select(Token).where(Token.email.is_not(None))).scalars():
        assert not has_control_characters(token.email) and not re.search(r"\s", token.email)


def assert_anna_unharmed(form, anna, accepted):
    """The logged-in person's account only changed where the form legitimately accepted a value."""
    db.session.expire_all()
    anna = db.session.get(User, anna.id)
    assert anna.email == "anna@example.org"  # an address only changes through the mailed link
    if form.name not in ("reset", "password") or not accepted:
        assert anna.check_password(PASSWORD)
    if form.name != "profile" or not accepted:
        assert anna.name == "Anna de Boer"


def hostile_cases(form_name, field):
    """The hostile values to try on one field (e-mail fields get a few address-shaped ones)."""
    cases = dict(HOSTILE)
    if field == "email":
        cases.update(EMAIL_HOSTILE)
    return cases


HOSTILE_CASES = [(form, value) for form in FORMS for value in HOSTILE] + [
    (form, value) for form, (_, _, fields) in FORMS.items() if "email" in fields
    for value in EMAIL_HOSTILE
]


@pytest.mark.parametrize("form_name, value_name", HOSTILE_CASES)
def test_hostile_values(form_name, value_name, client, anna):
    form = Form(form_name, client, anna)
    accepted = False
    for field in form.fields:
        cases = hostile_cases(form_name, field)
        if value_name not in cases:
            continue
        data = dict(form.fields)
        data[field] = cases[value_name]
        if field == "password" and "confirm" in data:
            data["confirm"] = cases[value_name]
        response = form.post(data)
        case = (form_name, field, value_name)
        assert_dutch_answer(response, case)
        assert_database_sane()
        accepted = accepted or response.status_code == 302
        assert_anna_unharmed(form, anna, accepted)


@pytest.mark.parametrize("form_name", FORMS)
def test_missing_fields(form_name, client, anna):
    form = Form(form_name, client, anna)
    for field in form.fields:
        data = {k: v for k, v in form.fields.items() if k != field}
        response = form.post(data)
        assert_dutch_answer(response, (form_name, "missing", field))
        assert response.status_code != 302, (form_name, field)
        assert_database_sane()
        assert_anna_unharmed(form, anna, accepted=False)
    response = form.post({})
    assert response.status_code in (200, 400)
    assert_dutch_answer(response, (form_name, "all missing"))


@pytest.mark.parametrize("form_name", FORMS)
def test_repeated_fields(form_name, client, anna):
    """A field sent twice (a list instead of a string) is read as one value, never crashes."""
    form = Form(form_name, client, anna)
    accepted = False
    for field in form.fields:
        data = dict(form.fields)
        data[field] = [HOSTILE["nul"], HOSTILE["huge"], form.fields[field]]
        response = form.post(data)
        assert_dutch_answer(response, (form_name, "repeated", field))
        assert_database_sane()
        accepted = accepted or response.status_code == 302
        assert_anna_unharmed(form, anna, accepted)


@pytest.mark.parametrize("form_name", FORMS)
def test_invalid_utf8_body(form_name, client, anna):
    form = Form(form_name, client, anna)
    body = "&".join(
        f"{quote(key)}=%FF%FE%ED%A0%80%C0%AF{quote(value)}" for key, value in form.fields.items()
    )
    body += "&csrf_token=" + quote(form.token())
    response = client.post(form.url, data=body.encode("ascii"),
                           content_type="application/x-www-form-urlencoded")
    assert_dutch_answer(response, (form_name, "invalid utf-8"))
    assert_database_sane()
    assert_anna_unharmed(form, anna, accepted=response.status_code == 302)


@pytest.mark.parametrize("form_name", FORMS)
def test_files_instead_of_text(form_name, client, anna):
    form = Form(form_name, client, anna)
    for field in form.fields:
        data = dict(form.fields)
        data[field] = (io.BytesIO(b"<script>alert(1)</script>"), "naam.html")
        response = form.post(data, content_type="multipart/form-data")
        assert_dutch_answer(response, (form_name, "file", field))
        assert response.status_code != 302, (form_name, field)
        assert_database_sane()
        assert_anna_unharmed(form, anna, accepted=False)


@pytest.mark.parametrize("form_name", FORMS)
@pytest.mark.parametrize(
    "body",
    [
        {"name": {"x": 1}, "email": ["a@example.org"], "password": 12345678901,
         "confirm": 12345678901, "current_password": None},
        [1, 2, 3],
        "gewoon tekst",
        None,
        "{niet: json",
    ],
    ids=["wrong-types", "list", "string", "null", "broken"],
)
def test_json_instead_of_a_form(form_name, body, client, anna):
    form = Form(form_name, client, anna)
    raw = body if body == "{niet: json" else json.dumps(body)
    response = client.post(form.url, data=raw, content_type="application/json",
                           headers={"X-CSRFToken": form.token()})
    assert_dutch_answer(response, (form_name, "json", body))
    assert response.status_code != 302
    assert_database_sane()
    assert_anna_unharmed(form, anna, accepted=False)


def test_registration_stores_unusual_but_valid_names_as_text(client):
    """Markup, emoji and other scripts are fine in a name; they are stored as typed and escaped."""
    names = {
        "markup": '<b>Anna</b> "de" Boer & zn',
        "emoji": "Anna 👩‍👩‍👧‍👦🇳🇱",
        "scripts": "Zoë Ślęzak-李 نیم‌فاصله",
    }
    form = Form("register", client, None)
    for number, name in enumerate(names.values()):
        email = f"persoon{number}@example.org"
        response = form.post({"name": name, "email": email, "password": NEW_PASSWORD,
                              "confirm": NEW_PASSWORD})
        assert response.status_code == 200
        assert "Kijk in je mailbox" in response.get_data(as_text=True)
        handle_account_requests()  # the worker creates the account
        assert User.find_by_email(email).name == name
    assert_database_sane()

    login(client, "persoon0@example.org", NEW_PASSWORD)
    page = client.get("/account").get_data(as_text=True)
    assert "<b>Anna</b>" not in page
    assert "&lt;b&gt;Anna&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "path",
    ["/wachtwoord-herstellen/", "/e-mailadres-bevestigen/", "/account/e-mailadres/"],
)
@pytest.mark.parametrize(
    "token",
    ["%00", "x" * 100_000, "%FF%FE%ED%A0%80", "..%2F..%2Fetc%2Fpasswd", "%3Cscript%3E",
     "%E2%80%AE", "%F0%9F%98%80", "a%0D%0ASet-Cookie:%20x=1"],
)
def test_hostile_links(client, anna, path, token):
    response = client.get(path + token)
    assert response.status_code in (400, 404)
    assert_dutch_answer(response, (path, token[:20]))
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]
    assert_database_sane()


@pytest.mark.parametrize("target", list(HOSTILE.values()) + ["//evil.example", "/\r\nLocation: //evil.example"])
def test_hostile_next_parameter(client, target):
    response = client.get("/inloggen", query_string={"next": target})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page and "<h1>Inloggen</h1>" in page
    assert 'name="next" type="hidden" value=""' in page


# -- CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("form_name", FORMS)
@pytest.mark.parametrize("token", [None, "", "onzin", "x" * 10_000], ids=["none", "empty", "bad", "huge"])
def test_post_without_a_valid_csrf_token_is_refused(form_name, token, client, anna, app):
    form = Form(form_name, client, anna)
    data = dict(form.fields)
    if token is not None:
        data["csrf_token"] = token
    response = client.post(form.url, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Het formulier is verlopen of niet compleet verstuurd" in page
    assert_anna_unharmed(form, anna, accepted=False)
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)).scalar_one() == 0


@pytest.mark.parametrize("form_name", FORMS)
def test_csrf_token_of_another_session_is_refused(form_name, client, anna, app):
    stranger = isolated_client(app)
    foreign = CSRF_RE.search(stranger.get("/inloggen").get_data(as_text=True)).group(1)
    form = Form(form_name, client, anna)
    response = form.post(dict(form.fields, csrf_token=foreign))
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert_anna_unharmed(form, anna, accepted=False)


@pytest.mark.parametrize("form_name", ["login", "register", "profile"])
def test_body_larger_than_allowed_gets_the_dutch_413_page(form_name, client, anna, app):
    form = Form(form_name, client, anna)
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1024
    data = dict(form.fields, csrf_token=form.token())
    data[next(iter(form.fields))] = "x" * too_big
    response = client.post(form.url, data=data)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page and "Te groot" in page
    assert_anna_unharmed(form, anna, accepted=False)
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 1


@pytest.mark.parametrize("path", [
    "/meldingen/9223372036854775808", "/meldingen/99999999999999999999",
    "/forum/energie/2147483648-x", "/kennisbank/bijlagen/2147483648",
])
def test_ids_beyond_the_database_integer_are_404_not_500(client, path):
    """Every id in a URL goes through the `id` converter (at most MAX_ID)."""
    assert client.get(path).status_code == 404


def test_every_numeric_route_argument_is_bounded(app):
    from werkzeug.routing import IntegerConverter

    from app.validators import MAX_ID

    unbounded = [rule.rule for rule in app.url_map.iter_rules()
                 for converter in rule._converters.values()
                 if isinstance(converter, IntegerConverter) and (converter.max or 0) > MAX_ID
                 or isinstance(converter, IntegerConverter) and converter.max is None
                 and not rule.rule.startswith("/zelfscan/stap/")]
    assert unbounded == []
