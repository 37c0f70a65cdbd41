"""More demo collectives (without accounts), so /inzichten shows real groups of 5 or more.

Spread over all sectors, several legal forms, provinces of both countries and founding years in
every age band; each has an approved self-scan, some a repeat scan a year later. Some provinces and
legal forms stay below 5 on purpose: the insights page then shows its small-group suppression.
"""
from datetime import timedelta

from app.extensions import db
from app.models.collectives import Collective
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED
from app.slugs import slugify
from app.timeutil import utcnow

# name, sector, legal form, municipality, province, country, age (years since founding, so the age
# bands of /inzichten stay filled whatever the year), members, website, description
EXTRA_COLLECTIVES = [
    ("Energiecoöperatie Heuvelrug Stroomt", "energie", "cooperatie", "Utrechtse Heuvelrug", "Utrecht",
     "NL", 13, 510, "https://www.heuvelrugstroomt.example",
     "Zonnevelden op de rand van het bos, met een fonds voor verduurzaming van dorpshuizen."),
    ("Zorgcoöperatie Eemland", "zorg", "cooperatie", "Amersfoort", "Utrecht", "NL", 10, 340, None,
     "Buren helpen buren: boodschappen, vervoer naar het ziekenhuis en een wekelijkse eettafel."),
    ("Wooncoöperatie De Lindeboom", "wonen", "cooperatie", "Houten", "Utrecht", "NL", 4, 36, None,
     "Zesendertig huishoudens bouwen samen een houten woongebouw met gedeelde tuin."),
    ("Voedselbos Lekzicht", "voedsel", "stichting", "Vijfheerenlanden", "Utrecht", "NL", 7, 75, None,
     "Een jong voedselbos langs de dijk, aangeplant en onderhouden door vrijwilligers."),
    ("Buurtzorgcoöperatie Ons Dorp", "zorg", "cooperatie", "Berg en Dal", "Gelderland", "NL", 15, 460,
     None, "Een dorpscoöperatie die thuiszorg, maaltijden en een ontmoetingsplek organiseert."),
    ("Energiecoöperatie Veluwe Zon", "energie", "cooperatie", "Apeldoorn", "Gelderland", "NL", 11, 880,
     "https://veluwezon.example", "Zonnedaken op sporthallen en een warmtenet in één wijk."),
    ("Stadslandbouw Arnhem-Zuid", "voedsel", "vereniging", "Arnhem", "Gelderland", "NL", 8, 110,
     None, "Moestuinen tussen de flats, met kooklessen voor kinderen uit de buurt."),
    ("Dorpshuis De Kastanje", "anders", "stichting", "Lochem", "Gelderland", "NL", 28, 260, None,
     "Het dorpshuis wordt al sinds de jaren negentig door vrijwilligers gerund."),
    ("Woongemeenschap De Zaanse Hof", "wonen", "vereniging", "Zaanstad", "Noord-Holland", "NL", 32,
     42, None, "Een centraal wonen-project waar bewoners samen koken en het onderhoud regelen."),
    ("Zonnecoöperatie Haarlem-Noord", "energie", "cooperatie", "Haarlem", "Noord-Holland", "NL", 8,
     390, "https://www.zonhaarlemnoord.example", "Zonnepanelen op scholen, met les over energie."),
    ("Zorgcollectief West-Friesland", "zorg", "vereniging", "Hoorn", "Noord-Holland", "NL", 18, 520,
     None, "Mantelzorgers en vrijwilligers die elkaar ontlasten en samen respijtzorg regelen."),
    ("Repair Café Alkmaar", "anders", "informeel", "Alkmaar", "Noord-Holland", "NL", 12, 25, None,
     "Elke eerste zaterdag repareren vrijwilligers kapotte spullen met de eigenaren."),
    ("Wooncoöperatie De Nieuwe Meent", "wonen", "cooperatie", "Amsterdam", "Noord-Holland", "NL", 7,
     54, "https://denieuwemeent.example", "Betaalbare huurwoningen, voor altijd uit de markt gehaald."),
    ("Energie van Delft", "energie", "cooperatie", "Delft", "Zuid-Holland", "NL", 10, 610,
     "https://energievandelft.example", "Een stadscoöperatie voor zon, isolatie en energiecoaches."),
    ("Zorgcoöperatie Voorne", "zorg", "cooperatie", "Voorne aan Zee", "Zuid-Holland", "NL", 14, 300,
     None, "Vrijwillige hulp en een zorgsteunpunt in drie dorpen op het eiland."),
    ("Stadsakker Leiden", "voedsel", "vereniging", "Leiden", "Zuid-Holland", "NL", 9, 140, None,
     "Een akker aan de rand van de stad waar leden groenten en granen telen."),
    ("Bewonersbedrijf Feijenoord", "anders", "stichting", "Rotterdam", "Zuid-Holland", "NL", 11, 90,
     None, "Bewoners beheren een buurthuis en verhuren ruimte aan kleine ondernemers uit de wijk."),
    ("Wooncoöperatie Het Gouwe Erf", "wonen", "cooperatie", "Gouda", "Zuid-Holland", "NL", 4, 28,
     None, "Ouderen die samen een hofje willen bouwen en elkaar willen helpen."),
    ("Dorpscoöperatie Lieshout Leeft", "zorg", "cooperatie", "Laarbeek", "Noord-Brabant", "NL", 17,
     700, None, "Zorg, welzijn en een dorpsbus, zodat iedereen mee kan blijven doen."),
    ("Energiecoöperatie Meierij", "energie", "cooperatie", "Meierijstad", "Noord-Brabant", "NL", 13,
     950, "https://www.energiemeierij.example", "Wind en zon in de Meierij, met een omgevingsfonds."),
    ("Zorgboerderij De Brabantse Kluis", "voedsel", "stichting", "Oisterwijk", "Noord-Brabant", "NL",
     25, 60, None, "Een boerderij waar mensen met een beperking meewerken in de tuin en de stal."),
    ("Wonen op Maat Eindhoven", "wonen", "vereniging", "Eindhoven", "Noord-Brabant", "NL", 6, 38,
     None, "Een bouwgroep die samen een appartementengebouw ontwerpt."),
    ("Dorpscoöperatie Us Doarp", "anders", "cooperatie", "Súdwest-Fryslân", "Friesland", "NL", 14,
     180, None, "De dorpswinkel en het glasvezelnet zijn van de bewoners zelf."),
    ("Zorgcoöperatie De Wâlden", "zorg", "cooperatie", "Dantumadiel", "Friesland", "NL", 19, 410,
     None, "Zorg dichtbij: een huiskamer voor ouderen en een vrijwilligerspool."),
    ("Energiecoöperatie Fryske Wyn", "energie", "cooperatie", "Harlingen", "Friesland", "NL", 27, 1200,
     None, "Een van de oudste windcoöperaties, met drie molens aan de kust."),
    ("Wooncoöperatie Stadjershof", "wonen", "cooperatie", "Groningen", "Groningen", "NL", 3, 22, None,
     "Jongeren en ouderen die samen een leegstaand kantoor ombouwen tot woningen."),
    ("Buurtenergie Westerkwartier", "energie", "cooperatie", "Westerkwartier", "Groningen", "NL", 9,
     330, None, "Zon op boerenschuren en een buurtbatterij voor het dorp."),
    ("Zorgcollectief Het Hogeland", "zorg", "vereniging", "Het Hogeland", "Groningen", "NL", 7, 150,
     None, "Vrijwilligers die ouderen in kleine dorpen bezoeken en vervoer regelen."),
    ("Tuinderij De Eemshoeve", "voedsel", "cooperatie", "Eemsdelta", "Groningen", "NL", 5, 95, None,
     "Een tuinderij waar leden een oogstaandeel kopen en mee oogsten."),
    ("Zonnedak Deventer", "energie", "cooperatie", "Deventer", "Overijssel", "NL", 12, 420,
     "https://zonnedakdeventer.example", "Zonnedaken op bedrijfshallen, de opbrengst voor de leden."),
    ("Noaberzorg Twente", "zorg", "vereniging", "Hof van Twente", "Overijssel", "NL", 16, 580, None,
     "Noaberschap in een nieuwe vorm: buren die elkaar helpen met zorg en klussen."),
    ("Wooncollectief De Stadsweide", "wonen", "vereniging", "Zwolle", "Overijssel", "NL", 37, 30, None,
     "Een woongroep die al ruim dertig jaar samen het complex beheert."),
    ("Voedselcoöperatie Salland", "voedsel", "cooperatie", "Raalte", "Overijssel", "NL", 10, 210, None,
     "Leden kopen samen rechtstreeks bij boeren uit de streek."),
    ("Cultuurhuis De Noabers", "anders", "stichting", "Enschede", "Overijssel", "NL", 23, 140, None,
     "Een buurtcentrum met een podium, een werkplaats en een repaircafé."),
    ("Zorgcoöperatie Heuvelland", "zorg", "cooperatie", "Gulpen-Wittem", "Limburg", "NL", 12, 260,
     None, "Zorg en ontmoeting in de kleine kernen van het Heuvelland."),
    ("Buurtmoestuin Maastricht-Oost", "voedsel", "informeel", "Maastricht", "Limburg", "NL", 3, 30,
     None, "Een moestuin op een braakliggend stuk grond, door en voor de buurt."),
    ("Wooncoöperatie Het Drentse Erf", "wonen", "cooperatie", "Assen", "Drenthe", "NL", 2, 18, None,
     "Een jonge wooncoöperatie die een boerderij wil verbouwen tot vijf woningen."),
    ("Energiecoöperatie Almere Zon", "energie", "cooperatie", "Almere", "Flevoland", "NL", 6, 250,
     None, "Zonnepanelen op parkeerterreinen en energiecoaches voor huurders."),
    ("Zorgcoöperatie Schouwen", "zorg", "cooperatie", "Schouwen-Duiveland", "Zeeland", "NL", 20, 390,
     None, "Een zorgcoöperatie die dagbesteding en thuishulp op het eiland regelt."),
    ("Buurtvereniging De Zeeuwse Knop", "anders", "vereniging", "Middelburg", "Zeeland", "NL", 41, 160,
     None, "Feesten, klussen en een buurtpreventieteam, al veertig jaar."),
    ("Energiecoöperatie Leiestroom", "energie", "cooperatie", "Kortrijk", "West-Vlaanderen", "BE", 16,
     1400, "https://www.leiestroom.example", "Burgers investeren samen in wind en zon langs de Leie."),
    ("Zorgkring Pajottenland", "zorg", "vereniging", "Dilbeek", "Vlaams-Brabant", "BE", 11, 200, None,
     "Een vzw waarin vrijwilligers zorg en vervoer voor ouderen organiseren."),
    ("Woonproject De Schelde", "wonen", "cooperatie", "Mechelen", "Antwerpen", "BE", 8, 40, None,
     "Cohousing aan de Dijle met gedeelde ruimtes en een gemeenschappelijke tuin."),
    ("Voedselteam Waasland", "voedsel", "vereniging", "Sint-Niklaas", "Oost-Vlaanderen", "BE", 15, 120,
     None, "Gezinnen die samen wekelijks groenten en zuivel bij boeren uit de streek halen."),
]

# Free-text answers (uitdagingen_kennisvraag) some of them gave: never in the research export.
KNOWLEDGE_QUESTIONS = [
    "Hoe vinden we een penningmeester die het minstens vijf jaar wil doen?",
    "Welke afspraken maken andere collectieven met hun gemeente over huur van een pand?",
    "Hoe meten we wat ons werk de buurt oplevert, zonder een duur bureau?",
    "Hoe bereiken we jonge gezinnen in de wijk?",
    "Kunnen we ledenkapitaal ophalen zonder prospectus?",
    "Hoe regelen we de aansprakelijkheid van vrijwilligers goed?",
]


def seed_more_collectives(rng, admin, demo_scan):
    """The extra collectives, each with an approved scan (every fifth also a repeat scan).

    `demo_scan` is app.demo._demo_scan (passed in to avoid a circular import). Returns
    (collectives made, scans made).
    """
    now = utcnow()
    collectives, scans = [], 0
    for index, (name, sector, legal_form, town, province, country, age, members, website,
                text) in enumerate(EXTRA_COLLECTIVES):
        founded = now.year - age
        submitted = now - timedelta(days=720 - index * 15, hours=index % 7)
        collective = Collective(name=name, slug=slugify(name), sector=sector, municipality=town,
                                province=province, country=country, description=text,
                                website=website, created_at=submitted + timedelta(days=2))
        db.session.add(collective)
        db.session.flush()
        extra = {}
        if index % 3 == 0:
            extra["uitdagingen_kennisvraag"] = KNOWLEDGE_QUESTIONS[index // 3 % len(KNOWLEDGE_QUESTIONS)]
        scan = demo_scan(rng, name, sector, town, province, country, founded, members,
                         status=SCAN_APPROVED, submitted=submitted, collective=collective,
                         legal_form=legal_form, extra=extra)
        scan.reviewed_by_id = admin.id
        scan.reviewed_at = submitted + timedelta(days=1)
        scans += 1
        if index % 5 == 2 and 720 - index * 15 > 340:  # a repeat scan, 330 days later (in the past)
            demo_scan(rng, name, sector, town, province, country, founded, members + 12,
                      status=SCAN_COMPLETED, submitted=submitted + timedelta(days=330),
                      collective=collective, improve=True, legal_form=legal_form)
            scans += 1
        collectives.append(collective)
    return collectives, scans
