"""Every Flask extension object, created unbound and bound in create_app(); and two small database
helpers every layer uses (an INSERT with ON CONFLICT, a short lock wait)."""
import contextlib

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so migrations can alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def insert_for(model, bind=None):
    """An INSERT with ON CONFLICT support (`on_conflict_do_nothing`/`_do_update`) for the database
    in use (`bind`: an engine or connection; default the session's): PostgreSQL's or SQLite's."""
    bind = bind if bind is not None else db.session.get_bind()
    insert = postgresql_insert if bind.dialect.name == "postgresql" else sqlite_insert
    return insert(model)


@contextlib.contextmanager
def short_lock_wait(connection, milliseconds=250):
    """Within the block, a write on `connection` (a Connection of its own, not a session's) waits
    at most `milliseconds` for another transaction's lock and then fails with OperationalError,
    instead of the usual seconds: for writes a page makes on the side (a read marker), which may
    be skipped but must not hold the page up. The block commits."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(milliseconds)}ms'")
        yield
        return
    if connection.dialect.name != "sqlite":
        yield
        return
    # The connection's usual patience, read every time: caching it per pooled connection made the
    # number of statements of a page depend on which connection the pool handed out.
    previous = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        # The connection goes back to the pool: its usual patience again (not transactional).
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous)}")
