"""Searching in Chromium: a member types a word in the header box and presses Enter, sees the hits
with the word highlighted, and narrows them by type; at phone width the box sits in the menu."""
import re

import pytest

from tests.browser.people import log_in
from tests.factories import make_collective, make_group, quick_user, start_thread
from tests.fixtures.search import add_knowledge, index_now

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _content():
    collective = make_collective("Energiecoöperatie De Windvang")
    anna = quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    group = make_group("Energie", slug="energie", description="Over energiecoöperaties.")
    start_thread(group, anna, title="Wie heeft een buurtbatterij?",
                 body="Wij denken aan een buurtbatterij bij de school. Wie ging ons voor?")
    add_knowledge("Handreiking buurtbatterij", "Stappenplan voor een buurtbatterij in de wijk.")
    index_now()


def _no_sideways_scroll(page):
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})")
    assert widths["scroll"] <= widths["client"], f"{page.url} scrolls sideways: {widths}"


def test_a_member_searches_from_the_header_and_filters(page, browser_log):
    _content()
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto("/forum")
    box = page.locator("header").get_by_label("Zoeken op CollectieveKracht")
    box.fill("buurtbatterijen")  # the plural finds the singular
    with page.expect_navigation():
        box.press("Enter")
    assert re.search(r"/zoeken\?q=buurtbatterijen$", page.url)
    assert "Zoeken: buurtbatterijen" in page.title()
    assert page.get_by_label("Waar zoek je naar?").input_value() == "buurtbatterijen"

    results = page.get_by_role("list", name="Zoekresultaten")
    titles = results.locator("h2").all_inner_texts()
    assert set(titles) == {"Wie heeft een buurtbatterij?", "Handreiking buurtbatterij"}
    marks = results.locator("mark")
    assert marks.count() >= 2
    assert all(text.lower().startswith("buurtbatterij") for text in marks.all_inner_texts())
    assert marks.first.is_visible()
    assert "Forum · Energie" in results.inner_text()

    filters = page.get_by_role("navigation", name="Soort resultaat")
    assert filters.get_by_role("link", name=re.compile(r"^Alles 2")).get_attribute("aria-current") == "page"
    with page.expect_navigation():
        filters.get_by_role("link", name=re.compile(r"^Kennisbank 1")).click()
    assert "type=kennis" in page.url
    assert results.locator("h2").all_inner_texts() == ["Handreiking buurtbatterij"]
    assert filters.get_by_role("link", name=re.compile(r"^Kennisbank")).get_attribute("aria-current") == "page"

    # the hit takes the member to the discussion
    with page.expect_navigation():
        filters.get_by_role("link", name=re.compile(r"^Discussies")).click()
    with page.expect_navigation():
        results.get_by_role("link", name="Wie heeft een buurtbatterij?").click()
    assert page.locator("main h1").inner_text().strip() == "Wie heeft een buurtbatterij?"

    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []


@pytest.mark.parametrize("viewport", [PHONE], ids=["390px"])
def test_searching_at_phone_width_through_the_menu(page, viewport, browser_log):
    _content()
    page.goto("/")
    box = page.locator("header").get_by_label("Zoeken op CollectieveKracht")
    assert not box.is_visible(), "the search box folds into the menu at phone width"
    page.get_by_role("button", name="Menu openen of sluiten").click()
    page.locator("#hoofdmenu.show").wait_for()
    assert box.is_visible()
    box.fill("buurtbatterij")
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Zoek", exact=True).click()
    results = page.get_by_role("list", name="Zoekresultaten")
    # a visitor finds the public knowledge item, not the discussion, and is told why
    assert results.locator("h2").all_inner_texts() == ["Handreiking buurtbatterij"]
    assert results.locator("mark").first.is_visible()
    assert page.get_by_text("om ook discussies, labvragen en de volledige kennisbank te doorzoeken").is_visible()
    _no_sideways_scroll(page)

    # the page's own box works too, and an odd query is just words
    field = page.get_by_label("Waar zoek je naar?")
    field.fill('buurtbatterij AND (title: "')
    with page.expect_navigation():
        field.press("Enter")
    assert page.locator("main h1").inner_text().strip() == "Zoeken"
    _no_sideways_scroll(page)
    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
