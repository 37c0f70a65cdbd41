"""Notifications: notify() rules, /meldingen, the e-mail rounds (direct, digest, off), unsubscribe
without logging in, the preference on /account, the header bell, and delivery to a real SMTP server."""
import re
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user

from app.extensions import db
from app.mail import deliver_due
from app.models.accounts import User
from app.models.notifications import MAIL_PENDING, MAIL_SENT, MAIL_SKIPPED, Notification
from app.notifications import (
    DIGEST_INTERVAL,
    DIRECT_BATCH_DELAY,
    MAX_ITEMS_PER_MAIL,
    mark_read,
    notify,
    send_notification_emails,
    unread_count,
    unsubscribe_token,
)
from app.header import header_counts
from app.timeutil import utcnow
from tests.factories import make_user
from tests.support import (
    csrf_token, isolated_client, login, outbox, reload, submit, text, worker_round,
)

T0 = utcnow().replace(microsecond=0) - timedelta(days=10)  # a fixed moment in the past
MINUTE = timedelta(minutes=1)


def add(user, text_="Bram reageerde in “Zonnepanelen op het dorpshuis”", at=None, actor=None,
        url="/forum/bericht/1", kind="reply", excerpt="Goed idee, wij doen mee."):
    """One notification for `user`, created at `at` (committed); returns its id."""
    notification = notify(user, kind, text_, url, actor=actor, excerpt=excerpt)
    if at is not None:
        notification.created_at = at
    db.session.commit()
    return notification.id


@pytest.fixture
def anna():
    return make_user(email="anna@example.org", name="Anna de Boer")


@pytest.fixture
def bram():
    return make_user(email="bram@example.org", name="Bram Visser")


@pytest.fixture
def anna_client(client, anna):
    assert login(client, "anna@example.org").status_code == 302
    return client


def mails(recipient=None):
    return outbox(recipient)


# -- notify() ---------------------------------------------------------------------------------------


def test_notify_adds_an_unread_pending_notification(app, anna, bram):
    notification_id = add(anna, actor=bram)
    stored = reload(Notification, notification_id)
    assert (stored.user_id, stored.actor_id, stored.kind) == (anna.id, bram.id, "reply")
    assert stored.read_at is None and stored.mail_state == MAIL_PENDING
    assert stored.excerpt == "Goed idee, wij doen mee."
    assert unread_count(anna) == 1 and unread_count(bram) == 0


def test_notify_never_tells_the_actor_about_their_own_post(app, anna):
    assert notify(anna, "reply", "Je reageerde", "/forum/bericht/1", actor=anna) is None
    assert notify(None, "reply", "Niemand", "/forum/bericht/1") is None
    db.session.commit()
    assert db.session.execute(db.select(db.func.count()).select_from(Notification)).scalar_one() == 0


def test_notify_for_someone_with_email_off_is_never_mailed(app, anna, bram):
    anna.notify_email = "off"
    db.session.commit()
    notification_id = add(anna, actor=bram, at=T0)
    assert reload(Notification, notification_id).mail_state == MAIL_SKIPPED
    assert send_notification_emails(now=T0 + timedelta(days=2)) == 0
    assert mails() == []
    assert unread_count(anna) == 1  # still on the site


def test_notify_cuts_overlong_text(app, anna):
    notification_id = add(anna, text_="x" * 1000, excerpt="y" * 1000, url="/" + "z" * 1000)
    stored = reload(Notification, notification_id)
    assert (len(stored.text), len(stored.excerpt), len(stored.url)) == (300, 500, 500)


# -- /meldingen ------------------------------------------------------------------------------------


def test_list_needs_login(app, client):
    response = client.get("/meldingen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_list_shows_own_notifications_newest_first_with_unread_marked(app, anna_client, anna, bram):
    old = add(anna, "Bram reageerde in “Oud onderwerp”", at=T0, actor=bram)
    new = add(anna, "Bram noemde je in “Nieuw onderwerp”", at=T0 + MINUTE, actor=bram, kind="mention",
              excerpt="@Anna de Boer wat vind jij?")
    add(bram, "Iets voor Bram alleen", at=T0)
    mark_read(anna, [old])
    db.session.commit()

    page = text(anna_client.get("/meldingen"))
    assert page.index("Nieuw onderwerp") < page.index("Oud onderwerp")
    assert "Iets voor Bram alleen" not in page
    assert page.count(">nieuw</span>") == 1  # the unread one, marked in words
    new_item = page[page.index(">nieuw</span>"):]
    assert new_item.index("Nieuw onderwerp") < new_item.index("Oud onderwerp")
    assert f'href="/meldingen/{new}"' in page and f'href="/meldingen/{old}"' in page
    assert "@Anna de Boer wat vind jij?" in page and "Van Bram Visser" in page
    assert "1 ongelezen melding" in page
    assert "Genoemd" in page and "Reactie" in page


def test_list_escapes_what_others_wrote(app, anna_client, anna, bram):
    add(anna, "<script>alert(1)</script>", actor=bram, excerpt='<img src=x onerror="alert(2)">')
    page = text(anna_client.get("/meldingen"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_list_has_pages_of_thirty(app, anna_client, anna):
    for i in range(31):
        add(anna, f"Melding nummer {i:02d}.", at=T0 + i * MINUTE)
    first = text(anna_client.get("/meldingen"))
    assert "Melding nummer 30." in first and "Melding nummer 01." in first
    assert "Melding nummer 00." not in first
    assert "?pagina=2" in first
    second = text(anna_client.get("/meldingen?pagina=2"))
    assert "Melding nummer 00." in second and "Melding nummer 01." not in second
    assert anna_client.get("/meldingen?pagina=abc").status_code == 200
    assert anna_client.get("/meldingen?pagina=99").status_code == 200


def test_empty_state(app, anna_client):
    page = text(anna_client.get("/meldingen"))
    assert "Nog geen meldingen" in page and "Alles als gelezen markeren" not in page


def test_following_a_link_marks_it_read_and_goes_to_the_post(app, anna_client, anna):
    notification_id = add(anna, url="/forum/bericht/42")
    response = anna_client.get(f"/meldingen/{notification_id}")
    assert response.status_code == 302 and response.headers["Location"] == "/forum/bericht/42"
    assert reload(Notification, notification_id).read_at is not None
    assert unread_count(anna) == 0


def test_someone_elses_notification_is_not_found(app, anna_client, bram):
    notification_id = add(bram)
    for response in (anna_client.get(f"/meldingen/{notification_id}"),
                     submit(anna_client, f"/meldingen/{notification_id}/gelezen", {}, page="/account")):
        assert response.status_code == 404
        assert '<html lang="nl">' in text(response) and "Pagina niet gevonden" in text(response)
    assert reload(Notification, notification_id).read_at is None
    assert anna_client.get("/meldingen/999999").status_code == 404


@pytest.mark.parametrize("url", [
    "https://evil.example/inloggen", "//evil.example/", "/\\evil.example", "/\t/evil.example",
    "javascript:alert(1)", "forum/bericht/1", "",
])
def test_following_a_link_never_leaves_the_site(app, anna_client, anna, url):
    notification_id = add(anna, url=url)
    response = anna_client.get(f"/meldingen/{notification_id}")
    assert response.status_code == 302 and response.headers["Location"] == "/meldingen"
    assert reload(Notification, notification_id).read_at is not None


def test_mark_one_read(app, anna_client, anna):
    first, second = add(anna), add(anna)
    response = submit(anna_client, f"/meldingen/{first}/gelezen", {"pagina": "2"}, page="/meldingen")
    assert response.status_code == 302 and response.headers["Location"] == "/meldingen?pagina=2"
    assert reload(Notification, first).read_at is not None
    assert reload(Notification, second).read_at is None
    assert anna_client.get(f"/meldingen/{second}/gelezen").status_code == 405


def test_mark_read_needs_post_with_csrf_and_a_login(app, client, anna):
    notification_id = add(anna)
    assert client.post(f"/meldingen/{notification_id}/gelezen").status_code in (302, 400)
    assert client.post("/meldingen/gelezen").status_code in (302, 400)
    assert login(client, "anna@example.org").status_code == 302
    assert client.post(f"/meldingen/{notification_id}/gelezen").status_code == 400  # no token
    assert client.post("/meldingen/gelezen").status_code == 400
    assert unread_count(anna) == 1


def test_mark_all_read_only_marks_own(app, anna_client, anna, bram):
    add(anna), add(anna)
    add(bram)
    response = submit(anna_client, "/meldingen/gelezen", {}, page="/meldingen")
    assert response.status_code == 302 and response.headers["Location"] == "/meldingen"
    assert unread_count(anna) == 0 and unread_count(bram) == 1
    page = text(anna_client.get("/meldingen"))
    assert "Al je meldingen zijn als gelezen gemarkeerd." in page and ">nieuw</span>" not in page


def test_mark_read_with_odd_page_numbers_never_fails(app, anna_client, anna):
    notification_id = add(anna)
    for page in ("-1", "abc", "99999999999999999999", "1\x00"):
        response = submit(anna_client, "/meldingen/gelezen", {"pagina": page}, page="/meldingen")
        assert response.status_code == 302 and response.headers["Location"] == "/meldingen"
    assert reload(Notification, notification_id).read_at is not None


# -- e-mail rounds ----------------------------------------------------------------------------------


def test_direct_batches_what_arrives_within_a_few_minutes(app, anna, bram):
    ids = [add(anna, f"Bram reageerde ({i})", at=T0 + i * MINUTE, actor=bram) for i in range(3)]

    assert send_notification_emails(now=T0 + DIRECT_BATCH_DELAY - timedelta(seconds=1)) == 0
    assert mails() == []
    assert send_notification_emails(now=T0 + DIRECT_BATCH_DELAY) == 1
    [mail] = mails("anna@example.org")
    assert mail.subject == "3 nieuwe meldingen op CollectieveKracht"
    for i in range(3):
        assert f"Bram reageerde ({i})" in mail.body_text
    assert mail.body_text.count("http://localhost/forum/bericht/1") == 3
    assert {reload(Notification, i).mail_state for i in ids} == {MAIL_SENT}
    assert send_notification_emails(now=T0 + 10 * MINUTE) == 0  # nothing twice

    # A later reply starts a new batch.
    add(anna, "Bram reageerde (3)", at=T0 + 20 * MINUTE, actor=bram)
    assert send_notification_emails(now=T0 + 22 * MINUTE) == 0
    assert send_notification_emails(now=T0 + 23 * MINUTE) == 1
    assert [m.subject for m in mails()][-1] == "Bram reageerde (3)"  # one: its own text


def test_direct_mail_of_one_notification_has_its_text_as_subject(app, anna, bram):
    add(anna, "Bram noemde je\nin “Opslag”", at=T0, actor=bram, kind="mention")
    assert send_notification_emails(now=T0 + DIRECT_BATCH_DELAY) == 1
    [mail] = mails()
    assert mail.subject == "Bram noemde je in “Opslag”"
    assert "Er is een nieuwe melding voor je" in mail.body_text
    assert "“Goed idee, wij doen mee.”" in mail.body_html


def test_digest_once_per_day(app, anna, bram):
    anna.notify_email = "digest"
    db.session.commit()
    add(anna, "Eerste reactie", at=T0, actor=bram)
    assert send_notification_emails(now=T0 + DIRECT_BATCH_DELAY) == 1  # first digest: right away
    [first] = mails()
    assert first.subject == "Je dagelijkse overzicht: 1 nieuwe melding"
    assert "dagelijkse overzicht" in first.body_text and "Eerste reactie" in first.body_text
    assert "één keer per dag" in first.body_text
    first_sent = T0 + DIRECT_BATCH_DELAY
    assert reload(User, anna.id).last_digest_at == first_sent

    add(anna, "Tweede reactie", at=T0 + timedelta(hours=1), actor=bram)
    add(anna, "Derde reactie", at=T0 + timedelta(hours=5), actor=bram)
    for hours in (2, 6, 23):
        assert send_notification_emails(now=T0 + timedelta(hours=hours)) == 0
    assert send_notification_emails(now=first_sent + DIGEST_INTERVAL) == 1
    second = mails()[-1]
    assert second.subject == "Je dagelijkse overzicht: 2 nieuwe meldingen"
    assert "Tweede reactie" in second.body_text and "Derde reactie" in second.body_text
    assert "Eerste reactie" not in second.body_text
    assert send_notification_emails(now=first_sent + DIGEST_INTERVAL + timedelta(hours=1)) == 0
    assert len(mails()) == 2


def test_switching_off_closes_what_was_pending(app, anna, bram):
    ids = [add(anna, at=T0, actor=bram), add(anna, at=T0 + MINUTE, actor=bram)]
    anna.notify_email = "off"
    db.session.commit()
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 0
    assert mails() == []
    assert {reload(Notification, i).mail_state for i in ids} == {MAIL_SKIPPED}


def test_what_was_read_before_the_mail_was_due_is_left_out(app, anna, bram):
    read = add(anna, "Al gelezen op de site", at=T0, actor=bram)
    unread = add(anna, "Nog niet gelezen", at=T0 + MINUTE, actor=bram)
    mark_read(anna, [read])
    db.session.commit()
    assert send_notification_emails(now=T0 + DIRECT_BATCH_DELAY) == 1
    [mail] = mails()
    assert "Nog niet gelezen" in mail.body_text and "Al gelezen op de site" not in mail.body_text
    assert mail.subject == "Nog niet gelezen"
    assert reload(Notification, read).mail_state == MAIL_SKIPPED
    assert reload(Notification, unread).mail_state == MAIL_SENT


def test_no_mail_when_everything_was_read(app, anna, bram):
    anna.notify_email = "digest"
    db.session.commit()
    ids = [add(anna, at=T0, actor=bram), add(anna, at=T0, actor=bram)]
    mark_read(anna)
    db.session.commit()
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 0
    assert mails() == []
    assert {reload(Notification, i).mail_state for i in ids} == {MAIL_SKIPPED}
    assert reload(User, anna.id).last_digest_at is None  # the next digest is not held back


def test_suspended_people_get_no_mail(app, anna, bram):
    anna.status = "suspended"
    db.session.commit()
    notification_id = add(anna, at=T0, actor=bram)
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 0
    assert mails() == []
    assert reload(Notification, notification_id).mail_state == MAIL_SKIPPED


def test_a_long_list_is_cut_with_a_count_of_the_rest(app, anna):
    for i in range(MAX_ITEMS_PER_MAIL + 5):
        add(anna, f"Melding {i:02d}.", at=T0 + timedelta(seconds=i))
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 1
    [mail] = mails()
    assert mail.subject == f"{MAX_ITEMS_PER_MAIL + 5} nieuwe meldingen op CollectieveKracht"
    assert "Melding 00." in mail.body_text and f"Melding {MAX_ITEMS_PER_MAIL - 1}." in mail.body_text
    assert f"Melding {MAX_ITEMS_PER_MAIL}." not in mail.body_text
    assert "en nog 5 meldingen" in mail.body_text and "en nog 5 meldingen" in mail.body_html
    assert "http://localhost/meldingen" in mail.body_text


def test_mail_escapes_what_others_wrote(app, anna, bram):
    add(anna, "<b>Bram</b> reageerde", at=T0, actor=bram, excerpt="<script>alert(1)</script>")
    send_notification_emails(now=T0 + timedelta(hours=1))
    [mail] = mails()
    assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html
    assert "<b>Bram</b>" not in mail.body_html
    assert "<script>alert(1)</script>" in mail.body_text  # plain text as written


def test_mail_links_are_absolute_and_built_from_base_url(app, anna):
    app.config["BASE_URL"] = "https://kracht.example.nl"
    add(anna, at=T0, url="/forum/bericht/7")
    send_notification_emails(now=T0 + timedelta(hours=1))
    [mail] = mails()
    links = re.findall(r"https?://\S+", mail.body_text)
    assert links and all(link.startswith("https://kracht.example.nl") for link in links)
    assert "https://kracht.example.nl/forum/bericht/7" in links
    assert "https://kracht.example.nl/account#meldingen" in links
    assert not re.search(r'href="/', mail.body_html)


# -- unsubscribe ------------------------------------------------------------------------------------


def unsubscribe_path(mail):
    match = re.search(r"https?://[^\s/]+(/meldingen/afmelden/[^\s<>\"]+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


@pytest.fixture
def mailed(anna, bram):
    """One notification e-mail to Anna, queued."""
    add(anna, at=T0, actor=bram)
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 1
    [mail] = mails()
    return mail


def test_mail_has_list_unsubscribe_headers_for_the_link_in_it(app, mailed):
    path = unsubscribe_path(mailed)
    assert mailed.headers == {
        "List-Unsubscribe": f"<http://localhost{path}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert f'href="http://localhost{path}"' in mailed.body_html
    assert "http://localhost/account#meldingen" in mailed.body_text


def test_unsubscribe_link_works_without_login(app, mailed, anna):
    path = unsubscribe_path(mailed)
    browser = isolated_client(app)  # a fresh browser: no session, no login

    page = browser.get(path)
    assert page.status_code == 200
    body = text(page)
    assert "Ja, stuur me geen e-mailmeldingen meer" in body and 'method="post"' in body
    assert f'action="{path}"' in body
    assert reload(User, anna.id).notify_email == "direct"  # a GET (a mail scanner) changes nothing

    done = browser.post(path)
    assert done.status_code == 200
    assert "Je bent afgemeld" in text(done) and 'href="/account#meldingen"' in text(done)
    assert reload(User, anna.id).notify_email == "off"

    again = text(browser.get(path))
    assert "Je krijgt al geen e-mail meer" in again


def test_one_click_unsubscribe_post_without_csrf(app, mailed, anna):
    path = unsubscribe_path(mailed)
    response = isolated_client(app).post(path, data="List-Unsubscribe=One-Click",
                                         content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert reload(User, anna.id).notify_email == "off"


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: token + "x",
    lambda token: "x" * 1000,
    lambda token: "",
])
def test_tampered_unsubscribe_token_is_not_found(app, mailed, anna, mangle):
    token = unsubscribe_path(mailed).rsplit("/", 1)[1]
    browser = isolated_client(app)
    path = "/meldingen/afmelden/" + mangle(token)
    for response in (browser.get(path), browser.post(path)):
        assert response.status_code == 404
        assert '<html lang="nl">' in text(response)
    assert reload(User, anna.id).notify_email == "direct"


def test_unsubscribe_link_of_an_old_address_stops_working(app, mailed, anna):
    path = unsubscribe_path(mailed)
    user = reload(User, anna.id)
    user.email = "anna.nieuw@example.org"
    db.session.commit()
    assert isolated_client(app).post(path).status_code == 404
    assert reload(User, anna.id).notify_email == "direct"


def test_unsubscribe_is_rate_limited(app, anna):
    browser = isolated_client(app)
    with app.test_request_context():
        path = "/meldingen/afmelden/" + unsubscribe_token(anna)
    statuses = [browser.get(path).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    assert "Even rustig aan" in text(browser.post(path))


# -- the preference on /account ----------------------------------------------------------------------


def set_preference(client, value):
    return submit(client, "/account/meldingen", {"notify_email": value}, page="/account")


@pytest.mark.parametrize("value, flash", [
    ("digest", "één keer per dag een overzicht"),
    ("off", "je krijgt geen e-mail meer over meldingen"),
    ("direct", "direct per e-mail"),
])
def test_preference_can_be_changed(app, anna_client, anna, value, flash):
    if value == "direct":
        reload(User, anna.id).notify_email = "off"
        db.session.commit()
    response = set_preference(anna_client, value)
    assert response.status_code == 302 and response.headers["Location"] == "/account#meldingen"
    assert reload(User, anna.id).notify_email == value
    assert flash in text(anna_client.get("/account"))


@pytest.mark.parametrize("value, message", [
    ("", "Kies hoe je e-mail over meldingen wilt krijgen."),
    ("alles", "Kies een van de drie mogelijkheden."),
    ("OFF", "Kies een van de drie mogelijkheden."),
    ("off\x00", "Kies een van de drie mogelijkheden."),
    ("<script>alert(1)</script>", "Kies een van de drie mogelijkheden."),
    ("d" * 100_000, "Kies een van de drie mogelijkheden."),
])
def test_preference_refuses_anything_but_the_three_choices(app, anna_client, anna, value, message):
    response = set_preference(anna_client, value)
    assert response.status_code == 400
    page = text(response)
    assert message in page and '<html lang="nl">' in page
    assert "<script>alert(1)</script>" not in page
    assert 'name="notify_email"' in page  # the form again, to choose once more
    assert reload(User, anna.id).notify_email == "direct"


def test_preference_odd_requests_never_fail(app, anna_client, anna):
    token = csrf_token(anna_client, "/account")
    responses = [
        anna_client.post("/account/meldingen", data={"csrf_token": token, "notify_email": ["off", "digest"]}),
        anna_client.post("/account/meldingen", data={"csrf_token": token}),
        anna_client.post("/account/meldingen", json={"csrf_token": token, "notify_email": "off"}),
        anna_client.post("/account/meldingen", data={"notify_email": "off"}),  # no CSRF token
    ]
    assert [r.status_code for r in responses[1:]] == [400, 400, 400]
    assert responses[0].status_code in (302, 400)  # the first value counts, like a browser form
    db.session.expire_all()
    assert reload(User, anna.id).notify_email in ("direct", "off")
    assert anna_client.get("/account/meldingen").status_code == 405


def test_preference_needs_login(app, client, anna):
    token = csrf_token(client, "/inloggen")
    response = client.post("/account/meldingen", data={"csrf_token": token, "notify_email": "off"})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert reload(User, anna.id).notify_email == "direct"


def test_preference_partial_shows_the_current_choice(app, anna):
    anna.notify_email = "digest"
    db.session.commit()
    with app.test_request_context("/account"):
        login_user(anna)
        from app.blueprints.account.notifications import settings_form

        html = render_template("account/_notification_settings.html", notification_form=settings_form(anna))
    assert 'id="meldingen"' in html and 'action="/account/meldingen"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="digest"|<input[^>]*value="digest"[^>]*checked', html)
    assert len(re.findall(r'type="radio"', html)) == 3
    assert "Eén keer per dag een overzicht" in html and "<legend" in html


# -- the header bell ---------------------------------------------------------------------------------


def bell(app, count):
    with app.test_request_context("/"):
        return render_template("_partials/bell.html", unread_notifications=count)


def test_bell_shows_the_unread_count_for_screen_readers_too(app):
    html = bell(app, 3)
    assert 'href="/meldingen"' in html
    assert re.search(r'<svg[^>]*aria-hidden="true"', html)
    assert '<span class="visually-hidden">3 ongelezen meldingen</span>' in html
    assert "badge" in html
    assert '<span class="visually-hidden">1 ongelezen melding</span>' in bell(app, 1)
    assert ">99+<" in bell(app, 250) and "250 ongelezen meldingen" in bell(app, 250)


def test_bell_without_unread_has_no_badge_and_visitors_see_none(app):
    html = bell(app, 0)
    assert 'href="/meldingen"' in html and "badge" not in html
    assert "geen ongelezen meldingen" in html
    assert "/meldingen" not in bell(app, None)


def test_header_unread_count_for_the_person_logged_in(app, anna, bram):
    add(anna), add(anna), add(bram)
    with app.test_request_context("/"):
        assert header_counts()["unread_notifications"] is None  # a visitor
        login_user(reload(User, anna.id))
        count = header_counts()["unread_notifications"]
        html = render_template("_partials/bell.html", unread_notifications=count)
    assert count == 2
    assert "2 ongelezen meldingen" in html


# -- delivery to a real SMTP server ---------------------------------------------------------------------


def test_notification_mail_arrives_with_unsubscribe_headers(app, anna, bram, running_smtp_server):
    add(anna, "Bram reageerde in “Warmtenet”", at=T0, actor=bram)
    add(anna, "Bram noemde je in “Warmtenet”", at=T0 + MINUTE, actor=bram, kind="mention")
    assert send_notification_emails(now=T0 + DIRECT_BATCH_DELAY) == 1
    assert deliver_due() == (1, 0)

    [envelope] = running_smtp_server.envelopes
    assert envelope.rcpt_tos == ["anna@example.org"]
    [mail] = running_smtp_server.messages
    assert mail["Subject"] == "2 nieuwe meldingen op CollectieveKracht"
    unsubscribe = re.fullmatch(r"<(http://localhost/meldingen/afmelden/\S+)>", mail["List-Unsubscribe"])
    assert unsubscribe
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Bram reageerde in “Warmtenet”" in plain and "Bram noemde je in “Warmtenet”" in plain
    assert '<html lang="nl">' in html and unsubscribe.group(1) in html

    # The mail client's one-click unsubscribe: a POST to the header's URL, no session, no token.
    path = unsubscribe.group(1).removeprefix("http://localhost")
    assert isolated_client(app).post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert reload(User, anna.id).notify_email == "off"


def test_digest_arrives_at_the_smtp_server(app, anna, bram, running_smtp_server):
    anna.notify_email = "digest"
    db.session.commit()
    for hour in range(3):
        add(anna, f"Reactie om {hour} uur", at=T0 + timedelta(hours=hour), actor=bram)
    assert send_notification_emails(now=T0 + timedelta(hours=4)) == 1
    assert deliver_due() == (1, 0)
    [mail] = running_smtp_server.messages
    assert mail["Subject"] == "Je dagelijkse overzicht: 3 nieuwe meldingen"
    assert mail["List-Unsubscribe"].startswith("<http://localhost/meldingen/afmelden/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    assert all(f"Reactie om {hour} uur" in plain for hour in range(3))


def test_the_mail_worker_queues_and_delivers_notification_mail(app, anna, bram, running_smtp_server):
    add(anna, "Bram reageerde in “Deelauto’s”", at=utcnow() - timedelta(minutes=10), actor=bram)
    add(bram, "Te vers om al te mailen", actor=anna)  # arrived just now: waits for its batch
    worker_round(app)
    assert [e.rcpt_tos for e in running_smtp_server.envelopes] == [["anna@example.org"]]
    [mail] = running_smtp_server.messages
    assert mail["Subject"] == "Bram reageerde in “Deelauto’s”"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# -- robustness and speed ----------------------------------------------------------------------------


def test_one_persons_trouble_does_not_hold_up_the_others(app, anna, bram, monkeypatch, caplog):
    import app.notifications as notifications

    add(anna, "Voor Anna", at=T0)
    add(bram, "Voor Bram", at=T0)
    real_queue = notifications._queue_notification_mail

    def broken_for_anna(user, items, digest):
        if user.email == "anna@example.org":
            raise RuntimeError("sjabloon stuk")
        return real_queue(user, items, digest)

    monkeypatch.setattr(notifications, "_queue_notification_mail", broken_for_anna)
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 1
    assert [m.recipient for m in mails()] == ["bram@example.org"]
    assert "person #%s" % anna.id in caplog.text
    # Anna's notification stays due and goes out once the trouble is over.
    monkeypatch.setattr(notifications, "_queue_notification_mail", real_queue)
    assert send_notification_emails(now=T0 + timedelta(hours=1)) == 1
    assert sorted(m.recipient for m in mails()) == ["anna@example.org", "bram@example.org"]


def test_concurrent_rounds_send_each_batch_once(app):
    import threading

    people = [make_user(email=f"persoon{i}@example.org", name=f"Persoon {i}") for i in range(6)]
    for person in people:
        for minute in range(3):
            add(person, f"Melding {minute}", at=T0 + minute * MINUTE)
    start, results, errors = threading.Barrier(3), [], []

    def worker():
        with app.app_context():
            try:
                start.wait()
                results.append(send_notification_emails(now=T0 + timedelta(hours=1)))
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(results) == len(people)
    assert sorted(m.recipient for m in mails()) == sorted(p.email for p in people)


def test_list_page_statements_do_not_grow_with_notifications(app, anna_client, anna):
    from tests.support import QueryCounter

    actors = [make_user(email=f"schrijver{i}@example.org", name=f"Schrijver {i}") for i in range(5)]

    def statements():
        with QueryCounter() as counter:
            response = anna_client.get("/meldingen")
        assert response.status_code == 200
        return counter.count, text(response)

    for i in range(3):
        add(anna, f"Melding {i}", actor=actors[i])
    few, page = statements()
    assert page.count('class="list-group-item py-3 notification') == 3
    for i in range(27):
        add(anna, f"Nog een melding {i}", actor=actors[i % 5])
    many, page = statements()
    assert page.count('class="list-group-item py-3 notification') == 30
    assert "Van Schrijver 4" in page
    assert few == many


def test_bell_marks_itself_current_on_the_notifications_page(app):
    with app.test_request_context("/meldingen"):
        app.preprocess_request()  # routing sets request.blueprint
        current = render_template("_partials/bell.html", unread_notifications=0)
    assert 'aria-current="page"' in current
    assert 'aria-current' not in bell(app, 0)


def test_account_pages_get_the_preference_form_without_passing_it(app, anna):
    """The account blueprint supplies `notification_form`, so account/index.html only includes
    the partial."""
    from flask import render_template_string

    anna.notify_email = "off"
    db.session.commit()
    with app.test_request_context("/account"):
        login_user(anna)
        html = render_template_string('{% include "account/_notification_settings.html" %}')
    assert 'action="/account/meldingen"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="off"|<input[^>]*value="off"[^>]*checked', html)


def test_an_unsubscribe_token_holds_no_address_and_expires(app, mailed, anna, monkeypatch):
    import base64

    from app import notifications

    token = unsubscribe_path(mailed).rsplit("/", 1)[1]
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"anna" not in decoded.lower() and b"example" not in decoded.lower()

    path = "/meldingen/afmelden/" + token
    assert isolated_client(app).get(path).status_code == 200
    monkeypatch.setattr(notifications, "UNSUBSCRIBE_MAX_AGE", timedelta(seconds=-1))
    response = isolated_client(app).post(path)
    assert response.status_code == 404
    assert "90 dagen geldig" in text(response) and "/account#meldingen" in text(response)
    assert reload(User, anna.id).notify_email == "direct"
