"""images in private messages: post_images.message_id, and one target of four

Revision ID: b2d4f6a8c0e1
Revises: a9c1e3f5b7d9
Create Date: 2026-12-11 10:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c0e1'
down_revision = 'a9c1e3f5b7d9'
branch_labels = None
depends_on = None

THREE = ('(CASE WHEN forum_post_id IS NULL THEN 0 ELSE 1 END)'
         ' + (CASE WHEN lab_question_id IS NULL THEN 0 ELSE 1 END)'
         ' + (CASE WHEN lab_reply_id IS NULL THEN 0 ELSE 1 END)')
FOUR = THREE + ' + (CASE WHEN message_id IS NULL THEN 0 ELSE 1 END)'


def upgrade():
    # SQLite rebuilds the table in batch mode (it cannot change a CHECK in place).
    with op.batch_alter_table('post_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_post_images_message_id'), ['message_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_post_images_message_id_messages'), 'messages',
                                    ['message_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('ck_post_images_one_target'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_post_images_one_target'), FOUR + ' <= 1')


def downgrade():
    # Images of messages become unattached; the retention job removes them after a day.
    op.execute('UPDATE post_images SET message_id = NULL')
    with op.batch_alter_table('post_images', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_post_images_one_target'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_post_images_one_target'), THREE + ' <= 1')
        batch_op.drop_constraint(batch_op.f('fk_post_images_message_id_messages'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_post_images_message_id'))
        batch_op.drop_column('message_id')
