"""Notifications: the one place that tells people about replies, mentions, quotes and answers.

`notify()` adds an in-app notification in the caller's transaction. Turning notifications into
e-mail happens later, in the background worker's notifications job (`send_notification_emails()`): people who chose
"direct" get one e-mail for everything that arrived within a few minutes, "digest" people one
e-mail a day, "off" people none. The e-mails go through the outbox, like every e-mail.
"""
import hmac
import logging
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_

from app.extensions import db
from app.mail import queue_mail
from app.urls import external_url
from app.models.accounts import User
from app.models.notifications import (
    EMAIL_DIGEST,
    EMAIL_DIRECT,
    EMAIL_OFF,
    MAIL_PENDING,
    MAIL_SENT,
    MAIL_SKIPPED,
    Notification,
)
from app.timeutil import utcnow
from app.tokens import address_digest

log = logging.getLogger(__name__)

# A direct e-mail waits this long after the first unsent notification, so that several replies
# in quick succession arrive as one e-mail.
DIRECT_BATCH_DELAY = timedelta(minutes=3)
DIGEST_INTERVAL = timedelta(hours=24)
MAX_ITEMS_PER_MAIL = 30


def notify(user, kind, text, url, actor=None, excerpt="", emailed=False):
    """Add a notification for `user` (not for the actor themself); returns it or None.

    `url` is a path on this site as the URL map builds it (e.g. /forum/bericht/12); /meldingen
    redirects only to such local paths, and e-mails put BASE_URL before it. `emailed`: the caller
    tells the person by an e-mail of its own, so the notification e-mails leave this one out.
    """
    if user is None or (actor is not None and user.id == actor.id):
        return None
    mail_state = MAIL_SKIPPED if emailed or user.notify_email == EMAIL_OFF else MAIL_PENDING
    notification = Notification(
        user_id=user.id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        text=text[:300],
        url=url[:500],
        excerpt=(excerpt or "")[:500],
        mail_state=mail_state,
    )
    db.session.add(notification)
    return notification


def unread_count_query(user):
    """The number of `user`'s unread notifications, as a scalar subquery (app.header asks it
    together with the header's other counts)."""
    return (db.select(db.func.count()).select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .scalar_subquery())


def unread_count(user):
    return db.session.execute(db.select(unread_count_query(user))).scalar_one()


def mark_read(user, notification_ids=None):
    """Mark some (or all) of a person's notifications read; only their own."""
    query = db.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))


# -- unsubscribe links (no login needed) -------------------------------------------------------

# An unsubscribe link works this long after the e-mail was made; after that, the person changes the
# setting on /account. The token holds the account's number and a keyed digest of its address
# (an address change retires old links), never the address itself.
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt="notification-unsubscribe-v2")


def unsubscribe_token(user):
    return _serializer().dumps({"u": user.id, "a": address_digest(user.email, "unsubscribe", 9)})


def user_for_unsubscribe_token(token):
    """The person an unsubscribe token belongs to, or None (bad, expired, or the address changed
    since)."""
    if not token or len(token) > 300:
        return None
    try:
        data = _serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE.total_seconds())
    except BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not hmac.compare_digest(address_digest(user.email, "unsubscribe", 9),
                                               str(data.get("a"))):
        return None
    return user


def unsubscribe_headers(url):
    """List-Unsubscribe with one-click (RFC 8058) for notification e-mails."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# -- e-mail rounds ------------------------------------------------------------------------------

def send_notification_emails(now=None):
    """Queue the notification e-mails that are due; returns how many e-mails were queued.

    Runs as the worker's notifications job. A person is due when their oldest unmailed notification is
    DIRECT_BATCH_DELAY old (so replies in quick succession share one e-mail) and, for the daily
    digest, when their last digest is DIGEST_INTERVAL ago. What they read on the site meanwhile is
    left out; with nothing left, no e-mail. Each person's batch is claimed with a conditional
    UPDATE and queued in the same commit, so two workers never send it twice and a crash loses
    nothing.
    """
    now = now or utcnow()
    queued = 0
    for user_id in _people_due(now):
        try:
            if _send_to(user_id, now):
                queued += 1
            db.session.commit()
        except Exception:  # one person's trouble must not hold up everyone after them
            log.exception("Notification e-mail for person #%s failed; trying again next round", user_id)
            db.session.rollback()
    return queued


def _people_due(now):
    """Ids of the people with unmailed notifications whose e-mail (or closing) is due."""
    digest_due = or_(
        User.notify_email != EMAIL_DIGEST,
        User.last_digest_at.is_(None),
        User.last_digest_at <= now - DIGEST_INTERVAL,
    )
    rows = db.session.execute(
        db.select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .where(Notification.mail_state == MAIL_PENDING, digest_due)
        .group_by(Notification.user_id)
        .having(db.func.min(Notification.created_at) <= now - DIRECT_BATCH_DELAY)
        .order_by(Notification.user_id)
    ).scalars().all()
    db.session.commit()  # end the read transaction; each person gets their own
    return rows


def _send_to(user_id, now):
    """Close one person's unmailed notifications, queueing their e-mail; True when queued."""
    user = db.session.get(User, user_id)
    pending = db.session.execute(
        db.select(Notification)
        .where(Notification.user_id == user_id, Notification.mail_state == MAIL_PENDING,
               Notification.created_at <= now)
        .order_by(Notification.created_at, Notification.id)
    ).scalars().all()
    if user is None or not pending:
        return False
    unread = [n for n in pending if n.read_at is None]
    wants_mail = bool(unread) and user.notify_email in (EMAIL_DIRECT, EMAIL_DIGEST) and user.is_active
    mailed = {n.id for n in unread} if wants_mail else set()
    # Claim: only rows still pending change. Another worker that got there first leaves fewer.
    claimed = 0
    for state, ids in ((MAIL_SENT, mailed), (MAIL_SKIPPED, {n.id for n in pending} - mailed)):
        if ids:
            claimed += db.session.execute(
                db.update(Notification)
                .where(Notification.id.in_(ids), Notification.mail_state == MAIL_PENDING)
                .values(mail_state=state, mailed_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
    if claimed != len(pending):
        db.session.rollback()  # someone else is handling this person
        return False
    if not wants_mail:
        return False
    digest = user.notify_email == EMAIL_DIGEST
    _queue_notification_mail(user, unread, digest=digest)
    if digest:
        user.last_digest_at = now
    return True


def _subject(notifications, digest):
    count = len(notifications)
    if digest:
        return f"Je dagelijkse overzicht: {count} nieuwe {'melding' if count == 1 else 'meldingen'}"
    if count == 1:
        return " ".join(notifications[0].text.split())  # one line, whatever the text holds
    return f"{count} nieuwe meldingen op CollectieveKracht"


def _queue_notification_mail(user, notifications, digest):
    items = notifications[:MAX_ITEMS_PER_MAIL]
    unsubscribe_url = external_url("notifications.unsubscribe", token=unsubscribe_token(user))
    queue_mail(
        user.email,
        _subject(notifications, digest),
        "notifications",
        headers=unsubscribe_headers(unsubscribe_url),
        user=user,
        items=[(n, external_url(n.url)) for n in items],
        more=len(notifications) - len(items),
        digest=digest,
        unsubscribe_url=unsubscribe_url,
        settings_url=external_url("account.index") + "#meldingen",
        list_url=external_url("notifications.index"),
    )


