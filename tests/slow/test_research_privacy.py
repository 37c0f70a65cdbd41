"""The research export of the real demo data holds no personal data (DESIGN.md, journey 4).

Asserted against every seeded name, e-mail address, collective name, website and municipality,
and every free-text answer, through the download a researcher makes.
"""
import pytest

from app.selfscan.questionnaire import load_questionnaire
from app.demo import seed_demo
from app.extensions import db
from app.models.accounts import User
from app.models.collectives import PROVINCES_BE, PROVINCES_NL, Collective
from app.models.selfscan import SelfScan
from tests.fixtures.demo import DEMO_PASSWORD
from tests.fixtures.research import CSV_PATH, read_csv
from tests.support import login

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]  # seeds the demo


def _personal_data():
    """Everything identifying the demo holds: (terms that may appear nowhere, municipalities)."""
    people = db.session.execute(db.select(User)).scalars().all()
    collectives = db.session.execute(db.select(Collective)).scalars().all()
    scans = db.session.execute(db.select(SelfScan)).scalars().all()
    terms = {person.name for person in people} | {person.email for person in people}
    terms |= {c.name for c in collectives} | {c.website for c in collectives if c.website}
    terms |= {c.description for c in collectives}
    terms |= {s.contact_name for s in scans if s.contact_name}
    terms |= {s.contact_email for s in scans if s.contact_email}
    free_text = set()
    municipalities = {c.municipality for c in collectives}
    for scan in scans:
        questionnaire = load_questionnaire(scan.questionnaire_version)
        for key, value in scan.answer_map().items():
            question = questionnaire.question(key)
            if question is None or value in (None, ""):
                continue
            if question.type == "text":
                free_text.add(value)
            elif question.type == "municipality":
                municipalities.add(value["municipality"])
    return terms | free_text, free_text, municipalities


def test_the_export_of_the_demo_data_contains_no_personal_data(client):
    seed_demo()
    db.session.commit()
    forbidden, free_text, municipalities = _personal_data()
    # The demo must really contain what we look for, or this test proves nothing.
    assert len(forbidden) > 150 and len(municipalities) > 40
    assert any(len(text) > 40 for text in free_text), "demo scans have free-text knowledge questions"
    consenting_with_free_text = db.session.execute(
        db.select(db.func.count()).select_from(SelfScan)
        .where(SelfScan.consent_research.is_(True), SelfScan.collective_id.is_not(None))
    ).scalar_one()
    assert consenting_with_free_text > 40

    login(client, "onderzoeker@example.org", DEMO_PASSWORD)  # the demo's Sciencelab researcher
    response = client.get(CSV_PATH)
    assert response.status_code == 200
    raw = response.get_data().decode("utf-8-sig")
    header, rows = read_csv(response)
    assert len(rows) > 40

    for term in forbidden:
        assert term not in raw, f"{term!r} is in the research export"

    # Municipalities: no column holds them. Some municipalities share their name with their
    # province (Utrecht, Groningen; Antwerpen in Belgium), and the province IS exported, so a
    # plain search of the file would find them there legitimately. Those are therefore checked
    # cell by cell: such a name may only appear as the whole value of the provincie column.
    assert not {"gemeente", "profiel_gemeente", "municipality"} & set(header)
    provinces = set(PROVINCES_NL) | set(PROVINCES_BE)
    shared = municipalities & provinces
    assert {"Utrecht", "Groningen"} <= shared  # the demo has them, so the case below is exercised
    for town in municipalities - shared:
        assert town not in raw, f"municipality {town!r} is in the research export"
    seen_as_province = set()
    for row in rows:
        assert row["provincie"] in provinces
        for column, value in row.items():
            for town in shared:
                if town in value:
                    assert column == "provincie" and value == town, (column, value)
                    seen_as_province.add(town)
    assert {"Utrecht", "Groningen"} <= seen_as_province

    # Nothing that looks like an e-mail address, a web address or a database id.
    assert "@" not in raw and "http" not in raw and ".example" not in raw
    assert not {"id", "scan_id", "collective_id", "user_id"} & set(header)
