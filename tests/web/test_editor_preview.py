"""The live preview behind the Markdown boxes (POST /schrijven/voorbeeld, editor.js) through the
test client: who gets one where, what it answers (the HTML saving stores, sanitised), its limits;
and the page's script tag that tells editor.js where to ask."""
import re

import pytest

from app.accounts import limits
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import answer, ask, make_group, start_thread
from tests.fixtures.forum import posts_of, thread_path
from tests.fixtures.labs import LabCast, question_path, replies_of
from tests.support import QueryCounter, csrf_token, isolated_client, login, submit, text

PREVIEW = "/schrijven/voorbeeld"


@pytest.fixture
def cast():
    return LabCast()


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


class Writer:
    """A signed-in person's client with the CSRF token of their session."""

    def __init__(self, app, email):
        self.client = isolated_client(app)
        response = login(self.client, email)
        assert response.status_code == 302, text(response)
        self.token = csrf_token(self.client, "/account")

    def preview(self, tekst, plek="forum", **extra):
        return self.client.post(PREVIEW, json={"plek": plek, "tekst": tekst, **extra},
                                headers={"X-CSRFToken": self.token})


def html_of(response):
    assert response.status_code == 200, text(response)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["html"]


# -- who gets a preview where ------------------------------------------------------------------------

def test_a_visitor_gets_401_in_json(app, client, cast):
    token = csrf_token(client, "/inloggen")
    response = client.post(PREVIEW, json={"plek": "forum", "tekst": "Hallo"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert response.get_json() == {
        "fout": "Je bent niet meer ingelogd. Kopieer je tekst en log opnieuw in."}


def test_the_csrf_token_is_required(app, cast):
    anna = Writer(app, "lid@example.org")
    response = anna.client.post(PREVIEW, json={"plek": "forum", "tekst": "Hallo"})
    assert response.status_code == 400
    response = anna.client.post(PREVIEW, json={"plek": "forum", "tekst": "Hallo"},
                                headers={"X-CSRFToken": "verzonnen"})
    assert response.status_code == 400
    assert anna.preview("Hallo").status_code == 200


def test_only_people_who_may_write_there_get_a_preview(app, cast, group):
    thread, post = start_thread(group, cast.member)
    question = ask(cast.member)
    reply = answer(cast.partner, question)
    other_question = ask(cast.other_member, lab_slug="sciencelab",
                         title="Hoe meten we de tevredenheid van onze leden?")
    outsider = Writer(app, "los@example.org")  # registered, no collective: writes nowhere
    for plek in ("forum", f"bericht:{post.id}", "lab:financelab", f"vraag:{question.id}",
                 f"vraag-bewerken:{question.id}", f"antwoord-bewerken:{reply.id}"):
        response = outsider.preview("Hallo", plek)
        assert response.status_code == 403, plek
        assert response.get_json() == {"fout": "Je kunt hier niet schrijven."}
    anna = Writer(app, "lid@example.org")
    for plek in ("forum", f"bericht:{post.id}", "lab:financelab", f"vraag:{question.id}",
                 f"vraag-bewerken:{question.id}"):
        assert anna.preview("Hallo", plek).status_code == 200, plek
    for plek in (f"antwoord-bewerken:{reply.id}",  # Petra's answer
                 f"vraag:{other_question.id}",  # another collective's question: no answer, no response
                 f"vraag-bewerken:{other_question.id}"):
        assert anna.preview("Hallo", plek).status_code == 403, plek
    petra = Writer(app, "financier@example.org")
    for plek in ("forum", f"vraag:{question.id}", f"antwoord-bewerken:{reply.id}"):
        assert petra.preview("Hallo", plek).status_code == 200, plek
    for plek in (f"bericht:{post.id}", "lab:financelab",  # partners do not ask
                 f"vraag:{other_question.id}"):  # a question of another lab
        assert petra.preview("Hallo", plek).status_code == 403, plek


def test_unknown_places_answer_400_or_404(app, cast, group):
    hidden = ask(cast.member, title="Een verborgen vraag over geld")
    hidden.hidden_at = utcnow()
    db.session.commit()
    anna = Writer(app, "lid@example.org")
    for plek, status in [("", 400), ("overal", 400), ("forum:1", 400), (None, 400), (5, 400),
                         (["forum"], 400), ("x" * 200, 400), ("bericht:", 400),
                         ("bericht:abc", 404), ("bericht:0", 404), ("bericht:007", 404),
                         ("bericht:99999999999999999999", 404), ("bericht:²", 404),
                         ("lab:", 400), ("lab:onbekend", 404), ("vraag:12345", 404),
                         (f"vraag:{hidden.id}", 404), ("antwoord-bewerken:12345", 404)]:
        assert anna.preview("Hallo", plek).status_code == status, plek
    moderator = Writer(app, "mod@example.org")
    assert moderator.preview("Hallo", f"vraag:{hidden.id}").status_code == 200


def test_a_request_that_is_no_preview_answers_400(app, cast):
    anna = Writer(app, "lid@example.org")
    for payload in ({"plek": "forum"}, {"plek": "forum", "tekst": None},
                    {"plek": "forum", "tekst": ["a"]}, {"plek": "forum", "tekst": {"a": 1}}, [1, 2]):
        response = anna.client.post(PREVIEW, json=payload, headers={"X-CSRFToken": anna.token})
        assert response.status_code == 400, payload
        assert response.get_json() == {"fout": "Dit verzoek klopt niet."}
    response = anna.client.post(PREVIEW, data="tekst=Hallo", headers={"X-CSRFToken": anna.token},
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert anna.client.get(PREVIEW).status_code == 405


# -- what it answers ----------------------------------------------------------------------------------

def test_hostile_input_comes_back_sanitised(app, cast):
    anna = Writer(app, "lid@example.org")
    html = html_of(anna.preview(
        "<script>alert(1)</script>\n\n[klik](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> ![x\" onerror=\"alert(1)](javascript:alert(2))\n\n"
        "<a href=\"https://example.org\" onclick=\"alert(3)\">a</a> **vet**"))
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert not re.search(r"<[^>]*\bon\w+=", html)
    assert "&lt;script&gt;" in html and "<strong>vet</strong>" in html


def test_the_preview_is_the_html_the_post_is_saved_with(app, cast, group, monkeypatch):
    monkeypatch.setattr(limits, "SECONDS_BETWEEN_POSTS", 0)
    thread, opening = start_thread(group, cast.member2, body="We zoeken **jonge** vrijwilligers.")
    source = (f"> **Bert Jansen** schreef in [bericht #1](/forum/bericht/{opening.id}):\n"
              "> We zoeken **jonge** vrijwilligers.\n\n"
              "## Onze ervaring\n\nVraag het @Petra Geldmans of @Olga Los, zie https://example.org\n\n"
              "- een\n- twee\n\n<b>geen html</b>\r\n\r\n")
    anna = Writer(app, "lid@example.org")
    response = anna.preview(source)
    preview = html_of(response)
    # Olga cannot read the forum: she is not linked, and the writer is told so.
    assert response.get_json()["notities"] == ["Olga Los kan deze discussie niet lezen en krijgt "
                                                "geen melding."]
    assert 'class="mention"' in preview and "<h2>Onze ervaring</h2>" in preview
    url = thread_path(thread)
    posted = submit(anna.client, f"/forum/energie/{thread.id}/reageren", {"body": source}, page=url)
    assert posted.status_code == 302, text(posted)
    assert posts_of(thread)[-1].body_html == preview


def test_a_lab_answer_is_previewed_as_it_is_saved(app, cast):
    question = ask(cast.member)
    petra = Writer(app, "financier@example.org")
    source = "Begin met een **ledenlening**; @Anna de Vries weet er meer van."
    preview = html_of(petra.preview(source, f"vraag:{question.id}"))
    posted = submit(petra.client, question_path(question, "/beantwoorden"), {"answer": source},
                    page=question_path(question))
    assert posted.status_code == 302, text(posted)
    assert replies_of(question)[-1].body_html == preview


def test_an_empty_text_previews_as_nothing(app, cast):
    anna = Writer(app, "lid@example.org")
    response = anna.preview("\n\n   \n")
    assert response.get_json() == {"html": "", "notities": []}


def test_the_preview_queries_do_not_grow_with_the_number_of_mentions(app, cast):
    question = ask(cast.member)
    anna = Writer(app, "lid@example.org")

    def statements(tekst, plek):
        with QueryCounter() as counter:
            assert anna.preview(tekst, plek).status_code == 200
        return counter.count

    few = "Vraag het @Bert Jansen. ![dak](/afbeeldingen/1)"
    many = " ".join(f"@{name} en @Niemand{n}" for n, name in enumerate(
        ["Bert Jansen", "Petra Geldmans", "Olaf Anders", "Mo Derator", "Olga Los"] * 3))
    many += " " + " ".join(f"![{n}](/afbeeldingen/{n})" for n in range(1, 11))
    for plek in ("forum", f"vraag:{question.id}"):
        assert statements(few, plek) == statements(many, plek), plek


# -- its limits ---------------------------------------------------------------------------------------

def test_the_text_has_the_limit_of_its_form(app, cast):
    anna = Writer(app, "lid@example.org")
    assert anna.preview("a" * 20_000).status_code == 200
    response = anna.preview("a" * 20_001)
    assert response.status_code == 400
    assert response.get_json() == {"fout": "Je tekst is te lang: hoogstens 20.000 tekens."}
    assert anna.preview("a" * 10_000, "lab:financelab").status_code == 200
    response = anna.preview("a" * 10_001, "lab:financelab")
    assert response.get_json() == {"fout": "Je tekst is te lang: hoogstens 10.000 tekens."}
    response = anna.preview("onzichtbaar\u202eteken")
    assert response.status_code == 400 and "onzichtbare tekens" in response.get_json()["fout"]


def test_the_preview_is_rate_limited_per_person(app, cast):
    anna = Writer(app, "lid@example.org")
    statuses = [anna.preview(f"Tekst {n}").status_code for n in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    assert Writer(app, "lid2@example.org").preview("Hallo").status_code == 200  # Bert is not limited


# -- the page tells editor.js where to ask ------------------------------------------------------------

SCRIPT_RE = re.compile(r'<script src="/static/js/editor(?:\.[0-9a-f]+)?\.js" data-voorbeeld="([^"]+)" '
                       r'data-plek="([^"]+)" defer></script>')


def test_writing_pages_load_the_editor_with_their_place(app, cast, group):
    thread, post = start_thread(group, cast.member)
    question = ask(cast.member)
    reply = answer(cast.partner, question)
    anna = Writer(app, "lid@example.org")
    pages = {
        "/forum/energie/nieuw": "forum",
        thread_path(thread): "forum",
        f"/forum/bericht/{post.id}/bewerken": f"bericht:{post.id}",
        "/labs/financelab/vragen/nieuw": "lab:financelab",
        question_path(question): f"vraag:{question.id}",
        question_path(question, "/bewerken"): f"vraag-bewerken:{question.id}",
    }
    for url, plek in pages.items():
        page = text(anna.client.get(url))
        assert SCRIPT_RE.findall(page) == [(PREVIEW, plek)], url
    petra = Writer(app, "financier@example.org")
    url = question_path(question, f"/antwoorden/{reply.id}/bewerken")
    assert SCRIPT_RE.findall(text(petra.client.get(url))) == [(PREVIEW, f"antwoord-bewerken:{reply.id}")]
    # Pages without a text box do not load it.
    assert "js/editor" not in text(anna.client.get("/forum"))
    assert "js/editor" not in text(anna.client.get("/account"))
