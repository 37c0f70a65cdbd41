"""The audit log of moderator and administrator actions."""
from app.extensions import db
from app.timeutil import utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    action = db.Column(db.String(60), nullable=False, index=True)
    target_type = db.Column(db.String(40), nullable=True)
    target_id = db.Column(db.Integer, nullable=True)
    summary = db.Column(db.String(500), nullable=False, default="")
    details = db.Column(db.JSON, nullable=True)

    actor = db.relationship("User")


def record(actor, action, target=None, summary="", **details):
    """Add an audit entry in the current transaction (the caller commits)."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target.__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        summary=summary[:500],
        details=details or None,
    )
    db.session.add(entry)
    return entry
