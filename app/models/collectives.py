"""Collectives, their people, and requests to join them."""
from app.extensions import db
from app.timeutil import utcnow

SECTORS = {
    "energie": "Energie",
    "wonen": "Wonen",
    "zorg": "Zorg & welzijn",
    "voedsel": "Voedsel, natuur & landbouw",
    "anders": "Anders",
}

PROVINCES_NL = [
    "Drenthe", "Flevoland", "Friesland", "Gelderland", "Groningen", "Limburg", "Noord-Brabant",
    "Noord-Holland", "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland",
]
PROVINCES_BE = [
    "Antwerpen", "Limburg (BE)", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen", "Brussel",
]
COUNTRIES = {"NL": "Nederland", "BE": "België"}

JOIN_PENDING = "pending"
JOIN_APPROVED = "approved"
JOIN_DECLINED = "declined"
JOIN_WITHDRAWN = "withdrawn"


class Collective(db.Model):
    __tablename__ = "collectives"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(150), nullable=False)
    slug = db.Column(db.String(80), nullable=False, unique=True)
    sector = db.Column(db.String(20), nullable=False)
    municipality = db.Column(db.String(100), nullable=False)
    province = db.Column(db.String(40), nullable=True)
    country = db.Column(db.String(2), nullable=False, default="NL")
    description = db.Column(db.Text, nullable=False, default="")
    website = db.Column(db.String(300), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    members = db.relationship(
        "User", back_populates="collective", foreign_keys="User.collective_id", order_by="User.name"
    )

    def __repr__(self):
        return f"<Collective {self.slug}>"

    @property
    def sector_label(self):
        return SECTORS.get(self.sector, self.sector)

    @property
    def country_label(self):
        return COUNTRIES.get(self.country, self.country)

    @property
    def is_belgian(self):
        return self.country == "BE"


class JoinRequest(db.Model):
    """A person's request to become a member of a collective, decided by its representative."""

    __tablename__ = "join_requests"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    collective_id = db.Column(
        db.Integer, db.ForeignKey("collectives.id", ondelete="CASCADE"), nullable=False
    )
    message = db.Column(db.String(1000), nullable=False, default="")
    status = db.Column(db.String(20), nullable=False, default=JOIN_PENDING)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime, nullable=True)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
    collective = db.relationship("Collective")
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (db.Index("ix_join_requests_collective_status", "collective_id", "status"),)
