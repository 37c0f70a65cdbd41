"""profiles: a short text (Markdown and its sanitised HTML) and a square photo per person

Revision ID: e5a7c9e1f3b4
Revises: d4f6b8c0e2a3
Create Date: 2026-12-08 14:00:00

Everyone starts without a text or photo: their profile shows initials on a colour of their own.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7c9e1f3b4'
down_revision = 'd4f6b8c0e2a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bio_source', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('bio_html', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('avatar_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('avatar_updated_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('avatar_updated_at')
        batch_op.drop_column('avatar_name')
        batch_op.drop_column('bio_html')
        batch_op.drop_column('bio_source')
