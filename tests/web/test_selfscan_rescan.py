"""A repeat self-scan starts from the collective's previous answers, on every step: shown, changed,
sent, the previous scan untouched; questions that changed or went away never break it, and no
collective ever gets another collective's answers."""
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models.selfscan import SelfScan, SelfScanAnswer
from app.selfscan import services
from app.selfscan.questionnaire import current_questionnaire
from tests import factories
from tests.fixtures.selfscan import fill_scan, post_step, session_scan, step_formdata, submit_final
from tests.support import csrf_token, isolated_client, login, text

NOTE = "De antwoorden van jullie vorige zelfscan"
REP = "rep@example.org"


class FormState(HTMLParser):
    """What a browser would send for the step form as the page shows it: checked radios and
    boxes, typed values and chosen options (not the buttons)."""

    def __init__(self):
        super().__init__()
        self.data = MultiDict()
        self._in_form = False
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "/zelfscan/stap/" in (attrs.get("action") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.data.add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.data.add(name, attrs.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data.setlist(self._textarea, [self.data.get(self._textarea, "") + data])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_state(page):
    parser = FormState()
    parser.feed(page)
    return parser.data


def distinct_value(question):
    """An answer unlike the fixtures' default one, so a copy cannot pass by accident."""
    if question.type == "single":
        refused = set((current_questionnaire().eligibility or {}).get("refuse", []))
        return [v for v, _label in question.options if v not in refused][-1]
    if question.type == "multi":
        return [question.options[-1][0]]
    if question.type == "scale":
        return "2"
    if question.type == "number":
        return str(min(question.max if question.max is not None else 37, 37))
    if question.type == "year":
        return "1999"
    if question.type == "text":
        if question.key == current_questionnaire().profile_keys.get("name"):
            return "Energiecoöperatie De Proef"
        return "Hoe vinden we nieuwe bestuurders?"[: question.max_length]
    if question.type == "municipality":
        return {"municipality": "Gent", "province": "Oost-Vlaanderen", "country": "BE"}
    raise ValueError(question.type)


FIRST = {q.key: distinct_value(q) for q in current_questionnaire().questions()}


def answers_of(scan_id):
    db.session.expire_all()
    rows = db.session.execute(
        db.select(SelfScanAnswer).where(SelfScanAnswer.scan_id == scan_id)
    ).scalars().all()
    return {row.question_key: row.value for row in rows}


def sent_scan(client, collective, overrides=FIRST):
    """A scan filled in and sent on `client`, then approved for `collective` (as a moderator's
    approval does)."""
    result = fill_scan(client, overrides)
    scan = db.session.get(SelfScan, result.scan_id)
    scan.status, scan.collective_id = "approved", collective.id
    db.session.commit()
    return result.scan_id


def representative(app, collective, email=REP):
    factories.make_user(email=email, name="Rita Vertegenwoordiger", role="representative",
                        collective_id=collective.id)
    rep = isolated_client(app)
    login(rep, email)
    return rep


def start_rescan(rep):
    response = rep.post("/zelfscan/opnieuw", data={"csrf_token": csrf_token(rep, "/zelfscan")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/1")
    return response


def question_values(step, data):
    """The answers among form data, without the contact fields, the CSRF token and buttons."""
    keys = {key for key in step_formdata(step, FIRST) if not key.startswith("contact_")}
    return {key: sorted(data.getlist(key)) for key in keys}


# -- every step prefilled --------------------------------------------------------------------------

def test_a_repeat_scan_shows_every_earlier_answer_and_sends_the_changed_ones(client, app):
    collective = factories.make_collective("Energiecoöperatie De Proef", slug="de-proef")
    first_id = sent_scan(client, collective)
    before = answers_of(first_id)
    rep = representative(app, collective)
    assert "Alle antwoorden van de vorige keer staan al ingevuld" in text(rep.get("/zelfscan"))

    response = start_rescan(rep)
    assert "De antwoorden van jullie vorige zelfscan staan al ingevuld" in text(rep.get(
        response.headers["Location"]))
    second_id, _token = session_scan(rep)
    assert second_id != first_id
    assert answers_of(second_id) == before  # copied when the scan starts, every step

    changed = {"doel_duidelijk": "5", "uitdagingen_kennisvraag": "Hoe groeien we verder?"}
    questionnaire = current_questionnaire()
    for step in questionnaire.steps:
        page = text(rep.get(f"/zelfscan/stap/{step.number}"))
        assert NOTE in page, f"no note on step {step.number}"
        shown = form_state(page)
        expected = MultiDict(step_formdata(step, FIRST))
        assert question_values(step, shown) == question_values(step, expected), step.number
        # Send the page as shown, with a few answers changed, as a person would.
        for key, value in changed.items():
            if key in shown:
                shown.setlist(key, [value])
        response = post_step(rep, step.number, shown)
        assert response.status_code == 302, (step.number, text(response)[:2000])
        assert response.headers["Location"].endswith(f"/zelfscan/stap/{step.number + 1}")
    response = submit_final(rep, {"contact_name": "Rita Vertegenwoordiger", "contact_email": REP})
    assert response.status_code == 302 and "/zelfscan/rapport/" in response.headers["Location"]

    second = db.session.get(SelfScan, second_id)
    assert second.status == "completed" and second.collective_id == collective.id
    expected = dict(before, doel_duidelijk=5, uitdagingen_kennisvraag="Hoe groeien we verder?")
    assert answers_of(second_id) == expected
    assert answers_of(first_id) == before  # the earlier scan is never changed
    assert db.session.get(SelfScan, first_id).status == "approved"


def test_a_picked_up_draft_gets_only_the_answers_it_never_saved(client, app):
    collective = factories.make_collective("Energiecoöperatie De Proef", slug="de-proef")
    first_id = sent_scan(client, collective)
    rep_user = factories.make_user(email=REP, role="representative", collective_id=collective.id)
    draft, _raw = services.start_rescan(rep_user, collective)
    db.session.commit()
    # The person emptied the optional question; the answers of step 5 were never saved (a draft
    # from before every step was filled in).
    rows = {row.question_key: row for row in draft.answers}
    rows["uitdagingen_kennisvraag"].value = None
    step_five = [q.key for q in current_questionnaire().step(5).questions]
    for key in step_five:
        db.session.delete(rows[key])
    db.session.commit()

    again, _raw = services.start_rescan(rep_user, collective)
    db.session.commit()
    assert again.id == draft.id
    answers = answers_of(draft.id)
    assert answers["uitdagingen_kennisvraag"] is None  # what the person chose stays
    earlier = answers_of(first_id)
    assert {key: answers[key] for key in step_five} == {key: earlier[key] for key in step_five}


# -- questions that changed or went away --------------------------------------------------------

def test_a_removed_or_changed_question_is_left_out_and_the_scan_still_works(client, app):
    collective = factories.make_collective("Energiecoöperatie De Proef", slug="de-proef")
    first_id = sent_scan(client, collective)
    # As if the questionnaire changed since: a question was dropped, and three are asked
    # differently now (an option that no longer exists, a scale answer out of range, a list with
    # an old option in it).
    rows = {row.question_key: row for row in db.session.get(SelfScan, first_id).answers}
    db.session.add(SelfScanAnswer(scan_id=first_id, question_key="oude_vraag",
                                  questionnaire_version=1, value="weg"))
    rows["profiel_sector"].value = "ruimtevaart"
    rows["doel_duidelijk"].value = 9
    rows["doel_bundelen"].value = [FIRST["doel_bundelen"][0], "verdwenen"]
    db.session.commit()
    before = answers_of(first_id)

    rep = representative(app, collective)
    start_rescan(rep)
    second_id, _token = session_scan(rep)
    copied = answers_of(second_id)
    left_out = {"oude_vraag", "profiel_sector", "doel_duidelijk", "doel_bundelen"}
    assert not left_out & set(copied)
    assert copied == {k: v for k, v in before.items() if k not in left_out}

    # Every step opens; the changed questions are empty and asked again.
    for step in current_questionnaire().steps[:2]:
        page = text(rep.get(f"/zelfscan/stap/{step.number}"))
        shown = form_state(page)
        for key in left_out & {q.key for q in step.questions}:
            assert shown.getlist(key) == [], key
        response = post_step(rep, step.number, shown)
        assert response.status_code == 200
        assert "Niet alles is goed ingevuld" in text(response)
        if step.number == 1:
            shown.setlist("profiel_sector", ["energie"])
        else:
            shown.setlist("doel_duidelijk", ["4"])
            shown.setlist("doel_bundelen", [FIRST["doel_bundelen"][0]])
        response = post_step(rep, step.number, shown)
        assert response.status_code == 302, text(response)[:2000]
    assert answers_of(first_id) == before


# -- never another collective's answers --------------------------------------------------------

def test_no_collective_gets_another_collectives_answers(client, app):
    proef = factories.make_collective("Energiecoöperatie De Proef", slug="de-proef")
    sent_scan(client, proef)
    linde = factories.make_collective("Buurtzorg De Linde", slug="de-linde", sector="zorg")
    rep = representative(app, linde, email="linde@example.org")

    # De Linde has no scan of its own yet: nothing is filled in, and nobody says so.
    response = start_rescan(rep)
    page = text(rep.get(response.headers["Location"]))
    assert "staan al ingevuld" not in page and NOTE not in page
    assert "Hoe vinden we nieuwe bestuurders?" not in page and "De Proef" not in page
    linde_draft, _token = session_scan(rep)
    assert answers_of(linde_draft) == {}
    db.session.delete(db.session.get(SelfScan, linde_draft))
    db.session.commit()

    # With a scan of its own, only its own answers are copied.
    own = factories.make_scan(linde)
    start_rescan(rep)
    second_id, _token = session_scan(rep)
    assert answers_of(second_id) == answers_of(own.id) == {
        "profiel_naam": "Buurtzorg De Linde", "profiel_sector": "zorg"}
    assert "Energiecoöperatie De Proef" not in text(rep.get("/zelfscan/stap/1"))

    # A first scan by anyone starts empty.
    visitor = isolated_client(app)
    visitor.post("/zelfscan/starten", data={"csrf_token": csrf_token(visitor, "/zelfscan")})
    fresh_id, _token = session_scan(visitor)
    assert answers_of(fresh_id) == {}
    assert NOTE not in text(visitor.get("/zelfscan/stap/1"))
