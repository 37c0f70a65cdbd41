"""The research export's content: which scans, which columns, pseudonyms, cell safety, codebook."""
import re

from app import research
from app.selfscan.questionnaire import available_versions, load_questionnaire
from app.extensions import db
from app.models.selfscan import (
    SCAN_APPROVED,
    SCAN_COMPLETED,
    SCAN_DRAFT,
    SCAN_REJECTED,
    SCAN_SUBMITTED,
    SelfScanAnswer,
)
from tests.factories import make_collective
from tests.fixtures.research import collective_with_scan, full_scan

EXTRA_COLUMNS = ["pseudoniem", "vragenlijst_versie", "ingestuurd_maand", "status", "land", "provincie"]


def _export():
    db.session.expire_all()
    built = research.build_export()
    header = [column.name for column in built.columns]
    return header, [dict(zip(header, row)) for row in built.rows]


# -- columns -----------------------------------------------------------------------------------

def test_columns_are_the_question_keys_without_excluded_ones_plus_the_extra_columns():
    questions = [q for version in available_versions() for q in load_questionnaire(version).questions()]
    excluded = {q.key for q in questions if q.type in ("text", "municipality")}
    assert {"profiel_naam", "uitdagingen_kennisvraag", "profiel_gemeente"} <= excluded
    scored = [key for key, dim in load_questionnaire(available_versions()[-1]).dimensions.items()
              if dim.get("scored")]
    assert len(scored) == 6

    header = [column.name for column in research.columns()]
    expected = (set(EXTRA_COLUMNS) | {q.key for q in questions} - excluded
                | {f"score_{key}" for key in scored})
    assert set(header) == expected
    assert len(header) == len(set(header))
    assert header[:6] == EXTRA_COLUMNS
    assert header[-6:] == [f"score_{key}" for key in scored]
    for forbidden in ("naam", "name", "email", "e-mail", "website", "gemeente", "municipality", "id"):
        assert forbidden not in header


def test_codebook_covers_every_column_with_codes_and_reversed_items():
    text = research.codebook_markdown()
    for column in research.columns():
        assert f"### `{column.name}`" in text, column.name
    questionnaire = load_questionnaire(available_versions()[-1])
    # Every answer code with its Dutch label, and which scale items are reversed.
    for question in questionnaire.questions():
        if question.type in ("single", "multi"):
            for code, label in question.options:
                assert f"`{code}` = {label}" in text, (question.key, code)
    section = {m.group(1): m.group(2) for m in
               re.finditer(r"### `([^`]+)`\n(.*?)(?=\n### |\Z)", text, flags=re.S)}
    for question in questionnaire.questions():
        if question.type == "scale":
            expected = "Omgekeerd: **ja**" if question.reversed else "Omgekeerd: nee"
            assert expected in section[question.key], question.key
    assert "HMAC-SHA256" in text and "UTF-8 met byte-order mark" in text
    assert "(waarde - 1) / 4" in text  # how a score is made
    assert "afgewezen" in text and "concepten" in text  # which scans count


# -- which scans -------------------------------------------------------------------------------

def test_only_sent_scans_with_research_consent_and_never_drafts_or_rejected():
    consenting = make_collective("Zon op het Dak", slug="zon-dak", municipality="Zeist")
    refusing = make_collective("Zorg Dichtbij", slug="zorg-dichtbij", sector="zorg",
                               municipality="Bunnik")
    approved = full_scan(consenting, SCAN_APPROVED, days_ago=400, seed=1)
    repeat = full_scan(consenting, SCAN_COMPLETED, days_ago=20, seed=2)
    full_scan(consenting, SCAN_DRAFT, seed=3)
    full_scan(consenting, SCAN_REJECTED, seed=4)
    full_scan(refusing, SCAN_APPROVED, consent=False, seed=5)
    waiting = full_scan(None, SCAN_SUBMITTED, days_ago=5, seed=6, name="Nieuw Collectief",
                        town="Houten")
    full_scan(None, SCAN_SUBMITTED, consent=False, seed=7, name="Geen Toestemming")

    header, rows = _export()
    assert len(rows) == 3
    assert [row["status"] for row in rows] == ["goedgekeurd", "herhaalscan", "ingediend"]
    assert rows[0]["ingestuurd_maand"] == approved.submitted_at.strftime("%Y-%m")
    assert rows[1]["ingestuurd_maand"] == repeat.submitted_at.strftime("%Y-%m")
    # Both scans of one collective share its pseudonym; a scan without a collective has its own.
    assert rows[0]["pseudoniem"] == rows[1]["pseudoniem"] == research.pseudonym(approved)
    assert rows[0]["pseudoniem"].startswith("C-")
    assert rows[2]["pseudoniem"] == research.pseudonym(waiting) and rows[2]["pseudoniem"].startswith("S-")
    assert all(re.fullmatch(r"[CS]-[0-9a-f]{16}", row["pseudoniem"]) for row in rows)
    assert research.export_summary() == {"scans": 3, "collectives": 1, "without_collective": 1,
                                         "sent": 5, "without_consent": 2}


def test_answers_are_exported_as_codes_and_numbers():
    _, scan = collective_with_scan("Energiecoöperatie Zonnig", "zonnig", municipality="Zeist",
                                   province="Utrecht")
    answers = scan.answer_map()
    [row] = _export()[1]
    questionnaire = load_questionnaire(1)
    for question in questionnaire.questions():
        if question.type in ("text", "municipality"):
            assert question.key not in row
            continue
        value = answers.get(question.key)
        if question.type == "multi":
            assert row[question.key] == ";".join(value), question.key
        else:
            assert row[question.key] == value, question.key  # scale 1-5 as stored, codes, numbers
    assert (row["land"], row["provincie"]) == ("NL", "Utrecht")
    assert row["vragenlijst_versie"] == 1
    for key, score in scan.scores.items():
        assert row[f"score_{key}"] == score


def test_a_malformed_stored_answer_never_leaks_and_cells_are_formula_safe():
    _, scan = collective_with_scan("De Formulecoöperatie", "formule")
    bad = {"profiel_sector": "=HYPERLINK(\"http://evil.example\")", "doel_duidelijk": "vijf",
           "profiel_leden": "=1+1", "doel_bundelen": ["geld", "@SUM(A1)", 3],
           "profiel_gemeente": {"municipality": "Geheimdorp", "province": "Verzonnen", "country": "XX"}}
    for answer in scan.answers:
        if answer.question_key in bad:
            answer.value = bad[answer.question_key]
    db.session.add(SelfScanAnswer(scan_id=scan.id, question_key="onbekende_vraag",
                                  questionnaire_version=1, value="vrije tekst die nergens hoort"))
    db.session.commit()

    [row] = _export()[1]
    assert row["profiel_sector"] == "" and row["doel_duidelijk"] == "" and row["profiel_leden"] == ""
    assert row["doel_bundelen"] == "geld"
    # An unknown province or country is never copied; the collective's own province is used.
    assert (row["land"], row["provincie"]) == ("NL", "Utrecht")
    text = research.build_export().csv_text()
    for leak in ("HYPERLINK", "@SUM", "Geheimdorp", "Verzonnen", "vrije tekst", "onbekende_vraag"):
        assert leak not in text

    assert research.safe_cell("=1+1") == "'=1+1"
    assert research.safe_cell("+31") == "'+31"
    assert research.safe_cell("-2") == "'-2"
    assert research.safe_cell("@A1") == "'@A1"
    assert research.safe_cell("\t=1") == "'\t=1"
    assert research.safe_cell("energie") == "energie"
    assert research.safe_cell(5) == 5 and research.safe_cell(None) == ""


# -- pseudonyms --------------------------------------------------------------------------------

def test_pseudonyms_are_stable_distinct_and_change_with_the_key(app):
    collective_with_scan("Collectief Een", "een", municipality="Zeist")
    collective_with_scan("Collectief Twee", "twee", municipality="Bunnik")
    first = [row["pseudoniem"] for row in _export()[1]]
    second = [row["pseudoniem"] for row in _export()[1]]
    assert first == second and len(set(first)) == 2

    app.config["RESEARCH_PSEUDONYM_KEY"] = "een-andere-sleutel"
    other_key = [row["pseudoniem"] for row in _export()[1]]
    assert set(other_key).isdisjoint(first)

    # Without a configured key, one is derived from SECRET_KEY (stable, and not SECRET_KEY itself).
    app.config["RESEARCH_PSEUDONYM_KEY"] = None
    derived = [row["pseudoniem"] for row in _export()[1]]
    assert derived == [row["pseudoniem"] for row in _export()[1]]
    assert set(derived).isdisjoint(first) and set(derived).isdisjoint(other_key)
    assert research.pseudonym_key() != app.config["SECRET_KEY"].encode()
    app.config["SECRET_KEY"] = "een-ander-geheim-van-minstens-32-tekens-lang-0123"
    assert set(row["pseudoniem"] for row in _export()[1]).isdisjoint(derived)
