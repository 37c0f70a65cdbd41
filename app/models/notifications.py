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
