"""Demo thanks, "Dit hielp mij" and bookmarks: given through the services (so the counters and the
grouped notifications are what the site makes), dated after the posts they are about.

The demo representative finds "… en 3 anderen bedankten je voor …" unread in the bell; the other
notifications are read and never e-mailed, as the forum's demo notifications are.
"""
from datetime import timedelta

from app import bookmarks, reactions
from app.extensions import db
from app.models.forum import Post, Thread
from app.models.labs import REPLY_ANSWER, LabQuestion, LabReply
from app.models.notifications import MAIL_SKIPPED, Notification
from app.permissions import can_mark_helpful, can_thank
from app.timeutil import utcnow
from app.workdays import local_today

NOTE_MEETING = "Bespreken op de ledenvergadering: kunnen wij dit ook?"
NOTE_TIP = "Goede tip voor het werven van vrijwilligers."


def _moment(after, rng, now):
    return min(after + timedelta(minutes=rng.randint(30, 3 * 24 * 60)), now - timedelta(minutes=1))


def seed_appreciation(rng, readers, representative, member):
    """Thanks on about a third of the posts, "Dit hielp mij" on half of the answers, and a few
    bookmarks of `representative` and `member` (one with a reminder next week)."""
    now = utcnow()
    posts = db.session.execute(
        db.select(Post).join(Thread, Thread.id == Post.thread_id)
        .where(Post.deleted_at.is_(None), Post.hidden_at.is_(None), Thread.deleted_at.is_(None))
        .order_by(Post.id)
    ).scalars().all()
    thanks = 0
    for post in posts:
        if rng.random() > 0.35:
            continue
        givers = [person for person in readers if can_thank(person, post)]
        for person in rng.sample(givers, min(len(givers), rng.randint(1, 5))):
            thanks += reactions.give_thanks(person, post, now=_moment(post.created_at, rng, now))

    # Four thanks, the last of them now, on a post of the representative: a grouped notification.
    own = [post for post in posts if post.author_id == representative.id and not post.thanks_count]
    if own:
        post = own[-1]
        givers = [person for person in readers if can_thank(person, post)]
        for minutes, person in enumerate(givers[:4]):
            thanks += reactions.give_thanks(person, post, now=now - timedelta(minutes=40 - minutes))

    answers = db.session.execute(
        db.select(LabReply).where(LabReply.kind == REPLY_ANSWER, LabReply.hidden_at.is_(None),
                                  LabReply.deleted_at.is_(None)).order_by(LabReply.id)
    ).scalars().all()
    helpful = 0
    for index, answer in enumerate(answers):
        if index % 2:
            continue
        givers = [person for person in readers if can_mark_helpful(person, answer)]
        for person in rng.sample(givers, min(len(givers), rng.randint(1, 3))):
            helpful += reactions.mark_helpful(person, answer,
                                              now=_moment(answer.created_at, rng, now))
    db.session.flush()

    kept = _seed_bookmarks(representative, member, posts, now)
    _quiet_notifications(representative)
    return {"thanks": thanks, "helpful marks": helpful, "bookmarks": kept}


def _seed_bookmarks(representative, member, posts, now):
    kept = 0
    threads = db.session.execute(
        db.select(Thread).where(Thread.deleted_at.is_(None)).order_by(Thread.id)).scalars().all()
    if threads:
        bookmark, _ = bookmarks.keep(representative, "thread", threads[0], now=now - timedelta(days=3))
        bookmarks.change(bookmark, NOTE_MEETING, local_today(now) + timedelta(days=7), now=now)
        kept += 1
    question = db.session.execute(
        db.select(LabQuestion).where(LabQuestion.hidden_at.is_(None)).order_by(LabQuestion.id)
    ).scalars().first()
    if question is not None:
        bookmarks.keep(representative, "lab_question", question, now=now - timedelta(days=1))
        kept += 1
    thanked = [post for post in posts if post.thanks_count and post.author_id != member.id]
    if thanked:
        bookmark, _ = bookmarks.keep(member, "post", thanked[0], now=now - timedelta(days=2))
        bookmarks.change(bookmark, NOTE_TIP, None, now=now)
        kept += 1
    return kept


def _quiet_notifications(representative):
    """Read and never e-mailed, but for the representative's newest thanks."""
    newest = db.session.execute(
        db.select(Notification.id).where(Notification.user_id == representative.id,
                                         Notification.kind == "thanks")
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(1)
    ).scalar_one_or_none()
    db.session.execute(
        db.update(Notification).where(Notification.kind.in_(("thanks", "helpful")))
        .values(mail_state=MAIL_SKIPPED, read_at=utcnow())
        .execution_options(synchronize_session=False))
    if newest is not None:
        db.session.execute(
            db.update(Notification).where(Notification.id == newest).values(read_at=None)
            .execution_options(synchronize_session=False))
