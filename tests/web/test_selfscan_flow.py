"""The self-scan flow through the test client: start, steps, resume link, eligibility, sending,
the report and its PDF, and repeat scans by a representative."""
import hashlib
import html
import re

import pytest
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import MultiDict

from app.selfscan import services
from app.selfscan.questionnaire import (
    REQUIRED_MESSAGE,
    current_questionnaire,
    municipality_field_names,
    parse_step,
)
from app.extensions import db
from app.models.selfscan import SelfScan, SelfScanAnswer
from app.workdays import add_working_days
from tests import factories
from tests.factories import make_user
from tests.fixtures.selfscan import (
    CONTACT_EMAIL, fill_scan, post_step, session_scan, start_scan, step_formdata, submit_final,
    valid_value,
)
from tests.support import csrf_token, isolated_client, link_from, login, outbox, text
# Every request in its own application context, so two clients never share `g` (login, CSRF).

RECEIVED = "We hebben je zelfscan ontvangen"
RESUME_SUBJECT = "Je link om de zelfscan later af te maken"


def scan_by_id(scan_id):
    db.session.expire_all()
    return db.session.get(SelfScan, scan_id)


def stored(scan_id):
    db.session.expire_all()
    rows = db.session.execute(
        db.select(SelfScanAnswer).where(SelfScanAnswer.scan_id == scan_id)
    ).scalars().all()
    return {row.question_key: row for row in rows}


def mails(subject, recipient=None):
    return [m for m in outbox(recipient) if m.subject == subject]


def make_collective(name="Energiecoöperatie De Proef", slug="de-proef", sector="energie"):
    return factories.make_collective(name, slug=slug, sector=sector)


def approve_directly(scan_id, collective):
    """What a moderator's approval does to the scan (H7's flow is tested elsewhere)."""
    scan = scan_by_id(scan_id)
    scan.status = "approved"
    scan.collective_id = collective.id
    db.session.commit()
    return scan


# -- introduction and start ----------------------------------------------------------------------

def test_introduction_explains_the_scan_and_offers_a_start_button(client):
    response = client.get("/zelfscan")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>De zelfscan</h1>" in page
    for phrase in ("wederkerigheid", "10 tot 15 minuten", "gepseudonimiseerd", "verkopen",
                   "binnen twee werkdagen", "persoonlijke account", 'href="/privacy"'):
        assert phrase in page, phrase
    assert re.search(r'<form method="post" action="/zelfscan/starten"', page)
    assert 'name="csrf_token"' in page
    assert "Start de zelfscan" in page


def test_start_creates_a_draft_with_only_the_hash_of_the_resume_token(client):
    response = start_scan(client)
    assert response.headers["Location"].endswith("/zelfscan/stap/1")
    scan_id, token = session_scan(client)
    scan = scan_by_id(scan_id)
    assert scan.status == "draft" and scan.furthest_step == 1
    assert scan.questionnaire_version == current_questionnaire().version
    assert scan.resume_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 40


def test_start_needs_csrf_and_is_rate_limited(client):
    assert client.post("/zelfscan/starten").status_code == 400
    assert db.session.execute(db.select(db.func.count(SelfScan.id))).scalar_one() == 0
    token = csrf_token(client, "/zelfscan")
    codes = [client.post("/zelfscan/starten", data={"csrf_token": token}).status_code
             for _ in range(11)]
    assert codes[:10] == [302] * 10
    assert codes[10] == 429
    assert "Even rustig aan" in text(client.post("/zelfscan/starten", data={"csrf_token": token}))


def test_steps_without_a_scan_send_you_to_the_introduction(client):
    response = client.get("/zelfscan/stap/1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan")
    response = client.post("/zelfscan/versturen", data={"csrf_token": csrf_token(client, "/zelfscan")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan")


# -- the whole walk ------------------------------------------------------------------------------

def test_full_walk_submits_scores_and_queues_a_confirmation_with_a_working_report_link(client, app):
    result = fill_scan(client)
    scan = scan_by_id(result.scan_id)
    assert scan.status == "submitted"
    assert scan.submitted_at is not None
    assert scan.due_at == add_working_days(scan.submitted_at, 2)
    assert set(scan.scores) == set(current_questionnaire().scored_dimensions())
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in scan.scores.values())
    assert scan.consent_privacy is True and scan.consent_research is True
    assert scan.consent_version == current_questionnaire().consent_version
    assert scan.consent_at is not None
    assert scan.contact_name == "Anna Jansen" and scan.contact_email == CONTACT_EMAIL
    assert scan.collective_id is None

    confirmation = mails(RECEIVED, CONTACT_EMAIL)
    assert len(confirmation) == 1
    body = confirmation[0].body_text
    assert "twee werkdagen" in body and "persoonlijke account" in body
    path = link_from(confirmation[0], "/zelfscan/rapport/")
    assert path == result.report_url
    fresh = isolated_client(app)
    report = fresh.get(path)
    assert report.status_code == 200
    assert "Rapport zelfscan" in text(report)


def test_every_answer_is_stored_with_its_question_key_and_version(client):
    result = fill_scan(client)
    questionnaire = current_questionnaire()
    rows = stored(result.scan_id)
    assert set(rows) == {q.key for q in questionnaire.questions()}
    for question in questionnaire.questions():
        row = rows[question.key]
        assert row.questionnaire_version == questionnaire.version
        value = row.value
        if question.type == "scale":
            assert value in (1, 2, 3, 4, 5)
        elif question.type in ("number", "year"):
            assert isinstance(value, int)
        elif question.type == "multi":
            assert isinstance(value, list) and value
        elif question.type == "municipality":
            assert value == {"municipality": "Utrecht", "province": "Utrecht", "country": "NL"}
        elif question.type == "single":
            assert value in dict(question.options)


def test_progress_is_saved_after_every_step(client):
    questionnaire = current_questionnaire()
    start_scan(client)
    scan_id, _token = session_scan(client)
    for step in questionnaire.steps:
        response = post_step(client, step.number, step_formdata(step))
        assert response.status_code == 302
        scan = scan_by_id(scan_id)
        assert scan.furthest_step == step.number + 1
        assert {q.key for q in step.questions} <= set(stored(scan_id))
    assert scan_by_id(scan_id).status == "draft"


def test_back_navigation_keeps_answers_and_saves_what_is_valid(client):
    questionnaire = current_questionnaire()
    result = fill_scan(client, stop_after_step=2)
    third = questionnaire.step(3)
    data = step_formdata(third)
    broken = third.questions[0]
    data.pop(broken.key, None)  # one answer left out: going back is still allowed
    response = post_step(client, 3, data, action="vorige")
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/2")
    rows = stored(result.scan_id)
    assert broken.key not in rows
    assert all(q.key in rows for q in third.questions[1:])

    page = text(client.get("/zelfscan/stap/2"))
    for question in questionnaire.step(2).questions:
        value = valid_value(question)
        first = value[0] if isinstance(value, list) else value
        assert re.search(rf'name="{question.key}"[^>]*value="{re.escape(first)}"[^>]*checked', page), \
            question.key
    page = text(client.get("/zelfscan/stap/3"))
    second = third.questions[1]
    assert re.search(rf'name="{second.key}"[^>]*checked', page)
    assert scan_by_id(result.scan_id).furthest_step == 3


def test_the_final_step_goes_back_and_keeps_a_changed_contact(client):
    result = fill_scan(client, submit=False)
    last = current_questionnaire().step_count
    response = client.post("/zelfscan/versturen", data={
        "csrf_token": csrf_token(client, f"/zelfscan/stap/{last}"), "actie": "vorige",
        "contact_name": "Bert Visser", "contact_email": "bert@example.org",
    })
    assert response.headers["Location"].endswith(f"/zelfscan/stap/{last - 1}")
    scan = scan_by_id(result.scan_id)
    assert (scan.contact_name, scan.contact_email, scan.status) == ("Bert Visser", "bert@example.org", "draft")


def test_final_step_shows_a_summary_with_edit_links_and_consent(client):
    fill_scan(client, submit=False)
    questionnaire = current_questionnaire()
    page = text(client.get(f"/zelfscan/stap/{questionnaire.step_count}"))
    assert f"Stap {questionnaire.step_count} van {questionnaire.step_count}" in page
    for step in questionnaire.steps:
        assert f'href="/zelfscan/stap/{step.number}">wijzig' in page
    assert "Energiecoöperatie De Proef" in page
    assert "Utrecht, Utrecht, Nederland" in page
    assert 'name="consent_privacy"' in page and 'name="consent_research"' in page
    assert html.escape(questionnaire.consent_text, quote=False) in page
    assert 'href="/privacy"' in page
    assert 'value="anna@example.org"' in page


# -- resume link ---------------------------------------------------------------------------------

def test_resume_link_from_the_email_continues_in_a_fresh_client(client, app):
    result = fill_scan(client, stop_after_step=3)
    page = text(client.get("/zelfscan/stap/4"))
    assert f"http://localhost{result.resume_url}" in page  # shown on every step page
    [message] = mails(RESUME_SUBJECT, CONTACT_EMAIL)
    path = link_from(message, "/zelfscan/hervatten/")
    assert path == result.resume_url

    other_device = isolated_client(app)
    response = other_device.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/4")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = text(other_device.get("/zelfscan/stap/4"))
    assert "Stap 4 van" in page and "Welkom terug" in page
    page = text(other_device.get("/zelfscan/stap/1"))
    assert 'value="Energiecoöperatie De Proef"' in page
    # …and the other device can finish and send it.
    for step in current_questionnaire().steps[3:]:
        assert post_step(other_device, step.number, step_formdata(step)).status_code == 302
    assert submit_final(other_device).status_code == 302
    assert scan_by_id(result.scan_id).status == "submitted"


def test_resume_link_is_emailed_once(client):
    result = fill_scan(client, stop_after_step=2)
    first = current_questionnaire().step(1)
    post_step(client, 1, step_formdata(first, {"contact_email": "ander@example.org"}))
    post_step(client, 1, step_formdata(first))
    fill_scan(client, start=False)
    assert len([m for m in outbox() if m.subject == RESUME_SUBJECT]) == 1
    assert scan_by_id(result.scan_id).resume_link_sent_to == CONTACT_EMAIL


@pytest.mark.parametrize("token", ["onbekend", "x" * 43, "a" * 500, "%00", "%3Cscript%3E"])
def test_unknown_resume_link_is_a_friendly_404(client, token):
    response = client.get(f"/zelfscan/hervatten/{token}")
    assert response.status_code == 404
    assert "Deze link werkt niet (meer)" in text(response)
    assert client.get(f"/zelfscan/rapport/{token}").status_code == 404
    assert client.get(f"/zelfscan/rapport/{token}/rapport.pdf").status_code == 404


def test_resume_link_of_a_sent_scan_leads_to_its_report(client, app):
    result = fill_scan(client)
    response = isolated_client(app).get(result.resume_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(result.report_url)


# -- eligibility ---------------------------------------------------------------------------------

def _refusing_overrides():
    rule = current_questionnaire().eligibility
    return {rule["question"]: rule["refuse"][0]}


def test_a_profit_distributing_company_is_told_kindly_and_cannot_go_on(client):
    start_scan(client)
    scan_id, _token = session_scan(client)
    first = current_questionnaire().step(1)
    response = post_step(client, 1, step_formdata(first, _refusing_overrides()))
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/niet-geschikt")
    page = text(client.get("/zelfscan/niet-geschikt"))
    assert "is er voor burgercollectieven" in page
    assert html.escape(current_questionnaire().eligibility["message"], quote=False)[:60] in page
    assert scan_by_id(scan_id).furthest_step == 1

    second = current_questionnaire().step(2)
    for response in (client.get("/zelfscan/stap/2"),
                     post_step(client, 2, {**step_formdata(second),
                                           "csrf_token": csrf_token(client, "/zelfscan/stap/1")})):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(("/zelfscan/niet-geschikt", "/zelfscan/stap/1"))
    assert not any(q.key in stored(scan_id) for q in second.questions)
    assert "Is CollectieveKracht iets voor jullie?" in text(client.get("/zelfscan/stap/1"))


def test_a_refused_scan_cannot_be_sent_even_by_posting_directly(client):
    result = fill_scan(client, submit=False)
    first = current_questionnaire().step(1)
    post_step(client, 1, step_formdata(first, _refusing_overrides()))
    response = submit_final(client, token=csrf_token(client, "/zelfscan/stap/1"))
    assert response.status_code == 302
    assert "/zelfscan/rapport/" not in response.headers["Location"]
    scan = scan_by_id(result.scan_id)
    assert scan.status == "draft" and scan.scores is None
    assert mails(RECEIVED) == []
    assert client.get(result.report_url).status_code == 404


def test_correcting_the_eligibility_answer_lets_you_continue(client):
    start_scan(client)
    first = current_questionnaire().step(1)
    post_step(client, 1, step_formdata(first, _refusing_overrides()))
    response = post_step(client, 1, step_formdata(first))
    assert response.headers["Location"].endswith("/zelfscan/stap/2")


def test_belgian_collectives_get_a_notice_about_two_labs_and_continue(client):
    location = current_questionnaire().profile_keys["location"]
    belgian = {location: {"municipality": "Gent", "province": "Oost-Vlaanderen", "country": "BE"}}
    fill_scan(client, belgian, stop_after_step=1)
    page = text(client.get("/zelfscan/stap/2"))
    assert "Het Overheidslab en het Financelab zijn gericht op de Nederlandse situatie" in page
    result = fill_scan(client, belgian)
    assert scan_by_id(result.scan_id).status == "submitted"


def test_dutch_collectives_get_no_belgian_notice(client):
    fill_scan(client, stop_after_step=1)
    assert "gericht op de Nederlandse situatie" not in text(client.get("/zelfscan/stap/2"))


# -- bad input on every step ---------------------------------------------------------------------

HUGE = "x" * 100_000


def bad_values(question):
    """(description, form value) pairs that must be refused for this question."""
    cases = []
    if question.required:
        cases.append(("missing", None))
    if question.type in ("single", "scale"):
        cases += [("unknown option", "bestaat-niet"), ("markup", "<script>alert(1)</script>"),
                  ("huge", HUGE), ("control character", "a\x00b")]
        if question.type == "scale":
            cases += [("out of range", "6"), ("zero", "0"), ("fraction", "4.5")]
    elif question.type == "multi":
        cases += [("unknown option", ["bestaat-niet"]), ("huge", [HUGE])]
        if question.max_choices and len(question.options) > question.max_choices:
            cases.append(("too many", [v for v, _ in question.options[: question.max_choices + 1]]))
    elif question.type in ("number", "year"):
        cases += [("letters", "abc"), ("negative", "-5"), ("decimal", "12,5"),
                  ("exponent", "1e5"), ("huge", HUGE), ("control character", "1\x002")]
        high = question.max if question.type == "number" else 2999
        if high is not None:
            cases.append(("too high", str(high + 1)))
        if question.min:
            cases.append(("too low", str(question.min - 1)))
    elif question.type == "text":
        cases += [("too long", "y" * (question.max_length + 1)), ("huge", HUGE),
                  ("control character", "a\x07b"), ("line break", "regel\nregel"),
                  ("bidi override", "abc\u202edef")]
    elif question.type == "municipality":
        cases += [
            ("unknown province", {"municipality": "Utrecht", "province": "Atlantis", "country": "NL"}),
            ("unknown country", {"municipality": "Utrecht", "province": "Utrecht", "country": "XX"}),
            ("province of the other country",
             {"municipality": "Gent", "province": "Drenthe", "country": "BE"}),
            ("no town", {"municipality": "", "province": "Utrecht", "country": "NL"}),
            ("huge town", {"municipality": HUGE, "province": "Utrecht", "country": "NL"}),
            ("control character", {"municipality": "Ut\x00recht", "province": "Utrecht", "country": "NL"}),
        ]
    return cases


def _formdata(data):
    return MultiDict([(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])])


def _expected_error(step, data, key):
    _values, errors = parse_step(step, _formdata(data))
    return errors[key]


@pytest.mark.parametrize("number", range(1, len(current_questionnaire().steps) + 1))
def test_every_step_refuses_bad_input_with_a_dutch_message(client, number):
    questionnaire = current_questionnaire()
    step = questionnaire.step(number)
    if number > 1:
        result = fill_scan(client, stop_after_step=number - 1)
    else:
        start_scan(client)
        result = None
    scan_id, _token = session_scan(client)
    before = {k: row.value for k, row in stored(scan_id).items()}
    valid_typed, _errors = parse_step(step, _formdata(step_formdata(step)))
    token = csrf_token(client, f"/zelfscan/stap/{number}")
    checked = 0
    for question in step.questions:
        for description, value in bad_values(question):
            data = step_formdata(step, {question.key: value})
            response = post_step(client, number, {**data, "csrf_token": token})
            page = text(response)
            assert response.status_code == 200, (question.key, description, response.status_code)
            assert "Niet alles is goed ingevuld" in page, (question.key, description)
            message = _expected_error(step, data, question.key)
            assert html.escape(message, quote=False) in page, (question.key, description)
            if value is None and question.type in REQUIRED_MESSAGE:
                assert REQUIRED_MESSAGE[question.type] in page
            assert "<script>alert(1)</script>" not in page
            assert len(page) < 80_000, "a huge value must not be echoed back in full"
            # The bad answer is not stored; the valid answers around it may be (kept for later).
            rows = stored(scan_id)
            assert question.key not in rows or rows[question.key].value in (
                before.get(question.key), valid_typed[question.key]), (question.key, description)
            assert scan_by_id(scan_id).furthest_step == number
            checked += 1
    assert checked >= len(step.questions)
    # Nothing at all (only the CSRF token): every required question answers in Dutch.
    response = post_step(client, number, {"csrf_token": token})
    assert response.status_code == 200
    for question in step.questions:
        if question.required:
            assert html.escape(REQUIRED_MESSAGE[question.type], quote=False) in text(response)
    assert scan_by_id(scan_id).furthest_step == number
    assert result is None or scan_by_id(scan_id).status == "draft"


@pytest.mark.parametrize("field,value,message", [
    ("contact_email", "geen-adres", "Dit is geen geldig e-mailadres."),
    ("contact_email", "", "Vul het e-mailadres van de contactpersoon in."),
    ("contact_email", "a@" + "b" * 300 + ".nl", "hoogstens 254 tekens"),
    ("contact_name", "", "Vul de naam van de contactpersoon in."),
    ("contact_name", HUGE, "hoogstens 120 tekens"),
    ("contact_name", "Anna\x07", "onzichtbare tekens"),
])
def test_step_one_refuses_a_bad_contact_and_sends_no_link(client, field, value, message):
    start_scan(client)
    scan_id, _token = session_scan(client)
    first = current_questionnaire().step(1)
    response = post_step(client, 1, step_formdata(first, {field: value}))
    assert response.status_code == 200
    assert message in text(response)
    assert len(text(response)) < 80_000
    scan = scan_by_id(scan_id)
    assert scan.furthest_step == 1 and scan.contact_email is None
    assert mails(RESUME_SUBJECT) == []


def test_markup_in_a_text_answer_is_stored_as_text_and_shown_escaped(client):
    name_key = current_questionnaire().profile_keys["name"]
    result = fill_scan(client, {name_key: "<b>De Proef</b> & co"}, submit=False)
    assert stored(result.scan_id)[name_key].value == "<b>De Proef</b> & co"
    page = text(client.get(f"/zelfscan/stap/{current_questionnaire().step_count}"))
    assert "&lt;b&gt;De Proef&lt;/b&gt; &amp; co" in page and "<b>De Proef</b>" not in page


def test_wrong_types_and_repeated_fields_do_not_break_a_step(client):
    start_scan(client)
    first = current_questionnaire().step(1)
    data = step_formdata(first)
    single = next(q for q in first.questions if q.type == "single")
    payload = MultiDict(list(data.items()))
    payload.setlist(single.key, ["bestaat-niet", valid_value(single)])
    payload.add("onbekend_veld", "x")
    payload["actie"] = "iets-anders"
    payload["csrf_token"] = csrf_token(client, "/zelfscan/stap/1")
    response = client.post("/zelfscan/stap/1", data=payload)
    assert response.status_code == 200
    assert "Kies een van de antwoorden uit de lijst." in text(response)


@pytest.mark.parametrize("number", [0, 99, -1])
def test_steps_outside_the_questionnaire_are_not_found(client, number):
    start_scan(client)
    assert client.get(f"/zelfscan/stap/{number}").status_code == 404


def test_skipping_ahead_is_refused(client):
    fill_scan(client, stop_after_step=1)
    scan_id, _token = session_scan(client)
    response = client.get("/zelfscan/stap/5")
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/2")
    assert "Je kunt niet vooruit springen" in text(client.get("/zelfscan/stap/2"))
    fifth = current_questionnaire().step(5)
    response = post_step(client, 5, {**step_formdata(fifth),
                                     "csrf_token": csrf_token(client, "/zelfscan/stap/2")})
    assert response.status_code == 302
    assert not any(q.key in stored(scan_id) for q in fifth.questions)
    response = client.post("/zelfscan/versturen", data={
        "csrf_token": csrf_token(client, "/zelfscan/stap/2"), "contact_name": "Anna",
        "contact_email": CONTACT_EMAIL, "consent_privacy": "y", "actie": "versturen",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/2")
    scan = scan_by_id(scan_id)
    assert scan.status == "draft" and scan.furthest_step == 2


def test_an_incomplete_step_found_at_sending_sends_you_there(client):
    result = fill_scan(client, submit=False)
    fourth = current_questionnaire().step(4)
    db.session.execute(db.delete(SelfScanAnswer).where(
        SelfScanAnswer.scan_id == result.scan_id,
        SelfScanAnswer.question_key == fourth.questions[0].key,
    ))
    db.session.commit()
    response = submit_final(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/4")
    assert "Stap 4" in text(client.get("/zelfscan/stap/4"))
    assert scan_by_id(result.scan_id).status == "draft"


@pytest.mark.parametrize("overrides,message", [
    ({"consent_privacy": None}, "Zonder akkoord met de privacyverklaring"),
    ({"contact_email": "niet-goed"}, "Dit is geen geldig e-mailadres."),
    ({"contact_name": ""}, "Vul de naam van de contactpersoon in."),
    ({"contact_name": HUGE}, "hoogstens 120 tekens"),
])
def test_sending_without_consent_or_contact_is_refused(client, overrides, message):
    result = fill_scan(client, submit=False)
    last = current_questionnaire().step_count
    data = {"csrf_token": csrf_token(client, f"/zelfscan/stap/{last}"), "contact_name": "Anna",
            "contact_email": CONTACT_EMAIL, "consent_privacy": "y", "actie": "versturen"}
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key)
    response = client.post("/zelfscan/versturen", data=data)
    assert response.status_code == 200
    assert message in text(response)
    scan = scan_by_id(result.scan_id)
    assert scan.status == "draft" and not scan.consent_privacy and scan.consent_at is None
    assert mails(RECEIVED) == []


def test_sending_is_rate_limited(client, app):
    app.config["SELFSCAN_SUBMIT_LIMIT"] = "2 per hour"
    fill_scan(client, submit=False)
    last = current_questionnaire().step_count
    token = csrf_token(client, f"/zelfscan/stap/{last}")
    no_consent = {"csrf_token": token, "contact_name": "Anna", "contact_email": CONTACT_EMAIL,
                  "actie": "versturen"}
    codes = [client.post("/zelfscan/versturen", data=no_consent).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_step_saved_at_the_same_moment_elsewhere_is_not_an_error(client, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    fill_scan(client, stop_after_step=1)

    def collide(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    token = csrf_token(client, "/zelfscan/stap/2")
    monkeypatch.setattr(services, "save_answers", collide)
    response = post_step(client, 2, {**step_formdata(current_questionnaire().step(2)),
                                     "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/2")
    monkeypatch.undo()
    assert "tegelijk in een ander venster" in text(client.get("/zelfscan/stap/2"))


def test_research_consent_is_optional_and_stored_as_given(client):
    result = fill_scan(client, {"consent_research": False})
    scan = scan_by_id(result.scan_id)
    assert scan.status == "submitted" and scan.consent_privacy and scan.consent_research is False


def test_double_submit_makes_one_submission_and_one_email(client):
    result = fill_scan(client, submit=False)
    token = csrf_token(client, f"/zelfscan/stap/{current_questionnaire().step_count}")
    first = submit_final(client, token=token)
    second = submit_final(client, token=token)  # a double click: the same page, twice
    assert first.status_code == 302 and second.status_code == 302
    assert second.headers["Location"].endswith(result.report_url)
    assert len(mails(RECEIVED)) == 1
    assert scan_by_id(result.scan_id).status == "submitted"


def test_a_second_request_that_loaded_the_draft_earlier_does_not_send_again(client):
    result = fill_scan(client, submit=False)
    scan = scan_by_id(result.scan_id)
    assert services.submit_scan(scan, result.token, True) is True
    db.session.commit()
    stale = scan_by_id(result.scan_id)
    # As another request saw it before the first one committed.
    set_committed_value(stale, "status", "draft")
    assert services.submit_scan(stale, result.token, True) is False
    db.session.rollback()
    assert len(mails(RECEIVED)) == 1


def test_a_sent_scan_can_no_longer_be_changed(client):
    result = fill_scan(client)
    first = current_questionnaire().step(1)
    response = post_step(client, 1, {**step_formdata(first, {"contact_name": "Iemand"}),
                                     "csrf_token": csrf_token(client, "/zelfscan")})
    assert response.status_code == 302 and response.headers["Location"].endswith(result.report_url)
    assert scan_by_id(result.scan_id).contact_name == "Anna Jansen"


# -- the report ----------------------------------------------------------------------------------

def test_report_shows_scores_chart_table_and_is_never_cached(client):
    result = fill_scan(client)
    response = client.get(result.report_url)
    page = text(response)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<svg' in page and 'role="img"' in page
    assert "<table" in page and "<caption>Scores per onderwerp" in page
    scan = scan_by_id(result.scan_id)
    for key in current_questionnaire().scored_dimensions():
        label = html.escape(current_questionnaire().dimensions[key]["label"], quote=False)
        assert re.search(rf"<th scope=\"row\"[^>]*>{re.escape(label)}</th>\s*<td[^>]*>{scan.scores[key]}</td>",
                         page), key
    assert "minstens 5 collectieven uit dezelfde sector" in page
    assert "Stel je vraag in het" in page
    # The lab recommendation leads straight to asking there.
    ask = re.search(r'class="btn btn-outline-primary lab-ask-link" href="(/labs/(\w+)/vragen/nieuw)"', page)
    assert ask, "no link to ask in the recommended lab"
    assert client.get(ask.group(1)).status_code in (200, 302)
    assert "Jullie belangrijkste uitdagingen" in page


def test_pdf_download_is_an_attachment_with_a_safe_name(client):
    name_key = current_questionnaire().profile_keys["name"]
    result = fill_scan(client, {name_key: 'Coöp "De Ñandú" / ../ 🌱'})
    response = client.get(result.report_url + "/rapport.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.fullmatch(r'attachment; filename="zelfscan-coop-de-nandu-\d{4}-\d{2}-\d{2}\.pdf"', disposition)
    assert "no-store" in response.headers["Cache-Control"]


def test_a_draft_has_no_report(client, moderator, app):
    result = fill_scan(client, submit=False)
    assert client.get(result.report_url).status_code == 404
    assert client.get(result.report_url + "/rapport.pdf").status_code == 404
    staff = isolated_client(app)
    login(staff, moderator.email)
    assert staff.get(f"/zelfscan/{result.scan_id}/rapport").status_code == 404
    assert staff.get(f"/zelfscan/{result.scan_id}/rapport.pdf").status_code == 404
    assert staff.get("/zelfscan/999999/rapport").status_code == 404
    assert staff.get("/zelfscan/99999999999999999999/rapport").status_code == 404
    assert staff.get("/zelfscan/99999999999999999999/rapport.pdf").status_code == 404


def test_report_by_id_is_for_members_of_the_collective_and_moderators(client, app, moderator):
    result = fill_scan(client)
    url = f"/zelfscan/{result.scan_id}/rapport"
    visitor = isolated_client(app)
    response = visitor.get(url)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert visitor.get(url + ".pdf").status_code == 302

    own = make_collective()
    other = make_collective(name="Zorgcoöperatie Elders", slug="elders", sector="zorg")
    make_user(email="lid@example.org", collective_id=own.id)
    make_user(email="ander@example.org", collective_id=other.id)
    make_user(email="los@example.org")
    make_user(email="partner@example.org", role="partner")

    def status(email, path=url):
        person = isolated_client(app)
        login(person, email)
        return person.get(path).status_code

    # Submitted but not yet approved: no collective yet, so only moderators.
    assert status("lid@example.org") == 403
    assert status(moderator.email) == 200
    approve_directly(result.scan_id, own)
    assert status("lid@example.org") == 200
    assert status("lid@example.org", url + ".pdf") == 200
    assert status("ander@example.org") == 403
    assert status("los@example.org") == 403
    assert status("partner@example.org") == 403
    assert status("ander@example.org", url + ".pdf") == 403
    assert status(moderator.email) == 200


# -- repeat scans --------------------------------------------------------------------------------

def test_a_representative_repeats_the_scan_and_sees_the_change(client, app):
    collective = make_collective()
    first = fill_scan(client)
    approve_directly(first.scan_id, collective)
    make_user(email="rep@example.org", name="Rita Vertegenwoordiger", role="representative",
              collective_id=collective.id)
    rep = isolated_client(app)
    login(rep, "rep@example.org")
    index = text(rep.get("/zelfscan"))
    assert 'action="/zelfscan/opnieuw"' in index
    response = rep.post("/zelfscan/opnieuw", data={"csrf_token": csrf_token(rep, "/zelfscan")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/zelfscan/stap/1")
    second_id, _token = session_scan(rep)
    second = scan_by_id(second_id)
    assert second.collective_id == collective.id and second.started_by.email == "rep@example.org"
    assert (second.contact_name, second.contact_email) == ("Rita Vertegenwoordiger", "rep@example.org")
    assert len(mails(RESUME_SUBJECT, "rep@example.org")) == 1
    page = text(rep.get("/zelfscan/stap/1"))
    assert 'value="Energiecoöperatie De Proef"' in page
    assert 'value="rep@example.org"' in page
    step_one = current_questionnaire().step(1)
    assert {q.key for q in step_one.questions} <= set(stored(second_id))

    # Again before finishing: the same draft, not a second one.
    rep.post("/zelfscan/opnieuw", data={"csrf_token": csrf_token(rep, "/zelfscan")})
    assert session_scan(rep)[0] == second_id

    lower = {q.key: "2" for q in current_questionnaire().questions() if q.type == "scale"}
    lower.update(contact_name="Rita Vertegenwoordiger", contact_email="rep@example.org")
    done = fill_scan(rep, lower, start=False)
    second = scan_by_id(done.scan_id)
    assert second.status == "completed" and second.due_at is None and second.submitted_at
    assert second.collective_id == collective.id
    [mail] = mails("Je nieuwe zelfscan is verwerkt", "rep@example.org")
    assert "veranderd" in mail.body_text
    page = text(rep.get(f"/zelfscan/{second.id}/rapport"))
    assert "Verandering" in page and "herhaalde zelfscan" in page
    assert re.search(r"<td class=\"text-end\">−\d+</td>", page)
    assert mails(RECEIVED, "rep@example.org") == []


def test_only_a_representative_may_start_a_repeat_scan(client, app, moderator):
    collective = make_collective()
    make_user(email="lid@example.org", collective_id=collective.id)
    visitor = isolated_client(app)
    token = csrf_token(visitor, "/zelfscan")
    response = visitor.post("/zelfscan/opnieuw", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen?next=/zelfscan")
    for email in ("lid@example.org", moderator.email):
        person = isolated_client(app)
        login(person, email)
        assert 'action="/zelfscan/opnieuw"' not in text(person.get("/zelfscan"))
        response = person.post("/zelfscan/opnieuw", data={"csrf_token": csrf_token(person, "/zelfscan")})
        assert response.status_code == 403
    assert db.session.execute(db.select(db.func.count(SelfScan.id))).scalar_one() == 0


# -- markup of the step pages --------------------------------------------------------------------

def test_step_pages_have_a_progress_indicator_and_labelled_controls(client):
    questionnaire = current_questionnaire()
    fill_scan(client, stop_after_step=questionnaire.step_count - 2)
    for number in range(1, questionnaire.step_count):
        page = text(client.get(f"/zelfscan/stap/{number}"))
        assert f"Stap {number} van {questionnaire.step_count}" in page
        assert re.search(rf'<progress[^>]*max="{questionnaire.step_count}" value="{number}"', page)
        assert "<h1>" in page and page.count("<h1>") == 1
        ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page)
        controls = [i for i in ids if i not in ("csrf_token",)]
        assert controls
        for control in controls:
            assert f'for="{control}"' in page, (number, control)
        step = questionnaire.step(number)
        for question in step.questions:
            if question.type in ("single", "scale", "multi", "municipality"):
                assert "<legend" in page
            if question.type in ("number", "year"):
                assert re.search(rf'<input[^>]*inputmode="numeric"[^>]*id="{question.key}"', page)
            if question.type == "municipality":
                names = municipality_field_names(question)
                assert all(f'name="{n}"' in page for n in names)
        assert 'style="' not in page.split("<main", 1)[1]
        assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]


def test_the_private_report_link_expires_90_days_after_approval(app):
    """After 90 days the link says where the report lives now; members read it on the platform."""
    import secrets
    from datetime import timedelta

    from app.tokens import hash_token
    from app.timeutil import utcnow

    collective = factories.make_collective("Energiecoöperatie De Windvang", slug="windvang")
    scan = factories.make_scan(collective, submitted_at=utcnow() - timedelta(days=100))
    raw = secrets.token_urlsafe(32)
    scan.resume_token_hash = hash_token(raw)
    scan.reviewed_at = utcnow() - timedelta(days=89)
    db.session.commit()
    visitor = isolated_client(app)
    assert visitor.get(f"/zelfscan/rapport/{raw}").status_code == 200

    scan.reviewed_at = utcnow() - timedelta(days=91)
    db.session.commit()
    for path in (f"/zelfscan/rapport/{raw}", f"/zelfscan/rapport/{raw}/rapport.pdf"):
        response = visitor.get(path)
        assert response.status_code == 410
        page = text(response)
        assert "Deze rapportlink is verlopen" in page and 'href="/collectieven/windvang"' in page

    member = factories.member_of(collective, "lid@example.org", name="Bas Buurman")
    factories.cheap_passwords(member)
    login(visitor, "lid@example.org")
    page = text(visitor.get("/collectieven/windvang"))
    assert f'href="/zelfscan/{scan.id}/rapport">Lees het rapport' in page
    assert visitor.get(f"/zelfscan/{scan.id}/rapport").status_code == 200


def test_the_report_link_is_not_offered_to_people_outside_the_collective(app):
    collective = factories.make_collective("Energiecoöperatie De Windvang", slug="windvang")
    scan = factories.make_scan(collective)
    outsider = factories.make_user(email="buiten@example.org")
    factories.cheap_passwords(outsider)
    client = isolated_client(app)
    login(client, "buiten@example.org")
    assert "Lees het rapport" not in text(client.get("/collectieven/windvang"))
    assert client.get(f"/zelfscan/{scan.id}/rapport").status_code == 403
