"""The contact form's message: stored, and sent to the moderators."""
from flask import current_app
from sqlalchemy import and_, or_

from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import STAFF_ROLES, STATUS_ACTIVE, User
from app.models.public import ContactMessage
from app.timeutil import utcnow
from app.urls import external_url


def moderator_addresses():
    """The moderators and admins who can act now (a suspension that has run out counts as over)."""
    can_act = or_(
        User.status == STATUS_ACTIVE,
        and_(User.suspended_until.is_not(None), User.suspended_until <= utcnow()),
    )
    addresses = db.session.execute(
        db.select(User.email).where(User.role.in_(STAFF_ROLES), can_act).order_by(User.id)
    ).scalars().all()
    return addresses or [current_app.config["MAIL_DEFAULT_SENDER"]]


def submit_contact_message(name, email, subject, message, user=None):
    contact = ContactMessage(name=name, email=email, subject=subject, message=message,
                             user_id=getattr(user, "id", None))
    db.session.add(contact)
    db.session.flush()
    for address in moderator_addresses():
        queue_mail(
            address,
            f"Contactformulier: {subject}",
            "contact_message",
            headers={"Reply-To": email},
            contact=contact,
            admin_url=external_url("admin.contact_messages"),
        )
    return contact
