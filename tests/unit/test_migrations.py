"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, inspect, text

from app.extensions import db
from app.search.postgres import TABLE_NAME as SEARCH_DOCUMENTS
from tests.fixtures.apps import fresh_app


def schema_differences():
    """What `flask db migrate` would write for the current database (nothing, when they match)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, type_, parents: name != SEARCH_DOCUMENTS})
        return compare_metadata(context, db.metadata)


def table_names():
    """The tables of the models (and alembic_version); the PostgreSQL search backend's table,
    which no model describes, is checked on its own."""
    return set(inspect(db.engine).get_table_names()) - {SEARCH_DOCUMENTS}


def test_the_search_documents_table_exists_on_postgresql_only(app):
    exists = SEARCH_DOCUMENTS in inspect(db.engine).get_table_names()
    assert exists == (db.engine.dialect.name == "postgresql")


def script_heads():
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_heads()


def current_heads():
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_heads()


def test_migrations_build_every_table_of_the_models(app):
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}


def test_database_is_at_the_single_head(app):
    heads = script_heads()
    assert len(heads) == 1, f"migrations have several heads, merge them: {heads}"
    assert current_heads() == tuple(heads)


def test_migrations_match_the_models(app):
    differences = schema_differences()
    assert differences == [], (
        f"the models and the migrations differ on {db.engine.dialect.name}; "
        f"run `flask --app wsgi db migrate`: {differences}"
    )


def _round_trip():
    """upgrade → downgrade to base → upgrade, in the current (fresh) app's database."""
    upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    assert schema_differences() == []
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}
    upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    assert schema_differences() == []


def test_downgrade_to_base_and_upgrade_again_on_a_fresh_sqlite_file(app, tmp_path):
    with fresh_app(app, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'rondje.db'}") as fresh:
        with fresh.app_context():
            # Every DDL statement commits; without waiting for the disk each time this takes
            # a tenth of the time, and durability of a throwaway file does not matter.
            event.listen(db.engine, "connect",
                         lambda connection, _: connection.execute("PRAGMA synchronous=OFF"))
            _round_trip()


def test_downgrade_to_base_and_upgrade_again_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("runs when DATABASE_URL points at PostgreSQL")
    schema = "migration_round_trip"
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = db.engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        with fresh_app(app, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False)) as fresh:
            with fresh.app_context():
                with db.engine.connect() as connection:
                    assert connection.execute(text("SELECT current_schema()")).scalar() == schema
                _round_trip()
    finally:
        with db.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def test_the_staff_alerts_migration_enters_what_already_waits_so_it_is_not_announced(app, tmp_path):
    """After the upgrade the first worker round must not e-mail the whole backlog."""
    with fresh_app(app, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'achterstand.db'}") as fresh:
        with fresh.app_context():
            upgrade(revision="a4c6e8f0b2d1")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO contact_messages (id, name, email, subject, message, created_at) "
                    "VALUES (7, 'K', 'k@example.org', 'Vraag', 'Tekst', '2026-12-01 10:00:00')"))
                connection.execute(text(
                    "INSERT INTO contact_messages (id, name, email, subject, message, created_at, "
                    "handled_at) VALUES (8, 'L', 'l@example.org', 'Klaar', 'Tekst', "
                    "'2026-12-01 10:00:00', '2026-12-02 10:00:00')"))
                connection.execute(text(
                    "INSERT INTO selfscans (id, resume_token_hash, questionnaire_version, status, "
                    "furthest_step, consent_privacy, consent_research, created_at, updated_at, "
                    "submitted_at, due_at) VALUES (3, 'h', 1, 'submitted', 5, 1, 1, "
                    "'2026-12-01 10:00:00', '2026-12-01 10:00:00', '2026-12-01 10:00:00', "
                    "'2026-12-03 10:00:00')"))
            upgrade()
            with db.engine.connect() as connection:
                rows = set(connection.execute(text("SELECT kind, item_id FROM staff_alerts")))
    # the waiting message and scan (and the scan's passed deadline); not the handled message
    assert rows == {("contact", 7), ("scan", 3), ("scan_deadline", 3)}
