"""Thematic discussion groups: groups, threads, posts, their history, reports and reading state."""
from app.extensions import db
from app.timeutil import utcnow

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25


class ForumGroup(db.Model):
    __tablename__ = "forum_groups"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), nullable=False, unique=True)
    name = db.Column(db.String(100), nullable=False)
    description = db.Column(db.String(500), nullable=False, default="")
    position = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Kept up to date by the forum services, so the group list needs no counting queries.
    thread_count = db.Column(db.Integer, nullable=False, default=0)
    post_count = db.Column(db.Integer, nullable=False, default=0)
    last_post_at = db.Column(db.DateTime, nullable=True)


class Thread(db.Model):
    __tablename__ = "forum_threads"

    id = db.Column(db.Integer, primary_key=True)
    group_id = db.Column(db.Integer, db.ForeignKey("forum_groups.id", ondelete="CASCADE"), nullable=False)
    title = db.Column(db.String(150), nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Denormalised for the thread list: visible posts, the last one's time, author and number.
    post_count = db.Column(db.Integer, nullable=False, default=0)
    last_post_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_post_number = db.Column(db.Integer, nullable=False, default=0)
    last_poster_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    pinned = db.Column(db.Boolean, nullable=False, default=False)
    locked = db.Column(db.Boolean, nullable=False, default=False)
    deleted_at = db.Column(db.DateTime, nullable=True)
    deleted_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    group = db.relationship("ForumGroup")
    author = db.relationship("User", foreign_keys=[author_id])
    last_poster = db.relationship("User", foreign_keys=[last_poster_id])

    __table_args__ = (
        db.Index("ix_forum_threads_listing", "group_id", "deleted_at", "pinned", "last_post_at"),
    )


class Post(db.Model):
    __tablename__ = "forum_posts"

    id = db.Column(db.Integer, primary_key=True)
    thread_id = db.Column(db.Integer, db.ForeignKey("forum_threads.id", ondelete="CASCADE"), nullable=False)
    number = db.Column(db.Integer, nullable=False)  # 1 = the opening post
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    body_source = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)  # sanitised once, at save time (app.markup)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    edited_at = db.Column(db.DateTime, nullable=True)
    edit_count = db.Column(db.Integer, nullable=False, default=0)
    deleted_at = db.Column(db.DateTime, nullable=True)  # by its author: a placeholder stays
    hidden_at = db.Column(db.DateTime, nullable=True)   # by a moderator
    hidden_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    hidden_reason = db.Column(db.String(500), nullable=True)
    # How many people said "Bedankt" (app.reactions keeps it in step with post_thanks), so a
    # thread page shows it without counting.
    thanks_count = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    thread = db.relationship("Thread")
    author = db.relationship("User", foreign_keys=[author_id])

    __table_args__ = (db.UniqueConstraint("thread_id", "number"),)

    @property
    def is_visible(self):
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(db.Model):
    """An earlier version of a post, kept when it is edited (visible to moderators)."""

    __tablename__ = "forum_post_revisions"

    id = db.Column(db.Integer, primary_key=True)
    post_id = db.Column(db.Integer, db.ForeignKey("forum_posts.id", ondelete="CASCADE"), nullable=False, index=True)
    body_source = db.Column(db.Text, nullable=False)
    body_html = db.Column(db.Text, nullable=False)
    written_at = db.Column(db.DateTime, nullable=False)
    replaced_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    editor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    editor = db.relationship("User")


class PostReport(db.Model):
    __tablename__ = "forum_post_reports"

    id = db.Column(db.Integer, primary_key=True)
    post_id = db.Column(db.Integer, db.ForeignKey("forum_posts.id", ondelete="CASCADE"), nullable=False, index=True)
    reporter_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    reason = db.Column(db.String(1000), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    resolved_at = db.Column(db.DateTime, nullable=True, index=True)
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    resolution = db.Column(db.String(500), nullable=True)

    post = db.relationship("Post")
    reporter = db.relationship("User", foreign_keys=[reporter_id])
    resolved_by = db.relationship("User", foreign_keys=[resolved_by_id])


class ThreadWatch(db.Model):
    """Someone's choice for a thread: watching (notified of replies) or muted."""

    __tablename__ = "forum_thread_watches"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id = db.Column(db.Integer, db.ForeignKey("forum_threads.id", ondelete="CASCADE"), primary_key=True)
    watching = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class GroupWatch(db.Model):
    """Someone watching a whole group: notified of new threads in it."""

    __tablename__ = "forum_group_watches"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    group_id = db.Column(db.Integer, db.ForeignKey("forum_groups.id", ondelete="CASCADE"), primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ThreadRead(db.Model):
    """How far someone has read a thread (the highest post number seen)."""

    __tablename__ = "forum_thread_reads"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id = db.Column(db.Integer, db.ForeignKey("forum_threads.id", ondelete="CASCADE"), primary_key=True)
    last_read_number = db.Column(db.Integer, nullable=False, default=0)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
