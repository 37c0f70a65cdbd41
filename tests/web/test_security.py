"""Security baseline: headers, cookies, CSRF, Dutch error pages, and the health check."""
import pytest
from flask import abort

from app.extensions import db
from app.models.public import ContactMessage
from tests.factories import PASSWORD, make_user
from tests.fixtures.apps import fresh_app, production_app
from tests.support import csrf_token, isolated_client, login, submit

PAGES = ["/", "/over-ons", "/contact", "/inloggen", "/wachtwoord-vergeten", "/bestaat-niet",
         "/healthz", "/static/css/site.css"]


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp["default-src"])
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer",
                                                   "same-origin", "strict-origin")
    assert "Strict-Transport-Security" not in response.headers  # not over plain http in development


def test_security_headers_on_a_logged_in_page_forbid_caching(client):
    make_user(email="hdr@example.org")
    login(client, "hdr@example.org")
    response = client.get("/account")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def set_cookies(response):
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = set_cookies(client.get("/contact"))["session"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_remember_cookie_is_httponly_and_samesite_lax(client):
    make_user(email="onthoud@example.org")
    response = submit(client, "/inloggen", {"email": "onthoud@example.org", "password": PASSWORD,
                                            "remember": "y"})
    cookies = set_cookies(response)
    assert "HttpOnly" in cookies["remember_token"] and "SameSite=Lax" in cookies["remember_token"]
    assert "HttpOnly" in cookies["session"] and "SameSite=Lax" in cookies["session"]


def test_production_sends_hsts_and_secure_cookies(app):
    with production_app(app) as prod:
        client = prod.test_client()
        # Production speaks https; Flask-WTF then also wants a same-origin Referer, as browsers send.
        client.environ_base["HTTP_REFERER"] = "https://localhost/inloggen"
        response = client.get("/contact")
        assert response.request.scheme == "https"
        assert response.status_code == 200
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        session_cookie = set_cookies(response)["__Host-session"]
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        assert "SameSite=Lax" in session_cookie

        make_user(email="prod@example.org")
        response = submit(client, "/inloggen", {"email": "prod@example.org", "password": PASSWORD,
                                                "remember": "y"})
        assert response.status_code == 302
        cookies = set_cookies(response)
        # __Host- names: Secure, Path=/ and no Domain, or the browser refuses them.
        assert set(cookies) == {"__Host-session", "__Host-remember_token", "__Host-ck_apparaat"}
        for cookie in cookies.values():
            assert "Secure" in cookie and "Path=/;" in cookie + ";" and "Domain" not in cookie
        assert "__Host-ck_apparaat" in client.get("/cookies").get_data(as_text=True)
        assert "Strict-Transport-Security" in client.get("/bestaat-niet").headers


# -- CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, data", [
    ("/contact", {"name": "A", "email": "a@example.org", "subject": "S", "message": "Een bericht hier"}),
    ("/inloggen", {"email": "a@example.org", "password": "wat-dan-ook-123"}),
    ("/uitloggen", {}),
    ("/wachtwoord-vergeten", {"email": "a@example.org"}),
])
def test_post_without_csrf_token_is_refused_in_dutch(client, path, data):
    client.get("/contact")  # a session exists, only the token is missing
    response = client.post(path, data=data)
    assert_dutch_error_page(response, 400, "Dit verzoek klopt niet")
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(ContactMessage)).scalar_one() == 0


def test_post_with_a_forged_csrf_token_is_refused(client):
    client.get("/contact")
    response = client.post("/contact", data={"csrf_token": "nep." + "x" * 40, "name": "A"})
    assert response.status_code == 400


def test_csrf_token_of_another_session_is_refused(app, client):
    token = csrf_token(isolated_client(app), "/contact")  # someone else's
    client.get("/contact")
    response = client.post("/contact", data={"csrf_token": token, "name": "A"})
    assert response.status_code == 400


# -- error pages ---------------------------------------------------------------------------------


def assert_dutch_error_page(response, code, title):
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    assert '<html lang="nl">' in page
    assert f"<h1>{title}</h1>" in page
    assert '<footer class="site-footer">' in page and "Veelgestelde vragen" in page
    assert 'id="inhoud"' in page  # inside the layout, with its skip-link target
    assert "Traceback" not in page and "Internal Server Error" not in page
    assert response.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_404_page(client):
    response = client.get("/bestaat-niet")
    assert_dutch_error_page(response, 404, "Pagina niet gevonden")
    assert "Deze pagina bestaat niet" in response.get_data(as_text=True)


def test_403_page(client):
    make_user(email="gewoon@example.org")
    login(client, "gewoon@example.org")
    response = client.get("/beheer")
    assert_dutch_error_page(response, 403, "Geen toegang")


def test_405_page_names_the_allowed_methods(client):
    response = client.get("/uitloggen")
    assert_dutch_error_page(response, 405, "Dit kan zo niet")
    assert "POST" in response.headers["Allow"]


def test_413_page(app, client):
    token = csrf_token(client, "/contact")
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = client.post("/contact", data={"csrf_token": token, "message": "x" * 5000})
    assert_dutch_error_page(response, 413, "Te groot")


def test_429_page(client):
    for _ in range(5):
        submit(client, "/contact", {"name": ""})
    response = submit(client, "/contact", {"name": ""})
    assert_dutch_error_page(response, 429, "Even rustig aan")
    assert "Wacht een paar minuten" in response.get_data(as_text=True)


def contact_count():
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(ContactMessage)).scalar_one()


def test_500_page_rolls_back_what_the_request_wrote(app):
    with fresh_app(app) as failing:
        def write_then(fail):
            db.session.add(ContactMessage(name="Half", email="half@example.org", subject="Half",
                                          message="Half opgeslagen bericht"))
            db.session.flush()
            fail()

        def crash():
            raise RuntimeError("kapot")

        failing.add_url_rule("/test-kapot", "test_crash", lambda: write_then(crash))
        failing.add_url_rule("/test-abort", "test_abort", lambda: write_then(lambda: abort(500)))
        client = failing.test_client()

        for path in ("/test-kapot", "/test-abort"):
            response = client.get(path)
            assert_dutch_error_page(response, 500, "Er ging iets mis")
            assert "Er is niets half opgeslagen" in response.get_data(as_text=True)
            assert contact_count() == 0


def test_error_page_survives_a_broken_layout(app):
    """When even the layout cannot render (the database is gone), the answer is still Dutch."""
    with fresh_app(app) as failing:
        failing.add_url_rule("/test-kapot", "test_crash", lambda: 1 / 0)
        failing.jinja_env.globals["url_for"] = lambda *a, **k: (_ for _ in ()).throw(RuntimeError())
        response = failing.test_client().get("/test-kapot")
        assert response.status_code == 500
        page = response.get_data(as_text=True)
        assert '<html lang="nl">' in page and "Er ging iets mis" in page
        assert "Traceback" not in page and "ZeroDivisionError" not in page


# -- health check ----------------------------------------------------------------------------


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert body["worker"]["status"] == "never-ran"  # no worker has run in this database
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_unreachable(app, tmp_path):
    missing = tmp_path / "bestaat-niet" / "db.sqlite"
    with fresh_app(app, SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}") as broken:
        response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_healthz_is_not_rate_limited(client):
    assert {client.get("/healthz").status_code for _ in range(30)} == {200}


@pytest.mark.parametrize("path", ["/", "/contact", "/inloggen", "/bestaat-niet"])
def test_pages_need_no_inline_script_and_no_other_site(client, path):
    """What the CSP forbids is not used: every script and stylesheet comes from the app itself."""
    import re

    page = client.get(path).get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []  # no inline script
    assert not re.search(r"\son[a-z]+\s*=", page)  # no inline event handlers
    assert not re.search(r"<style|\sstyle=", page)  # no inline styles ('self' only)
    for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page):
        assert url.startswith("/") and not url.startswith("//"), url
