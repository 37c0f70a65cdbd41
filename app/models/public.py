"""What visitors send through the public pages."""
from app.extensions import db
from app.timeutil import utcnow


class ContactMessage(db.Model):
    __tablename__ = "contact_messages"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    email = db.Column(db.String(254), nullable=False)
    subject = db.Column(db.String(150), nullable=False)
    message = db.Column(db.Text, nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    handled_at = db.Column(db.DateTime, nullable=True)


class TeamMember(db.Model):
    """A person of the team on /over-ons, in the order administrators chose."""

    __tablename__ = "team_members"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    role = db.Column(db.String(120), nullable=False)  # the function shown under the name
    bio = db.Column(db.String(400), nullable=False)
    # The stored name of the photo in UPLOAD_DIR (app.uploads), or None without a photo.
    photo_name = db.Column(db.String(64), nullable=True, unique=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
