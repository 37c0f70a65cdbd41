"""post images: pictures uploaded for forum posts and lab questions and replies, re-encoded and
stored outside static/, attached to the post that shows them

Revision ID: d4f6b8c0e2a3
Revises: c3e5a7b9d1f2
Create Date: 2026-12-08 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f6b8c0e2a3'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('post_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=40), nullable=False),
    sa.Column('thumb_name', sa.String(length=40), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('thumb_width', sa.Integer(), nullable=False),
    sa.Column('thumb_height', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attached_at', sa.DateTime(), nullable=True),
    sa.Column('forum_post_id', sa.Integer(), nullable=True),
    sa.Column('lab_question_id', sa.Integer(), nullable=True),
    sa.Column('lab_reply_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(
        '(CASE WHEN forum_post_id IS NULL THEN 0 ELSE 1 END)'
        ' + (CASE WHEN lab_question_id IS NULL THEN 0 ELSE 1 END)'
        ' + (CASE WHEN lab_reply_id IS NULL THEN 0 ELSE 1 END) <= 1',
        name=op.f('ck_post_images_one_target')),
    sa.ForeignKeyConstraint(['forum_post_id'], ['forum_posts.id'],
                            name=op.f('fk_post_images_forum_post_id_forum_posts'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lab_question_id'], ['lab_questions.id'],
                            name=op.f('fk_post_images_lab_question_id_lab_questions'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lab_reply_id'], ['lab_replies.id'],
                            name=op.f('fk_post_images_lab_reply_id_lab_replies'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_post_images_owner_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_images')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_post_images_stored_name'))
    )
    with op.batch_alter_table('post_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_images_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_images_forum_post_id'), ['forum_post_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_post_images_lab_question_id'), ['lab_question_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_post_images_lab_reply_id'), ['lab_reply_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_post_images_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('post_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_images_owner_id'))
        batch_op.drop_index(batch_op.f('ix_post_images_lab_reply_id'))
        batch_op.drop_index(batch_op.f('ix_post_images_lab_question_id'))
        batch_op.drop_index(batch_op.f('ix_post_images_forum_post_id'))
        batch_op.drop_index(batch_op.f('ix_post_images_created_at'))

    op.drop_table('post_images')
