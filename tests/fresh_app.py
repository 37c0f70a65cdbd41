"""Extra app instances for tests that need their own configuration or routes.

They share the session app's database (see conftest) unless told otherwise, and close their
connections when done.
"""
import contextlib
import secrets

from app import create_app
from app.extensions import db
from config import ProductionConfig, TestingConfig


@contextlib.contextmanager
def fresh_app(session_app, base=TestingConfig, **settings):
    """A new app from a subclass of `base` with `settings`, on the session app's database."""
    settings.setdefault("SQLALCHEMY_DATABASE_URI", session_app.config["SQLALCHEMY_DATABASE_URI"])
    settings.setdefault("SEARCH_INDEX_DIR", session_app.config["SEARCH_INDEX_DIR"])
    settings.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    config = type(f"Fresh{base.__name__}", (base,), settings)
    application = create_app(config)
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def production_app(session_app, **settings):
    """A ProductionConfig-derived app with a real key and BASE_URL (no demo data, HSTS, Secure)."""
    settings.setdefault("SECRET_KEY", secrets.token_hex(32))
    settings.setdefault("BASE_URL", "https://kracht.example.nl")
    settings.setdefault("MAIL_SERVER", None)
    settings.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")  # required; limits stay in memory
    return fresh_app(session_app, base=ProductionConfig, **settings)
