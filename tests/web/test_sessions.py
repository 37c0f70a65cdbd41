"""Signed-in sessions as rows: logout ends the session on the server, /account lists and ends
devices, and sessions end when idle or old — a copied cookie is refused in every case."""
from datetime import timedelta

import pytest

from app.accounts import sessions
from app.extensions import db
from app.models.accounts import UserSession
from app.timeutil import utcnow
from tests.factories import PASSWORD, cheap_passwords, make_user
from tests.support import csrf_token, isolated_client, submit, text

CHROME_LINUX = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36")
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


@pytest.fixture
def anna():
    user = make_user(email="anna@example.org", name="Anna de Vries")
    cheap_passwords(user)
    return user


def browser(app, agent=CHROME_LINUX):
    client = isolated_client(app)
    client.environ_base["HTTP_USER_AGENT"] = agent
    return client


def sign_in(client, remember=False):
    form = {"email": "anna@example.org", "password": PASSWORD}
    if remember:
        form["remember"] = "y"
    assert submit(client, "/inloggen", form).status_code == 302


def signed_in(client):
    return client.get("/account").status_code == 200


def copy_of(app, client, agent=CHROME_LINUX):
    """A second browser holding copies of `client`'s cookies (what a thief would have)."""
    thief = browser(app, agent)
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def rows():
    db.session.expire_all()
    return db.session.execute(db.select(UserSession).order_by(UserSession.id)).scalars().all()


def test_a_copied_cookie_works_until_logout_and_never_after(app, anna):
    owner = browser(app)
    sign_in(owner, remember=True)
    assert signed_in(copy_of(app, owner))  # the copy is as good as the original, for now
    stolen = copy_of(app, owner)
    token = csrf_token(owner, "/account")
    assert owner.post("/uitloggen", data={"csrf_token": token}).status_code == 302
    assert rows() == []
    assert not signed_in(owner)
    assert not signed_in(stolen)  # neither the session nor the remember cookie signs in


def test_account_lists_devices_and_ends_one_of_them(app, anna):
    laptop, phone = browser(app), browser(app, SAFARI_IPHONE)
    sign_in(laptop)
    sign_in(phone)
    page = text(laptop.get("/account"))
    assert "Chrome op Linux" in page and "Safari op iPhone" in page
    assert page.count("dit apparaat") == 1 and "laatst actief zojuist" in page
    assert page.index("Chrome op Linux") < page.index("Safari op iPhone")  # this device first
    phone_row = [row for row in rows() if "iPhone" in row.user_agent][0]
    stolen = copy_of(app, phone, SAFARI_IPHONE)

    response = submit(laptop, f"/account/sessies/{phone_row.id}/beeindigen", {}, page="/account")
    assert response.status_code == 302
    assert "Je bent uitgelogd op Safari op iPhone." in text(laptop.get("/account"))
    assert not signed_in(phone) and not signed_in(stolen)
    assert signed_in(laptop)


def test_ending_all_other_devices_keeps_this_one(app, anna):
    first, second, third = browser(app), browser(app, FIREFOX_WINDOWS), browser(app, SAFARI_IPHONE)
    for client in (first, second, third):
        sign_in(client)
    stolen = copy_of(app, second, FIREFOX_WINDOWS)
    response = submit(first, "/account/sessies/andere-beeindigen", {}, page="/account")
    assert response.status_code == 302
    assert "op alle andere apparaten uitgelogd" in text(first.get("/account"))
    assert len(rows()) == 1
    assert signed_in(first)
    assert not signed_in(second) and not signed_in(third) and not signed_in(stolen)


def test_nobody_ends_someone_elses_session(app, anna):
    bert = make_user(email="bert@example.org", name="Bert")
    cheap_passwords(bert)
    annas = browser(app)
    sign_in(annas)
    berts = browser(app)
    assert submit(berts, "/inloggen", {"email": "bert@example.org",
                                       "password": PASSWORD}).status_code == 302
    annas_row = [row for row in rows() if row.user_id == anna.id][0]
    response = submit(berts, f"/account/sessies/{annas_row.id}/beeindigen", {}, page="/account")
    assert response.status_code == 404
    assert signed_in(annas) and len(rows()) == 2
    # Without a CSRF token nothing ends either.
    assert berts.post("/account/sessies/andere-beeindigen").status_code == 400
    assert len(rows()) == 2


def test_the_current_device_is_not_ended_from_the_list(app, anna):
    client = browser(app)
    sign_in(client)
    [row] = rows()
    response = submit(client, f"/account/sessies/{row.id}/beeindigen", {}, page="/account")
    assert response.status_code == 302
    assert "Gebruik ‘Uitloggen’" in text(client.get("/account"))
    assert signed_in(client)


@pytest.mark.parametrize("field, age", [
    ("last_seen_at", timedelta(days=14, minutes=1)),   # idle too long
    ("created_at", timedelta(days=30, minutes=1)),     # older than the lifetime
])
def test_an_idle_or_old_session_ends_even_with_the_remember_cookie(app, anna, field, age):
    client = browser(app)
    sign_in(client, remember=True)
    stolen = copy_of(app, client)
    [row] = rows()
    setattr(row, field, utcnow() - age)
    if field == "created_at":
        row.last_seen_at = utcnow()  # in use every day: the lifetime still ends it
    db.session.commit()
    assert not signed_in(client) and not signed_in(stolen)
    assert rows() == []  # the loader removed it on the way


def test_a_session_in_use_stays_and_records_when_it_was_last_seen(app, anna):
    client = browser(app)
    sign_in(client)
    [row] = rows()
    row.last_seen_at = utcnow() - timedelta(days=13)
    db.session.commit()
    assert signed_in(client)
    [row] = rows()
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_the_worker_removes_ended_sessions(app, anna):
    from app.retention import apply_retention

    for client in (browser(app), browser(app)):
        sign_in(client)
    old, fresh = rows()
    old.last_seen_at = utcnow() - timedelta(days=20)
    db.session.commit()
    counts = apply_retention()
    db.session.commit()
    assert counts["ended sessions"] == 1
    assert [row.id for row in rows()] == [fresh.id]


@pytest.mark.parametrize("agent, label", [
    (CHROME_LINUX, "Chrome op Linux"),
    (FIREFOX_WINDOWS, "Firefox op Windows"),
    (SAFARI_IPHONE, "Safari op iPhone"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge op macOS"),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
     "Mobile Safari/537.36", "Chrome op Android"),
    ("curl/8.5.0", "Onbekend apparaat"),
    ("", "Onbekend apparaat"),
    (None, "Onbekend apparaat"),
])
def test_describe_a_device(agent, label):
    assert sessions.describe(agent).label == label


@pytest.mark.parametrize("seconds, words", [
    (5, "zojuist"), (60, "1 minuut geleden"), (180, "3 minuten geleden"), (3600, "1 uur geleden"),
    (7200, "2 uur geleden"), (86400, "1 dag geleden"), (3 * 86400, "3 dagen geleden"),
])
def test_ago_in_dutch(seconds, words):
    now = utcnow()
    assert sessions.ago(now - timedelta(seconds=seconds), now) == words
