"""Scores of a self-scan: 0-100 per scored dimension, a named level, a short reading, peer figures.

How a score is made
    Every scored dimension has 5-point agreement items (1 = helemaal oneens … 5 = helemaal eens).
    An item counts as (v - 1) / 4 * 100, so 1 → 0, 3 → 50, 5 → 100; a reversed item (a statement
    where agreeing is the weaker answer, e.g. "besluiten nemen is bij ons ingewikkeld") first becomes
    6 - v. The dimension's score is the mean of its answered items, rounded half up to a whole
    number. Unanswered items are left out; when fewer than half of a dimension's items are answered
    the score is None ("te weinig antwoorden"), so a score always rests on enough answers.

Levels (inclusive bounds)
    0-39 Aandachtspunt, 40-59 In ontwikkeling, 60-79 Stevig, 80-100 Sterk.

Peer figures
    Per sector, over the latest scored scan of every collective (statuses approved or completed),
    only when at least MIN_PEERS collectives take part. Quartiles use
    statistics.quantiles(values, n=4, method="inclusive") (linear interpolation between the sorted
    values, as in spreadsheets' QUARTILE.INC); median and quartiles are rounded to one decimal.
"""
import statistics

from app.extensions import db
from app.models.collectives import Collective
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SelfScan

MIN_PEERS = 5

# (lowest score, key, Dutch label), highest first; a score belongs to the first level it reaches.
LEVELS = [
    (80, "sterk", "Sterk"),
    (60, "stevig", "Stevig"),
    (40, "ontwikkeling", "In ontwikkeling"),
    (0, "aandacht", "Aandachtspunt"),
]
NO_LEVEL = ("geen", "Geen score")


def level_ranges():
    """[(lowest, highest, key, label)] from low to high, e.g. (0, 39, "aandacht", "Aandachtspunt")."""
    ranges, high = [], 100
    for low, key, label in LEVELS:
        ranges.append((low, high, key, label))
        high = low - 1
    return list(reversed(ranges))


def _scale_value(value):
    """A valid 1-5 answer as int, anything else (missing, text, bool, out of range) as None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != int(value) or not 1 <= value <= 5:
        return None
    return int(value)


def score_answers(questionnaire, answers):
    """{dimension key: 0-100 or None} for every scored dimension of the questionnaire."""
    scores = {}
    for dim in questionnaire.scored_dimensions():
        items = [q for q in questionnaire.questions() if q.type == "scale" and q.dimension == dim]
        points = []
        for question in items:
            value = _scale_value(answers.get(question.key))
            if value is None:
                continue
            if question.reversed:
                value = 6 - value
            points.append((value - 1) * 25)  # (v - 1) / 4 * 100, kept as a whole number
        if not items or 2 * len(points) < len(items):
            scores[dim] = None
            continue
        # Mean rounded half up, in integers so 37.5 becomes 38 without float surprises.
        scores[dim] = (2 * sum(points) + len(points)) // (2 * len(points))
    return scores


def level_for(score):
    """(key, Dutch label) of a score; ("geen", "Geen score") for None."""
    if score is None:
        return NO_LEVEL
    for low, key, label in LEVELS:
        if score >= low:
            return key, label
    return LEVELS[-1][1], LEVELS[-1][2]


READINGS = {
    "doel": {
        "aandacht": "Het doel van het collectief is niet voor iedereen helder, of leden merken weinig van "
                    "wat het hun oplevert. Praat samen over waarom jullie bestaan en wat leden ervoor "
                    "terugkrijgen, en schrijf dat in een paar zinnen op.",
        "ontwikkeling": "Het doel is er, maar leeft nog niet bij alle leden, of het nut is niet voor iedereen "
                        "even duidelijk. Laat vaker zien wat het collectief oplevert, voor leden en voor de buurt.",
        "stevig": "Het doel is duidelijk en leden hebben er merkbaar iets aan. Blijf het nut zichtbaar maken "
                  "en let op dat nieuwe activiteiten bij het hoofddoel passen.",
        "sterk": "Jullie weten goed waarvoor jullie er zijn en leden en omgeving hebben er duidelijk voordeel "
                 "van. Dat is een sterke basis; deel jullie verhaal ook met andere collectieven.",
    },
    "leden": {
        "aandacht": "Het lukt nog niet goed om leden te vinden, te betrekken of duidelijk te maken wat er van "
                    "hen verwacht wordt. Vaak rust het werk op een paar mensen. Begin met heldere afspraken "
                    "over rechten en plichten en kleine, concrete taken voor nieuwe leden.",
        "ontwikkeling": "Een deel van de leden doet mee, maar het werk is nog ongelijk verdeeld of de groei "
                        "gaat moeizaam. Vraag leden wat ze willen en kunnen bijdragen en maak meedoen makkelijk.",
        "stevig": "Leden weten waar ze aan toe zijn en een flink deel doet mee. Blijf investeren in nieuwe "
                  "leden en in het verdelen van het werk, zodat het niet op dezelfde mensen blijft neerkomen.",
        "sterk": "Jullie hebben een betrokken ledenbasis met duidelijke rechten en plichten, en nieuwe leden "
                 "vinden de weg. Houd dat vast, bijvoorbeeld door nieuwe leden actief te begeleiden.",
    },
    "bestuur": {
        "aandacht": "Besluiten nemen is lastig en het collectief leunt sterk op enkele sleutelpersonen. Dat "
                    "maakt jullie kwetsbaar. Maak besluitvorming eenvoudiger en zoek nu al mensen die taken "
                    "kunnen overnemen.",
        "ontwikkeling": "De organisatie werkt, maar besluiten kosten veel moeite of de opvolging is nog niet "
                        "geregeld. Leg vast wie waarover beslist en werk nieuwe bestuurders op tijd in.",
        "stevig": "Besluiten worden goed genomen en leden hebben invloed. Let op de "
                  "opvolging, zodat het collectief niet afhangt van een paar mensen.",
        "sterk": "Het collectief is helder en democratisch georganiseerd en de opvolging is geborgd. Andere "
                 "collectieven kunnen van jullie aanpak leren.",
    },
    "financien": {
        "aandacht": "De financiën zijn kwetsbaar: er is weinig reserve, veel afhankelijkheid van subsidie of "
                    "weinig overzicht. Maak een eenvoudige begroting en kijk welke eigen inkomsten mogelijk zijn.",
        "ontwikkeling": "Er is een financiële basis, maar een tegenvaller of het wegvallen van een subsidie kan "
                        "jullie nog raken. Werk aan een buffer en aan meer eigen inkomsten.",
        "stevig": "De financiën zijn gezond en het bestuur heeft goed overzicht. Denk na over hoe jullie ook op "
                  "langere termijn onafhankelijk blijven en waar geld voor nieuwe plannen vandaan kan komen.",
        "sterk": "Jullie staan financieel sterk en onafhankelijk, met reserves en goed overzicht. Dat geeft "
                 "ruimte om te investeren in nieuwe plannen.",
    },
    "extern": {
        "aandacht": "De relaties met gemeente, financiers en andere partijen lopen niet soepel, of jullie "
                    "voelen je weinig vrij in je eigen koers. Zoek bondgenoten, bijvoorbeeld een koepel of "
                    "netwerk, en maak een afspraak met de gemeente.",
        "ontwikkeling": "Er zijn contacten buiten het collectief, maar ze zijn nog niet stevig, of regels en "
                        "financiers bepalen meer dan jullie willen. Investeer in vaste aanspreekpunten.",
        "stevig": "Jullie hebben goede relaties buiten het collectief en houden daarbij je eigen koers. Blijf "
                  "die contacten onderhouden, ook als er even niets te bespreken is.",
        "sterk": "Jullie zijn een serieuze gesprekspartner voor gemeente en financiers en bepalen zelf je "
                 "koers. Deel die ervaring met collectieven die daar nog mee worstelen.",
    },
    "strategie": {
        "aandacht": "De dagelijkse zorgen laten weinig ruimte om vooruit te kijken, en er is weinig "
                    "samenwerking met anderen. Plan eens een avond om samen te bespreken waar jullie over "
                    "vijf jaar willen staan.",
        "ontwikkeling": "Er zijn ideeën over de toekomst, maar nog geen duidelijk plan, of de samenwerking met "
                        "andere collectieven staat nog in de kinderschoenen. Zet de belangrijkste doelen op papier.",
        "stevig": "Jullie hebben een visie en een plan, en werken samen met anderen. Kijk regelmatig of het "
                  "plan nog klopt en wie jullie nog meer kunnen helpen.",
        "sterk": "Jullie hebben een heldere visie, een plan en goede samenwerking met andere collectieven. "
                 "Daarmee zijn jullie goed voorbereid op de toekomst.",
    },
}
GENERIC_READINGS = {
    "aandacht": "Op dit onderdeel valt het meeste te winnen. Kies samen één punt om mee te beginnen.",
    "ontwikkeling": "Dit onderdeel is in ontwikkeling: de basis is er, maar er is nog ruimte voor verbetering.",
    "stevig": "Dit onderdeel staat stevig. Blijf er aandacht aan geven.",
    "sterk": "Dit is een sterk punt van jullie collectief.",
}
NO_SCORE_READING = "Er zijn te weinig vragen beantwoord om hier een score te geven."


def reading_for(dim, score):
    """A short plain-Dutch reading of a dimension's score."""
    if score is None:
        return NO_SCORE_READING
    key, _label = level_for(score)
    return READINGS.get(dim, GENERIC_READINGS)[key]


def _latest_scores_per_collective(sector, exclude_collective_id=None):
    """{collective id: scores} of the latest scored approved/completed scan per collective."""
    query = (
        db.select(SelfScan.collective_id, SelfScan.submitted_at, SelfScan.created_at, SelfScan.id,
                  SelfScan.scores)
        .join(Collective, Collective.id == SelfScan.collective_id)
        .where(Collective.sector == sector)
        .where(SelfScan.status.in_([SCAN_APPROVED, SCAN_COMPLETED]))
        .where(SelfScan.scores.isnot(None))
    )
    if exclude_collective_id is not None:
        query = query.where(SelfScan.collective_id != exclude_collective_id)
    latest = {}
    for collective_id, submitted_at, created_at, scan_id, scores in db.session.execute(query):
        if not isinstance(scores, dict):  # a JSON null is not a score
            continue
        order = (submitted_at or created_at, scan_id)
        if collective_id not in latest or order > latest[collective_id][0]:
            latest[collective_id] = (order, scores)
    return {cid: scores for cid, (_order, scores) in latest.items()}


def _summary(values):
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": len(values), "median": round(median, 1), "q1": round(q1, 1), "q3": round(q3, 1)}


def peer_statistics(sector, exclude_collective_id=None):
    """Median and quartiles per dimension among the collectives of a sector.

    Returns {"n": number of collectives, dim: {"n", "median", "q1", "q3"} or None, …}, where a
    dimension is None when fewer than MIN_PEERS collectives have a score for it; returns None when
    fewer than MIN_PEERS collectives of the sector have a scored scan at all.
    """
    if not sector:
        return None
    per_collective = _latest_scores_per_collective(sector, exclude_collective_id)
    if len(per_collective) < MIN_PEERS:
        return None
    result = {"n": len(per_collective)}
    dims = []
    for scores in per_collective.values():
        dims.extend(d for d in scores if d not in dims)
    for dim in dims:
        values = [s.get(dim) for s in per_collective.values()]
        values = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        result[dim] = _summary(values) if len(values) >= MIN_PEERS else None
    return result
