"""PostgreSQL search: indexes on (date DESC NULLS LAST, id DESC), kind and audience (PostgreSQL only)

Revision ID: d5f1c3a9e7b2
Revises: b8e4d2a61c57
Create Date: 2026-12-07 16:40:00.000000

The newest matches of a word are found by walking the date index from the newest end, which only
works when the index has the query's order (DESC NULLS LAST; the old ascending index read
backwards gives NULLS FIRST). The kind and audience indexes let a query intersect them with the
full-text index: counts per kind of a common word, and a visitor's search for a word that is common
in members-only posts (at 1,000,000 posts: 340 ms before, 16 ms after). Nothing happens on SQLite.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5f1c3a9e7b2'
down_revision = 'b8e4d2a61c57'
branch_labels = None
depends_on = None


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    op.execute("CREATE INDEX ix_search_documents_newest ON search_documents "
               "(date DESC NULLS LAST, id DESC)")
    op.execute("CREATE INDEX ix_search_documents_kind ON search_documents (kind)")
    op.execute("CREATE INDEX ix_search_documents_audience ON search_documents (audience)")
    op.drop_index("ix_search_documents_date", table_name="search_documents")


def downgrade():
    if not _postgresql():
        return
    op.create_index("ix_search_documents_date", "search_documents", ["date"])
    op.drop_index("ix_search_documents_audience", table_name="search_documents")
    op.drop_index("ix_search_documents_kind", table_name="search_documents")
    op.drop_index("ix_search_documents_newest", table_name="search_documents")
