"""The forum given hostile input: huge, empty, invisible and scripted text, odd ids and types.

Whatever arrives, the answer is a Dutch page or a redirect, never a 500; markup in titles is shown
as text and bodies are sanitised when saved.
"""
import io
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.models.forum import Post, PostReport, Thread
from app.validators import has_control_characters
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.forum import Cast, posts_of, thread_path
from tests.support import CSRF_RE, csrf_token, login, submit, text

HOSTILE = {
    "huge": "x" * 100_000,
    "huge-multibyte": "ä€😀" * 12_000,
    "just-over": "y" * 20_001,
    "empty": "",
    "spaces": " \t\n\r\u00a0 ",
    "nul": "Anna\x00de Boer",
    "escape": "\x1b[31mAnna\x1b[0m",
    "bidi-override": "Anna\u202egro.elpmaxe",
    "zero-width": "An\u200bna gaat",
    "line-separator": "Anna\u2028Boer",
    "markup": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "template": "{{ config.SECRET_KEY }}{% print 1 %}",
    "sql": "'; DROP TABLE forum_posts; --",
    "odd-unicode": "Z\u0334\u0321\u031ba\u0337l\u0336g\u0338o \ufffe\uffff \U0010ffff 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ß ﷽",
    "emoji": "👩‍👩‍👧‍👦🔥🏳️‍🌈🇳🇱",
    "mentions": " ".join(f"@Persoon{n}" for n in range(500)),
    "quote-headers": "\n".join("> **Anna de Vries** schreef:" for _ in range(300)),
}

XSS_BODIES = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[klik](javascript:alert(1))',
    '<a href="javascript:alert(1)">klik</a>',
    '<svg/onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '![x](javascript:alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '[a](JaVaScRiPt:alert(1))',
    '<details open ontoggle=alert(1)>',
]


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def thread(cast):
    thread, _ = start_thread(make_group("Energie", slug="energie"), cast.partner)
    return thread


@pytest.fixture
def member(client, cast):
    login(client, "lid@example.org")
    return client


def assert_dutch_page(response):
    assert response.status_code < 500
    if response.status_code != 302:
        page = text(response)
        assert '<html lang="nl">' in page
        assert "Traceback" not in page


def saved_ok(value):
    """Whether the forms accept `value` as a body (the project's one rule for invisible characters)."""
    stripped = value.strip()
    return bool(stripped) and len(stripped) <= 20_000 and not has_control_characters(value)


class LiveMarkup(HTMLParser):
    """The tags and attributes a browser would act on (text that merely looks like HTML is not)."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def assert_harmless(html):
    markup = LiveMarkup(html)
    assert not set(markup.tags) & {"script", "img", "svg", "iframe", "details", "div", "style",
                                   "object", "embed", "form", "input"}
    for name, value in markup.attributes:
        assert not name.startswith("on") and name != "style"
        assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_new_thread_title_and_body(member, name):
    value = HOSTILE[name]
    for data in ({"title": value, "body": "Een gewone tekst"},
                 {"title": "Een gewone titel", "body": value}):
        response = submit(member, "/forum/energie/nieuw", data)
        assert_dutch_page(response)
        if response.status_code == 400:
            assert "Niet alles is goed ingevuld" in text(response)
    for thread in db.session.execute(db.select(Thread)).scalars():
        assert 5 <= len(thread.title) <= 150 and "\x00" not in thread.title


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_reply_body(member, thread, name):
    value = HOSTILE[name]
    response = submit(member, f"/forum/energie/{thread.id}/reageren", {"body": value},
                      page=thread_path(thread))
    assert_dutch_page(response)
    saved = posts_of(thread)[1:]
    if saved_ok(value):
        assert response.status_code == 302 and len(saved) == 1
        page = text(member.get(response.headers["Location"]))
        assert "<script>" not in page.split('<div class="forum-body">')[2]
    else:
        assert response.status_code == 400 and saved == []
        page = text(response)
        assert any(message in page for message in (
            "Schrijf eerst je bericht.", "Een bericht is hoogstens 20.000 tekens lang.",
            "onzichtbare tekens"))


@pytest.mark.parametrize("name", ["huge", "empty", "nul", "markup", "bidi-override"])
def test_hostile_edit_and_report(client, cast, thread, name):
    _, own = start_thread(thread.group, cast.member, title="Mijn eigen discussie", body="Origineel")
    login(client, "lid@example.org")
    value = HOSTILE[name]
    response = submit(client, f"/forum/bericht/{own.id}/bewerken", {"body": value})
    assert_dutch_page(response)
    response = submit(client, f"/forum/bericht/{posts_of(thread)[0].id}/melden", {"reason": value})
    assert_dutch_page(response)
    if not saved_ok(value):
        assert db.session.get(Post, own.id).body_source == "Origineel"
        assert db.session.execute(db.select(PostReport)).first() is None


def test_markup_in_a_title_is_shown_as_text_everywhere(member, cast, thread):
    title = '<script>alert("t")</script> <b>vet</b>'
    response = submit(member, "/forum/energie/nieuw", {"title": title, "body": "Hallo"})
    assert response.status_code == 302
    for path in (response.headers["Location"], "/forum/energie", "/forum"):
        page = text(member.get(path))
        assert '<script>alert("t")</script>' not in page
        assert "<b>vet</b>" not in page
    page = text(member.get(response.headers["Location"]))
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &lt;b&gt;vet&lt;/b&gt;" in page


@pytest.mark.parametrize("body", XSS_BODIES)
def test_script_in_a_body_never_survives(member, thread, body):
    response = submit(member, f"/forum/energie/{thread.id}/reageren", {"body": body},
                      page=thread_path(thread))
    assert response.status_code == 302
    stored = posts_of(thread)[-1].body_html
    assert_harmless(stored)
    page = text(member.get(response.headers["Location"]))
    assert stored in page  # shown as stored: sanitised once, at save time
    assert_harmless(page.split('<div class="forum-body">')[-1].split("</div>")[0])
    # The preview is sanitised the same way.
    response = submit(member, f"/forum/energie/{thread.id}/reageren",
                      {"body": body, "preview": "Voorbeeld"}, page=thread_path(thread))
    assert_harmless(text(response).split('<div class="card-body forum-body">')[1].split("</div>")[0])


@pytest.mark.parametrize("path", [
    "/forum/onbekend",
    "/forum/onbekend/nieuw",
    "/forum/energie/999999-iets",
    "/forum/energie/999999",
    "/forum/energie/99999999999999999999-te-groot",
    "/forum/energie/0-nul",
    "/forum/energie/-1-min",
    "/forum/energie/abc-letters",
    "/forum/bericht/999999",
    "/forum/bericht/0",
    "/forum/bericht/99999999999999999999",
    "/forum/bericht/abc",
    "/forum/bericht/1.5",
    "/forum/bericht/999999/bewerken",
    "/forum/bericht/999999/verwijderen",
    "/forum/bericht/999999/melden",
    "/forum/energie/999999/reageren",
    "/forum/" + "x" * 300,
    "/forum/ener%00gie",
    "/forum/%E2%80%AEenergie",
])
def test_unknown_ids_and_wrong_types_are_404(member, thread, path):
    response = member.get(path)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text(response)


@pytest.mark.parametrize("path", ["/forum/bericht/999999/verwijderen", "/forum/bericht/999999/melden",
                                  "/forum/energie/999999/reageren", "/forum/energie/999999/volgen",
                                  "/forum/energie/999999/negeren", "/forum/onbekend/volgen",
                                  "/forum/onbekend/nieuw"])
def test_posts_to_unknown_things_are_404(member, thread, path):
    token = csrf_token(member, thread_path(thread))
    response = member.post(path, data={"csrf_token": token, "body": "Hallo daar", "reason": "Zomaar"})
    assert response.status_code == 404


def test_quoting_a_post_of_another_thread_is_404(member, cast, thread):
    other, other_post = start_thread(thread.group, cast.member2, title="Een andere discussie")
    assert member.get(thread_path(thread) + f"?citeer={other_post.id}").status_code == 404
    assert member.get(f"/forum/energie/{thread.id}/reageren?citeer={other_post.id}").status_code == 404
    for odd in ("abc", "-5", "", "99999999999999999999", "1e3"):
        response = member.get(thread_path(thread) + f"?citeer={odd}")
        assert response.status_code in (200, 404)


@pytest.mark.parametrize("query", ["pagina=abc", "pagina=-1", "pagina=0", "pagina=1e9",
                                   "pagina=99999999999", "pagina=%00", "pagina=1&pagina=2"])
def test_odd_page_numbers_fall_back(member, cast, thread, query):
    add_replies(thread, [cast.member2], 3)
    response = member.get(thread_path(thread) + "?" + query)
    assert response.status_code in (200, 302)
    response = member.get("/forum/energie?" + query)
    assert response.status_code == 200


def test_odd_query_arguments_on_a_redirect(member, cast, thread):
    path = f"/forum/energie/{thread.id}"
    for query in ("thread_id=5", "group_slug=x&slug=y", "_external=1&_scheme=javascript",
                  "_anchor=x", "_method=POST", "pagina=2&citeer=abc"):
        response = member.get(f"{path}?{query}")
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith(thread_path(thread)) and "#" not in location
    assert member.get(f"{path}?pagina=2").headers["Location"] == thread_path(thread) + "?pagina=2"


@pytest.mark.parametrize("query", ["_method=POST", "_scheme=x", "_external=1&_scheme=javascript"])
def test_odd_query_arguments_on_paged_pages(member, cast, thread, query):
    add_replies(thread, [cast.member2], 25)
    for _ in range(26):
        start_thread(thread.group, cast.member2, title="Nog een discussie")
    for path in (thread_path(thread), "/forum/energie"):
        response = member.get(f"{path}?{query}")
        assert response.status_code == 200
        assert "javascript:" not in text(response) and "http://localhost/forum" not in text(response)


def test_form_fields_as_lists_json_or_files_do_no_harm(member, thread):
    token = csrf_token(member, thread_path(thread))
    path = f"/forum/energie/{thread.id}/reageren"
    response = member.post(path, data={"csrf_token": token, "body": ["een", "twee"]})
    assert response.status_code in (302, 400)
    response = member.post(path, json={"csrf_token": token, "body": {"x": 1}})
    assert response.status_code == 400
    response = member.post(path, data={"csrf_token": token, "body": (io.BytesIO(b"x" * 100), "a.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    response = member.post("/forum/energie/nieuw", data={"csrf_token": token, "title": ["a"] * 3,
                                                         "body": "Hallo"})
    assert response.status_code == 400


def test_missing_csrf_token_changes_nothing(member, thread):
    response = member.post(f"/forum/energie/{thread.id}/reageren", data={"body": "Zonder token"})
    assert response.status_code == 400 and "Het formulier is verlopen" in text(response)
    response = member.post(f"/forum/energie/{thread.id}/volgen")
    assert response.status_code == 400
    assert len(posts_of(thread)) == 1


def test_get_on_post_only_actions_is_405(member, thread):
    for path in (f"/forum/energie/{thread.id}/volgen", "/forum/energie/volgen"):
        response = member.get(path)
        assert response.status_code == 405


def test_deleting_twice_or_reporting_a_deleted_post_is_refused(client, cast, thread):
    replies = add_replies(thread, [cast.member], 1)
    login(client, "lid@example.org")
    assert submit(client, f"/forum/bericht/{replies[0].id}/verwijderen", {}).status_code == 302
    token = CSRF_RE.search(text(client.get(thread_path(thread)))).group(1)
    response = client.post(f"/forum/bericht/{replies[0].id}/verwijderen", data={"csrf_token": token})
    assert response.status_code == 403
    assert client.get(f"/forum/bericht/{replies[0].id}/bewerken").status_code == 403
