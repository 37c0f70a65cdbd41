"""Thanks on forum posts ("Bedankt") and "Dit hielp mij" on lab answers: giving and taking back,
who gave them (for the pages), and the one grouped notification the writer gets.

One row per person and post (the primary key) and a counter on the post, changed only when that
row was really added or removed (INSERT … ON CONFLICT DO NOTHING, DELETE, then a conditional
UPDATE of the counter in the same transaction): a double click or two requests at once count once,
and a page reads the number from the post itself, without counting.

The writer hears of it in one notification per post while it is unread: "Sanne en 3 anderen
bedankten je voor …" is updated in place as more people thank, and counts those who thanked since
it was made (taking back lowers it; taking back never notifies). Its e-mail follows the person's
setting through the notification e-mails (app.notifications), like every notification: it holds
the group as it stands when the e-mail goes (a few minutes later, or in the daily digest); a group
that grows after its e-mail went shows the new names in the bell, without a second e-mail.

Functions take the acting person, flush, never commit: the view owns the transaction.
"""
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update

from app.extensions import db, insert_for
from app.forum.mentions import permalink_path
from app.labs.services import reply_path
from app.models.accounts import User
from app.models.forum import Post, Thread
from app.models.labs import LabQuestion, LabReply
from app.models.notifications import Notification
from app.models.reactions import LabReplyHelpful, PostThanks
from app.notifications import notify
from app.permissions import can_read_forum, can_read_question
from app.timeutil import utcnow

MAX_NAMES = 10  # the names a page shows of who gave it; the rest are "en 3 anderen"
TITLE_LENGTH = 80


@dataclass(frozen=True)
class _Kind:
    model: type        # the table of who gave it: PostThanks, LabReplyHelpful
    key: object        # its column naming the post or answer
    target: type       # Post, LabReply
    counter: str       # the counter column on the target
    notification: str  # the kind of notification the writer gets


THANKS = _Kind(PostThanks, PostThanks.post_id, Post, "thanks_count", "thanks")
HELPFUL = _Kind(LabReplyHelpful, LabReplyHelpful.reply_id, LabReply, "helpful_count", "helpful")


def _short(title):
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"


def who(names, count):
    """"Sanne", "Sanne en Piet", "Sanne en 3 anderen": `names` newest first, `count` in all."""
    if count <= 1:
        return names[0]
    if count == 2 and len(names) >= 2:
        return f"{names[0]} en {names[1]}"
    return f"{names[0]} en {count - 1} {'ander' if count == 2 else 'anderen'}"


def thanks_text(names, count, post):
    verb = "bedankte" if count == 1 else "bedankten"
    return f"{who(names, count)} {verb} je voor je bericht in “{_short(post.thread.title)}”"


def helpful_text(names, count, reply):
    verb = "had" if count == 1 else "hadden"
    return f"{who(names, count)} {verb} iets aan je antwoord op “{_short(reply.question.title)}”"


# -- giving and taking back -----------------------------------------------------------------------

def _add(kind, user, target, now):
    """Add `user`'s row for `target`; True when it is new (the counter went up with it)."""
    # RETURNING tells whether a row went in: an INSERT … ON CONFLICT DO NOTHING run through the
    # session does not report a reliable rowcount on PostgreSQL.
    added = db.session.execute(
        insert_for(kind.model)
        .values({kind.key.key: target.id, "user_id": user.id, "created_at": now})
        .on_conflict_do_nothing()
        .returning(kind.model.user_id)
    ).first() is not None
    if added:
        counter = getattr(kind.target, kind.counter)
        db.session.execute(
            update(kind.target).where(kind.target.id == target.id).values({counter: counter + 1})
            .execution_options(synchronize_session=False))
        db.session.expire(target, [kind.counter])
    return bool(added)


def _remove(kind, user, target):
    """Remove `user`'s row for `target`; True when there was one (the counter went down)."""
    removed = db.session.execute(
        delete(kind.model).where(kind.key == target.id, kind.model.user_id == user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        counter = getattr(kind.target, kind.counter)
        db.session.execute(
            update(kind.target).where(kind.target.id == target.id, counter > 0)
            .values({counter: counter - 1}).execution_options(synchronize_session=False))
        db.session.expire(target, [kind.counter])
    return bool(removed)


def give_thanks(user, post, now=None):
    """`user` thanks the writer of `post` (the caller checked can_thank); True when it is new,
    False when they had already thanked (nothing changes then)."""
    now = now or utcnow()
    if not _add(THANKS, user, post, now):
        return False
    if post.author is not None and can_read_forum(post.author):
        _tell(THANKS, post, post.author, permalink_path(post), thanks_text, now)
    return True


def take_back_thanks(user, post):
    """`user` takes back their thanks; True when there was one. Nobody is notified."""
    if not _remove(THANKS, user, post):
        return False
    _retell(THANKS, post, permalink_path(post), thanks_text)
    return True


def mark_helpful(user, reply, now=None):
    """"Dit hielp mij" from `user` on the answer `reply` (the caller checked can_mark_helpful);
    True when it is new."""
    now = now or utcnow()
    if not _add(HELPFUL, user, reply, now):
        return False
    if reply.author is not None and can_read_question(reply.author, reply.question):
        _tell(HELPFUL, reply, reply.author, reply_path(reply), helpful_text, now)
    return True


def unmark_helpful(user, reply):
    """`user` takes back their "Dit hielp mij"; True when there was one. Nobody is notified."""
    if not _remove(HELPFUL, user, reply):
        return False
    _retell(HELPFUL, reply, reply_path(reply), helpful_text)
    return True


# -- the grouped notification ---------------------------------------------------------------------

def _unread(kind, user_id, url):
    """The writer's unread notification of this kind about this post, or None."""
    return db.session.execute(
        select(Notification)
        .where(Notification.user_id == user_id, Notification.kind == kind.notification,
               Notification.url == url, Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(1)
    ).scalar_one_or_none()


def _givers_since(kind, target, since):
    """(the newest two givers as (id, name), how many gave since `since`)."""
    condition = (kind.key == target.id, kind.model.created_at >= since)
    newest = db.session.execute(
        select(User.id, User.name).join(kind.model, kind.model.user_id == User.id)
        .where(*condition)
        .order_by(kind.model.created_at.desc(), kind.model.user_id.desc()).limit(2)
    ).all()
    count = db.session.execute(
        select(func.count()).select_from(kind.model).where(*condition)).scalar_one()
    return newest, count


def _tell(kind, target, writer, url, text_for, now):
    """Tell the writer: update their unread notification about `target`, else add one."""
    existing = _unread(kind, writer.id, url)
    since = existing.created_at if existing is not None else now
    newest, count = _givers_since(kind, target, since)
    if not newest:
        return
    text = text_for([name for _, name in newest], count, target)
    if existing is not None:
        existing.text = text[:300]
        existing.actor_id = newest[0][0]
        return
    notification = notify(writer, kind.notification, text, url, actor=db.session.get(User, newest[0][0]))
    if notification is not None:
        notification.created_at = now  # the start of the group: who gave since then is counted


def _retell(kind, target, url, text_for):
    """After a take-back: the writer's unread notification says who is left, or goes when
    nobody is."""
    if target.author_id is None:
        return
    existing = _unread(kind, target.author_id, url)
    if existing is None:
        return
    newest, count = _givers_since(kind, target, existing.created_at)
    if not newest:
        db.session.delete(existing)
        return
    existing.text = text_for([name for _, name in newest], count, target)[:300]
    existing.actor_id = newest[0][0]


# -- what a page shows ----------------------------------------------------------------------------

@dataclass
class Appreciation:
    """What a page shows of one post or answer: the count, up to MAX_NAMES names (newest first)
    and whether the viewer gave it."""
    count: int
    names: tuple = ()
    mine: bool = False

    @property
    def others(self):
        """How many gave it beyond the names shown."""
        return max(self.count - len(self.names), 0)


def _on(kind, user, targets):
    """{target id: Appreciation} for `targets` (one statement for all, none when nobody gave
    anything to them): the names of the newest MAX_NAMES givers of each, and the viewer's own."""
    counted = {target.id: getattr(target, kind.counter) for target in targets
               if getattr(target, kind.counter)}
    if not counted:
        return {}
    ranked = (
        select(kind.key.label("target_id"), kind.model.user_id.label("user_id"),
               func.row_number().over(
                   partition_by=kind.key,
                   order_by=(kind.model.created_at.desc(), kind.model.user_id.desc()),
               ).label("rank"))
        .where(kind.key.in_(list(counted)))
        .subquery()
    )
    viewer_id = user.id if getattr(user, "is_authenticated", False) else None
    shown = ranked.c.rank <= MAX_NAMES
    rows = db.session.execute(
        select(ranked.c.target_id, ranked.c.user_id, ranked.c.rank, User.name)
        .join(User, User.id == ranked.c.user_id)
        .where(or_(shown, ranked.c.user_id == viewer_id) if viewer_id else shown)
        .order_by(ranked.c.target_id, ranked.c.rank)
    ).all()
    names, mine = {}, set()
    for target_id, user_id, rank, name in rows:
        if rank <= MAX_NAMES:
            names.setdefault(target_id, []).append(name)
        if user_id == viewer_id:
            mine.add(target_id)
    return {target_id: Appreciation(count, tuple(names.get(target_id, ())), target_id in mine)
            for target_id, count in counted.items()}


def thanks_on(user, posts):
    """{post id: Appreciation} for the visible posts of a page, seen by `user`."""
    return _on(THANKS, user, [post for post in posts if post.is_visible])


def helpful_on(user, replies):
    """{reply id: Appreciation} for the visible answers of a question page, seen by `user`."""
    return _on(HELPFUL, user, [reply for reply in replies
                               if reply.hidden_at is None and reply.deleted_at is None])


# -- privacy ------------------------------------------------------------------------------------

def personal_data(user):
    """The thanks and "Dit hielp mij" `user` gave, for the download of their data."""
    thanks = db.session.execute(
        select(PostThanks.post_id, Post.thread_id, Thread.title, PostThanks.created_at)
        .join(Post, Post.id == PostThanks.post_id).join(Thread, Thread.id == Post.thread_id)
        .where(PostThanks.user_id == user.id).order_by(PostThanks.created_at, PostThanks.post_id)
    ).all()
    helpful = db.session.execute(
        select(LabReplyHelpful.reply_id, LabReply.question_id, LabQuestion.title,
               LabReplyHelpful.created_at)
        .join(LabReply, LabReply.id == LabReplyHelpful.reply_id)
        .join(LabQuestion, LabQuestion.id == LabReply.question_id)
        .where(LabReplyHelpful.user_id == user.id)
        .order_by(LabReplyHelpful.created_at, LabReplyHelpful.reply_id)
    ).all()

    def when(value):
        return value.isoformat(timespec="seconds") + "Z"

    return {
        "thanks_given": [{"post_id": post_id, "thread_id": thread_id, "thread_title": title,
                          "given_at": when(at)} for post_id, thread_id, title, at in thanks],
        "helpful_given": [{"lab_reply_id": reply_id, "question_id": question_id,
                           "question_title": title, "given_at": when(at)}
                          for reply_id, question_id, title, at in helpful],
    }


def remove_for_deleted_account(user, former_name):
    """Take back everything `user` gave (counters lowered) when their account is deleted; the
    writers' grouped notifications no longer count or name them (`former_name` replaces their
    name where it stays in a read one)."""
    for kind, load, url_of, text_for in (
        (THANKS, _posts, permalink_path, thanks_text),
        (HELPFUL, _replies, reply_path, helpful_text),
    ):
        ids = db.session.execute(
            select(kind.key).where(kind.model.user_id == user.id)).scalars().all()
        if not ids:
            continue
        db.session.execute(delete(kind.model).where(kind.model.user_id == user.id)
                           .execution_options(synchronize_session=False))
        counter = getattr(kind.target, kind.counter)
        db.session.execute(
            update(kind.target).where(kind.target.id.in_(ids), counter > 0)
            .values({counter: counter - 1}).execution_options(synchronize_session=False))
        for target in load(ids):
            db.session.expire(target, [kind.counter])
            url = url_of(target)
            _retell(kind, target, url, text_for)
            for notification in db.session.execute(
                select(Notification).where(Notification.kind == kind.notification,
                                           Notification.url == url,
                                           Notification.read_at.is_not(None))
            ).scalars():
                notification.text = notification.text.replace(user.name, former_name)[:300]


def _posts(ids):
    return db.session.execute(select(Post).where(Post.id.in_(ids))).scalars().all()


def _replies(ids):
    return db.session.execute(select(LabReply).where(LabReply.id.in_(ids))).scalars().all()
