"""Appreciation: a "Bedankt" on a forum post and a "Dit hielp mij" on a lab answer.

One row per person and post (the primary key), so a double click or two requests at once can never
count twice; the posts keep the number themselves (forum_posts.thanks_count,
lab_replies.helpful_count), so a page shows it without counting. app.reactions keeps both in step.
"""
from app.extensions import db
from app.timeutil import utcnow


class PostThanks(db.Model):
    __tablename__ = "post_thanks"

    post_id = db.Column(db.Integer, db.ForeignKey("forum_posts.id", ondelete="CASCADE"),
                        primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                        index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")


class LabReplyHelpful(db.Model):
    __tablename__ = "lab_reply_helpful"

    reply_id = db.Column(db.Integer, db.ForeignKey("lab_replies.id", ondelete="CASCADE"),
                         primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                        index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")
