"""Building collectives, their people and scans directly in the database, for the collectives tests."""
import re
import secrets
import unicodedata
from datetime import timedelta

from app.extensions import db
from app.models.accounts import User
from app.models.collectives import Collective, JoinRequest
from app.models.selfscan import SCAN_APPROVED, SelfScan, SelfScanAnswer
from app.timeutil import utcnow
from werkzeug.security import generate_password_hash

from tests.conftest import PASSWORD, make_user

SCORES = {"doel": 80, "leden": 45, "bestuur": 60, "financien": 30, "extern": 70, "strategie": 55}


def text(response):
    return response.get_data(as_text=True)


def slugify(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80]


def make_collective(name="Energiecoöperatie De Windvang", slug=None, sector="energie",
                    municipality="Utrecht", province="Utrecht", country="NL", description="",
                    website=None):
    collective = Collective(
        name=name, slug=slug or slugify(name), sector=sector,
        municipality=municipality, province=province, country=country, description=description,
        website=website,
    )
    db.session.add(collective)
    db.session.commit()
    return collective


_HASH = {}


def quick_user(email, role="member", collective=None, name=None):
    """A verified person; the password hash is made once per run (scrypt is slow on purpose)."""
    if "hash" not in _HASH:
        _HASH["hash"] = generate_password_hash(PASSWORD, method="scrypt")
    user = User(email=email, name=name or email.split("@")[0].title(), role=role,
                password_hash=_HASH["hash"], email_verified_at=utcnow(),
                collective_id=collective.id if collective else None)
    db.session.add(user)
    db.session.commit()
    return user


def member_of(collective, email, name="Lid Persoon", role="member", **fields):
    return make_user(email=email, name=name, role=role, collective_id=collective.id, **fields)


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


def reload_user(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def join_requests(user=None):
    db.session.expire_all()
    query = db.select(JoinRequest).order_by(JoinRequest.id)
    if user is not None:
        query = query.where(JoinRequest.user_id == user.id)
    return db.session.execute(query).scalars().all()


class QueryCounter:
    """Counts the SQL statements sent while it is active (with QueryCounter() as counter: ...)."""

    def __enter__(self):
        from sqlalchemy import event

        self.count = 0
        self._event = event
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, *args, **kwargs):
        self.count += 1

    def __exit__(self, *exc):
        self._event.remove(db.engine, "before_cursor_execute", self._count)
