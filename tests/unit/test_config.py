"""Configuration from the environment: defaults, DATABASE_URL, and a production that refuses to
start half-configured."""
import importlib
import secrets

import pytest

import config as config_module
from app import create_app

ENV_NAMES = ["APP_ENV", "DATABASE_URL", "SECRET_KEY", "BASE_URL", "PORT", "MAIL_SERVER", "MAIL_PORT",
             "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "REDIS_URL", "SEARCH_INDEX_DIR",
             "SEARCH_APPLY"]
GOOD_KEY = secrets.token_hex(32)


@pytest.fixture
def load_config(monkeypatch):
    """Re-read config.py under a given environment; the real module is restored afterwards."""

    def load(**env):
        for name in ENV_NAMES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(config_module)

    yield load
    monkeypatch.undo()
    importlib.reload(config_module)


def production(**settings):
    settings.setdefault("SECRET_KEY", GOOD_KEY)
    settings.setdefault("BASE_URL", "https://kracht.example.nl")
    settings.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings.setdefault("SQLALCHEMY_DATABASE_URI", "sqlite://")
    return type("Production", (config_module.ProductionConfig,), settings)


# -- production refuses to start half-configured -------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "kort", "changeme", "x" * 31, "changeme" * 4,
                                 "a" * 64, "ab" * 20,
                                 "testing-secret-key-not-for-production-use-0123456789"])
def test_production_refuses_a_missing_short_or_placeholder_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production(SECRET_KEY=key))


@pytest.mark.parametrize("base_url", [None, "", "kracht.example.nl"])
def test_production_refuses_to_start_without_base_url(base_url):
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app(production(BASE_URL=base_url))


@pytest.mark.parametrize("redis_url", [None, ""])
def test_production_refuses_to_start_without_redis_url(redis_url):
    with pytest.raises(RuntimeError, match="REDIS_URL.*rate limits"):
        create_app(production(REDIS_URL=redis_url))


def test_production_starts_with_a_real_key_base_url_and_redis():
    app = create_app(production())
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["HSTS"]
    assert not app.config["SEED_DEMO_ALLOWED"]
    assert app.config["SEARCH_APPLY"] == "worker"  # requests never wait for the index lock
    assert not app.config.get("DEBUG") and not app.config.get("TESTING")


def test_app_env_production_reads_its_settings_from_the_environment(load_config, tmp_path):
    database = f"sqlite:///{tmp_path / 'prod.db'}"
    cfg = load_config(APP_ENV="production", DATABASE_URL=database)
    assert cfg.config_from_env() is cfg.ProductionConfig
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()  # no SECRET_KEY in the environment

    cfg = load_config(APP_ENV="production", DATABASE_URL=database, SECRET_KEY=GOOD_KEY)
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app()

    cfg = load_config(APP_ENV="production", DATABASE_URL=database, SECRET_KEY=GOOD_KEY,
                      BASE_URL="https://kracht.example.nl/")
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app()

    cfg = load_config(APP_ENV="production", DATABASE_URL=database, SECRET_KEY=GOOD_KEY,
                      BASE_URL="https://kracht.example.nl/", MAIL_SERVER="smtp.example.nl",
                      MAIL_PORT="587", MAIL_USE_TLS="true", REDIS_URL="redis://127.0.0.1:6379/0")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert app.config["SECRET_KEY"] == GOOD_KEY
    assert app.config["BASE_URL"] == "https://kracht.example.nl"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"], app.config["MAIL_USE_TLS"]) == (
        "smtp.example.nl", 587, True)


def test_redis_url_shares_rate_limits(load_config):
    # Only the class: an app built with it would point the shared limiter at a Redis not running.
    cfg = load_config(REDIS_URL="redis://127.0.0.1:6379/0")
    assert cfg.ProductionConfig.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
    assert cfg.TestingConfig.RATELIMIT_STORAGE_URI == "memory://"


def test_unknown_app_env_is_refused(load_config):
    cfg = load_config(APP_ENV="staging")
    with pytest.raises(RuntimeError, match="APP_ENV"):
        cfg.config_from_env()


def test_a_port_that_is_not_a_number_is_refused_clearly(load_config):
    with pytest.raises(RuntimeError, match="MAIL_PORT"):
        load_config(MAIL_PORT="vijfentwintig")


# -- DATABASE_URL and defaults ---------------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db.example.nl:5432/ck", "postgresql+psycopg://u:p@db.example.nl:5432/ck"),
    ("postgresql://postgres@127.0.0.1:5432/ck", "postgresql+psycopg://postgres@127.0.0.1:5432/ck"),
    ("postgresql+psycopg://u@h/ck", "postgresql+psycopg://u@h/ck"),
    ("sqlite:////tmp/ck.db", "sqlite:////tmp/ck.db"),
    ("  postgres://u@h/ck  ", "postgresql+psycopg://u@h/ck"),
])
def test_database_url_uses_psycopg_3_for_postgres(load_config, given, expected):
    cfg = load_config(DATABASE_URL=given)
    assert cfg.database_url("sqlite://") == expected
    assert cfg.Config.SQLALCHEMY_DATABASE_URI == expected
    assert cfg.ProductionConfig.SQLALCHEMY_DATABASE_URI == expected


def test_defaults_need_no_other_service(load_config):
    cfg = load_config()
    assert cfg.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert cfg.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/collectievekracht.db")
    assert cfg.TestingConfig.SQLALCHEMY_DATABASE_URI == "sqlite://"
    assert cfg.Config.RATELIMIT_STORAGE_URI == "memory://"
    assert cfg.Config.MAIL_SERVER is None  # mail is logged and kept
    assert cfg.Config.BASE_URL == "http://127.0.0.1:5000"
    assert cfg.Config.SEARCH_INDEX_DIR.endswith("search_index")
    assert cfg.Config.SEARCH_APPLY == "inline"  # make run: a post is searchable at once
    assert cfg.Config.SESSION_COOKIE_HTTPONLY and cfg.Config.SESSION_COOKIE_SAMESITE == "Lax"


def test_port_and_base_url_follow_the_environment(load_config):
    cfg = load_config(PORT="5123")
    assert cfg.Config.BASE_URL == "http://127.0.0.1:5123"
    cfg = load_config(BASE_URL="https://kracht.example.nl/")
    assert cfg.Config.BASE_URL == "https://kracht.example.nl"


def test_development_key_is_kept_in_the_instance_folder(load_config, tmp_path, monkeypatch):
    cfg = load_config()
    monkeypatch.setattr(cfg, "INSTANCE_DIR", tmp_path)
    first = cfg.development_secret_key()
    assert len(first) >= 32 and cfg.development_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_behind_a_proxy_the_visitors_address_counts(app):
    from app import create_app
    from config import TestingConfig

    class Proxied(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        PROXY_COUNT = 1

    proxied = create_app(Proxied)

    @proxied.route("/_wie")
    def wie():
        from flask import request
        return f"{request.remote_addr} {request.scheme}"

    response = proxied.test_client().get(
        "/_wie", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "203.0.113.7 https"


# -- a forgotten APP_ENV fails safe -------------------------------------------------------------------


def test_without_app_env_a_server_gets_production_and_refuses_to_start(load_config):
    """gunicorn wsgi:app (anything but the flask CLI) without APP_ENV: production settings, which
    refuse to start without their secrets, saying APP_ENV is not set."""
    cfg = load_config()
    assert cfg.config_from_env() is cfg.ProductionConfig
    with pytest.raises(RuntimeError, match="SECRET_KEY.*APP_ENV is not set"):
        create_app()
    cfg = load_config(SECRET_KEY=GOOD_KEY)
    with pytest.raises(RuntimeError, match="BASE_URL.*APP_ENV is not set"):
        create_app()


def test_without_app_env_the_flask_cli_gets_development(load_config):
    import click
    from flask.cli import ScriptInfo

    cfg = load_config()
    with click.Context(click.Command("mail"), obj=ScriptInfo()):
        assert cfg.running_flask_cli()
        assert cfg.config_from_env() is cfg.Config
    assert not cfg.app_env_is_explicit()
    cfg = load_config(APP_ENV="development")
    assert cfg.app_env_is_explicit() and cfg.config_from_env() is cfg.Config


@pytest.mark.parametrize("args", [["worker", "--once"], ["mail", "worker", "--once"],
                                  ["seed-demo", "--if-empty"]])
def test_worker_and_demo_data_insist_on_an_explicit_app_env(app, monkeypatch, args):
    monkeypatch.delenv("APP_ENV", raising=False)
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert "APP_ENV is not set" in result.output


def test_search_apply_must_be_inline_or_worker(load_config):
    cfg = load_config(SEARCH_APPLY="worker")
    assert cfg.Config.SEARCH_APPLY == "worker" and cfg.ProductionConfig.SEARCH_APPLY == "worker"
    cfg = load_config(SEARCH_APPLY="inline", APP_ENV="production")
    assert cfg.ProductionConfig.SEARCH_APPLY == "inline"
    with pytest.raises(RuntimeError, match="SEARCH_APPLY"):
        load_config(SEARCH_APPLY="thread")


def test_a_production_web_process_starts_no_threads(app):
    """Serving requests, including ones that commit and queue index jobs, starts no thread."""
    import threading

    from tests.fixtures.apps import production_app

    with production_app(app, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False) as served:
        before = {thread.ident for thread in threading.enumerate()}
        client = served.test_client()
        for path in ("/", "/healthz", "/zoeken?q=energie", "/kennisbank", "/contact"):
            assert client.get(path).status_code == 200, path
        started = [t.name for t in threading.enumerate() if t.ident not in before]
    assert started == []
