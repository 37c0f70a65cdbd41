"""The outbox: the one place that queues and delivers e-mail.

`queue_mail()` renders a message from `templates/email/<name>.txt` and `.html` and adds it to the
outbox in the caller's transaction, so a message exists exactly when the event that caused it was
committed. `deliver_due()` sends what is due through Flask-Mail; a message is claimed by one
sender at a time (row locks with SKIP LOCKED on PostgreSQL, a conditional UPDATE everywhere), so
several workers never send it twice. A failed attempt is retried with exponential back-off and its
error recorded. Delivery is at-least-once with a stable Message-ID (see "recording a send").
The background worker (app/worker) calls `deliver_due()`; nothing here knows about other features.
"""
import logging
import smtplib
import ssl
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import and_, or_

from app.extensions import db
from app.models.outbox import (
    STATUS_FAILED,
    STATUS_PENDING,
    STATUS_SENDING,
    STATUS_SENT,
    OutboxMessage,
)
from app.timeutil import utcnow

log = logging.getLogger(__name__)

STATUS_LOGGED = "logged"  # no MAIL_SERVER configured: written to the log, kept for reading
CLAIM_SECONDS = 300  # a sender that died mid-delivery frees its message after this long
FIRST_RETRY_SECONDS = 30


def queue_mail(recipient, subject, template, headers=None, **context):
    """Render e-mail `template` for `recipient` and add it to the outbox (not committed)."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
    context.setdefault("subject", subject)
    message = OutboxMessage(
        recipient=recipient,
        subject=subject[:255],
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers=headers or None,
        status=STATUS_PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def retry_delay(attempts):
    """Back-off after the n-th failed attempt: 30 s, 1 min, 2 min … capped at 12 hours."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), 12 * 3600))


class _SmtpConnection(Connection):
    """Flask-Mail's connection, configured from the app's config at delivery time.

    Flask-Mail copies its settings when the app is created and stays silent under TESTING; the
    outbox decides itself whether to send (MAIL_SERVER) and needs a timeout, so a hanging server
    cannot block a sender, and a verified certificate for STARTTLS and SSL.
    """

    def __init__(self):
        super().__init__(current_app.extensions["mail"])

    def __enter__(self):
        self.host = self.configure_host()
        self.num_emails = 0
        return self

    def configure_host(self):
        config = current_app.config
        server, port = config["MAIL_SERVER"], config.get("MAIL_PORT") or 25
        timeout = config.get("MAIL_TIMEOUT", 15)
        if config.get("MAIL_USE_SSL"):
            host = smtplib.SMTP_SSL(server, port, timeout=timeout, context=ssl.create_default_context())
        else:
            host = smtplib.SMTP(server, port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                host.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
                host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            host.close()
            raise
        return host

    def abort(self):
        """Drop the connection without QUIT: after an error the server may not answer at all."""
        if self.host is not None:
            try:
                self.host.close()
            except OSError:
                pass
            self.host = None


def _header_value(value):
    return " ".join(str(value).splitlines()).strip()


def message_id(row):
    """The same Message-ID for every attempt at one outbox row, so a resend can be recognised."""
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    stamp = row.created_at.strftime("%Y%m%d%H%M%S%f") if row.created_at else "0"
    return f"<outbox-{row.id}.{stamp}@{domain}>"


def _to_flask_message(row):
    headers = {str(k): _header_value(v) for k, v in (row.headers or {}).items()}
    # Reply-To through Flask-Mail's own field, so it is checked for header injection.
    reply_to = headers.pop("Reply-To", None) or None
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=reply_to,
        extra_headers=headers or None,
    )
    message.msgId = message_id(row)
    return message


def _due_filter(now):
    return or_(
        and_(OutboxMessage.status == STATUS_PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == STATUS_SENDING, OutboxMessage.claimed_until < now),
    )


def _claim_batch(size):
    """Claim up to `size` due messages for this sender; returns their ids, oldest first.

    One UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING: on PostgreSQL rows
    another sender is claiming are skipped instead of waited for, and the outer WHERE checks again
    that each row is still due, so two senders never hold one message. SQLite has no row locks
    (and SQLAlchemy leaves FOR UPDATE out there); its single writer makes the UPDATE atomic.
    A message sent but not yet recorded as sent (see _record_success) is never claimed again.
    """
    now = utcnow()
    due = _due_filter(now)
    unrecorded = _unrecorded_ids()
    if unrecorded:
        due = and_(due, OutboxMessage.id.not_in(unrecorded))
    candidates = (
        db.select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(size)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates.scalar_subquery()), due)
        .values(status=STATUS_SENDING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    db.session.commit()
    return sorted(ids)


def _release(message_ids):
    """Give claimed but unsent messages back (a stopping worker), so nobody waits for the claim."""
    if not message_ids:
        return
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == STATUS_SENDING)
        .values(status=STATUS_PENDING, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _is_server_trouble(exc):
    """True when the server (or the way to it) is in trouble, not this one message."""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                        smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError,
                        smtplib.SMTPNotSupportedError)):
        return True
    # SMTPException is an OSError too; the others (refused, timed out, unreachable) are network.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


CLAIM_BATCH = 10  # claimed at a time: even at MAIL_TIMEOUT per message, sent well within a claim


def deliver_due(limit=100, stop=None):
    """Deliver the messages that are due; returns (sent, failed) counts of this round.

    Messages are claimed a few at a time (`_claim_batch`), so concurrent senders, on any number of
    machines, never send one twice. When the server cannot be reached the round stops after
    recording that on the message it was trying: the others go back to the queue and wait for the
    next round instead of each waiting for a timeout. `stop` (a threading.Event) ends the round
    between two messages, giving back what was claimed but not sent.
    """
    _record_unrecorded()
    sent = failed = 0
    connection = None
    claimed = []
    try:
        while sent + failed < limit and not (stop is not None and stop.is_set()):
            claimed = _claim_batch(min(CLAIM_BATCH, limit - sent - failed))
            if not claimed:
                break
            trouble = False
            while claimed:
                if stop is not None and stop.is_set():
                    break
                message_id_ = claimed.pop(0)
                row = db.session.get(OutboxMessage, message_id_)
                if row is None:
                    continue
                if not current_app.config.get("MAIL_SERVER"):
                    log.info(
                        "E-mail (no MAIL_SERVER, kept in outbox #%s) to %s: %s\n%s",
                        row.id, row.recipient, row.subject, row.body_text,
                    )
                    _record_success(row.id, STATUS_LOGGED)
                    sent += 1
                    continue
                try:
                    if connection is None:
                        connection = _SmtpConnection().__enter__()
                    connection.send(_to_flask_message(row))
                except Exception as exc:  # any failure is recorded; a bad message must not loop
                    failed += 1
                    _record_failure(row, exc)
                    if connection is not None:
                        connection.abort()
                        connection = None
                    if _is_server_trouble(exc):
                        trouble = True
                        break
                    continue
                _record_success(row.id, STATUS_SENT)
                sent += 1
            if trouble or claimed:
                break
    finally:
        if connection is not None:
            _close_quietly(connection)
        if claimed:
            try:
                _release(claimed)
            except Exception:  # their claims expire in CLAIM_SECONDS anyway
                log.exception("Could not give back %d claimed e-mails", len(claimed))
                db.session.rollback()
    return sent, failed


# -- recording a send -------------------------------------------------------------------------------
#
# Delivery is at-least-once: a message is marked sent after the server accepted it. If that
# record cannot be written (the database is briefly away), the send is remembered in this process
# and written again, first a few times at once and then at the start of every round, before any
# message is claimed; until it is written the message is never claimed again here. Only when the
# process dies in between does the claim expire and the message go out a second time, with the
# same Message-ID, so mail systems can recognise it.

RECORD_TRIES = 3
_unrecorded_lock = threading.Lock()
_unrecorded = {}  # (database URI, message id) -> (status, sent at)


def _database_key():
    return str(db.engine.url)


def _unrecorded_ids():
    key = _database_key()
    with _unrecorded_lock:
        return [message_id for (uri, message_id) in _unrecorded if uri == key]


def _write_success(message_id, status, sent_at):
    """Mark one message sent (or logged): the one write that follows a successful send."""
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, sent_at=sent_at, attempts=OutboxMessage.attempts + 1,
                claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_success(message_id, status):
    with _unrecorded_lock:
        _unrecorded[(_database_key(), message_id)] = (status, utcnow())
    _record_unrecorded(tries=RECORD_TRIES)


def _record_unrecorded(tries=1):
    """Write the sends not yet recorded; True when none is left."""
    key = _database_key()
    with _unrecorded_lock:
        waiting = [(message_id, value) for (uri, message_id), value in _unrecorded.items()
                   if uri == key]
    for message_id, (status, sent_at) in waiting:
        for attempt in range(1, tries + 1):
            try:
                _write_success(message_id, status, sent_at)
            except Exception as exc:
                db.session.rollback()
                log.warning("E-mail #%s was sent but could not be recorded (try %s): %s",
                            message_id, attempt, exc)
                if attempt < tries:
                    time.sleep(0.2 * attempt)  # give a database fail-over a moment
                continue
            with _unrecorded_lock:
                _unrecorded.pop((key, message_id), None)
            break
    return not _unrecorded_ids()


def _record_failure(row, exc):
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    row.claimed_until = None
    if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        row.status = STATUS_FAILED
        log.error("Giving up on e-mail #%s to %s: %s", row.id, row.recipient, row.last_error)
    else:
        row.status = STATUS_PENDING
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
        log.warning("E-mail #%s not delivered (try %s): %s", row.id, row.attempts, row.last_error)
    db.session.commit()


def _close_quietly(connection):
    try:
        connection.__exit__(None, None, None)
    except (smtplib.SMTPException, OSError):
        connection.abort()


def pending_count():
    return db.session.execute(
        db.select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_([STATUS_PENDING, STATUS_SENDING])
        )
    ).scalar_one()

