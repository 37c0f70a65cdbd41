"""Collectives: finding them, editing their page, and people asking to join them.

Functions flush, never commit: the view owns the transaction, so an e-mail is queued in the same
transaction as the change it reports.
"""
from sqlalchemy import func, update
from sqlalchemy.orm import selectinload

from app.errors import ConflictError
from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import ROLE_MEMBER, ROLE_REPRESENTATIVE, STAFF_ROLES, User
from app.models.audit import record
from app.models.collectives import (
    JOIN_APPROVED,
    JOIN_DECLINED,
    JOIN_PENDING,
    JOIN_WITHDRAWN,
    Collective,
    JoinRequest,
)
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SelfScan
from app.notifications import notify
from app.permissions import can_moderate
from app.selfscan.report import build_report
from app.timeutil import utcnow
from app.urls import external_url, site_path
from app.validators import MAX_ID, has_control_characters

MAX_SLUG = 80


class JoinError(ConflictError):
    """A join request or decision that cannot go ahead; the message is Dutch and shown as is."""


# -- finding ---------------------------------------------------------------------------------------

def escape_like(value):
    """The value with LIKE wildcards escaped (backslash is the escape character)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def directory_query(name="", sector="", province=""):
    """Collectives matching the (already validated) filters, sorted by name."""
    query = db.select(Collective)
    if name:
        query = query.where(Collective.name.ilike(f"%{escape_like(name)}%", escape="\\"))
    if sector:
        query = query.where(Collective.sector == sector)
    if province:
        query = query.where(Collective.province == province)
    return query.order_by(func.lower(Collective.name), Collective.id)


def find_collective(slug):
    """The collective with this slug, or None (also for slugs that cannot be ours)."""
    if not slug or len(slug) > MAX_SLUG or has_control_characters(slug):
        return None
    return db.session.execute(
        db.select(Collective).where(Collective.slug == slug)
    ).scalar_one_or_none()


def member_list(collective):
    """The people with member rights in this collective: representatives first, then by name."""
    people = db.session.execute(
        db.select(User)
        .where(User.collective_id == collective.id, User.role.in_((ROLE_MEMBER, ROLE_REPRESENTATIVE)))
        .order_by(func.lower(User.name), User.id)
    ).scalars().all()
    return sorted(people, key=lambda person: not person.represents(collective))


def representatives(collective):
    people = db.session.execute(
        db.select(User)
        .where(User.collective_id == collective.id, User.role == ROLE_REPRESENTATIVE)
        .order_by(User.id)
    ).scalars().all()
    return [person for person in people if person.is_active]


def moderators():
    """Moderators and administrators who can act now (a suspension that ran out is over)."""
    people = db.session.execute(
        db.select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.id)
    ).scalars().all()
    return [person for person in people if person.is_active]


def pending_request_of(user):
    """The person's open join request (with any collective), or None."""
    if not (user and user.is_authenticated):
        return None
    return db.session.execute(
        db.select(JoinRequest)
        .options(selectinload(JoinRequest.collective))
        .where(JoinRequest.user_id == user.id, JoinRequest.status == JOIN_PENDING)
        .order_by(JoinRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def pending_requests(collective):
    """Open join requests of a collective, oldest first, with the people who sent them."""
    return db.session.execute(
        db.select(JoinRequest)
        .options(selectinload(JoinRequest.user))
        .where(JoinRequest.collective_id == collective.id, JoinRequest.status == JOIN_PENDING)
        .order_by(JoinRequest.created_at, JoinRequest.id)
    ).scalars().all()


def find_join_request(collective, request_id):
    """A join request of this collective, or None (another collective's request is not found)."""
    if not 0 < request_id <= MAX_ID:
        return None
    return db.session.execute(
        db.select(JoinRequest).where(
            JoinRequest.id == request_id, JoinRequest.collective_id == collective.id
        )
    ).scalar_one_or_none()


def latest_report_scan(collective):
    """The collective's newest scan with a report (approved first scan or completed repeat)."""
    return db.session.execute(
        db.select(SelfScan)
        .where(
            SelfScan.collective_id == collective.id,
            SelfScan.status.in_((SCAN_APPROVED, SCAN_COMPLETED)),
            SelfScan.submitted_at.is_not(None),
        )
        .order_by(SelfScan.submitted_at.desc(), SelfScan.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def dashboard_report(scan):
    """The report of a scan as H5's build_report makes it (None without a scan)."""
    if scan is None:
        return None

    return build_report(scan)



# -- joining ---------------------------------------------------------------------------------------

def request_to_join(user, collective, message=""):
    """Create a pending join request and tell the representative(s), or the moderators, by
    e-mail and in the bell.

    One open request per person at a time. The caller checked can_request_to_join.
    """
    # Serialise requests of one person (PostgreSQL), so two quick clicks cannot make two.
    db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
    existing = pending_request_of(user)
    if existing is not None:
        if existing.collective_id == collective.id:
            raise JoinError("Je hebt al gevraagd om lid te worden van dit collectief. "
                            "Je aanvraag wacht op goedkeuring.")
        raise JoinError(f"Je hebt al een aanvraag lopen bij {existing.collective.name}. "
                        "Je kunt één aanvraag tegelijk doen: wacht op het besluit of trek die "
                        "aanvraag eerst in.")
    join_request = JoinRequest(user_id=user.id, collective_id=collective.id,
                               message=message or "", status=JOIN_PENDING)
    db.session.add(join_request)
    db.session.flush()

    recipients = representatives(collective)
    to_moderators = not recipients
    if to_moderators:
        recipients = moderators()
    dashboard_url = external_url("collectives.dashboard", slug=collective.slug)
    dashboard_path = site_path("collectives.dashboard", slug=collective.slug) + "#aanvragen"
    for recipient in recipients:
        # In the bell too; the e-mail below already tells them, so the notification e-mails don't.
        notify(recipient, "join_request", f"{user.name} wil lid worden van {collective.name}",
               dashboard_path, actor=user, excerpt=join_request.message, emailed=True)
        queue_mail(
            recipient.email,
            f"{user.name} wil lid worden van {collective.name}",
            "join_requested",
            reader=recipient,
            applicant=user,
            collective=collective,
            message=join_request.message,
            dashboard_url=dashboard_url,
            to_moderators=to_moderators,
        )
    return join_request


def withdraw_request(user, collective):
    """Withdraw the person's open request to this collective; False when there was none."""
    result = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.user_id == user.id, JoinRequest.collective_id == collective.id,
               JoinRequest.status == JOIN_PENDING)
        .values(status=JOIN_WITHDRAWN, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def decide_join_request(actor, join_request, approve):
    """Approve (the person becomes a member) or decline a pending request; both are e-mailed.

    Raises JoinError when the request was decided already (double click, two deciders) or the
    person cannot join any more. A moderator's decision goes into the audit log.
    """
    collective = join_request.collective
    person = join_request.user
    if join_request.status != JOIN_PENDING:
        raise JoinError("Over deze aanvraag is al besloten; er is niets veranderd.")
    if approve:
        if person.collective_id is not None and person.collective_id != collective.id:
            raise JoinError(f"{person.name} is inmiddels lid van een ander collectief en kan hier "
                            "niet worden toegelaten. Je kunt de aanvraag afwijzen.")
        if person.role not in (ROLE_MEMBER, ROLE_REPRESENTATIVE):
            raise JoinError(f"{person.name} heeft een account als {person.role_label.lower()} en "
                            "kan geen lid van een collectief worden. Je kunt de aanvraag afwijzen.")
    status = JOIN_APPROVED if approve else JOIN_DECLINED
    # Conditional update: of two simultaneous decisions exactly one changes the row.
    result = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == join_request.id, JoinRequest.status == JOIN_PENDING)
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise JoinError("Over deze aanvraag is al besloten; er is niets veranderd.")
    db.session.refresh(join_request)

    if approve:
        person.collective_id = collective.id
        queue_mail(person.email, f"Je bent nu lid van {collective.name}", "join_approved",
                   person=person, collective=collective,
                   dashboard_url=external_url("collectives.dashboard", slug=collective.slug))
    else:
        queue_mail(person.email, f"Je aanvraag bij {collective.name}", "join_declined",
                   person=person, collective=collective,
                   directory_url=external_url("collectives.index"))
    if can_moderate(actor):
        verb = "toegelaten tot" if approve else "afgewezen voor"
        record(actor, "join_request." + ("approve" if approve else "decline"), join_request,
               f"{person.name} {verb} {collective.name}",
               collective_id=collective.id, user_id=person.id)
    db.session.flush()
    return join_request


# -- editing ---------------------------------------------------------------------------------------

def update_collective(actor, collective, description, website):
    """Save the description and website; a moderator's edit goes into the audit log."""
    website = website or None
    changed = [field for field, value in (("description", description), ("website", website))
               if getattr(collective, field) != value]
    collective.description = description
    collective.website = website
    if changed and can_moderate(actor) and not actor.represents(collective):
        record(actor, "collective.edit", collective,
               f"Pagina van {collective.name} bewerkt ({', '.join(changed)})", fields=changed)
    db.session.flush()
    return changed
