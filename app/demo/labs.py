"""Demo labs: partner organisations, the demo partners, questions in every status in every lab."""
from datetime import timedelta

from app.extensions import db
from app.labs.services import accept_answer, ask_question, post_answer, post_response
from app.models.labs import Lab, PartnerApplication, PartnerOrganisation
from app.timeutil import utcnow

# organisation, kind, lab, description
ORGANISATIONS = [
    ("Burgerenergiefonds Nederland", "financier", "financelab",
     "Een revolverend fonds dat lokale energiecoöperaties helpt met startkapitaal en leningen."),
    ("Coöperatieve Dorpsbank", "financier", "financelab",
     "Een bank die leent aan coöperaties en maatschappelijke ondernemingen."),
    ("Hogeschool Samen Leven", "kennisinstelling", "sciencelab",
     "Lectoraat burgerinitiatieven en zelforganisatie."),
    ("Gemeente Zeist", "overheid", "overheidslab",
     "Het team participatie en burgerinitiatieven van de gemeente."),
    ("Landelijk Netwerk Burgercollectieven", "netwerkorganisatie", "netwerklab",
     "Koepel en kennisnetwerk voor burgercollectieven in alle sectoren."),
]

# lab, title, question, status (open / beantwoord / opgelost), research question?
QUESTIONS = [
    ("financelab", "Hoe financieren we de aankoop van een tweede windmolen?",
     "We willen een tweede molen kopen van een projectontwikkelaar. Het gaat om ongeveer twee "
     "miljoen euro. Welke mix van ledenkapitaal, lening en subsidie is gebruikelijk?", "opgelost", False),
    ("financelab", "Wat vraagt een bank bij een lening aan een zorgcoöperatie?",
     "Voor een nieuw ontmoetingscentrum zoeken we een lening van 300.000 euro. Welke stukken en "
     "zekerheden vraagt een bank meestal?", "beantwoord", False),
    ("financelab", "Kunnen leden fiscaal voordelig investeren in ons collectief?",
     "Onze leden vragen of er een fiscale regeling is voor investeren in een coöperatie.", "open", False),
    ("sciencelab", "Wat weten we over het vasthouden van vrijwilligers?",
     "Is er onderzoek naar wat vrijwilligers in burgercollectieven langer actief houdt?", "opgelost", False),
    ("sciencelab", "Wie wil meedoen aan onderzoek naar besluitvorming?",
     "We willen onderzoeken hoe ledenvergaderingen besluiten nemen en zoeken een onderzoeker die "
     "met ons een vragenlijst opzet.", "beantwoord", True),
    ("sciencelab", "Hoe meten we onze maatschappelijke waarde?",
     "De gemeente vraagt wat wij opleveren voor de buurt. Welke methode is wetenschappelijk "
     "verantwoord en toch te doen voor vrijwilligers?", "open", True),
    ("overheidslab", "Mag de gemeente ons een pand onder de marktprijs verhuren?",
     "We willen een leegstaand schoolgebouw gebruiken. Mag de gemeente dat goedkoper verhuren, "
     "gezien de regels over staatssteun?", "opgelost", False),
    ("overheidslab", "Hoe werkt het Right to Challenge bij groenbeheer?",
     "Wij willen het onderhoud van het park overnemen. Hoe gaat zo'n uitdaging in zijn werk?", "beantwoord", False),
    ("overheidslab", "Vergunning voor een buurtbatterij",
     "Welke vergunningen hebben we nodig voor een buurtbatterij in een wijkje met rijtjeshuizen?", "open", False),
    ("netwerklab", "Hoe vinden we een nieuwe voorzitter?",
     "Onze voorzitter stopt na tien jaar. Hoe pakken andere collectieven de opvolging aan?", "opgelost", False),
    ("netwerklab", "Samenwerken met een ander collectief in de regio",
     "Een zorgcoöperatie in het buurdorp wil samenwerken. Hoe leggen we afspraken vast?", "beantwoord", False),
    ("netwerklab", "Welke koepel past bij een voedselcollectief?",
     "We zijn een jonge tuinderij. Bij welke koepel of welk netwerk kunnen we aansluiten?", "open", False),
]

ANSWERS = [
    "Goede vraag. In de praktijk zien we vaak een combinatie: een deel ledenkapitaal om te laten "
    "zien dat de leden erachter staan, aangevuld met een lening. Begin met een eenvoudige "
    "begroting en bespreek die vroeg met ons; dan denken we mee over de volgorde.",
    "Uit ons onderzoek en dat van collega's blijkt dat duidelijke, kleine taken en waardering "
    "het verschil maken. Ik stuur je graag twee artikelen die we in begrijpelijke taal hebben "
    "samengevat.",
    "Dat kan onder voorwaarden. Belangrijk is dat de afspraak openbaar en goed onderbouwd is. "
    "Neem contact op met het team vastgoed van je gemeente en verwijs naar de maatschappelijke "
    "waarde van jullie plan.",
    "Veel collectieven werken met een 'schaduwbestuurder' die een jaar meeloopt. Zo leert de "
    "nieuwe voorzitter het werk kennen zonder meteen alle verantwoordelijkheid te dragen.",
]


def seed_labs(rng, users, members):
    """Organisations and demo partners in their labs, questions in every status, an application."""
    labs = {lab.slug: lab for lab in db.session.execute(db.select(Lab)).scalars()}
    organisations = {}
    for name, kind, lab_slug, description in ORGANISATIONS:
        organisation = PartnerOrganisation(name=name, kind=kind, description=description)
        db.session.add(organisation)
        organisations[lab_slug] = organisations.get(lab_slug) or organisation
    db.session.flush()

    partner_for = {
        "financelab": users["financier@example.org"],
        "sciencelab": users["onderzoeker@example.org"],
        "overheidslab": users["ambtenaar@example.org"],
        "netwerklab": users["netwerk@example.org"],
    }
    for lab_slug, partner in partner_for.items():
        partner.partner_organisation_id = organisations[lab_slug].id
        partner.labs.append(labs[lab_slug])
    users["onderzoeker@example.org"].research_access = True
    db.session.flush()

    now = utcnow()
    askers = [m for m in members if m.collective_id]
    for index, (lab_slug, title, body, status, research) in enumerate(QUESTIONS):
        asked = now - timedelta(days=40 - index * 3, hours=rng.randint(1, 8))
        asker = askers[index % len(askers)]
        question = ask_question(asker, labs[lab_slug], title, body, is_research=research,
                                now=asked, enforce_limits=False)
        if status == "open":
            continue
        partner = partner_for[lab_slug]
        answer = post_answer(partner, question, rng.choice(ANSWERS), now=asked + timedelta(days=1),
                             enforce_limits=False)
        post_response(asker, question, "Dank je wel, hier kunnen we mee verder. Mogen we je "
                      "nog een vervolgvraag stellen?", now=asked + timedelta(days=2),
                      enforce_limits=False)
        if status == "opgelost":
            accept_answer(asker, answer, now=asked + timedelta(days=3))

    db.session.add(PartnerApplication(
        organisation_name="Stichting Groen Kapitaal",
        kind="financier",
        website="https://groenkapitaal.example",
        lab_slugs=["financelab"],
        contact_name="Willemijn Hoekstra",
        contact_email="willemijn@groenkapitaal.example",
        contact_role="Fondsmanager",
        motivation="Wij financieren duurzame initiatieven van bewoners en willen graag meedenken "
                   "over vragen die collectieven hebben over leningen en garanties.",
        declares_not_selling=True,
        created_at=now - timedelta(days=1),
    ))
    db.session.flush()
    return {"partner organisations": len(ORGANISATIONS), "lab questions": len(QUESTIONS)}
