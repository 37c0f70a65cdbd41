"""Forum services on their own: numbering under concurrency, counters, mentions and reading state."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.forum import services
from app.models.accounts import User
from app.models.forum import ForumGroup, Post, Thread, ThreadRead
from app.slugs import thread_slug
from app.timeutil import utcnow
from tests.factories import add_replies, make_group, quick_user, start_thread
from tests.fixtures.forum import Cast, posts_of
from tests.support import reload


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


def test_parallel_replies_get_distinct_numbers(app, cast, group):
    """Several people replying at once: every post gets its own number, the counters add up."""
    thread, _ = start_thread(group, cast.member)
    authors = [cast.member.id, cast.member2.id, cast.partner.id, cast.moderator.id]
    errors = []
    start = threading.Barrier(len(authors))

    def reply_five(author_id):
        try:
            with app.app_context():
                author = db.session.get(User, author_id)
                start.wait()
                for number in range(5):
                    services.post_reply(author, db.session.get(Thread, thread.id),
                                        f"Parallel {author_id}-{number}", enforce_limits=False)
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=reply_five, args=(author_id,)) for author_id in authors]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == [], [str(e)[:600] for e in errors]
    numbers = [post.number for post in posts_of(thread)]
    assert numbers == list(range(1, 22))
    thread = reload(Thread, thread.id)
    assert (thread.post_count, thread.last_post_number) == (21, 21)
    assert reload(ForumGroup, group.id).post_count == 21


def test_a_taken_number_is_retried_once(monkeypatch, cast, group):
    thread, _ = start_thread(group, cast.member)
    real = services._add_numbered_post
    calls = []

    def taken_first(thread_id, author, body, html, now):
        calls.append(thread_id)
        if len(calls) == 1:  # someone else's post took the number: the insert fails
            with db.session.begin_nested():
                db.session.add(Post(thread_id=thread_id, number=1, author_id=author.id,
                                    body_source="dubbel", body_html="dubbel"))
                db.session.flush()
        return real(thread_id, author, body, html, now)

    monkeypatch.setattr(services, "_add_numbered_post", taken_first)
    post = services.post_reply(cast.member2, thread, "Tweede poging", enforce_limits=False)
    db.session.commit()
    assert len(calls) == 2 and post.number == 2
    assert [p.body_source for p in posts_of(thread)] == ["Wie heeft tips?", "Tweede poging"]


def test_a_second_failure_is_not_hidden(monkeypatch, cast, group):
    thread, _ = start_thread(group, cast.member)

    def always_taken(*args):
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(services, "_add_numbered_post", always_taken)
    with pytest.raises(IntegrityError):
        services.post_reply(cast.member2, thread, "Lukt niet", enforce_limits=False)


def test_refresh_counters_recomputes_from_visible_posts(cast, group):
    thread, _ = start_thread(group, cast.member)
    replies = add_replies(thread, [cast.member2, cast.partner], 3)
    other, _ = start_thread(group, cast.partner, title="Een tweede discussie",
                            now=utcnow() - timedelta(days=5))
    replies[-1].hidden_at = utcnow()  # as a moderator would
    thread.post_count = 99  # out of step
    group.post_count = 99
    db.session.commit()
    services.refresh_counters(thread)
    db.session.commit()
    thread = reload(Thread, thread.id)
    assert (thread.post_count, thread.last_post_number) == (3, 3)
    assert thread.last_poster_id == cast.partner.id
    assert thread.last_post_at == replies[1].created_at
    group = reload(ForumGroup, group.id)
    assert (group.thread_count, group.post_count) == (2, 4)
    other.deleted_at = utcnow()
    services.refresh_group_counters(group)
    db.session.commit()
    assert (reload(ForumGroup, group.id).thread_count, reload(ForumGroup, group.id).post_count) == (1, 3)


def test_resolve_mentions(cast):
    quick_user("bea@example.org", collective=cast.collective, name="Bea")
    boer = quick_user("bdb@example.org", collective=cast.collective, name="Bea de Boer")
    found = services.resolve_mentions("Hoi @Bea de Boer schreef gisteren, @PETRA PARTNER ook. "
                                      "@Olga Los niet (geen lid). @Niemand hier.")
    assert [person.name for person in found] == ["Bea de Boer", "Petra Partner"]
    assert services.resolve_mentions("@Bea") [0].name == "Bea"
    assert services.resolve_mentions("mail bea@example.org") == []
    assert services.resolve_mentions("") == [] and services.resolve_mentions(None) == []
    assert boer in services.resolve_mentions("@Bea de Boer.")


def test_mark_read_only_moves_forward(cast, group):
    thread, _ = start_thread(group, cast.member)
    services.mark_read(cast.member2, thread, 5)
    services.mark_read(cast.member2, thread, 3)
    services.mark_read(cast.member2, thread, 7)
    services.mark_read(cast.member2, thread, 6)
    db.session.commit()
    assert reload(ThreadRead, (cast.member2.id, thread.id)).last_read_number == 7


def test_watch_functions_are_idempotent(cast, group):
    thread, _ = start_thread(group, cast.member)
    for change in (services.watch_thread, services.watch_thread, services.mute_thread,
                   services.mute_thread, services.unwatch_thread, services.unwatch_thread):
        change(cast.member2, thread)
    for change in (services.watch_group, services.watch_group, services.unwatch_group,
                   services.unwatch_group):
        change(cast.member2, group)
    db.session.commit()


def test_thread_slug():
    assert thread_slug("Coöperatie & zonnepanelen: hoe?") == "cooperatie-zonnepanelen-hoe"
    assert thread_slug("<script>") == "script"
    assert thread_slug("😀😀") == "discussie"
    assert len(thread_slug("woord " * 50)) <= 60
