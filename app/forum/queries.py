"""Reading the forum for its pages: a fixed number of queries per page, whatever its length.

Everything a page shows about a person (name, role, collective) is loaded with the rows in the same
statement, so templates never trigger lazy loads.
"""
import math

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models.accounts import User
from app.models.forum import (
    POSTS_PER_PAGE,
    ForumGroup,
    GroupWatch,
    Post,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from app.pagination import FetchedPagination
from app.validators import MAX_ID, has_control_characters

MAX_SLUG = 80

WATCHING = "watching"
MUTED = "muted"


def groups():
    """All groups in their order, for the forum's front page."""
    return db.session.execute(
        select(ForumGroup).order_by(ForumGroup.position, ForumGroup.name, ForumGroup.id)
    ).scalars().all()


def groups_with_unread(user):
    """Ids of the groups holding a thread with posts `user` has not read (one query)."""
    read = (
        select(ThreadRead.thread_id, ThreadRead.last_read_number)
        .where(ThreadRead.user_id == user.id).subquery()
    )
    return set(db.session.execute(
        select(Thread.group_id).distinct()
        .outerjoin(read, read.c.thread_id == Thread.id)
        .where(Thread.deleted_at.is_(None), Thread.post_count > 0,
               Thread.last_post_number > func.coalesce(read.c.last_read_number, 0))
    ).scalars())


def find_group(slug):
    """The group with this slug, or None (also for slugs that cannot be ours)."""
    if not slug or len(slug) > MAX_SLUG or has_control_characters(slug):
        return None
    return db.session.execute(select(ForumGroup).where(ForumGroup.slug == slug)).scalar_one_or_none()


def thread_list_query(group):
    """A group's threads: pinned first, then by last activity; authors loaded with them."""
    return (
        select(Thread)
        .where(Thread.group_id == group.id, Thread.deleted_at.is_(None))
        .options(
            joinedload(Thread.author).joinedload(User.collective),
            joinedload(Thread.author).joinedload(User.partner_organisation),
            joinedload(Thread.last_poster),
        )
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )


def read_numbers(user, threads):
    """{thread id: last read post number} of `user` for these threads (one query)."""
    ids = [thread.id for thread in threads]
    if not ids or not user.is_authenticated:
        return {}
    return dict(db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.last_read_number)
        .where(ThreadRead.user_id == user.id, ThreadRead.thread_id.in_(ids))
    ).all())


def is_unread(thread, read_map):
    return thread.last_post_number > read_map.get(thread.id, 0)


def watches_group(user, group):
    return db.session.get(GroupWatch, (user.id, group.id)) is not None


def find_thread(thread_id, include_deleted=False):
    """The thread with this id, with its group; None when unknown (or deleted)."""
    if not isinstance(thread_id, int) or not 0 < thread_id <= MAX_ID:
        return None
    query = select(Thread).where(Thread.id == thread_id).options(joinedload(Thread.group))
    if not include_deleted:
        query = query.where(Thread.deleted_at.is_(None))
    return db.session.execute(query).scalar_one_or_none()


def find_post(post_id):
    """The post with this id, with its thread and group loaded; None when unknown."""
    if not isinstance(post_id, int) or not 0 < post_id <= MAX_ID:
        return None
    return db.session.execute(
        select(Post).where(Post.id == post_id)
        .options(joinedload(Post.thread).joinedload(Thread.group), joinedload(Post.author))
    ).scalar_one_or_none()


def post_list_query(thread):
    """A thread's posts in order (placeholders included), authors with collective or organisation."""
    return (
        select(Post)
        .where(Post.thread_id == thread.id)
        .options(
            joinedload(Post.author).joinedload(User.collective),
            joinedload(Post.author).joinedload(User.partner_organisation),
        )
        .order_by(Post.number)
    )


def thread_page(thread, user, page):
    """Page `page` of a thread's posts for `user`, with the total and the viewer's reading and
    watching state, in one statement: (pagination, last read number, WATCHING/MUTED/None).

    The total is a window count over the same rows and the two states are uncorrelated scalar
    subqueries (the database evaluates each once), so the page needs no COUNT or per-viewer
    lookups of its own. Only a page past the end (no rows, so no total) counts separately."""
    read = (select(ThreadRead.last_read_number)
            .where(ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id)
            .scalar_subquery())
    watch = (select(ThreadWatch.watching)
             .where(ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread.id)
             .scalar_subquery())
    found = {"total": None, "read": 0, "watch": None}

    def fetch(number, per_page):
        rows = db.session.execute(
            post_list_query(thread).add_columns(func.count().over(), read, watch)
            .limit(per_page).offset((number - 1) * per_page)
        ).all()
        if rows:
            found.update(total=rows[0][1], read=rows[0][2] or 0, watch=rows[0][3])
        posts = [row[0] for row in rows]
        for post in posts:  # each post's thread is this one: no identity-map lookup per post
            set_committed_value(post, "thread", thread)
        return posts

    def total():
        if found["total"] is None:
            found["total"] = db.session.execute(
                select(func.count(Post.id)).where(Post.thread_id == thread.id)).scalar_one()
            found["read"] = last_read_number(user, thread)
            found["watch"] = _watching(db.session.get(ThreadWatch, (user.id, thread.id)))
        return found["total"]

    pagination = FetchedPagination(page=page, per_page=POSTS_PER_PAGE, error_out=False,
                                   fetch=fetch, total=total)
    watch_state = None if found["watch"] is None else (WATCHING if found["watch"] else MUTED)
    return pagination, found["read"], watch_state


def _watching(watch):
    return None if watch is None else watch.watching


def thread_watch_state(user, thread):
    """WATCHING, MUTED or None."""
    watch = db.session.get(ThreadWatch, (user.id, thread.id))
    if watch is None:
        return None
    return WATCHING if watch.watching else MUTED


def last_read_number(user, thread):
    read = db.session.get(ThreadRead, (user.id, thread.id))
    return read.last_read_number if read else 0


def page_of(post):
    """The page of its thread a post is on (placeholders count: they are shown)."""
    before = db.session.execute(
        select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.number <= post.number)
    ).scalar_one()
    return max(1, math.ceil(before / POSTS_PER_PAGE))


def latest_threads(limit=5):
    """The threads with the most recent posts, with their groups (one query), for the home page."""
    return db.session.execute(
        select(Thread)
        .where(Thread.deleted_at.is_(None), Thread.post_count > 0)
        .options(joinedload(Thread.group))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit)
    ).scalars().all()


def posts_by_query(person, include_hidden=False):
    """The posts `person` wrote, newest first, with their thread and group, for their profile:
    never a post its writer deleted or one in a deleted thread; a post a moderator hid only with
    `include_hidden` (for moderators, who see it marked)."""
    query = (
        select(Post).join(Post.thread)
        .where(Post.author_id == person.id, Post.deleted_at.is_(None), Thread.deleted_at.is_(None))
        .options(contains_eager(Post.thread).joinedload(Thread.group))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    return query if include_hidden else query.where(Post.hidden_at.is_(None))
