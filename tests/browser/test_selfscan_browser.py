"""A visitor fills in the whole self-scan in Chromium, one step with only the keyboard, and opens
the report.

The questions are answered by what the page shows (radio groups, check boxes, text and number
fields, the municipality's selects), not by a list of question keys, so the test keeps working when
the questionnaire changes. The questionnaire is only asked for the refused eligibility answers and
for the bounds of number and year questions.
"""
import re

import pytest

from app.selfscan.questionnaire import current_questionnaire
from app.extensions import db
from app.models.collectives import COUNTRIES
from app.models.selfscan import SCAN_SUBMITTED, SelfScan
from tests.fixtures.selfscan import valid_value

pytestmark = pytest.mark.browser

KEYBOARD_STEP = 2  # "Doel en nut": check boxes and agreement scales
COLLECTIVE_NAME = "Energiecoöperatie Browserproef"
STEP_URL = re.compile(r"/zelfscan/stap/(\d+)$")
MAX_TABS = 250


def current_step(page):
    match = STEP_URL.search(page.url)
    assert match, f"not on a step of the scan: {page.url}"
    return int(match.group(1))


def no_error_summary(page):
    summary = page.locator("#formulierfouten")
    assert summary.count() == 0, summary.inner_text()


def step_form(page):
    return page.locator("main form[action*='/zelfscan/stap/']")


def group_names(form, kind):
    return form.evaluate(
        "(f, kind) => [...new Set([...f.querySelectorAll('input[type=' + kind + ']')].map(e => e.name))]",
        kind,
    )


def choice_limit(page, name):
    """The maximum a multiple-choice question announces ("Kies er hoogstens 3."), or None."""
    help_text = page.locator(f"[id='{name}-hulp']")
    if help_text.count() == 0:
        return None
    match = re.search(r"Kies er hoogstens (\d+)", help_text.inner_text())
    return int(match.group(1)) if match else None


def allowed_radio_values(form, name, refused):
    values = form.locator(f"input[type=radio][name='{name}']").evaluate_all("els => els.map(e => e.value)")
    allowed = [value for value in values if value not in refused]
    assert allowed, f"no allowed answer for {name}"
    return values, allowed


def fill_step_with_mouse(page, questions, refused):
    """Answer every question on this step by the kind of control it has."""
    form = step_form(page)

    for name in group_names(form, "radio"):
        _values, allowed = allowed_radio_values(form, name, refused)
        # The middle of the allowed answers: for a scale "Neutraal", never a refused answer.
        form.locator(f"input[type=radio][name='{name}'][value='{allowed[len(allowed) // 2]}']").check()

    for name in group_names(form, "checkbox"):
        boxes = form.locator(f"input[type=checkbox][name='{name}']")
        limit = choice_limit(page, name)
        wanted = min(limit if limit else 2, boxes.count())
        for index in range(boxes.count()):
            if index < wanted:
                boxes.nth(index).check()
            else:
                boxes.nth(index).uncheck()

    for field in form.locator("input[type=text], input[type=email], input:not([type])").all():
        field_id = field.get_attribute("id") or ""
        if field_id == "contact_name":
            value = "Anna Jansen"
        elif field_id == "contact_email" or field.get_attribute("type") == "email":
            value = "anna.browser@example.org"
        elif field_id.endswith("__gemeente"):
            value = "Utrecht"
        elif field.get_attribute("inputmode") == "numeric":
            value = valid_value(questions[field_id])  # a number or year within its bounds
        elif field_id == current_questionnaire().profile_keys.get("name"):
            value = COLLECTIVE_NAME
        else:
            value = "Hoe houden we vrijwilligers lang betrokken?"
            maxlength = field.get_attribute("maxlength")
            value = value[: int(maxlength)] if maxlength else value
        field.fill(value)

    for select in form.locator("select").all():
        select_id = select.get_attribute("id") or ""
        if select_id.endswith("__land"):
            select.select_option("NL")
        elif select_id.endswith("__provincie"):
            dutch = select.locator(f"optgroup[label='{COUNTRIES['NL']}'] option").first
            select.select_option(dutch.get_attribute("value"))
        else:
            options = [v for v in select.locator("option").evaluate_all("els => els.map(e => e.value)") if v]
            select.select_option(options[0])

    with page.expect_navigation():
        form.locator("button[name=actie][value=volgende]").click()


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),"
        " type: e.type || '', name: e.name || '', value: e.value || '', checked: !!e.checked,"
        " inForm: !!e.closest('form[action*=\"/zelfscan/stap/\"]')}; })()"
    )


def fill_step_with_keyboard(page, refused):
    """Tab through the page from the top; Space ticks check boxes, Space and arrow keys choose in a
    radio group, Enter on "Volgende" sends the step. No clicks, nothing filled in by script."""
    form = step_form(page)
    radio_groups = group_names(form, "radio")
    assert radio_groups, "the keyboard step should have radio groups (e.g. an agreement scale)"
    limits = {name: choice_limit(page, name) for name in group_names(form, "checkbox")}
    ticked = {name: [] for name in limits}
    chosen = {}

    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        here = focused(page)
        if not here["inForm"]:
            continue
        if here["type"] == "checkbox":
            name = here["name"]
            limit = limits[name] or 2
            if len(ticked[name]) < limit and not here["checked"]:
                page.keyboard.press("Space")
                assert focused(page)["checked"], f"Space did not tick {name}={here['value']}"
                ticked[name].append(here["value"])
        elif here["type"] == "radio":
            name = here["name"]
            values, allowed = allowed_radio_values(form, name, refused)
            target = allowed[min(3, len(allowed) - 1)]  # "Eens" on a 5-point scale
            if not here["checked"]:
                page.keyboard.press("Space")  # choose the option that has focus
            # Arrow keys move the choice through the group; stop at the target.
            for _ in range(len(values)):
                here = focused(page)
                assert here["checked"] and here["name"] == name
                if here["value"] == target:
                    break
                key = "ArrowRight" if values.index(here["value"]) < values.index(target) else "ArrowLeft"
                page.keyboard.press(key)
            assert focused(page)["value"] == target, f"could not reach {target} in {name} by arrow keys"
            chosen[name] = target
        elif here["tag"] == "button" and here["name"] == "actie" and here["value"] == "volgende":
            assert set(chosen) == set(radio_groups), f"radio groups missed: {set(radio_groups) - set(chosen)}"
            for name, limit in limits.items():
                assert ticked[name], f"no box ticked in {name}"
                assert len(ticked[name]) <= (limit or len(ticked[name]))
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return chosen, ticked
    pytest.fail(f"never reached the Volgende button by Tab on step {current_step(page)}")


def test_visitor_fills_in_the_whole_scan_and_opens_the_report(page, browser_log):
    questionnaire = current_questionnaire()
    questions = {q.key: q for q in questionnaire.questions()}
    rule = questionnaire.eligibility or {}
    refused = set(rule.get("refuse", []))
    assert "aandeelhouders" in refused  # the answer this test must never give

    page.goto("/zelfscan")
    with page.expect_navigation():
        page.get_by_role("button", name="Start de zelfscan").click()
    assert current_step(page) == 1

    keyboard_answers = None
    question_steps = len(questionnaire.steps)
    for number in range(1, question_steps + 1):
        assert current_step(page) == number
        assert f"Stap {number} van {questionnaire.step_count}" in page.locator("#voortgang").inner_text()
        if number == KEYBOARD_STEP:
            keyboard_answers = fill_step_with_keyboard(page, refused)
        else:
            fill_step_with_mouse(page, questions, refused)
        no_error_summary(page)
        assert "/zelfscan/niet-geschikt" not in page.url
        assert current_step(page) == number + 1, f"step {number} was not accepted: {page.url}"

    # The last step: check, consent, send.
    assert page.locator("main h1").inner_text().strip() == "Controleren en versturen"
    assert COLLECTIVE_NAME in page.locator("main").inner_text()
    assert page.locator("#contact_name").input_value() == "Anna Jansen"
    page.locator("#consent_privacy").check()
    page.locator("#consent_research").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Versturen", exact=True).click()

    assert "/zelfscan/rapport/" in page.url, page.url
    assert page.locator("main h1").inner_text().strip() == f"Rapport zelfscan: {COLLECTIVE_NAME}"
    scores = page.locator("table", has=page.locator("caption", has_text="Scores per onderwerp"))
    assert scores.is_visible()
    assert scores.locator("tbody tr").count() == len(questionnaire.scored_dimensions())
    chart = page.locator("main svg[role='img']")
    assert chart.count() == 1 and chart.is_visible()
    assert chart.locator("title").count() >= 1

    # What the keyboard chose on its step was stored as chosen.
    db.session.expire_all()
    scan = db.session.execute(db.select(SelfScan).order_by(SelfScan.id.desc())).scalars().first()
    assert scan is not None and scan.status == SCAN_SUBMITTED
    stored = scan.answer_map()
    chosen, ticked = keyboard_answers
    for name, value in chosen.items():
        assert str(stored[name]) == value, (name, stored[name], value)
    for name, values in ticked.items():
        assert sorted(stored[name]) == sorted(values), (name, stored[name], values)
    assert stored[questionnaire.eligibility["question"]] not in refused

    page.wait_for_load_state("networkidle")
    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
