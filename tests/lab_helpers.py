"""Building labs' partners, questions and answers, and the people around them, for the lab tests."""
from datetime import timedelta
from functools import partial

from app.extensions import db
from app.labs import services
from app.models.labs import Lab, LabQuestion, LabReply, LabRevision, PartnerOrganisation
from app.models.notifications import Notification
from app.timeutil import utcnow
from werkzeug.security import generate_password_hash

from app.models.accounts import User
from tests.collective_helpers import make_collective
from tests.conftest import PASSWORD

_HASH = {}


def quick_user(email, role="member", collective=None, name=None, commit=True):
    """A verified person with a cheap password hash (made once per run), for fast logins."""
    if "hash" not in _HASH:
        _HASH["hash"] = generate_password_hash(PASSWORD, method="scrypt:4096:8:1")
    user = User(email=email, name=name or email.split("@")[0].title(), role=role,
                password_hash=_HASH["hash"], email_verified_at=utcnow(),
                collective_id=collective.id if collective else None)
    db.session.add(user)
    db.session.commit() if commit else db.session.flush()
    return user


def text(response):
    return response.get_data(as_text=True)


def lab(slug):
    return db.session.execute(db.select(Lab).where(Lab.slug == slug)).scalar_one()


def make_organisation(name, kind="financier", description="", commit=True):
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


class LabCast:
    """The people of a lab test: one of each role, around a Dutch collective asking Financelab."""

    def __init__(self):
        self.collective = make_collective("Energiecoöperatie De Windvang", slug="windvang")
        self.other_collective = make_collective("Zorgcoöperatie Hoogland", slug="hoogland",
                                                sector="zorg", municipality="Amersfoort")
        person = partial(quick_user, commit=False)  # one commit for the whole cast
        self.member = person("lid@example.org", collective=self.collective, name="Anna de Vries")
        self.member2 = person("lid2@example.org", collective=self.collective, name="Bert Jansen")
        self.representative = person("vertegenwoordiger@example.org", role="representative",
                                     collective=self.collective, name="Rita Vertegenwoordiger")
        self.other_member = person("ander@example.org", collective=self.other_collective,
                                   name="Olaf Anders")
        organisation = partial(make_organisation, commit=False)
        self.fonds = organisation("Fonds Groene Energie", "financier",
                                  "Financiert lokale energieprojecten.")
        self.bank = organisation("Coöperatieve Spaarbank", "financier")
        self.universiteit = organisation("Universiteit Utrecht", "kennisinstelling")
        partner = partial(make_partner, commit=False)
        self.partner = partner("financier@example.org", "Petra Geldmans", self.fonds, "financelab")
        self.partner2 = partner("bank@example.org", "Bas Bankier", self.bank, "financelab")
        self.scientist = partner("onderzoeker@example.org", "Sam Wetenschap", self.universiteit,
                                 "sciencelab")
        self.moderator = person("mod@example.org", role="moderator", name="Mo Derator")
        self.outsider = person("los@example.org", name="Olga Los")  # registered, no collective
        self.financelab = lab("financelab")
        self.sciencelab = lab("sciencelab")
        db.session.commit()


def ask(author, lab_slug="financelab", title="Hoe financieren we een buurtbatterij?",
        body="We willen een buurtbatterij kopen voor 40 huishoudens. Hoe pakken we dat aan?",
        context="", research=False, now=None):
    question = services.ask_question(author, lab(lab_slug), title, body, context, research,
                                     now=now, enforce_limits=False)
    db.session.commit()
    return question


def answer(author, question, body="Begin met een ledenlening; zo houden jullie de regie.", now=None):
    reply = services.post_answer(author, question, body, now=now, enforce_limits=False)
    db.session.commit()
    return reply


def respond(author, question, body="Dank je! Hoe hoog mag zo'n lening zijn?", now=None):
    reply = services.post_response(author, question, body, now=now, enforce_limits=False)
    db.session.commit()
    return reply


def question_path(question, suffix=""):
    return f"/labs/{question.lab.slug}/vragen/{question.id}{suffix}"


def reply_path(reply, action):
    return question_path(reply.question, f"/antwoorden/{reply.id}/{action}")


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def notifications(user=None, kind=None):
    db.session.expire_all()
    query = db.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return db.session.execute(query).scalars().all()


def replies_of(question):
    db.session.expire_all()
    return db.session.execute(
        db.select(LabReply).where(LabReply.question_id == question.id).order_by(LabReply.id)
    ).scalars().all()


def revisions():
    db.session.expire_all()
    return db.session.execute(db.select(LabRevision).order_by(LabRevision.id)).scalars().all()


def questions():
    db.session.expire_all()
    return db.session.execute(db.select(LabQuestion).order_by(LabQuestion.id)).scalars().all()


def days_ago(days):
    return utcnow() - timedelta(days=days)
