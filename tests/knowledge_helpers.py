"""Building knowledge items, attachments, files and the people around them, for the knowledge tests."""
import io
import os
import zipfile
from datetime import timedelta

from app import uploads
from app.extensions import db
from app.models.audit import AuditLog
from app.models.knowledge import (
    FACET_DIMENSION, FACET_SECTOR, FACET_THEME, STATUS_PUBLISHED, KnowledgeAttachment,
    KnowledgeItem,
)
from app.timeutil import utcnow
from tests.collective_helpers import make_collective
from tests.lab_helpers import make_organisation, quick_user


def text(response):
    return response.get_data(as_text=True)


class KnowledgeCast:
    """The people of a knowledge test: one of each role."""

    def __init__(self):
        self.collective = make_collective("Energiecoöperatie De Windvang", slug="windvang")
        self.member = quick_user("lid@example.org", collective=self.collective, name="Anna de Vries")
        organisation = make_organisation("Groenfonds Nederland")
        self.partner = quick_user("partner@example.org", role="partner", name="Petra Partner")
        self.partner.partner_organisation_id = organisation.id
        self.moderator = quick_user("mod@example.org", role="moderator", name="Mo Derator")
        self.outsider = quick_user("los@example.org", name="Olga Los")  # registered, no collective
        db.session.commit()

    def roles(self):
        """(name, user) for everyone who is logged in; None is the visitor."""
        return [("outsider", self.outsider), ("member", self.member), ("partner", self.partner),
                ("moderator", self.moderator)]


def make_item(title="Zo vonden wij nieuwe vrijwilligers", kind="praktijkvoorbeeld",
              status=STATUS_PUBLISHED, summary="Een energiecoöperatie vertelt hoe ze leden actief kreeg.",
              body="## Wat we deden\n\nWe belden **elk lid** op.", themes=("actieve_leden",),
              sectors=("energie",), dimensions=("leden",), source_name="Lectoraat Coöperatief Ondernemen",
              slug=None, published_at=None, author=None):
    from app.knowledge.services import render_body
    from app.slugs import slugify

    now = utcnow()
    item = KnowledgeItem(
        slug=slug or slugify(title, max_length=100), kind=kind, title=title, summary=summary,
        body_source=body, body_html=str(render_body(body)), source_name=source_name,
        status=status, author_id=author.id if author else None,
        published_at=(published_at or now) if status == STATUS_PUBLISHED else published_at,
        created_at=now, updated_at=published_at or now,
    )
    item.set_facet(FACET_THEME, themes)
    item.set_facet(FACET_SECTOR, sectors)
    item.set_facet(FACET_DIMENSION, dimensions)
    db.session.add(item)
    db.session.commit()
    return item


def make_items(count, start=None, **fields):
    """`count` published items, one day apart (the last is the newest)."""
    start = start or utcnow() - timedelta(days=count + 1)
    return [make_item(title=f"Kennisitem nummer {n}", slug=f"kennisitem-{n}",
                      published_at=start + timedelta(days=n), **fields) for n in range(1, count + 1)]


def pdf_bytes(text="Hallo"):
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + text.encode() + b"\n%%EOF\n")


def zip_bytes(members, first=None):
    """A ZIP archive with `members` ({name: bytes}); `first` (name, bytes) is written first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1])
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt_bytes():
    return zip_bytes({"content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<m/>"},
                     first=("mimetype", b"application/vnd.oasis.opendocument.text"))


def docx_bytes():
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                      "_rels/.rels": b"<Relationships/>"})


def xlsx_bytes():
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                      "_rels/.rels": b"<Relationships/>"})


HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def add_attachment(item, data=None, filename="handleiding.pdf"):
    stored = uploads.store_bytes(data if data is not None else pdf_bytes(), filename)
    attachment = KnowledgeAttachment(item_id=item.id, filename=stored.filename,
                                     stored_name=stored.stored_name, file_type=stored.file_type,
                                     size=stored.size)
    db.session.add(attachment)
    db.session.commit()
    return attachment


def stored_files(app):
    """Names in UPLOAD_DIR (temporary files included)."""
    directory = app.config["UPLOAD_DIR"]
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def attachments():
    db.session.expire_all()
    return db.session.execute(db.select(KnowledgeAttachment)).scalars().all()


def audit_actions():
    db.session.expire_all()
    return [entry.action for entry in
            db.session.execute(db.select(AuditLog).order_by(AuditLog.id)).scalars()]


def reload_item(item_id):
    db.session.expire_all()
    return db.session.get(KnowledgeItem, item_id)


def items():
    db.session.expire_all()
    return db.session.execute(db.select(KnowledgeItem).order_by(KnowledgeItem.id)).scalars().all()
