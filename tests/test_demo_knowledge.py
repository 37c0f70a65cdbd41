"""seed-demo's knowledge base and the extra collectives that make the insights show real groups."""
import os
from collections import Counter

import pytest

from app.demo import SeedRefused, seed_demo
from app.extensions import db
from app.models.collectives import SECTORS, Collective
from app.models.knowledge import (
    DIMENSIONS,
    KINDS,
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    THEMES,
    KnowledgeAttachment,
    KnowledgeItem,
)
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SelfScan
from app.timeutil import utcnow


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    import app.models.accounts as accounts
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, "scrypt:1024:8:1"))


def _seed():
    made = seed_demo()
    db.session.commit()
    return made


def _items():
    return db.session.execute(db.select(KnowledgeItem).order_by(KnowledgeItem.id)).scalars().all()


def test_knowledge_items_of_every_kind_with_facets_dates_and_attachments(app):
    made = _seed()
    items = _items()
    published = [item for item in items if item.status == STATUS_PUBLISHED]
    drafts = [item for item in items if item.status == STATUS_DRAFT]
    assert made["knowledge items"] == len(items)
    assert len(published) >= 20 and 1 <= len(drafts) <= 2
    assert {item.kind for item in published} == set(KINDS)
    assert all(item.published_at and item.published_at <= utcnow() for item in published)
    assert all(item.published_at is None for item in drafts)
    assert len({item.slug for item in items}) == len(items)
    for item in items:
        assert item.themes and set(item.themes) <= set(THEMES), item.slug
        assert item.sectors and set(item.sectors) <= set(SECTORS), item.slug
        assert item.dimensions and set(item.dimensions) <= set(DIMENSIONS), item.slug
        assert item.summary and "<" not in item.summary and "**" not in item.summary
        assert item.body_source and "<h3>" in item.body_html and "<script" not in item.body_html
        assert item.source_name and item.author is not None
    # Between them the published items cover every theme, sector and dimension (so every
    # collective gets recommendations and every filter finds something).
    assert set(THEMES) == {t for item in published for t in item.themes}
    assert set(SECTORS) == {s for item in published for s in item.sectors}
    assert set(DIMENSIONS) == {d for item in published for d in item.dimensions}

    _check_attachments(app, made)


def _check_attachments(app, made):
    """Attachments of every type are on disk and pass the upload checks."""
    from app.uploads import delete_stored, detect_type, store_bytes, stored_path

    attachments = db.session.execute(db.select(KnowledgeAttachment)).scalars().all()
    assert made["attachments"] == len(attachments) >= 4
    assert {a.file_type for a in attachments} == {"pdf", "docx", "xlsx", "odt"}
    for attachment in attachments:
        path = stored_path(attachment.stored_name)
        assert path and os.path.isfile(path)
        assert os.path.dirname(path) == app.config["UPLOAD_DIR"]  # outside static/, random name
        assert "static" not in path.split(os.sep)
        assert os.path.getsize(path) == attachment.size
        with open(path, "rb") as handle:
            assert detect_type(handle) == attachment.file_type
            data = handle.read()
        assert attachment.filename.endswith("." + attachment.file_type)
        # Uploading the same bytes under the shown name is accepted as the same type.
        again = store_bytes(data, attachment.filename)
        assert again.file_type == attachment.file_type
        delete_stored(again.stored_name)
    assert any(a.item.status == STATUS_PUBLISHED for a in attachments)


def _counted_facts():
    """Per collective its latest approved/completed scan's answers (what /inzichten counts)."""
    facts = {}
    scans = db.session.execute(
        db.select(SelfScan).where(SelfScan.status.in_([SCAN_APPROVED, SCAN_COMPLETED]))
        .order_by(SelfScan.submitted_at, SelfScan.id)
    ).scalars().all()
    for scan in scans:
        facts[scan.collective_id] = scan
    return facts


def test_enough_collectives_for_the_insights_and_the_seed_stays_refused_afterwards(app):
    made = _seed()
    collectives = db.session.execute(db.select(Collective)).scalars().all()
    assert made["collectives"] == len(collectives) >= 50
    latest = _counted_facts()
    assert set(latest) == {c.id for c in collectives}
    by_sector = Counter(c.sector for c in collectives)
    assert set(by_sector) == set(SECTORS) and min(by_sector.values()) >= 5
    by_province = Counter(c.province for c in collectives)
    assert sum(n >= 5 for n in by_province.values()) >= 6
    assert any(n < 5 for n in by_province.values())  # so the page also shows suppression
    assert Counter(c.country for c in collectives)["BE"] >= 5
    legal = Counter(scan.answer_map()["profiel_rechtsvorm"] for scan in latest.values())
    assert sum(n >= 5 for n in legal.values()) >= 3
    year = utcnow().year
    ages = Counter()
    for scan in latest.values():
        age = year - scan.answer_map()["profiel_oprichtingsjaar"]
        ages["0-4" if age < 5 else "5-9" if age < 10 else "10-24" if age < 25 else "25+"] += 1
    assert set(ages) == {"0-4", "5-9", "10-24", "25+"} and min(ages.values()) >= 5
    # A collective's legal form is the same in its first and its repeat scan.
    for collective in collectives:
        forms = {s.answer_map()["profiel_rechtsvorm"] for s in db.session.execute(
            db.select(SelfScan).where(SelfScan.collective_id == collective.id)).scalars()}
        assert len(forms) == 1, collective.slug
    # Most consent to research use.
    consent = [scan.consent_research for scan in latest.values()]
    assert sum(consent) >= 0.7 * len(consent)
    challenges = Counter(c for scan in latest.values() for c in scan.answer_map()["uitdagingen_top3"])
    assert sum(n >= 5 for n in challenges.values()) >= 5

    # Seeding again is refused and stores no more files (the check comes before any upload).
    before = set(os.listdir(app.config["UPLOAD_DIR"]))
    count = len(_items())
    with pytest.raises(SeedRefused):
        seed_demo()
    db.session.rollback()
    assert set(os.listdir(app.config["UPLOAD_DIR"])) == before
    assert len(_items()) == count
