"""Test fixtures: one app and one database per run, emptied after every test.

The schema is built by the migrations (not create_all), so every run also proves they work.
DATABASE_URL selects PostgreSQL; without it a SQLite file in a temporary folder is used.
"""
import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import event, text

os.environ.setdefault("APP_ENV", "testing")

from app import create_app  # noqa: E402
from app.extensions import db, limiter  # noqa: E402
from app.demo import REFERENCE_TABLES  # noqa: E402
from config import TestingConfig, database_url  # noqa: E402
from tests.factories import make_user  # noqa: E402
from tests.support import IsolatedClient  # noqa: E402

# Fixtures every layer may use: a local SMTP server (smtp_server, running_smtp_server), a CLI
# runner (cli) and cheap hashing for seeding the demo (fast_hashing).
pytest_plugins = ["tests.fixtures.mail", "tests.fixtures.demo"]


def _database_uri(tmp_dir):
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{os.path.join(tmp_dir, 'test.db')}"
    url = database_url(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # Parallel runs (pytest -n): each worker gets a database of its own next to DATABASE_URL's.
        url = _worker_database(url, worker)
    return url


def _worker_database(url, worker):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Tests in these folders carry the folder's marker, so `-m "not slow and not browser"` (make test-fast)
# never runs them even if a module forgets its pytestmark.
FOLDER_MARKERS = {"slow": "slow", "browser": "browser"}
TESTS_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config, items):
    """Mark tests by folder, then put the slow ones (several processes each) first: pytest-xdist
    hands tests out in this order, so the longest ones run beside the many short ones instead of
    after them."""
    for item in items:
        relative = Path(item.fspath).resolve().relative_to(TESTS_DIR)
        marker = FOLDER_MARKERS.get(relative.parts[0]) if len(relative.parts) > 1 else None
        if marker and item.get_closest_marker(marker) is None:
            item.add_marker(marker)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def app():
    tmp_dir = tempfile.mkdtemp(prefix="ck-tests-")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _database_uri(tmp_dir)
        SEARCH_INDEX_DIR = os.path.join(tmp_dir, "search_index")
        UPLOAD_DIR = os.path.join(tmp_dir, "uploads")

    application = create_app(Config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _throwaway_sqlite)
        _reset_schema()
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _throwaway_sqlite(dbapi_connection, record):
    """A test database is thrown away: no waiting for the disk at each commit, and the rollback
    journal in memory instead of a file made and removed for every transaction."""
    dbapi_connection.execute("PRAGMA synchronous = OFF")
    dbapi_connection.execute("PRAGMA journal_mode = MEMORY")


def _reset_schema():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_tables():
    # DELETE, child tables first: on PostgreSQL this is far faster than TRUNCATE for the few rows
    # a test leaves (TRUNCATE rewrites every table). Ids are not reset; tests never assume them.
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:  # rows the migrations put in
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean(request, app):
    """Each test starts with empty tables, fresh rate limits and the test configuration."""
    saved_config = dict(app.config)
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    db.session.rollback()
    _empty_tables()
    limiter.reset()
    app.config.clear()
    app.config.update(saved_config)
    ctx.pop()


@pytest.fixture(autouse=True)
def _empty_search_index(app):
    """Each test starts with an empty search index (one stat when none was written).

    Index jobs are applied just before the next search (SEARCH_APPLY="before-search"), so the many tests
    that never search do no index work; tests/unit/test_search_engine.py applies them at each commit."""
    path = app.config["SEARCH_INDEX_DIR"]
    app.config["SEARCH_APPLY"] = "before-search"
    yield
    from app.labs.similar import forget_kept_searches
    from app.search.index import reset_index_for_tests
    from app.search.postgres import empty

    forget_kept_searches()  # the engine's answers for similar questions, kept per app
    reset_index_for_tests(path)
    if db.engine.dialect.name == "postgresql":
        empty()  # the PostgreSQL backend's documents (the table no model describes)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def user():
    return make_user()


@pytest.fixture
def moderator():
    return make_user(email="moderator@example.org", name="Mo Derator", role="moderator")


@pytest.fixture
def admin_user():
    return make_user(email="admin@example.org", name="Ad Min", role="admin")
