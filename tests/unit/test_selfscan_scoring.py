"""Unit tests of the self-scan questionnaire file and the scoring: scores, levels, peer figures."""
import secrets
import statistics
from datetime import datetime, timedelta

import pytest

from app.selfscan.questionnaire import TYPES, _build, load_questionnaire
from app.selfscan.scoring import (
    level_for, level_ranges, peer_statistics, reading_for, score_answers,
)
from app.extensions import db
from app.models.selfscan import SelfScan
from tests import factories

Q = load_questionnaire(1)
SCORED = Q.scored_dimensions()


def scale_items(dim, questionnaire=Q):
    return [q for q in questionnaire.questions() if q.type == "scale" and q.dimension == dim]


def answers_all(value, flip_reversed=False):
    """Every scale item answered with `value` (reversed ones with 6 - value if flip_reversed)."""
    return {q.key: (6 - value if flip_reversed and q.reversed else value)
            for q in Q.questions() if q.type == "scale"}


# -- the questionnaire file ------------------------------------------------------------------

def test_questionnaire_has_40_to_50_items_with_labels_types_and_options():
    questions = Q.questions()
    assert 40 <= len(questions) <= 50
    for q in questions:
        assert q.label.strip(), q.key
        assert q.type in TYPES, q.key
        if q.type in ("single", "multi"):
            assert len(q.options) >= 2, q.key
            assert all(value and label for value, label in q.options), q.key
        assert q.key.startswith(q.dimension + "_"), q.key
    used = {q.type for q in questions}
    assert used == TYPES  # every question type is used
    assert any(q.type == "multi" and q.max_choices == 3 for q in questions)


def test_questionnaire_dimensions_steps_and_well_known_keys():
    assert list(Q.dimensions) == ["profiel", "doel", "leden", "bestuur", "financien", "extern",
                                  "strategie", "waarden", "uitdagingen"]
    assert SCORED == ["doel", "leden", "bestuur", "financien", "extern", "strategie"]
    assert len(Q.steps) == 9
    for step in Q.steps:
        assert step.intro.strip(), step.key
        assert step.questions, step.key
    for key in SCORED:
        assert Q.dimensions[key]["description"].strip()
        items = scale_items(key)
        assert 4 <= len(items) <= 6, key
        assert any(q.reversed for q in items), key
        assert any(not q.reversed for q in items), key
        assert any(q.type != "scale" for q in Q.questions() if q.dimension == key), key
    for dim in ("profiel", "waarden", "uitdagingen"):
        assert not any(q.type == "scale" for q in Q.questions() if q.dimension == dim)
    for role in ("name", "sector", "legal_form", "location", "founded", "members", "challenges", "lab"):
        assert Q.question(Q.profile_keys[role]) is not None, role
    assert Q.question("profiel_winstuitkering") in Q.step(1).questions
    assert Q.refusal({"profiel_winstuitkering": "aandeelhouders"})
    assert Q.refusal({"profiel_winstuitkering": "nee"}) is None
    challenges = Q.question("uitdagingen_top3")
    assert challenges.max_choices == 3 and 10 <= len(challenges.options) <= 12
    assert {v for v, _ in Q.question("uitdagingen_lab").options} == {
        "financelab", "sciencelab", "overheidslab", "netwerklab"}


# -- scores ----------------------------------------------------------------------------------

def test_all_ones_give_zero_and_all_fives_hundred_when_reversed_items_agree():
    # "Helemaal eens" with positive statements and "helemaal oneens" with reversed ones: the best.
    assert score_answers(Q, answers_all(5, flip_reversed=True)) == {d: 100 for d in SCORED}
    assert score_answers(Q, answers_all(1, flip_reversed=True)) == {d: 0 for d in SCORED}
    # Literally every item 5 (or 1): the reversed items pull the other way.
    for dim, score in score_answers(Q, answers_all(5)).items():
        items = scale_items(dim)
        positive = sum(not q.reversed for q in items)
        assert score == (200 * positive + len(items)) // (2 * len(items)), dim
        assert score < 100
    assert all(0 < score < 100 for score in score_answers(Q, answers_all(1)).values())


def test_reversed_item_all_five_scores_zero():
    tiny = _build({
        "version": 99, "consent_version": "x", "consent_text": "x",
        "dimensions": [{"key": "doel", "label": "Doel", "scored": True},
                       {"key": "leden", "label": "Leden", "scored": True}],
        "steps": [{"key": "doel", "title": "Doel", "questions": [
            {"key": "doel_a", "type": "scale", "label": "A", "reversed": True},
            {"key": "doel_b", "type": "scale", "label": "B", "reversed": True}]},
            {"key": "leden", "title": "Leden", "questions": [
                {"key": "leden_a", "type": "scale", "label": "A"},
                {"key": "leden_b", "type": "scale", "label": "B"}]}],
    })
    answers = {"doel_a": 5, "doel_b": 5, "leden_a": 1, "leden_b": 1}
    assert score_answers(tiny, answers) == {"doel": 0, "leden": 0}
    answers = {"doel_a": 1, "doel_b": 1, "leden_a": 5, "leden_b": 5}
    assert score_answers(tiny, answers) == {"doel": 100, "leden": 100}


def test_a_mixed_dimension_counts_reversed_items_as_six_minus_value():
    items = scale_items("doel")
    answers = {q.key: 4 for q in items}  # agree with everything, also the reversed statement
    reversed_count = sum(q.reversed for q in items)
    expected_points = [25 if q.reversed else 75 for q in items]
    expected = sum(expected_points) / len(items)
    assert reversed_count >= 1
    assert score_answers(Q, answers)["doel"] == int(expected + 0.5)


def test_missing_answers_are_ignored_and_half_is_enough():
    items = scale_items("leden")
    assert len(items) == 4
    positive = [q for q in items if not q.reversed]
    # Two of four answered (exactly half): scored on those two only.
    answers = {positive[0].key: 5, positive[1].key: 3}
    assert score_answers(Q, answers)["leden"] == 75  # (100 + 50) / 2
    # One of four: too few.
    assert score_answers(Q, {positive[0].key: 5})["leden"] is None
    # Nothing at all: every dimension None.
    assert score_answers(Q, {}) == {d: None for d in SCORED}


def test_invalid_values_count_as_missing():
    items = scale_items("financien")
    answers = {items[0].key: "5", items[1].key: True, items[2].key: 7, items[3].key: None}
    assert score_answers(Q, answers)["financien"] is None


def test_scores_are_rounded_half_up():
    items = [q for q in scale_items("doel") if not q.reversed]
    # 3 items: 25 + 25 + 0 = 50 / 3 = 16.67 → 17
    answers = {items[0].key: 2, items[1].key: 2, items[2].key: 1}
    assert score_answers(Q, answers)["doel"] == 17
    # 2 items of 4: (25 + 50) / 2 = 37.5 → 38 (half up, not banker's 38/… rounding)
    answers = {items[0].key: 2, items[1].key: 3}
    assert score_answers(Q, answers)["doel"] == 38
    # (0 + 25) / 2 = 12.5 → 13 (Python's round() would give 12)
    answers = {items[0].key: 1, items[1].key: 2}
    assert score_answers(Q, answers)["doel"] == 13


@pytest.mark.parametrize("score, key, label", [
    (0, "aandacht", "Aandachtspunt"), (39, "aandacht", "Aandachtspunt"),
    (40, "ontwikkeling", "In ontwikkeling"), (59, "ontwikkeling", "In ontwikkeling"),
    (60, "stevig", "Stevig"), (79, "stevig", "Stevig"),
    (80, "sterk", "Sterk"), (100, "sterk", "Sterk"),
])
def test_level_boundaries(score, key, label):
    assert level_for(score) == (key, label)


def test_level_ranges_cover_0_to_100_without_gaps():
    ranges = level_ranges()
    assert ranges[0][0] == 0 and ranges[-1][1] == 100
    for (low, high, *_), (next_low, *_rest) in zip(ranges, ranges[1:]):
        assert next_low == high + 1
    assert level_for(None) == ("geen", "Geen score")


def test_readings_exist_for_every_scored_dimension_and_level():
    seen = set()
    for dim in SCORED:
        for score in (10, 50, 70, 90):
            text = reading_for(dim, score)
            assert len(text) > 40
            seen.add(text)
    assert len(seen) == len(SCORED) * 4  # every reading is its own text
    assert "te weinig" in reading_for("doel", None)


# -- peer statistics ------------------------------------------------------------------------

def make_collective(n, sector="energie", country="NL"):
    """Uncommitted collective number `n`."""
    return factories.make_collective(f"Collectief {n}", slug=f"collectief-{n}-{sector}",
                                     sector=sector, country=country, commit=False)


def make_scored_scan(collective, scores, status="approved", days_ago=10):
    scan = SelfScan(resume_token_hash=secrets.token_hex(32), questionnaire_version=1, status=status,
                    collective_id=collective.id, scores=scores,
                    submitted_at=datetime(2026, 6, 1) - timedelta(days=days_ago))
    db.session.add(scan)
    db.session.flush()
    return scan


def test_peer_statistics_need_five_collectives():
    for n, value in enumerate([10, 20, 30, 40]):
        make_scored_scan(make_collective(n), {"doel": value, "leden": value})
    db.session.commit()
    assert peer_statistics("energie") is None


def test_peer_statistics_median_and_quartiles_by_hand():
    values = [10, 20, 30, 40, 70]
    for n, value in enumerate(values):
        make_scored_scan(make_collective(n), {"doel": value, "leden": None})
    db.session.commit()
    stats = peer_statistics("energie")
    assert stats["n"] == 5
    # Inclusive method: positions (n-1)·p in the sorted list: q1 at 1 → 20, median at 2 → 30,
    # q3 at 3 → 40.
    assert stats["doel"] == {"n": 5, "median": 30, "q1": 20, "q3": 40}
    assert stats["leden"] is None  # nobody has a score for it

    # With six values the quartiles interpolate: 10 20 30 40 70 90 → q1 at 1.25 = 22.5,
    # median 35, q3 at 3.75 = 62.5.
    make_scored_scan(make_collective(6), {"doel": 90})
    db.session.commit()
    stats = peer_statistics("energie")
    assert stats["doel"] == {"n": 6, "median": 35.0, "q1": 22.5, "q3": 62.5}
    assert statistics.quantiles([10, 20, 30, 40, 70, 90], n=4, method="inclusive") == [22.5, 35, 62.5]


def test_peer_statistics_use_only_the_latest_scored_scan_per_collective():
    collectives = [make_collective(n) for n in range(5)]
    for collective, value in zip(collectives, [10, 20, 30, 40, 50]):
        make_scored_scan(collective, {"doel": value}, days_ago=100)
    # Collective 0 scanned again later (completed): 90 replaces its 10.
    make_scored_scan(collectives[0], {"doel": 90}, status="completed", days_ago=5)
    # Not counted: a rejected or still-submitted scan, a draft, and a scan without scores.
    make_scored_scan(collectives[1], {"doel": 100}, status="rejected", days_ago=1)
    make_scored_scan(collectives[2], {"doel": 100}, status="submitted", days_ago=1)
    make_scored_scan(collectives[3], {"doel": 100}, status="draft", days_ago=1)
    make_scored_scan(collectives[4], None, status="completed", days_ago=1)
    db.session.commit()
    stats = peer_statistics("energie")
    assert stats["n"] == 5
    # 20 30 40 50 90
    assert stats["doel"] == {"n": 5, "median": 40, "q1": 30, "q3": 50}


def test_peer_statistics_exclude_other_sectors_and_the_collective_itself():
    own = make_collective(0)
    make_scored_scan(own, {"doel": 0})
    for n in range(1, 5):
        make_scored_scan(make_collective(n), {"doel": 50})
    for n in range(5, 10):
        make_scored_scan(make_collective(n, sector="zorg"), {"doel": 100})
    db.session.commit()
    assert peer_statistics("energie")["doel"]["median"] == 50
    assert peer_statistics("energie", exclude_collective_id=own.id) is None  # only 4 others
    zorg = peer_statistics("zorg")
    assert zorg["n"] == 5 and zorg["doel"]["median"] == 100
    assert peer_statistics("wonen") is None
    assert peer_statistics(None) is None
