"""labs: the Dutch-situation sentence leaves the purpose of Financelab and Overheidslab

Revision ID: e3a7b9c1d2f4
Revises: d5f1c3a9e7b2
Create Date: 2026-12-07 18:10:00.000000

The lab page shows a notice for labs aimed at the Dutch situation (labs.dutch_only); the purpose
text said the same again, so the page said it twice.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a7b9c1d2f4'
down_revision = 'd5f1c3a9e7b2'
branch_labels = None
depends_on = None

SENTENCE = " Het lab is gericht op de Nederlandse situatie."
SLUGS = ("financelab", "overheidslab")


def upgrade():
    labs = sa.table("labs", sa.column("slug", sa.String), sa.column("purpose", sa.Text))
    op.execute(labs.update().where(labs.c.slug.in_(SLUGS))
               .values(purpose=sa.func.replace(labs.c.purpose, SENTENCE, "")))


def downgrade():
    labs = sa.table("labs", sa.column("slug", sa.String), sa.column("purpose", sa.Text))
    op.execute(labs.update().where(labs.c.slug.in_(SLUGS), ~labs.c.purpose.endswith(SENTENCE))
               .values(purpose=labs.c.purpose + SENTENCE))
