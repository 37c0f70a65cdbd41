"""What the knowledge base gives the search engine: published items, with their summary for
everyone and their body for those who may read it ("members_text")."""
from app.extensions import db
from app.markup import html_text
from app.models.knowledge import STATUS_PUBLISHED, KnowledgeItem
from app.search.documents import Source, document_path, finish, watch
from app.search.schema import AUDIENCE_PUBLIC


def item_document(item):
    values = {"slug": item.slug}
    return finish({
        "id": f"knowledge:{item.id}", "kind": "kennis", "audience": AUDIENCE_PUBLIC,
        "scopes": "", "title": item.title, "display_title": item.title,
        "text": item.summary or "", "members_text": html_text(item.body_html),
        "where": item.kind_label,
        "link": ("knowledge.item", values),
        "path": document_path("knowledge.item", values, f"/kennisbank/{item.slug}"),
        "date": item.published_at or item.created_at,
    })


def item_documents(session, where=()):
    for item in session.execute(
        db.select(KnowledgeItem).where(KnowledgeItem.status == STATUS_PUBLISHED, *where)
        .order_by(KnowledgeItem.id)
    ).scalars():
        yield item_document(item)


def count_items(session):
    return session.execute(db.select(db.func.count()).select_from(KnowledgeItem)
                           .where(KnowledgeItem.status == STATUS_PUBLISHED)).scalar_one()


SEARCH_DOCUMENTS = (
    Source("knowledge", KnowledgeItem, item_documents, count_items),
    watch(KnowledgeItem, "knowledge", {"title", "summary", "body_source", "body_html", "status",
                                       "kind", "slug", "published_at", "created_at"}),
)
