"""The mail outbox: every e-mail is a row first, delivered later by app.mail."""
from app.extensions import db
from app.timeutil import utcnow

STATUS_PENDING = "pending"
STATUS_SENDING = "sending"
STATUS_SENT = "sent"
STATUS_FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; kept for a person to look at


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id = db.Column(db.Integer, primary_key=True)
    recipient = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(255), nullable=False)
    body_text = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=True)
    headers = db.Column(db.JSON, nullable=True)
    status = db.Column(db.String(20), nullable=False, default=STATUS_PENDING)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    claimed_until = db.Column(db.DateTime, nullable=True)
    sent_at = db.Column(db.DateTime, nullable=True)
    last_error = db.Column(db.String(1000), nullable=True)

    __table_args__ = (db.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)
