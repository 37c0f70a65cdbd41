"""Helpers for the partner tests: a valid application, stored applications, approved invitations."""
from app.extensions import db
from app.models.labs import PartnerApplication, PartnerOrganisation
from app.partners import services
from tests.conftest import link_from, make_user, outbox, submit

MOTIVATION = (
    "Wij financieren lokale energieprojecten en willen collectieven helpen hun plannen rond te "
    "krijgen. Tegelijk leren we van hun vragen wat er nodig is."
)


def valid_application(**overrides):
    data = {
        "organisation_name": "Stichting Fonds Lokale Energie",
        "kind": "financier",
        "website": "www.fondslokaal.example",
        "labs": ["financelab"],
        "contact_name": "Marieke de Jong",
        "contact_email": "Marieke@Fonds.example",
        "contact_role": "Fondsmanager",
        "motivation": MOTIVATION,
        "declaration": "y",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def apply(client, **overrides):
    return submit(client, "/partner-worden", valid_application(**overrides))


def applications():
    db.session.expire_all()
    return db.session.execute(db.select(PartnerApplication).order_by(PartnerApplication.id)).scalars().all()


def make_application(organisation_name="Stichting Fonds Lokale Energie", kind="financier",
                     contact_email="marieke@fonds.example", contact_name="Marieke de Jong",
                     lab_slugs=("financelab",), **fields):
    application = PartnerApplication(
        organisation_name=organisation_name, kind=kind, lab_slugs=list(lab_slugs),
        contact_name=contact_name, contact_email=contact_email, motivation=MOTIVATION,
        declares_not_selling=True, **fields,
    )
    db.session.add(application)
    db.session.commit()
    return application


def make_organisation(name="Stichting Fonds Lokale Energie", kind="financier"):
    organisation = PartnerOrganisation(name=name, kind=kind)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def invite(email="marieke@fonds.example", lab_slugs=("financelab",), name="Marieke de Jong"):
    """Approve an application as a moderator would; returns (organisation, invitation path)."""
    moderator = make_user(email="mod-invite@example.org", name="Mo Derator", role="moderator")
    application = make_application(contact_email=email, contact_name=name, lab_slugs=lab_slugs)
    organisation = services.approve_application(
        moderator, application, list(lab_slugs),
        new_organisation={"name": application.organisation_name, "kind": application.kind},
    )
    db.session.commit()
    [mail] = outbox(email)
    return organisation, link_from(mail, "/uitnodiging/partner/")
