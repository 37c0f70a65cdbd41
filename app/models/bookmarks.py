"""Bookmarks ("Bewaren"): a thread, a post or a lab question someone keeps for later, with an
optional note and a reminder date. Private to their owner (app.bookmarks)."""
from app.extensions import db
from app.timeutil import utcnow

KIND_THREAD = "thread"
KIND_POST = "post"
KIND_LAB_QUESTION = "lab_question"
KINDS = (KIND_THREAD, KIND_POST, KIND_LAB_QUESTION)

MAX_NOTE = 300


class Bookmark(db.Model):
    __tablename__ = "bookmarks"
    __table_args__ = (
        db.UniqueConstraint("user_id", "kind", "target_id", name="uq_bookmarks_user_target"),
        db.Index("ix_bookmarks_user_created", "user_id", "created_at"),
        db.Index("ix_bookmarks_reminders", "reminded_at", "remind_on"),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(20), nullable=False)  # one of KINDS
    # The thread, post or question (no foreign key: it points at one of three tables; a target
    # that is gone shows as "niet meer beschikbaar").
    target_id = db.Column(db.Integer, nullable=False)
    note = db.Column(db.String(MAX_NOTE), nullable=False, default="")
    # A Dutch calendar date: the reminder arrives from 08:00 Amsterdam time that day.
    remind_on = db.Column(db.Date, nullable=True)
    reminded_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
