"""What all self-scans together show: the base set of scans and the figures of /inzichten.

Which scans count (the base set, `base_set()`)
    For every collective, its latest self-scan with status "approved" (a first scan, reviewed by a
    moderator) or "completed" (a repeat scan): latest by submission date, then by id. Drafts, scans
    waiting for review and rejected scans never count, nor scans without a collective. One
    collective therefore counts once, with its most recent picture.
    Sector, province and country come from the collective's page (checked by a moderator); legal
    form, founding year and challenges from that scan's answers; scores are those stored when the
    scan was sent.

Small-cell suppression (MIN_GROUP = 5, as the peer comparison in the report)
    - a whole set (everything, or what a filter selects) of fewer than 5 collectives: no figures;
    - a category (sector, legal form, province, age band) of fewer than 5 collectives is not shown;
      such categories together form "Overige (groepen kleiner dan 5)", shown from 5; when they add
      up to 1-4, the smallest shown categories are folded in until Overige reaches 5 (otherwise
      the total minus the shown groups would give the small count away);
    - a score bin with 1-4 collectives is not drawn and its count reads "minder dan 5"; then the
      smallest shown bin is hidden too, for the same reason; a median only for a dimension that at
      least 5 collectives have a score for;
    - a challenge named by fewer than 5 collectives is left out (mentions of different challenges
      are not added up, so there is no "Overige" row there).
    Filters (sector, country) offer only values whose set reaches 5 collectives; a smaller or
    unknown value asked for in the address gives a message, not figures.

Everything is read in two statements however many scans there are (`base_set()`); the rest is
counting in Python.
"""
import statistics
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func

from app.extensions import db
from app.models.collectives import COUNTRIES, SECTORS, Collective
from app.models.knowledge import THEMES
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SelfScan, SelfScanAnswer
from app.selfscan.questionnaire import current_questionnaire, load_questionnaire
from app.selfscan.scoring import MIN_PEERS
from app.timeutil import utcnow

MIN_GROUP = MIN_PEERS
OTHER_KEY = "_overige"
OTHER_LABEL = "Overige (groepen kleiner dan 5)"
UNKNOWN_KEY = "_onbekend"
UNKNOWN_LABEL = "Niet ingevuld"
COUNTED_STATUSES = (SCAN_APPROVED, SCAN_COMPLETED)

# Age bands (years since founding): (lowest, highest or None, key, label), youngest first.
AGE_BANDS = [
    (0, 4, "0-4", "0–4 jaar"),
    (5, 9, "5-9", "5–9 jaar"),
    (10, 24, "10-24", "10–24 jaar"),
    (25, None, "25+", "25 jaar of ouder"),
]
# Score bins (inclusive bounds); the last one includes 100.
SCORE_BINS = [(0, 19), (20, 39), (40, 59), (60, 79), (80, 100)]


@dataclass(frozen=True)
class CollectiveFacts:
    """What the insights know of one collective: from its page and its latest counted scan."""

    collective_id: int
    scan_id: int
    sector: str | None
    province: str | None
    country: str | None
    legal_form: str | None = None
    founded: int | None = None
    challenges: tuple = ()
    scores: dict = field(default_factory=dict)


def base_set():
    """[CollectiveFacts] for every collective with a counted scan (see the module docstring).

    Two statements: the latest counted scan per collective (a window function, on SQLite and
    PostgreSQL alike) with the collective's sector, province and country; then the few profile
    answers of exactly those scans.
    """
    order = func.coalesce(SelfScan.submitted_at, SelfScan.created_at)
    ranked = (
        db.select(
            SelfScan.id.label("scan_id"),
            SelfScan.collective_id.label("collective_id"),
            SelfScan.questionnaire_version.label("version"),
            SelfScan.scores.label("scores"),
            func.row_number().over(
                partition_by=SelfScan.collective_id,
                order_by=(order.desc(), SelfScan.id.desc()),
            ).label("position"),
        )
        .where(SelfScan.status.in_(COUNTED_STATUSES))
        .where(SelfScan.collective_id.isnot(None))
        .subquery()
    )
    rows = db.session.execute(
        db.select(ranked.c.scan_id, ranked.c.collective_id, ranked.c.version, ranked.c.scores,
                  Collective.sector, Collective.province, Collective.country)
        .join(Collective, Collective.id == ranked.c.collective_id)
        .where(ranked.c.position == 1)
        .order_by(ranked.c.collective_id)
    ).all()
    if not rows:
        return []

    # Which question keys hold legal form, founding year and challenges (per questionnaire version).
    roles = {}
    for version in {row.version for row in rows}:
        try:
            questionnaire = load_questionnaire(version)
        except (FileNotFoundError, ValueError, KeyError):
            continue
        roles[version] = {role: questionnaire.profile_keys.get(role)
                          for role in ("legal_form", "founded", "challenges")}
    keys = {key for mapping in roles.values() for key in mapping.values() if key}
    answers = {}
    if keys:
        latest_ids = db.select(ranked.c.scan_id).where(ranked.c.position == 1).scalar_subquery()
        for scan_id, key, value in db.session.execute(
            db.select(SelfScanAnswer.scan_id, SelfScanAnswer.question_key, SelfScanAnswer.value)
            .where(SelfScanAnswer.scan_id.in_(latest_ids))
            .where(SelfScanAnswer.question_key.in_(sorted(keys)))
        ):
            answers.setdefault(scan_id, {})[key] = value

    facts = []
    for row in rows:
        mapping = roles.get(row.version, {})
        given = answers.get(row.scan_id, {})
        legal_form = given.get(mapping.get("legal_form"))
        founded = given.get(mapping.get("founded"))
        chosen = given.get(mapping.get("challenges"))
        facts.append(CollectiveFacts(
            collective_id=row.collective_id,
            scan_id=row.scan_id,
            sector=row.sector or None,
            province=row.province or None,
            country=row.country or None,
            legal_form=legal_form if isinstance(legal_form, str) and legal_form else None,
            founded=_year(founded),
            challenges=tuple(dict.fromkeys(c for c in chosen if isinstance(c, str)))
            if isinstance(chosen, list) else (),
            scores=_clean_scores(row.scores),
        ))
    return facts


def _year(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1000 <= value <= 9999 else None


def _clean_scores(scores):
    if not isinstance(scores, dict):
        return {}
    return {key: value for key, value in scores.items()
            if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100}


# -- figures ----------------------------------------------------------------------------------

@dataclass
class Group:
    key: str
    label: str
    count: int
    share: float  # percentage of the set (or of the dimension's scored collectives), one decimal


@dataclass
class Breakdown:
    """Collectives per category; `groups` holds only what may be shown (Overige last)."""

    key: str
    title: str  # the column heading, e.g. "Sector"
    heading: str  # e.g. "Collectieven per sector"
    n: int
    groups: list
    hidden_categories: int = 0  # categories left out or folded into Overige

    @property
    def has_other(self):
        return any(g.key == OTHER_KEY for g in self.groups)


@dataclass
class Bin:
    low: int
    high: int
    count: int  # the real count; show it only when `shown`
    share: float
    suppressed: bool = False  # hidden although 5 or more, so hidden small bins cannot be derived

    @property
    def label(self):
        return f"{self.low}–{self.high}"

    @property
    def shown(self):
        return not self.suppressed and (self.count == 0 or self.count >= MIN_GROUP)


@dataclass
class Distribution:
    key: str
    label: str
    n: int  # collectives with a score for this dimension
    bins: list
    median: float | None

    @property
    def enough(self):
        return self.n >= MIN_GROUP


@dataclass
class Insights:
    n: int
    breakdowns: list = field(default_factory=list)
    distributions: list = field(default_factory=list)
    challenges: list = field(default_factory=list)  # [Group], most named first
    challenges_hidden: int = 0

    @property
    def enough(self):
        return self.n >= MIN_GROUP


def _share(count, total):
    return round(100 * count / total, 1) if total else 0.0


def breakdown(key, title, heading, values, labels, order=None):
    """Count `values` (one per collective; None = not filled in) with small-cell suppression.

    Shown categories: most collectives first (or in `order`, e.g. the age bands); the ones below
    MIN_GROUP are added up into Overige, shown only when that sum reaches MIN_GROUP.
    """
    n = len(values)
    counts = Counter(UNKNOWN_KEY if v is None else v for v in values)
    big = {k: c for k, c in counts.items() if c >= MIN_GROUP}
    small = {k: c for k, c in counts.items() if c < MIN_GROUP}

    def label(k):
        return UNKNOWN_LABEL if k == UNKNOWN_KEY else str(labels.get(k, k))

    if order is not None:
        position = {k: i for i, k in enumerate(order)}
        keys = sorted(big, key=lambda k: (k == UNKNOWN_KEY, position.get(k, len(position)), label(k)))
    else:
        keys = sorted(big, key=lambda k: (k == UNKNOWN_KEY, -big[k], label(k)))
    other = sum(small.values())
    # Secondary suppression: an Overige of 1-4 would still be known as the total minus the shown
    # groups (and with one small category, that category's count). Fold the smallest shown groups
    # into Overige until it reaches MIN_GROUP, so no count below 5 can be worked out.
    while 0 < other < MIN_GROUP and keys:
        smallest = min(keys, key=lambda k: (big[k], label(k)))
        keys.remove(smallest)
        other += big[smallest]
    groups = [Group(k, label(k), big[k], _share(big[k], n)) for k in keys]
    if other >= MIN_GROUP:
        groups.append(Group(OTHER_KEY, OTHER_LABEL, other, _share(other, n)))
    return Breakdown(key=key, title=title, heading=heading, n=n, groups=groups,
                     hidden_categories=len(counts) - len(keys))


def age_band(founded, year):
    """The AGE_BANDS key of a founding year in `year`, or None (unknown or in the future)."""
    if founded is None or founded > year:
        return None
    age = year - founded
    for low, high, key, _label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return key
    return None


def distribution(key, label, values):
    values = sorted(values)
    n = len(values)
    bins = []
    counts = Counter(_bin_index(v) for v in values)
    for index, (low, high) in enumerate(SCORE_BINS):
        bins.append(Bin(low, high, counts[index], _share(counts[index], n)))
    # Secondary suppression: with bins of 1-4 hidden, their total would follow from n minus the
    # shown bins; also hiding the smallest shown bin leaves that total undetermined.
    if any(not b.shown for b in bins):
        shown = [b for b in bins if b.shown and b.count > 0]
        if shown:
            min(shown, key=lambda b: b.count).suppressed = True
    median = round(statistics.median(values), 1) if n >= MIN_GROUP else None
    return Distribution(key=key, label=label, n=n, bins=bins, median=median)


def _bin_index(value):
    """Scores are whole numbers; a fraction between two bins (19.5) belongs to the lower one."""
    for index, (low, high) in enumerate(SCORE_BINS):
        if value < high + 1:
            return index
    return len(SCORE_BINS) - 1


def legal_form_labels():
    questionnaire = current_questionnaire()
    question = questionnaire.question(questionnaire.profile_keys.get("legal_form"))
    return dict(question.options) if question else {}


def dimension_labels():
    questionnaire = current_questionnaire()
    return [(key, questionnaire.dimensions[key].get("label", key))
            for key in questionnaire.scored_dimensions()]


def compute(facts, year=None):
    """The Insights of a set of CollectiveFacts (already filtered); empty when below MIN_GROUP."""
    n = len(facts)
    result = Insights(n=n)
    if n < MIN_GROUP:
        return result
    year = year or utcnow().year
    result.breakdowns = [
        breakdown("sector", "Sector", "Collectieven per sector", [f.sector for f in facts], SECTORS),
        breakdown("rechtsvorm", "Rechtsvorm", "Collectieven per rechtsvorm",
                  [f.legal_form for f in facts], legal_form_labels()),
        breakdown("provincie", "Provincie", "Collectieven per provincie",
                  [f.province for f in facts], {}),
        breakdown("leeftijd", "Leeftijd", "Collectieven naar leeftijd (jaren sinds de oprichting)",
                  [age_band(f.founded, year) for f in facts],
                  {key: label for _l, _h, key, label in AGE_BANDS},
                  order=[key for _l, _h, key, _label in AGE_BANDS]),
    ]
    for key, label in dimension_labels():
        values = [f.scores[key] for f in facts if key in f.scores]
        result.distributions.append(distribution(key, label, values))
    named = Counter(c for f in facts for c in f.challenges)
    labels = challenge_labels()
    shown = sorted(((c, k) for k, c in named.items() if c >= MIN_GROUP),
                   key=lambda pair: (-pair[0], str(labels.get(pair[1], pair[1]))))
    result.challenges = [Group(k, str(labels.get(k, k)), c, _share(c, n)) for c, k in shown]
    result.challenges_hidden = sum(1 for c in named.values() if c < MIN_GROUP)
    return result


def challenge_labels():
    questionnaire = current_questionnaire()
    question = questionnaire.question(questionnaire.profile_keys.get("challenges"))
    labels = dict(THEMES)
    if question:
        labels.update(dict(question.options))
    return labels


# -- filters ----------------------------------------------------------------------------------

FILTERS = {"sector": SECTORS, "land": COUNTRIES}


def _matches(facts, sector=None, country=None):
    return [f for f in facts
            if (sector is None or f.sector == sector) and (country is None or f.country == country)]


@dataclass
class Selection:
    """The filters asked for and what they select."""

    sector: str | None
    country: str | None
    facts: list
    sector_options: list  # [(value, label)] with at least MIN_GROUP collectives
    country_options: list
    problem: str | None = None  # a Dutch message when the selection shows no figures

    @property
    def filtered(self):
        return self.sector is not None or self.country is not None

    @property
    def sector_label(self):
        return SECTORS.get(self.sector, "") if self.sector else ""

    @property
    def country_label(self):
        return COUNTRIES.get(self.country, "") if self.country else ""


def _clean_arg(value):
    return value.strip() if isinstance(value, str) and value.strip() else None


def select(facts, sector=None, country=None):
    """Apply the sector and country filters (raw GET values) to the base set.

    Options are offered only when their set (with the other filter applied) reaches MIN_GROUP.
    An unknown value, or one whose set is too small, yields `problem` and no facts.
    """
    sector, country = _clean_arg(sector), _clean_arg(country)
    known_sector = sector if sector in SECTORS else None
    known_country = country if country in COUNTRIES else None
    sector_options = [(k, label) for k, label in SECTORS.items()
                      if len(_matches(facts, k, known_country)) >= MIN_GROUP]
    country_options = [(k, label) for k, label in COUNTRIES.items()
                       if len(_matches(facts, known_sector, k)) >= MIN_GROUP]
    problem = None
    if (sector is not None and known_sector is None) or (country is not None and known_country is None):
        problem = ("Dit filter kennen we niet. Kies een sector of land uit de lijst, of bekijk de "
                   "cijfers van alle collectieven.")
        selected = []
    else:
        selected = _matches(facts, known_sector, known_country)
        if len(selected) < MIN_GROUP:
            if known_sector or known_country:
                problem = ("Voor deze keuze hebben minder dan 5 collectieven een zelfscan ingevuld. "
                           "Om hen te beschermen tonen we dan geen cijfers. Kies een bredere selectie.")
            else:
                problem = ("Er hebben nog minder dan 5 collectieven een zelfscan ingevuld. Om hun "
                           "gegevens te beschermen tonen we pas cijfers vanaf 5 collectieven.")
            selected = []
    return Selection(sector=sector, country=country, facts=selected, sector_options=sector_options,
                     country_options=country_options, problem=problem)
