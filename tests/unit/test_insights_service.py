"""Unit tests of the insights figures: which scans count, the counts and small-cell suppression."""
from app.insights import services
from app.insights.services import (
    OTHER_KEY, OTHER_LABEL, age_band, base_set, breakdown, compute, distribution, select,
)
from app.selfscan.charts import bar_chart_svg, histogram_svg
from app.timeutil import utcnow
from tests.fixtures.insights import build_fixture, build_uniform


def groups(item):
    return [(g.key, g.label, g.count, g.share) for g in item.groups]


def by_key(insights, key):
    return next(b for b in insights.breakdowns if b.key == key)


def test_base_set_is_the_latest_approved_or_completed_scan_per_collective():
    collectives = build_fixture()
    facts = base_set()
    assert len(facts) == 14
    assert sorted(f.collective_id for f in facts) == sorted(c.id for c in collectives)
    first = next(f for f in facts if f.collective_id == collectives[0].id)
    # The older approved scan (stichting, doel 0) is superseded by the latest one.
    assert first.legal_form == "cooperatie" and first.scores["doel"] == 20
    assert first.challenges == ("financiering", "actieve_leden", "gemeente")
    assert first.founded == utcnow().year and first.province == "Utrecht" and first.country == "NL"
    # Newer draft, submitted and rejected scans do not count.
    second = next(f for f in facts if f.collective_id == collectives[1].id)
    assert second.scores["doel"] == 39 and second.legal_form == "cooperatie"
    # A completed repeat scan counts instead of the approved first scan.
    third = next(f for f in facts if f.collective_id == collectives[2].id)
    assert third.scores["doel"] == 40


def test_figures_of_the_fixture():
    build_fixture()
    insights = compute(base_set())
    assert insights.n == 14 and insights.enough
    assert groups(by_key(insights, "sector")) == [
        ("energie", "Energie", 6, 42.9),
        (OTHER_KEY, OTHER_LABEL, 8, 57.1),
    ]
    # Zeeland (4) alone would be 14 - 5 - 5 = 4 by subtraction: the smallest shown province
    # (Antwerpen 5, before Utrecht by name) is folded into Overige with it.
    assert groups(by_key(insights, "provincie")) == [
        ("Utrecht", "Utrecht", 5, 35.7),
        (OTHER_KEY, OTHER_LABEL, 9, 64.3),
    ]
    assert by_key(insights, "provincie").hidden_categories == 2
    # Two small legal forms (2 together) take Vereniging (5) with them into Overige.
    assert groups(by_key(insights, "rechtsvorm")) == [
        ("cooperatie", "Coöperatie", 7, 50.0),
        (OTHER_KEY, OTHER_LABEL, 7, 50.0),
    ]
    assert groups(by_key(insights, "leeftijd")) == [
        ("10-24", "10–24 jaar", 5, 35.7),
        (OTHER_KEY, OTHER_LABEL, 9, 64.3),
    ]
    assert [(g.key, g.count, g.share) for g in insights.challenges] == [
        ("financiering", 7, 50.0),
        ("actieve_leden", 5, 35.7),
    ]
    assert insights.challenges_hidden == 2  # gemeente (4) and kennis (1)

    doel = next(d for d in insights.distributions if d.key == "doel")
    assert doel.n == 14 and doel.median == 59.5
    assert [(b.label, b.count, b.shown) for b in doel.bins] == [
        ("0–19", 0, True), ("20–39", 2, False), ("40–59", 5, False), ("60–79", 7, True),
        ("80–100", 0, True),
    ]  # 40–59 is hidden too (secondary suppression): else 20–39 = 14 - 5 - 7
    assert [b.share for b in doel.bins if b.shown] == [0.0, 50.0, 0.0]
    leden = next(d for d in insights.distributions if d.key == "leden")
    assert [b.count for b in leden.bins] == [0, 0, 14, 0, 0] and leden.median == 45
    strategie = next(d for d in insights.distributions if d.key == "strategie")
    assert strategie.n == 4 and not strategie.enough and strategie.median is None


def test_filters_offer_only_sets_of_five_or_more():
    build_fixture()
    facts = base_set()
    everything = select(facts)
    assert everything.problem is None and len(everything.facts) == 14
    assert everything.sector_options == [("energie", "Energie")]
    assert everything.country_options == [("NL", "Nederland"), ("BE", "België")]

    energie = select(facts, sector="energie")
    assert len(energie.facts) == 6 and energie.problem is None
    assert energie.country_options == [("NL", "Nederland")]  # no Belgian energy collectives
    figures = compute(energie.facts)
    # Zeeland 1 would be 6 - 5: Utrecht goes into Overige with it.
    assert groups(by_key(figures, "provincie")) == [(OTHER_KEY, OTHER_LABEL, 6, 100.0)]
    assert groups(by_key(figures, "sector")) == [("energie", "Energie", 6, 100.0)]

    belgium = select(facts, country="BE")
    assert len(belgium.facts) == 5 and belgium.sector_options == []
    # Wonen 1 and zorg 4: both small, together exactly 5.
    assert groups(by_key(compute(belgium.facts), "sector")) == [(OTHER_KEY, OTHER_LABEL, 5, 100.0)]

    for sector, country in (("wonen", None), ("zorg", "BE"), ("wonen", "NL"), ("voedsel", None)):
        chosen = select(facts, sector=sector, country=country)
        assert chosen.facts == [] and "minder dan 5" in chosen.problem
    for sector, country in (("onbekend", None), (None, "DE"), ("energie", "nl"), ("x" * 5000, "\x00")):
        chosen = select(facts, sector=sector, country=country)
        assert chosen.facts == [] and "kennen we niet" in chosen.problem


def test_a_whole_set_below_five_gives_no_figures():
    build_uniform(4)
    facts = base_set()
    assert len(facts) == 4
    selection = select(facts)
    assert selection.facts == [] and "minder dan 5 collectieven" in selection.problem
    assert selection.sector_options == [] and selection.country_options == []
    insights = compute(facts)
    assert not insights.enough and insights.breakdowns == [] and insights.distributions == []


def test_no_scans_at_all():
    assert base_set() == []
    assert compute([]).n == 0


def test_breakdown_rules():
    values = ["a"] * 5 + ["b"] * 4 + ["c"] * 1 + [None] * 5
    result = breakdown("x", "X", "Per x", values, {"a": "Aa"})
    assert [(g.key, g.label, g.count) for g in result.groups] == [
        ("a", "Aa", 5), (services.UNKNOWN_KEY, "Niet ingevuld", 5), (OTHER_KEY, OTHER_LABEL, 5),
    ]
    # An Overige below five would be given away by subtraction (10 - 6 = 4): the smallest shown
    # group is folded in until Overige reaches five.
    result = breakdown("x", "X", "Per x", ["a"] * 6 + ["b"] * 4, {})
    assert [(g.key, g.count) for g in result.groups] == [(OTHER_KEY, 10)]
    assert result.hidden_categories == 2
    result = breakdown("x", "X", "Per x", ["a"] * 7 + ["b"] * 6 + ["c"] * 1, {})
    assert [(g.key, g.count) for g in result.groups] == [("a", 7), (OTHER_KEY, 7)]


def test_age_bands_and_score_bins():
    year = 2026
    assert [age_band(year - age, year) for age in (0, 4, 5, 9, 10, 24, 25, 120)] == [
        "0-4", "0-4", "5-9", "5-9", "10-24", "10-24", "25+", "25+"]
    assert age_band(None, year) is None and age_band(2030, year) is None  # a year in the future
    result = distribution("doel", "Doel", [0, 19, 19.5, 20, 39, 40, 59, 60, 79, 80, 100])
    assert [b.count for b in result.bins] == [3, 2, 2, 2, 2]
    assert result.median == 40


def test_scores_that_are_not_numbers_are_ignored():
    scores = {"doel": True, "leden": "50", "bestuur": 101, "extern": 55}
    assert services._clean_scores(scores) == {"extern": 55}
    assert services._clean_scores(None) == {} and services._clean_scores([1, 2]) == {}
    assert services._year("1999") == 1999
    assert services._year(True) is None and services._year("x") is None


def test_charts_are_accessible_svg_without_inline_style():
    bars = bar_chart_svg([("Energie", 6, 42.9, ""), (OTHER_LABEL, 8, 57.1, "other")], "Per sector")
    assert bars.startswith("<svg") and 'role="img"' in bars and "style=" not in bars
    assert "<title" in bars and "Per sector" in bars
    assert "6 (42,9%)" in bars and 'class="chart-bar chart-bar--other"' in bars
    hist = histogram_svg([("0–19", 0, 0.0), ("20–39", None, None), ("40–59", 5, 35.7),
                          ("60–79", 1234, 50.0), ("80–100", 0, 0.0)], "Doel", median=59.5)
    assert "style=" not in hist and 'role="img"' in hist
    assert "mediaan 59,5" in hist and "1.234" in hist and "–</text>" in hist
    assert "score 20–39: niet getoond" in hist
    # Labels are escaped.
    assert "&lt;b&gt;" in bar_chart_svg([("<b>", 5, 100.0, "")], "t")
