"""Private messages: conversations between up to ten people, their messages, blocks and reports.

Only a conversation's members read it; moderators read one only while a message in it is reported
(each look is in the audit log). app.messages holds the rules.
"""
from app.extensions import db
from app.timeutil import utcnow

MAX_SUBJECT = 150
MAX_RECIPIENTS = 10  # people one writes to in one conversation


class Conversation(db.Model):
    __tablename__ = "conversations"

    id = db.Column(db.Integer, primary_key=True)
    subject = db.Column(db.String(MAX_SUBJECT), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_message_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    members = db.relationship("ConversationMember", back_populates="conversation",
                              cascade="all, delete-orphan", passive_deletes=True)


class ConversationMember(db.Model):
    __tablename__ = "conversation_members"
    __table_args__ = (
        db.UniqueConstraint("conversation_id", "user_id", name="uq_conversation_members_person"),
        db.Index("ix_conversation_members_user", "user_id", "left_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    conversation_id = db.Column(db.Integer, db.ForeignKey("conversations.id", ondelete="CASCADE"),
                                nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    last_read_at = db.Column(db.DateTime, nullable=True)
    left_at = db.Column(db.DateTime, nullable=True)

    conversation = db.relationship("Conversation", back_populates="members")
    user = db.relationship("User")


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (db.Index("ix_messages_conversation_created", "conversation_id", "created_at"),)

    id = db.Column(db.Integer, primary_key=True)
    conversation_id = db.Column(db.Integer, db.ForeignKey("conversations.id", ondelete="CASCADE"),
                                nullable=False)
    # SET NULL: a deleted account's messages stay for the others, as "Voormalig lid".
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                          index=True)
    body_source = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    hidden_at = db.Column(db.DateTime, nullable=True)

    conversation = db.relationship("Conversation")
    author = db.relationship("User")


class Block(db.Model):
    __tablename__ = "message_blocks"
    __table_args__ = (db.UniqueConstraint("blocker_id", "blocked_id", name="uq_message_blocks_pair"),)

    id = db.Column(db.Integer, primary_key=True)
    blocker_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    blocked_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class MessageReport(db.Model):
    __tablename__ = "message_reports"

    id = db.Column(db.Integer, primary_key=True)
    message_id = db.Column(db.Integer, db.ForeignKey("messages.id", ondelete="CASCADE"),
                           nullable=False, index=True)
    reporter_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"),
                            nullable=True)
    reason = db.Column(db.String(1000), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    resolved_at = db.Column(db.DateTime, nullable=True)
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"),
                               nullable=True)

    message = db.relationship("Message")
