"""The labs given hostile input: huge, empty, invisible and scripted text, odd ids and types.

Whatever arrives, the answer is a Dutch page or a redirect, never a 500; markup in titles is shown
as text and bodies are sanitised when saved.
"""
import io
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.models.labs import LabQuestion, LabReply
from app.validators import has_control_characters
from tests.factories import answer, ask
from tests.fixtures.labs import LabCast, question_path, questions, replies_of
from tests.support import csrf_token, isolated_client, login, reload, submit, text

HOSTILE = {
    "huge": "x" * 100_000,
    "huge-multibyte": "ä€😀" * 12_000,
    "just-over": "y" * 10_001,
    "empty": "",
    "spaces": " \t\n\r\u00a0 ",
    "nul": "Anna\x00de Boer heeft een vraag",
    "escape": "\x1b[31mAnna\x1b[0m heeft een vraag",
    "bidi-override": "Anna\u202egro.elpmaxe heeft een vraag",
    "zero-width": "An\u200bna heeft een vraag over geld",
    "line-separator": "Anna\u2028Boer heeft een vraag",
    "markup": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "template": "{{ config.SECRET_KEY }}{% print 1 %} en nog wat tekst",
    "sql": "'; DROP TABLE lab_questions; -- en nog wat tekst",
    "odd-unicode": "Z\u0334\u0321\u031ba\u0337l\u0336g\u0338o \ufffe\uffff \U0010ffff 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ß ﷽",
    "emoji": "👩‍👩‍👧‍👦🔥🏳️‍🌈🇳🇱 en een vraag over geld",
}

XSS_BODIES = [
    '<script>alert(1)</script> en genoeg tekst erbij',
    '<img src=x onerror=alert(1)> en genoeg tekst erbij',
    '[klik](javascript:alert(1)) en genoeg tekst erbij',
    '<a href="javascript:alert(1)">klik</a> en genoeg tekst erbij',
    '<svg/onload=alert(1)> en genoeg tekst erbij',
    '<iframe src="https://evil.example"></iframe> en genoeg tekst erbij',
    '![x](javascript:alert(1)) en genoeg tekst erbij',
    '<div style="background:url(javascript:alert(1))">x</div> en genoeg tekst erbij',
    '[a](JaVaScRiPt:alert(1)) en genoeg tekst erbij',
    '<details open ontoggle=alert(1)> en genoeg tekst erbij',
]

ASK = "/labs/financelab/vragen/nieuw"
OK_TITLE = "Een gewone titel voor een vraag"
OK_BODY = "Een gewone vraag met genoeg tekst erin."



@pytest.fixture(autouse=True)
def _no_pause_between_posts(monkeypatch):
    """These tests post many times in a row as one person; the shared posting limit (tested in
    test_forum_limits and test_labs_flows) would refuse all but the first."""
    from app.accounts import limits

    monkeypatch.setattr(limits, "SECONDS_BETWEEN_POSTS", 0)

@pytest.fixture
def cast():
    return LabCast()


@pytest.fixture
def question(cast):
    question = ask(cast.member)
    answer(cast.partner, question, "Een eerste antwoord")
    return question


@pytest.fixture
def member(client, cast):
    login(client, "lid@example.org")
    return client


@pytest.fixture
def partner(client, cast):
    login(client, "financier@example.org")
    return client


def assert_dutch_page(response):
    assert response.status_code < 500
    if response.status_code != 302:
        page = text(response)
        assert '<html lang="nl">' in page
        assert "Traceback" not in page


def acceptable(value, minimum, maximum=10_000):
    stripped = value.strip()
    return minimum <= len(stripped) <= maximum and not has_control_characters(value)


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
def test_hostile_question_fields(member, name):
    value = HOSTILE[name]
    for data in ({"title": value, "body": OK_BODY}, {"title": OK_TITLE, "body": value},
                 {"title": OK_TITLE, "body": OK_BODY, "context": value}):
        response = submit(member, ASK, data)
        assert_dutch_page(response)
        if response.status_code == 400:
            assert "Niet alles is goed ingevuld" in text(response)
    for question in questions():
        assert 10 <= len(question.title) <= 150 and not has_control_characters(question.title)
        assert 20 <= len(question.body_source) <= 10_000
        assert len(question.context_source) <= 10_000
    body_saved = any(q.body_source == value.strip() for q in questions())
    assert body_saved is acceptable(value, 20)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_answer_and_response(client, cast, question, name):
    value = HOSTILE[name]
    login(client, "financier@example.org")
    response = submit(client, question_path(question, "/beantwoorden"), {"answer": value},
                      page=question_path(question))
    assert_dutch_page(response)
    assert (response.status_code == 302) is acceptable(value, 2)
    assert (len(replies_of(question)) == 2) is acceptable(value, 2)
    if response.status_code == 400:
        assert "Niet alles is goed ingevuld" in text(response)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/labs")})
    login(client, "lid@example.org")
    response = submit(client, question_path(question, "/reageren"), {"response": value},
                      page=question_path(question))
    assert_dutch_page(response)
    assert (response.status_code == 302) is acceptable(value, 2)


@pytest.mark.parametrize("name", ["huge", "empty", "nul", "markup", "bidi-override", "spaces"])
def test_hostile_edits_change_nothing_when_refused(app, client, cast, question, name):
    value = HOSTILE[name]
    login(client, "lid@example.org")
    response = submit(client, question_path(question, "/bewerken"),
                      {"title": value, "body": value, "context": value})
    assert_dutch_page(response)
    if response.status_code != 302:
        assert reload(LabQuestion, question.id).title == "Hoe financieren we een buurtbatterij?"
    reply = replies_of(question)[0]
    partner = isolated_client(app)
    login(partner, "financier@example.org")
    response = submit(partner, question_path(question, f"/antwoorden/{reply.id}/bewerken"), {"body": value})
    assert_dutch_page(response)
    if not acceptable(value, 2):
        assert response.status_code == 400
        assert reload(LabReply, reply.id).body_source == "Een eerste antwoord"


def test_markup_in_a_title_is_shown_as_text_everywhere(app, member, cast):
    title = '<script>alert("t")</script> <b>vet</b>'
    response = submit(member, ASK, {"title": title, "body": OK_BODY})
    assert response.status_code == 302
    paths = [response.headers["Location"], "/labs/financelab"]
    for path in paths:
        page = text(member.get(path))
        assert '<script>alert("t")</script>' not in page and "<b>vet</b>" not in page
    page = text(member.get(paths[0]))
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &lt;b&gt;vet&lt;/b&gt;" in page
    # In the partners' notification, in the list of notifications and in the e-mail too.
    from tests.support import notifications

    [note] = notifications(cast.partner, "lab_question")
    assert title in note.text  # stored as text; templates escape it


@pytest.mark.parametrize("body", XSS_BODIES)
def test_script_in_a_question_never_survives(member, body):
    response = submit(member, ASK, {"title": OK_TITLE, "body": body, "context": body})
    assert response.status_code == 302
    [question] = questions()
    assert_harmless(question.body_html)
    assert_harmless(question.context_html)
    page = text(member.get(response.headers["Location"]))
    assert question.body_html in page  # shown as stored: sanitised once, at save time
    response = submit(member, ASK, {"title": OK_TITLE, "body": body, "preview": "Voorbeeld"})
    assert_harmless(text(response).split('<div class="lab-body">')[1].split("</div>")[0])


@pytest.mark.parametrize("body", XSS_BODIES[:5])
def test_script_in_an_answer_never_survives(partner, question, body):
    response = submit(partner, question_path(question, "/beantwoorden"), {"answer": body},
                      page=question_path(question))
    assert response.status_code == 302
    stored = replies_of(question)[-1].body_html
    assert_harmless(stored)
    assert stored in text(partner.get(question_path(question)))


@pytest.mark.parametrize("path", [
    "/labs/onbekend",
    "/labs/onbekend/vragen/nieuw",
    "/labs/financelab/vragen/999999",
    "/labs/financelab/vragen/0",
    "/labs/financelab/vragen/-1",
    "/labs/financelab/vragen/abc",
    "/labs/financelab/vragen/99999999999999999999",
    "/labs/financelab/vragen/999999/bewerken",
    "/labs/financelab/vragen/999999/geschiedenis",
    "/labs/financelab/vragen/{q}/antwoorden/999999/bewerken",
    "/labs/financelab/vragen/{q}/antwoorden/abc/bewerken",
    "/labs/" + "x" * 300,
    "/labs/finance%00lab",
    "/labs/%E2%80%AEfinancelab",
])
def test_unknown_ids_and_wrong_types_are_404(client, cast, question, path):
    login(client, "mod@example.org")
    response = client.get(path.format(q=question.id))
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text(response)


@pytest.mark.parametrize("suffix", ["/beantwoorden", "/reageren", "/antwoorden/999999/accepteren",
                                    "/antwoorden/999999/niet-accepteren", "/bewerken"])
def test_posts_to_unknown_things_are_404(client, cast, question, suffix):
    login(client, "mod@example.org")
    token = csrf_token(client, question_path(question))
    for path in (f"/labs/financelab/vragen/999999{suffix}", f"/labs/onbekend/vragen/{question.id}{suffix}"):
        response = client.post(path, data={"csrf_token": token, "answer": "Hallo daar",
                                           "response": "Hallo", "title": OK_TITLE, "body": OK_BODY})
        assert response.status_code == 404, path
    assert len(replies_of(question)) == 1


def test_reply_of_another_question_is_404(client, cast, question):
    other = ask(cast.member2, title="Een andere vraag over leningen")
    foreign = answer(cast.partner, other, "Antwoord op de andere vraag")
    login(client, "lid@example.org")
    token = csrf_token(client, question_path(question))
    for action in ("accepteren", "niet-accepteren"):
        path = question_path(question, f"/antwoorden/{foreign.id}/{action}")
        assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert client.get(question_path(question, f"/antwoorden/{foreign.id}/bewerken")).status_code == 404
    assert reload(LabReply, foreign.id).accepted_at is None
    assert reload(LabQuestion, other.id).status == "beantwoord"


def test_posting_under_the_wrong_lab_is_404(client, cast, question):
    login(client, "financier@example.org")
    token = csrf_token(client, question_path(question))
    response = client.post(f"/labs/sciencelab/vragen/{question.id}/beantwoorden",
                           data={"csrf_token": token, "answer": "Verkeerde lab"})
    assert response.status_code == 404 and len(replies_of(question)) == 1


@pytest.mark.parametrize("query", ["pagina=abc", "pagina=-1", "pagina=0", "pagina=1e9", "pagina=99999999999",
                                   "pagina=%00", "pagina=1&pagina=2", "status=%00", "status=" + "x" * 5000,
                                   "onderzoeksvraag=ja&status=opgelost", "_scheme=javascript",
                                   "_external=1&_scheme=javascript", "_method=POST", "lab_slug=sciencelab",
                                   "_anchor=x"])
def test_odd_query_arguments_on_the_lab_page(member, cast, query):
    for n in range(22):
        ask(cast.member2, title=f"Vraag nummer {n} over geld")
    response = member.get("/labs/financelab?" + query)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        location = response.headers["Location"]
        assert location.startswith("/labs/financelab") and "#" not in location and "_" not in location
        response = member.get(location)
        assert response.status_code == 200
    page = text(response)
    assert "javascript:" not in page and "/labs/sciencelab?" not in page


def test_odd_query_arguments_on_the_question_redirect(member, question):
    response = member.get(f"/labs/sciencelab/vragen/{question.id}?_external=1&_scheme=javascript&_anchor=x")
    assert response.status_code == 302 and response.headers["Location"] == question_path(question)


def test_form_fields_as_lists_json_or_files_do_no_harm(member, question):
    token = csrf_token(member, question_path(question))
    path = question_path(question, "/reageren")
    response = member.post(path, data={"csrf_token": token, "response": ["een", "twee"]})
    assert response.status_code in (302, 400)
    response = member.post(path, json={"csrf_token": token, "response": {"x": 1}})
    assert response.status_code == 400
    response = member.post(path, data={"csrf_token": token, "response": (io.BytesIO(b"x" * 100), "a.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    response = member.post(ASK, data={"csrf_token": token, "title": ["a"] * 3, "body": OK_BODY})
    assert response.status_code == 400
    response = member.post(ASK, data={"csrf_token": token, "title": OK_TITLE, "body": OK_BODY,
                                      "is_research": ["y", "n", "<script>"]})
    assert response.status_code in (302, 400)


def test_missing_csrf_token_changes_nothing(member, question):
    response = member.post(question_path(question, "/reageren"), data={"response": "Zonder token"})
    assert response.status_code == 400 and "Het formulier is verlopen" in text(response)
    response = member.post(ASK, data={"title": OK_TITLE, "body": OK_BODY})
    assert response.status_code == 400
    assert len(replies_of(question)) == 1 and len(questions()) == 1


def test_admin_page_with_odd_arguments(client, cast):
    login(client, "mod@example.org")
    for query in ("pagina=abc", "_scheme=javascript", "lab_slug=x", "pagina=99999999999"):
        response = client.get("/beheer/labvragen?" + query)
        assert response.status_code in (200, 302)
    assert client.get("/beheer/labvragen/" + "x" * 300).status_code == 404
    db.session.rollback()
