"""Web benchmark: requests per second of the content pages, relative to a static page, under gunicorn.

    make bench-web                                           # SQLite, or DATABASE_URL's PostgreSQL
    .venv/bin/python bench/web_bench.py --threads 200 --members 2000
    .venv/bin/python bench/web_bench.py --json               # figures a script can read
    .venv/bin/python bench/web_bench.py --rounds 3 --seconds 2   # a quick look
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres make bench-web

The app runs as in production: gunicorn with --workers sync workers (default 2) on 127.0.0.1, in a
scratch database of its own: a SQLite file in a temporary folder, or with DATABASE_URL a PostgreSQL
database `ck_web_bench` on that server (dropped and made again, dropped at the end; never the
database DATABASE_URL names). It holds the demo data (flask seed-demo) plus generated volume:
--threads threads of 20 to 200 posts in the demo's groups (the first exactly 20) and --members more
members. The search index, uploads and the hashed static files live in the temporary folder too.

A load generator in this process (threads with http.client, like wrk -t2 -c8) signs in as the demo
member lid2@example.org and asks for the pages below, each for --seconds with --connections
connections at once, in --rounds rounds in a shuffled order, so a burst of load from something else
on the machine hits every page alike. It asks as a browser does (Accept-Encoding: gzip, br), so the
cost of compressing a page is in the figures. Reported per page: requests/s and its ratio to
/over-ons (the same layout without content queries), median and p99 latency, the SQL statements
of one request (counted in a test-client pass with SQLAlchemy events) and the page's size; and the
resident memory (RSS) of each gunicorn worker after the run.

This is a measurement, not a test: CI does not run it, and the figures depend on the machine (see
the load average in the report; the README has one run's figures).
"""
import argparse
import gzip
import html
import http.client
import json
import logging
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "development")  # seed-demo's settings; nothing written to instance/

from search_bench import PEOPLE, SURNAMES, TITLES, fill, percentile, post_text  # noqa: E402

BENCH_DATABASE = "ck_web_bench"
MEMBER = "lid2@example.org"
DEMO_PASSWORD = "Kracht-demo-2026"
USER_AGENT = "ck-web-bench/1 (like a browser)"
BASELINE = "over-ons"


# -- the scratch database ---------------------------------------------------------------------------

def server_url():
    """DATABASE_URL (the server to make the scratch database on), or None for SQLite."""
    return os.environ.get("DATABASE_URL", "").strip() or None


def scratch_database_url(workdir):
    server = server_url()
    if not server:
        return f"sqlite:///{workdir / 'bench.db'}"
    from sqlalchemy.engine import make_url

    from config import database_url

    url = make_url(database_url(server))
    if url.database == BENCH_DATABASE:
        raise SystemExit(f"DATABASE_URL names {BENCH_DATABASE} itself; give the server's usual database")
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def _postgresql(statement):
    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(server_url()), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def fresh_database():
    if server_url():
        _postgresql(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        _postgresql(f'CREATE DATABASE "{BENCH_DATABASE}"')


def drop_database():
    if server_url():
        _postgresql(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def bench_settings(workdir):
    """The environment of the gunicorn workers (and, as a config class, of this process)."""
    return {
        "APP_ENV": "development",  # production's settings also want Redis and HTTPS cookies
        "DATABASE_URL": scratch_database_url(workdir),
        "SECRET_KEY": secrets.token_hex(32),
        "SEARCH_INDEX_DIR": str(workdir / "search_index"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "STATIC_BUILD_DIR": str(workdir / "static-build"),
        "STATIC_AUTOREFRESH": "0",  # as in production: no look at the files on every page
        "SEARCH_APPLY": "worker",
    }


def make_app(settings):
    from app import create_app
    from config import Config

    class BenchConfig(Config):
        SECRET_KEY = settings["SECRET_KEY"]
        # As it is (config.database_url would prefer DATABASE_URL, the server's own database).
        SQLALCHEMY_DATABASE_URI = settings["DATABASE_URL"]
        SEARCH_INDEX_DIR = settings["SEARCH_INDEX_DIR"]
        UPLOAD_DIR = settings["UPLOAD_DIR"]
        STATIC_BUILD_DIR = settings["STATIC_BUILD_DIR"]
        STATIC_AUTOREFRESH = False
        SEARCH_APPLY = "worker"
        RATELIMIT_ENABLED = False
        # Seeding hashes every demo password: cheaply here (signing in checks any scrypt hash).
        PASSWORD_HASH_METHOD = "scrypt:4096:8:1"

    app = create_app(BenchConfig)
    if not is_scratch(app.config["SQLALCHEMY_DATABASE_URI"], settings):
        raise SystemExit(f"refusing to fill {app.config['SQLALCHEMY_DATABASE_URI']}: not the scratch database")
    return app


def is_scratch(url, settings):
    """Only the SQLite file in our temporary folder or the database named ck_web_bench."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url == settings["DATABASE_URL"] and parsed.database.startswith(settings["SEARCH_INDEX_DIR"].rsplit("/", 1)[0])
    return parsed.database == BENCH_DATABASE


# -- the data -----------------------------------------------------------------------------------------

def build_data(threads, members, seed, log):
    """Schema, demo data, then `members` members and `threads` threads of 20-200 posts in bulk."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, update

    from app.demo import seed_demo
    from app.extensions import db
    from app.models.accounts import User
    from app.models.collectives import Collective
    from app.models.forum import ForumGroup, Post, Thread

    logging.disable(logging.INFO)  # no line per migration or indexed document
    try:
        upgrade()
        started = time.perf_counter()
        seed_demo()
        db.session.commit()
    finally:
        logging.disable(logging.NOTSET)
    log(f"  demo data in {time.perf_counter() - started:.0f} s")

    rng = random.Random(seed)
    now = datetime(2026, 11, 1, 12, 0)
    start = now - timedelta(days=2 * 365)
    password = db.session.execute(select(User.password_hash).where(User.email == MEMBER)).scalar_one()
    collective_ids = db.session.execute(select(Collective.id)).scalars().all()
    db.session.execute(insert(User), [
        {"email": f"lid{n}@bench.example", "name": f"{rng.choice(PEOPLE)} {rng.choice(SURNAMES)}",
         "password_hash": password, "role": "member", "email_verified_at": start,
         "collective_id": rng.choice(collective_ids)} for n in range(members)])
    user_ids = db.session.execute(select(User.id).where(User.email.like("%@bench.example"))).scalars().all()

    group_ids = db.session.execute(select(ForumGroup.id).order_by(ForumGroup.position)).scalars().all()
    lengths = [20] + [rng.randint(20, 200) for _ in range(threads - 1)]
    rows, openings = [], []
    for length in lengths:
        opened = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        rows.append({"group_id": rng.choice(group_ids), "title": fill(rng.choice(TITLES), rng)[:150],
                     "author_id": rng.choice(user_ids), "created_at": opened, "post_count": length,
                     "last_post_number": length, "last_post_at": opened})
        openings.append(opened)
    first_new = db.session.execute(select(func.coalesce(func.max(Thread.id), 0))).scalar_one() + 1
    db.session.execute(insert(Thread), rows)
    thread_ids = db.session.execute(
        select(Thread.id).where(Thread.id >= first_new).order_by(Thread.id)).scalars().all()

    batch, total = [], 0
    for thread_id, length, when in zip(thread_ids, lengths, openings):
        for number in range(1, length + 1):
            paragraphs = [post_text(rng) for _ in range(rng.randint(1, 3))]
            batch.append({"thread_id": thread_id, "number": number, "author_id": rng.choice(user_ids),
                          "body_source": "\n\n".join(paragraphs),
                          "body_html": "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
                          "created_at": when})
            when += timedelta(minutes=rng.randint(5, 600))
        db.session.execute(update(Thread).where(Thread.id == thread_id).values(
            last_post_at=when, last_poster_id=batch[-1]["author_id"]))
        total += length
        if len(batch) >= 5000:
            db.session.execute(insert(Post), batch)
            batch = []
    if batch:
        db.session.execute(insert(Post), batch)
    # The groups' counters, as the forum services keep them.
    for group_id in group_ids:
        counts = db.session.execute(
            select(func.count(Thread.id), func.coalesce(func.sum(Thread.post_count), 0), func.max(Thread.last_post_at))
            .where(Thread.group_id == group_id, Thread.deleted_at.is_(None))).one()
        db.session.execute(update(ForumGroup).where(ForumGroup.id == group_id).values(
            thread_count=counts[0], post_count=counts[1], last_post_at=counts[2]))
    db.session.commit()
    log(f"  + {members:,} members, {threads} threads with {total:,} posts")
    return thread_ids[0]


def pages_to_measure(twenty_post_thread_id):
    """name → path of the pages, found in the data (within an app context)."""
    from sqlalchemy import func, select

    from app.blueprints.forum.routes import thread_url
    from app.blueprints.labs.routes import question_url
    from app.extensions import db
    from app.models.forum import ForumGroup, Thread
    from app.models.labs import Lab, LabQuestion

    thread = db.session.get(Thread, twenty_post_thread_id)
    group = db.session.execute(select(ForumGroup).order_by(ForumGroup.thread_count.desc())).scalars().first()
    lab = db.session.execute(
        select(Lab).join(LabQuestion, LabQuestion.lab_id == Lab.id).group_by(Lab.id)
        .order_by(func.count(LabQuestion.id).desc())).scalars().first()
    question = db.session.execute(
        select(LabQuestion).where(LabQuestion.lab_id == lab.id, LabQuestion.hidden_at.is_(None),
                                  LabQuestion.is_research.is_(False))
        .order_by(LabQuestion.answer_count.desc(), LabQuestion.id)).scalars().first()
    return {
        "over-ons": "/over-ons",
        "thread (20 posts)": thread_url(thread),
        "group": f"/forum/{group.slug}",
        "kennisbank": "/kennisbank",
        "home": "/",
        "lab": f"/labs/{lab.slug}",
        "lab question": question_url(question),
    }


# -- SQL statements per page (test client) ------------------------------------------------------------

def count_statements(app, pages):
    """The SQL statements and the size of one signed-in request of each page (the second one: the
    first may fill per-process caches)."""
    from sqlalchemy import event

    from app.assets import COMPRESS_LEVEL
    from app.extensions import db

    client = app.test_client()
    form = client.get("/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post("/inloggen", data={"csrf_token": token, "email": MEMBER, "password": DEMO_PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"signing in as {MEMBER} failed in the test client ({answer.status_code})")
    counted = {}
    with app.app_context():
        for name, path in pages.items():
            client.get(path)
            count = [0]

            def tally(*args, **kwargs):
                count[0] += 1

            event.listen(db.engine, "before_cursor_execute", tally)
            try:
                response = client.get(path)
            finally:
                event.remove(db.engine, "before_cursor_execute", tally)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code} to {MEMBER}")
            body = response.get_data()
            counted[name] = {"statements": count[0], "html_kb": round(len(body) / 1024, 1),
                             "html_gzip_kb": round(len(gzip.compress(body, COMPRESS_LEVEL)) / 1024, 1)}
    return counted


# -- gunicorn -----------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(settings, workers, port, log):
    env = {key: value for key, value in os.environ.items()
           if key not in ("FLASK_DEBUG", "REDIS_URL", "SEARCH_BACKEND")}
    env.update(settings)
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT), "wsgi:app"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {process.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                conn.close()
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        raise SystemExit("gunicorn did not answer within 2 minutes")
    log(f"  gunicorn: {workers} workers on port {port} (pid {process.pid})")
    return process


def worker_pids(master):
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            pids.append(int(status.parent.name))
    return sorted(pids)


def memory_mb(pid):
    """(RSS, private) of a process in MB, from /proc (Linux)."""
    rss = private = None
    try:
        rss = int(re.search(r"^VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M).group(1)) / 1024
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        private = sum(int(value) for value in re.findall(r"^Private_(?:Clean|Dirty):\s+(\d+)", rollup, re.M)) / 1024
    except (OSError, AttributeError):
        pass
    return (round(rss, 1) if rss else None), (round(private, 1) if private else None)


# -- the load -----------------------------------------------------------------------------------------

class Browser:
    """One connection, kept open where the server allows it (gunicorn's sync workers close it after
    each answer; http.client then opens a new one, as nginx does towards gunicorn)."""

    def __init__(self, port, cookie):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Cookie": cookie, "Accept-Encoding": "gzip, br", "User-Agent": USER_AGENT,
                        "Accept": "text/html"}

    def get(self, path):
        try:
            self.connection.request("GET", path, headers=self.headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (http.client.HTTPException, OSError):
            self.connection.close()
            return None


def sign_in(port):
    """The cookie header of a signed-in session of MEMBER, through the real login form."""
    jar = {}

    def request(method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"User-Agent": USER_AGENT, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    from urllib.parse import urlencode

    _, form = request("GET", "/inloggen")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    status, _ = request("POST", "/inloggen", urlencode({"csrf_token": token, "email": MEMBER,
                                                        "password": DEMO_PASSWORD}))
    if status != 302:
        raise SystemExit(f"signing in as {MEMBER} failed ({status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def hammer(port, cookie, path, seconds, connections):
    """`connections` threads asking for `path` for `seconds`: (latencies in s, failures, elapsed)."""
    latencies, failures = [], [0]
    lock = threading.Lock()
    start_line = threading.Barrier(connections + 1)
    deadline = [0.0]

    def run():
        browser, mine, failed = Browser(port, cookie), [], 0
        start_line.wait()
        while True:
            started = time.perf_counter()
            if started >= deadline[0]:
                break
            status = browser.get(path)
            if status == 200:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    workers = [threading.Thread(target=run, daemon=True) for _ in range(connections)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for worker in workers:
        worker.join()
    return latencies, failures[0], time.perf_counter() - began


def measure(port, cookie, pages, rounds, seconds, connections, seed, log):
    rng = random.Random(seed)
    totals = {name: {"latencies": [], "failures": 0, "seconds": 0.0} for name in pages}
    for name, path in pages.items():  # warm up: templates compiled, connections in the pools
        hammer(port, cookie, path, 0.5, connections)
    for number in range(1, rounds + 1):
        order = list(pages)
        rng.shuffle(order)
        for name in order:
            latencies, failures, elapsed = hammer(port, cookie, pages[name], seconds, connections)
            totals[name]["latencies"] += latencies
            totals[name]["failures"] += failures
            totals[name]["seconds"] += elapsed
        log(f"  round {number}/{rounds}: " + ", ".join(
            f"{name} {len(totals[name]['latencies']) / totals[name]['seconds']:.0f}/s" for name in pages))
    return totals


# -- the run ------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=200, help="generated threads (20-200 posts each)")
    parser.add_argument("--members", type=int, default=2000, help="generated members")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=8, help="requests at once")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="per page per round")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.members < 0:
        parser.error("--threads must be at least 1 and --members not negative")

    def log(message):
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    total_started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="ck-web-bench-"))
    settings = bench_settings(workdir)
    backend = "postgresql" if server_url() else "sqlite"
    gunicorn = None
    try:
        log(f"Building the data ({backend}) …")
        fresh_database()
        app = make_app(settings)
        with app.app_context():
            thread_id = build_data(args.threads, args.members, args.seed, log)
            with app.test_request_context():
                pages = pages_to_measure(thread_id)
        log("Counting SQL statements per page …")
        statements = count_statements(app, pages)
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()

        log("Starting gunicorn …")
        port = free_port()
        gunicorn = start_gunicorn(settings, args.workers, port, log)
        cookie = sign_in(port)
        log(f"Measuring {len(pages)} pages: {args.rounds} rounds of {args.seconds:g} s each, "
            f"{args.connections} connections …")
        totals = measure(port, cookie, pages, args.rounds, args.seconds, args.connections, args.seed, log)
        workers = [{"pid": pid, "rss_mb": rss, "private_mb": private}
                   for pid in worker_pids(gunicorn.pid) for rss, private in [memory_mb(pid)]]
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if args.keep:
            log(f"Kept {workdir}" + (f" and database {BENCH_DATABASE}" if backend == "postgresql" else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            drop_database()

    baseline = len(totals[BASELINE]["latencies"]) / totals[BASELINE]["seconds"]
    figures = {}
    for name, path in pages.items():
        measured = totals[name]
        rate = len(measured["latencies"]) / measured["seconds"]
        figures[name] = {
            "path": path, "requests_per_s": round(rate, 1), "ratio": round(rate / baseline, 2),
            "p50_ms": round(percentile(measured["latencies"], 0.50) * 1000, 1),
            "p99_ms": round(percentile(measured["latencies"], 0.99) * 1000, 1),
            "requests": len(measured["latencies"]), "failures": measured["failures"],
            **statements[name]}
    report = {
        "backend": backend, "threads": args.threads, "members": args.members, "workers": args.workers,
        "connections": args.connections, "rounds": args.rounds, "seconds_per_page_per_round": args.seconds,
        "pages": figures, "worker_memory": workers,
        "total_s": round(time.perf_counter() - total_started, 1), "machine": machine(),
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_table(report)
    return 1 if any(page["failures"] for page in figures.values()) else 0


def machine():
    from importlib.metadata import version

    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "gunicorn": version("gunicorn"), "load_average_1min": round(os.getloadavg()[0], 2)}


def print_table(report):
    m = report["machine"]
    print()
    print(f"Web benchmark — {report['backend']}, demo data + {report['threads']} threads and "
          f"{report['members']:,} members; gunicorn {m['gunicorn']} with {report['workers']} sync workers, "
          f"{report['connections']} connections, signed in as a member")
    print(f"Machine: {m['cores']} cores, Python {m['python']}, {m['platform']}, load average at the end "
          f"{m['load_average_1min']}")
    print(f"{report['rounds']} rounds of {report['seconds_per_page_per_round']:g} s per page, pages in a "
          f"shuffled order each round")
    print()
    print(f"{'page':<20}{'req/s':>8}{'ratio':>7}{'p50 ms':>8}{'p99 ms':>8}{'SQL':>5}{'HTML KB':>9}"
          f"{'gzip KB':>9}{'fails':>7}  path")
    for name, page in report["pages"].items():
        print(f"{name:<20}{page['requests_per_s']:>8.0f}{page['ratio']:>7.2f}{page['p50_ms']:>8.1f}"
              f"{page['p99_ms']:>8.1f}{page['statements']:>5}{page['html_kb']:>9.1f}{page['html_gzip_kb']:>9.1f}"
              f"{page['failures']:>7}  {page['path']}")
    print()
    for worker in report["worker_memory"]:
        print(f"gunicorn worker {worker['pid']}: RSS {worker['rss_mb']} MB, private {worker['private_mb']} MB")
    print(f"Total run time: {report['total_s']:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
