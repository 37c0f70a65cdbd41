"""The thread page's cached pieces (app/blueprints/forum/fragments.py): a post's author heading
and date are rendered once per process, never its text; what the cache keeps changes with what it
shows (a rename, a new collective name), and a hidden post's text still reaches moderators only."""
from flask import url_for

from app.blueprints.forum import fragments
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.support import login, text


def test_hidden_post_text_is_not_served_from_a_moderators_view(app, client):
    cast = Cast()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Een discussie met een verborgen bericht")
    replies = add_replies(thread, [cast.member2], 2, body="Geheime tekst {n}")
    replies[0].hidden_at = utcnow()
    db.session.commit()
    fragments.headings.clear()

    login(client, "mod@example.org")
    page = text(client.get(thread_path(thread)))
    assert "Geheime tekst 2" in page and "Geheime tekst 3" in page  # the moderator reads it
    assert len(fragments.headings) > 0  # and filled the cache

    member = app.test_client()  # someone else, on the same process's cache
    login(member, "partner@example.org")
    page = text(member.get(thread_path(thread)))
    assert "Dit bericht is verborgen door een moderator." in page
    assert "Geheime tekst 2" not in page
    assert "Geheime tekst 3" in page


def test_author_rename_and_collective_name_show_at_once(client):
    cast = Cast()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Een discussie over namen")
    add_replies(thread, [cast.member2], 1)
    login(client, "lid2@example.org")
    page = text(client.get(thread_path(thread)))
    old_name = cast.member.name
    assert old_name in page

    cast.member.name = "Herdoopte Schrijver"
    cast.member.collective.name = "Nieuwe Naam Coöperatie"
    db.session.commit()
    page = text(client.get(thread_path(thread)))
    assert "Herdoopte Schrijver" in page and "Nieuwe Naam Coöperatie" in page
    assert old_name not in page.split("forum-posts", 1)[1]


def test_post_heading_is_the_macros_output(app, client):
    """The cached heading equals what the people macros render for the post."""
    cast = Cast()
    thread, opening = start_thread(make_group(), cast.member, title="Vergelijken")
    login(client, "lid2@example.org")
    page = text(client.get(thread_path(thread)))
    assert f'href="/leden/{cast.member.id}-' in page  # the name links to the profile
    assert 'class="avatar avatar-klein' in page
    assert f'href="/forum/bericht/{opening.id}" class="forum-permalink"' in page


def test_fragment_cache_is_bounded_and_least_recently_used():
    cache = fragments.FragmentCache(max_entries=3)
    rendered = []

    def render(value):
        rendered.append(value)
        return value

    for key in "abc":
        cache.get_or_render(key, lambda key=key: render(key))
    assert cache.get_or_render("a", lambda: render("again")) == "a"  # a hit, and now the newest
    cache.get_or_render("d", lambda: render("d"))  # pushes out b, the least recently used
    assert len(cache) == 3
    assert cache.get_or_render("b", lambda: render("b2")) == "b2"
    assert rendered == ["a", "b", "c", "d", "b2"]


def test_url_with_id_equals_url_for(app):
    with app.test_request_context():
        edit = fragments.url_with_id("forum.edit_post", "post_id")
        for post_id in (1, 12, 2**31 - 1):
            assert edit(post_id) == url_for("forum.edit_post", post_id=post_id)
