"""Real `flask --app wsgi worker` processes side by side on one database, like workers on several
machines: 200 queued e-mails reach a real SMTP server (aiosmtpd on loopback) exactly once, 200
index jobs are each applied once and none is lost, and SIGTERM stops a worker within 10 seconds."""
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from app import search
from app.extensions import db
from app.mail import queue_mail
from app.models.outbox import OutboxMessage
from app.models.search import SearchJob
from app.search.jobs import paused, queue
from app.urls import external_url
from tests.factories import make_group, start_thread
from tests.fixtures.forum import Cast
from tests.fixtures.mail import SmtpServer
from tests.fixtures.search import pytest_generate_tests, search_backend  # noqa: F401

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MESSAGES = 200
POSTS = 200


class WorkerProcess:
    """`flask --app wsgi worker` in a process of its own, its log in a file."""

    def __init__(self, app, tmp_path, name, **env):
        self.log_path = tmp_path / f"{name}.log"
        environment = dict(os.environ)
        environment.pop("PYTEST_XDIST_WORKER", None)
        environment.update(
            APP_ENV="development", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            SECRET_KEY=secrets.token_hex(32), BASE_URL="http://localhost",
            SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"], SEARCH_APPLY="worker",
            UPLOAD_DIR=str(tmp_path / "uploads"), REDIS_URL="", MAIL_SERVER="", PYTHONUNBUFFERED="1",
        )
        environment.update(env)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=environment,
            stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        return self.log_path.read_text()

    def wait_started(self, timeout=60):
        deadline = time.monotonic() + timeout
        while "Worker started:" not in self.output():
            assert self.process.poll() is None, self.output()[-3000:]
            assert time.monotonic() < deadline, self.output()[-3000:]
            time.sleep(0.05)

    def terminate(self):
        """SIGTERM; returns (exit status, seconds it took to exit)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        finally:
            self.log.close()
        return code, time.monotonic() - started

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.log.close()

    def applied(self):
        return sum(int(n) for n in re.findall(r"job search: (\d+) index jobs applied", self.output()))

    def sent(self):
        return sum(int(n) for n in re.findall(r"job outbox: (\d+) sent", self.output()))

    def problems(self):
        return [line for line in self.output().splitlines()
                if " ERROR " in line or "Traceback" in line]


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
        db.session.rollback()


def test_two_workers_deliver_every_message_exactly_once(app, tmp_path):
    server = SmtpServer()
    server.start()
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(server.port)}
    workers = [WorkerProcess(app, tmp_path, f"worker{n}", **mail) for n in range(2)]
    try:
        for worker in workers:
            worker.wait_started()
        recipients = [f"lid{n}@example.org" for n in range(MESSAGES)]
        for recipient in recipients:  # all in one commit: both workers find them at once
            queue_mail(recipient, "Je wachtwoord is gewijzigd", "password_changed",
                       user=SimpleNamespace(name="Ans"), reset_url=external_url("auth.login"))
        db.session.commit()

        def all_sent():
            return db.session.execute(
                db.select(db.func.count()).select_from(OutboxMessage)
                .where(OutboxMessage.status == "sent")).scalar() == MESSAGES

        wait_for(all_sent, 120, "every message to be sent")
        stops = [worker.terminate() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
        server.stop()
    ids = [message["Message-ID"] for message in server.messages]
    assert len(ids) == MESSAGES and len(set(ids)) == MESSAGES  # each arrived once
    assert sorted(rcpt for e in server.handler.envelopes for rcpt in e.rcpt_tos) == sorted(recipients)
    assert sum(worker.sent() for worker in workers) == MESSAGES
    assert [code for code, _ in stops] == [0, 0]
    assert all(seconds < 10 for _, seconds in stops), stops
    assert [worker.problems() for worker in workers] == [[], []]
    assert "Worker stopped." in workers[0].output()


def test_two_workers_apply_every_index_job_once_and_lose_none(app, tmp_path, search_backend):
    """Whoosh: the web process only queues (SEARCH_APPLY=worker). PostgreSQL: documents are written
    with their change, so the queue holds what could not be written; here queued by hand."""
    cast = Cast()
    group = make_group("Energie", slug="energie")
    thread, _ = start_thread(group, cast.member, title="Vooraf")
    search.apply_pending()  # the index holds everything so far
    assert db.session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar() == 0
    app.config["SEARCH_APPLY"] = "worker"  # this process only queues, like a production web worker
    workers = [WorkerProcess(app, tmp_path, f"worker{n}", SEARCH_BACKEND=search_backend)
               for n in range(2)]
    try:
        for worker in workers:
            worker.wait_started()
        from app.forum import services

        with contextlib.ExitStack() as stack:
            if search_backend == "postgresql":
                stack.enter_context(paused())
            # One transaction: both workers see all jobs at the same moment.
            posts = [services.post_reply(cast.member2, thread, f"indexwerkwoord nummer {n}",
                                         enforce_limits=False) for n in range(POSTS)]
            db.session.flush()
            if search_backend == "postgresql":
                for post in posts:
                    queue("post", post.id)
        db.session.flush()
        queued = db.session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar()
        db.session.commit()

        def drained():
            return db.session.execute(
                db.select(db.func.count()).select_from(SearchJob)).scalar() == 0

        wait_for(drained, 120, "the search queue to drain")
        stops = [worker.terminate() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert queued >= POSTS
    assert sum(worker.applied() for worker in workers) == queued  # none twice, none lost
    results = search.search("indexwerkwoord", cast.member, per_page=100, page=1)
    found = results.total
    numbers = Counter()
    for page in (1, 2):
        for hit in search.search("indexwerkwoord", cast.member, per_page=100, page=page).hits:
            numbers[int(hit.snippet.striptags().split()[-1])] += 1
    assert found == POSTS and numbers == Counter(range(POSTS))
    assert [code for code, _ in stops] == [0, 0]
    assert [worker.problems() for worker in workers] == [[], []]
    assert search.check(repair=False).ok


def test_sigterm_while_idle_stops_within_seconds(app, tmp_path):
    worker = WorkerProcess(app, tmp_path, "idle")
    try:
        worker.wait_started()
        code, seconds = worker.terminate()
    finally:
        worker.kill()
    assert code == 0 and seconds < 10
    assert "Worker stopped." in worker.output()
