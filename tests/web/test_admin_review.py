"""The moderators' review queue: who sees it, deadlines, duplicates, approve and reject."""
import re
from datetime import timedelta

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models.accounts import Token
from app.models.audit import AuditLog
from app.models.collectives import Collective
from app.models.selfscan import SelfScan, SelfScanAnswer
from app.selfscan import review as services
from app.selfscan.questionnaire import current_questionnaire
from app.timeutil import utcnow
from tests.factories import make_user, submitted_scan
from tests.fixtures.selfscan import approve_data, review_collective
from tests.support import (
    count_queries, csrf_token, isolated_client, link_from, login, outbox, reload, submit, text,
)

ALREADY = "al beoordeeld"


def scan_url(scan):
    return f"/beheer/zelfscans/{scan.id}"


def approve(client, scan, **changes):
    return submit(client, scan_url(scan) + "/goedkeuren", approve_data(**changes), page=scan_url(scan))


def reject(client, scan, reason):
    return submit(client, scan_url(scan) + "/afwijzen", {"reason": reason}, page=scan_url(scan))


def collectives():
    db.session.expire_all()
    return db.session.execute(db.select(Collective)).scalars().all()


def audit_actions():
    db.session.expire_all()
    return [entry.action for entry in db.session.execute(db.select(AuditLog)).scalars()]


@pytest.fixture
def mod_client(client, moderator):
    login(client, moderator.email)
    return client


# -- who may see the queue ---------------------------------------------------------------------

def test_visitor_is_sent_to_login(client):
    scan = submitted_scan()
    for url in ("/beheer/zelfscans", scan_url(scan)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/inloggen" in response.headers["Location"]
    assert client.post(scan_url(scan) + "/goedkeuren").status_code in (302, 400)
    assert reload(scan).status == "submitted"


@pytest.mark.parametrize("role", ["member", "representative", "partner"])
def test_non_staff_get_403_and_change_nothing(client, role):
    scan = submitted_scan()
    make_user(email="iemand@example.org", role=role)
    login(client, "iemand@example.org")
    assert client.get("/beheer/zelfscans").status_code == 403
    assert client.get(scan_url(scan)).status_code == 403
    token = csrf_token(client, "/account")
    response = client.post(scan_url(scan) + "/goedkeuren", data=dict(approve_data(), csrf_token=token))
    assert response.status_code == 403
    response = client.post(scan_url(scan) + "/afwijzen", data={"reason": "Nee", "csrf_token": token})
    assert response.status_code == 403
    assert reload(scan).status == "submitted"
    assert collectives() == []


def test_moderator_and_admin_see_the_queue(client, moderator, admin_user):
    submitted_scan()
    for person in (moderator, admin_user):
        other = isolated_client(client.application)
        login(other, person.email)
        response = other.get("/beheer/zelfscans")
        assert response.status_code == 200
        assert "Energiecoöperatie Zonnedael U.A." in text(response)


# -- the queue ---------------------------------------------------------------------------------

def test_queue_lists_waiting_scans_oldest_first_with_their_details(mod_client):
    now = utcnow()
    submitted_scan(name="Nieuw Collectief", submitted_at=now - timedelta(hours=1), municipality="Delft",
              province="Zuid-Holland", contact_name="Piet Nieuw", contact_email="piet@example.org")
    old = submitted_scan(name="Oud Collectief", submitted_at=now - timedelta(hours=5), sector="zorg")
    submitted_scan(name="Nog Bezig", status="draft")
    submitted_scan(name="Al Goedgekeurd", status="approved")

    page = text(mod_client.get("/beheer/zelfscans"))
    assert page.index("Oud Collectief") < page.index("Nieuw Collectief")
    assert "Nog Bezig" not in page and "Al Goedgekeurd" not in page
    assert "Delft" in page and "Piet Nieuw" in page and "piet@example.org" in page
    assert "Zorg &amp; welzijn" in page and "Energie" in page
    assert f'href="/beheer/zelfscans/{old.id}"' in page
    # Submission time and deadline in Dutch words ("… om HH:MM").
    assert len(re.findall(r"\d{1,2} \w+ 20\d\d om \d\d:\d\d", page)) >= 4

    approved = text(mod_client.get("/beheer/zelfscans?status=goedgekeurd"))
    assert "Al Goedgekeurd" in approved and "Oud Collectief" not in approved
    # A made-up tab falls back to the waiting scans.
    assert "Oud Collectief" in text(mod_client.get("/beheer/zelfscans?status=<script>"))


def _row(page, name):
    start = page.index(name)
    return page[start:page.index("</tr>", start)]


def test_overdue_scans_have_a_visible_te_laat_badge(mod_client):
    submitted_scan(name="Te Laat Collectief", submitted_at=utcnow() - timedelta(days=10))
    submitted_scan(name="Op Tijd Collectief", submitted_at=utcnow() - timedelta(minutes=5))
    page = text(mod_client.get("/beheer/zelfscans"))
    late = _row(page, "Te Laat Collectief")
    assert "Te laat" in late
    assert re.search(r"\d+ werkdag(en)? te laat", late)
    assert "Te laat" not in _row(page, "Op Tijd Collectief")


def test_queue_is_paginated(mod_client):
    start = utcnow() - timedelta(days=1)
    for number in range(27):
        submitted_scan(name=f"Collectief {number:02d}", submitted_at=start + timedelta(minutes=number),
                  all_answers=False)
    first = text(mod_client.get("/beheer/zelfscans"))
    assert "Collectief 00" in first and "Collectief 24" in first and "Collectief 25" not in first
    assert "pagina=2" in first
    second = text(mod_client.get("/beheer/zelfscans?pagina=2"))
    assert "Collectief 25" in second and "Collectief 26" in second and "Collectief 00" not in second
    assert mod_client.get("/beheer/zelfscans?pagina=-1").status_code == 200
    assert mod_client.get("/beheer/zelfscans?pagina=abc").status_code == 200


# -- one scan ----------------------------------------------------------------------------------

def test_scan_page_shows_every_answer_by_step_contact_consent_and_scores(mod_client):
    scan = submitted_scan(scores={"doel": 75, "leden": None})
    page = text(mod_client.get(scan_url(scan)))
    questionnaire = current_questionnaire()
    answers = scan.answer_map()
    for step in questionnaire.steps:
        assert step.title.replace("&", "&amp;") in page
        for question in step.questions:
            shown = question.display(answers.get(question.key))
            assert str(shown).replace("&", "&amp;") in page, question.key
    assert "Zeist, Utrecht, Nederland" in page
    assert "Sanne Visser" in page and "sanne@example.org" in page
    assert questionnaire.consent_version in page
    assert "Scores" in page and "75" in page and "te weinig antwoorden" in page
    # The approve form is prefilled from the answers.
    assert 'value="Energiecoöperatie Zonnedael U.A."' in page
    assert 'value="energiecooperatie-zonnedael-u-a"' in page
    assert 'name="reason"' in page


def test_possible_duplicates_are_shown(mod_client):
    review_collective(name="Zonnedael", slug="zonnedael", sector="energie", municipality="Bunnik")
    review_collective(name="Wooncoöperatie De Hoek", slug="de-hoek", sector="wonen", municipality="Zeist")
    review_collective(name="Voedselbos Noord", slug="voedselbos-noord", sector="voedsel",
                    municipality="Groningen", province="Groningen")
    other = submitted_scan(name="Stichting Energie Zonnedaal", municipality="Utrecht", all_answers=False)
    submitted_scan(name="Iets Heel Anders", municipality="Maastricht", province="Limburg", all_answers=False)
    scan = submitted_scan()  # Energiecoöperatie Zonnedael U.A., Zeist

    page = text(mod_client.get(scan_url(scan)))
    section = page[page.index("Mogelijke dubbele aanmeldingen"):page.index("Antwoorden</h2>")]
    assert "Zonnedael" in section and "vergelijkbare naam" in section
    assert "De Hoek" in section and "zelfde gemeente" in section
    assert f"#{other.id} Stichting Energie Zonnedaal" in section
    assert "Voedselbos Noord" not in section and "Iets Heel Anders" not in section


def test_name_normalisation():
    assert services.normalise_name("Energiecoöperatie Zonnedael U.A.") == "energie zonnedael"
    assert services.normalise_name("Stichting  Buurtzorg-De Linde") == "buurtzorg linde"
    assert services.names_similar("Coöperatie De Windvogel", "Windvogel")
    assert services.names_similar("Buurtkracht Oost", "Buurtkracht Oostt")
    assert not services.names_similar("Buurtkracht Oost", "Zonnedael")
    assert not services.names_similar("", "Zonnedael")
    assert services.slugify("Coöperatie Ús Koöp!") == "cooperatie-us-koop"
    assert services.slugify("<<>>") == "collectief"


def test_unknown_or_draft_scans_are_404(mod_client):
    draft = submitted_scan(status="draft")
    assert mod_client.get(scan_url(draft)).status_code == 404
    assert mod_client.get("/beheer/zelfscans/999999").status_code == 404
    assert mod_client.get("/beheer/zelfscans/abc").status_code == 404
    assert mod_client.get("/beheer/zelfscans/99999999999999999999").status_code == 404
    token = csrf_token(mod_client, "/beheer/zelfscans")
    for action in ("goedkeuren", "afwijzen"):
        response = mod_client.post(f"/beheer/zelfscans/999999/{action}",
                                   data=dict(approve_data(), reason="x", csrf_token=token))
        assert response.status_code == 404
        assert mod_client.post(f"/beheer/zelfscans/{draft.id}/{action}",
                               data=dict(approve_data(), reason="x", csrf_token=token)).status_code == 404
    assert collectives() == []


# -- approving ---------------------------------------------------------------------------------

def test_approve_creates_the_collective_and_invites_the_contact(mod_client, moderator):
    scan = submitted_scan()
    before = utcnow()
    response = approve(mod_client, scan)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beheer/zelfscans")

    [collective] = collectives()
    assert (collective.name, collective.slug, collective.sector, collective.municipality,
            collective.province, collective.country) == (
        "Energiecoöperatie Zonnedael", "zonnedael", "energie", "Zeist", "Utrecht", "NL")
    assert collective.description == "Samen zonnepanelen op de daken van Zeist."
    scan = reload(scan)
    assert scan.status == "approved"
    assert scan.collective_id == collective.id
    assert scan.reviewed_by_id == moderator.id
    assert scan.reviewed_at >= before - timedelta(seconds=1)

    [mail] = outbox("sanne@example.org")
    assert "Energiecoöperatie Zonnedael" in mail.subject
    assert "Sanne Visser" in mail.body_text
    assert "7 dagen" in mail.body_text
    link = link_from(mail, "/uitnodiging/")
    assert link in mail.body_html
    [token] = db.session.execute(db.select(Token)).scalars().all()
    assert token.purpose == "invite-representative"
    assert token.email == "sanne@example.org"
    assert token.payload == {"collective_id": collective.id, "scan_id": scan.id}
    assert timedelta(days=6, hours=23) < token.expires_at - before < timedelta(days=7, minutes=1)

    assert "is gepubliceerd" in text(mod_client.get("/beheer/zelfscans"))
    assert audit_actions() == ["selfscan.approve"]
    audit = text(mod_client.get("/beheer/audit"))
    assert "selfscan.approve" in audit and "Zonnedael" in audit and "Mo Derator" in audit


def test_approving_twice_makes_one_collective(mod_client):
    scan = submitted_scan()
    assert approve(mod_client, scan).status_code == 302
    second = approve(mod_client, scan, slug="zonnedael-twee")
    assert second.status_code == 302
    assert ALREADY in text(mod_client.get(second.headers["Location"]))
    assert len(collectives()) == 1
    assert len(outbox("sanne@example.org")) == 1
    assert audit_actions() == ["selfscan.approve"]


def test_two_moderators_approving_make_one_collective(client, moderator):
    scan = submitted_scan()
    make_user(email="tweede@example.org", name="Tweede Moderator", role="moderator")
    first, second = client, isolated_client(client.application)
    login(first, moderator.email)
    login(second, "tweede@example.org")
    # Both have the page with its form open.
    first_token = csrf_token(first, scan_url(scan))
    second_token = csrf_token(second, scan_url(scan))

    response = first.post(scan_url(scan) + "/goedkeuren", data=dict(approve_data(), csrf_token=first_token))
    assert response.status_code == 302
    response = second.post(scan_url(scan) + "/goedkeuren",
                           data=dict(approve_data(slug="andere-slug", name="Andere naam"),
                                     csrf_token=second_token), follow_redirects=True)
    assert ALREADY in text(response)
    [collective] = collectives()
    assert collective.slug == "zonnedael"
    assert reload(scan).reviewed_by_id == moderator.id
    # Rejecting it afterwards changes nothing either.
    response = second.post(scan_url(scan) + "/afwijzen", data={"reason": "Dubbel", "csrf_token": second_token},
                           follow_redirects=True)
    assert ALREADY in text(response)
    assert reload(scan).status == "approved"
    assert len(outbox()) == 1


def test_the_conditional_update_protects_a_stale_scan(moderator, admin_user):
    """Two requests that both saw the scan as waiting: only the first creates a collective."""
    scan = submitted_scan()
    stale = db.session.get(SelfScan, scan.id)
    assert services.approve_selfscan(moderator, stale, approve_data()) is not None
    db.session.commit()
    # What a second request loaded before the first committed (not a change to be saved).
    set_committed_value(stale, "status", "submitted")
    assert services.approve_selfscan(admin_user, stale, approve_data(slug="ander")) is None
    assert services.reject_selfscan(admin_user, stale, "Te laat") is False
    db.session.rollback()
    assert len(collectives()) == 1
    assert reload(scan).reviewed_by_id == moderator.id


@pytest.mark.parametrize("slug, message", [
    ("", "Vul het adres van de pagina in."),
    ("geen spaties", "Gebruik alleen kleine letters"),
    ("-begin", "Gebruik alleen kleine letters"),
    ("eind-", "Gebruik alleen kleine letters"),
    ("dubbel--streepje", "Gebruik alleen kleine letters"),
    ("zonnedaël", "Gebruik alleen kleine letters"),
    ("a/b", "Gebruik alleen kleine letters"),
    ("x" * 81, "hoogstens 80 tekens"),
    ("bestaand", "al in gebruik"),
])
def test_slug_is_validated_and_nothing_is_created(mod_client, slug, message):
    review_collective(name="Bestaand", slug="bestaand")
    scan = submitted_scan()
    response = approve(mod_client, scan, slug=slug)
    assert response.status_code == 200
    assert message in text(response)
    assert "Niet alles is goed ingevuld" in text(response)
    assert [c.slug for c in collectives()] == ["bestaand"]
    assert reload(scan).status == "submitted"
    assert outbox() == []


def test_slug_in_capitals_is_lowered_and_the_prefill_avoids_taken_slugs(mod_client):
    review_collective(name="Zonnedael", slug="energiecooperatie-zonnedael-u-a")
    scan = submitted_scan()
    assert 'value="energiecooperatie-zonnedael-u-a-2"' in text(mod_client.get(scan_url(scan)))
    assert approve(mod_client, scan, slug="  Zon-Dael-2026 ").status_code == 302
    assert {c.slug for c in collectives()} == {"energiecooperatie-zonnedael-u-a", "zon-dael-2026"}


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Vul de naam van het collectief in."),
    ({"name": "x" * 151}, "hoogstens 150 tekens"),
    ({"name": "Naam\x00met\x1bnul"}, "onzichtbare tekens"),
    ({"sector": "kernenergie"}, "Kies een sector uit de lijst."),
    ({"municipality": ""}, "Vul de gemeente in."),
    ({"province": "Antwerpen"}, "Deze provincie ligt niet in Nederland."),
    ({"province": "Atlantis"}, "Kies een provincie uit de lijst."),
    ({"country": "DE"}, "Kies Nederland of België."),
    ({"description": "y" * 2001}, "hoogstens 2000 tekens"),
])
def test_bad_approve_input_gets_a_dutch_message(mod_client, changes, message):
    scan = submitted_scan()
    response = approve(mod_client, scan, **changes)
    assert response.status_code == 200
    assert message in text(response)
    assert collectives() == []
    assert reload(scan).status == "submitted"


def test_hostile_approve_input_never_500(mod_client):
    scan = submitted_scan()
    token = csrf_token(mod_client, scan_url(scan))
    url = scan_url(scan) + "/goedkeuren"
    for data in (
        {},
        {"name": "a" * 100_000, "slug": "b" * 100_000, "sector": ["energie", "wonen"]},
        {"name": ["x", "y"], "slug": "\u202eslug", "country": "\x00"},
        {"name": "<script>alert(1)</script>", "slug": "ok-slug", "sector": "energie",
         "municipality": "<b>Zeist</b>", "province": "", "country": "BE", "description": "\x07"},
    ):
        response = mod_client.post(url, data=dict(data, csrf_token=token))
        assert response.status_code == 200, data
        assert "<script>alert(1)</script>" not in text(response)
    assert mod_client.post(url, data=approve_data()).status_code == 400  # no CSRF token
    assert collectives() == []
    # Markup in a valid name is stored as text and shown escaped.
    approve(mod_client, scan, name="<i>Zon</i> & co")
    assert collectives()[0].name == "<i>Zon</i> & co"
    assert "&lt;i&gt;Zon&lt;/i&gt; &amp; co" in text(mod_client.get("/beheer/audit"))


def test_a_belgian_collective_gets_a_flemish_province(mod_client):
    scan = submitted_scan(municipality="Gent", province="Oost-Vlaanderen", country="BE")
    page = text(mod_client.get(scan_url(scan)))
    assert '<option selected value="BE">' in page or 'value="BE" selected' in page
    assert approve(mod_client, scan, country="BE", province="Oost-Vlaanderen",
                   municipality="Gent").status_code == 302
    assert collectives()[0].country == "BE"


# -- rejecting ---------------------------------------------------------------------------------

def test_reject_needs_a_reason(mod_client):
    scan = submitted_scan()
    for reason, message in (("", "Schrijf waarom"), ("   ", "Schrijf waarom"),
                            ("z" * 2001, "hoogstens 2000 tekens"), ("a\x00b", "onzichtbare tekens")):
        response = reject(mod_client, scan, reason)
        assert response.status_code == 200
        assert message in text(response)
    assert reload(scan).status == "submitted"
    assert outbox() == []


def test_reject_emails_the_reason_and_is_audited(mod_client, moderator):
    scan = submitted_scan()
    reason = "Dit is een commercieel bedrijf dat winst uitkeert.\nNeem gerust contact op."
    response = reject(mod_client, scan, reason)
    assert response.status_code == 302
    scan = reload(scan)
    assert scan.status == "rejected"
    assert scan.rejection_reason == reason
    assert scan.reviewed_by_id == moderator.id
    assert collectives() == []
    [mail] = outbox("sanne@example.org")
    assert reason in mail.body_text
    assert "Energiecoöperatie Zonnedael U.A." in mail.body_text
    assert "/contact" in mail.body_text
    assert audit_actions() == ["selfscan.reject"]
    assert "afgewezen" in text(mod_client.get("/beheer/audit"))
    rejected = text(mod_client.get("/beheer/zelfscans?status=afgewezen"))
    assert "Energiecoöperatie Zonnedael U.A." in rejected
    # A second rejection or an approval afterwards changes nothing.
    assert reject(mod_client, scan, "Nogmaals").status_code == 302
    assert ALREADY in text(mod_client.get(scan_url(scan)))
    approve(mod_client, scan)
    assert collectives() == [] and len(outbox()) == 1
    assert reload(scan).rejection_reason == reason


def test_markup_in_a_reason_is_escaped_in_the_html_mail(mod_client):
    scan = submitted_scan()
    reject(mod_client, scan, "<a href='http://evil.example'>klik</a>")
    [mail] = outbox()
    assert "<a href='http://evil.example'>" not in mail.body_html
    assert "&lt;a href=" in mail.body_html


def test_a_slug_taken_at_the_last_moment_gives_a_form_error(mod_client, monkeypatch):
    """Another collective takes the address between the form check and the insert."""
    from app.blueprints.admin.forms import ApproveScanForm

    review_collective(name="Bestaand", slug="bestaand")
    scan = submitted_scan()
    monkeypatch.setattr(ApproveScanForm, "validate_slug", lambda form, field: None)
    response = approve(mod_client, scan, slug="bestaand")
    assert response.status_code == 200
    assert "net door een ander collectief in gebruik genomen" in text(response)
    assert [c.slug for c in collectives()] == ["bestaand"]
    assert reload(scan).status == "submitted"
    assert outbox() == [] and audit_actions() == []


def test_an_answer_in_an_unexpected_shape_is_still_shown(mod_client):
    scan = submitted_scan()
    location_key = current_questionnaire().profile_keys["location"]
    answer = next(a for a in scan.answers if a.question_key == location_key)
    answer.value = "Zeist (oud formaat)"
    db.session.add(SelfScanAnswer(scan_id=scan.id, question_key="vervallen_vraag",
                                  questionnaire_version=scan.questionnaire_version, value=[1, 2]))
    db.session.commit()
    page = text(mod_client.get(scan_url(scan)))
    assert "Zeist (oud formaat)" in page
    assert "vervallen_vraag" in page


@pytest.mark.parametrize("tab, status", [("ingediend", "submitted"), ("goedgekeurd", "approved")])
def test_queue_queries_do_not_grow_with_the_rows(mod_client, moderator, tab, status):
    def add(number, start):
        from app.models.accounts import User

        for index in range(start, start + number):
            reviewer = User(email=f"r{index}@example.org", name=f"Reviewer {index}",
                            role="moderator", password_hash="x")
            db.session.add(reviewer)
            db.session.flush()
            scan = submitted_scan(name=f"Collectief {tab} {index}", status=status, all_answers=False)
            scan.reviewed_by_id = reviewer.id
            scan.reviewed_at = utcnow()
        db.session.commit()

    add(2, 0)
    few = count_queries(mod_client, f"/beheer/zelfscans?status={tab}")
    add(10, 2)
    many = count_queries(mod_client, f"/beheer/zelfscans?status={tab}")
    assert many == few
