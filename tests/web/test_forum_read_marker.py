"""The thread page remembers how far someone read in a short transaction of its own, after the
page is rendered: a database busy with another writer skips the marker, never the page."""
import sqlite3
import time

from app.extensions import db
from app.models.forum import ThreadRead
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.support import isolated_client, login


def read_up_to(user, thread):
    db.session.expire_all()
    row = db.session.get(ThreadRead, (user.id, thread.id))
    return row.last_read_number if row else None


class WriteLockHeld:
    """Another connection holding the write lock the read marker needs, until the block ends:
    SQLite's database-wide write lock (BEGIN IMMEDIATE), or on PostgreSQL the marker's own row."""

    def __init__(self, user, thread):
        self.user, self.thread = user, thread

    def __enter__(self):
        if db.engine.dialect.name == "sqlite":
            self.raw = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
            self.raw.execute("BEGIN IMMEDIATE")
        else:
            self.conn = db.engine.connect()
            marker = ThreadRead.__table__
            locked = self.conn.execute(
                marker.update().where(marker.c.user_id == self.user.id,
                                      marker.c.thread_id == self.thread.id)
                .values(updated_at=marker.c.updated_at)).rowcount
            assert locked == 1
        return self

    def __exit__(self, *exc):
        if db.engine.dialect.name == "sqlite":
            self.raw.execute("ROLLBACK")
            self.raw.close()
        else:
            self.conn.rollback()
            self.conn.close()


def test_a_page_view_succeeds_while_another_connection_holds_the_write_lock(app):
    cast = Cast()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Wie leest er mee?")
    add_replies(thread, [cast.member], 2)
    reader = isolated_client(app)
    login(reader, cast.member2.email)
    assert reader.get(thread_path(thread)).status_code == 200
    assert read_up_to(cast.member2, thread) == 3
    add_replies(thread, [cast.member], 2, body="Nieuw bericht {n}")

    with WriteLockHeld(cast.member2, thread):
        started = time.monotonic()
        response = reader.get(thread_path(thread))
        took = time.monotonic() - started
    assert response.status_code == 200
    assert "Nieuw bericht 3" in response.get_data(as_text=True)
    assert took < 3  # waited a moment for the lock, not the usual five seconds
    assert read_up_to(cast.member2, thread) == 3  # skipped this time …

    assert reader.get(thread_path(thread)).status_code == 200
    assert read_up_to(cast.member2, thread) == 5  # … and recorded by the next view


def test_the_marker_never_moves_backwards(app):
    cast = Cast()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Lange draad")
    add_replies(thread, [cast.member], 24)  # two pages
    reader = isolated_client(app)
    login(reader, cast.member2.email)
    assert reader.get(thread_path(thread) + "?pagina=2").status_code == 200
    assert read_up_to(cast.member2, thread) == 25
    assert reader.get(thread_path(thread) + "?pagina=1").status_code == 200
    assert read_up_to(cast.member2, thread) == 25
