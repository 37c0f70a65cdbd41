"""PostgreSQL full-text search: the search_documents table (PostgreSQL only)

Revision ID: c4e1a7d2b9f3
Revises: 5b2e8c1d9f40
Create Date: 2026-12-07 08:00:00.000000

The table belongs to the PostgreSQL search backend (app.search.postgres), not to the models: on
SQLite this migration does nothing. Run `flask search rebuild` once after upgrading a PostgreSQL
site (or after switching SEARCH_BACKEND) to fill it.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c4e1a7d2b9f3'
down_revision = '5b2e8c1d9f40'
branch_labels = None
depends_on = None


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return
    op.create_table(
        "search_documents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("display_title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("members_text", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("link", postgresql.JSONB(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=True),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("public_terms", postgresql.TSVECTOR(), nullable=False),
        sa.Column("member_terms", postgresql.TSVECTOR(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_search_documents"),
    )
    op.create_index("ix_search_documents_public_terms", "search_documents", ["public_terms"],
                    postgresql_using="gin")
    op.create_index("ix_search_documents_member_terms", "search_documents", ["member_terms"],
                    postgresql_using="gin")
    op.create_index("ix_search_documents_scopes", "search_documents", ["scopes"],
                    postgresql_using="gin")
    op.create_index("ix_search_documents_date", "search_documents", ["date"])


def downgrade():
    if not _postgresql():
        return
    op.drop_table("search_documents")
