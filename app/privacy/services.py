"""Deleting one's own account (the copy of one's data is in export.py).

Functions flush, never commit: the view owns the transaction, so the goodbye e-mail and the audit
entry exist exactly when the deletion was committed.
"""
import secrets

from sqlalchemy import delete, func, select

from app import bookmarks, messages, post_images, reactions
from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import (
    ROLE_ADMIN,
    ROLE_MEMBER,
    ROLE_REPRESENTATIVE,
    STATUS_ACTIVE,
    STATUS_DELETED,
    RecoveryCode,
    Token,
    User,
)
from app.models.audit import record
from app.models.collectives import JoinRequest
from app.models.drafts import Draft
from app.models.forum import GroupWatch, ThreadRead, ThreadWatch
from app.models.notifications import EMAIL_OFF, Notification
from app.urls import external_url

FORMER_MEMBER_NAME = "Voormalig lid"
DELETED_EMAIL_DOMAIN = "invalid.example"


# -- deleting an account ----------------------------------------------------------------------------

def deletion_blocker(user):
    """Why `user` cannot delete their account right now (a Dutch sentence), or None."""
    collective = user.collective
    if user.role == ROLE_REPRESENTATIVE and collective is not None:
        others = db.session.execute(
            select(func.count(User.id)).where(User.collective_id == collective.id, User.id != user.id)
        ).scalar_one()
        if others:
            return (
                f"Je bent de vertegenwoordiger van {collective.name}, en het collectief heeft nog "
                "andere leden. Vraag eerst een moderator om iemand anders vertegenwoordiger te "
                "maken. Daarna kun je je account verwijderen."
            )
    if user.role == ROLE_ADMIN:
        other_admins = db.session.execute(
            select(func.count(User.id)).where(
                User.role == ROLE_ADMIN, User.status == STATUS_ACTIVE, User.id != user.id
            )
        ).scalar_one()
        if not other_admins:
            return (
                "Je bent de enige beheerder van het platform. Maak eerst iemand anders beheerder "
                "voordat je je account verwijdert."
            )
    return None


def _anonymous_email(user):
    """verwijderd-<id>@invalid.example; with a random part if someone registered that address."""
    email = f"verwijderd-{user.id}@{DELETED_EMAIL_DOMAIN}"
    while User.find_by_email(email) not in (None, user):
        email = f"verwijderd-{user.id}-{secrets.token_hex(4)}@{DELETED_EMAIL_DOMAIN}"
    return email


def delete_account(user):
    """Anonymise `user` and remove what only served them; their posts stay, as "Voormalig lid".

    The row itself stays, so posts, threads and reports keep pointing at it and show the new name.
    Returns the old e-mail address (the goodbye e-mail is already queued to it).
    """
    old_email, old_name = user.email, user.name
    role_before, collective_before = user.role, user.collective_id

    # What served only this person goes.
    for model in (Token, JoinRequest, ThreadWatch, GroupWatch, ThreadRead, Notification,
                  RecoveryCode, Draft):
        db.session.execute(
            delete(model).where(model.user_id == user.id).execution_options(synchronize_session=False)
        )
    # Images of posts that stay keep showing with them; the others go (their files after commit).
    post_images.remove_for_deleted_account(user, old_name)
    # Their thanks and "Dit hielp mij" are taken back (the counts go down) and their bookmarks go.
    reactions.remove_for_deleted_account(user, FORMER_MEMBER_NAME)
    bookmarks.remove_for_deleted_account(user)
    # Their private messages stay for the others as "Voormalig lid"; memberships and blocks go.
    messages.forget(user)
    # Other people's notifications about this person carry the old name in their text.
    for notification in db.session.execute(
        select(Notification).where(Notification.actor_id == user.id)
    ).scalars():
        notification.text = notification.text.replace(old_name, FORMER_MEMBER_NAME)[:300]

    user.name = FORMER_MEMBER_NAME
    user.email = _anonymous_email(user)
    # No "$" in it, so it is no Werkzeug hash at all: no password can ever match it.
    user.password_hash = "!deleted!" + secrets.token_hex(32)
    user.status = STATUS_DELETED
    user.role = ROLE_MEMBER  # no badge, no rights, no forum notifications (can_read_forum)
    user.collective_id = None
    user.email_verified_at = None
    user.notify_email = EMAIL_OFF
    user.last_digest_at = None
    user.last_login_at = None
    user.suspended_until = None
    user.suspension_reason = None
    # A partner's organisation, labs and research access end with the account.
    user.partner_organisation_id = None
    user.research_access = False
    user.labs = []
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    # The profile goes with the account (no page, no text, no photo; the caller removes the
    # photo's file once this is committed).
    user.bio_source = user.bio_html = ""
    user.avatar_name = user.avatar_updated_at = None
    user.end_all_sessions()
    db.session.flush()

    record(user, "account.deleted", user, "Account verwijderd op eigen verzoek",
           role=role_before, collective_id=collective_before)
    queue_mail(old_email, "Je account bij CollectieveKracht is verwijderd", "account_deleted",
               name=old_name, register_url=external_url("auth.register"),
               contact_url=external_url("public.contact"))
    return old_email
