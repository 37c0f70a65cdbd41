"""The outbox: the one place that queues and delivers e-mail.

`queue_mail()` renders a message from `templates/email/<name>.txt` and `.html` and adds it to the
outbox in the caller's transaction, so a message exists exactly when the event that caused it was
committed. `deliver_due()` sends what is due through Flask-Mail; a message is claimed by one
sender at a time (a conditional UPDATE), so several workers never send it twice. A failed attempt
is retried with exponential back-off and its error recorded.
"""
import logging
import smtplib
import ssl
import threading
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
RETENTION_INTERVAL = timedelta(hours=1)
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


def _claim(message_id, now):
    result = db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due_filter(now))
        .values(status=STATUS_SENDING, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _is_server_trouble(exc):
    """True when the server (or the way to it) is in trouble, not this one message."""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                        smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError,
                        smtplib.SMTPNotSupportedError)):
        return True
    # SMTPException is an OSError too; the others (refused, timed out, unreachable) are network.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def deliver_due(limit=100):
    """Deliver the messages that are due; returns (sent, failed) counts of this round.

    Each message is claimed first, so concurrent senders never send one twice. When the server
    cannot be reached the round stops after recording that on the message it was trying: the
    others stay due and wait for the next round instead of each waiting for a timeout.
    """
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
        for message_id_ in ids:
            if not _claim(message_id_, utcnow()):
                continue  # another sender took it
            row = db.session.get(OutboxMessage, message_id_)
            if not current_app.config.get("MAIL_SERVER"):
                log.info(
                    "E-mail (no MAIL_SERVER, kept in outbox #%s) to %s: %s\n%s",
                    row.id, row.recipient, row.subject, row.body_text,
                )
                _record_success(row, STATUS_LOGGED)
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
                    break
                continue
            _record_success(row, STATUS_SENT)
            sent += 1
    finally:
        if connection is not None:
            _close_quietly(connection)
    return sent, failed


def _record_success(row, status):
    row.status = status
    row.sent_at = utcnow()
    row.attempts += 1
    row.claimed_until = None
    row.last_error = None
    db.session.commit()


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


def run_worker(app, poll_seconds, stop_event=None, once=False):
    """Run the periodic jobs (lab reminders, notification e-mails) and deliver the outbox, in a
    loop until stop_event is set (or once)."""
    from app.blueprints.labs.services import send_accept_reminders
    from app.notifications import send_notification_emails  # both import this module
    from app.retention import apply_retention
    from app.search import apply_pending as apply_pending_search_jobs

    stop_event = stop_event or threading.Event()
    last_retention = None
    while not stop_event.is_set():
        with app.app_context():
            try:
                if last_retention is None or utcnow() - last_retention > RETENTION_INTERVAL:
                    apply_retention()
                    db.session.commit()
                    last_retention = utcnow()
                send_accept_reminders()
                send_notification_emails()
                deliver_due()
                apply_pending_search_jobs()  # safety net: index jobs no web process applied
            except Exception:  # keep the worker alive: a database blip must not end mail
                log.exception("Outbox round failed; trying again")
                db.session.rollback()
            finally:
                db.session.remove()
        if once:
            return
        stop_event.wait(poll_seconds)


_background_lock = threading.Lock()
_background_senders = {}  # id(app) -> (thread, stop event)


def start_background_sender(app):
    """Start one delivery thread in this process (used by `make run`, not in production)."""
    with _background_lock:
        if id(app) in _background_senders:
            return _background_senders[id(app)][0]
        stop_event = threading.Event()
        thread = threading.Thread(
            target=run_worker,
            args=(app, app.config["MAIL_POLL_SECONDS"], stop_event),
            name="outbox-sender",
            daemon=True,
        )
        _background_senders[id(app)] = (thread, stop_event)
    thread.start()
    return thread


def stop_background_sender(app, timeout=10):
    """Stop the delivery thread of `app` after its current round (tests, orderly shutdown)."""
    with _background_lock:
        thread, stop_event = _background_senders.pop(id(app), (None, None))
    if thread is not None:
        stop_event.set()
        thread.join(timeout)


def pending_count():
    return db.session.execute(
        db.select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_([STATUS_PENDING, STATUS_SENDING])
        )
    ).scalar_one()

