"""Partner labs: partner organisations, applications, and the questions collectives ask."""
from app.extensions import db
from app.timeutil import utcnow

PARTNER_KINDS = {
    "financier": "Financier",
    "kennisinstelling": "Kennisinstelling",
    "overheid": "Overheid",
    "netwerkorganisatie": "Netwerkorganisatie",
}

APPLICATION_PENDING = "pending"
APPLICATION_APPROVED = "approved"
APPLICATION_REFUSED = "refused"

QUESTION_OPEN = "open"              # no answer yet
QUESTION_ANSWERED = "beantwoord"    # at least one answer by a partner or moderator
QUESTION_SOLVED = "opgelost"        # an answer was accepted
QUESTION_STATUS_LABELS = {
    QUESTION_OPEN: "Open",
    QUESTION_ANSWERED: "Beantwoord",
    QUESTION_SOLVED: "Opgelost",
}

REPLY_ANSWER = "answer"      # by a partner of the lab or a moderator
REPLY_RESPONSE = "response"  # by the asker or fellow members of the collective

lab_partners = db.Table(
    "lab_partners",
    db.Column("lab_id", db.Integer, db.ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Lab(db.Model):
    __tablename__ = "labs"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(60), nullable=False)
    partner_kind = db.Column(db.String(30), nullable=False)  # a key of PARTNER_KINDS
    tagline = db.Column(db.String(200), nullable=False, default="")
    purpose = db.Column(db.Text, nullable=False, default="")
    # Financelab and Overheidslab are aimed at the Dutch situation (Flemish collectives are told).
    dutch_only = db.Column(db.Boolean, nullable=False, default=False)
    position = db.Column(db.Integer, nullable=False, default=0)

    partners = db.relationship("User", secondary=lab_partners, order_by="User.name",
                               back_populates="labs")


class PartnerOrganisation(db.Model):
    __tablename__ = "partner_organisations"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(150), nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    website = db.Column(db.String(300), nullable=True)
    description = db.Column(db.String(1000), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def kind_label(self):
        return PARTNER_KINDS.get(self.kind, self.kind)


class PartnerApplication(db.Model):
    __tablename__ = "partner_applications"

    id = db.Column(db.Integer, primary_key=True)
    organisation_name = db.Column(db.String(150), nullable=False)
    kind = db.Column(db.String(30), nullable=False)
    website = db.Column(db.String(300), nullable=True)
    lab_slugs = db.Column(db.JSON, nullable=False)
    contact_name = db.Column(db.String(120), nullable=False)
    contact_email = db.Column(db.String(254), nullable=False)
    contact_role = db.Column(db.String(120), nullable=True)
    motivation = db.Column(db.Text, nullable=False)
    declares_not_selling = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(20), nullable=False, default=APPLICATION_PENDING, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime, nullable=True)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    refusal_reason = db.Column(db.String(2000), nullable=True)
    organisation_id = db.Column(
        db.Integer, db.ForeignKey("partner_organisations.id", ondelete="SET NULL"), nullable=True
    )

    decided_by = db.relationship("User")
    organisation = db.relationship("PartnerOrganisation")


class LabQuestion(db.Model):
    __tablename__ = "lab_questions"

    id = db.Column(db.Integer, primary_key=True)
    lab_id = db.Column(db.Integer, db.ForeignKey("labs.id", ondelete="CASCADE"), nullable=False)
    collective_id = db.Column(db.Integer, db.ForeignKey("collectives.id", ondelete="SET NULL"), nullable=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    title = db.Column(db.String(150), nullable=False)
    body_source = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)
    context_source = db.Column(db.Text, nullable=False, default="")
    context_html = db.Column(db.Text, nullable=False, default="")
    is_research = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(20), nullable=False, default=QUESTION_OPEN)
    answer_count = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_activity_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    first_answer_at = db.Column(db.DateTime, nullable=True)
    solved_at = db.Column(db.DateTime, nullable=True)
    edited_at = db.Column(db.DateTime, nullable=True)
    edit_count = db.Column(db.Integer, nullable=False, default=0)
    accept_reminder_sent_at = db.Column(db.DateTime, nullable=True)
    hidden_at = db.Column(db.DateTime, nullable=True)

    lab = db.relationship("Lab")
    collective = db.relationship("Collective")
    author = db.relationship("User")

    __table_args__ = (db.Index("ix_lab_questions_listing", "lab_id", "status", "last_activity_at"),)

    @property
    def status_label(self):
        return QUESTION_STATUS_LABELS.get(self.status, self.status)


class LabReply(db.Model):
    """An answer (partner, moderator) or a response (asker, fellow members) to a lab question."""

    __tablename__ = "lab_replies"

    id = db.Column(db.Integer, primary_key=True)
    question_id = db.Column(db.Integer, db.ForeignKey("lab_questions.id", ondelete="CASCADE"), nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    kind = db.Column(db.String(10), nullable=False, default=REPLY_ANSWER)
    body_source = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    edited_at = db.Column(db.DateTime, nullable=True)
    edit_count = db.Column(db.Integer, nullable=False, default=0)
    accepted_at = db.Column(db.DateTime, nullable=True)
    accepted_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # The partner's organisation when they wrote it, so the badge stays true if they move on.
    organisation_id = db.Column(
        db.Integer, db.ForeignKey("partner_organisations.id", ondelete="SET NULL"), nullable=True
    )
    hidden_at = db.Column(db.DateTime, nullable=True)
    deleted_at = db.Column(db.DateTime, nullable=True)
    # How many people said "Dit hielp mij" (app.reactions keeps it in step with lab_reply_helpful);
    # answers are ordered by it.
    helpful_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    question = db.relationship("LabQuestion")
    author = db.relationship("User", foreign_keys=[author_id])
    accepted_by = db.relationship("User", foreign_keys=[accepted_by_id])
    organisation = db.relationship("PartnerOrganisation")

    __table_args__ = (db.Index("ix_lab_replies_question", "question_id", "created_at"),)


class LabRevision(db.Model):
    """An earlier version of a lab question or reply, kept when it is edited."""

    __tablename__ = "lab_revisions"

    id = db.Column(db.Integer, primary_key=True)
    question_id = db.Column(db.Integer, db.ForeignKey("lab_questions.id", ondelete="CASCADE"), nullable=True, index=True)
    reply_id = db.Column(db.Integer, db.ForeignKey("lab_replies.id", ondelete="CASCADE"), nullable=True, index=True)
    title = db.Column(db.String(150), nullable=True)
    body_source = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)
    context_source = db.Column(db.Text, nullable=True)
    written_at = db.Column(db.DateTime, nullable=False)
    replaced_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    editor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    editor = db.relationship("User")
