"""staff alerts: each moderator's choice (each item / daily summary / none), the ledger of
announced queue items

Revision ID: b7d9f1a3c5e2
Revises: a4c6e8f0b2d1
Create Date: 2026-12-07 19:40:00

Everyone starts with "each". Items already waiting when this runs are entered in the ledger, so
the first worker round after the upgrade does not announce the whole backlog at once (the header
count and /beheer still show it).
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d9f1a3c5e2'
down_revision = 'a4c6e8f0b2d1'
branch_labels = None
depends_on = None

_BACKLOG = (
    ("scan", "SELECT id FROM selfscans WHERE status = 'submitted'"),
    ("report", "SELECT id FROM forum_post_reports WHERE resolved_at IS NULL"),
    ("partner_application", "SELECT id FROM partner_applications WHERE status = 'pending'"),
    # Open lab questions count once five working days passed; a week covers that for most.
    ("lab_question", "SELECT id FROM lab_questions WHERE status = 'open' AND created_at < :week_ago"),
    ("contact", "SELECT id FROM contact_messages WHERE handled_at IS NULL"),
    # Scans past their deadline already: the deadline warning would come too late to help.
    ("scan_deadline", "SELECT id FROM selfscans WHERE status = 'submitted' AND due_at < :now"),
)


def upgrade():
    op.create_table('staff_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_alerts')),
    sa.UniqueConstraint('kind', 'item_id', name='uq_staff_alerts_kind_item')
    )
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_alerts_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_alerts', sa.String(length=10), server_default='each',
                                      nullable=False))
        batch_op.add_column(sa.Column('staff_summary_at', sa.DateTime(), nullable=True))

    now = datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC, as the app stores it
    for kind, select in _BACKLOG:
        op.get_bind().execute(
            sa.text(f"INSERT INTO staff_alerts (kind, item_id, created_at) "
                    f"SELECT '{kind}', id, :now FROM ({select}) AS waiting"),
            {"now": now, "week_ago": now - timedelta(days=7)},
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('staff_summary_at')
        batch_op.drop_column('staff_alerts')

    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_alerts_created_at'))

    op.drop_table('staff_alerts')
