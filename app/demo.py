"""Demo data for `flask --app wsgi seed-demo`: accounts now, each feature adds its content here."""
from app.extensions import db
from app.models.accounts import (
    ROLE_ADMIN,
    ROLE_MEMBER,
    ROLE_PARTNER,
    ROLE_REPRESENTATIVE,
    User,
)
from app.timeutil import utcnow

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


class SeedRefused(Exception):
    pass


def database_is_empty():
    return db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one() == 0


def seed_demo():
    """Fill an empty database with demo content; returns a dict of what was made."""
    if not database_is_empty():
        raise SeedRefused("De database bevat al gegevens; demo-data wordt alleen in een lege database gezet.")
    users = {}
    for email, name, role in DEMO_ACCOUNTS:
        user = User(email=email, name=name, role=role, email_verified_at=utcnow())
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[email] = user
    db.session.flush()
    return {"accounts": len(users)}
