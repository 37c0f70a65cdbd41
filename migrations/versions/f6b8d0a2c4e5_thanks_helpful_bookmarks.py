"""thanks on forum posts, "Dit hielp mij" on lab answers (one per person, with a counter on the
post or answer), and bookmarks with a note and a reminder date

Revision ID: f6b8d0a2c4e5
Revises: e5a7c9e1f3b4
Create Date: 2026-12-09 10:00:00

Every post and answer starts at 0: there was no way to thank before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6b8d0a2c4e5'
down_revision = 'e5a7c9e1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thanks_count', sa.Integer(), server_default='0',
                                      nullable=False))
    with op.batch_alter_table('lab_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helpful_count', sa.Integer(), server_default='0',
                                      nullable=False))

    op.create_table('post_thanks',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'],
                            name=op.f('fk_post_thanks_post_id_forum_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_post_thanks_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'user_id', name=op.f('pk_post_thanks'))
    )
    with op.batch_alter_table('post_thanks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_thanks_user_id'), ['user_id'], unique=False)

    op.create_table('lab_reply_helpful',
    sa.Column('reply_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reply_id'], ['lab_replies.id'],
                            name=op.f('fk_lab_reply_helpful_reply_id_lab_replies'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_lab_reply_helpful_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reply_id', 'user_id', name=op.f('pk_lab_reply_helpful'))
    )
    with op.batch_alter_table('lab_reply_helpful', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_reply_helpful_user_id'), ['user_id'], unique=False)

    op.create_table('bookmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('remind_on', sa.Date(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookmarks_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookmarks')),
    sa.UniqueConstraint('user_id', 'kind', 'target_id', name='uq_bookmarks_user_target')
    )
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.create_index('ix_bookmarks_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_bookmarks_reminders', ['reminded_at', 'remind_on'], unique=False)


def downgrade():
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.drop_index('ix_bookmarks_reminders')
        batch_op.drop_index('ix_bookmarks_user_created')
    op.drop_table('bookmarks')

    with op.batch_alter_table('lab_reply_helpful', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_reply_helpful_user_id'))
    op.drop_table('lab_reply_helpful')

    with op.batch_alter_table('post_thanks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_thanks_user_id'))
    op.drop_table('post_thanks')

    with op.batch_alter_table('lab_replies', schema=None) as batch_op:
        batch_op.drop_column('helpful_count')
    with op.batch_alter_table('forum_posts', schema=None) as batch_op:
        batch_op.drop_column('thanks_count')
