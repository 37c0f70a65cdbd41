"""Drafts: the unposted text of a new thread, a reply, a lab question, answer or response.

One row per person and place (see app.drafts for the places and who may write there). A draft is
private to its writer: nothing but the writer's own requests reads it.
"""
from app.extensions import db
from app.timeutil import utcnow


class Draft(db.Model):
    __tablename__ = "drafts"
    __table_args__ = (db.UniqueConstraint("user_id", "place", name="uq_drafts_user_place"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    # "<kind>:<id>", e.g. "forum.reply:12" (the thread) or "labs.question:3" (the lab).
    place = db.Column(db.String(60), nullable=False)
    title = db.Column(db.String(150), nullable=True)
    body = db.Column(db.Text, nullable=False, default="")
    # The background of a lab question (its second text box).
    context = db.Column(db.Text, nullable=True)
    # Set by the service on every save (the retention job removes drafts untouched for 90 days).
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
