"""The self-scan report as PDF: metadata and language, the outline, the tagged structure (headings,
tables with header cells, lists, links with their annotations, the chart as a figure with alt
text), absolute links, the page's words, every answer, page breaks, and hostile or very long text."""
import re
import secrets
from datetime import datetime

import pytest

from app.extensions import db
from app.models.selfscan import SelfScan, SelfScanAnswer
from app.selfscan.pdf import report_pdf
from app.selfscan.pdf_document import Document
from app.selfscan.questionnaire import load_questionnaire
from app.selfscan.report import build_report
from app.selfscan.scoring import score_answers
from tests import factories
from tests import pdf_reading as read

Q = load_questionnaire(1)


def answers(**overrides):
    """Every question answered (scale items 4, reversed ones 2), plus `overrides`."""
    values = {q.key: factories.sample_answer(q) for q in Q.questions()}
    for q in Q.questions():
        if q.type == "scale":
            values[q.key] = 2 if q.reversed else 4
    values.update({
        "profiel_naam": "Energiecoöperatie De Wind", "profiel_sector": "energie",
        "uitdagingen_top3": ["financiering", "actieve_leden", "gemeente"],  # one lab each
        "uitdagingen_lab": "financelab",
    })
    values.update(overrides)
    return values


def make_scan(values, collective=None, status="approved", submitted_at=datetime(2026, 5, 4, 10)):
    scan = SelfScan(resume_token_hash=secrets.token_hex(32), questionnaire_version=1, status=status,
                    collective_id=collective.id if collective else None, submitted_at=submitted_at,
                    contact_name="Anna", contact_email="anna@example.org",
                    scores=score_answers(Q, values))
    db.session.add(scan)
    db.session.flush()
    for key, value in values.items():
        db.session.add(SelfScanAnswer(scan_id=scan.id, question_key=key, questionnaire_version=1,
                                      value=value))
    db.session.commit()
    return scan


def peers(count=5):
    """`count` other energy collectives with a scan, so the report compares."""
    for n in range(count):
        collective = factories.make_collective(f"Buur {n}", slug=f"buur-{n}", sector="energie")
        factories.make_scan(collective, scores={"doel": 50 + n, "leden": 40, "bestuur": 55,
                                                "financien": 45, "extern": 60, "strategie": 50})


@pytest.fixture
def full_report():
    """A repeat scan of a collective with peers and recommended knowledge items."""
    peers()
    factories.make_item(title="Zo werkt een ledenlening", slug="ledenlening", dimensions=["financien"],
                        themes=["financiering"])
    factories.make_item(title="Nieuwe vrijwilligers vinden", slug="vrijwilligers",
                        dimensions=["leden"], themes=["actieve_leden"])
    collective = factories.make_collective("Energiecoöperatie De Wind", slug="de-wind",
                                           sector="energie")
    make_scan(answers(doel_duidelijk=2), collective, submitted_at=datetime(2025, 3, 1))
    scan = make_scan(answers(), collective, status="completed",
                     submitted_at=datetime(2026, 11, 27, 9))
    report = build_report(scan)
    return report, report_pdf(report)


# -- metadata, outline, structure ---------------------------------------------------------

def test_title_language_and_document_settings(full_report):
    _report, pdf = full_report
    catalog = next(body for body in read.objects(pdf).values() if "/Type /Catalog" in body)
    assert "/Lang (nl)" in catalog
    assert "/MarkInfo <</Marked true>>" in catalog and "/StructTreeRoot" in catalog
    assert "/PageMode /UseOutlines" in catalog and "/DisplayDocTitle true" in catalog
    info = next(body for body in read.objects(pdf).values() if "/CreationDate" in body)
    assert read.entry(info, "/Title") == "Rapport zelfscan: Energiecoöperatie De Wind"
    assert read.entry(info, "/Author") == "CollectieveKracht"
    assert "onderwerp" in read.entry(info, "/Subject")
    assert "/Metadata" in catalog  # XMP, for readers that look there
    xmp = pdf.split(b"<x:xmpmeta", 1)[1].split(b"</x:xmpmeta>", 1)[0].decode("utf-8")
    assert "<dc:language><rdf:Bag><rdf:li>nl</rdf:li>" in xmp
    assert ">Rapport zelfscan: Energiecoöperatie De Wind</rdf:li>" in xmp


def test_outline_has_every_section_and_subsection_in_order(full_report):
    report, pdf = full_report
    titles = read.outline(pdf)
    sections = ["Over Energiecoöperatie De Wind", "Scores per onderwerp",
                "Jullie belangrijkste uitdagingen", "Vergeleken met vergelijkbare collectieven",
                "Aanbevelingen", "Alle antwoorden"]
    assert [t for t in titles if t in sections] == sections
    assert "Doel en nut: 75 van 100 (stevig)" in titles
    assert "Stel je vraag in het Financelab" in titles and "Uit de kennisbank" in titles
    steps = [f"{step.number}. {step.title}" for step in Q.steps]
    assert titles[-len(steps):] == steps


def test_structure_tree_tags_headings_tables_lists_links_and_the_figure(full_report):
    report, pdf = full_report
    elements = read.struct_elements(pdf)
    kinds = [kind for _n, kind, _body in elements]
    assert kinds[0] == "/Document" and kinds[1] == "/H1"
    for kind in ("/H2", "/H3", "/P", "/Table", "/TR", "/TH", "/TD", "/Caption", "/L", "/LI",
                 "/Lbl", "/LBody", "/Link", "/Figure"):
        assert kind in kinds, kind
    headers = [body for _n, kind, body in elements if kind == "/TH"]
    assert all("/Scope /Column" in body or "/Scope /Row" in body for body in headers)
    assert any("/Scope /Column" in body for body in headers)
    figure = next(body for _n, kind, body in elements if kind == "/Figure")
    alt = read.entry(figure, "/Alt")
    for dim in report.dimensions:
        assert f"{dim.label}: {dim.score} van 100" in alt
    assert "mediaan vergelijkbare collectieven" in alt  # the dashed polygon, in words
    # The parent tree has a key for every page with content and every link annotation.
    root = next(body for body in read.objects(pdf).values() if "/Type /StructTreeRoot" in body)
    assert "/ParentTree" in root and "/ParentTreeNextKey" in root


def test_all_page_content_is_tagged_or_an_artifact(full_report):
    """Every text and drawing operation lies inside one marked-content sequence: a structure
    element's (with an MCID) or an artifact's (footer, borders, repeated table header)."""
    _report, pdf = full_report
    streams = read.contents(pdf)
    assert len(streams) >= 3
    for stream in streams:
        depth = 0
        for line in stream.splitlines():
            if line.endswith(" BDC"):
                assert depth == 0, "nested marked content"
                depth += 1
            elif line == "EMC":
                depth -= 1
            elif re.search(r"\) Tj|\bre f$| re f\b| S$| f$| l S$| B$", line):
                assert depth == 1, f"untagged: {line[:80]}"
        assert depth == 0
        assert "/Artifact <</Type /Pagination /Subtype /Footer>> BDC" in stream
    # MCIDs count up from 0 on every page.
    for stream in streams:
        mcids = [int(n) for n in re.findall(r"<</MCID (\d+)>> BDC", stream)]
        assert mcids == list(range(len(mcids)))


def test_links_are_absolute_tagged_and_described(full_report):
    report, pdf = full_report
    annotations = [body for body in read.objects(pdf).values() if "/Subtype /Link" in body]
    uris = [read.entry(body, "/URI") for body in annotations]
    rec = report.recommendations
    assert rec.lab_slug == "financelab"
    assert "http://localhost/labs/financelab/vragen/nieuw" in uris
    assert "http://localhost/kennisbank/ledenlening" in uris
    assert "http://localhost/kennisbank/vrijwilligers" in uris
    assert "http://localhost/kennisbank" in uris
    assert "http://localhost/collectieven/de-wind" in uris
    for body in annotations:
        assert "/StructParent " in body and read.entry(body, "/Contents")
    links = [body for _n, kind, body in read.struct_elements(pdf) if kind == "/Link"]
    objrs = sum(body.count("/Type /OBJR") for body in links)
    assert objrs == len(annotations)  # each annotation belongs to its /Link element
    assert "Stel een vraag in het Financelab" in read.text(pdf)


# -- the page's words, the answers ------------------------------------------------------------

def test_words_as_on_the_page_not_dimensie(full_report):
    report, pdf = full_report
    text = read.text(pdf)
    everything = text + " ".join(read.outline(pdf))
    assert "dimensie" not in everything.lower()
    for words in ("Scores per onderwerp (0 tot 100)", "Onderwerp", "Verandering",
                  "Mediaan sector", "Jullie score", "Eerste kwartiel", "Derde kwartiel",
                  "Aantal collectieven", "De scores als grafiek. Dezelfde cijfers staan in de tabel.",
                  "Dit is een herhaalde zelfscan. Bij elk onderwerp zie je wat er veranderd is sinds "
                  "de zelfscan van 1 maart 2025.",
                  "Zo staat Energiecoöperatie De Wind ervoor volgens de zelfscan van 27 november 2026.",
                  "Jullie collectief", "Mediaan vergelijkbare collectieven"):
        assert words in text, words
    changed = [(dim, report.changes[dim.key]) for dim in report.dimensions if report.changes[dim.key]]
    assert changed
    for dim, change in changed:
        assert f"Verandering sinds de vorige zelfscan: {change:+d} punten." in text


def test_every_answer_is_in_the_pdf_per_step(full_report):
    report, pdf = full_report
    text = read.text(pdf)
    values = report.scan.answer_map()
    position = text.index("Alle antwoorden")
    for step in Q.steps:
        position = text.index(f"{step.number}. {step.title}", position)
        for q in step.questions:
            pair = q.label + q.display(values.get(q.key))
            assert pair in text, pair  # the question, then its answer, as the page lists them
    assert "Eens" in text and "Oneens" in text


def test_without_comparison_items_or_challenges_the_page_texts_stand_in():
    scan = make_scan(answers(uitdagingen_top3=[], uitdagingen_lab=None), status="submitted")
    pdf = report_pdf(build_report(scan))
    text = read.text(pdf)
    assert "Jullie hebben geen uitdagingen gekozen." in text
    assert "Een vergelijking met andere collectieven tonen we alleen als minstens 5" in text
    assert "Er staan nog geen kennisbankartikelen die precies bij jullie" in text
    assert "Mediaan sector" not in text and "Verandering" not in text
    uris = [read.entry(body, "/URI") for body in read.objects(pdf).values() if "/URI" in body]
    assert "http://localhost/kennisbank" in uris  # "de kennisbank" in that sentence links


# -- page breaks -----------------------------------------------------------------------------

def _tags_per_page(pdf):
    return [[tag for tag in read.marked_tags(stream) if tag != "Artifact"]
            for stream in read.contents(pdf)]


def test_no_page_ends_with_a_heading_or_a_lone_table_row(full_report):
    _report, pdf = full_report
    pages = _tags_per_page(pdf)
    for tags in pages[:-1]:
        assert tags[-1] not in ("H1", "H2", "H3", "Caption"), tags[-6:]
    for tags in pages:
        if tags[0] in ("TH", "TD"):  # a table goes on from the page before
            rows = tags.count("TH")  # every data row opens with its row header
            next_block = next((i for i, tag in enumerate(tags) if tag not in ("TH", "TD")), len(tags))
            assert tags[:next_block].count("TH") >= 2 or rows == 0, tags[:8]


def _document():
    return Document("Proef", footer="Proef")


def test_a_heading_near_the_foot_moves_to_the_next_page_with_its_text():
    doc = _document()
    doc.pdf.set_y(doc.pdf.page_break_trigger - 12)
    doc.heading("Een kop", 2, keep=doc.paragraph_height("Tekst"))
    doc.paragraph("Tekst " * 40)
    pdf = doc.output()
    pages = _tags_per_page(pdf)
    assert pages[0] == [] and pages[1][:2] == ["H2", "P"]


def test_a_table_never_leaves_one_row_alone():
    rows = [[f"Vraag {n}", "Antwoord"] for n in range(42)]  # three pages, for some rooms
    for room in range(8, 60, 3):
        doc = _document()
        doc.pdf.set_y(doc.pdf.page_break_trigger - room)
        doc.table(doc.plan_table(rows, widths=(100, 74), header=["Vraag", "Antwoord"]))
        pdf = doc.output()
        pages = _tags_per_page(pdf)
        body_rows = [tags.count("TD") for tags in pages]
        assert sum(body_rows) == 42
        assert all(count == 0 or count >= 2 for count in body_rows), (room, body_rows)
        if body_rows[0]:
            assert body_rows[0] >= 3 and pages[0][:2] == ["TH", "TH"]  # the header came along
            # On the next page the header row is repeated, as an artifact only.
            assert "/Artifact <</Type /Pagination>> BDC" in read.contents(pdf)[1]
            assert pages[1][0] == "TH" and pages[1].count("TH") == body_rows[1]  # row headers


def test_a_table_that_fits_a_page_is_kept_whole():
    rows = [[f"Onderwerp {n}", str(n)] for n in range(8)]
    doc = _document()
    doc.pdf.set_y(doc.pdf.page_break_trigger - 40)
    doc.table(doc.plan_table(rows, widths=(100, 74), header=["Onderwerp", "Score"], whole=True,
                             caption="Scores"))
    pages = _tags_per_page(doc.output())
    assert pages[0] == [] and pages[1].count("TD") == 8 and pages[1][0] == "Caption"


# -- hostile and very long text --------------------------------------------------------------

def test_long_names_and_answers_with_odd_characters_do_not_break_it():
    odd = "Zorg\x00coöp \u202eé\u200b ł 你好 😀 — “ok” <b> (haakjes) \\ "
    long_name = odd + "Heel Lange Naam " * 40
    # The collective's name as the app stores it (forms refuse control characters; PostgreSQL text
    # cannot hold NUL); the answers keep every odd character.
    collective = factories.make_collective(long_name.replace("\x00", "")[:150], slug="lang",
                                           sector="zorg")
    values = answers(profiel_naam=long_name, profiel_sector="zorg")
    for q in Q.questions():
        if q.type == "text":
            values[q.key] = (odd + "woord ") * 60 + "x" * 400  # and one word wider than a column
    scan = make_scan(values, collective)
    pdf = report_pdf(build_report(scan))
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    text = read.text(pdf)
    assert "Zorgcoöp" in text and "haakjes" in text and "?" in text  # 你 has no glyph: "?"
    assert "\x00" not in text and "\u202e" not in text
    assert "Heel Lange Naam Heel Lange Naam" in text
    # Still tagged throughout, every page with a footer.
    for stream in read.contents(pdf):
        assert stream.count(" BDC") == stream.count("\nEMC") + stream.startswith("EMC")
        assert "/Subtype /Footer" in stream

