"""The report of a self-scan: scores with readings, challenges, peer comparison, change since the
previous scan and recommendations (which lab to ask; knowledge-base items once that exists).

Everything here only reads; the report page (selfscan routes), the collective's dashboard and the
PDF (pdf.py) all show the same Report, so they never disagree.
"""
from collections import Counter
from dataclasses import dataclass, field

from app.extensions import db
from app.models.collectives import COUNTRIES, SECTORS
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SelfScan

from .charts import radar_svg
from .questionnaire import load_questionnaire
from .scoring import MIN_PEERS, level_for, peer_statistics, reading_for, score_answers

LABS = {
    "financelab": {"name": "Financelab", "who": "financiers",
                   "about": "financiering, investeringen en geldzaken"},
    "sciencelab": {"name": "Sciencelab", "who": "wetenschappers",
                   "about": "onderzoek, kennis en het meten van jullie impact"},
    "overheidslab": {"name": "Overheidslab", "who": "overheden",
                     "about": "beleid, regels en samenwerking met de gemeente of provincie"},
    "netwerklab": {"name": "Netwerklab", "who": "netwerkorganisaties en koepels",
                   "about": "organiseren, leden, bestuur en samenwerken"},
}
# Which lab fits each challenge option of the questionnaire (uitdagingen_top3). Options a later
# questionnaire version adds without an entry here simply do not count towards a lab.
CHALLENGE_LABS = {
    "actieve_leden": "netwerklab",
    "opvolging": "netwerklab",
    "financiering": "financelab",
    "professionalisering": "netwerklab",
    "gemeente": "overheidslab",
    "regelgeving": "overheidslab",
    "ledengroei": "netwerklab",
    "communicatie": "netwerklab",
    "juridisch": "netwerklab",
    "samenwerking": "netwerklab",
    "kennis": "sciencelab",
}
# Without challenges or a chosen lab, the weakest dimension points to a lab.
DIMENSION_LABS = {
    "doel": "netwerklab",
    "leden": "netwerklab",
    "bestuur": "netwerklab",
    "financien": "financelab",
    "extern": "overheidslab",
    "strategie": "sciencelab",
}
DUTCH_ONLY_LABS = ("financelab", "overheidslab")
DEFAULT_LAB = "netwerklab"
BELGIAN_NOTE = ("Jullie collectief is in België gevestigd. Het Financelab en het Overheidslab zijn "
                "gericht op de Nederlandse situatie: regels, subsidies en financiers zijn in Vlaanderen "
                "vaak anders. Het Sciencelab en het Netwerklab zijn er net zo goed voor jullie.")


@dataclass
class DimensionResult:
    key: str
    label: str
    score: int | None
    level_key: str
    level_label: str
    reading: str
    description: str = ""


@dataclass
class Recommendations:
    lab_slug: str | None
    lab_name: str | None
    lab_reason: str
    items: list = field(default_factory=list)
    note: str | None = None  # e.g. the Belgian note


@dataclass
class Report:
    scan: SelfScan
    questionnaire: object
    scores: dict
    dimensions: list
    challenges: list
    comparison: dict | None
    previous: "Report | None"
    changes: dict
    recommendations: Recommendations | None
    collective_name: str = ""
    sector: str | None = None
    sector_label: str = ""
    country: str = "NL"
    date: object = None  # when the scan was sent (naive UTC), or None for a draft
    weakest_dimensions: list = field(default_factory=list)
    comparison_note: str = ""  # why there is no comparison, when there is none
    notes: list = field(default_factory=list)

    @property
    def is_belgian(self):
        return self.country == "BE"

    @property
    def chart(self):
        """The radar chart (SVG Markup) of the scored dimensions, with peer medians if known."""
        labels = [d.label for d in self.dimensions]
        values = [d.score for d in self.dimensions]
        peers = None
        if self.comparison:
            peers = [(self.comparison.get(d.key) or {}).get("median") for d in self.dimensions]
        return radar_svg(labels, values, peers)

    def dimension(self, key):
        return next((d for d in self.dimensions if d.key == key), None)


def _country(scan, questionnaire, answers):
    if scan.collective is not None and scan.collective.country:
        return scan.collective.country
    location = questionnaire.profile_value(answers, "location")
    if isinstance(location, dict) and location.get("country") in COUNTRIES:
        return location["country"]
    return "NL"


def _sector(scan, questionnaire, answers):
    if scan.collective is not None and scan.collective.sector:
        return scan.collective.sector
    sector = questionnaire.profile_value(answers, "sector")
    return sector if isinstance(sector, str) else None


def _challenge_values(questionnaire, answers):
    chosen = questionnaire.profile_value(answers, "challenges")
    return [v for v in chosen if isinstance(v, str)] if isinstance(chosen, list) else []


def _scores(scan, questionnaire, answers):
    """The scores stored at submission (so a report stays stable), else computed now."""
    if isinstance(scan.scores, dict):
        return dict(scan.scores)
    return score_answers(questionnaire, answers)


def weakest_dimensions(questionnaire, scores, count=2):
    """The `count` lowest scored dimensions (questionnaire order breaks ties); unscored ones skipped."""
    order = questionnaire.scored_dimensions()
    scored = [(scores.get(d), order.index(d), d) for d in order if scores.get(d) is not None]
    return [d for _score, _index, d in sorted(scored)[:count]]


def _join(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def recommend(scan, scores):
    """Which lab to ask first, and why (Dutch); items come from recommended_items()."""
    questionnaire = load_questionnaire(scan.questionnaire_version)
    answers = scan.answer_map()
    challenges = _challenge_values(questionnaire, answers)
    preferred = questionnaire.profile_value(answers, "lab")
    preferred = preferred if preferred in LABS else None
    belgian = _country(scan, questionnaire, answers) == "BE"
    allowed = [lab for lab in LABS if not (belgian and lab in DUTCH_ONLY_LABS)]
    weakest = weakest_dimensions(questionnaire, scores)
    challenge_question = questionnaire.question(questionnaire.profile_keys.get("challenges"))

    def label(value):
        text = challenge_question.option_label(value) if challenge_question else value
        return str(text)[:1].lower() + str(text)[1:]

    counts = Counter(CHALLENGE_LABS[c] for c in challenges if c in CHALLENGE_LABS)
    candidates = {lab: n for lab, n in counts.items() if lab in allowed}
    lab, reason = None, ""
    if candidates:
        best = max(candidates.values())
        tied = [lab for lab, n in candidates.items() if n == best]
        if preferred in tied:
            lab = preferred
        else:
            # Otherwise the lab of the challenge named first.
            lab = next(CHALLENGE_LABS[c] for c in challenges if CHALLENGE_LABS.get(c) in tied)
        matching = [label(c) for c in challenges if CHALLENGE_LABS.get(c) == lab]
        info = LABS[lab]
        noun = "uitdagingen" if len(matching) > 1 else "uitdaging"
        reason = (f"Jullie noemden {_join(matching)} als {noun}. Daarover denken de {info['who']} in "
                  f"het {info['name']} graag met jullie mee: het lab gaat over {info['about']}.")
        if preferred == lab:
            reason += " Het is ook het lab dat jullie zelf als eerste kozen."
    elif preferred in allowed:
        lab = preferred
        info = LABS[lab]
        reason = (f"Jullie kozen zelf het {info['name']} als eerste lab. Daar beantwoorden "
                  f"{info['who']} vragen over {info['about']}.")
    else:
        by_dimension = [DIMENSION_LABS[d] for d in weakest if DIMENSION_LABS.get(d) in allowed]
        lab = by_dimension[0] if by_dimension else DEFAULT_LAB
        info = LABS[lab]
        weakest_label = (questionnaire.dimensions.get(weakest[0], {}).get("label", weakest[0]).lower()
                         if weakest else "")
        if weakest and DIMENSION_LABS.get(weakest[0]) == lab:
            reason = (f"Het onderdeel {weakest_label} vraagt nu de meeste aandacht. In het "
                      f"{info['name']} denken {info['who']} daarover met jullie mee.")
        else:
            reason = (f"In het {info['name']} denken {info['who']} met jullie mee over "
                      f"{info['about']}.")
    note = None
    if belgian:
        note = BELGIAN_NOTE
        skipped = [LABS[x]["name"] for x in DUTCH_ONLY_LABS
                   if counts.get(x) or preferred == x]
        if skipped:
            verb = "richten" if len(skipped) > 1 else "richt"
            reason += (f" Het {' en het '.join(skipped)} {verb} zich op de Nederlandse situatie; "
                       f"daarom raden we jullie eerst het {LABS[lab]['name']} aan.")
    return Recommendations(
        lab_slug=lab,
        lab_name=LABS[lab]["name"] if lab else None,
        lab_reason=reason.strip(),
        items=recommended_items(scan, weakest, challenges),
        note=note,
    )


def recommended_items(scan, weakest_dimensions, challenges):
    """Knowledge-base items for this scan's weakest dimensions and challenges.

    HOOK: the knowledge base arrives in a later issue; it fills this in (items tagged with these
    dimensions or matching the challenges). Until then there is nothing to recommend.
    """
    return []


def previous_scan(scan):
    """The same collective's scan sent before this one (approved or completed), or None."""
    if scan.collective_id is None:
        return None
    query = (
        db.select(SelfScan)
        .where(SelfScan.collective_id == scan.collective_id)
        .where(SelfScan.id != scan.id)
        .where(SelfScan.status.in_([SCAN_APPROVED, SCAN_COMPLETED]))
        .where(SelfScan.submitted_at.isnot(None))
    )
    if scan.submitted_at is not None:
        query = query.where(SelfScan.submitted_at < scan.submitted_at)
    query = query.order_by(SelfScan.submitted_at.desc(), SelfScan.id.desc()).limit(1)
    return db.session.execute(query).scalars().first()


def _comparison(scan, sector, questionnaire):
    if not sector:
        return None, "We weten de sector van jullie collectief niet, dus we kunnen nog niet vergelijken."
    stats = peer_statistics(sector, exclude_collective_id=scan.collective_id)
    sector_label = SECTORS.get(sector, sector)
    if stats is None:
        return None, (f"Er zijn nog geen {MIN_PEERS} andere collectieven in de sector {sector_label} "
                      "met een zelfscan. Zodra dat zo is, laten we hier zien hoe jullie scores zich tot "
                      "die van vergelijkbare collectieven verhouden.")
    comparison = {d: stats.get(d) for d in questionnaire.scored_dimensions() if stats.get(d)}
    if not comparison:
        return None, "Er zijn nog te weinig vergelijkbare scores om jullie collectief mee te vergelijken."
    return comparison, ""


def build_report(scan, with_previous=True):
    """The Report of a scan; `with_previous` adds the previous scan's report and the changes."""
    questionnaire = load_questionnaire(scan.questionnaire_version)
    answers = scan.answer_map()
    scores = _scores(scan, questionnaire, answers)
    dimensions = []
    for key in questionnaire.scored_dimensions():
        score = scores.get(key)
        level_key, level_label = level_for(score)
        dim = questionnaire.dimensions[key]
        dimensions.append(DimensionResult(
            key=key, label=dim.get("label", key), score=score, level_key=level_key,
            level_label=level_label, reading=reading_for(key, score),
            description=dim.get("description", ""),
        ))
    challenge_question = questionnaire.question(questionnaire.profile_keys.get("challenges"))
    challenges = [str(challenge_question.option_label(v)) if challenge_question else v
                  for v in _challenge_values(questionnaire, answers)]
    sector = _sector(scan, questionnaire, answers)
    country = _country(scan, questionnaire, answers)
    comparison, comparison_note = _comparison(scan, sector, questionnaire)

    previous, changes = None, {}
    if with_previous:
        earlier = previous_scan(scan)
        if earlier is not None:
            previous = build_report(earlier, with_previous=False)
            for key in questionnaire.scored_dimensions():
                now, before = scores.get(key), previous.scores.get(key)
                if now is not None and before is not None:
                    changes[key] = now - before

    name = questionnaire.profile_value(answers, "name")
    if scan.collective is not None:
        name = scan.collective.name
    notes = [BELGIAN_NOTE] if country == "BE" else []
    return Report(
        scan=scan,
        questionnaire=questionnaire,
        scores=scores,
        dimensions=dimensions,
        challenges=challenges,
        comparison=comparison,
        previous=previous,
        changes=changes,
        recommendations=recommend(scan, scores),
        collective_name=name if isinstance(name, str) and name else "Jullie collectief",
        sector=sector,
        sector_label=SECTORS.get(sector, sector or ""),
        country=country,
        date=scan.submitted_at,
        weakest_dimensions=weakest_dimensions(questionnaire, scores),
        comparison_note=comparison_note,
        notes=notes,
    )
