"""Reading knowledge items: the public list with its filters, and one item by its address."""
from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import exists, select

from app.extensions import db
from app.models.collectives import SECTORS
from app.models.knowledge import (
    FACET_SECTOR, FACET_THEME, KINDS, STATUS_PUBLISHED, THEMES, KnowledgeAttachment, KnowledgeItem,
    KnowledgeTag,
)

PER_PAGE = 12

# GET parameter -> (label of the filter, allowed values with their labels, facet or None for kind)
FILTERS = {
    "soort": ("Soort", KINDS, None),
    "thema": ("Thema", THEMES, FACET_THEME),
    "sector": ("Sector", SECTORS, FACET_SECTOR),
}


@dataclass
class Filters:
    """The filters of the list page as asked for: the valid ones, and what was ignored."""

    chosen: dict = field(default_factory=dict)  # parameter -> value (valid only)
    ignored: list = field(default_factory=list)  # labels of filters with an unknown value

    def label(self, name):
        return FILTERS[name][1][self.chosen[name]]


def read_filters(args):
    """The soort/thema/sector filters from the query string; unknown values are ignored."""
    filters = Filters()
    for name, (label, allowed, _facet) in FILTERS.items():
        value = args.get(name, type=str)
        if value is None or not value.strip():
            continue
        value = value.strip()
        if value in allowed:
            filters.chosen[name] = value
        else:
            filters.ignored.append(label)
    return filters


def _has_tag(facet, value):
    return exists().where(
        KnowledgeTag.item_id == KnowledgeItem.id,
        KnowledgeTag.facet == facet,
        KnowledgeTag.value == value,
    )


def published_query(filters=None):
    """Published items, newest first, narrowed by the chosen filters."""
    query = select(KnowledgeItem).where(KnowledgeItem.status == STATUS_PUBLISHED)
    for name, value in (filters.chosen.items() if filters else ()):
        facet = FILTERS[name][2]
        if facet is None:
            query = query.where(KnowledgeItem.kind == value)
        else:
            query = query.where(_has_tag(facet, value))
    return query.order_by(KnowledgeItem.published_at.desc(), KnowledgeItem.id.desc())


def find_item(slug):
    if not isinstance(slug, str) or len(slug) > 120:
        return None
    return db.session.execute(
        select(KnowledgeItem).where(KnowledgeItem.slug == slug)
    ).scalar_one_or_none()


def find_attachment(item, attachment_id):
    """The attachment with this id when it belongs to `item`, else None."""
    attachment = db.session.get(KnowledgeAttachment, attachment_id)
    if attachment is None or attachment.item_id != item.id:
        return None
    return attachment


def latest_items(limit=3):
    """The newest published items in the shape the home page's "Nieuw in de kennisbank" expects."""
    found = db.session.execute(published_query().limit(limit)).scalars()
    return [{"title": item.title, "url": url_for("knowledge.item", slug=item.slug),
             "type_label": item.kind_label, "summary": item.summary} for item in found]
