"""Demo discussions: every group with threads of 1 to 60 posts, by members and partners, a few
with @mentions."""
from datetime import timedelta

from app.demo.images import seed_post_images
from app.extensions import db
from app.forum.services import create_thread, post_reply, report_post
from app.models.forum import ForumGroup, Post
from app.models.notifications import MAIL_SKIPPED, Notification
from app.timeutil import utcnow

GROUPS = [
    ("energie", "Energie", "Zon, wind, warmte en besparen: samen opwekken en verduurzamen."),
    ("zorg-welzijn", "Zorg & welzijn", "Zorgcoöperaties, buurtzorg en samen zorgen voor elkaar."),
    ("wonen", "Wonen", "Wooncoöperaties, bewonersbeheer en betaalbaar samen wonen."),
    ("voedsel-natuur", "Voedsel & natuur", "Voedselcollectieven, tuinderijen, natuur- en landschapsbeheer."),
    ("financiering", "Financiering", "Ledenkapitaal, leningen, subsidies en financieel gezond blijven."),
    ("bestuur-democratie", "Bestuur & democratie", "Besluiten nemen, ledenvergaderingen, bestuur en opvolging."),
    ("leden-vrijwilligers", "Leden & vrijwilligers", "Leden werven, betrekken en vasthouden; vrijwilligers waarderen."),
    ("overheid", "Samenwerken met de overheid", "Gemeente, provincie en Rijk: afspraken, regels en partnerschap."),
]

# (group slug, title, opening post, length in posts, pinned, locked)
THREADS = [
    ("energie", "Welkom in de groep Energie: stel je collectief voor", "Fijn dat je er bent! Vertel in deze draad kort wie jullie zijn, waar jullie zitten en waar je mee bezig bent. Zo vinden collectieven met dezelfde vragen elkaar.", 14, True, False),
    ("energie", "Postcoderoos na 2026: hoe gaan jullie verder?", "De regeling voor coöperatieve opwek is veranderd. Wij twijfelen of we ons tweede dak nog rond krijgen. Hoe pakken andere coöperaties dit aan?", 60, False, False),
    ("energie", "Ervaringen met een energiecafé in de wijk", "We willen maandelijks een energiecafé organiseren waar buren advies krijgen over isoleren. Wie heeft dit al eens gedaan, en wat werkte wel en niet?", 9, False, False),
    ("energie", "Netcongestie: ons project staat stil", "De netbeheerder zegt dat er de komende jaren geen capaciteit is. Heeft iemand ervaring met een batterij of met afspraken over piekafvlakking?", 23, False, False),
    ("energie", "Oude discussie: aanbesteding zonnepanelen 2024", "Deze discussie is gesloten; de ervaringen staan in de kennisbank.", 6, False, True),
    ("zorg-welzijn", "Hoe houden jullie vrijwilligers in de zorg vast?", "In ons dorp draait de zorgcoöperatie op veertig vrijwilligers. Een paar stoppen omdat het te zwaar wordt. Hoe verdelen jullie het werk?", 31, False, False),
    ("zorg-welzijn", "Contract met de gemeente voor dagbesteding", "Onze gemeente wil de dagbesteding bij ons inkopen. Wat moet er zeker in het contract staan?", 12, False, False),
    ("zorg-welzijn", "Vraag: privacy bij het bijhouden van hulpvragen", "Mogen we een lijstje bijhouden van wie welke hulp nodig heeft? En hoe doen jullie dat veilig?", 1, False, False),
    ("wonen", "Van idee naar wooncoöperatie: waar begin je?", "We zijn met twaalf huishoudens en willen samen een gebouw kopen. Wat zijn de eerste stappen?", 27, False, False),
    ("wonen", "Onderhoudsfonds: hoeveel reserveren jullie?", "Wij reserveren nu 1,5 procent van de herbouwwaarde per jaar. Is dat genoeg?", 8, False, False),
    ("voedsel-natuur", "Oogstaandelen verkopen zonder commercieel te worden", "Hoe vertellen jullie over de tuinderij zonder dat het voelt als reclame?", 15, False, False),
    ("voedsel-natuur", "Samenwerken met boeren in de buurt", "Een akkerbouwer wil een stuk grond aan ons verpachten. Wie heeft een voorbeeld van zo'n afspraak?", 4, False, False),
    ("financiering", "Ledenlening of obligaties: wat kozen jullie?", "Voor de nieuwe molen hebben we twee miljoen nodig. Ledenlening, obligaties of een bank? Wat zijn jullie ervaringen?", 42, False, False),
    ("financiering", "Subsidie stopt volgend jaar: hoe nu verder?", "Onze startsubsidie loopt af. Wie heeft ervaring met het omzetten naar eigen inkomsten?", 11, False, False),
    ("bestuur-democratie", "Sociocratie in de praktijk", "We overwegen om over te stappen op sociocratische besluitvorming. Wie werkt er al zo, en wat levert het op?", 19, False, False),
    ("bestuur-democratie", "Niemand wil penningmeester worden", "Onze penningmeester stopt na acht jaar en we vinden geen opvolger. Tips?", 36, False, False),
    ("leden-vrijwilligers", "Jongeren betrekken bij het collectief", "Onze leden zijn gemiddeld 63 jaar. Hoe bereiken jullie jongere buurtbewoners?", 22, False, False),
    ("leden-vrijwilligers", "Een ledenenquête opzetten", "We willen weten wat leden belangrijk vinden. Heeft iemand een goede vragenlijst?", 5, False, False),
    ("overheid", "Right to Challenge: ervaringen?", "Onze gemeente kent het Right to Challenge. Wie heeft er een taak mee overgenomen?", 17, False, False),
    ("overheid", "Vaste contactpersoon bij de gemeente", "Elke keer zit er een andere ambtenaar aan tafel. Hoe regelen jullie een vast aanspreekpunt?", 7, False, False),
]

REPLY_OPENINGS = [
    "Herkenbaar!", "Goede vraag.", "Bij ons ging het zo:", "Wij hebben hier veel over nagedacht.",
    "Interessant, dank voor het delen.", "Een tip uit onze ervaring:", "Aanvulling op wat hierboven staat:",
    "Dit speelde bij ons vorig jaar ook.", "Vanuit ons netwerk zien we dit vaker.",
]
REPLY_MIDDLES = [
    "We zijn begonnen met een kleine werkgroep van vier mensen die het uitzochten.",
    "Het hielp enorm om het eerst op de ledenvergadering te bespreken.",
    "Onze gemeente dacht mee zodra we een concreet voorstel hadden.",
    "We hebben de taken opgeknipt in kleine klussen, dan melden mensen zich sneller.",
    "Een vast overleg van een uur per maand maakte het verschil.",
    "Kijk ook eens in de kennisbank, daar staat een praktijkvoorbeeld over.",
    "Wat bij ons werkte: eerlijk vertellen wat het kost en wat het oplevert.",
    "We hebben er een externe begeleider bij gehaald, dat was het geld waard.",
    "Het duurde langer dan gedacht, reken op een half jaar.",
    "Leden vonden het vooral belangrijk dat ze mee konden beslissen.",
]
REPLY_ENDINGS = [
    "Succes ermee!", "Laat weten hoe het afloopt.", "Je mag me altijd een bericht sturen.",
    "", "", "Ben benieuwd naar andere ervaringen.",
]


def seed_forum(rng, members, partners, moderator):
    """Groups, threads and posts through the forum services, dated in the past."""
    groups = {}
    for position, (slug, name, description) in enumerate(GROUPS, start=1):
        group = ForumGroup(slug=slug, name=name, description=description, position=position)
        db.session.add(group)
        groups[slug] = group
    db.session.flush()

    writers = members + partners
    now = utcnow()
    posts_made = 0
    last_thread = None
    for index, (slug, title, opening, length, pinned, locked) in enumerate(THREADS):
        started = now - timedelta(days=90 - index * 4, hours=rng.randint(0, 10))
        author = members[index % len(members)]
        thread, _ = create_thread(author, groups[slug], title, opening, now=started,
                                  enforce_limits=False)
        moment = started
        for number in range(2, length + 1):
            moment = moment + timedelta(hours=rng.randint(1, 30))
            if moment > now:
                moment = now - timedelta(minutes=length - number + 1)
            writer = rng.choice(writers)
            body = " ".join(p for p in (rng.choice(REPLY_OPENINGS), rng.choice(REPLY_MIDDLES),
                                        rng.choice(REPLY_ENDINGS)) if p)
            # A few replies @mention someone, as people do: the starter, or a partner.
            if number == 3 and index % 4 == 1 and writer != author:
                body = f"@{author.name} {body}"
            elif number == 4 and slug == "financiering" and partners:
                body = f"Misschien weet @{partners[0].name} hier meer van? {body}"
            post_reply(writer, thread, body, now=moment, enforce_limits=False)
            posts_made += 1
        thread.pinned, thread.locked = pinned, locked
        posts_made += 1
        last_thread = thread
    db.session.flush()
    posts_made += seed_post_images({person.email: person for person in writers}, now)

    # A pending report for the moderators' queue.
    reported = db.session.execute(
        db.select(Post).where(Post.thread_id == last_thread.id).order_by(Post.number.desc())
    ).scalars().first()
    report_post(members[-1], reported, "Dit bericht lijkt reclame voor een bedrijf.")

    # Demo notifications stay on the site: mark them handled, except a few fresh ones for the
    # demo representative so the bell has something to show.
    db.session.execute(
        db.update(Notification).values(mail_state=MAIL_SKIPPED, read_at=now)
        .execution_options(synchronize_session=False)
    )
    recent = db.session.execute(
        db.select(Notification.id).where(Notification.user_id == members[0].id)
        .order_by(Notification.created_at.desc()).limit(3)
    ).scalars().all()
    if recent:
        db.session.execute(
            db.update(Notification).where(Notification.id.in_(recent)).values(read_at=None)
            .execution_options(synchronize_session=False)
        )
    return {"groups": len(groups), "threads": len(THREADS), "posts": posts_made}
