"""The background worker (app/worker): its declared jobs, isolation between jobs, the shared
schedule, stopping, `flask worker` and what /healthz says about it. Multi-process behaviour is in
tests/slow/test_worker_processes.py."""
import ast
import pathlib
import re
import threading
import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.notifications import Notification
from app.models.worker import WorkerJob
from app.timeutil import utcnow
from app.worker import FAILED, JOB_NAMES, JOBS, RAN, SKIPPED, Job, Worker
from tests.factories import answer, ask
from tests.fixtures.labs import LabCast
from tests.support import worker_round

ROOT = pathlib.Path(__file__).resolve().parents[2]


def schedule_row(name):
    db.session.expire_all()
    return db.session.get(WorkerJob, name)


# -- the declared jobs ---------------------------------------------------------------------------------


def test_the_worker_declares_every_periodic_job_of_the_platform():
    assert set(JOB_NAMES) == {"account-requests", "outbox", "search", "notifications",
                              "staff-alerts", "lab-reminders", "bookmark-reminders", "retention"}
    by_name = {job.name: job for job in JOBS}
    # The queues claim row by row, so every worker may drain them; the rest run once at a time.
    assert not by_name["outbox"].exclusive and not by_name["search"].exclusive
    assert all(by_name[name].exclusive
               for name in ("account-requests", "notifications", "staff-alerts", "lab-reminders",
                            "bookmark-reminders", "retention"))
    assert by_name["retention"].interval == 3600
    # `--once` makes e-mail before it delivers it
    assert JOB_NAMES.index("notifications") < JOB_NAMES.index("outbox")
    assert JOB_NAMES.index("staff-alerts") < JOB_NAMES.index("outbox")
    assert JOB_NAMES.index("account-requests") < JOB_NAMES.index("outbox")
    # a bookmark reminder is in the bell before the round that e-mails notifications
    assert JOB_NAMES.index("bookmark-reminders") < JOB_NAMES.index("notifications")


def test_one_round_reminds_askers_and_queues_their_mail(app):
    cast = LabCast()
    week_ago = utcnow() - timedelta(days=8)
    question = ask(cast.member, now=week_ago)
    answer(cast.partner, question, now=week_ago + timedelta(hours=1))
    outcomes = worker_round(app)
    assert outcomes == {name: RAN for name in JOB_NAMES}
    worker_round(app)  # a second round reminds nobody again
    reminders = db.session.execute(
        db.select(Notification).where(Notification.kind == "lab_reminder")
    ).scalars().all()
    assert [n.user_id for n in reminders] == [cast.member.id]


def test_each_run_is_recorded_in_the_shared_schedule(app):
    before = utcnow()
    worker_round(app, only=["retention"])
    row = schedule_row("retention")
    assert row.runs == 1 and row.failures == 0 and row.last_error is None
    assert row.running_until is None  # the lease is given back
    assert row.last_finished_at >= before and row.last_duration_ms >= 0
    assert row.next_run_at >= row.last_finished_at + timedelta(seconds=3599)


# -- jobs do not hold each other up ---------------------------------------------------------------------


def test_a_failing_or_slow_job_never_delays_another(app, caplog):
    """Each job has its own thread: while `slow` is in the middle of one run and `boom` fails
    again and again, `tick` keeps running at its own interval."""
    ticks = []
    tick_ran_thrice = threading.Event()
    slow_started = threading.Event()
    ticks_during_slow = []

    def tick(stop):
        ticks.append(time.monotonic())
        if len(ticks) >= 3:
            tick_ran_thrice.set()

    def slow(stop):
        slow_started.set()
        start = len(ticks)
        # Ends when tick has run three more times, or gives up after 10 s (then tick was blocked).
        deadline = time.monotonic() + 10
        while len(ticks) < start + 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        ticks_during_slow.append(len(ticks) - start)

    def boom(stop):
        raise RuntimeError("kapot")

    jobs = [Job("tick", tick, 0.05, exclusive=False, description="t"),
            Job("slow", slow, 60, exclusive=True, description="s"),
            Job("boom", boom, 0.05, exclusive=False, description="b")]
    worker = Worker(app, jobs=jobs)
    worker.start()
    try:
        assert slow_started.wait(10)
        deadline = time.monotonic() + 15
        while not ticks_during_slow and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        assert worker.shutdown(timeout=9) == []
    assert ticks_during_slow and ticks_during_slow[0] >= 3
    assert "job boom failed" in caplog.text and "kapot" in caplog.text
    boom_row = schedule_row("boom")
    assert boom_row.failures >= 1 and "RuntimeError: kapot" in boom_row.last_error
    assert schedule_row("tick").last_error is None and schedule_row("slow").runs == 1


def test_a_failing_job_backs_off_and_keeps_its_error(app):
    from app.worker import backoff

    job = Job("boom", lambda stop: 1 / 0, 2, exclusive=True, description="b")
    worker = Worker(app, jobs=[job])
    assert worker.run_once() == {"boom": FAILED}
    row = schedule_row("boom")
    assert row.failures == 1 and row.last_error.startswith("ZeroDivisionError")
    assert row.next_run_at > utcnow()  # not due again at once
    assert worker.run_once() == {"boom": SKIPPED}  # --once respects the schedule
    assert [backoff(job, n) for n in (1, 2, 3, 10)] == [2, 4, 8, 300]


def test_each_job_runs_in_its_own_transaction(app):
    """What a failing job wrote is rolled back; what another job of the same round wrote stays."""
    from app.models.public import ContactMessage

    def writes_then_fails(stop):
        db.session.add(ContactMessage(name="Half", email="h@example.org", subject="x", message="y"))
        db.session.flush()
        raise RuntimeError("halverwege")

    def writes(stop):
        db.session.add(ContactMessage(name="Heel", email="h@example.org", subject="x", message="y"))

    worker = Worker(app, jobs=[Job("half", writes_then_fails, 60, True, "h"),
                               Job("whole", writes, 60, True, "w")])
    assert worker.run_once() == {"half": FAILED, "whole": RAN}
    db.session.expire_all()
    assert db.session.execute(db.select(ContactMessage.name)).scalars().all() == ["Heel"]


# -- several workers: the lease of an exclusive job -----------------------------------------------------


def test_an_exclusive_job_another_worker_holds_is_skipped(app):
    runs = []
    job = Job("eenmalig", lambda stop: runs.append(1), 60, exclusive=True, description="e")
    Worker(app, jobs=[job]).prepare()
    db.session.execute(db.update(WorkerJob).where(WorkerJob.name == "eenmalig").values(
        running_until=utcnow() + timedelta(minutes=5)))  # another worker is running it
    db.session.commit()
    assert Worker(app, jobs=[job]).run_once(force=True) == {"eenmalig": SKIPPED}
    assert runs == []
    db.session.execute(db.update(WorkerJob).where(WorkerJob.name == "eenmalig").values(
        running_until=utcnow() - timedelta(seconds=1)))  # that worker died: its lease ran out
    db.session.commit()
    assert Worker(app, jobs=[job]).run_once() == {"eenmalig": RAN}
    assert runs == [1]


def test_two_workers_racing_for_one_exclusive_job_run_it_once(app):
    runs = []
    gate = threading.Barrier(2)

    def job_body(stop):
        runs.append(threading.current_thread().name)
        time.sleep(0.2)  # long enough that the other worker tries while this one holds it

    job = Job("samen", job_body, 60, exclusive=True, description="s")
    Worker(app, jobs=[job]).prepare()
    outcomes = []

    def one_worker():
        gate.wait(5)
        outcomes.append(Worker(app, jobs=[job]).run_job(job))

    threads = [threading.Thread(target=one_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == [RAN, SKIPPED]
    assert len(runs) == 1


# -- stopping -------------------------------------------------------------------------------------------


def test_shutdown_lets_the_running_job_finish(app):
    started, finished = threading.Event(), threading.Event()

    def careful(stop):
        started.set()
        stop.wait(5)  # the job sees the stop request and ends its round
        time.sleep(0.2)  # the item it was on
        finished.set()

    worker = Worker(app, jobs=[Job("zorgvuldig", careful, 60, exclusive=True, description="z")])
    worker.start()
    assert started.wait(10)
    began = time.monotonic()
    assert worker.shutdown(timeout=9) == []
    assert finished.is_set() and time.monotonic() - began < 9
    assert schedule_row("zorgvuldig").runs == 1  # its run was recorded


def test_shutdown_gives_up_on_a_job_that_does_not_stop_in_time(app):
    started, release = threading.Event(), threading.Event()

    def stuck(stop):
        started.set()
        release.wait(30)

    worker = Worker(app, jobs=[Job("vast", stuck, 60, exclusive=True, description="v")])
    worker.start()
    assert started.wait(10)
    began = time.monotonic()
    try:
        assert worker.shutdown(timeout=0.5) == ["vast"]
        assert time.monotonic() - began < 2
    finally:
        release.set()


def test_delivery_stops_between_two_messages_and_gives_the_rest_back(app):
    from app.mail import deliver_due, queue_mail
    from app.models.outbox import STATUS_PENDING, OutboxMessage

    for n in range(3):
        queue_mail(f"p{n}@example.org", "Hallo", "password_changed",
                   user=type("U", (), {"name": "P"})(), reset_url="http://localhost/x")
    db.session.commit()
    stop = threading.Event()
    stop.set()
    assert deliver_due(stop=stop) == (0, 0)
    db.session.expire_all()
    rows = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert [r.status for r in rows] == [STATUS_PENDING] * 3
    assert all(r.claimed_until is None for r in rows)


# -- flask worker ------------------------------------------------------------------------------------


def test_cli_once_runs_every_job_and_lists_them(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert all(f"{name}: ran" in result.output for name in JOB_NAMES)
    result = runner.invoke(args=["worker", "--once"])
    assert "retention: skipped" in result.output  # not due again for an hour
    assert "outbox: ran" in result.output  # queues are drained on every call
    listing = runner.invoke(args=["worker", "--list"]).output
    assert all(name in listing for name in JOB_NAMES) and "3600 s" in listing


def test_cli_only_runs_one_job_and_refuses_an_unknown_one(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once", "--only", "outbox"])
    assert result.exit_code == 0 and result.output.strip() == "outbox: ran"
    result = runner.invoke(args=["worker", "--once", "--only", "bestaat-niet"])
    assert result.exit_code != 0 and "unknown job" in result.output


def test_mail_worker_is_an_alias_of_worker(app):
    result = app.test_cli_runner().invoke(args=["mail", "worker", "--once"])
    assert result.exit_code == 0
    assert "old name of `flask worker`" in result.output and "outbox: ran" in result.output


def test_status_says_never_ok_and_late(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--status"])
    assert result.exit_code == 1 and "Worker: never-ran" in result.output
    worker_round(app)
    result = runner.invoke(args=["worker", "--status"])
    assert result.exit_code == 0, result.output
    assert "Worker: ok" in result.output and "retention" in result.output
    # the worker died an hour ago: the queues' jobs have been due ever since
    db.session.execute(db.update(WorkerJob).values(next_run_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    result = runner.invoke(args=["worker", "--status"])
    assert result.exit_code == 1 and "Worker: late" in result.output
    waited = int(re.search(r"oldest due work waits (\d+) s", result.output).group(1))
    assert 3599 <= waited < 3700


def test_an_old_due_email_makes_the_worker_late(app):
    from app.mail import queue_mail
    from app.models.outbox import OutboxMessage

    worker_round(app)
    queue_mail("x@example.org", "Hallo", "password_changed",
               user=type("U", (), {"name": "P"})(), reset_url="http://localhost/x")
    db.session.execute(db.update(OutboxMessage).values(
        next_attempt_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    body = app.test_client().get("/healthz").get_json()
    assert body["worker"]["status"] == "late"
    assert body["worker"]["outbox_oldest_due_seconds"] >= 600


def test_healthz_reports_the_worker_and_fails_on_request(client, app):
    assert client.get("/healthz?worker=1").status_code == 503  # never ran
    worker_round(app)
    response = client.get("/healthz?worker=1")
    assert response.status_code == 200
    worker = response.get_json()["worker"]
    assert worker["status"] == "ok" and worker["oldest_due_seconds"] < 60
    assert set(worker["jobs"]) == set(JOB_NAMES)
    db.session.execute(db.update(WorkerJob).values(next_run_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert client.get("/healthz").status_code == 200  # the web itself is fine
    late = client.get("/healthz?worker=1")
    assert late.status_code == 503 and late.get_json()["worker"]["status"] == "late"


# -- nothing imports the worker; the outbox knows no feature --------------------------------------------


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_nothing_but_the_cli_imports_the_worker():
    importers = []
    for path in (ROOT / "app").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("app/worker/") or relative == "app/commands.py":
            continue
        if any(name == "app.worker" or name.startswith("app.worker.") for name in _imports(path)):
            importers.append(relative)
    assert importers == []


def test_the_outbox_imports_no_feature():
    imported = set(_imports(ROOT / "app" / "mail.py"))
    features = ("app.blueprints", "app.notifications", "app.search", "app.retention", "app.worker")
    assert [name for name in imported if name.startswith(features)] == []


@pytest.mark.parametrize("name", JOB_NAMES)
def test_every_job_runs_alone_from_the_cli(app, name):
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--only", name])
    assert result.exit_code == 0 and result.output.strip() == f"{name}: ran"


def test_the_account_requests_job_creates_accounts_and_sends_reset_links(app, client):
    from app.models.accounts import AccountRequest, User
    from tests.factories import make_user
    from tests.support import outbox, submit, worker_round

    make_user(email="bestaat@example.org")
    submit(client, "/registreren", {"name": "Nieuwe Persoon", "email": "nieuw@example.org",
                                     "password": "een-lange-zin-voor-de-molen",
                                     "confirm": "een-lange-zin-voor-de-molen"})
    submit(client, "/wachtwoord-vergeten", {"email": "bestaat@example.org"})
    submit(client, "/wachtwoord-vergeten", {"email": "niemand@example.org"})
    assert User.find_by_email("nieuw@example.org") is None and outbox() == []

    assert worker_round(app, only=["account-requests"]) == {"account-requests": RAN}
    assert User.find_by_email("nieuw@example.org") is not None
    assert [m.subject for m in outbox("nieuw@example.org")] == ["Bevestig je e-mailadres"]
    assert [m.subject for m in outbox("bestaat@example.org")] == ["Een nieuw wachtwoord instellen"]
    assert outbox("niemand@example.org") == []
    assert db.session.execute(db.select(AccountRequest)).first() is None
