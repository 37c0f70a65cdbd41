"""Quoting in the forum through the test client: "Citeren" without JavaScript (the quote with a
link back, the focus in the text box), what a thread page gives editor.js to quote a selection
with, and the quoted author hearing of a quote made either way."""
import re
from html import unescape

import pytest

from app.extensions import db
from app.timeutil import utcnow
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.forum import Cast, posts_of, thread_path
from tests.support import isolated_client, login, notifications, submit, text


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


def client_for(app, email):
    new_client = isolated_client(app)
    assert login(new_client, email).status_code == 302
    return new_client


def textarea(page):
    """The opening tag and the text of the reply box."""
    match = re.search(r'(<textarea[^>]*name="body"[^>]*>)(.*?)</textarea>', page, re.DOTALL)
    assert match, "no reply box"
    return match.group(1), unescape(match.group(2)).lstrip("\r\n")


def quote_headers(page):
    return [unescape(value) for value in re.findall(r'data-citeer-kop="([^"]*)"', page)]


def test_citeren_without_javascript_puts_the_quote_with_a_link_in_a_focused_box(app, cast, group):
    thread, opening = start_thread(group, cast.member, body="We zoeken **jonge** vrijwilligers.")
    petra = client_for(app, "partner@example.org")
    page = text(petra.get(thread_path(thread)))
    # The link opens the page without a #fragment: a browser skips autofocus on a page opened at one.
    links = re.findall(r'href="([^"]*citeer=[^"]*)"', page)
    assert [unescape(link) for link in links] == [f"{thread_path(thread)}?pagina=1&citeer={opening.id}"]
    tag, body = textarea(page)
    assert "autofocus" not in tag and body == ""

    for url in (thread_path(thread), f"/forum/energie/{thread.id}/reageren"):
        tag, body = textarea(text(petra.get(f"{url}?citeer={opening.id}")))
        assert "autofocus" in tag, url
        assert body == (f"> **Anna de Vries** schreef in [bericht #1](/forum/bericht/{opening.id}):\n"
                        "> We zoeken **jonge** vrijwilligers.\n\n"), url
        assert "autofocus" not in textarea(text(petra.get(url)))[0]  # only when quoting


def test_a_thread_page_gives_each_quotable_post_its_quote_header(app, cast, group):
    thread, opening = start_thread(group, cast.member)
    add_replies(thread, [cast.member2, cast.partner], 2)
    hidden, deleted = posts_of(thread)[1:]
    hidden.hidden_at = utcnow()
    deleted.deleted_at = utcnow()
    db.session.commit()
    petra = client_for(app, "partner@example.org")
    assert quote_headers(text(petra.get(thread_path(thread)))) == [
        f"> **Anna de Vries** schreef in [bericht #1](/forum/bericht/{opening.id}):"]
    # Nothing to quote into in a locked thread (moderators still can).
    thread.locked = True
    db.session.commit()
    assert quote_headers(text(petra.get(thread_path(thread)))) == []
    moderator = client_for(app, "mod@example.org")
    assert len(quote_headers(text(moderator.get(thread_path(thread))))) == 1


def test_a_quoted_selection_tells_the_quoted_author_and_not_the_people_it_mentions(app, cast, group):
    thread, opening = start_thread(group, cast.member,
                                   body="Eerst dit.\n\nWeet @Bert Jansen hoe dat moet?")
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]
    petra = client_for(app, "partner@example.org")
    [header] = quote_headers(text(petra.get(thread_path(thread))))
    body = f"{header}\n> Weet @Bert Jansen hoe dat moet?\n\nIk denk het wel."  # as editor.js makes it
    url = f"/forum/energie/{thread.id}/reageren"
    assert submit(petra, url, {"body": body}, page=thread_path(thread)).status_code == 302
    assert [n.kind for n in notifications(cast.member)] == ["quote"]
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]  # not again
    saved = posts_of(thread)[-1].body_html
    assert f'<a href="/forum/bericht/{opening.id}" rel="nofollow ugc noopener">bericht #1</a>' in saved
