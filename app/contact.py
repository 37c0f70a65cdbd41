"""The contact form's message: stored; the staff-alerts job tells the moderators (app.staff_alerts)."""
from app.extensions import db
from app.models.public import ContactMessage


def submit_contact_message(name, email, subject, message, user=None):
    contact = ContactMessage(name=name, email=email, subject=subject, message=message,
                             user_id=getattr(user, "id", None))
    db.session.add(contact)
    db.session.flush()
    return contact
