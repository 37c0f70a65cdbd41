"""The outbox: the one place that queues and delivers e-mail.

`queue_mail()` renders a message from `templates/email/<name>.txt` and `.html` and adds it to the
outbox in the caller's transaction, so a message exists exactly when the event that caused it was
committed. `deliver_due()` sends what is due through Flask-Mail; a message is claimed by one
sender at a time (a conditional UPDATE), so several workers never send it twice. A failed attempt
is retried with exponential back-off and its error recorded.
"""
import logging
import smtplib
import socket
import threading
from datetime import timedelta
from email.utils import make_msgid
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


def external_url(endpoint, **values):
    """An absolute URL for links in e-mails, built from BASE_URL (no request needed)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


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


class _TimeoutConnection(Connection):
    """Flask-Mail's connection, with a timeout so a hanging server cannot block a sender."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 15)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _to_flask_message(row):
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=dict(row.headers or {}),
    )
    # One Message-ID per outbox row, so that even a resend after a crash can be recognised.
    message.msgId = make_msgid(idstring=f"outbox-{row.id}", domain=domain)
    return message


def _due_filter(now):
    return or_(
        and_(OutboxMessage.status == STATUS_PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == STATUS_SENDING, OutboxMessage.claimed_until < now),
    )


def _claim(message_id, now):
    result = db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due_filter(now))
        .values(status=STATUS_SENDING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_due(limit=100):
    """Deliver the messages that are due; returns (sent, failed) counts of this round."""
    now = utcnow()
    ids = db.session.execute(
        db.select(OutboxMessage.id)
        .where(_due_filter(now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).scalars().all()
    db.session.commit()
    sent = failed = 0
    connection = None
    try:
        for message_id in ids:
            if not _claim(message_id, utcnow()):
                continue  # another sender took it
            row = db.session.get(OutboxMessage, message_id)
            try:
                if not current_app.config.get("MAIL_SERVER"):
                    log.info(
                        "E-mail (no MAIL_SERVER, kept in outbox #%s) to %s: %s\n%s",
                        row.id, row.recipient, row.subject, row.body_text,
                    )
                    row.status = STATUS_LOGGED
                else:
                    if connection is None:
                        connection = _TimeoutConnection(current_app.extensions["mail"])
                        connection.__enter__()
                    connection.send(_to_flask_message(row))
                    row.status = STATUS_SENT
                row.sent_at = utcnow()
                row.attempts += 1
                row.claimed_until = None
                row.last_error = None
                db.session.commit()
                sent += 1
            except (smtplib.SMTPException, OSError, socket.timeout) as exc:
                failed += 1
                _record_failure(row, exc)
                if connection is not None:
                    _close_quietly(connection)
                    connection = None
    finally:
        if connection is not None:
            _close_quietly(connection)
    return sent, failed


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
        pass


def run_worker(app, poll_seconds, stop_event=None, once=False):
    """Deliver the outbox in a loop until stop_event is set (or once)."""
    stop_event = stop_event or threading.Event()
    while not stop_event.is_set():
        with app.app_context():
            try:
                deliver_due()
            except Exception:  # keep the worker alive: a database blip must not end mail
                log.exception("Outbox round failed; trying again")
                db.session.rollback()
            finally:
                db.session.remove()
        if once:
            return
        stop_event.wait(poll_seconds)


_background_lock = threading.Lock()
_background_started = set()


def start_background_sender(app):
    """Start one delivery thread in this process (used by `make run`, not in production)."""
    with _background_lock:
        if id(app) in _background_started:
            return
        _background_started.add(id(app))
    thread = threading.Thread(
        target=run_worker,
        args=(app, app.config["MAIL_POLL_SECONDS"]),
        name="outbox-sender",
        daemon=True,
    )
    thread.start()


def pending_count():
    return db.session.execute(
        db.select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_([STATUS_PENDING, STATUS_SENDING])
        )
    ).scalar_one()

