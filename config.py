"""Configuration, read from environment variables.

`Config` holds the defaults for a developer machine (SQLite, a local search index, mail written to
the log). `ProductionConfig` hardens it and refuses to start without a real secret key;
`TestingConfig` is what the test suite uses. `create_app()` picks one from `APP_ENV`.
"""
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


SEARCH_APPLY_MODES = ("inline", "worker")


def search_apply_mode(default):
    value = os.environ.get("SEARCH_APPLY", "").strip().lower() or default
    if value not in SEARCH_APPLY_MODES:
        raise RuntimeError(f"SEARCH_APPLY must be one of {', '.join(SEARCH_APPLY_MODES)}, not {value!r}")
    return value


def database_url(default):
    """DATABASE_URL, with plain postgres URLs pointed at the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL", "").strip() or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def development_secret_key():
    """A random key kept in instance/ so sessions survive a restart of `make run`."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    try:
        # O_EXCL: when several workers start at once, one writes the key and all read that one.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    for _ in range(100):  # the worker that created it may still be writing
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and start again")


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'collectievekracht.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BASE_URL = os.environ.get("BASE_URL", "").strip().rstrip("/") or (
        f"http://127.0.0.1:{env_int('PORT', 5000)}"
    )
    # "whoosh" (an index directory on this machine) or "postgresql" (documents in the database,
    # for several web machines); unset, PostgreSQL's search when DATABASE_URL is PostgreSQL, else
    # Whoosh (app.search.backend). Run `flask search rebuild` after switching.
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "").strip().lower() or None
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR") or str(BASE_DIR / "search_index")
    # Who applies the index jobs a commit queues (app.search): "inline" = the request that
    # committed, right after its commit, waiting at most SEARCH_INLINE_LOCK_TIMEOUT for the index's
    # write lock (what it cannot apply is left for the worker); "worker" = only `flask worker`,
    # within seconds. Web processes never start a thread for it. Production defaults to "worker".
    SEARCH_APPLY = search_apply_mode("inline")
    SEARCH_INLINE_LOCK_TIMEOUT = 0.5  # seconds a request waits for the index lock
    SEARCH_INLINE_LIMIT = 100  # jobs a request applies at most; the worker does the rest
    SEARCH_LOCK_TIMEOUT = 5  # seconds the worker and the CLI wait for the index lock
    REDIS_URL = os.environ.get("REDIS_URL", "").strip() or None
    # Knowledge-base attachments live here, outside static/, under random names (app.uploads).
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    MAX_ATTACHMENT_MB = env_int("MAX_ATTACHMENT_MB", 10)
    # Key of the keyed hash that gives each collective a stable pseudonym in the research export.
    # Without it, a key derived from SECRET_KEY is used (stable as long as SECRET_KEY is).
    RESEARCH_PSEUDONYM_KEY = os.environ.get("RESEARCH_PSEUDONYM_KEY") or None
    # How many reverse proxies (nginx, Caddy) stand before the app: their X-Forwarded-For and
    # -Proto are then trusted, so rate limits see the visitor's address, not the proxy's.
    PROXY_COUNT = env_int("PROXY_COUNT", 0)

    # Mail: without MAIL_SERVER, messages are logged and kept in the outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip() or None
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL")  # SMTP over TLS from the start (port 465)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "CollectieveKracht <noreply@collectievekracht.example>"
    )
    MAIL_TIMEOUT = 15  # seconds for one SMTP conversation
    MAIL_MAX_ATTEMPTS = 12  # back-off doubles from 30 s; the last try is about a day later

    # The background worker (`flask --app wsgi worker`, app/worker): it is late when a job has been
    # due this many seconds (`flask worker --status` exits 1, /healthz says "late").
    WORKER_LATE_SECONDS = env_int("WORKER_LATE_SECONDS", 300)

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_NAME = "remember_token"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    # Set after a successful sign-in: this browser's accounts are exempt from the per-account
    # limit on wrong passwords (app/blueprints/auth/devices.py).
    LOGIN_DEVICE_COOKIE_NAME = "ck_apparaat"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # A signed-in session (app/accounts/sessions.py) ends after this long without a request, and
    # this long after signing in whatever happens ("ingelogd blijven" included).
    SESSION_IDLE_TIMEOUT = timedelta(days=14)
    SESSION_MAX_AGE = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock
    # A whole request may carry one attachment of MAX_ATTACHMENT_MB plus the form around it.
    MAX_CONTENT_LENGTH = (env_int("MAX_ATTACHMENT_MB", 10) + 2) * 1024 * 1024
    HSTS = False

    # Rate limits: memory per process, or Redis shared by all workers.
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"

    BOOTSTRAP_SERVE_LOCAL = True
    SEED_DEMO_ALLOWED = True

    # Static files under content-hashed names, with their .gz/.br copies (app/assets.py): written
    # here when the app starts, once per content; safe to delete at any time.
    STATIC_BUILD_DIR = os.environ.get("STATIC_BUILD_DIR") or str(INSTANCE_DIR / "static-build")
    # Development: an edited static file or template shows on the next page, without a restart.
    STATIC_AUTOREFRESH = env_bool("STATIC_AUTOREFRESH", True)
    # Pages gzipped by the app; off when a proxy in front compresses them instead.
    COMPRESS_RESPONSES = env_bool("COMPRESS_RESPONSES", True)

    @classmethod
    def init_app(cls, app):
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = development_secret_key()


# Parts of the placeholder values people paste from examples; a real key contains none of them.
PLACEHOLDER_KEY_PARTS = ("changeme", "change-me", "change_me", "replace", "example", "not-for-production")


def secret_key_problem(key):
    """Why `key` is no real secret key (None when it is fine)."""
    key = key or ""
    if len(key) < 32:
        return "it is missing or shorter than 32 characters"
    if len(set(key)) < 10 or any(part in key.lower() for part in PLACEHOLDER_KEY_PARTS):
        return "it looks like a placeholder, not a random value"
    return None


class ProductionConfig(Config):
    ENV_NAME = "production"
    PROXY_COUNT = env_int("PROXY_COUNT", 1)  # gunicorn behind one TLS-terminating proxy
    # No localhost default: links in e-mails must point at the real site.
    BASE_URL = os.environ.get("BASE_URL", "").strip().rstrip("/") or None
    PREFERRED_URL_SCHEME = "https"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # __Host-: the browser only accepts these cookies over HTTPS, for this host alone (no Domain)
    # and for the whole site (Path=/), so a neighbouring subdomain cannot plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    LOGIN_DEVICE_COOKIE_NAME = "__Host-ck_apparaat"
    HSTS = True
    SEED_DEMO_ALLOWED = False
    STATIC_AUTOREFRESH = env_bool("STATIC_AUTOREFRESH", False)
    # Requests never wait for the index's write lock and web workers never contend for it: the one
    # worker applies index jobs within a couple of seconds of the commit.
    SEARCH_APPLY = search_apply_mode("worker")

    @classmethod
    def init_app(cls, app):
        why = "" if app_env_is_explicit() else (
            " (APP_ENV is not set, so the production settings apply; set APP_ENV=development on a "
            "developer machine)")
        problem = secret_key_problem(app.config.get("SECRET_KEY"))
        if problem:
            raise RuntimeError(
                f"Production needs a real SECRET_KEY ({problem}): a random value of at least "
                "32 characters, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
                + why + "."
            )
        if not app.config.get("RESEARCH_PSEUDONYM_KEY"):
            app.logger.warning(
                "RESEARCH_PSEUDONYM_KEY is not set: research pseudonyms are derived from SECRET_KEY "
                "and all change when that key is rotated. Set a long random value of its own."
            )
        base_url = app.config.get("BASE_URL") or ""
        if not base_url.startswith(("https://", "http://")):
            raise RuntimeError(
                "Production needs BASE_URL (e.g. https://collectievekracht.nl) for the links in "
                "e-mails" + why + "."
            )
        if not app.config.get("REDIS_URL"):
            raise RuntimeError(
                "Production needs REDIS_URL (e.g. redis://127.0.0.1:6379/0): rate limits must be "
                "shared by all web workers and survive a restart, or each worker allows the full "
                "limit on its own" + why + "."
            )


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Cheap for tests (a hash takes about a millisecond); real configurations use Werkzeug's default.
    PASSWORD_HASH_METHOD = "scrypt:512:8:1"
    SECRET_KEY = "testing-secret-key-not-for-production-use-0123456789"
    # Tests build their own database (see tests/conftest.py); DATABASE_URL selects PostgreSQL.
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://")
    BASE_URL = "http://localhost"
    SERVER_NAME = None
    MAIL_SERVER = None
    RATELIMIT_STORAGE_URI = "memory://"
    SEARCH_INDEX_DIR = None  # set per test run by conftest
    # Tests apply index jobs inline; tests/conftest.py switches to "before-search" (applied just
    # before the next search, a mode for the test suite only) for the tests that never search.
    SEARCH_APPLY = "inline"
    UPLOAD_DIR = None  # set per test run by conftest
    STATIC_AUTOREFRESH = False
    MAX_ATTACHMENT_MB = 10
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    RESEARCH_PSEUDONYM_KEY = "testing-pseudonym-key-not-for-production"
    WTF_CSRF_ENABLED = True


CONFIGS = {
    "development": Config,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def running_flask_cli():
    """True inside the `flask` command (`flask --app wsgi …`, `python -m flask`), where the app is
    loaded by Flask's CLI; False under gunicorn, uwsgi or an import of wsgi.py."""
    import sys

    import click

    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        from flask.cli import ScriptInfo

        if isinstance(ctx.find_object(ScriptInfo), ScriptInfo):
            return True
    return os.path.basename(sys.argv[0] or "") == "flask"


def config_from_env():
    """The configuration APP_ENV names. Without APP_ENV, only the `flask` CLI gets the development
    settings (a developer's `flask --app wsgi mail list`); anything else, such as gunicorn, gets
    production, which refuses to start without its secrets: a forgotten APP_ENV fails safe."""
    name = os.environ.get("APP_ENV", "").strip().lower()
    if not name:
        name = "development" if running_flask_cli() else "production"
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def app_env_is_explicit():
    """True when APP_ENV is set (commands that must not run by accident insist on it)."""
    return bool(os.environ.get("APP_ENV", "").strip())
