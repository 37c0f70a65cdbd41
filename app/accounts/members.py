"""What moderators do to people: change a role, suspend, lift a suspension, remove from a collective.

Functions take the acting person as their first argument, flush and never commit.
"""
from sqlalchemy import and_, func, or_

from app.errors import UserError
from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import (
    ROLE_ADMIN,
    ROLE_LABELS,
    ROLE_MEMBER,
    ROLE_REPRESENTATIVE,
    ROLES,
    STAFF_ROLES,
    STATUS_ACTIVE,
    STATUS_SUSPENDED,
    User,
)
from app.models.audit import record
from app.timeutil import utcnow
from app.urls import external_url
from app.workdays import start_of_local_day


# -- members -----------------------------------------------------------------------------------

class MemberActionError(UserError):
    """A refused change to a person, with the Dutch explanation as its message."""


def needs_staff_rights(target, new_role=None):
    """Acting on staff, or making someone staff, is for administrators only."""
    return target.role in STAFF_ROLES or new_role in STAFF_ROLES


def _is_suspended_clause(now):
    return and_(User.status == STATUS_SUSPENDED,
                or_(User.suspended_until.is_(None), User.suspended_until > now))


def _is_last_active_admin(target):
    others = db.session.execute(
        db.select(func.count()).select_from(User).where(
            User.role == ROLE_ADMIN, User.id != target.id, ~_is_suspended_clause(utcnow())
        )
    ).scalar_one()
    return target.role == ROLE_ADMIN and others == 0


def _who(target):
    return f"{target.name} ({target.email})"


def change_role(actor, target, role):
    if role not in ROLES:
        raise MemberActionError("Kies een rol uit de lijst.")
    if target.id == actor.id:
        raise MemberActionError("Je kunt je eigen rol niet wijzigen. Vraag dit aan een andere beheerder.")
    if role == target.role:
        raise MemberActionError(f"{target.name} heeft deze rol al.")
    if target.role == ROLE_ADMIN and _is_last_active_admin(target):
        raise MemberActionError(
            "Dit is de laatste actieve beheerder. Maak eerst iemand anders beheerder."
        )
    if role == ROLE_REPRESENTATIVE and target.collective_id is None:
        raise MemberActionError(
            "Een vertegenwoordiger hoort bij een collectief, en deze persoon is nog geen lid van "
            "een collectief."
        )
    old = target.role
    target.role = role
    record(actor, "member.role", target,
           f"Rol van {_who(target)} gewijzigd van {ROLE_LABELS[old]} naar {ROLE_LABELS[role]}",
           old=old, new=role)
    queue_mail(target.email, "Je rol bij CollectieveKracht is gewijzigd", "member_role_changed",
               user=target, role_label=ROLE_LABELS[role])


def suspend_member(actor, target, reason, until_date=None):
    """Suspend (or change the suspension of) a person and end their sessions."""
    if target.id == actor.id:
        raise MemberActionError("Je kunt jezelf niet schorsen.")
    if target.role == ROLE_ADMIN and _is_last_active_admin(target):
        raise MemberActionError("Dit is de laatste actieve beheerder; die kan niet geschorst worden.")
    target.status = STATUS_SUSPENDED
    target.suspension_reason = reason
    target.suspended_until = start_of_local_day(until_date) if until_date else None
    target.end_all_sessions()
    until_text = f" tot {until_date.strftime('%d-%m-%Y')}" if until_date else " zonder einddatum"
    record(actor, "member.suspend", target, f"{_who(target)} geschorst{until_text}",
           reason=reason[:500])
    queue_mail(target.email, "Je account bij CollectieveKracht is geschorst", "member_suspended",
               user=target, reason=reason, until=target.suspended_until,
               contact_url=external_url("public.contact"))


def lift_suspension(actor, target):
    if target.status != STATUS_SUSPENDED:
        raise MemberActionError(f"{target.name} is niet geschorst.")
    target.status = STATUS_ACTIVE
    target.suspension_reason = None
    target.suspended_until = None
    record(actor, "member.unsuspend", target, f"Schorsing van {_who(target)} opgeheven")
    queue_mail(target.email, "Je account bij CollectieveKracht is weer actief", "member_unsuspended",
               user=target, login_url=external_url("auth.login"))


def remove_from_collective(actor, target):
    """Take a person out of their collective; a representative becomes an ordinary member."""
    collective = target.collective
    if collective is None:
        raise MemberActionError(f"{target.name} is geen lid van een collectief.")
    target.collective_id = None
    if target.role == ROLE_REPRESENTATIVE:
        target.role = ROLE_MEMBER
    record(actor, "member.remove", target,
           f"{_who(target)} verwijderd uit collectief {collective.name}",
           collective_id=collective.id)
    queue_mail(target.email, f"Je bent niet meer verbonden aan {collective.name}", "member_removed",
               user=target, collective=collective, contact_url=external_url("public.contact"))
