"""What the collectives give the search engine: every collective's public page."""
from app.extensions import db
from app.models.collectives import Collective
from app.search.documents import Source, document_path, finish, watch
from app.search.schema import AUDIENCE_PUBLIC


def collective_document(collective):
    values = {"slug": collective.slug}
    place = ", ".join(part for part in (collective.municipality, collective.province) if part)
    text = " ".join(part for part in (collective.description or "", place,
                                      collective.sector_label) if part)
    return finish({
        "id": f"collective:{collective.id}", "kind": "collectief", "audience": AUDIENCE_PUBLIC,
        "scopes": "", "title": collective.name, "display_title": collective.name,
        # The badge already says "Collectief" (and "Kennisbank" above): "where" adds the place.
        "text": text, "members_text": "", "where": collective.municipality,
        "link": ("collectives.detail", values),
        "path": document_path("collectives.detail", values, f"/collectieven/{collective.slug}"),
        "date": collective.created_at,
    })


def collective_documents(session, where=()):
    for collective in session.execute(
        db.select(Collective).where(*where).order_by(Collective.id)
    ).scalars():
        yield collective_document(collective)


def count_collectives(session):
    return session.execute(db.select(db.func.count()).select_from(Collective)).scalar_one()


SEARCH_DOCUMENTS = (
    Source("collective", Collective, collective_documents, count_collectives),
    watch(Collective, "collective", {"name", "slug", "description", "municipality", "province",
                                     "sector", "country"}),
)
