"""The report of a self-scan: scores with readings, challenges, peer comparison, change since the
previous scan and recommendations (which lab to ask; knowledge-base items once that exists).

Everything here only reads; the report page (selfscan routes), the collective's dashboard and the
PDF (pdf.py) all show the same Report, so they never disagree.
"""
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, case, func
from sqlalchemy.orm import lazyload, load_only

from app.extensions import db
from app.models.collectives import COUNTRIES, SECTORS
from app.models.knowledge import (
    DIMENSIONS,
    FACET_DIMENSION,
    FACET_SECTOR,
    FACET_THEME,
    KnowledgeItem,
    KnowledgeTag,
    STATUS_PUBLISHED,
    THEMES,
)
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SelfScan

from app.selfscan.charts import radar_svg
from app.selfscan.questionnaire import load_questionnaire
from app.selfscan.scoring import MIN_PEERS, level_for, peer_statistics, reading_for, score_answers

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


def profile_rows(scan, questionnaire):
    """(label, shown value) of the profile answers the report opens with ("Over …")."""
    answers = scan.answer_map()
    rows = []
    for role in ("name", "sector", "legal_form", "location", "founded", "members"):
        question = questionnaire.question(questionnaire.profile_keys.get(role, ""))
        if question is not None and answers.get(question.key) is not None:
            rows.append((question.label, question.display(answers[question.key])))
    return rows


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


# How a knowledge item is ranked for a scan (recommended_items): a tag on the weakest dimension
# weighs most, then one on another weak dimension, then each chosen challenge it covers; a tag for
# the collective's sector only breaks near-ties. Equal scores: the newest item first.
WEIGHT_WEAKEST = 10
WEIGHT_WEAK = 6
WEIGHT_CHALLENGE = 3
WEIGHT_SECTOR = 1
MAX_RECOMMENDED = 5


@dataclass
class RecommendedItem:
    """A knowledge item recommended for a scan, with the reason (Dutch) it fits."""

    slug: str
    title: str
    kind: str
    kind_label: str
    summary: str
    reason: str
    score: int
    published_at: object = None

    @property
    def url(self):
        """The item's page (/kennisbank/<slug>), also before the knowledge pages are served."""
        if has_request_context() and "knowledge.item" in current_app.view_functions:
            return url_for("knowledge.item", slug=self.slug)
        return f"/kennisbank/{quote(self.slug)}"


def _lower_first(text):
    text = str(text)
    return text[:1].lower() + text[1:]


def _match_reason(weak_labels, challenge_labels, sector_label):
    """Why an item fits, e.g. "Past bij jullie laagste score (financiën) en jullie uitdaging
    financiering." weak_labels: [(label, rank among the weak dimensions, 0 = the weakest)]."""
    parts = []
    for label, rank in weak_labels:
        if rank == 0:
            parts.append(f"jullie laagste score ({_lower_first(label)})")
        elif rank == 1:
            parts.append(f"jullie op één na laagste score ({_lower_first(label)})")
        else:
            parts.append(f"een van jullie lagere scores ({_lower_first(label)})")
    if challenge_labels:
        noun = "uitdagingen" if len(challenge_labels) > 1 else "uitdaging"
        parts.append(f"jullie {noun} {_join(_lower_first(c) for c in challenge_labels)}")
    reason = "Past bij " + _join(parts) + "."
    if sector_label:
        reason += f" Het gaat ook over jullie sector ({_lower_first(sector_label)})."
    return reason


def recommended_items(scan, weakest_dimensions, challenges):
    """Up to MAX_RECOMMENDED published knowledge items for this scan, best first.

    An item qualifies when it is tagged with one of the weak dimensions (facet "dimension") or one
    of the chosen challenges (facet "theme"; themes are the challenge keys). Score: WEIGHT_WEAKEST
    for the weakest dimension, WEIGHT_WEAK for another weak one, WEIGHT_CHALLENGE per challenge,
    WEIGHT_SECTOR when the item is tagged with the collective's sector; ties go to the newest
    (published_at, then id). Ranking happens in the database in one statement: one row per
    matching item with a 0/1 column per possible match, so the reasons need no further queries.
    """
    weak = [d for d in dict.fromkeys(weakest_dimensions or []) if isinstance(d, str)]
    chosen = [c for c in dict.fromkeys(challenges or []) if isinstance(c, str)]
    if not weak and not chosen:
        return []
    questionnaire = load_questionnaire(scan.questionnaire_version)
    sector = _sector(scan, questionnaire, scan.answer_map())

    # (facet, value, weight) of every tag that counts; the first weak dimension is the weakest.
    wanted = [(FACET_DIMENSION, d, WEIGHT_WEAKEST if n == 0 else WEIGHT_WEAK)
              for n, d in enumerate(weak)]
    wanted += [(FACET_THEME, c, WEIGHT_CHALLENGE) for c in chosen]
    flags = [
        func.max(case((and_(KnowledgeTag.facet == facet, KnowledgeTag.value == value), 1), else_=0))
        .label(f"m{n}")
        for n, (facet, value, _weight) in enumerate(wanted)
    ]
    sector_flag = func.max(case(
        (and_(KnowledgeTag.facet == FACET_SECTOR, KnowledgeTag.value == (sector or "")), 1), else_=0,
    )).label("m_sector")
    matches = (
        db.select(KnowledgeTag.item_id, *flags, sector_flag)
        .group_by(KnowledgeTag.item_id)
        .subquery()
    )
    columns = [matches.c[f"m{n}"] for n in range(len(wanted))]
    total = sum((col * weight for col, (_f, _v, weight) in zip(columns, wanted)),
                start=matches.c.m_sector * WEIGHT_SECTOR).label("total")
    relevant = sum(columns[1:], start=columns[0])
    query = (
        db.select(KnowledgeItem, total, *columns, matches.c.m_sector)
        .join(matches, matches.c.item_id == KnowledgeItem.id)
        .where(KnowledgeItem.status == STATUS_PUBLISHED)
        .where(relevant > 0)
        .options(load_only(KnowledgeItem.id, KnowledgeItem.slug, KnowledgeItem.kind,
                           KnowledgeItem.title, KnowledgeItem.summary, KnowledgeItem.published_at),
                 lazyload(KnowledgeItem.tags))  # the tags are not needed: no selectin
        .order_by(total.desc(),
                  func.coalesce(KnowledgeItem.published_at, KnowledgeItem.created_at).desc(),
                  KnowledgeItem.id.desc())
        .limit(MAX_RECOMMENDED)
    )

    def dimension_label(key):
        return questionnaire.dimensions.get(key, {}).get("label") or DIMENSIONS.get(key, key)

    results = []
    for row in db.session.execute(query):
        item, points = row[0], row[1]
        hits = row[2:2 + len(wanted)]
        in_sector = bool(row[-1]) and sector is not None
        weak_labels = [(dimension_label(value), n)
                       for n, ((facet, value, _w), hit) in enumerate(zip(wanted, hits))
                       if hit and facet == FACET_DIMENSION]
        challenge_labels = [THEMES.get(value, value) for (facet, value, _w), hit in zip(wanted, hits)
                            if hit and facet == FACET_THEME]
        results.append(RecommendedItem(
            slug=item.slug, title=item.title, kind=item.kind, kind_label=item.kind_label,
            summary=item.summary, score=int(points),
            reason=_match_reason(weak_labels, challenge_labels,
                                 SECTORS.get(sector, sector) if in_sector else None),
            published_at=item.published_at,
        ))
    return results


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
