"""Demo team for /over-ons: clearly made-up people (their surnames say so), never real staff.

A real installation starts with an empty team; administrators add people at /beheer/team.
"""
from app.extensions import db
from app.models.public import TeamMember

# name, role, short text
TEAM = [
    ("Sanne Voorbeeld", "Projectleider",
     "Houdt het overzicht, en onderhoudt het contact met de universiteit en de partners in de labs."),
    ("Daan Demo", "Platformbeheerder",
     "Bekijkt nieuwe zelfscans, maakt de pagina's van collectieven en is je eerste aanspreekpunt "
     "bij vragen."),
    ("Noor Proef", "Onderzoeker",
     "Ontwikkelt de zelfscan en vertaalt onderzoek naar praktische kennis voor collectieven."),
    ("Ruben Testsma", "Kennisredacteur",
     "Houdt de kennisbank bij en zoekt praktijkvoorbeelden bij de vragen die collectieven stellen."),
]


def seed_team():
    """The demo team, in this order, without photos; returns counts for the seed summary."""
    for position, (name, role, bio) in enumerate(TEAM):
        db.session.add(TeamMember(name=name, role=role, bio=bio, position=position))
    db.session.flush()
    return {"team members": len(TEAM)}
