"""On /account staff choose how new queue items reach them; a representative finds a join request
in the bell (issue 15)."""
import re
from datetime import timedelta

from app.extensions import db
from app.models.accounts import User
from app.models.notifications import MAIL_SKIPPED, Notification
from app.notifications import send_notification_emails
from tests.factories import make_collective, make_user, member_of
from tests.support import isolated_client, login, outbox, submit, text

SETTINGS = "/account/moderatormeldingen"


def choice_of(email):
    db.session.expire_all()
    return User.find_by_email(email).staff_alerts


def test_staff_see_the_choice_with_each_item_as_the_default(client):
    make_user(email="mod@example.org", name="Mo", role="moderator")
    login(client, "mod@example.org")
    page = text(client.get("/account"))
    assert "Nieuwe items voor moderatoren" in page
    [checked] = re.findall(r'<input[^>]* checked [^>]*name="staff_alerts"[^>]*>', page)
    assert 'value="each"' in checked and "Bij elk nieuw item een melding en een e-mail" in page


def test_a_moderator_chooses_a_daily_summary_and_then_none(client):
    make_user(email="mod@example.org", name="Mo", role="moderator")
    login(client, "mod@example.org")
    response = submit(client, SETTINGS, {"staff_alerts": "daily"}, page="/account")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account#moderatormeldingen")
    assert "elke ochtend om 08:00" in text(client.get("/account"))
    assert choice_of("mod@example.org") == "daily"
    assert submit(client, SETTINGS, {"staff_alerts": "none"}, page="/account").status_code == 302
    assert choice_of("mod@example.org") == "none"


def test_a_bad_choice_is_refused_in_dutch_and_changes_nothing(client):
    make_user(email="baas@example.org", name="Baas", role="admin")
    login(client, "baas@example.org")
    for value in ("weekly", "", "each' OR 1=1"):
        response = submit(client, SETTINGS, {"staff_alerts": value}, page="/account")
        assert response.status_code == 400
        page = text(response)
        assert "Kies een van de drie mogelijkheden." in page or "Kies hoe je over nieuwe items" in page
    assert choice_of("baas@example.org") == "each"


def test_members_have_no_such_choice_and_cannot_post_it(app, client):
    make_user(email="lid@example.org", name="Lid")
    login(client, "lid@example.org")
    assert "Nieuwe items voor moderatoren" not in text(client.get("/account"))
    response = submit(client, SETTINGS, {"staff_alerts": "none"}, page="/account")
    assert response.status_code == 403
    assert choice_of("lid@example.org") == "each"
    anonymous = isolated_client(app)
    response = anonymous.post(SETTINGS, data={"staff_alerts": "none"})
    assert response.status_code in (302, 400)  # to the login (or refused without a CSRF token)


def test_the_form_needs_its_csrf_token(client):
    make_user(email="mod@example.org", name="Mo", role="moderator")
    login(client, "mod@example.org")
    response = client.post(SETTINGS, data={"staff_alerts": "none"})
    assert response.status_code == 400
    assert choice_of("mod@example.org") == "each"


def test_a_join_request_lands_in_the_representatives_bell_once(app, client):
    collective = make_collective("De Windvang", slug="windvang")
    rep = member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    make_user(email="bas@example.org", name="Bas Buurman")
    login(client, "bas@example.org")
    assert submit(client, "/collectieven/windvang/lid-worden", {"message": "Ik woon om de hoek."},
                  page="/collectieven/windvang").status_code == 302

    [notification] = db.session.execute(
        db.select(Notification).where(Notification.user_id == rep.id)).scalars().all()
    assert notification.kind == "join_request"
    assert notification.text == "Bas Buurman wil lid worden van De Windvang"
    assert notification.url == "/collectieven/windvang/dashboard#aanvragen"
    assert notification.excerpt == "Ik woon om de hoek."
    assert notification.mail_state == MAIL_SKIPPED  # the join e-mail already told her

    rep_client = isolated_client(app)
    login(rep_client, "rep@example.org")
    page = text(rep_client.get("/meldingen"))
    assert "Bas Buurman wil lid worden van De Windvang" in page and "Lidmaatschap" in page

    mails = len(outbox("rep@example.org"))
    assert mails == 1
    send_notification_emails(now=notification.created_at + timedelta(hours=1))
    assert len(outbox("rep@example.org")) == 1  # no second e-mail about the same request
