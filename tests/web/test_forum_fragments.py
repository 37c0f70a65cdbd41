"""The thread page's cached pieces (app/blueprints/forum/fragments.py): a post's author heading
and date are rendered once per process, never its text; what the cache keeps changes with what it
shows (a rename, a new collective name), and a hidden post's text still reaches moderators only."""
import pytest
from flask import url_for

from app.blueprints.forum import fragments
from app.caching import BoundedCache
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
    cache = BoundedCache(max_entries=3)
    rendered = []

    def render(value):
        rendered.append(value)
        return value

    for key in "abc":
        cache.get_or_make(key, lambda key=key: render(key))
    assert cache.get_or_make("a", lambda: render("again")) == "a"  # a hit, and now the newest
    cache.get_or_make("d", lambda: render("d"))  # pushes out b, the least recently used
    assert len(cache) == 3
    assert cache.get_or_make("b", lambda: render("b2")) == "b2"
    assert rendered == ["a", "b", "c", "d", "b2"]


def test_url_with_id_equals_url_for(app):
    with app.test_request_context():
        edit = fragments.url_with_id("forum.edit_post", "post_id")
        for post_id in (1, 12, 2**31 - 1):
            assert edit(post_id) == url_for("forum.edit_post", post_id=post_id)


def _footer(page, number):
    article = page.split(f'id="bericht-{number}"', 1)[1].split("</article>", 1)[0]
    return article.split('<footer class="card-footer', 1)[1]


def _csrf_tokens(html):
    import re

    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def test_a_cached_footer_carries_each_viewers_own_token_state_and_buttons(app):
    """The buttons under a post are kept per process; what one person sees there (their token,
    their thanks, a moderator's buttons) never reaches another."""
    cast = Cast()
    thread, _ = start_thread(make_group(), cast.member, title="Een discussie met knoppen")
    reply = add_replies(thread, [cast.member2], 1)[0]
    fragments.footers.clear()

    moderator = app.test_client()
    login(moderator, "mod@example.org")
    staff_page = text(moderator.get(thread_path(thread)))
    assert "Verbergen<span" in _footer(staff_page, reply.number)

    thanker = app.test_client()
    login(thanker, "partner@example.org")
    from tests.support import submit

    submit(thanker, f"/forum/bericht/{reply.id}/bedanken", {}, page=thread_path(thread))
    thanked = text(thanker.get(thread_path(thread)))
    assert 'aria-pressed="true"' in _footer(thanked, reply.number)

    reader = app.test_client()
    login(reader, "lid@example.org")
    page = text(reader.get(thread_path(thread)))
    footer = _footer(page, reply.number)
    assert "Verbergen<span" not in footer  # no moderator's button
    assert 'aria-pressed="true"' not in footer and "1 keer bedankt" in footer  # not the thanker's
    tokens = _csrf_tokens(footer)
    assert len(tokens) == 1 and tokens == _csrf_tokens(page.split('id="antwoord"', 1)[1])
    assert tokens.isdisjoint(_csrf_tokens(thanked)) and tokens.isdisjoint(_csrf_tokens(staff_page))
    assert len(fragments.footers) > 0


def test_a_footer_changes_at_once_with_what_it_shows(client):
    cast = Cast()
    thread, _ = start_thread(make_group(), cast.member, title="Een discussie die verandert")
    reply = add_replies(thread, [cast.member2], 1)[0]
    login(client, "lid@example.org")
    assert "keer bedankt" not in _footer(text(client.get(thread_path(thread))), reply.number)

    reply.thanks_count = 4
    db.session.commit()
    assert "4 keer bedankt" in _footer(text(client.get(thread_path(thread))), reply.number)

    reply.hidden_at = utcnow()
    db.session.commit()
    footer = _footer(text(client.get(thread_path(thread))), reply.number)
    assert "Bedankt" not in footer and "Melden" not in footer and "Bewaren" not in footer


def _row(page, thread):
    return page.split(f'/{thread.id}-', 1)[0].rsplit("<li", 1)[1] + page.split(f'/{thread.id}-', 1)[1].split("</li>", 1)[0]


def test_a_kept_thread_line_shows_each_reader_their_own_unread_state(app):
    cast = Cast()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Een discussie in de lijst")
    add_replies(thread, [cast.member2], 3)
    fragments.thread_rows.clear()
    reader = app.test_client()
    login(reader, "lid2@example.org")
    reader.get(thread_path(thread))  # reads all four posts
    line = _row(text(reader.get(f"/forum/{group.slug}")), thread)
    assert "forum-unread" not in line and "3 reacties" in line

    other = app.test_client()
    login(other, "partner@example.org")
    line = _row(text(other.get(f"/forum/{group.slug}")), thread)
    assert "forum-unread" in line  # not the first reader's line
    assert len(fragments.thread_rows) == 2

    thread.title = "Een hernoemde discussie"
    add_replies(thread, [cast.member], 1)
    db.session.commit()
    line = _row(text(reader.get(f"/forum/{group.slug}")), thread)
    assert "Een hernoemde discussie" in line and "4 reacties" in line
    assert "forum-unread" in line and "Naar de nieuwe berichten" in line


@pytest.mark.parametrize("locked", [False, True])
def test_the_checks_asked_once_per_shape_of_post_are_those_of_each_post(app, locked):
    """PageViewer asks can_edit_post, can_delete_post, can_report_post and can_thank once per
    post_shape; for posts of every state (own and others', visible, hidden, deleted, edited, old
    and new, by a former member) and every kind of reader, that gives each post's own answers."""
    from datetime import timedelta

    from app.permissions import can_delete_post, can_edit_post, can_report_post, can_thank

    cast = Cast()
    thread, _ = start_thread(make_group(), cast.member, title="Een discussie vol soorten")
    posts = add_replies(thread, [cast.member, cast.member2, cast.partner, cast.moderator], 12)
    now = utcnow()
    for n, post in enumerate(posts):
        post.created_at = now - timedelta(days=400 * (n % 3))
        if n % 4 == 1:
            post.hidden_at = now
        if n % 5 == 2:
            post.deleted_at = now
        if n % 3 == 0:
            post.edited_at, post.edit_count = now, 2
    posts[-1].author_id = None  # a former member's post
    thread.locked = locked
    db.session.commit()
    for person in (cast.member, cast.member2, cast.partner, cast.moderator):
        with app.test_request_context():
            viewer = fragments.PageViewer(person)
            for post in posts:
                direct = (can_edit_post(person, post), can_delete_post(person, post),
                          can_report_post(person, post), can_thank(person, post))
                assert viewer.post_answers(post) == direct, (person.email, post.number)
