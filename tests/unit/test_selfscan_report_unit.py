"""Unit tests of the self-scan report: build_report, recommend, the radar chart and the PDF."""
import secrets
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from app.selfscan import charts
from app.selfscan.charts import radar_svg
from app.selfscan.pdf import clean, report_pdf
from app.selfscan.questionnaire import load_questionnaire
from app.selfscan.report import (
    BELGIAN_NOTE, CHALLENGE_LABS, build_report, recommend, recommended_items,
)
from app.selfscan.scoring import score_answers
from app.extensions import db
from app.models.selfscan import SelfScan, SelfScanAnswer
from tests import factories

Q = load_questionnaire(1)
SVG = "{http://www.w3.org/2000/svg}"


def base_answers(**overrides):
    """A complete, plausible set of answers: every scale item 4 (reversed ones 2)."""
    answers = {
        "profiel_naam": "Energiecoöperatie De Wind",
        "profiel_sector": "energie",
        "profiel_rechtsvorm": "cooperatie",
        "profiel_winstuitkering": "nee",
        "profiel_oprichtingsjaar": 2012,
        "profiel_gemeente": {"municipality": "Zwolle", "province": "Overijssel", "country": "NL"},
        "profiel_leden": 420,
        "profiel_vrijwilligers": 25,
        "profiel_betaalde_krachten": 0,
        "uitdagingen_top3": ["actieve_leden", "financiering", "opvolging"],
        "uitdagingen_lab": "financelab",
    }
    for q in Q.questions():
        if q.type == "scale":
            answers[q.key] = 2 if q.reversed else 4
    answers.update(overrides)
    return answers


def make_collective(name="Energiecoöperatie De Wind", slug=None, sector="energie", country="NL"):
    """An uncommitted collective in Zwolle with a random slug."""
    return factories.make_collective(name, slug=slug or secrets.token_hex(6), sector=sector,
                                     municipality="Zwolle", province="Overijssel", country=country,
                                     commit=False)


def make_scan(answers, collective=None, status="approved", submitted_at=datetime(2026, 5, 4, 10),
              store_scores=True):
    scan = SelfScan(resume_token_hash=secrets.token_hex(32), questionnaire_version=1, status=status,
                    collective_id=collective.id if collective else None, submitted_at=submitted_at,
                    contact_name="Anna", contact_email="anna@example.org")
    if store_scores:
        scan.scores = score_answers(Q, answers)
    db.session.add(scan)
    db.session.flush()
    for key, value in answers.items():
        db.session.add(SelfScanAnswer(scan_id=scan.id, question_key=key, questionnaire_version=1,
                                      value=value))
    db.session.commit()
    db.session.refresh(scan)
    return scan


# -- build_report ------------------------------------------------------------------------------

def test_report_has_every_scored_dimension_with_level_and_reading():
    answers = base_answers(doel_duidelijk=5, doel_leden_profiteren=5, doel_omgeving=5, doel_versnipperd=1)
    scan = make_scan(answers, store_scores=False, status="submitted")
    report = build_report(scan)
    assert [d.key for d in report.dimensions] == Q.scored_dimensions()
    doel = report.dimension("doel")
    assert doel.label == "Doel en nut"
    assert doel.score == 100 and doel.level_key == "sterk" and doel.level_label == "Sterk"
    assert doel.reading and doel.description
    leden = report.dimension("leden")
    assert leden.score == 75 and leden.level_label == "Stevig"
    assert report.scores == score_answers(Q, answers)
    assert report.collective_name == "Energiecoöperatie De Wind"
    assert report.sector == "energie" and report.sector_label == "Energie"
    assert report.date == datetime(2026, 5, 4, 10)
    assert report.previous is None and report.changes == {}
    # Fewer than 5 peers: no comparison, and a sentence why.
    assert report.comparison is None
    assert "5" in report.comparison_note and "Energie" in report.comparison_note


def test_report_uses_the_scores_stored_at_submission():
    scan = make_scan(base_answers())
    scan.scores = {**scan.scores, "doel": 12}
    db.session.commit()
    assert build_report(scan).dimension("doel").score == 12


def test_unanswered_dimension_has_no_score():
    answers = base_answers()
    for q in Q.questions():
        if q.dimension == "financien" and q.type == "scale":
            answers.pop(q.key)
    report = build_report(make_scan(answers, store_scores=False))
    financien = report.dimension("financien")
    assert financien.score is None and financien.level_label == "Geen score"
    assert "te weinig" in financien.reading
    assert "financien" not in report.weakest_dimensions


def test_challenges_are_shown_by_their_labels_in_the_chosen_order():
    report = build_report(make_scan(base_answers(uitdagingen_top3=["gemeente", "kennis"])))
    assert report.challenges == ["Samenwerking met de gemeente",
                                 "Kennis en onderzoek, bijvoorbeeld onze impact meten"]


def test_weakest_dimensions_are_the_two_lowest():
    answers = base_answers()
    for q in Q.questions():
        if q.type == "scale" and q.dimension == "strategie":
            answers[q.key] = 5 if q.reversed else 1  # 0
        if q.type == "scale" and q.dimension == "bestuur":
            answers[q.key] = 3  # 50
    report = build_report(make_scan(answers))
    assert report.weakest_dimensions == ["strategie", "bestuur"]


def test_comparison_with_five_peers_of_the_same_sector():
    for n, value in enumerate([40, 50, 60, 70, 80]):
        peer = make_collective(name=f"Peer {n}", sector="energie")
        make_scan(base_answers(), collective=peer)
        scan = db.session.execute(db.select(SelfScan).where(SelfScan.collective_id == peer.id)).scalar_one()
        scan.scores = {d: value for d in Q.scored_dimensions()}
    other_sector = make_collective(name="Zorg", sector="zorg")
    make_scan(base_answers(), collective=other_sector)
    db.session.commit()
    report = build_report(make_scan(base_answers(), status="submitted"))
    assert report.comparison is not None
    assert report.comparison["doel"] == {"n": 5, "median": 60, "q1": 50, "q3": 70}
    assert report.comparison_note == ""
    assert 'stroke-dasharray="6 4"' in str(report.chart)


# -- recommendations ---------------------------------------------------------------------------

def test_every_challenge_option_maps_to_a_lab():
    options = [value for value, _label in Q.question("uitdagingen_top3").options]
    assert set(options) == set(CHALLENGE_LABS)
    assert set(CHALLENGE_LABS.values()) <= {"financelab", "sciencelab", "overheidslab", "netwerklab"}


def test_recommendation_follows_the_challenges():
    scan = make_scan(base_answers(uitdagingen_top3=["gemeente", "regelgeving", "financiering"],
                                  uitdagingen_lab="netwerklab"))
    rec = recommend(scan, scan.scores)
    assert rec.lab_slug == "overheidslab" and rec.lab_name == "Overheidslab"
    assert "samenwerking met de gemeente" in rec.lab_reason
    assert rec.items == [] and rec.note is None


def test_preferred_lab_wins_a_tie():
    # One challenge for the Financelab, one for the Netwerklab, one for the Sciencelab.
    answers = base_answers(uitdagingen_top3=["financiering", "actieve_leden", "kennis"])
    scan = make_scan({**answers, "uitdagingen_lab": "sciencelab"})
    assert recommend(scan, scan.scores).lab_slug == "sciencelab"
    assert "zelf" in recommend(scan, scan.scores).lab_reason
    scan = make_scan({**answers, "uitdagingen_lab": "financelab"})
    assert recommend(scan, scan.scores).lab_slug == "financelab"
    # A preferred lab outside the tie does not win: the first named challenge's lab does.
    scan = make_scan({**answers, "uitdagingen_lab": "overheidslab"})
    assert recommend(scan, scan.scores).lab_slug == "financelab"


def test_without_challenges_the_preferred_lab_is_recommended():
    scan = make_scan(base_answers(uitdagingen_top3=[], uitdagingen_lab="sciencelab"))
    rec = recommend(scan, scan.scores)
    assert rec.lab_slug == "sciencelab" and "Sciencelab" in rec.lab_reason


def test_belgian_collective_gets_the_note_and_never_finance_or_overheidslab_first():
    flemish = {"municipality": "Gent", "province": "Oost-Vlaanderen", "country": "BE"}
    answers = base_answers(profiel_gemeente=flemish,
                           uitdagingen_top3=["financiering", "gemeente", "regelgeving"],
                           uitdagingen_lab="financelab")
    scan = make_scan(answers, status="submitted")
    report = build_report(scan)
    assert report.is_belgian
    assert BELGIAN_NOTE in report.notes
    assert "Nederlandse situatie" in BELGIAN_NOTE
    rec = report.recommendations
    assert rec.lab_slug not in ("financelab", "overheidslab")
    assert rec.note == BELGIAN_NOTE
    assert "Nederlandse situatie" in rec.lab_reason
    # The same answers from a Dutch collective do point to the Overheidslab.
    dutch = make_scan(base_answers(uitdagingen_top3=["financiering", "gemeente", "regelgeving"],
                                   uitdagingen_lab="financelab"))
    assert recommend(dutch, dutch.scores).lab_slug == "overheidslab"


def test_belgian_collective_known_by_its_collective_page():
    collective = make_collective(country="BE")
    scan = make_scan(base_answers(uitdagingen_top3=["financiering"], uitdagingen_lab="overheidslab"),
                     collective=collective)
    report = build_report(scan)
    assert report.is_belgian and report.notes == [BELGIAN_NOTE]
    assert report.recommendations.lab_slug in ("sciencelab", "netwerklab")


def test_recommended_items_hook_is_empty_for_now():
    scan = make_scan(base_answers())
    assert recommended_items(scan, ["doel", "leden"], ["financiering"]) == []


# -- previous scan -----------------------------------------------------------------------------

def test_repeat_scan_shows_the_previous_scan_and_changes():
    collective = make_collective()
    first = make_scan(base_answers(), collective=collective, submitted_at=datetime(2025, 5, 1))
    answers = base_answers()
    for q in Q.questions():
        if q.type == "scale" and q.dimension == "leden":
            answers[q.key] = 1 if q.reversed else 5  # 75 → 100
        if q.type == "scale" and q.dimension == "financien":
            answers[q.key] = 3  # 75 → 50
    # An older scan and a rejected one do not count as "previous".
    make_scan(base_answers(), collective=collective, submitted_at=datetime(2024, 5, 1))
    make_scan(base_answers(), collective=collective, status="rejected", submitted_at=datetime(2025, 9, 1))
    second = make_scan(answers, collective=collective, status="completed",
                       submitted_at=datetime(2026, 5, 1))
    report = build_report(second)
    assert report.previous is not None and report.previous.scan.id == first.id
    assert report.previous.previous is None  # only one step back
    assert report.changes["leden"] == 25
    assert report.changes["financien"] == -25
    assert report.changes["doel"] == 0
    assert report.collective_name == collective.name
    # The first scan has no previous one.
    assert build_report(first).previous.scan.submitted_at == datetime(2024, 5, 1)


# -- radar chart ------------------------------------------------------------------------------

def test_radar_svg_is_valid_accessible_xml():
    svg = radar_svg(["Doel en nut", "Leden", "Externe relaties en autonomie"], [70, None, 40],
                    peer_values=[60, 50, 55])
    root = ET.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    title = root.find(SVG + "title")
    assert title is not None and title.text
    desc = root.find(SVG + "desc").text
    assert "Leden: geen score" in desc and "Doel en nut: 70 van 100" in desc
    assert "geen score" in "".join(root.itertext())
    assert "style=" not in svg and "<script" not in svg
    assert len(root.findall(SVG + "polygon")) >= 2
    assert root.get("aria-labelledby").split() == [title.get("id"), root.find(SVG + "desc").get("id")]


def test_radar_svg_escapes_labels():
    svg = str(radar_svg(["<script>alert(1)</script>", 'a"b & c', "Leden"], [10, 20, 30]))
    assert "<script" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    assert "<script>alert(1)</script>" in "".join(root.itertext())
    assert "style=" not in svg


def test_radar_labels_stay_inside_the_viewbox():
    labels = [d["label"] for d in Q.dimensions.values() if d.get("scored")]
    root = ET.fromstring(str(radar_svg(labels, [80, 60, 40, 20, 100, 0])))
    min_x, min_y, width, height = (float(v) for v in root.get("viewBox").split())
    for tspan in root.iter(SVG + "tspan"):
        x, y = float(tspan.get("x")), float(tspan.get("y"))
        text_width = len(tspan.text) * 0.62 * charts.FONT_SIZE
        anchor = next(t for t in root.iter(SVG + "text") if tspan in list(t)).get("text-anchor")
        left = {"start": x, "end": x - text_width, "middle": x - text_width / 2}[anchor]
        assert min_x <= left and left + text_width <= min_x + width, tspan.text
        assert min_y <= y - charts.FONT_SIZE and y <= min_y + height, tspan.text


def test_radar_text_is_drawn_at_12px_or_more_in_a_phones_column():
    """Drawn 366 px wide (a 390 px phone, the chart's narrowest column), with peers and a missing
    score (the tallest and widest chart), no text is smaller than 12 px."""
    labels = [d["label"] for d in Q.dimensions.values() if d.get("scored")]
    root = ET.fromstring(str(radar_svg(labels, [80, None, 40, 20, 100, 0], [50] * len(labels))))
    width = float(root.get("viewBox").split()[2])
    sizes = [float(t.get("font-size")) for t in root.iter(SVG + "text")]
    assert min(sizes) * 366 / width >= 12


def test_radar_topic_labels_never_cover_a_ring_number():
    labels = [d["label"] for d in Q.dimensions.values() if d.get("scored")]
    root = ET.fromstring(str(radar_svg(labels, [80, 60, 40, 20, 100, 0])))

    def box(x, y, text, size, anchor="start"):
        width = len(text) * 0.62 * size
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        return left, y - size, left + width, y

    numbers = [box(float(t.get("x")), float(t.get("y")), t.text, float(t.get("font-size")))
               for t in root.iter(SVG + "text") if t.text and t.text.isdigit()]
    topics = [box(float(span.get("x")), float(span.get("y")), span.text, float(t.get("font-size")),
                  t.get("text-anchor"))
              for t in root.iter(SVG + "text") for span in t.iter(SVG + "tspan")]
    assert numbers and topics
    for a in numbers:
        for b in topics:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_report_chart_is_markup():
    report = build_report(make_scan(base_answers()))
    chart = report.chart
    assert hasattr(chart, "__html__") and "Doel en nut" in chart


# -- PDF ---------------------------------------------------------------------------------------

def test_report_pdf_for_a_dutch_name():
    collective = make_collective(name="Coöperatie Ëindhoven")
    make_scan(base_answers(), collective=collective, submitted_at=datetime(2025, 3, 1))
    scan = make_scan(base_answers(profiel_naam="Coöperatie Ëindhoven"), collective=collective,
                     status="completed", submitted_at=datetime(2026, 11, 27, 9))
    pdf = report_pdf(build_report(scan))
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    assert len(pdf) > 1500


def test_report_pdf_with_hostile_text_and_a_belgian_note():
    flemish = {"municipality": "Gent", "province": "Oost-Vlaanderen", "country": "BE"}
    name = "Zorg\x00coöp \u202eé\u200b ł 你好 — “ok” <b>"
    scan = make_scan(base_answers(profiel_naam=name, profiel_gemeente=flemish, uitdagingen_top3=[]),
                     status="submitted")
    pdf = report_pdf(build_report(scan))
    assert pdf.startswith(b"%PDF")


def test_clean_keeps_dutch_letters_and_drops_control_characters():
    assert clean("Coöperatie Ëindhoven é") == "Coöperatie Ëindhoven é"
    assert clean("a\x00b\x1bc\u202ed\u200be") == "abcde"
    assert clean("Łódź") == "Lódz"
    assert clean("你") == "?"
    assert clean("€ – “x”") == "€ – “x”"
    assert clean(None) == ""


def test_report_for_a_scan_made_just_now_without_previous_or_collective():
    scan = make_scan(base_answers(), status="submitted", submitted_at=datetime.now() - timedelta(minutes=1))
    report = build_report(scan)
    assert report.previous is None
    assert report.recommendations.lab_slug == "netwerklab"  # two Netwerklab challenges of three
