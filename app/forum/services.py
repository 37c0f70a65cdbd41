"""Discussion groups: starting threads, replying, editing, deleting, reporting, watching, reading.

Functions take the acting person as an argument and flush, never commit: the view owns the
transaction. Post HTML is rendered and sanitised here, once, when a post is saved.
"""
import logging

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app import post_images
from app.accounts.limits import FORUM, check_posting_limit
from app.errors import ConflictError
from app.extensions import db, insert_for, short_lock_wait
from app.forum.mentions import (  # noqa: F401  (resolve_mentions, preview_post: part of this API)
    group_watchers,
    notify_post,
    preview_post,
    quoted_people,
    render_post,
    resolve_mentions,
    watchers,
)
from app.models.audit import record
from app.models.forum import (
    ForumGroup,
    GroupWatch,
    Post,
    PostReport,
    PostRevision,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from app.timeutil import utcnow

log = logging.getLogger(__name__)



class ForumError(ConflictError):
    """An action that cannot go ahead; the message is Dutch and shown as is."""


# -- writing ------------------------------------------------------------------------------------------

def _bump_group(group_id, now, threads=0, posts=1):
    db.session.execute(
        update(ForumGroup).where(ForumGroup.id == group_id).values(
            thread_count=ForumGroup.thread_count + threads,
            post_count=ForumGroup.post_count + posts,
            last_post_at=case(
                (or_(ForumGroup.last_post_at.is_(None), ForumGroup.last_post_at < now), now),
                else_=ForumGroup.last_post_at,
            ),
        ).execution_options(synchronize_session=False)
    )


def create_thread(author, group, title, body, now=None, enforce_limits=True):
    """Start a thread with its opening post; the author watches it. Returns (thread, post)."""
    now = now or utcnow()
    if enforce_limits:
        check_posting_limit(author, now, FORUM)
    thread = Thread(group_id=group.id, title=title, author_id=author.id, created_at=now,
                    post_count=1, last_post_at=now, last_post_number=1, last_poster_id=author.id)
    db.session.add(thread)
    db.session.flush()
    images = post_images.ImagesInText(author)
    post = Post(thread_id=thread.id, number=1, author_id=author.id, body_source=body,
                body_html=render_post(body, images), created_at=now)
    db.session.add(post)
    db.session.flush()
    images.attach(post, now)
    _bump_group(group.id, now, threads=1, posts=1)
    db.session.expire(group, ["thread_count", "post_count", "last_post_at"])
    watch_thread(author, thread)
    mark_read(author, thread, 1)
    notify_post(post, thread, author, mentioned=resolve_mentions(body),
                others=group_watchers(group), others_kind="new_thread")
    return thread, post


def _add_numbered_post(thread_id, author, body, html, now):
    """Insert the next post of a thread, with the thread row locked against parallel replies.

    The first statement writes the thread row: on PostgreSQL that locks the row until commit (like
    SELECT … FOR UPDATE), on SQLite it takes the write lock first, so a parallel reply waits
    instead of failing. The unique (thread_id, number) constraint is the backstop. Nothing may be
    read before that first write (hence the author's id is taken beforehand).
    """
    author_id = author.id
    with db.session.begin_nested():
        db.session.execute(
            update(Thread).where(Thread.id == thread_id).values(
                post_count=Thread.post_count + 1, last_post_at=now, last_poster_id=author_id,
            ).execution_options(synchronize_session=False)
        )
        number = (db.session.execute(
            select(func.max(Post.number)).where(Post.thread_id == thread_id)
        ).scalar() or 0) + 1
        post = Post(thread_id=thread_id, number=number, author_id=author_id, body_source=body,
                    body_html=html, created_at=now)
        db.session.add(post)
        db.session.flush()
        db.session.execute(
            update(Thread).where(Thread.id == thread_id).values(last_post_number=number)
            .execution_options(synchronize_session=False)
        )
    return post


def post_reply(author, thread, body, now=None, enforce_limits=True):
    """Add a reply; the author watches the thread (unless muted). Returns the post."""
    now = now or utcnow()
    if enforce_limits:
        check_posting_limit(author, now, FORUM)
    images = post_images.ImagesInText(author)
    html = render_post(body, images)
    try:
        post = _add_numbered_post(thread.id, author, body, html, now)
    except IntegrityError:
        # Someone else took this number in between (a database without row locks): once more.
        post = _add_numbered_post(thread.id, author, body, html, now)
    images.attach(post, now)
    db.session.expire(thread, ["post_count", "last_post_at", "last_poster_id", "last_post_number"])
    _bump_group(thread.group_id, now)
    db.session.expire(thread.group, ["thread_count", "post_count", "last_post_at"])
    db.session.execute(
        insert_for(ThreadWatch).values(user_id=author.id, thread_id=thread.id, watching=True,
                                    created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "thread_id"])
    )
    mark_read(author, thread, post.number)
    mentioned = resolve_mentions(body)
    notify_post(post, thread, author, mentioned=mentioned, quoted=quoted_people(thread, body),
                others=watchers(thread))
    return post


def edit_post(editor, post, body, now=None):
    """Replace a post's text, keeping the old version; notify people newly mentioned.

    Returns False (and changes nothing) when the text is the same.
    """
    if body == post.body_source:
        return False
    now = now or utcnow()
    before = {person.id for person in resolve_mentions(post.body_source)}
    db.session.add(PostRevision(
        post_id=post.id, body_source=post.body_source, body_html=post.body_html,
        written_at=post.edited_at or post.created_at, replaced_at=now, editor_id=editor.id,
    ))
    images = post_images.ImagesInText(editor, post)
    post.body_source = body
    post.body_html = render_post(body, images)
    post.edited_at = now
    post.edit_count = (post.edit_count or 0) + 1
    db.session.flush()
    images.attach(post, now)
    newly = [person for person in resolve_mentions(body) if person.id not in before]
    notify_post(post, post.thread, editor, mentioned=newly)
    if editor.id != post.author_id:
        record(editor, "forum.edit_post", post,
               f"Bericht {post.number} in “{post.thread.title}” bewerkt")
    return True


def opening_post_blocked(post):
    """Why this post cannot be deleted (an opening post with replies), or None."""
    if post.number != 1:
        return None
    replies = db.session.execute(
        select(func.count(Post.id))
        .where(Post.thread_id == post.thread_id, Post.number > 1, Post.deleted_at.is_(None))
    ).scalar_one()
    if not replies:
        return None
    return ("Het openingsbericht kan niet meer weg nu er reacties op zijn: de discussie zou "
            "onbegrijpelijk worden. Je kunt je bericht wel bewerken.")


def delete_post(actor, post, now=None):
    """Delete a post (a placeholder stays). Deleting a lone opening post deletes its thread.

    Returns True when the whole thread went. Raises ForumError for an opening post with replies.
    """
    now = now or utcnow()
    thread = post.thread
    thread_gone = False
    if post.number == 1:
        blocked = opening_post_blocked(post)
        if blocked:
            raise ForumError(blocked)
        thread.deleted_at = now
        thread.deleted_by_id = actor.id
        thread_gone = True
    post.deleted_at = now
    db.session.flush()
    refresh_counters(thread)
    if actor.id != post.author_id:
        record(actor, "forum.delete_post", post,
               f"Bericht {post.number} in “{thread.title}” verwijderd")
    return thread_gone


def has_open_report(user, post):
    return db.session.execute(
        select(PostReport.id).where(PostReport.post_id == post.id,
                                    PostReport.reporter_id == user.id,
                                    PostReport.resolved_at.is_(None))
    ).first() is not None


def report_post(reporter, post, reason):
    """Report a post to the moderators; one open report per person per post."""
    if has_open_report(reporter, post):
        raise ForumError("Je hebt dit bericht al gemeld. Een moderator bekijkt het zo snel mogelijk.")
    report = PostReport(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.session.add(report)
    db.session.flush()
    return report


# -- counters ---------------------------------------------------------------------------------------

def refresh_counters(thread):
    """Recompute a thread's counters from its visible posts, then those of its group."""
    visible = (Post.thread_id == thread.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
    thread.post_count = db.session.execute(select(func.count(Post.id)).where(*visible)).scalar_one()
    last = db.session.execute(
        select(Post).where(*visible).order_by(Post.number.desc()).limit(1)
    ).scalar_one_or_none()
    thread.last_post_at = last.created_at if last else thread.created_at
    thread.last_post_number = last.number if last else 0
    thread.last_poster_id = last.author_id if last else None
    db.session.flush()
    refresh_group_counters(db.session.get(ForumGroup, thread.group_id))


def refresh_group_counters(group):
    """Recompute a group's counters from its threads that are not deleted."""
    live = (Thread.group_id == group.id, Thread.deleted_at.is_(None))
    threads, posts = db.session.execute(
        select(func.count(Thread.id), func.coalesce(func.sum(Thread.post_count), 0)).where(*live)
    ).one()
    group.thread_count = threads
    group.post_count = int(posts)
    group.last_post_at = db.session.execute(
        select(func.max(Thread.last_post_at)).where(*live, Thread.post_count > 0)
    ).scalar()
    db.session.flush()


# -- watching and reading -----------------------------------------------------------------------

def _set_thread_watch(user, thread, watching):
    db.session.execute(
        insert_for(ThreadWatch).values(user_id=user.id, thread_id=thread.id, watching=watching,
                                    created_at=utcnow())
        .on_conflict_do_update(index_elements=["user_id", "thread_id"], set_={"watching": watching})
    )


def watch_thread(user, thread):
    _set_thread_watch(user, thread, True)


def mute_thread(user, thread):
    """No notifications of replies, not even after replying (mentions still arrive)."""
    _set_thread_watch(user, thread, False)


def unwatch_thread(user, thread):
    """Back to normal: not watching (replying makes you watch again), not muted."""
    db.session.execute(
        delete(ThreadWatch).where(ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread.id)
    )


def watch_group(user, group):
    db.session.execute(
        insert_for(GroupWatch).values(user_id=user.id, group_id=group.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "group_id"])
    )


def unwatch_group(user, group):
    db.session.execute(
        delete(GroupWatch).where(GroupWatch.user_id == user.id, GroupWatch.group_id == group.id)
    )


def _read_upsert(user_id, thread_id, number, bind):
    now = utcnow()
    statement = insert_for(ThreadRead, bind=bind).values(
        user_id=user_id, thread_id=thread_id, last_read_number=number, updated_at=now)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "thread_id"],
        set_={"last_read_number": statement.excluded.last_read_number, "updated_at": now},
        where=ThreadRead.__table__.c.last_read_number < statement.excluded.last_read_number,
    )


def mark_read(user, thread, number):
    """Remember that `user` has read `thread` up to post `number` (never moves backwards), in the
    caller's transaction."""
    db.session.execute(_read_upsert(user.id, thread.id, number, db.session.get_bind()))


def record_page_read(user_id, thread_id, number):
    """`mark_read` for a page view: in a short transaction of its own on its own connection, never
    the page's, waiting at most a moment for another writer's lock. When the database is busy the
    marker is skipped (the next view records it) and the page is shown all the same. Returns
    whether it was recorded."""
    try:
        with db.engine.connect() as connection:
            with short_lock_wait(connection):
                connection.execute(_read_upsert(user_id, thread_id, number, connection))
                connection.commit()
        return True
    except OperationalError as exc:
        log.info("Read marker of person #%s in thread #%s skipped, database busy: %s",
                 user_id, thread_id, str(exc).splitlines()[0][:200])
        return False
