"""Two processes (like two gunicorn workers) post 50 documents each at the same time, against the
same database and the same index directory: afterwards all 100 are searchable and neither process
saw an error (no lost update, no lock error)."""
import json
import os
import subprocess
import sys
import time

import pytest

from app import search
from app.extensions import db
from app.models.search import SearchJob
from tests.forum_helpers import Cast, make_group

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORKER = r'''
import json, logging, os, sys, time
sys.path.insert(0, os.environ["CK_ROOT"])
os.environ["APP_ENV"] = "testing"
from config import TestingConfig
from app import create_app
from app.extensions import db

class Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["CK_DB"]
    SEARCH_INDEX_DIR = os.environ["CK_INDEX"]
    SEARCH_SYNC = os.environ["CK_SYNC"] == "1"
    SEARCH_POLL_SECONDS = 1

errors = []

class Collect(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.WARNING:
            errors.append(logging.Formatter().format(record)[-1500:])

app = create_app(Config)
logging.getLogger().addHandler(Collect())
with app.app_context():
    from app.blueprints.forum import services
    from app.models.accounts import User
    from app.models.forum import ForumGroup
    from app.models.search import SearchJob
    user = db.session.execute(db.select(User).filter_by(email=os.environ["CK_EMAIL"])).scalar_one()
    group = db.session.execute(db.select(ForumGroup).filter_by(slug="energie")).scalar_one()
    tag = os.environ["CK_TAG"]
    deadline = time.time() + 60
    while not os.path.exists(os.environ["CK_GO"]) and time.time() < deadline:
        time.sleep(0.01)
    thread = None
    for n in range(50):
        body = f"{tag}woord volgnummer {n}"
        try:
            if thread is None:
                thread, _ = services.create_thread(user, group, f"Draad {tag}", body,
                                                   enforce_limits=False)
            else:
                services.post_reply(user, thread, body, enforce_limits=False)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            errors.append(repr(exc))
    if not Config.SEARCH_SYNC:  # give this process's indexing thread time to drain the queue
        deadline = time.time() + 60
        while time.time() < deadline:
            db.session.rollback()
            if not db.session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar():
                break
            time.sleep(0.2)
print("RESULT " + json.dumps({"errors": errors}))
'''


@pytest.mark.parametrize("sync", [True, False], ids=["inline", "indexing-thread"])
def test_two_processes_posting_at_once_lose_nothing(app, tmp_path, sync):
    cast = Cast()
    group = make_group("Energie", slug="energie")
    second = cast.member2
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    go = tmp_path / "go"
    index_dir = app.config["SEARCH_INDEX_DIR"]
    search.open_index()  # both start from an existing (empty but for the collective) index
    processes = []
    for tag, person in (("alfa", cast.member), ("bravo", second)):
        env = dict(os.environ, CK_ROOT=ROOT, CK_DB=app.config["SQLALCHEMY_DATABASE_URI"],
                   CK_INDEX=index_dir, CK_SYNC="1" if sync else "0", CK_EMAIL=person.email,
                   CK_TAG=tag, CK_GO=str(go))
        env.pop("PYTEST_XDIST_WORKER", None)
        processes.append(subprocess.Popen([sys.executable, str(script)], env=env, cwd=ROOT,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True))
    time.sleep(0.5)
    go.write_text("go")
    for process in processes:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err[-3000:]
        result = json.loads(out.split("RESULT ", 1)[1])
        assert result["errors"] == [], result["errors"]

    search.apply_pending(include_waiting=True, lock_timeout=30)
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar() == 0
    for tag in ("alfa", "bravo"):
        results = search.search(f"{tag}woord", cast.member, per_page=100)
        assert results.total == 50, tag
        assert sorted(int(hit.snippet.striptags().split()[-1]) for hit in results.hits) == list(range(50))
    assert search.check(repair=False).ok
    assert group.id
