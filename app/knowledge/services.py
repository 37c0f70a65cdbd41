"""Changing knowledge items: create, edit, publish, unpublish, attachments. Every change is audited.

The functions add to the current transaction; the caller commits. Files of deleted attachments are
removed from disk by the caller after the commit (app.uploads.delete_stored), so a failed commit
never leaves a row without its file.
"""
import re
from datetime import timedelta

from sqlalchemy import select

from app import uploads
from app.extensions import db
from app.markup import render_markdown
from app.models.audit import record
from app.models.knowledge import (
    FACET_DIMENSION, FACET_SECTOR, FACET_THEME, STATUS_DRAFT, STATUS_PUBLISHED, KnowledgeAttachment,
    KnowledgeItem,
)
from app.slugs import slugify
from app.timeutil import utcnow

MAX_SLUG_BASE = 100  # leaves room for a "-123" suffix within the 120 characters of the column


def _quoted(title):
    return f"“{title[:120]}”"


def unique_slug(title, exclude_id=None):
    """An address from the title, with -2, -3 … when another item has it already."""
    base = slugify(title, max_length=MAX_SLUG_BASE, fallback="item")
    taken = set(db.session.execute(
        select(KnowledgeItem.slug).where(
            (KnowledgeItem.slug == base) | KnowledgeItem.slug.like(base + "-%"),
            *([KnowledgeItem.id != exclude_id] if exclude_id else []),
        )
    ).scalars())
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TOP_HEADING = re.compile(r"^#{1,2}(?!#)")  # Python-Markdown needs no space after the hashes


def render_body(source):
    """The body as sanitised HTML. The item's title is the page's h1 and app.markup allows h3-h5
    only, so "# Kop" and "## Kop" become h3 here instead of losing their heading."""
    lines, in_fence = [], False
    for line in (source or "").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            line = _TOP_HEADING.sub("###", line)
        lines.append(line)
    return render_markdown("\n".join(lines))


def _apply(item, data):
    item.title = data["title"]
    item.kind = data["kind"]
    item.summary = data["summary"]
    item.body_source = data.get("body") or ""
    item.body_html = str(render_body(item.body_source)) if item.body_source else ""
    item.source_name = data.get("source_name") or None
    item.set_facet(FACET_THEME, data.get("themes") or [])
    item.set_facet(FACET_SECTOR, data.get("sectors") or [])
    item.set_facet(FACET_DIMENSION, data.get("dimensions") or [])


def _snapshot(item):
    return (item.title, item.kind, item.summary, item.body_source, item.source_name,
            sorted((tag.facet, tag.value) for tag in item.tags))


def create_item(moderator, data, now=None):
    """A new draft item. `data`: title, kind, summary, body, source_name, themes, sectors, dimensions."""
    now = now or utcnow()
    item = KnowledgeItem(slug=unique_slug(data["title"]), status=STATUS_DRAFT, author_id=moderator.id,
                         updated_by_id=moderator.id, created_at=now, updated_at=now)
    _apply(item, data)
    db.session.add(item)
    db.session.flush()
    record(moderator, "knowledge.create", item, f"Kennisitem {_quoted(item.title)} aangemaakt",
           slug=item.slug, kind=item.kind)
    return item


def update_item(moderator, item, data, now=None):
    """Save an edit; the address stays the same. False when nothing changed."""
    before = _snapshot(item)
    _apply(item, data)
    if _snapshot(item) == before:
        return False
    item.updated_at = now or utcnow()
    item.updated_by_id = moderator.id
    record(moderator, "knowledge.update", item, f"Kennisitem {_quoted(item.title)} bewerkt",
           slug=item.slug)
    return True


def publish(moderator, item, now=None):
    """Make an item public (title and summary for everyone). False when it already was."""
    if item.status == STATUS_PUBLISHED:
        return False
    now = now or utcnow()
    item.status = STATUS_PUBLISHED
    if item.published_at is None:  # a republished item keeps its first date and place in the list
        item.published_at = now
    item.updated_by_id = moderator.id
    record(moderator, "knowledge.publish", item, f"Kennisitem {_quoted(item.title)} gepubliceerd",
           slug=item.slug)
    return True


def unpublish(moderator, item):
    """Take an item offline again (a draft). False when it was not published."""
    if item.status != STATUS_PUBLISHED:
        return False
    item.status = STATUS_DRAFT
    item.updated_by_id = moderator.id
    record(moderator, "knowledge.unpublish", item,
           f"Kennisitem {_quoted(item.title)} offline gehaald", slug=item.slug)
    return True


def add_attachment(moderator, item, stored, now=None):
    """The row of a file app.uploads stored (the caller removes the file if the commit fails)."""
    now = now or utcnow()
    attachment = KnowledgeAttachment(
        item_id=item.id, filename=stored.filename, stored_name=stored.stored_name,
        file_type=stored.file_type, size=stored.size, uploaded_by_id=moderator.id, created_at=now,
    )
    db.session.add(attachment)
    item.updated_at = now
    item.updated_by_id = moderator.id
    db.session.flush()
    record(moderator, "knowledge.add_attachment", item,
           f"Bijlage {stored.filename} toegevoegd aan {_quoted(item.title)}",
           attachment_id=attachment.id, file_type=stored.file_type, size=stored.size)
    return attachment


def delete_attachment(moderator, attachment, now=None):
    """Remove the row; returns the stored name whose file the caller deletes after the commit."""
    item = attachment.item
    stored_name = attachment.stored_name
    record(moderator, "knowledge.delete_attachment", item,
           f"Bijlage {attachment.filename} verwijderd uit {_quoted(item.title)}",
           attachment_id=attachment.id, filename=attachment.filename)
    item.attachments.remove(attachment)
    db.session.delete(attachment)
    item.updated_at = now or utcnow()
    item.updated_by_id = moderator.id
    return stored_name


def delete_item(moderator, item):
    """Delete a draft item with its attachments; returns the stored names whose files the caller
    deletes after the commit. Published items are taken offline first (False: nothing done)."""
    if item.status == STATUS_PUBLISHED:
        return False
    stored_names = [attachment.stored_name for attachment in item.attachments]
    record(moderator, "knowledge.delete", item, f"Kennisitem {_quoted(item.title)} verwijderd",
           slug=item.slug, attachments=len(stored_names))
    db.session.delete(item)
    return stored_names


def was_updated_after_publication(item):
    """Whether to show "bijgewerkt op" beside the publication date."""
    return bool(item.published_at and item.updated_at
                and item.updated_at - item.published_at > timedelta(minutes=1))


def store_upload(file_storage):
    """app.uploads.store_file, re-exported for the views (raises uploads.UploadRejected)."""
    return uploads.store_file(file_storage)
