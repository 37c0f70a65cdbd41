"""Who may download the research export, what the downloads look like, and the audit trail."""
import pytest

from app.extensions import db
from app.models.audit import AuditLog
from tests.factories import make_collective, make_organisation, make_partner, quick_user
from tests.fixtures.research import (
    CODEBOOK_PATH, CSV_PATH, PAGE_PATH, collective_with_scan, read_csv,
)
from tests.support import login, text

PATHS = [PAGE_PATH, CSV_PATH, CODEBOOK_PATH]


class Cast:
    def __init__(self):
        collective = make_collective("Energiecoöperatie De Windvang", slug="windvang")
        self.admin = quick_user("admin@example.org", role="admin", name="Ad Min")
        self.moderator = quick_user("mod@example.org", role="moderator", name="Mo Derator")
        self.member = quick_user("lid@example.org", collective=collective, name="Anna de Vries")
        self.representative = quick_user("vertegenwoordiger@example.org", role="representative",
                                         collective=collective, name="Rita Vertegenwoordiger")
        university = make_organisation("Universiteit Utrecht", "kennisinstelling")
        bank = make_organisation("Coöperatieve Spaarbank", "financier")
        self.researcher = make_partner("onderzoeker@example.org", "Sam Wetenschap", university,
                                       "sciencelab")
        self.researcher.research_access = True
        self.scientist_without_access = make_partner("collega@example.org", "Cor Collega",
                                                     university, "sciencelab")
        # Research access outside the Sciencelab does not count (can_export_research).
        self.financier_with_flag = make_partner("financier@example.org", "Petra Geldmans", bank,
                                                "financelab")
        self.financier_with_flag.research_access = True
        db.session.commit()


@pytest.fixture
def cast():
    return Cast()


def _audit(action=None):
    db.session.expire_all()
    query = db.select(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return db.session.execute(query).scalars().all()


@pytest.mark.parametrize("path", PATHS)
def test_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert _audit() == []


@pytest.mark.parametrize("who", ["moderator", "member", "representative", "scientist_without_access",
                                 "financier_with_flag"])
@pytest.mark.parametrize("path", PATHS)
def test_refused_to_everyone_without_research_access(client, cast, who, path):
    login(client, getattr(cast, who).email)
    assert client.get(path).status_code == 403
    assert _audit() == []


@pytest.mark.parametrize("who", ["admin", "researcher"])
def test_admins_and_sciencelab_partners_with_access_download_and_are_audited(client, cast, who):
    collective_with_scan("Zorgcoöperatie Hoogland", "hoogland", municipality="Amersfoort")
    collective_with_scan("Buurtenergie Noord", "buurtenergie-noord", municipality="Bunnik")
    collective_with_scan("Geen Toestemming", "geen-toestemming", consent=False)
    person = getattr(cast, who)
    login(client, person.email)

    page = client.get(PAGE_PATH)
    assert page.status_code == 200
    body = text(page)
    assert "Onderzoeksexport zelfscans" in body
    assert "2 zelfscans" in body and "van 2 collectieven" in body and "zonder collectief" not in body
    assert "<code>profiel_naam</code>" in body and "<code>profiel_gemeente</code>" in body
    assert 'href="/beheer/onderzoeksexport/zelfscans.csv"' in body
    assert 'href="/beheer/onderzoeksexport/codeboek.md"' in body
    assert "<caption>" in body and 'scope="col"' in body
    assert _audit() == []  # looking at the page is not a download

    response = client.get(CSV_PATH)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    header, rows = read_csv(response)
    assert header[0] == "pseudoniem" and len(rows) == 2
    [entry] = _audit("research.download_csv")
    assert entry.actor_id == person.id
    assert entry.details == {"rows": 2}
    assert "2 rijen" in entry.summary

    codebook = client.get(CODEBOOK_PATH)
    assert codebook.status_code == 200
    assert codebook.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert codebook.headers["Content-Disposition"].startswith("attachment;")
    assert codebook.headers["Cache-Control"] == "no-store"
    assert codebook.get_data(as_text=True).startswith("# Codeboek")
    [entry] = _audit("research.download_codebook")
    assert entry.actor_id == person.id and entry.details == {"rows": len(header)}

    client.get(CSV_PATH)
    assert len(_audit("research.download_csv")) == 2  # every download, not only the first


def test_an_empty_export_still_has_its_header(client, cast):
    login(client, cast.admin.email)
    header, rows = read_csv(client.get(CSV_PATH))
    assert rows == [] and "pseudoniem" in header
    assert _audit("research.download_csv")[0].details == {"rows": 0}
    assert "0 zelfscans" in text(client.get(PAGE_PATH))


def test_the_account_page_links_sciencelab_partners_with_access_to_the_export(client, cast):
    login(client, cast.researcher.email)
    assert 'href="/beheer/onderzoeksexport"' in text(client.get("/account"))
    for who in ("scientist_without_access", "financier_with_flag", "member"):
        other = client.__class__(client.application, client.response_wrapper, use_cookies=True)
        login(other, getattr(cast, who).email)
        page = text(other.get("/account"))
        assert "Onderzoeksexport" not in page and "/beheer/onderzoeksexport" not in page, who


def test_the_page_shows_the_admin_breadcrumb_only_to_staff(client, cast):
    login(client, cast.researcher.email)
    assert "Kruimelpad" not in text(client.get(PAGE_PATH))
    admin = client.__class__(client.application, client.response_wrapper, use_cookies=True)
    login(admin, cast.admin.email)
    assert "Kruimelpad" in text(admin.get(PAGE_PATH))


def test_access_ends_when_an_admin_takes_research_access_away(client, cast):
    login(client, cast.researcher.email)
    assert client.get(CSV_PATH).status_code == 200
    cast.researcher.research_access = False
    db.session.commit()
    assert client.get(CSV_PATH).status_code == 403
    assert len(_audit("research.download_csv")) == 1
