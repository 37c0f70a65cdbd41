"""Which search backend runs (SEARCH_BACKEND): "whoosh", the embedded index in a local directory
(one machine), or "postgresql", documents in the database with its full-text index (any number of
web processes on any number of machines). Unset, it follows the database: PostgreSQL's own search
when DATABASE_URL is PostgreSQL, Whoosh otherwise."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.engine import make_url

WHOOSH = "whoosh"
POSTGRESQL = "postgresql"
BACKENDS = (WHOOSH, POSTGRESQL)


def _is_postgresql(url):
    try:
        return make_url(url or "").get_backend_name() == "postgresql"
    except Exception:
        return False


def configured_backend(config):
    """The backend a configuration asks for; raises for one that cannot work with its database."""
    url = config.get("SQLALCHEMY_DATABASE_URI")
    name = (config.get("SEARCH_BACKEND") or "").strip().lower()
    if not name:
        return POSTGRESQL if _is_postgresql(url) else WHOOSH
    if name not in BACKENDS:
        raise RuntimeError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    if name == POSTGRESQL and not _is_postgresql(url):
        raise RuntimeError("SEARCH_BACKEND=postgresql needs DATABASE_URL to be a PostgreSQL database")
    return name


def backend_name(app=None):
    """The backend of the running app (read each time, so a test may switch it)."""
    return configured_backend((app or current_app).config)


def uses_postgresql(app=None):
    return backend_name(app) == POSTGRESQL
