"""In-app notifications, also the source of notification e-mails (direct or daily digest)."""
from app.extensions import db
from app.timeutil import utcnow

EMAIL_DIRECT = "direct"
EMAIL_DIGEST = "digest"
EMAIL_OFF = "off"
EMAIL_CHOICES = {
    EMAIL_DIRECT: "Direct (meerdere berichten binnen een paar minuten in één e-mail)",
    EMAIL_DIGEST: "Eén keer per dag een overzicht",
    EMAIL_OFF: "Geen e-mail, alleen meldingen op de site",
}

MAIL_PENDING = "pending"   # still to be e-mailed (by the person's preference)
MAIL_SENT = "sent"
MAIL_SKIPPED = "skipped"   # e-mail off, or read on the site before it was due


class Notification(db.Model):
    __tablename__ = "notifications"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(30), nullable=False)  # reply, mention, quote, new_thread, lab_* …
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text = db.Column(db.String(300), nullable=False)
    url = db.Column(db.String(500), nullable=False)  # a path on this site
    excerpt = db.Column(db.String(500), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    read_at = db.Column(db.DateTime, nullable=True)
    mail_state = db.Column(db.String(10), nullable=False, default=MAIL_PENDING)
    mailed_at = db.Column(db.DateTime, nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
    actor = db.relationship("User", foreign_keys=[actor_id])

    __table_args__ = (
        db.Index("ix_notifications_user_unread", "user_id", "read_at"),
        db.Index("ix_notifications_mail_state", "mail_state", "created_at"),
    )


# What moderators hear about new items in their queues (users.staff_alerts).
STAFF_EACH = "each"
STAFF_DAILY = "daily"
STAFF_NONE = "none"
STAFF_ALERT_CHOICES = {
    STAFF_EACH: "Bij elk nieuw item een melding en een e-mail",
    STAFF_DAILY: "Bij elk nieuw item een melding, en één e-mail per dag om 08:00 met wat er wacht",
    STAFF_NONE: "Geen meldingen en geen e-mail (het aantal in de kopregel blijft)",
}


class StaffAlert(db.Model):
    """One item of a moderators' queue that has been announced: the ledger that makes sure nothing
    is announced twice (unique per kind and item), also when two workers run."""
    __tablename__ = "staff_alerts"

    id = db.Column(db.Integer, primary_key=True)
    # scan, report, partner_application, lab_question, contact, scan_deadline
    kind = db.Column(db.String(30), nullable=False)
    item_id = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    __table_args__ = (db.UniqueConstraint("kind", "item_id", name="uq_staff_alerts_kind_item"),)
