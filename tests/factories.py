"""Builders of rows: people of every role, collectives, scans, forum groups and threads, labs'
organisations, partners and questions, knowledge items.

Each builder writes straight to the database (committing, unless told not to) and returns the row.
Helpers that drive the app (forms, logins, mail) live in tests/support.py.
"""
import re
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models.accounts import ROLE_MEMBER, User
from app.models.collectives import Collective
from app.models.forum import ForumGroup
from app.models.knowledge import (
    FACET_DIMENSION, FACET_SECTOR, FACET_THEME, STATUS_PUBLISHED, KnowledgeItem,
)
from app.models.labs import Lab, PartnerOrganisation
from app.models.selfscan import SCAN_APPROVED, SelfScan, SelfScanAnswer
from app.selfscan.questionnaire import current_questionnaire
from app.timeutil import utcnow
from app.workdays import add_working_days

PASSWORD = "een-lang-wachtwoord-42"


# -- people ------------------------------------------------------------------------------------

def make_user(email="persoon@example.org", name="Test Persoon", role=ROLE_MEMBER,
              password=PASSWORD, verified=True, **fields):
    """A person with their own password hash (at the configuration's cost)."""
    user = User(email=email, name=name, role=role,
                email_verified_at=utcnow() if verified else None, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def quick_user(email, role="member", collective=None, name=None, commit=True):
    """A verified person whose password is PASSWORD, hashed once per run at the test
    configuration's low scrypt cost, for fast builds and logins."""
    user = User(email=email, name=name or email.split("@")[0].title(), role=role,
                password_hash=cheap_password_hash(), email_verified_at=utcnow(),
                collective_id=collective.id if collective else None)
    db.session.add(user)
    db.session.commit() if commit else db.session.flush()
    return user


_CHEAP_HASH = {}


def cheap_password_hash():
    """The test password hashed at the test configuration's cost (made once per run)."""
    if "hash" not in _CHEAP_HASH:
        _CHEAP_HASH["hash"] = generate_password_hash(
            PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])
    return _CHEAP_HASH["hash"]


def cheap_passwords(*people):
    """Give these people the cheaply hashed test password (for tests that log in hundreds of
    times)."""
    for person in people:
        person.password_hash = cheap_password_hash()
    db.session.commit()


def member_of(collective, email, name="Lid Persoon", role="member", **fields):
    return make_user(email=email, name=name, role=role, collective_id=collective.id, **fields)


# -- collectives and scans ---------------------------------------------------------------------

SCORES = {"doel": 80, "leden": 45, "bestuur": 60, "financien": 30, "extern": 70, "strategie": 55}


def slugify(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80]


def make_collective(name="Energiecoöperatie De Windvang", slug=None, sector="energie",
                    municipality="Utrecht", province="Utrecht", country="NL", description="",
                    website=None, commit=True):
    collective = Collective(
        name=name, slug=slug or slugify(name), sector=sector,
        municipality=municipality, province=province, country=country, description=description,
        website=website,
    )
    db.session.add(collective)
    db.session.commit() if commit else db.session.flush()
    return collective


def make_scan(collective, status=SCAN_APPROVED, submitted_at=None, scores=None, challenges=None,
              lab=None):
    """A sent scan of a collective with stored scores (and optional challenges and lab)."""
    scan = SelfScan(
        resume_token_hash=secrets.token_hex(32),
        questionnaire_version=1,
        status=status,
        furthest_step=10,
        contact_name="Contact Persoon",
        contact_email="contact@example.org",
        collective_id=collective.id,
        submitted_at=submitted_at or utcnow() - timedelta(days=3),
        scores=dict(SCORES if scores is None else scores),
    )
    db.session.add(scan)
    db.session.flush()
    answers = {"profiel_naam": collective.name, "profiel_sector": collective.sector}
    if challenges is not None:
        answers["uitdagingen_top3"] = challenges
    if lab is not None:
        answers["uitdagingen_lab"] = lab
    for key, value in answers.items():
        db.session.add(SelfScanAnswer(scan_id=scan.id, question_key=key, questionnaire_version=1,
                                      value=value))
    db.session.commit()
    return scan


def sample_answer(question):
    """A valid answer of any question type (generic, so a rewritten questionnaire still works)."""
    if question.type == "single":
        return question.options[0][0]
    if question.type == "multi":
        return [question.options[0][0]]
    if question.type == "scale":
        return 4
    if question.type == "number":
        return max(question.min or 0, 12)
    if question.type == "year":
        return 2015
    if question.type == "municipality":
        return {"municipality": "Utrecht", "province": "Utrecht", "country": "NL"}
    return "Een kort antwoord"


def submitted_scan(name="Energiecoöperatie Zonnedael U.A.", sector="energie", municipality="Zeist",
                   province="Utrecht", country="NL", status="submitted", submitted_at=None,
                   contact_name="Sanne Visser", contact_email="sanne@example.org", scores=None,
                   all_answers=True):
    """A scan row, without a collective, as the self-scan flow leaves it after submission."""
    questionnaire = current_questionnaire()
    keys = questionnaire.profile_keys
    submitted_at = submitted_at or utcnow()
    scan = SelfScan(
        resume_token_hash=f"hash-{utcnow().timestamp()}-{name}-{id(object())}"[:64],
        questionnaire_version=questionnaire.version,
        status=status,
        furthest_step=questionnaire.step_count,
        contact_name=contact_name,
        contact_email=contact_email,
        consent_privacy=True,
        consent_research=True,
        consent_version=questionnaire.consent_version,
        consent_at=submitted_at,
        submitted_at=None if status == "draft" else submitted_at,
        due_at=None if status == "draft" else add_working_days(submitted_at, 2),
        scores=scores,
    )
    answers = {}
    if all_answers:
        answers = {q.key: sample_answer(q) for q in questionnaire.questions()}
    answers[keys["name"]] = name
    answers[keys["sector"]] = sector
    answers[keys["location"]] = {"municipality": municipality, "province": province, "country": country}
    for key, value in answers.items():
        scan.answers.append(SelfScanAnswer(question_key=key, questionnaire_version=questionnaire.version,
                                           value=value))
    db.session.add(scan)
    db.session.commit()
    return scan


# -- forum -------------------------------------------------------------------------------------

def make_group(name="Energie", slug=None, position=0, description="Over energiecoöperaties."):
    group = ForumGroup(name=name, slug=slug or name.lower().replace(" ", "-"), position=position,
                       description=description)
    db.session.add(group)
    db.session.commit()
    return group


def start_thread(group, author, title="Hoe vinden we nieuwe vrijwilligers?", body="Wie heeft tips?",
                 now=None):
    from app.forum import services

    thread, post = services.create_thread(author, group, title, body, now=now,
                                          enforce_limits=False)
    db.session.commit()
    return thread, post


def add_replies(thread, authors, count, start=None, body="Reactie {n}"):
    """`count` replies, by `authors` in turn, a minute apart (no posting limits)."""
    from app.forum import services

    start = start or utcnow() - timedelta(days=1)
    posts = []
    for index in range(count):
        author = authors[index % len(authors)]
        posts.append(services.post_reply(author, thread, body.format(n=index + 2),
                                         now=start + timedelta(minutes=index), enforce_limits=False))
    db.session.commit()
    return posts


# -- labs and partners -------------------------------------------------------------------------

def lab(slug):
    """One of the labs the migrations put in."""
    return db.session.execute(db.select(Lab).where(Lab.slug == slug)).scalar_one()


def make_organisation(name="Stichting Fonds Lokale Energie", kind="financier", description="",
                      commit=True):
    organisation = PartnerOrganisation(name=name, kind=kind, description=description)
    db.session.add(organisation)
    db.session.commit() if commit else db.session.flush()
    return organisation


def make_partner(email, name, organisation, *lab_slugs, commit=True):
    partner = quick_user(email, role="partner", name=name, commit=False)
    partner.partner_organisation_id = organisation.id
    partner.labs = [lab(slug) for slug in lab_slugs]
    db.session.commit() if commit else db.session.flush()
    return partner


def ask(author, lab_slug="financelab", title="Hoe financieren we een buurtbatterij?",
        body="We willen een buurtbatterij kopen voor 40 huishoudens. Hoe pakken we dat aan?",
        context="", research=False, now=None):
    from app.labs import services

    question = services.ask_question(author, lab(lab_slug), title, body, context, research,
                                     now=now, enforce_limits=False)
    db.session.commit()
    return question


def answer(author, question, body="Begin met een ledenlening; zo houden jullie de regie.", now=None):
    from app.labs import services

    reply = services.post_answer(author, question, body, now=now, enforce_limits=False)
    db.session.commit()
    return reply


def respond(author, question, body="Dank je! Hoe hoog mag zo'n lening zijn?", now=None):
    from app.labs import services

    reply = services.post_response(author, question, body, now=now, enforce_limits=False)
    db.session.commit()
    return reply


# -- knowledge ---------------------------------------------------------------------------------

def make_item(title="Zo vonden wij nieuwe vrijwilligers", kind="praktijkvoorbeeld",
              status=STATUS_PUBLISHED, summary="Een energiecoöperatie vertelt hoe ze leden actief kreeg.",
              body="## Wat we deden\n\nWe belden **elk lid** op.", themes=("actieve_leden",),
              sectors=("energie",), dimensions=("leden",), source_name="Lectoraat Coöperatief Ondernemen",
              slug=None, published_at=None, author=None):
    from app.knowledge.services import render_body
    from app.slugs import slugify as slugify_title

    now = utcnow()
    item = KnowledgeItem(
        slug=slug or slugify_title(title, max_length=100), kind=kind, title=title, summary=summary,
        body_source=body, body_html=str(render_body(body)), source_name=source_name,
        status=status, author_id=author.id if author else None,
        published_at=(published_at or now) if status == STATUS_PUBLISHED else published_at,
        created_at=now, updated_at=published_at or now,
    )
    item.set_facet(FACET_THEME, themes)
    item.set_facet(FACET_SECTOR, sectors)
    item.set_facet(FACET_DIMENSION, dimensions)
    db.session.add(item)
    db.session.commit()
    return item


def make_items(count, start=None, **fields):
    """`count` published items, one day apart (the last is the newest)."""
    start = start or utcnow() - timedelta(days=count + 1)
    return [make_item(title=f"Kennisitem nummer {n}", slug=f"kennisitem-{n}",
                      published_at=start + timedelta(days=n), **fields) for n in range(1, count + 1)]
