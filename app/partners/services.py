"""Partners: applications, vetting, invitations and partner accounts.

Functions take the acting person as their first argument where there is one, flush and never
commit: the view owns the transaction, so audit entries and e-mails exist exactly when the change
they describe does.
"""
from datetime import timedelta

from sqlalchemy import func

from app.errors import UserError
from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import ROLE_MEMBER, ROLE_PARTNER, User
from app.models.audit import record
from app.models.labs import (
    APPLICATION_APPROVED,
    APPLICATION_PENDING,
    APPLICATION_REFUSED,
    PARTNER_KINDS,
    Lab,
    PartnerApplication,
    PartnerOrganisation,
)
from app.selfscan.review import names_similar
from app.timeutil import utcnow
from app.tokens import issue_token
from app.urls import external_url

PURPOSE_INVITE_PARTNER = "invite-partner"
INVITATION_LIFETIME = timedelta(days=7)
SCIENCELAB = "sciencelab"
MAX_CANDIDATES = 20


class PartnerActionError(UserError):
    """A refused change to a partner, with the Dutch explanation as its message."""


def labs_by_slug(slugs):
    """The Lab rows for these slugs, in the labs' own order (unknown slugs are left out)."""
    slugs = [slug for slug in (slugs or []) if isinstance(slug, str)]
    if not slugs:
        return []
    return db.session.execute(
        db.select(Lab).where(Lab.slug.in_(slugs)).order_by(Lab.position, Lab.id)
    ).scalars().all()


def lab_names():
    """{slug: name} of every lab, for showing the slugs stored with an application."""
    return dict(db.session.execute(db.select(Lab.slug, Lab.name).order_by(Lab.position)).all())


def pending_application_count():
    """How many applications wait for a moderator (for the tiles of /beheer)."""
    return db.session.execute(
        db.select(func.count()).select_from(PartnerApplication)
        .where(PartnerApplication.status == APPLICATION_PENDING)
    ).scalar_one()


# -- applying ----------------------------------------------------------------------------------

def pending_application_for(email):
    return db.session.execute(
        db.select(PartnerApplication)
        .where(func.lower(PartnerApplication.contact_email) == (email or "").strip().lower(),
               PartnerApplication.status == APPLICATION_PENDING)
        .order_by(PartnerApplication.id).limit(1)
    ).scalar_one_or_none()


def submit_application(data):
    """Store an application and e-mail the contact person (the moderators hear of it from the
    staff-alerts job).

    `data` holds organisation_name, kind, website, lab_slugs, contact_name, contact_email,
    contact_role, motivation. Returns (application, created): while an application for the same
    e-mail address waits for a decision, that one is returned and nothing new is stored or sent
    (the applicant sees the same page either way, so nobody learns who applied).
    """
    email = data["contact_email"].strip().lower()
    existing = pending_application_for(email)
    if existing is not None:
        return existing, False
    application = PartnerApplication(
        organisation_name=data["organisation_name"],
        kind=data["kind"],
        website=data.get("website") or None,
        lab_slugs=list(data["lab_slugs"]),
        contact_name=data["contact_name"],
        contact_email=email,
        contact_role=data.get("contact_role") or None,
        motivation=data["motivation"],
        declares_not_selling=True,
        status=APPLICATION_PENDING,
    )
    db.session.add(application)
    db.session.flush()
    names = lab_names()
    labs = [names.get(slug, slug) for slug in application.lab_slugs]
    queue_mail(
        email,
        "We hebben jullie aanvraag als partner ontvangen",
        "partner_application_received",
        application=application, labs=labs, kind_label=PARTNER_KINDS.get(application.kind, ""),
        contact_url=external_url("public.contact"),
    )
    return application, True  # the staff-alerts job tells the moderators (app.staff_alerts)


# -- vetting -----------------------------------------------------------------------------------

def organisation_candidates(name):
    """Existing organisations whose name looks like `name` (same name in other case, one name in
    the other, or nearly the same), so a moderator reuses an organisation instead of doubling it."""
    # Imported here: the admin package imports this module for its partner views.

    folded = (name or "").strip().casefold()
    found = []
    for organisation in db.session.execute(
        db.select(PartnerOrganisation).order_by(PartnerOrganisation.name, PartnerOrganisation.id)
    ).scalars():
        other = organisation.name.strip().casefold()
        if folded and (other == folded or folded in other or other in folded
                       or names_similar(organisation.name, name)):
            found.append(organisation)
    # The same name first, then the rest alphabetically.
    found.sort(key=lambda o: (o.name.strip().casefold() != folded, o.name.casefold()))
    return found[:MAX_CANDIDATES]


def _claim(actor, application, new_status, **values):
    """Move a pending application to its decision; False when someone decided it first.

    A conditional UPDATE, so of two moderators (or two clicks) exactly one gets it.
    """
    now = utcnow()
    result = db.session.execute(
        db.update(PartnerApplication)
        .where(PartnerApplication.id == application.id,
               PartnerApplication.status == APPLICATION_PENDING)
        .values(status=new_status, decided_by_id=actor.id, decided_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    application.status, application.decided_by_id, application.decided_at = new_status, actor.id, now
    for key, value in values.items():
        setattr(application, key, value)
    return True


def approve_application(actor, application, lab_slugs, organisation=None, new_organisation=None):
    """Approve an application and e-mail the contact person an invitation.

    Either `organisation` (an existing PartnerOrganisation) or `new_organisation` (a dict with
    name, kind, website) is given. Returns the organisation, or None when the application was
    already decided (nothing is created then).
    """
    labs = labs_by_slug(lab_slugs)
    if not labs:
        raise PartnerActionError("Kies minstens één lab.")
    if not _claim(actor, application, APPLICATION_APPROVED):
        return None
    created = organisation is None
    if created:
        organisation = PartnerOrganisation(
            name=new_organisation["name"], kind=new_organisation["kind"],
            website=new_organisation.get("website") or None,
        )
        db.session.add(organisation)
        db.session.flush()
    application.organisation_id = organisation.id
    application.lab_slugs = [lab.slug for lab in labs]
    record(actor, "partner.approve", application,
           f"Partneraanvraag #{application.id} van {application.organisation_name} goedgekeurd; "
           f"{'nieuwe' if created else 'bestaande'} organisatie {organisation.name}, "
           f"labs: {', '.join(lab.name for lab in labs)}",
           organisation_id=organisation.id, organisation_created=created,
           lab_slugs=[lab.slug for lab in labs])
    invite_partner(application, organisation, labs)
    db.session.flush()
    return organisation


def invite_partner(application, organisation, labs):
    """E-mail the contact person a single-use link (7 days) to create their partner account."""
    raw = issue_token(
        PURPOSE_INVITE_PARTNER, email=application.contact_email.strip().lower(),
        payload={"application_id": application.id, "organisation_id": organisation.id,
                 "lab_slugs": [lab.slug for lab in labs]},
        lifetime=INVITATION_LIFETIME,
    )
    queue_mail(
        application.contact_email.strip().lower(),
        "Welkom als partner van CollectieveKracht: maak je account aan",
        "partner_invitation",
        name=application.contact_name, organisation=organisation,
        labs=[lab.name for lab in labs],
        accept_url=external_url("partners.accept_invitation", token=raw),
        days=INVITATION_LIFETIME.days,
    )
    return raw


def refuse_application(actor, application, reason):
    """Refuse a pending application and e-mail the reason; False when it was already decided."""
    if not _claim(actor, application, APPLICATION_REFUSED, refusal_reason=reason):
        return False
    record(actor, "partner.refuse", application,
           f"Partneraanvraag #{application.id} van {application.organisation_name} afgewezen",
           reason=reason[:500])
    queue_mail(
        application.contact_email.strip().lower(),
        "Jullie aanvraag als partner van CollectieveKracht",
        "partner_application_refused",
        name=application.contact_name, organisation_name=application.organisation_name,
        reason=reason, contact_url=external_url("public.contact"),
    )
    return True


# -- partner accounts --------------------------------------------------------------------------

def _add_labs(user, labs):
    for lab in labs:
        if lab not in user.labs:
            user.labs.append(lab)


def create_partner(organisation, name, email, password, lab_slugs):
    """Create a partner account (e-mail verified) of `organisation` in the labs `lab_slugs`.

    Used by accepting an invitation, by seed-demo and by tests. Raises ValueError for an unknown
    lab slug. Returns the flushed user.
    """
    labs = labs_by_slug(lab_slugs)
    if len(labs) != len(set(lab_slugs)):
        raise ValueError(f"Onbekend lab in {list(lab_slugs)!r}")
    user = User(name=name, email=email.strip().lower(), role=ROLE_PARTNER,
                partner_organisation_id=organisation.id, email_verified_at=utcnow())
    user.set_password(password)
    _add_labs(user, labs)
    db.session.add(user)
    db.session.flush()
    return user


def may_become_partner(user, organisation):
    """An existing account may be linked as a partner when it is an ordinary account without a
    collective, or already a partner (of this organisation, or of none) — never staff, a member
    of a collective or a suspended person."""
    if user.is_suspended:
        return False
    if user.role == ROLE_MEMBER:
        return user.collective_id is None
    if user.role == ROLE_PARTNER:
        return user.partner_organisation_id in (None, organisation.id)
    return False


def link_partner(user, organisation, labs):
    """Make an existing account a partner of `organisation` in `labs` (it keeps its other labs)."""
    user.role = ROLE_PARTNER
    user.partner_organisation_id = organisation.id
    # The invitation came to this address, so it works.
    user.email_verified_at = user.email_verified_at or utcnow()
    _add_labs(user, labs)
    db.session.flush()


def set_research_access(actor, partner, grant):
    """Give (grant=True) or take research access; only Sciencelab partners can be given it.

    Returns False when nothing changed.
    """
    if not partner.is_partner:
        raise PartnerActionError(f"{partner.name} is geen partner.")
    if grant and SCIENCELAB not in {lab.slug for lab in partner.labs}:
        raise PartnerActionError(
            "Onderzoekstoegang is er alleen voor partners van het Sciencelab."
        )
    if partner.research_access == grant:
        return False
    partner.research_access = grant
    record(actor, "partner.research_access", partner,
           f"Onderzoekstoegang van {partner.name} ({partner.email}) "
           f"{'gegeven' if grant else 'ingetrokken'}", granted=grant)
    return True


def add_to_lab(actor, partner, lab):
    """Make a partner a partner of one more lab (for instance to undo a removal)."""
    if lab in partner.labs:
        raise PartnerActionError(f"{partner.name} is al partner van het {lab.name}.")
    partner.labs.append(lab)
    record(actor, "partner.add_to_lab", partner,
           f"{partner.name} ({partner.email}) toegevoegd als partner van het {lab.name}", lab=lab.slug)
    db.session.flush()


def remove_from_lab(actor, partner, lab):
    """Take a partner out of one lab; leaving the Sciencelab ends research access too."""
    if lab not in partner.labs:
        raise PartnerActionError(f"{partner.name} is geen partner van het {lab.name}.")
    partner.labs.remove(lab)
    extra = ""
    if lab.slug == SCIENCELAB and partner.research_access:
        partner.research_access = False
        extra = "; onderzoekstoegang ingetrokken"
    record(actor, "partner.remove_from_lab", partner,
           f"{partner.name} ({partner.email}) verwijderd als partner van het {lab.name}{extra}",
           lab=lab.slug)
    db.session.flush()
