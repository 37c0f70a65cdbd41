"""The self-scan's layout in Chromium: agreement scales on one row on a phone, Vorige before
Volgende for the keyboard (Enter still goes forward), the progress bar in our green, the radar
chart's text readable on a phone, and the report's scrolling tables reachable by Tab."""
import io
import re

import pytest
from PIL import Image

from app.selfscan.questionnaire import current_questionnaire
from tests.browser.accessibility import site_colour
from tests.factories import make_collective, make_scan
from tests.fixtures.selfscan import fill_scan
from tests.support import isolated_client

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
STEP_URL = re.compile(r"/zelfscan/stap/(\d+)$")


def resume_at(app, page, after_step):
    """A visitor's draft filled in up to `after_step`, opened through its resume link (which leads to
    the next step)."""
    draft = fill_scan(isolated_client(app), stop_after_step=after_step)
    page.goto(draft.resume_url)
    assert page.url.endswith(f"/zelfscan/stap/{after_step + 1}"), page.url


def step_number(page):
    return int(STEP_URL.search(page.url).group(1))


@pytest.mark.parametrize("viewport", [PHONE], ids=["390px"])
def test_agreement_scales_keep_their_five_options_on_one_row_on_a_phone(app, page, viewport):
    resume_at(app, page, 1)  # step 2 has four agreement scales
    scales = page.locator("main .scale-options")
    assert scales.count() >= 4
    for index in range(scales.count()):
        radios = scales.nth(index).locator("input[type=radio]")
        assert radios.count() == 5
        tops = {round(box["y"]) for box in (radios.nth(n).bounding_box() for n in range(5))}
        assert len(tops) == 1, f"scale {index + 1} wraps: radios at heights {sorted(tops)}"
        lefts = [radios.nth(n).bounding_box()["x"] for n in range(5)]
        assert lefts == sorted(lefts), "oneens on the left, eens on the right"
        labels = scales.nth(index).locator("label")
        for n in range(5):
            box = labels.nth(n).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], labels.nth(n).inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    # A label still chooses its option.
    first = scales.first
    first.locator("label").nth(3).click()
    assert first.locator("input[type=radio]").nth(3).is_checked()


def test_vorige_comes_before_volgende_for_the_keyboard(app, page):
    resume_at(app, page, 1)
    order = []
    for _ in range(200):
        page.keyboard.press("Tab")
        value = page.evaluate("(() => { const e = document.activeElement;"
                              " return e.name === 'actie' ? e.value : null; })()")
        if value:
            order.append(value)
        if value == "volgende":
            break
    assert order == ["vorige", "volgende"]
    # On screen too: Vorige on the left, Volgende on the right.
    vorige = page.locator("main button[name=actie][value=vorige]").bounding_box()
    volgende = page.locator("main button[name=actie][value=volgende]").bounding_box()
    assert vorige["x"] < volgende["x"]


def test_enter_in_a_field_still_goes_forward(app, page):
    resume_at(app, page, 8)  # step 9 has a text field, and a Vorige button before it
    form = page.locator("main form[action*='/zelfscan/stap/']")
    for name in form.evaluate("f => [...new Set([...f.querySelectorAll('input[type=radio]')].map(e => e.name))]"):
        form.locator(f"input[type=radio][name='{name}']").first.check()
    for name in form.evaluate("f => [...new Set([...f.querySelectorAll('input[type=checkbox]')].map(e => e.name))]"):
        form.locator(f"input[type=checkbox][name='{name}']").first.check()
    field = form.locator("input[type=text]").first
    field.fill("Meer jonge leden")
    with page.expect_navigation():
        field.press("Enter")
    assert step_number(page) == 10, "Enter should send the step forward, never back"


def test_the_progress_bar_is_our_green(app, page):
    resume_at(app, page, 4)  # step 5 of 10: half filled
    bar = page.locator("main progress")
    box = bar.bounding_box()
    image = Image.open(io.BytesIO(bar.screenshot())).convert("RGB")
    scale = image.width / box["width"]
    filled = image.getpixel((int(box["width"] * 0.2 * scale), image.height // 2))
    empty = image.getpixel((int(box["width"] * 0.8 * scale), image.height // 2))
    assert all(abs(a - b) <= 3 for a, b in zip(filled, site_colour("--ck-green"))), f"the filled part is {filled}"
    assert empty == (255, 255, 255), f"the rest is {empty}"


@pytest.mark.parametrize("viewport", [PHONE, {"width": 992, "height": 900}], ids=["390px", "992px"])
def test_radar_chart_text_is_at_least_12px_on_screen(app, page, viewport):
    scan = fill_scan(isolated_client(app))
    page.goto(scan.report_url)
    chart = page.locator("main svg.radar-chart")
    assert chart.is_visible()
    sizes = chart.evaluate(
        "svg => [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize)"
        " * svg.getScreenCTM().a)")
    labels = [dimension["label"] for dimension in current_questionnaire().dimensions.values()
              if dimension.get("scored")]
    assert len(sizes) > len(labels)  # the topics, ring numbers and the legend
    assert min(sizes) >= 12, f"text drawn at {min(sizes):.1f} px"
    assert chart.bounding_box()["width"] <= viewport["width"]


def _peers_in_energie():
    """Five other energy collectives with a scan, so the report has its comparison table."""
    for n in range(5):
        make_scan(make_collective(f"Energiecoöperatie Peer {n}", slug=f"peer-{n}"))


@pytest.mark.parametrize("viewport", [{"width": 576, "height": 900}], ids=["576px"])
def test_the_report_comparison_table_can_be_scrolled_from_the_keyboard(app, page, viewport):
    _peers_in_energie()
    scan = fill_scan(isolated_client(app))
    page.goto(scan.report_url)
    wrapper = page.locator("main .table-responsive", has=page.locator("caption", has_text="dezelfde sector"))
    assert wrapper.get_attribute("tabindex") == "0"
    assert wrapper.get_attribute("role") == "region"
    assert wrapper.get_attribute("aria-label")
    assert wrapper.evaluate("w => w.scrollWidth > w.clientWidth"), "scrolls sideways at this width"
    for _ in range(300):  # Tab reaches it ...
        page.keyboard.press("Tab")
        if wrapper.evaluate("w => w === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the comparison table")
    page.keyboard.press("ArrowRight")  # ... and the arrow keys scroll it
    page.wait_for_function(
        "() => document.activeElement.scrollLeft > 0", timeout=2000)
