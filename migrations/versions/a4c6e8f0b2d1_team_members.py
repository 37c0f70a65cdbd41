"""team members: the people on /over-ons, edited by administrators

Revision ID: a4c6e8f0b2d1
Revises: e3a7b9c1d2f4
Create Date: 2026-12-08 10:00:00.000000

The about page listed placeholder people written into its template. The team is now a table that
administrators keep at /beheer/team; it starts empty (demo people come from seed-demo only).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c6e8f0b2d1'
down_revision = 'e3a7b9c1d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=120), nullable=False),
    sa.Column('bio', sa.String(length=400), nullable=False),
    sa.Column('photo_name', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('photo_name', name=op.f('uq_team_members_photo_name'))
    )


def downgrade():
    op.drop_table('team_members')
