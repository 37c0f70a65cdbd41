"""No request a person can send makes the app answer 500: every POST route, odd bodies."""
import re

import pytest

from app.extensions import limiter
from tests.support import csrf_token, login

ODD_BODIES = [
    {"json": {"email": {"x": 1}, "body": [1, 2], "name": None, "title": 5}},
    {"data": {"email": ["a@example.org", "b@example.org"], "body": "\x00\x1b" * 50,
              "name": "x" * 100_000, "title": "<script>alert(1)</script>"}},
    {"data": "niet=goed&%ff%fe=%ff", "content_type": "application/x-www-form-urlencoded"},
]


def _post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/static"):
            yield rule


def _fill(rule):
    path = rule.rule
    for converter, name in re.findall(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", path):
        value = "1" if converter == "int" else "x"
        path = re.sub(r"<[^>]*\b" + name + ">", value, path, count=1)
    return path


@pytest.mark.parametrize("body", ODD_BODIES, ids=["json", "hostile-form", "bad-encoding"])
def test_every_post_route_answers_without_a_500(app, client, admin_user, body):
    login(client, admin_user.email)
    token = csrf_token(client, "/account")
    failures = []
    for rule in _post_rules(app):
        if rule.endpoint in {"auth.logout"}:
            continue  # would end the session the other requests need
        path = _fill(rule)
        kwargs = dict(body)
        if "json" in kwargs:
            kwargs["json"] = dict(kwargs["json"], csrf_token=token)
        elif isinstance(kwargs.get("data"), dict):
            kwargs["data"] = dict(kwargs["data"], csrf_token=token)
        response = client.post(path, headers={"X-CSRFToken": token}, **kwargs)
        if response.status_code >= 500:
            failures.append(f"{rule.endpoint} {path}: {response.status_code}")
    assert not failures, failures


PREVIEW_PLACES = ["forum", "bericht:1", "lab:x", "vraag:1", "vraag-bewerken:1",
                  "antwoord-bewerken:1", "bericht:-1", "vraag:1e9", "lab:" + "x" * 90, "forum:",
                  ":", "\x00", None, 1, [], {}]
PREVIEW_TEXTS = ["", "\ud800 alleen", "\x00\x1b" * 50, "<script>alert(1)</script>" * 500,
                 "> " * 5000, "[" * 2_000, "x" * 30_000, None, 5, ["a"], {"a": "b"}]


def test_the_live_preview_answers_hostile_json_without_a_500(app, client, admin_user):
    login(client, admin_user.email)
    token = csrf_token(client, "/account")
    failures = []
    for plek in PREVIEW_PLACES:
        limiter.reset()  # every request reaches the view, not the rate limit
        for tekst in PREVIEW_TEXTS:
            response = client.post("/schrijven/voorbeeld", json={"plek": plek, "tekst": tekst},
                                   headers={"X-CSRFToken": token})
            if response.status_code >= 500 or not response.is_json:
                failures.append(f"{plek!r} {str(tekst)[:20]!r}: {response.status_code}")
    assert not failures, failures
