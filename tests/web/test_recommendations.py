"""Knowledge items recommended for a self-scan: the ranking, the reasons, and where they show."""
from datetime import timedelta

import pytest

from app.selfscan.report import (
    MAX_RECOMMENDED, WEIGHT_CHALLENGE, WEIGHT_SECTOR, WEIGHT_WEAK, WEIGHT_WEAKEST, build_report,
    recommended_items,
)
from app.extensions import db
from app.models.knowledge import (
    FACET_DIMENSION, FACET_SECTOR, FACET_THEME, STATUS_DRAFT, STATUS_PUBLISHED, KnowledgeItem,
)
from app.models.selfscan import SCAN_APPROVED, SelfScan
from app.timeutil import utcnow
from tests.factories import make_collective, make_scan, member_of
from tests.support import QueryCounter, login, text

# collective_helpers.SCORES: financien 30 (weakest), leden 45 (next), then strategie 55 ...
WEAKEST = ["financien", "leden"]
CHALLENGES = ["financiering", "gemeente"]


def add_item(slug, kind="praktijkvoorbeeld", dimensions=(), themes=(), sectors=(), days_ago=1,
             status=STATUS_PUBLISHED, title=None):
    item = KnowledgeItem(
        slug=slug, kind=kind, title=title or f"Item {slug}", summary=f"Samenvatting {slug}",
        body_source="Tekst", body_html="<p>Tekst</p>", status=status,
        published_at=utcnow() - timedelta(days=days_ago) if status == STATUS_PUBLISHED else None,
    )
    item.set_facet(FACET_DIMENSION, dimensions)
    item.set_facet(FACET_THEME, themes)
    item.set_facet(FACET_SECTOR, sectors)
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def windvang():
    collective = make_collective("De Windvang", slug="windvang", sector="energie")
    member_of(collective, "lid@example.org", name="Bas Buurman")
    return collective


@pytest.fixture
def scan(windvang):
    return make_scan(windvang, SCAN_APPROVED, challenges=CHALLENGES)


@pytest.fixture
def library():
    """Items whose scores for the scan are known by hand (weights 10 / 6 / 3 per challenge / 1)."""
    add_item("a-financien", dimensions=["financien"], days_ago=10)                       # 10
    add_item("b-alles", kind="instrument", dimensions=["financien"], themes=["financiering"],
             sectors=["energie"], days_ago=20)                                          # 14
    add_item("c-leden", kind="wetenschappelijk", dimensions=["leden"], days_ago=1)       # 6, newer
    add_item("d-twee-uitdagingen", kind="document", themes=["gemeente", "financiering"],
             days_ago=5)                                                                 # 6
    add_item("e-gemeente-energie", themes=["gemeente"], sectors=["energie"], days_ago=3)  # 4
    add_item("f-financiering", themes=["financiering"], days_ago=2)                      # 3: 6th
    # Never recommended:
    add_item("g-concept", dimensions=["financien"], themes=["financiering"], status=STATUS_DRAFT)
    add_item("h-alleen-sector", sectors=["energie"])
    add_item("i-ander-thema", themes=["kennis"], dimensions=["doel"])
    add_item("j-geen-tags")


def test_weights_rank_the_weakest_dimension_first():
    assert WEIGHT_WEAKEST > WEIGHT_WEAK > WEIGHT_CHALLENGE > WEIGHT_SECTOR > 0
    assert MAX_RECOMMENDED == 5


def test_known_scan_gets_the_expected_items_in_order(scan, library):
    items = recommended_items(scan, WEAKEST, CHALLENGES)
    assert [(i.slug, i.score) for i in items] == [
        ("b-alles", 14), ("a-financien", 10), ("c-leden", 6), ("d-twee-uitdagingen", 6),
        ("e-gemeente-energie", 4),
    ]
    reasons = {i.slug: i.reason for i in items}
    assert reasons["b-alles"] == ("Past bij jullie laagste score (financiën) en jullie uitdaging "
                                  "financiering. Het gaat ook over jullie sector (energie).")
    assert reasons["a-financien"] == "Past bij jullie laagste score (financiën)."
    assert reasons["c-leden"] == "Past bij jullie op één na laagste score (leden)."
    assert reasons["d-twee-uitdagingen"] == ("Past bij jullie uitdagingen financiering en "
                                             "samenwerking met de gemeente.")
    assert items[0].kind_label == "Instrument" and items[2].kind_label == "Wetenschappelijk inzicht"
    assert items[0].url == "/kennisbank/b-alles" and items[0].title == "Item b-alles"


def test_the_report_of_the_scan_carries_the_same_items(scan, library):
    report = build_report(scan)
    assert report.weakest_dimensions == WEAKEST
    assert [i.slug for i in report.recommendations.items] == [
        "b-alles", "a-financien", "c-leden", "d-twee-uitdagingen", "e-gemeente-energie"]
    assert report.recommendations.lab_slug == "financelab"  # the lab recommendation stays


def test_drafts_are_never_recommended(scan):
    add_item("concept", dimensions=["financien", "leden"], themes=CHALLENGES, sectors=["energie"],
             status=STATUS_DRAFT)
    assert recommended_items(scan, WEAKEST, CHALLENGES) == []
    add_item("gepubliceerd", dimensions=["leden"])
    assert [i.slug for i in recommended_items(scan, WEAKEST, CHALLENGES)] == ["gepubliceerd"]


def test_nothing_to_match_gives_nothing(scan, library):
    assert recommended_items(scan, [], []) == []
    assert recommended_items(scan, [], ["onbekend"]) == []
    # Challenges only: the items with those themes, most challenges first, then newest.
    assert [i.slug for i in recommended_items(scan, [], CHALLENGES)] == [
        "d-twee-uitdagingen", "e-gemeente-energie", "b-alles", "f-financiering"]


def test_equal_scores_go_to_the_newest(scan):
    add_item("oud", dimensions=["financien"], days_ago=30)
    add_item("nieuw", dimensions=["financien"], days_ago=2)
    add_item("midden", dimensions=["financien"], days_ago=9)
    assert [i.slug for i in recommended_items(scan, WEAKEST, [])] == ["nieuw", "midden", "oud"]


def statements_for_items(scan_id):
    scan = db.session.get(SelfScan, scan_id)
    scan.answer_map()  # the scan's own answers and collective: the report loads them anyway
    _ = scan.collective
    with QueryCounter() as counter:
        items = recommended_items(scan, WEAKEST, CHALLENGES)
    return counter.count, items


def test_one_statement_however_many_items(scan):
    for n in range(3):
        add_item(f"weinig-{n}", dimensions=["financien"], themes=["gemeente"])
    few, items = statements_for_items(scan.id)
    assert len(items) == 3
    for n in range(12):
        add_item(f"veel-{n}", dimensions=["leden"], themes=["financiering"], sectors=["energie"])
    many, items = statements_for_items(scan.id)
    assert len(items) == MAX_RECOMMENDED
    assert few == many == 1


def test_dashboard_and_report_link_each_item_with_kind_and_reason(client, scan, library):
    login(client, "lid@example.org")
    for path in ("/collectieven/windvang/dashboard", f"/zelfscan/{scan.id}/rapport"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = text(response)
        block = page.split("Uit de kennisbank", 1)[1]
        links = [part.split('"', 1)[0] for part in block.split('href="/kennisbank/')[1:]]
        assert links[:5] == ["b-alles", "a-financien", "c-leden", "d-twee-uitdagingen",
                             "e-gemeente-energie"], path
        assert "f-financiering" not in page and "g-concept" not in page
        assert ">Instrument</span>" in block and ">Wetenschappelijk inzicht</span>" in block
        assert "Past bij jullie laagste score (financiën) en jullie uitdaging financiering." in block
        assert "Financelab" in page  # the lab recommendation is still there
        assert "style=" not in page.split("<main", 1)[1]
    response = client.get(f"/zelfscan/{scan.id}/rapport.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_without_matching_items_the_block_still_helps(client, scan):
    add_item("ander-thema", themes=["kennis"])
    login(client, "lid@example.org")
    for path in ("/collectieven/windvang/dashboard", f"/zelfscan/{scan.id}/rapport"):
        page = text(client.get(path))
        assert "Er staan nog geen kennisbankartikelen die precies bij jullie" in page, path
        assert 'href="/kennisbank"' in page
        assert "Financelab" in page  # the lab recommendation stays
    assert client.get(f"/zelfscan/{scan.id}/rapport.pdf").status_code == 200


def test_the_anonymous_report_link_shows_the_items_too(client, library):
    """A scan still waiting for review (no collective yet): the sector comes from its answers."""
    from tests.fixtures.selfscan import fill_scan

    result = fill_scan(client, {"profiel_sector": "energie", "uitdagingen_top3": ["financiering"]})
    page = text(client.get(result.report_url))
    assert "Uit de kennisbank" in page
    block = page.split("Uit de kennisbank", 1)[1]
    assert 'href="/kennisbank/b-alles"' in block or 'href="/kennisbank/f-financiering"' in block
    assert "g-concept" not in page


def test_reason_wording():
    from app.selfscan.report import _match_reason

    assert _match_reason([("Leden", 1), ("Doel en nut", 2)], [], None) == (
        "Past bij jullie op één na laagste score (leden) en een van jullie lagere scores (doel en nut).")
    assert _match_reason([], ["Financiering", "Ledengroei", "Communicatie"], "Zorg & welzijn") == (
        "Past bij jullie uitdagingen financiering, ledengroei en communicatie. "
        "Het gaat ook over jullie sector (zorg & welzijn).")
