"""Filling in the self-scan through the test client, like a person would, for any questionnaire.

    result = fill_scan(client)                       # start, every step, consent, send
    result = fill_scan(client, {"profiel_sector": "wonen"}, stop_after_step=3)
    result.scan_id, result.token, result.report_url, result.resume_url

`overrides` maps question keys to form values (a string, a list for multiple choice, or for a
municipality a dict with "municipality", "province", "country"; None leaves the question out).
The keys "contact_name", "contact_email" and "consent_research" set those fields.
"""
from dataclasses import dataclass

from app.selfscan.questionnaire import current_questionnaire, municipality_field_names
from app.timeutil import utcnow
from tests.conftest import csrf_token

CONTACT_NAME = "Anna Jansen"
CONTACT_EMAIL = "anna@example.org"


@dataclass
class FilledScan:
    scan_id: int
    token: str
    response: object  # the last response (a redirect after each successful step)

    @property
    def report_url(self):
        return f"/zelfscan/rapport/{self.token}"

    @property
    def resume_url(self):
        return f"/zelfscan/hervatten/{self.token}"


def valid_value(question):
    """A valid form value for this question (as a browser would send it)."""
    if question.type == "single":
        refused = set()
        rule = current_questionnaire().eligibility or {}
        if rule.get("question") == question.key:
            refused = set(rule.get("refuse", []))
        return next(value for value, _label in question.options if value not in refused)
    if question.type == "multi":
        limit = min(question.max_choices or 2, 2, len(question.options))
        return [value for value, _label in question.options[:limit]]
    if question.type == "scale":
        return "4"
    if question.type == "number":
        low = question.min if question.min is not None else 0
        number = max(low, 12)
        if question.max is not None:
            number = min(number, question.max)
        return str(number)
    if question.type == "year":
        low = question.min if question.min is not None else 1800
        return str(max(low, min(2015, utcnow().year)))
    if question.type == "text":
        if question.key == current_questionnaire().profile_keys.get("name"):
            return "Energiecoöperatie De Proef"
        return "Een kort antwoord"[: question.max_length]
    if question.type == "municipality":
        return {"municipality": "Utrecht", "province": "Utrecht", "country": "NL"}
    raise ValueError(f"unknown question type {question.type}")


def step_formdata(step, overrides=None):
    """The form data of one question step: a valid answer per question, overrides applied."""
    overrides = overrides or {}
    data = {}
    for question in step.questions:
        value = overrides[question.key] if question.key in overrides else valid_value(question)
        if value is None:
            continue
        if question.type == "municipality" and isinstance(value, dict):
            town, province, country = municipality_field_names(question)
            data[town] = value.get("municipality", "")
            data[province] = value.get("province", "")
            data[country] = value.get("country", "NL")
        else:
            data[question.key] = value
    if step.number == 1:
        data["contact_name"] = overrides.get("contact_name", CONTACT_NAME)
        data["contact_email"] = overrides.get("contact_email", CONTACT_EMAIL)
    return data


def session_scan(client):
    """(scan id, raw resume token) remembered in the client's session, or (None, None)."""
    with client.session_transaction() as session:
        data = session.get("selfscan") or {}
    return data.get("id"), data.get("token")


def start_scan(client):
    response = client.post("/zelfscan/starten", data={"csrf_token": csrf_token(client, "/zelfscan")})
    assert response.status_code == 302, response.status_code
    return response


def post_step(client, number, data, action="volgende"):
    payload = dict(data)
    payload["actie"] = action
    if "csrf_token" not in payload:  # fetch the page like a browser would
        payload["csrf_token"] = csrf_token(client, f"/zelfscan/stap/{number}")
    return client.post(f"/zelfscan/stap/{number}", data=payload)


def submit_final(client, overrides=None, token=None):
    """Send the scan from the last step (`token`: a CSRF token already on the page)."""
    overrides = overrides or {}
    last = current_questionnaire().step_count
    data = {
        "csrf_token": token or csrf_token(client, f"/zelfscan/stap/{last}"),
        "contact_name": overrides.get("contact_name", CONTACT_NAME),
        "contact_email": overrides.get("contact_email", CONTACT_EMAIL),
        "consent_privacy": "y",
        "actie": "versturen",
    }
    if overrides.get("consent_research", True):
        data["consent_research"] = "y"
    return client.post("/zelfscan/versturen", data=data)


def fill_scan(client, overrides=None, stop_after_step=None, submit=True, start=True):
    """Walk the whole scan; stop after step `stop_after_step` (or before sending with
    submit=False). start=False continues the scan already in the session (e.g. a repeat scan)."""
    overrides = overrides or {}
    questionnaire = current_questionnaire()
    if start:
        start_scan(client)
    response = None
    for step in questionnaire.steps:
        response = post_step(client, step.number, step_formdata(step, overrides))
        expected = f"/zelfscan/stap/{step.number + 1}"
        assert response.status_code == 302 and response.headers["Location"].endswith(expected), (
            f"step {step.number} was not accepted: {response.status_code} "
            f"{response.headers.get('Location')} {response.get_data(as_text=True)[:3000]}"
        )
        if stop_after_step == step.number:
            break
    else:
        if submit:
            response = submit_final(client, overrides)
            assert response.status_code == 302 and "/zelfscan/rapport/" in response.headers["Location"], (
                f"sending failed: {response.status_code} {response.get_data(as_text=True)[:3000]}"
            )
    scan_id, token = session_scan(client)
    return FilledScan(scan_id=scan_id, token=token, response=response)
