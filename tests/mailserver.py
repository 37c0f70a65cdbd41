"""A real SMTP server on loopback (aiosmtpd) for the outbox tests, and a fixture that points the
app at it. The server can be stopped and started on the same port to play an outage."""
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    def __init__(self, refuse=()):
        self.envelopes = []
        self.refuse = set(refuse)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:port; nothing listens there until start()."""

    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        """The messages received so far, parsed."""
        from email import message_from_bytes, policy

        with self.handler.lock:
            return [message_from_bytes(e.original_content, policy=policy.default)
                    for e in self.handler.envelopes]

    @property
    def envelopes(self):
        with self.handler.lock:
            return list(self.handler.envelopes)


@pytest.fixture
def smtp_server(app):
    """A stopped SMTP server; the app's MAIL_* settings point at its port (restored by _clean)."""
    server = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=3,
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None)
    yield server
    server.stop()


@pytest.fixture
def running_smtp_server(smtp_server):
    smtp_server.start()
    return smtp_server
