"""Self-scans: answers kept per question key and questionnaire version."""
from app.extensions import db
from app.timeutil import utcnow

SCAN_DRAFT = "draft"
SCAN_SUBMITTED = "submitted"  # waiting for a moderator (first scan of a new collective)
SCAN_APPROVED = "approved"    # a collective page was made from it
SCAN_REJECTED = "rejected"
SCAN_COMPLETED = "completed"  # a repeat scan of an existing collective: no review needed


class SelfScan(db.Model):
    __tablename__ = "selfscans"

    id = db.Column(db.Integer, primary_key=True)
    # Hash of the private resume token; the raw token lives only in the resume link.
    resume_token_hash = db.Column(db.String(64), nullable=False, unique=True)
    questionnaire_version = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(20), nullable=False, default=SCAN_DRAFT, index=True)
    # The furthest step reached (1-based); a person may go back but not skip ahead.
    furthest_step = db.Column(db.Integer, nullable=False, default=1)
    contact_name = db.Column(db.String(120), nullable=True)
    contact_email = db.Column(db.String(254), nullable=True)
    resume_link_sent_to = db.Column(db.String(254), nullable=True)
    consent_privacy = db.Column(db.Boolean, nullable=False, default=False)
    consent_research = db.Column(db.Boolean, nullable=False, default=False)
    consent_version = db.Column(db.String(40), nullable=True)
    consent_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at = db.Column(db.DateTime, nullable=True, index=True)
    due_at = db.Column(db.DateTime, nullable=True)
    reviewed_at = db.Column(db.DateTime, nullable=True)
    reviewed_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    rejection_reason = db.Column(db.String(2000), nullable=True)
    # Set on approval, or from the start for a repeat scan by a collective's representative.
    collective_id = db.Column(
        db.Integer, db.ForeignKey("collectives.id", ondelete="SET NULL"), nullable=True, index=True
    )
    started_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Scores per dimension (0-100) computed on submission, kept so reports stay stable.
    scores = db.Column(db.JSON, nullable=True)

    answers = db.relationship(
        "SelfScanAnswer", back_populates="scan", cascade="all, delete-orphan",
        order_by="SelfScanAnswer.id",
    )
    collective = db.relationship("Collective", foreign_keys=[collective_id])
    reviewed_by = db.relationship("User", foreign_keys=[reviewed_by_id])
    started_by = db.relationship("User", foreign_keys=[started_by_id])

    def answer_map(self):
        """{question_key: value} of this scan."""
        return {answer.question_key: answer.value for answer in self.answers}


class SelfScanAnswer(db.Model):
    __tablename__ = "selfscan_answers"

    id = db.Column(db.Integer, primary_key=True)
    scan_id = db.Column(db.Integer, db.ForeignKey("selfscans.id", ondelete="CASCADE"), nullable=False)
    question_key = db.Column(db.String(80), nullable=False)
    questionnaire_version = db.Column(db.Integer, nullable=False)
    value = db.Column(db.JSON, nullable=True)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    scan = db.relationship("SelfScan", back_populates="answers")

    __table_args__ = (db.UniqueConstraint("scan_id", "question_key"),)
