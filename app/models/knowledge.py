"""The knowledge base: practice examples, research translated for practice, tools and documents."""
from app.extensions import db
from app.timeutil import utcnow

KINDS = {
    "praktijkvoorbeeld": "Praktijkvoorbeeld",
    "wetenschappelijk": "Wetenschappelijk inzicht",
    "instrument": "Instrument",
    "document": "Document",
}

# Themes are the challenges a collective can name in its self-scan (uitdagingen_top3), so an item
# tagged with a theme is recommended to every collective that named that challenge.
THEMES = {
    "actieve_leden": "Actieve leden en vrijwilligers",
    "opvolging": "Opvolging van bestuurders",
    "financiering": "Financiering",
    "professionalisering": "Professioneler werken",
    "gemeente": "Samenwerking met de gemeente",
    "regelgeving": "Wetten, regels en vergunningen",
    "ledengroei": "Ledengroei",
    "communicatie": "Communicatie",
    "juridisch": "Juridische vragen",
    "samenwerking": "Samenwerken met andere collectieven",
    "kennis": "Kennis en onderzoek",
}

# The scored self-scan dimensions an item can help with (keys as in the questionnaire).
DIMENSIONS = {
    "doel": "Doel en nut",
    "leden": "Leden",
    "bestuur": "Organisatie en bestuur",
    "financien": "Financiën",
    "extern": "Externe relaties en autonomie",
    "strategie": "Strategie en samenwerking",
}

FACET_THEME = "theme"
FACET_SECTOR = "sector"
FACET_DIMENSION = "dimension"

STATUS_DRAFT = "draft"
STATUS_PUBLISHED = "published"


class KnowledgeItem(db.Model):
    __tablename__ = "knowledge_items"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(120), nullable=False, unique=True)
    kind = db.Column(db.String(30), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    summary = db.Column(db.Text, nullable=False)  # plain text, public
    body_source = db.Column(db.Text, nullable=False, default="")  # Markdown, members only
    body_html = db.Column(db.Text, nullable=False, default="")  # sanitised at save (app.markup)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Who wrote it, as shown (e.g. "Lectoraat Coöperatief Ondernemen"); falls back to the author.
    source_name = db.Column(db.String(200), nullable=True)
    status = db.Column(db.String(20), nullable=False, default=STATUS_DRAFT, index=True)
    published_at = db.Column(db.DateTime, nullable=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    author = db.relationship("User", foreign_keys=[author_id])
    updated_by = db.relationship("User", foreign_keys=[updated_by_id])
    tags = db.relationship(
        "KnowledgeTag", back_populates="item", cascade="all, delete-orphan", lazy="selectin",
        order_by="KnowledgeTag.value",
    )
    attachments = db.relationship(
        "KnowledgeAttachment", back_populates="item", cascade="all, delete-orphan",
        order_by="KnowledgeAttachment.created_at",
    )

    @property
    def is_published(self):
        return self.status == STATUS_PUBLISHED

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    def _facet(self, facet):
        return [tag.value for tag in self.tags if tag.facet == facet]

    @property
    def themes(self):
        return self._facet(FACET_THEME)

    @property
    def sectors(self):
        return self._facet(FACET_SECTOR)

    @property
    def dimensions(self):
        return self._facet(FACET_DIMENSION)

    def set_facet(self, facet, values):
        """Replace the tags of one facet (themes, sectors or dimensions) by `values`."""
        wanted = list(dict.fromkeys(values))
        self.tags = [tag for tag in self.tags if tag.facet != facet or tag.value in wanted]
        have = {tag.value for tag in self.tags if tag.facet == facet}
        for value in wanted:
            if value not in have:
                self.tags.append(KnowledgeTag(facet=facet, value=value))


class KnowledgeTag(db.Model):
    """One theme, sector or self-scan dimension of an item (filterable in SQL on both databases)."""

    __tablename__ = "knowledge_tags"

    item_id = db.Column(db.Integer, db.ForeignKey("knowledge_items.id", ondelete="CASCADE"), primary_key=True)
    facet = db.Column(db.String(20), primary_key=True)
    value = db.Column(db.String(40), primary_key=True)

    item = db.relationship("KnowledgeItem", back_populates="tags")

    __table_args__ = (db.Index("ix_knowledge_tags_facet_value", "facet", "value"),)


class KnowledgeAttachment(db.Model):
    """A file of an item, stored outside static/ under a random name (app.uploads)."""

    __tablename__ = "knowledge_attachments"

    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("knowledge_items.id", ondelete="CASCADE"), nullable=False, index=True)
    filename = db.Column(db.String(200), nullable=False)  # the cleaned original name, for download
    stored_name = db.Column(db.String(80), nullable=False, unique=True)  # random, on disk
    file_type = db.Column(db.String(10), nullable=False)  # pdf, odt, docx, xlsx (from the content)
    size = db.Column(db.Integer, nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    item = db.relationship("KnowledgeItem", back_populates="attachments")
