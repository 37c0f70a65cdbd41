"""The partner application at /partner-worden: the form, its checks, e-mails, limits, duplicates."""
import json

import pytest

from app.extensions import db, limiter
from app.models.outbox import OutboxMessage
from app.staff_alerts import send_staff_alerts
from app.validators import has_control_characters
from tests.factories import make_user
from tests.fixtures.partners import (
    MOTIVATION, applications, apply, make_application, valid_application,
)
from tests.support import csrf_token, isolated_client, login, outbox, submit, text

THANKS = "Dank je wel voor jullie aanvraag"


def test_the_page_introduces_partnership_and_shows_the_form(client):
    response = client.get("/partner-worden")
    assert response.status_code == 200
    page = text(response)
    assert "Aan dit onderdeel bouwen we nog" not in page  # the placeholder is gone
    assert "<h1>Partner worden</h1>" in page
    for words in ("financiers", "kennisinstellingen", "overheden", "netwerkorganisaties",
                  "wederkerigheid", "als klanten ziet", "Wij komen niet om iets te verkopen"):
        assert words in page
    for slug in ("financelab", "sciencelab", "overheidslab", "netwerklab"):
        assert f'type="checkbox" name="labs"' in page and f'value="{slug}"' in page
    for kind in ("financier", "kennisinstelling", "overheid", "netwerkorganisatie"):
        assert f'name="kind"' in page and f'value="{kind}"' in page
    for name in ("organisation_name", "website", "contact_name", "contact_email", "contact_role",
                 "motivation", "declaration"):
        assert f'name="{name}"' in page
    assert "style=" not in page and "<script>" not in page


def test_a_logged_in_person_finds_their_name_and_address_filled_in(client):
    make_user(email="jan@example.org", name="Jan Jansen")
    login(client, "jan@example.org")
    page = text(client.get("/partner-worden"))
    assert 'value="Jan Jansen"' in page and 'value="jan@example.org"' in page


def test_an_application_is_stored_and_e_mailed(client):
    moderator = make_user(email="mod@example.org", name="Mo", role="moderator")
    admin = make_user(email="baas@example.org", name="Ad", role="admin")
    make_user(email="weg@example.org", name="Geschorst", role="moderator", status="suspended")
    make_user(email="lid@example.org", name="Lid")

    response = apply(client, labs=["sciencelab", "financelab"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/partner-worden/verstuurd"
    assert THANKS in text(client.get("/partner-worden/verstuurd"))

    [application] = applications()
    assert application.organisation_name == "Stichting Fonds Lokale Energie"
    assert application.kind == "financier"
    assert application.website == "https://www.fondslokaal.example"
    assert application.lab_slugs == ["financelab", "sciencelab"]  # the labs' own order
    assert application.contact_name == "Marieke de Jong"
    assert application.contact_email == "marieke@fonds.example"
    assert application.contact_role == "Fondsmanager"
    assert application.motivation == MOTIVATION
    assert application.declares_not_selling is True
    assert application.status == "pending"
    assert application.decided_at is None and application.organisation_id is None

    [confirmation] = outbox("marieke@fonds.example")
    assert "ontvangen" in confirmation.subject
    assert "Stichting Fonds Lokale Energie" in confirmation.body_text
    assert "Financelab, Sciencelab" in confirmation.body_text
    assert "Marieke de Jong" in confirmation.body_html

    # The moderators hear of it from the worker's staff-alerts round, not during the request.
    assert [m.recipient for m in outbox()] == ["marieke@fonds.example"]
    send_staff_alerts()
    notices = {m.recipient: m for m in outbox() if m.recipient != "marieke@fonds.example"}
    assert set(notices) == {moderator.email, admin.email}
    notice = notices[moderator.email]
    assert notice.subject == "Nieuwe partneraanvraag: Stichting Fonds Lokale Energie"
    assert MOTIVATION in notice.body_text
    assert f"/beheer/partners/{application.id}" in notice.body_text


def test_without_moderators_the_notice_goes_to_the_platform_address(client, app):
    assert apply(client).status_code == 302
    send_staff_alerts()
    recipients = {m.recipient for m in outbox()}
    assert recipients == {"marieke@fonds.example", app.config["MAIL_DEFAULT_SENDER"]}


def test_markup_in_an_application_is_shown_as_text(client):
    make_user(email="mod@example.org", name="Mo", role="moderator")
    evil = '<script>alert("x")</script>'
    response = apply(client, organisation_name="Fonds " + evil, motivation=MOTIVATION + evil)
    assert response.status_code == 302
    [application] = applications()
    assert application.organisation_name == "Fonds " + evil  # stored as typed
    send_staff_alerts()
    notice = outbox("mod@example.org")[0]
    assert "<script>" not in notice.body_html and "&lt;script&gt;" in notice.body_html


@pytest.mark.parametrize("website, stored", [
    ("", None),
    ("   ", None),
    ("voorbeeld.nl", "https://voorbeeld.nl"),
    ("http://www.voorbeeld.nl/over-ons?taal=nl", "http://www.voorbeeld.nl/over-ons?taal=nl"),
    ("HTTPS://Gemeente.Example/", "HTTPS://Gemeente.Example/"),
    ("https://universiteit.example:8443/lab", "https://universiteit.example:8443/lab"),
    ("https://coöperatie.example", "https://coöperatie.example"),
])
def test_website_is_optional_and_gets_a_scheme(client, website, stored):
    assert apply(client, website=website).status_code == 302
    assert applications()[0].website == stored


WEBSITE_INVALID = "Vul een geldig webadres in"


@pytest.mark.parametrize("field, value, message", [
    ("organisation_name", "", "Vul de naam van de organisatie in."),
    ("organisation_name", "A", "De naam van de organisatie is 2 tot 150 tekens lang."),
    ("organisation_name", "x" * 151, "De naam van de organisatie is 2 tot 150 tekens lang."),
    ("organisation_name", "Fonds\x00", "onzichtbare tekens"),
    ("organisation_name", "Fonds\nBank", "onzichtbare tekens"),
    ("kind", "", "Kies wat voor organisatie het is."),
    ("kind", "bedrijf", "Kies wat voor organisatie het is."),
    ("kind", None, "Kies wat voor organisatie het is."),
    ("website", "javascript:alert(1)", WEBSITE_INVALID),
    ("website", "ftp://bestanden.example", WEBSITE_INVALID),
    ("website", "http://", WEBSITE_INVALID),
    ("website", "https://", WEBSITE_INVALID),
    ("website", "https://bank.example@evil.example", WEBSITE_INVALID),
    ("website", "https://voor beeld.nl", WEBSITE_INVALID),
    ("website", "https://localhost", WEBSITE_INVALID),
    ("website", "https://voorbeeld.nl:99999", WEBSITE_INVALID),
    ("website", "https://[::1", WEBSITE_INVALID),
    ("website", "https://" + "a" * 300 + ".nl", "Een webadres is hoogstens 300 tekens lang."),
    ("labs", None, "Kies minstens één lab."),
    ("labs", [""], "Kies minstens één lab."),
    ("labs", ["hacklab"], "Kies labs uit de lijst."),
    ("labs", ["financelab", "x" * 500], "Kies labs uit de lijst."),
    ("contact_name", "", "Vul je naam in."),
    ("contact_name", "n" * 121, "Een naam is hoogstens 120 tekens lang."),
    ("contact_email", "", "Vul je e-mailadres in."),
    ("contact_email", "geen-adres", "Dit is geen geldig e-mailadres."),
    ("contact_email", "a" * 250 + "@example.org", "Een e-mailadres is hoogstens 254 tekens lang."),
    ("contact_role", "r" * 121, "Een functie is hoogstens 120 tekens lang."),
    ("contact_role", "Directeur\u202e", "onzichtbare tekens"),
    ("motivation", "", "Vertel waarom jullie partner willen worden."),
    ("motivation", "Wij willen graag meedoen.", "Schrijf je motivatie in 50 tot 3.000 tekens."),
    ("motivation", "m" * 3001, "Schrijf je motivatie in 50 tot 3.000 tekens."),
    ("motivation", MOTIVATION + "\x1b[31m", "onzichtbare tekens"),
    ("declaration", None, "Vink de verklaring aan."),
    ("declaration", "", "Vink de verklaring aan."),
])
def test_every_check_has_a_dutch_message_and_stores_nothing(client, field, value, message):
    response = apply(client, **{field: value}) if value is not None else \
        submit(client, "/partner-worden", valid_application(**{field: None}))
    assert response.status_code == 400
    page = text(response)
    assert "Niet alles is goed ingevuld" in page
    assert message in page
    assert applications() == []
    assert outbox() == []


def test_the_motivation_counts_a_line_break_as_one_character(client):
    # 47 characters with line breaks counted once; 50 if CRLF counted as two.
    body = "\r\n".join(["x" * 11] * 4)
    assert len(body.replace("\r\n", "\n")) < 50 <= len(body)
    response = apply(client, motivation=body)
    assert response.status_code == 400 and "50 tot 3.000" in text(response)
    assert apply(client, motivation=MOTIVATION.replace(". ", ".\r\n")).status_code == 302
    assert "\r" not in applications()[0].motivation


def test_the_declaration_is_required(client):
    response = submit(client, "/partner-worden", valid_application(declaration=None))
    assert response.status_code == 400
    page = text(response)
    assert "Zonder die verklaring kunnen we jullie aanvraag niet in behandeling nemen." in page
    # The rest of what was typed is kept, so only the box needs ticking.
    assert 'value="Stichting Fonds Lokale Energie"' in page and MOTIVATION in page
    assert applications() == []
    assert apply(client).status_code == 302


def test_a_second_application_while_one_is_pending_is_not_stored(client):
    make_user(email="mod@example.org", name="Mo", role="moderator")
    assert apply(client).status_code == 302
    mails_before = len(outbox())
    response = apply(client, contact_email="  MARIEKE@fonds.example ", organisation_name="Ander Fonds")
    assert response.status_code == 302
    assert response.headers["Location"] == "/partner-worden/verstuurd"  # the same answer
    [application] = applications()
    assert application.organisation_name == "Stichting Fonds Lokale Energie"
    assert len(outbox()) == mails_before  # nothing sent twice


def test_after_a_decision_the_same_address_may_apply_again(client):
    make_application(contact_email="marieke@fonds.example", status="refused")
    assert apply(client).status_code == 302
    assert [a.status for a in applications()] == ["refused", "pending"]


def test_three_applications_an_hour_per_address(client):
    for number in range(3):
        assert apply(client, contact_email=f"persoon{number}@fonds.example").status_code == 302
    response = apply(client, contact_email="vierde@fonds.example")
    assert response.status_code == 429
    assert "Even rustig aan" in text(response)
    assert len(applications()) == 3


def test_forms_sent_back_with_errors_do_not_use_up_the_limit(client):
    for _ in range(5):
        assert apply(client, motivation="te kort").status_code == 400
    assert apply(client).status_code == 302


def test_another_address_is_not_held_up(client, app):
    for number in range(3):
        assert apply(client, contact_email=f"persoon{number}@fonds.example").status_code == 302
    other = isolated_client(app)
    token = csrf_token(other, "/partner-worden")
    response = other.post("/partner-worden", data=dict(valid_application(contact_email="ander@x.example"),
                                                       csrf_token=token),
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_without_csrf_token_nothing_is_stored(client):
    response = client.post("/partner-worden", data=valid_application())
    assert response.status_code == 400
    assert "Het formulier is verlopen" in text(response)
    assert applications() == []


HOSTILE = [
    "x" * 100_000,
    "ä€😀" * 12_000,
    " \t\n\r\u00a0 ",
    "Fonds\x00",
    "\x1b[31mFonds\x1b[0m",
    "Fonds\u202egro.elpmaxe",
    "Fo\u200bnds",
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "{{ config.SECRET_KEY }}{% print 1 %}",
    "'; DROP TABLE partner_applications; --",
    "Z\u0334\u0321a\u0337l\u0336g\u0338o \ufffe\uffff \U0010ffff",
    "anna@example.org\r\nBcc: iedereen@evil.example",
]
FIELDS = ["organisation_name", "kind", "website", "labs", "contact_name", "contact_email",
          "contact_role", "motivation", "declaration"]


@pytest.fixture
def no_rate_limits(monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)


@pytest.mark.usefixtures("no_rate_limits")
def test_hostile_input_never_gives_a_500(client):
    token = csrf_token(client, "/partner-worden")
    for field in FIELDS:
        for value in HOSTILE + [["a", "b"], ["financelab"] * 50]:
            data = dict(valid_application(contact_email=f"p{len(applications())}@fonds.example"),
                        csrf_token=token)
            data[field] = value
            response = client.post("/partner-worden", data=data)
            assert response.status_code in (302, 400), (field, repr(value)[:40], response.status_code)
            if response.status_code == 400:
                assert "Niet alles is goed ingevuld" in text(response)
    for application in applications():
        for value in (application.organisation_name, application.contact_name,
                      application.contact_role or "", application.website or ""):
            assert not has_control_characters(value) and "\n" not in value
        assert application.kind in ("financier", "kennisinstelling", "overheid", "netwerkorganisatie")
        assert application.lab_slugs and set(application.lab_slugs) <= {
            "financelab", "sciencelab", "overheidslab", "netwerklab"}
        assert application.declares_not_selling
    for message in db.session.execute(db.select(OutboxMessage)).scalars():
        assert "\n" not in message.subject and "\r" not in message.recipient


@pytest.mark.usefixtures("no_rate_limits")
def test_odd_requests_never_give_a_500(client):
    token = csrf_token(client, "/partner-worden")
    bodies = [
        {"csrf_token": token},
        {"csrf_token": token, "labs": ["financelab"] * 1000},
        {"csrf_token": [token, token]},
    ]
    for body in bodies:
        assert client.post("/partner-worden", data=body).status_code == 400
    response = client.post("/partner-worden", data=json.dumps(valid_application()),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 400
    response = client.post("/partner-worden", data={"csrf_token": token, "organisation_name": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert client.get("/partner-worden?labs=financelab&kind=<b>").status_code == 200
    assert client.put("/partner-worden").status_code == 405
    assert applications() == []
