"""A collective's dashboard: the latest report, recommendations, join requests and a new scan."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.collectives import JoinRequest
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SCAN_DRAFT, SCAN_SUBMITTED
from app.timeutil import utcnow
from tests.factories import SCORES, make_collective, make_scan, make_user, member_of
from tests.support import csrf_token, login, text

DASHBOARD = "/collectieven/windvang/dashboard"


@pytest.fixture
def windvang():
    collective = make_collective("De Windvang", slug="windvang")
    member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    member_of(collective, "lid@example.org", name="Bas Buurman")
    return collective


def row(label, score, level):
    return f'<th scope="row">{label}</th>\n                <td>{score}</td>\n                <td>{level}</td>'


def test_member_sees_the_latest_report_with_change_and_recommendation(client, windvang):
    now = utcnow()
    make_scan(windvang, SCAN_APPROVED, now - timedelta(days=400),
              scores={**SCORES, "doel": 70, "financien": 50})
    latest = make_scan(windvang, SCAN_COMPLETED, now - timedelta(days=10),
                       challenges=["financiering", "gemeente"])
    make_scan(windvang, SCAN_APPROVED, now - timedelta(days=800), scores={**SCORES, "doel": 5})
    # Scans without a report do not count, however new.
    make_scan(windvang, SCAN_SUBMITTED, now - timedelta(days=1), scores={**SCORES, "doel": 1})
    make_scan(windvang, SCAN_DRAFT, now, scores={**SCORES, "doel": 2})

    login(client, "lid@example.org")
    response = client.get(DASHBOARD)
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Dashboard van De Windvang</h1>" in page
    assert row("Doel en nut", 80, "Sterk") in page
    assert row("Financiën", 30, "Aandachtspunt") in page
    assert row("Leden", 45, "In ontwikkeling") in page
    # Change since the previous scan (the one of 400 days ago).
    assert "<th scope=\"col\">Verandering</th>" in page
    assert "<td>+10</td>" in page and "<td>-20</td>" in page
    # The radar chart, server-rendered and accessible.
    assert '<svg' in page and 'role="img"' in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    # Links to the whole report and the PDF of that scan.
    assert f'href="/zelfscan/{latest.id}/rapport"' in page
    assert f'href="/zelfscan/{latest.id}/rapport.pdf"' in page
    # Challenges and the lab to ask, with its reason.
    assert "Financiering van plannen of de lopende kosten" in page
    assert "Stel jullie vraag aan het Financelab." in page
    assert "financiering van plannen" in page.split("Stel jullie vraag aan het Financelab.")[1]
    assert 'href="/labs/financelab/vragen/nieuw">Stel een vraag in het Financelab</a>' in page
    # A member neither decides join requests nor starts a new scan.
    assert "Nieuwe zelfscan starten" not in page
    assert 'id="aanvragen"' not in page


def test_the_whole_report_and_pdf_open_for_a_member(client, windvang):
    scan = make_scan(windvang)
    login(client, "lid@example.org")
    assert client.get(f"/zelfscan/{scan.id}/rapport").status_code == 200
    pdf = client.get(f"/zelfscan/{scan.id}/rapport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_representative_sees_requests_and_the_new_scan_button(client, windvang):
    make_scan(windvang)
    person = make_user(email="nieuw@example.org", name="Nieuw Persoon")
    db.session.add(JoinRequest(user_id=person.id, collective_id=windvang.id, message="Hoi!\nIk ben het."))
    db.session.commit()
    login(client, "rep@example.org")
    page = text(client.get(DASHBOARD))
    assert "Aanvragen om lid te worden (1)" in page
    assert "Nieuw Persoon</strong> (nieuw@example.org)" in page
    assert "Hoi!\nIk ben het." in page
    assert 'name="decision" value="approve"' in page and 'name="decision" value="decline"' in page
    assert "Nieuwe zelfscan starten" in page
    assert 'action="/zelfscan/opnieuw"' in page
    assert "De laatste zelfscan is ingevuld op" in page
    # A repeat scan starts from every answer of the previous one (tests/web/test_selfscan_rescan.py).
    assert "Alle antwoorden van de vorige keer staan al ingevuld" in page


def test_new_scan_button_starts_a_repeat_scan(client, windvang):
    make_scan(windvang)
    login(client, "rep@example.org")
    token = csrf_token(client, DASHBOARD)
    response = client.post("/zelfscan/opnieuw", data={"csrf_token": token})
    assert response.status_code == 302
    assert "/zelfscan/stap/1" in response.headers["Location"]


def test_empty_state_without_a_report(client, windvang):
    make_scan(windvang, SCAN_SUBMITTED)
    login(client, "rep@example.org")
    page = text(client.get(DASHBOARD))
    assert "Er is nog geen rapport voor De Windvang" in page
    assert "radar-chart" not in page
    assert "Nieuwe zelfscan starten" in page
    assert "De laatste zelfscan is ingevuld op" not in page
    assert "Alle antwoorden van de vorige keer" not in page  # there is no previous scan to copy
    assert "Er zijn geen openstaande aanvragen" in page


def test_moderator_sees_requests_but_starts_no_scan(client, windvang, moderator):
    make_scan(windvang)
    login(client, moderator.email)
    page = text(client.get(DASHBOARD))
    assert "Er zijn geen openstaande aanvragen" in page
    assert "Nieuwe zelfscan starten" not in page
    assert "Het hele rapport bekijken" in page


def test_belgian_collective_is_not_sent_to_the_dutch_labs(client):
    gent = make_collective("Voedselbos Gent", slug="gent", sector="voedsel", municipality="Gent",
                           province="Oost-Vlaanderen", country="BE")
    member_of(gent, "gent@example.org")
    make_scan(gent, challenges=["financiering"], lab="financelab")
    login(client, "gent@example.org")
    page = text(client.get("/collectieven/gent/dashboard"))
    assert "Stel jullie vraag aan het Financelab." not in page
    assert "Nederlandse situatie" in page


@pytest.mark.parametrize("email", ["buiten@example.org", "ander-lid@example.org", "partner@example.org"])
def test_outsiders_get_no_dashboard(client, windvang, email):
    other = make_collective("Ander", slug="ander")
    make_user(email="buiten@example.org")
    member_of(other, "ander-lid@example.org")
    make_user(email="partner@example.org", role="partner")
    login(client, email)
    assert client.get(DASHBOARD).status_code == 403


def test_visitor_is_sent_to_login(client, windvang):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")
