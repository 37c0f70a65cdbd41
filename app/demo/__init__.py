"""Demo data for `flask --app wsgi seed-demo`: realistic Dutch content for every feature.

Everything is generated from a fixed random seed, so two runs give the same platform.
"""
import hashlib
import random
import secrets
from datetime import timedelta

from app.accounts import second_factor
from app.demo.appreciation import seed_appreciation
from app.demo.collectives import seed_more_collectives
from app.demo.forum import seed_forum
from app.demo.knowledge import seed_knowledge
from app.demo.labs import seed_labs
from app.demo.messages import seed_messages
from app.demo.profiles import seed_profiles
from app.demo.team import seed_team
from app.extensions import db
from app.models.accounts import (
    ROLE_ADMIN,
    ROLE_MEMBER,
    ROLE_PARTNER,
    ROLE_REPRESENTATIVE,
    User,
)
from app.models.collectives import Collective
from app.models.selfscan import (
    SCAN_APPROVED,
    SCAN_COMPLETED,
    SCAN_SUBMITTED,
    SelfScan,
    SelfScanAnswer,
)
from app.selfscan.questionnaire import current_questionnaire
from app.selfscan.scoring import score_answers
from app.timeutil import utcnow
from app.workdays import add_working_days

DEMO_PASSWORD = "Kracht-demo-2026"

DEMO_ACCOUNTS = [
    ("beheerder@example.org", "Bea de Beheerder", ROLE_ADMIN),
    ("lid@example.org", "Lotte Jansen", ROLE_REPRESENTATIVE),
    ("lid2@example.org", "Daan de Vries", ROLE_MEMBER),
    ("financier@example.org", "Femke Bakker", ROLE_PARTNER),
    ("onderzoeker@example.org", "Olaf Visser", ROLE_PARTNER),
    ("ambtenaar@example.org", "Anouk Smit", ROLE_PARTNER),
    ("netwerk@example.org", "Noah Mulder", ROLE_PARTNER),
]

# name, slug, sector, municipality, province, country, founded, members, description
DEMO_COLLECTIVES = [
    ("Energiecoöperatie Zonnedorp", "zonnedorp", "energie", "Zeist", "Utrecht", "NL", 2014, 420,
     "Wij wekken samen zonnestroom op met daken van scholen en boerderijen in de gemeente, en "
     "helpen buurtgenoten hun huis te verduurzamen."),
    ("Windcoöperatie De Wieken", "de-wieken", "energie", "Emmen", "Drenthe", "NL", 2009, 1350,
     "Twee windmolens in eigendom van bewoners; de opbrengst gaat deels naar een gebiedsfonds."),
    ("Buurtenergie Oost", "buurtenergie-oost", "energie", "Amsterdam", "Noord-Holland", "NL", 2017, 260,
     "Een buurtcoöperatie die zonnepanelen, isolatie-acties en een energiecafé organiseert."),
    ("Groene Stroom Achterhoek", "groene-stroom-achterhoek", "energie", "Winterswijk", "Gelderland",
     "NL", 2012, 780, "Lokale opwek en een eigen energiefonds voor verenigingen in de Achterhoek."),
    ("Zon op Zuid", "zon-op-zuid", "energie", "Rotterdam", "Zuid-Holland", "NL", 2019, 190,
     "Zonnedaken op bedrijfspanden in Rotterdam-Zuid, met voorrang voor huurders in de wijk."),
    ("EnergieK Kempen", "energiek-kempen", "energie", "Geel", "Antwerpen", "BE", 2016, 540,
     "Vlaamse energiecoöperatie die burgers laat investeren in zon en wind in de Kempen."),
    ("Zorgcoöperatie Hoogeloon", "zorg-hoogeloon", "zorg", "Bladel", "Noord-Brabant", "NL", 2005, 610,
     "Dorpsbewoners regelen samen zorg en ondersteuning, zodat ouderen in het dorp kunnen blijven wonen."),
    ("Buurtzorg Samen Sterk", "samen-sterk", "zorg", "Leeuwarden", "Friesland", "NL", 2018, 140,
     "Vrijwilligers en een wijkverpleegkundige die samen zorgen voor buren die hulp nodig hebben."),
    ("Wooncoöperatie De Hofstede", "de-hofstede", "wonen", "Utrecht", "Utrecht", "NL", 2020, 48,
     "Bewoners die samen een betaalbaar woongebouw ontwikkelen en beheren."),
    ("Wonen in de Wijk", "wonen-in-de-wijk", "wonen", "Nijmegen", "Gelderland", "NL", 2015, 85,
     "Een bewonersvereniging die zelf onderhoud en leefbaarheid in het complex organiseert."),
    ("Voedselcoöperatie De Akker", "de-akker", "voedsel", "Groningen", "Groningen", "NL", 2013, 320,
     "Leden oogsten samen groente van een eigen tuinderij en delen de risico's met de boer."),
    ("Buurtmoestuin Het Gele Veld", "het-gele-veld", "voedsel", "Gent", "Oost-Vlaanderen", "BE", 2021,
     60, "Een Gentse moestuin waar buren samen telen, koken en kennis delen."),
    ("Dorpsbelang Ons Erf", "ons-erf", "anders", "Terschelling", "Friesland", "NL", 2010, 230,
     "Een dorpscoöperatie die de winkel, het buurthuis en de pinautomaat in het dorp houdt."),
]

# Legal form of each demo collective (the same in its first and repeat scan).
DEMO_LEGAL_FORMS = {
    "zonnedorp": "cooperatie", "de-wieken": "cooperatie", "buurtenergie-oost": "cooperatie",
    "groene-stroom-achterhoek": "cooperatie", "zon-op-zuid": "cooperatie", "energiek-kempen": "cooperatie",
    "zorg-hoogeloon": "cooperatie", "samen-sterk": "vereniging", "de-hofstede": "cooperatie",
    "wonen-in-de-wijk": "vereniging", "de-akker": "cooperatie", "het-gele-veld": "informeel",
    "ons-erf": "cooperatie",
}

# (name, sector, municipality, province, contact, e-mail, days ago submitted): only the last is overdue
DEMO_QUEUE = [
    ("Energiecoöperatie Zonnedorp Noord", "energie", "Zeist", "Utrecht", "Pieter Kok", "pieter@example.net", 0),
    ("Repair Café De Schroevendraaier", "anders", "Haarlem", "Noord-Holland", "Sanne Bos", "sanne@example.net", 1),
    ("Zorgcollectief Het Anker", "zorg", "Zwolle", "Overijssel", "Karim El Amrani", "karim@example.net", 7),
]


class SeedRefused(Exception):
    pass


# Tables the migrations fill with reference data (the four labs); they do not count as "in use".
REFERENCE_TABLES = {"labs"}


def database_is_empty():
    """True when no table holds a row (not only no accounts: any real data makes it "in use")."""
    return not any(
        db.session.execute(db.select(table).limit(1)).first()
        for table in db.metadata.sorted_tables
        if table.name not in REFERENCE_TABLES
    )


def seed_demo():
    """Fill an empty database with demo content; returns a dict of what was made."""
    if not database_is_empty():
        raise SeedRefused("De database bevat al gegevens; demo-data wordt alleen in een lege database gezet.")

    rng = random.Random(2026)
    users = _seed_accounts()
    collectives = _seed_collectives(rng, users)
    members = _seed_members(collectives, users)
    queue = _seed_queue(rng)
    made = {"accounts": len(users) + len(members) - 2, "collectives": len(collectives),
            "scans in queue": queue}
    made.update(seed_labs(rng, users, members))
    made["accounts with two-step sign-in"] = _seed_second_factors(users)
    partners = [users[email] for email, _, role in DEMO_ACCOUNTS if role == ROLE_PARTNER]
    made.update(seed_forum(rng, members, partners, users["beheerder@example.org"]))
    # Their own random streams, so adding them does not change the content above.
    more, scans = seed_more_collectives(random.Random(2027), users["beheerder@example.org"], _demo_scan)
    made["collectives"] += len(more)
    made["self-scans of more collectives"] = scans
    made.update(seed_knowledge(random.Random(2028), users["beheerder@example.org"]))
    people = list({person.email: person for person in [*users.values(), *members]}.values())
    made.update(seed_appreciation(random.Random(2029), people, users["lid@example.org"],
                                  users["lid2@example.org"]))
    made.update(seed_team())
    made.update(seed_messages(users))
    made.update(seed_profiles({person.email: person for person in [*users.values(), *members]}))
    db.session.flush()
    return made


# More members of the demo collectives, so discussions have many voices (same demo password).
EXTRA_MEMBERS = [
    ("sanne.devries@example.org", "Sanne de Vries", 1),
    ("mohamed.elidrissi@example.org", "Mohamed El Idrissi", 2),
    ("ingrid.postma@example.org", "Ingrid Postma", 7),
    ("joost.vandam@example.org", "Joost van Dam", 8),
    ("fatima.bakkali@example.org", "Fatima Bakkali", 10),
    ("pieter.hendriks@example.org", "Pieter Hendriks", 12),
    ("els.peeters@example.org", "Els Peeters", 5),
]


def _seed_members(collectives, users):
    """The demo representative and member first, then the extra members."""
    members = [users["lid@example.org"], users["lid2@example.org"]]
    for email, name, index in EXTRA_MEMBERS:
        user = User(email=email, name=name, role=ROLE_MEMBER, email_verified_at=utcnow(),
                    collective_id=collectives[index].id)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        members.append(user)
    db.session.flush()
    return members


def _seed_second_factors(users):
    """The demo accounts that must have a second factor get one (random secrets: `flask demo-code
    EMAIL` prints the current code), so a newcomer signs in the way staff really do."""
    count = 0
    for user in users.values():
        if user.needs_second_factor:
            user.totp_secret = second_factor.new_secret()
            user.totp_enabled_at = utcnow()
            count += 1
    return count


def demo_code(email, now=None):
    """The code the authenticator app of demo account `email` shows now, or None."""
    if email not in {address for address, _, _ in DEMO_ACCOUNTS}:
        return None
    user = User.find_by_email(email)
    if user is None or not user.has_second_factor:
        return None
    return second_factor.current_code(user.totp_secret, now)


def _seed_accounts():
    users = {}
    for email, name, role in DEMO_ACCOUNTS:
        user = User(email=email, name=name, role=role, email_verified_at=utcnow())
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[email] = user
    db.session.flush()
    return users


def _seed_collectives(rng, users):
    admin = users["beheerder@example.org"]
    collectives = []
    for index, (name, slug, sector, town, province, country, founded, members, text) in enumerate(
        DEMO_COLLECTIVES
    ):
        collective = Collective(name=name, slug=slug, sector=sector, municipality=town,
                                province=province, country=country, description=text)
        db.session.add(collective)
        db.session.flush()
        created = utcnow() - timedelta(days=400 - index * 20)
        legal_form = DEMO_LEGAL_FORMS.get(slug)
        scan = _demo_scan(rng, name, sector, town, province, country, founded, members,
                          status=SCAN_APPROVED, submitted=created, collective=collective,
                          legal_form=legal_form)
        scan.reviewed_by_id = admin.id
        scan.reviewed_at = created + timedelta(days=1)
        if index % 3 == 0:  # some collectives did the scan again a year later
            _demo_scan(rng, name, sector, town, province, country, founded, members + 25,
                       status=SCAN_COMPLETED, submitted=created + timedelta(days=300),
                       collective=collective, improve=True, legal_form=legal_form)
        collectives.append(collective)
    # The demo representative and member belong to two of them.
    users["lid@example.org"].collective_id = collectives[0].id
    users["lid2@example.org"].collective_id = collectives[6].id
    return collectives


def _seed_queue(rng):
    now = utcnow()
    for name, sector, town, province, contact, email, days_ago in DEMO_QUEUE:
        submitted = now - timedelta(days=days_ago, hours=2)
        scan = _demo_scan(rng, name, sector, town, province, "NL", 2022, 35,
                          status=SCAN_SUBMITTED, submitted=submitted)
        scan.contact_name, scan.contact_email = contact, email
        scan.due_at = add_working_days(submitted, 2)
    return len(DEMO_QUEUE)


def _demo_scan(rng, name, sector, town, province, country, founded, members, status, submitted,
               collective=None, improve=False, legal_form=None, extra=None):
    """A complete scan with plausible answers for every question of the current questionnaire.

    `legal_form` fixes the legal-form answer (random when None); `extra` overrides answers by key.
    """
    questionnaire = current_questionnaire()
    known = {
        "name": name, "sector": sector, "founded": founded, "members": members,
        "location": {"municipality": town, "province": province, "country": country},
    }
    if legal_form:
        known["legal_form"] = legal_form
    by_role = {key: role for role, key in questionnaire.profile_keys.items()}
    answers = {}
    for question in questionnaire.questions():
        role = by_role.get(question.key)
        if role in known:
            answers[question.key] = known[role]
        else:
            answers[question.key] = _plausible_answer(rng, question, improve)
    answers.update(extra or {})
    rule = questionnaire.eligibility
    if rule.get("question") in answers:  # demo collectives are all eligible
        answers[rule["question"]] = next(
            value for value, _ in questionnaire.question(rule["question"]).options
            if value not in rule.get("refuse", [])
        )
    scan = SelfScan(
        resume_token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        questionnaire_version=questionnaire.version,
        status=status,
        furthest_step=questionnaire.step_count,
        contact_name=f"Secretariaat {name}" if collective else None,
        contact_email=f"secretariaat@{collective.slug}.example" if collective else None,
        consent_privacy=True,
        consent_research=rng.random() < 0.85,
        consent_version=questionnaire.consent_version,
        consent_at=submitted,
        created_at=submitted - timedelta(minutes=14),
        submitted_at=submitted,
        collective_id=collective.id if collective else None,
    )
    scan.answers = [
        SelfScanAnswer(question_key=key, questionnaire_version=questionnaire.version, value=value)
        for key, value in answers.items()
    ]
    scan.scores = score_answers(questionnaire, answers)
    db.session.add(scan)
    db.session.flush()
    return scan


def _plausible_answer(rng, question, improve):
    if question.type == "scale":
        # Collectives tend to agree with positive statements; a repeat scan a little more so.
        base = rng.choice([2, 3, 3, 4, 4, 4, 5]) + (1 if improve and rng.random() < 0.4 else 0)
        value = min(base, 5)
        return 6 - value if question.reversed else value
    if question.type == "single":
        return rng.choice(question.options)[0]
    if question.type == "multi":
        limit = question.max_choices or 3
        return [value for value, _ in rng.sample(question.options, min(limit, len(question.options)))]
    if question.type == "number":
        low, high = question.min or 0, question.max or 200
        return rng.randint(low, min(high, low + 60))
    if question.type == "year":
        return rng.randint(max(question.min or 1990, 1990), 2024)
    if question.type == "municipality":
        return {"municipality": "Utrecht", "province": "Utrecht", "country": "NL"}
    if question.type == "text":
        return None
    return None
