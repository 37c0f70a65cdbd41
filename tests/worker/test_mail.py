"""The outbox (app/mail.py) against a real SMTP server on loopback, and the contact form that uses it."""
import logging
import re
import socket
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.mail import STATUS_LOGGED, deliver_due, pending_count, queue_mail
from app.urls import external_url
from app.models.outbox import OutboxMessage
from app.models.public import ContactMessage
from app.staff_alerts import send_staff_alerts
from app.timeutil import utcnow
from tests.factories import make_user
from tests.support import handle_account_requests, outbox, submit

SENDER = "CollectieveKracht <noreply@collectievekracht.example>"


def queue(recipient="ontvanger@example.org", subject="Je wachtwoord is gewijzigd", **headers):
    """Queue one real e-mail of the app (the password-changed notice) and commit it."""
    message = queue_mail(recipient, subject, "password_changed", headers=headers or None,
                         user=SimpleNamespace(name="Ans de Wit"),
                         reset_url=external_url("auth.forgot_password"))
    db.session.commit()
    return message.id


def row(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def make_due():
    """Let the clock catch up with the back-off: every waiting message is due now."""
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# -- delivery ----------------------------------------------------------------------------------


def test_queued_message_is_delivered_with_text_and_html(app, running_smtp_server):
    message_id = queue("ans@example.org", **{"Reply-To": "antwoord@example.org"})

    assert deliver_due() == (1, 0)

    [envelope] = running_smtp_server.envelopes
    assert envelope.mail_from == "noreply@collectievekracht.example"
    assert envelope.rcpt_tos == ["ans@example.org"]
    [mail] = running_smtp_server.messages
    assert mail["Subject"] == "Je wachtwoord is gewijzigd"
    assert mail["From"] == SENDER
    assert mail["To"] == "ans@example.org"
    assert mail["Reply-To"] == "antwoord@example.org"
    assert re.fullmatch(r"<outbox-\d+\.\d+@localhost>", mail["Message-ID"])
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Hallo Ans de Wit" in text and "<html" not in text
    assert "Hallo Ans de Wit" in html and '<html lang="nl">' in html
    assert "http://localhost/wachtwoord-vergeten" in text
    assert 'href="http://localhost/wachtwoord-vergeten"' in html

    sent = row(message_id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)
    assert sent.sent_at is not None and sent.claimed_until is None
    assert pending_count() == 0


def test_every_mail_template_has_a_text_and_an_html_part_in_dutch(app):
    from pathlib import Path

    folder = Path(app.root_path) / "templates" / "email"
    names = {p.stem for p in folder.iterdir() if p.suffix in (".txt", ".html") and not p.stem.startswith("_")}
    assert names
    for name in names:
        assert (folder / f"{name}.txt").exists() and (folder / f"{name}.html").exists(), name
        html = (folder / f"{name}.html").read_text()
        assert '{% extends "email/_layout.html" %}' in html, name  # the layout says lang="nl"
        assert '{% extends "email/_layout.txt" %}' in (folder / f"{name}.txt").read_text(), name
    assert '<html lang="nl">' in (folder / "_layout.html").read_text()


def test_links_in_mail_are_absolute_and_built_from_base_url(app, client):
    app.config["BASE_URL"] = "https://kracht.example.nl/platform"
    make_user(email="vergeten@example.org")
    submit(client, "/wachtwoord-vergeten", {"email": "vergeten@example.org"})
    handle_account_requests()

    [message] = outbox("vergeten@example.org")
    links = re.findall(r"https?://\S+", message.body_text)
    assert links and all(link.startswith("https://kracht.example.nl/platform") for link in links)
    assert any(link.startswith("https://kracht.example.nl/platform/wachtwoord-herstellen/")
               for link in links)
    assert 'href="https://kracht.example.nl/platform/wachtwoord-herstellen/' in message.body_html
    assert not re.search(r'href="/', message.body_html), "relative link in an e-mail"


def test_outage_delays_mail_and_then_delivers_it_exactly_once(app, smtp_server):
    message_id = queue()

    # Server down: nothing listens on the port.
    assert deliver_due() == (0, 1)
    waiting = row(message_id)
    assert waiting.status == "pending"
    assert waiting.attempts == 1
    assert waiting.last_error
    assert waiting.next_attempt_at > utcnow() + timedelta(seconds=10)  # backed off
    assert deliver_due() == (0, 0)  # not due yet: no new attempt

    smtp_server.start()
    assert deliver_due() == (0, 0)  # still waiting for its back-off
    assert smtp_server.envelopes == []

    make_due()
    assert deliver_due() == (1, 0)
    assert deliver_due() == (0, 0)
    make_due()
    assert deliver_due() == (0, 0)
    assert len(smtp_server.envelopes) == 1
    delivered = row(message_id)
    assert (delivered.status, delivered.attempts, delivered.last_error) == ("sent", 2, None)


def test_back_off_grows_between_attempts(app, smtp_server):
    message_id = queue()
    delays = []
    for _ in range(3):
        before = utcnow()
        deliver_due()
        delays.append((row(message_id).next_attempt_at - before).total_seconds())
        make_due()
    assert delays[0] >= 20 and delays[1] > delays[0] * 1.5 and delays[2] > delays[1] * 1.5


def test_concurrent_senders_send_every_message_once(app, running_smtp_server):
    recipients = [f"persoon{i}@example.org" for i in range(8)]
    for recipient in recipients:
        queue(recipient)
    start = threading.Barrier(3)
    results, errors = [], []

    def sender():
        with app.app_context():
            try:
                start.wait()
                results.append(deliver_due())
            except Exception as exc:  # reported below, not swallowed
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sum(sent for sent, _ in results) == len(recipients)
    received = sorted(rcpt for e in running_smtp_server.envelopes for rcpt in e.rcpt_tos)
    assert received == sorted(recipients)
    assert {m.status for m in outbox()} == {"sent"}


def test_message_that_keeps_failing_is_marked_failed(app, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    message_id = queue()
    for attempt in range(1, 4):
        assert deliver_due() == (0, 1)
        assert row(message_id).attempts == attempt
        make_due()
    given_up = row(message_id)
    assert given_up.status == "failed"
    assert given_up.last_error
    assert deliver_due() == (0, 0)  # never tried again
    assert row(message_id).attempts == 3


def test_refused_recipient_does_not_hold_up_other_mail(app, running_smtp_server):
    running_smtp_server.handler.refuse.add("bestaat-niet@example.org")
    refused = queue("bestaat-niet@example.org")
    fine = queue("bestaat@example.org")

    assert deliver_due() == (1, 1)
    assert row(refused).status == "pending" and "550" in row(refused).last_error
    assert row(fine).status == "sent"
    assert [e.rcpt_tos for e in running_smtp_server.envelopes] == [["bestaat@example.org"]]


def test_header_injection_in_stored_headers_is_neutralised(app, running_smtp_server):
    queue(**{"Reply-To": "a@example.org\r\nBcc: stiekem@example.org"})
    deliver_due()
    [envelope] = running_smtp_server.envelopes
    assert envelope.rcpt_tos == ["ontvanger@example.org"]
    [mail] = running_smtp_server.messages
    assert mail["Bcc"] is None


def test_same_message_id_on_every_attempt(app, smtp_server):
    from app.mail import message_id

    queued = row(queue())
    first = message_id(queued)
    deliver_due()  # fails: server down
    smtp_server.start()
    make_due()
    deliver_due()
    [mail] = smtp_server.messages
    assert mail["Message-ID"] == first


def test_without_mail_server_mail_is_logged_and_kept(app, caplog):
    assert not app.config["MAIL_SERVER"]
    message_id = queue("log@example.org")
    with caplog.at_level(logging.INFO, logger="app.mail"):
        assert deliver_due() == (1, 0)
    kept = row(message_id)
    assert kept is not None and kept.status == STATUS_LOGGED
    assert "log@example.org" in caplog.text and "Hallo Ans de Wit" in caplog.text
    assert deliver_due() == (0, 0)  # logged once


def test_smtp_timeout_bounds_a_hanging_server(app):
    # A server that accepts connections but never says a word.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1], MAIL_TIMEOUT=0.5)
        first = queue("een@example.org")
        queue("twee@example.org")
        started = time.monotonic()
        assert deliver_due() == (0, 1)  # the round stops instead of waiting once per message
        assert time.monotonic() - started < 0.5 + 1.0
    finally:
        listener.close()
    failed = row(first)
    assert failed.status == "pending" and failed.attempts == 1 and failed.last_error


def test_queued_mail_is_rolled_back_with_its_transaction(app):
    queue_mail("weg@example.org", "Onderwerp", "password_changed",
               user=SimpleNamespace(name="X"), reset_url="http://localhost/")
    assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)).scalar_one() == 1
    db.session.rollback()
    assert outbox() == []


def test_message_of_a_sender_that_died_is_picked_up_after_its_claim(app, running_smtp_server):
    busy, abandoned = queue("bezig@example.org"), queue("verlaten@example.org")
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == busy).values(
        status="sending", claimed_until=utcnow() + timedelta(minutes=4)))  # another sender has it
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == abandoned).values(
        status="sending", claimed_until=utcnow() - timedelta(seconds=1)))  # its sender died
    db.session.commit()

    assert deliver_due() == (1, 0)
    assert [e.rcpt_tos for e in running_smtp_server.envelopes] == [["verlaten@example.org"]]
    assert row(busy).status == "sending" and row(abandoned).status == "sent"


def test_worker_survives_a_failed_round(app, running_smtp_server, monkeypatch, caplog):
    import app.worker as worker
    from sqlalchemy.exc import OperationalError

    from tests.support import worker_round

    queue("worker@example.org")
    real_deliver_due, rounds = worker.deliver_due, []

    def database_blip_first(**kwargs):
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("SELECT", {}, Exception("database even weg"))
        return real_deliver_due(**kwargs)

    monkeypatch.setattr(worker, "deliver_due", database_blip_first)
    assert worker_round(app, only=["outbox"]) == {"outbox": "failed"}  # does not raise
    assert "job outbox failed" in caplog.text
    assert worker_round(app, only=["outbox"]) == {"outbox": "ran"}
    assert [e.rcpt_tos for e in running_smtp_server.envelopes] == [["worker@example.org"]]


# -- at-least-once, and a successful send is never repeated for want of a record ------------------


def test_a_failed_record_of_a_sent_message_is_retried_not_resent(app, running_smtp_server,
                                                                  monkeypatch):
    import app.mail as mail
    from sqlalchemy.exc import OperationalError

    message_id = queue("eenmaal@example.org")
    real_write, calls = mail._write_success, []

    def database_blip_first(*args):
        calls.append(args)
        if len(calls) == 1:
            raise OperationalError("UPDATE", {}, Exception("database even weg"))
        return real_write(*args)

    monkeypatch.setattr(mail, "_write_success", database_blip_first)
    assert deliver_due() == (1, 0)
    assert len(calls) == 2  # the record was written on the second try
    assert row(message_id).status == "sent"
    assert [e.rcpt_tos for e in running_smtp_server.envelopes] == [["eenmaal@example.org"]]
    make_due()
    assert deliver_due() == (0, 0)
    assert len(running_smtp_server.envelopes) == 1


def test_a_send_that_stays_unrecorded_is_written_before_anything_is_claimed(
        app, running_smtp_server, monkeypatch):
    """The database stays away for the whole round: the message stays "sending" in the database,
    but this worker remembers the send. When the claim has expired and the database is back, the
    next round writes the record first and never sends the message again."""
    import app.mail as mail
    from sqlalchemy.exc import OperationalError

    message_id = queue("onthouden@example.org")
    real_write = mail._write_success
    down = [True]

    def database_away(*args):
        if down[0]:
            raise OperationalError("UPDATE", {}, Exception("database weg"))
        return real_write(*args)

    monkeypatch.setattr(mail, "_write_success", database_away)
    monkeypatch.setattr(mail.time, "sleep", lambda seconds: None)
    assert deliver_due() == (1, 0)
    assert row(message_id).status == "sending"  # the record is still to be written
    db.session.execute(db.update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()  # the claim has run out: another round could take it
    down[0] = False
    assert deliver_due() == (0, 0)
    assert row(message_id).status == "sent"
    assert len(running_smtp_server.envelopes) == 1
    assert mail._unrecorded_ids() == []


def test_every_attempt_at_a_message_has_the_same_message_id(app, smtp_server):
    """A resend (after a crash between sending and recording) is recognisable downstream."""
    message_id = queue("herkenbaar@example.org")
    smtp_server.start()
    deliver_due()
    first = smtp_server.messages[0]["Message-ID"]
    db.session.execute(db.update(OutboxMessage).values(status="pending", next_attempt_at=utcnow()))
    db.session.commit()  # as if the record had been lost with the process
    deliver_due()
    assert [m["Message-ID"] for m in smtp_server.messages] == [first, first]
    assert first.startswith(f"<outbox-{message_id}.")


def test_on_postgresql_a_row_another_sender_is_claiming_is_skipped_not_waited_for(
        app, running_smtp_server):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's")
    locked_id = queue("vergrendeld@example.org")
    free_id = queue("vrij@example.org")
    with db.engine.connect() as other:  # another sender, in the middle of its claim
        other.execute(db.select(OutboxMessage.id).where(OutboxMessage.id == locked_id)
                      .with_for_update())
        started = time.monotonic()
        assert deliver_due() == (1, 0)
        assert time.monotonic() - started < 5  # not waiting for the lock
        other.rollback()
    assert [e.rcpt_tos for e in running_smtp_server.envelopes] == [["vrij@example.org"]]
    assert row(locked_id).status == "pending" and row(free_id).status == "sent"


# -- the contact form ----------------------------------------------------------------------------

CONTACT = {
    "name": "Karin Koster",
    "email": "Karin@Example.org",
    "subject": "Vraag over de zelfscan",
    "message": "Hoe lang duurt de zelfscan ongeveer voor een energiecoöperatie?",
}


def contact_count():
    return db.session.execute(db.select(db.func.count()).select_from(ContactMessage)).scalar_one()


def test_contact_message_is_stored_and_mailed_to_active_staff(app, client):
    make_user(email="mod@example.org", role="moderator")
    make_user(email="baas@example.org", role="admin")
    make_user(email="geschorst@example.org", role="moderator", status="suspended")
    make_user(email="terug@example.org", role="moderator", status="suspended",
              suspended_until=utcnow() - timedelta(days=1))  # suspension over
    make_user(email="lid@example.org", role="member")

    response = submit(client, "/contact", CONTACT)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dank je wel voor je bericht" in page

    [stored] = db.session.execute(db.select(ContactMessage)).scalars().all()
    assert (stored.name, stored.email, stored.subject) == ("Karin Koster", "karin@example.org",
                                                           "Vraag over de zelfscan")
    assert stored.message == CONTACT["message"]
    assert outbox() == []  # the staff hear of it from the worker's staff-alerts round
    send_staff_alerts()
    messages = outbox()
    assert sorted(m.recipient for m in messages) == ["baas@example.org", "mod@example.org",
                                                     "terug@example.org"]
    for message in messages:
        assert message.headers == {"Reply-To": "karin@example.org"}
        assert message.subject == "Contactformulier: Vraag over de zelfscan"
        assert CONTACT["message"] in message.body_text
        assert "http://localhost/beheer/contact" in message.body_text


def test_contact_markup_is_kept_as_text_and_escaped_in_the_html_mail(app, client):
    make_user(email="mod@example.org", role="moderator")
    data = dict(CONTACT, message='<script>alert("x")</script> <b>vet</b> & meer tekst')
    assert submit(client, "/contact", data).status_code == 302
    send_staff_alerts()
    [message] = outbox()
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
    assert '<script>alert("x")</script>' in message.body_text  # plain text stays as typed


def test_contact_line_breaks_count_once(app, client):
    # 2,500 lines as a browser sends them (CRLF): 4,999 characters in the textarea, so allowed.
    message = "\r\n".join(["x"] * 2500)
    assert submit(client, "/contact", dict(CONTACT, message=message)).status_code == 302
    stored = db.session.execute(db.select(ContactMessage.message)).scalar_one()
    assert stored == "\n".join(["x"] * 2500)


def test_contact_is_rate_limited(app, client):
    for _ in range(5):
        assert submit(client, "/contact", CONTACT).status_code == 302
    response = submit(client, "/contact", CONTACT)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page and "Even rustig aan" in page
    assert contact_count() == 5


@pytest.mark.parametrize("field, value, expected", [
    ("name", "", "Vul je naam in."),
    ("email", "", "Vul je e-mailadres in"),
    ("email", "geen-adres", "Dit is geen geldig e-mailadres."),
    ("subject", "", "Geef je bericht een onderwerp."),
    ("message", "", "Schrijf je bericht."),
    ("message", "kort", "Een bericht is 10 tot 5.000 tekens lang."),
])
def test_contact_validation_messages_are_dutch(app, client, field, value, expected):
    response = submit(client, "/contact", dict(CONTACT, **{field: value}))
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    assert contact_count() == 0 and outbox() == []


HOSTILE = [
    ("message", "x" * 100_000, "Een bericht is 10 tot 5.000 tekens lang."),
    ("name", "n" * 100_000, "Een naam is hoogstens 120 tekens lang."),
    ("subject", "s" * 100_000, "Een onderwerp is hoogstens 150 tekens lang."),
    ("email", "a" * 100_000 + "@example.org", "Een e-mailadres is hoogstens 254 tekens lang."),
    ("name", "Karin\x00Koster", "onzichtbare tekens"),
    ("subject", "Vraag\r\nBcc: iedereen@example.org", "onzichtbare tekens"),
    ("email", "karin@example.org\r\nBcc: iedereen@example.org", "Dit is geen geldig e-mailadres."),
    ("message", "Hallo\x1b[31m daar, een bericht", "onzichtbare tekens"),
    ("message", "Hallo\u202edaar, omgekeerd bericht", "onzichtbare tekens"),
    ("email", '<script>alert(1)</script>@example.org', "Dit is geen geldig e-mailadres."),
    ("email", "karin@exa mple.org", "Dit is geen geldig e-mailadres."),
    ("message", "   \n\t  ", "Schrijf je bericht."),
]


@pytest.mark.parametrize("field, value, expected", HOSTILE)
def test_contact_hostile_input_is_refused_in_dutch_and_stores_nothing(app, client, field, value, expected):
    response = submit(client, "/contact", dict(CONTACT, **{field: value}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert expected in page
    assert "<script>alert(1)</script>" not in page
    assert contact_count() == 0 and outbox() == []


def test_contact_odd_requests_never_fail(app, client):
    from tests.support import csrf_token

    token = csrf_token(client, "/contact")
    # Repeated fields, a missing field, and bytes that are not UTF-8.
    responses = [
        client.post("/contact", data={"csrf_token": token, "name": ["a", "b"], "email": ["x@y.nl"] * 2}),
        client.post("/contact", data={"csrf_token": token}),
        client.post("/contact", data=b"csrf_token=" + token.encode() + b"&name=%FF%FE&message=%C3%28",
                    content_type="application/x-www-form-urlencoded"),
        client.post("/contact", json={"csrf_token": token, "name": "json"}),
    ]
    assert [r.status_code for r in responses] == [400] * 4
    assert contact_count() == 0 and outbox() == []
