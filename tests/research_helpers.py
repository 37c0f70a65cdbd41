"""Helpers for the research export tests: scans with full answers, reading the CSV back."""
import csv
import io
import random
from datetime import timedelta

from app.extensions import db
from app.models.selfscan import SCAN_APPROVED
from app.timeutil import utcnow
from tests.collective_helpers import make_collective

CSV_PATH = "/beheer/onderzoeksexport/zelfscans.csv"
CODEBOOK_PATH = "/beheer/onderzoeksexport/codeboek.md"
PAGE_PATH = "/beheer/onderzoeksexport"


def full_scan(collective=None, status=SCAN_APPROVED, consent=True, days_ago=30, seed=1,
              name="Energiecoöperatie De Windvang", town="Utrecht", province="Utrecht",
              country="NL", extra=None):
    """A sent scan with a plausible answer to every question (the demo's generator)."""
    from app.demo import _demo_scan

    submitted = utcnow() - timedelta(days=days_ago)
    scan = _demo_scan(random.Random(seed), name, collective.sector if collective else "energie",
                      town, province, country, 2012, 150, status=status, submitted=submitted,
                      collective=collective, extra=extra)
    scan.consent_research = consent
    db.session.commit()
    return scan


def collective_with_scan(name, slug, municipality="Zeist", province="Utrecht", consent=True,
                         **scan_fields):
    collective = make_collective(name, slug=slug, municipality=municipality, province=province)
    scan = full_scan(collective, consent=consent, name=name, town=municipality, province=province,
                     **scan_fields)
    return collective, scan


def read_csv(response):
    """(header, rows as dicts) of a CSV download; asserts the UTF-8 byte-order mark."""
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return reader.fieldnames, rows
