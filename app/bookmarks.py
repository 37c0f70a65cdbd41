"""Bookmarks ("Bewaren"): a thread, a post or a lab question someone keeps for later, with an
optional note and a reminder date; the list at /bewaard, and the reminders the worker sends.

A bookmark is private to its owner: nothing but their own requests (and the worker's reminder to
them) reads it. It points at what it keeps by kind and id; something its owner can no longer read
(deleted, hidden, or they lost access) stays in the list as "niet meer beschikbaar", without its
title. Functions flush, never commit (the view owns the transaction), except the worker's
`send_reminders`, which commits each reminder on its own.
"""
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db, insert_for
from app.forum.mentions import permalink_path
from app.labs.services import question_path
from app.models.bookmarks import (
    KIND_LAB_QUESTION,
    KIND_POST,
    KIND_THREAD,
    KINDS,
    MAX_NOTE,
    Bookmark,
)
from app.models.accounts import User
from app.models.forum import Post, Thread
from app.models.labs import LabQuestion
from app.notifications import notify
from app.permissions import (
    can_read_forum,
    can_read_post,
    can_read_question,
    can_read_thread,
    can_view_lab_questions,
)
from app.slugs import thread_slug
from app.timeutil import utcnow
from app.urls import site_path
from app.validators import MAX_ID
from app.workdays import to_local

PER_PAGE = 20
REMINDER_TIME = time(8, 0)  # Dutch time on the reminder date
MAX_YEARS_AHEAD = 5
TITLE_LENGTH = 80
UNAVAILABLE = "niet meer beschikbaar"


def _short(title):
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"


# -- what can be kept ------------------------------------------------------------------------------

def _load(kind, ids):
    """{id: row} of the threads, posts or questions with these ids, with what their line shows."""
    ids = [target_id for target_id in ids if isinstance(target_id, int) and 0 < target_id <= MAX_ID]
    if not ids:
        return {}
    if kind == KIND_THREAD:
        query = select(Thread).where(Thread.id.in_(ids)).options(joinedload(Thread.group))
    elif kind == KIND_POST:
        query = select(Post).where(Post.id.in_(ids)).options(
            joinedload(Post.thread).joinedload(Thread.group), joinedload(Post.author))
    elif kind == KIND_LAB_QUESTION:
        query = select(LabQuestion).where(LabQuestion.id.in_(ids)).options(
            joinedload(LabQuestion.lab))
    else:
        return {}
    return {row.id: row for row in db.session.execute(query).unique().scalars()}


def find_target(kind, target_id):
    """The thread, post or question a bookmark would keep (also a deleted or hidden one), or None."""
    if kind not in KINDS:
        return None
    return _load(kind, [target_id]).get(target_id)


def can_read_target(user, kind, target):
    """May `user` read `target` now (and so keep it, or see it in their list)?"""
    if target is None:
        return False
    if kind == KIND_THREAD:
        return can_read_thread(user, target)
    if kind == KIND_POST:
        return can_read_post(user, target)
    return can_read_question(user, target)


def can_read_section(user, kind):
    """May `user` read the forum (threads, posts) or the lab questions at all?"""
    return can_view_lab_questions(user) if kind == KIND_LAB_QUESTION else can_read_forum(user)


def target_path(kind, target):
    """The site path of what a bookmark keeps (built without a request)."""
    if kind == KIND_THREAD:
        return site_path("forum.thread", group_slug=target.group.slug, thread_id=target.id,
                         slug=thread_slug(target.title))
    if kind == KIND_POST:
        return permalink_path(target)
    return question_path(target)


def target_title(kind, target):
    if kind == KIND_POST:
        author = target.author
        author = author.name if author is not None and not author.is_deleted else "voormalig lid"
        return f"Bericht #{target.number} van {author} in “{_short(target.thread.title)}”"
    return target.title


def target_place(kind, target):
    """Where it lives: "Forum · Energie", "Financelab"."""
    if kind == KIND_LAB_QUESTION:
        return target.lab.name
    group = target.group if kind == KIND_THREAD else target.thread.group
    return f"Forum · {group.name}"


KIND_LABELS = {KIND_THREAD: "Discussie", KIND_POST: "Bericht", KIND_LAB_QUESTION: "Labvraag"}


# -- keeping, changing, removing ------------------------------------------------------------------

def find(user, kind, target_id):
    return db.session.execute(
        select(Bookmark).where(Bookmark.user_id == user.id, Bookmark.kind == kind,
                               Bookmark.target_id == target_id)
    ).scalar_one_or_none()


def own_bookmark(user, bookmark_id):
    """`user`'s bookmark with this id; None for someone else's (it looks the same as none)."""
    if not isinstance(bookmark_id, int) or not 0 < bookmark_id <= MAX_ID:
        return None
    bookmark = db.session.get(Bookmark, bookmark_id)
    return bookmark if bookmark is not None and bookmark.user_id == user.id else None


def keep(user, kind, target, now=None):
    """`user` keeps `target` (the caller checked can_read_target); returns (bookmark, new). A
    second click, or two at once, keeps it once."""
    now = now or utcnow()
    added = db.session.execute(
        insert_for(Bookmark)
        .values(user_id=user.id, kind=kind, target_id=target.id, note="", created_at=now,
                updated_at=now)
        .on_conflict_do_nothing()
        .returning(Bookmark.id)  # rowcount is not reliable for this INSERT on PostgreSQL
    ).first() is not None
    return find(user, kind, target.id), added


def change(bookmark, note, remind_on, now=None):
    """A new note and reminder date (None: no reminder); a changed date is reminded again."""
    now = now or utcnow()
    note = (note or "").strip()[:MAX_NOTE]
    if remind_on != bookmark.remind_on:
        bookmark.reminded_at = None
    bookmark.note, bookmark.remind_on, bookmark.updated_at = note, remind_on, now
    db.session.flush()


def remove(bookmark):
    db.session.delete(bookmark)
    db.session.flush()


def remind_on_problem(value, current=None, now=None):
    """Why `value` cannot be a reminder date (a Dutch sentence), or None. A date already set is
    kept as it is when the form is saved again, even once it has passed."""
    if value is None or value == current:
        return None
    today = to_local(now or utcnow()).date()
    if value <= today:
        return "Kies een datum na vandaag."
    if (value - today).days > 366 * MAX_YEARS_AHEAD:
        return f"Kies een datum binnen {MAX_YEARS_AHEAD} jaar."
    return None


# -- what pages show -------------------------------------------------------------------------------

def marks_on(user, thread=None, posts=(), question=None):
    """{(kind, id): Bookmark} of `user` for a page's thread, posts and question (one statement,
    none for a visitor)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    wanted = []
    if thread is not None:
        wanted.append(and_(Bookmark.kind == KIND_THREAD, Bookmark.target_id == thread.id))
    post_ids = [post.id for post in posts]
    if post_ids:
        wanted.append(and_(Bookmark.kind == KIND_POST, Bookmark.target_id.in_(post_ids)))
    if question is not None:
        wanted.append(and_(Bookmark.kind == KIND_LAB_QUESTION, Bookmark.target_id == question.id))
    if not wanted:
        return {}
    return {(bookmark.kind, bookmark.target_id): bookmark for bookmark in db.session.execute(
        select(Bookmark).where(Bookmark.user_id == user.id, or_(*wanted))).scalars()}


def list_query(user):
    """`user`'s bookmarks, newest first."""
    return (select(Bookmark).where(Bookmark.user_id == user.id)
            .order_by(Bookmark.created_at.desc(), Bookmark.id.desc()))


@dataclass
class Entry:
    """A line of /bewaard: the bookmark and, when its owner may still read it, what it keeps."""
    bookmark: Bookmark
    available: bool
    title: str = UNAVAILABLE
    path: str | None = None
    place: str = ""

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.bookmark.kind, "")


def entries(user, bookmarks):
    """The lines for these bookmarks of `user`: at most one statement per kind, whatever their
    number."""
    ids = {}
    for bookmark in bookmarks:
        ids.setdefault(bookmark.kind, []).append(bookmark.target_id)
    loaded = {kind: _load(kind, kind_ids) for kind, kind_ids in ids.items()}
    lines = []
    for bookmark in bookmarks:
        target = loaded.get(bookmark.kind, {}).get(bookmark.target_id)
        if not can_read_target(user, bookmark.kind, target):
            lines.append(Entry(bookmark, False))
            continue
        lines.append(Entry(bookmark, True, target_title(bookmark.kind, target),
                           target_path(bookmark.kind, target), target_place(bookmark.kind, target)))
    return lines


# -- reminders (the worker's bookmark-reminders job) ------------------------------------------------

def due_through(now):
    """The last reminder date that is due at `now`: today from 08:00 Dutch time, else yesterday."""
    local = to_local(now)
    today = local.date()
    return today if local.time() >= REMINDER_TIME else today - timedelta(days=1)


def send_reminders(now=None):
    """Send the reminders that are due: a notification (kind "bookmark_reminder", e-mailed as the
    person chose) on the reminder date, from 08:00 Dutch time or the first round after. Each is
    claimed with a conditional UPDATE and committed on its own, so two workers never send one twice
    and one failure holds up no other. Returns how many were sent."""
    now = now or utcnow()
    due = db.session.execute(
        select(Bookmark.id, Bookmark.remind_on)
        .where(Bookmark.reminded_at.is_(None), Bookmark.remind_on.is_not(None),
               Bookmark.remind_on <= due_through(now))
        .order_by(Bookmark.remind_on, Bookmark.id)
    ).all()
    db.session.commit()  # end the read; each reminder gets a transaction of its own
    sent = 0
    for bookmark_id, remind_on in due:
        claimed = db.session.execute(
            update(Bookmark)
            .where(Bookmark.id == bookmark_id, Bookmark.reminded_at.is_(None),
                   Bookmark.remind_on == remind_on)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            bookmark = db.session.get(Bookmark, bookmark_id)
            _remind(bookmark)
            sent += 1
        db.session.commit()
    return sent


def _remind(bookmark):
    user = db.session.get(User, bookmark.user_id)
    target = find_target(bookmark.kind, bookmark.target_id)
    if can_read_target(user, bookmark.kind, target):
        text = f"Herinnering: “{_short(target_title(bookmark.kind, target))}”"
        path = target_path(bookmark.kind, target)
    else:
        text = f"Herinnering aan iets wat je bewaarde (het is {UNAVAILABLE})"
        path = site_path("bookmarks.index")
    notify(user, "bookmark_reminder", text, path, excerpt=bookmark.note)


# -- privacy ------------------------------------------------------------------------------------

def personal_data(user):
    """`user`'s bookmarks for the download of their data (what they keep, not its text)."""
    bookmarks = db.session.execute(
        select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.id)).scalars().all()

    def when(value):
        return value.isoformat(timespec="seconds") + "Z" if value is not None else None

    return [
        {
            "kind": bookmark.kind,
            "target_id": bookmark.target_id,
            "note": bookmark.note,
            "remind_on": bookmark.remind_on.isoformat() if bookmark.remind_on else None,
            "reminded_at": when(bookmark.reminded_at),
            "created_at": when(bookmark.created_at),
            "updated_at": when(bookmark.updated_at),
        }
        for bookmark in bookmarks
    ]


def remove_for_deleted_account(user):
    db.session.execute(delete(Bookmark).where(Bookmark.user_id == user.id)
                       .execution_options(synchronize_session=False))
