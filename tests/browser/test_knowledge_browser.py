"""The knowledge base and the insights page in Chromium, as people use them.

A visitor filters /kennisbank with only the keyboard and opens an item: the summary and an invitation
to join, not the members' text. A member logs in from that invitation, reads the text and downloads
the attachment (a download, never a page shown inline). A moderator writes an item, previews it,
saves and publishes it, and then finds it on /kennisbank. A member reads /inzichten on a phone: no
sideways scrolling, every chart an image with a name and a table with a caption beside it.
"""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in, log_out
from tests.factories import PASSWORD, make_collective, make_item, quick_user
from tests.fixtures.insights import build_fixture
from tests.fixtures.knowledge import KnowledgeCast, add_attachment, pdf_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_TABS = 60

STORY_BODY = "### Wat we deden\n\nWe belden **elk lid** persoonlijk op en vroegen wat ze wilden doen."
TOOL_SUMMARY = "Een rekenblad waarmee een bestuur in een middag ziet welke subsidies passen."
TOOL_BODY = "### Zo gebruik je het\n\nVul eerst het tabblad *Projecten* in; de rest rekent vanzelf."


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || '',"
        " text: (e.innerText || e.textContent || '').trim(), value: e.value === undefined ? null : e.value,"
        " option: e.tagName === 'SELECT' && e.selectedIndex >= 0 ? e.options[e.selectedIndex].text : null};"
        " })()"
    )


def tab_until(page, matches, what):
    """Press Tab from where the focus is until `matches(focused element)`; fail if never reached."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        here = focused(page)
        if matches(here):
            return here
    pytest.fail(f"never reached {what} with Tab on {page.url}")


def _knowledge():
    cast = KnowledgeCast()
    make_item(body=STORY_BODY)  # "Zo vonden wij nieuwe vrijwilligers", a praktijkvoorbeeld
    tool = make_item(title="Subsidiewijzer voor energiecoöperaties", kind="instrument",
                     summary=TOOL_SUMMARY, body=TOOL_BODY, themes=("financiering",))
    add_attachment(tool, pdf_bytes("subsidiewijzer"), filename="subsidiewijzer.pdf")
    return cast, tool


def _titles(page):
    return page.get_by_role("list", name="Kennisitems").locator("h2").all_inner_texts()


def test_a_visitor_filters_with_the_keyboard_and_a_member_downloads_the_attachment(page, browser_log):
    _cast, tool = _knowledge()

    page.goto("/kennisbank")
    assert page.locator("main h1").inner_text().strip() == "Kennisbank"
    assert sorted(_titles(page)) == ["Subsidiewijzer voor energiecoöperaties",
                                     "Zo vonden wij nieuwe vrijwilligers"]
    assert page.locator("#aantal-items").inner_text().strip() == "2 items"

    # Only the keyboard: Tab to "Soort", arrow keys to choose, Tab on to "Filteren", Enter.
    kind = page.get_by_label("Soort", exact=True)
    assert kind.is_visible()
    tab_until(page, lambda e: e["id"] == "filter-soort", "the Soort select")
    assert focused(page)["option"] == "Alle soorten"
    for _ in range(6):
        if focused(page)["option"] == "Instrument":
            break
        page.keyboard.press("ArrowDown")
    assert focused(page)["option"] == "Instrument", "could not choose Instrument with the arrow keys"
    assert kind.evaluate("e => e.options[e.selectedIndex].text") == "Instrument"
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == "Filteren", "the Filteren button")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"/kennisbank\?.*soort=instrument", page.url), page.url
    assert _titles(page) == ["Subsidiewijzer voor energiecoöperaties"]
    assert page.locator("#aantal-items").inner_text().strip() == "1 item met soort Instrument"
    assert kind.evaluate("e => e.options[e.selectedIndex].text") == "Instrument"
    assert page.get_by_role("link", name="Filters wissen").is_visible()

    # The visitor opens the item: the summary and an invitation, not the members' text.
    with page.expect_navigation():
        page.get_by_role("link", name="Subsidiewijzer voor energiecoöperaties").click()
    assert page.url.endswith(f"/kennisbank/{tool.slug}")
    assert page.locator("main h1").inner_text().strip() == "Subsidiewijzer voor energiecoöperaties"
    assert page.locator("#samenvatting").inner_text().strip() == TOOL_SUMMARY
    invitation = page.get_by_role("region", name="Lees verder als lid")
    assert invitation.is_visible()
    assert "de bijlagen" in invitation.inner_text()
    assert invitation.get_by_role("link", name="Doe de zelfscan").is_visible()
    main_text = page.locator("main").inner_text()
    assert "Zo gebruik je het" not in main_text and "rekent vanzelf" not in main_text
    assert "subsidiewijzer.pdf" not in main_text
    assert page.get_by_role("link", name="subsidiewijzer.pdf").count() == 0

    # The member logs in from the invitation and comes back to the item.
    with page.expect_navigation():
        invitation.get_by_role("link", name="Inloggen").click()
    page.get_by_label("E-mailadres").fill("lid@example.org")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Inloggen").click()
    assert page.url.endswith(f"/kennisbank/{tool.slug}"), page.url
    assert page.locator("header #accountmenu").inner_text().strip() == "Anna de Vries"

    body = page.locator("#inhoud-item")
    assert body.is_visible()
    assert body.get_by_role("heading", name="Zo gebruik je het").is_visible()
    assert "de rest rekent vanzelf" in body.inner_text()
    assert body.locator("em").inner_text() == "Projecten"
    assert page.get_by_role("region", name="Lees verder als lid").count() == 0
    attachments = page.get_by_role("region", name="Bijlagen")
    link = attachments.get_by_role("link", name="subsidiewijzer.pdf")
    assert link.is_visible()
    assert "PDF" in attachments.inner_text()

    # Clicking the link downloads the file; the item stays on screen.
    item_url = page.url
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "subsidiewijzer.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-") and b"subsidiewijzer" in content
    assert page.url == item_url
    assert page.locator("main h1").inner_text().strip() == "Subsidiewijzer voor energiecoöperaties"

    # Not only because of the link's download attribute: the address itself is sent as a download.
    href = link.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("attachment"), response.headers
    assert "subsidiewijzer.pdf" in response.headers["content-disposition"]
    with page.expect_download() as direct_info:
        page.evaluate("url => { window.location.href = url; }", href)
    assert direct_info.value.suggested_filename == "subsidiewijzer.pdf"
    assert page.url == item_url

    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []


def test_a_moderator_previews_saves_and_publishes_an_item(page, browser_log):
    KnowledgeCast()
    title = "Ledenavond organiseren in vijf stappen"
    summary = "Hoe een woongemeenschap met één avond per kwartaal haar leden betrokken houdt."

    log_in(page, "mod@example.org", name="Mo Derator")
    page.goto("/kennisbank")
    assert title not in page.locator("main").inner_text()

    page.goto("/beheer/kennisbank/nieuw")
    assert page.locator("main h1").inner_text().strip() == "Nieuw kennisitem"
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Soort", exact=True).select_option(label="Praktijkvoorbeeld")
    page.get_by_label("Samenvatting").fill(summary)
    page.get_by_label("Inhoud").fill("### Aanpak\n\nWe **huurden** een zaal in het buurthuis.\n\n- koffie\n- agenda")
    page.get_by_label("Auteur of bron").fill("Woongemeenschap De Hof")
    themes = page.get_by_role("group", name="Thema’s")
    themes.locator("input[type=checkbox]").first.check()
    chosen_theme = themes.locator("input[type=checkbox]").first.get_attribute("value")

    # "Voorbeeld" shows the body as it will look, and keeps everything that was filled in.
    with page.expect_navigation():
        page.get_by_role("button", name="Voorbeeld", exact=True).click()
    preview = page.get_by_role("region", name="Voorbeeld van de inhoud (nog niet opgeslagen)")
    assert preview.is_visible()
    assert preview.get_by_role("heading", name="Aanpak").is_visible()
    assert preview.locator("strong").inner_text() == "huurden"
    assert preview.get_by_role("listitem").all_inner_texts() == ["koffie", "agenda"]
    assert "**" not in preview.inner_text()
    assert page.get_by_label("Titel").input_value() == title
    assert page.get_by_label("Samenvatting").input_value() == summary
    assert page.get_by_label("Soort", exact=True).evaluate("e => e.options[e.selectedIndex].text") \
        == "Praktijkvoorbeeld"
    assert page.locator(f"input[name=themes][value='{chosen_theme}']").is_checked()
    assert page.locator("main h1").inner_text().strip() == "Nieuw kennisitem"  # nothing saved yet

    # Opslaan: a draft, not yet on /kennisbank.
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan", exact=True).click()
    assert re.search(r"/beheer/kennisbank/\d+$", page.url), page.url
    assert f"Het item “{title}” is opgeslagen als concept" in page.locator("main").inner_text()
    status = page.locator(".knowledge-status")
    assert "Concept" in status.inner_text()
    address = status.locator("a code").inner_text().strip()
    edit_url = page.url
    page.goto("/kennisbank")
    assert title not in page.locator("main").inner_text()
    page.goto(edit_url)

    # Publiceren: now it is there for everyone.
    with page.expect_navigation():
        page.get_by_role("button", name="Publiceren").click()
    assert f"Het item “{title}” is gepubliceerd." in page.locator("main").inner_text()
    assert "Gepubliceerd" in page.locator(".knowledge-status").inner_text()
    assert page.get_by_role("button", name="Offline halen").is_visible()

    log_out(page)
    page.goto("/kennisbank")
    assert title in _titles(page)
    card = page.locator("article.knowledge-card", has=page.get_by_role("link", name=title))
    assert summary in card.inner_text()
    assert "Praktijkvoorbeeld" in card.inner_text()
    assert "Woongemeenschap De Hof" in card.inner_text()
    with page.expect_navigation():
        card.get_by_role("link", name=title).click()
    assert page.url.endswith(address)
    assert page.locator("#samenvatting").inner_text().strip() == summary
    assert page.get_by_role("region", name="Lees verder als lid").is_visible()
    assert "huurden" not in page.locator("main").inner_text()

    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []


def _no_sideways_scroll(page):
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways: {widths}"


CHARTS = """
() => Array.from(document.querySelectorAll('main svg')).map(svg => {
  const text = ids => (ids || '').split(/\\s+/).filter(Boolean)
    .map(id => { const e = document.getElementById(id); return e ? e.textContent.trim() : ''; })
    .join(' ').trim();
  const section = svg.closest('section');
  const captions = section ? Array.from(section.querySelectorAll('table caption')) : [];
  const box = svg.getBoundingClientRect();
  return {
    role: svg.getAttribute('role'),
    name: svg.getAttribute('aria-label') || text(svg.getAttribute('aria-labelledby')),
    svgText: svg.textContent,
    left: box.left, right: box.right, width: box.width,
    captions: captions.map(c => c.textContent.trim()),
    rowLabels: section ? Array.from(section.querySelectorAll('table tbody th[scope=row]'))
      .map(th => th.textContent.trim()) : [],
  };
})
"""


@pytest.mark.parametrize("viewport", [PHONE], ids=["390px"])
def test_a_member_reads_the_insights_on_a_phone(page, viewport, browser_log):
    build_fixture()
    quick_user("lid@example.org", collective=make_collective("Buurtzorg Oost"), name="Anna de Vries")

    # Logging in on the phone; the account menu sits in the folded main menu.
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill("lid@example.org")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Menu openen of sluiten").click()
    page.locator("#hoofdmenu.show").wait_for()
    assert page.locator("header #accountmenu").inner_text().strip() == "Anna de Vries"
    with page.expect_navigation():
        page.locator("#hoofdmenu").get_by_role("link", name="Inzichten").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text().strip() == "Inzichten"
    assert "Gebaseerd op 14 collectieven" in page.locator("main").inner_text()
    _no_sideways_scroll(page)

    charts = page.evaluate(CHARTS)
    assert len(charts) >= 3, charts  # breakdowns, score distributions and challenges
    for chart in charts:
        assert chart["role"] == "img", chart
        assert chart["name"], f"a chart without an accessible name: {chart}"
        assert chart["captions"] and all(chart["captions"]), f"no table with a caption: {chart['name']}"
        assert chart["left"] >= 0 and chart["right"] <= PHONE["width"], f"chart sticks out: {chart}"
        # The table tells the same as the chart: each of its rows is named in the chart.
        assert chart["rowLabels"], chart["name"]
        for label in chart["rowLabels"]:
            assert label in chart["svgText"], f"{label!r} in the table, not in the chart {chart['name']!r}"

    # Every chart is found by its name, as a screen reader announces it, and is on screen.
    names = [chart["name"] for chart in charts]
    for name in names:
        image = page.get_by_role("img", name=name, exact=True)
        expect(image).to_have_count(1)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
    assert any(name.startswith("Meest genoemde uitdagingen") for name in names), names
    assert any(name.startswith("Verdeling van de scores voor") for name in names), names
    challenges = page.locator("#tabel-uitdagingen")
    assert challenges.locator("caption").inner_text().strip() == \
        "Uitdagingen en hoeveel van de 14 collectieven ze noemden"
    assert challenges.locator("tbody th").all_inner_texts() == [
        "Financiering van plannen of de lopende kosten", "Actieve leden en vrijwilligers vinden en houden"]
    assert challenges.locator("tbody td").all_inner_texts() == ["7", "50,0%", "5", "35,7%"]

    # Scrolling down the whole page never makes it wider than the screen.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    _no_sideways_scroll(page)
    assert page.evaluate("window.scrollX") == 0

    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
