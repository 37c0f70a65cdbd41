"""A hand-computed set of collectives with scans for the insights tests (tests/test_insights_*.py).

FIXTURE below lists 14 collectives whose latest counted scan gives these figures (N = 14):

    sector      energie 6 (42,9%) · wonen 4, zorg 4 → Overige 8 (57,1%)
    country     NL 9 (C1-C9) · BE 5 (C10-C14)
    province    Utrecht 5 (35,7%), Antwerpen 5 (35,7%) · Zeeland 4 → Overige 4: not shown
    legal form  Coöperatie 7 (50,0%), Vereniging 5 (35,7%) · Stichting 2 → Overige 2: not shown
    age         0-4 jaar 5 (35,7%), 10-24 jaar 5 (35,7%) · 5-9: 3, 25+: 1 → Overige 4: not shown
    challenges  financiering 7 (50,0%), actieve_leden 5 (35,7%) · gemeente 4, kennis 1: not shown
    doel        scores 20 39 40 45 50 55 59 60 61 70 75 79 79 79 → 0-19: 0, 20-39: 2 (minder
                dan 5), 40-59: 5 (35,7%), 60-79: 7 (50,0%), 80-100: 0; median (59+60)/2 = 59,5
    leden       45 everywhere → 40-59: 14 (100,0%), median 45
    strategie   a score for only 4 collectives → no figures for that dimension

Scans that must not count: an older approved scan of C1 (other legal form and scores), a newer
draft, submitted and rejected scan of C2, and collectives with only a submitted or rejected scan.
C3's latest scan is a completed repeat scan (it counts, not its approved first scan).
"""
import secrets
from html.parser import HTMLParser
from datetime import timedelta

from app.extensions import db
from app.models.collectives import Collective
from app.models.selfscan import (
    SCAN_APPROVED, SCAN_COMPLETED, SCAN_DRAFT, SCAN_REJECTED, SCAN_SUBMITTED, SelfScan, SelfScanAnswer,
)
from app.timeutil import utcnow

BASE_SCORES = {"doel": 50, "leden": 45, "bestuur": 60, "financien": 30, "extern": 70}
DOEL = [20, 39, 40, 45, 50, 55, 59, 60, 61, 70, 75, 79, 79, 79]

# (sector, country, province, legal form, age in years, challenges)
FIXTURE = [
    ("energie", "NL", "Utrecht", "cooperatie", 0, ["financiering", "actieve_leden", "gemeente"]),
    ("energie", "NL", "Utrecht", "cooperatie", 1, ["financiering", "actieve_leden", "gemeente"]),
    ("energie", "NL", "Utrecht", "cooperatie", 2, ["financiering", "actieve_leden", "gemeente"]),
    ("energie", "NL", "Utrecht", "cooperatie", 3, ["financiering", "actieve_leden", "gemeente"]),
    ("energie", "NL", "Utrecht", "cooperatie", 4, ["financiering", "actieve_leden"]),
    ("energie", "NL", "Zeeland", "cooperatie", 5, ["financiering"]),
    ("wonen", "NL", "Zeeland", "cooperatie", 7, ["financiering"]),
    ("wonen", "NL", "Zeeland", "vereniging", 9, []),
    ("wonen", "NL", "Zeeland", "vereniging", 10, []),
    ("wonen", "BE", "Antwerpen", "vereniging", 15, ["kennis"]),
    ("zorg", "BE", "Antwerpen", "vereniging", 20, []),
    ("zorg", "BE", "Antwerpen", "vereniging", 24, []),
    ("zorg", "BE", "Antwerpen", "stichting", 24, []),
    ("zorg", "BE", "Antwerpen", "stichting", 25, []),
]


def add_scan(collective, status=SCAN_APPROVED, days_ago=10, scores=None, answers=None):
    scan = SelfScan(
        resume_token_hash=secrets.token_hex(32), questionnaire_version=1, status=status,
        furthest_step=10, contact_name="Contact", contact_email="contact@example.org",
        collective_id=collective.id if collective is not None else None,
        submitted_at=None if status == SCAN_DRAFT else utcnow() - timedelta(days=days_ago),
        scores=scores,
    )
    db.session.add(scan)
    db.session.flush()
    for key, value in (answers or {}).items():
        db.session.add(SelfScanAnswer(scan_id=scan.id, question_key=key, questionnaire_version=1,
                                      value=value))
    return scan


def add_collective(number, sector, country="NL", province="Utrecht"):
    collective = Collective(name=f"Collectief {number:02d}", slug=f"collectief-{number:02d}",
                            sector=sector, municipality="Gemeente", province=province, country=country)
    db.session.add(collective)
    db.session.flush()
    return collective


def answers_for(sector, legal_form, age, challenges):
    return {
        "profiel_sector": sector,
        "profiel_rechtsvorm": legal_form,
        "profiel_oprichtingsjaar": utcnow().year - age,
        "uitdagingen_top3": challenges,
    }


def build_fixture():
    """The 14 collectives of FIXTURE with their scans, plus scans that must not count."""
    collectives = []
    for number, (sector, country, province, form, age, challenges) in enumerate(FIXTURE, start=1):
        collective = add_collective(number, sector, country, province)
        scores = {**BASE_SCORES, "doel": DOEL[number - 1]}
        if number <= 4:
            scores["strategie"] = 50
        status = SCAN_COMPLETED if number == 3 else SCAN_APPROVED
        add_scan(collective, status, days_ago=10, scores=scores,
                 answers=answers_for(sector, form, age, challenges))
        collectives.append(collective)
    first, second, third = collectives[:3]
    # Older scans are superseded by the latest counted one.
    add_scan(first, SCAN_APPROVED, days_ago=400, scores={**BASE_SCORES, "doel": 0},
             answers=answers_for("energie", "stichting", 30, ["kennis", "juridisch"]))
    add_scan(third, SCAN_APPROVED, days_ago=300, scores={**BASE_SCORES, "doel": 99},
             answers=answers_for("energie", "stichting", 30, ["juridisch"]))
    # Newer scans that are not approved or completed never count.
    for status in (SCAN_DRAFT, SCAN_SUBMITTED, SCAN_REJECTED):
        add_scan(second, status, days_ago=1, scores={**BASE_SCORES, "doel": 1},
                 answers=answers_for("energie", "stichting", 40, ["juridisch"]))
    # Collectives without a counted scan, and a scan without a collective.
    for number, status in ((21, SCAN_SUBMITTED), (22, SCAN_REJECTED), (23, SCAN_DRAFT)):
        add_scan(add_collective(number, "voedsel", "NL", "Drenthe"), status, scores=dict(BASE_SCORES),
                 answers=answers_for("voedsel", "onderlinge", 50, ["juridisch"]))
    add_scan(None, SCAN_SUBMITTED, scores=dict(BASE_SCORES),
             answers=answers_for("voedsel", "onderlinge", 50, ["juridisch"]))
    db.session.commit()
    return collectives


def build_uniform(count, sector="energie", country="NL", province="Utrecht", start=100):
    """`count` collectives with one approved scan each (for query counts and the whole-set rule)."""
    for offset in range(count):
        collective = add_collective(start + offset, sector, country, province)
        add_scan(collective, SCAN_APPROVED, scores={**BASE_SCORES, "strategie": 50},
                 answers=answers_for(sector, "cooperatie", 3, ["financiering"]))
    db.session.commit()


class _Tables(HTMLParser):
    """Collects every <table id=...> as a list of rows of cell texts (th and td alike)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._table, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], [])
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page):
    """{table id: [[cell text, …], …]} of a page (the header row included)."""
    parser = _Tables()
    parser.feed(page)
    return parser.tables
