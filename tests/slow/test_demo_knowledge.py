"""seed-demo's knowledge base and the extra collectives that make the insights show real groups."""
import os
from collections import Counter

import pytest

from app.insights.services import OTHER_KEY, base_set, compute
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
from app.models.selfscan import SelfScan
from app.timeutil import utcnow

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]  # seeds the demo


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


def test_enough_collectives_for_the_insights_and_the_seed_stays_refused_afterwards(app):
    made = _seed()
    collectives = db.session.execute(db.select(Collective)).scalars().all()
    assert made["collectives"] == len(collectives) >= 50
    facts = base_set()  # what /inzichten counts: each collective's latest approved/completed scan
    assert {f.collective_id for f in facts} == {c.id for c in collectives}
    insights = compute(facts)
    shown = {b.key: [g.key for g in b.groups if g.key != OTHER_KEY] for b in insights.breakdowns}
    assert set(shown["sector"]) == set(SECTORS)
    assert len(shown["provincie"]) >= 6
    assert next(b for b in insights.breakdowns if b.key == "provincie").hidden_categories > 0
    assert Counter(c.country for c in collectives)["BE"] >= 5
    # Coöperatie and vereniging by name; stichting (5) goes into Overige with the 3 informal ones,
    # so that 3 cannot be worked out from the total.
    assert {"cooperatie", "vereniging"} <= set(shown["rechtsvorm"])
    assert next(b for b in insights.breakdowns if b.key == "rechtsvorm").has_other
    assert set(shown["leeftijd"]) == {"0-4", "5-9", "10-24", "25+"}
    assert len(insights.challenges) >= 5
    assert all(d.enough for d in insights.distributions)
    # A collective's legal form is the same in its first and its repeat scan.
    for collective in collectives:
        forms = {s.answer_map()["profiel_rechtsvorm"] for s in db.session.execute(
            db.select(SelfScan).where(SelfScan.collective_id == collective.id)).scalars()}
        assert len(forms) == 1, collective.slug
    # Most consent to research use.
    consent = [db.session.get(SelfScan, f.scan_id).consent_research for f in facts]
    assert sum(consent) >= 0.7 * len(consent)

    # Seeding again is refused and stores no more files (the check comes before any upload).
    before = set(os.listdir(app.config["UPLOAD_DIR"]))
    count = len(_items())
    with pytest.raises(SeedRefused):
        seed_demo()
    db.session.rollback()
    assert set(os.listdir(app.config["UPLOAD_DIR"])) == before
    assert len(_items()) == count
