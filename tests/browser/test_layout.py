"""The layout in a real browser: it renders cleanly, fits a phone and works from the keyboard."""
import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
PUBLIC_PAGES = ["/", "/over-ons", "/veelgestelde-vragen", "/privacy", "/cookies", "/contact", "/inloggen"]
HEADER_LINKS = ["Forum", "Labs", "Kennisbank", "Collectieven"]
FOOTER_LINKS = ["Over ons", "Veelgestelde vragen", "Privacy", "Cookies", "Contact"]


def focused(page):
    """A short description of the element that has keyboard focus."""
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: (e.textContent || '').trim()}; })()"
    )


def test_home_page_renders_without_errors(page, live_server, browser_log):
    response = page.goto("/")
    assert response.status == 200

    assert "CollectieveKracht" in page.title()
    assert page.locator("html").get_attribute("lang") == "nl"
    heading = page.locator("main h1")
    assert heading.count() == 1 and heading.is_visible()
    assert heading.inner_text().strip()

    nav = page.get_by_role("navigation", name="Hoofdmenu")
    for label in HEADER_LINKS:
        assert nav.get_by_role("link", name=label, exact=True).is_visible(), label
    assert nav.get_by_role("link", name="Inloggen", exact=True).is_visible()
    assert nav.get_by_role("searchbox").is_visible()

    footer = page.locator("footer")
    for label in FOOTER_LINKS:
        assert footer.get_by_role("link", name=label, exact=True).is_visible(), label

    page.wait_for_load_state("networkidle")
    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
    # Everything (CSS, JS, images, icons) comes from the app itself: no CDN, no third party.
    foreign = [url for url in browser_log.requests
               if not url.startswith(live_server + "/") and not url.startswith("data:")]
    assert foreign == []


@pytest.mark.parametrize("viewport", [PHONE], ids=["375px"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_horizontal_scroll_at_phone_width(page, path, viewport):
    response = page.goto(path)
    assert response.status == 200
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["client"] == PHONE["width"]
    assert widths["scroll"] <= widths["client"], f"{path} scrolls sideways at 375 px: {widths}"


@pytest.mark.parametrize("viewport", [PHONE], ids=["375px"])
def test_menu_toggler_opens_the_navigation_at_phone_width(page, viewport):
    page.goto("/over-ons")
    toggler = page.get_by_role("button", name="Menu openen of sluiten")
    forum = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Forum", exact=True)
    assert toggler.is_visible()
    assert not forum.is_visible(), "the menu should be folded away at phone width"
    assert toggler.get_attribute("aria-expanded") == "false"

    toggler.click()
    page.locator("#hoofdmenu.show").wait_for()  # opened, not still sliding open
    assert toggler.get_attribute("aria-expanded") == "true"
    for label in HEADER_LINKS + ["Inloggen"]:
        assert page.locator("#hoofdmenu").get_by_role("link", name=label, exact=True).is_visible(), label
    assert page.locator("#hoofdmenu").get_by_role("searchbox").is_visible()

    # Escape closes it again and gives focus back to the button.
    page.keyboard.press("Escape")
    page.locator("#hoofdmenu:not(.show):not(.collapsing)").wait_for(state="attached")
    assert not forum.is_visible()
    assert toggler.get_attribute("aria-expanded") == "false"
    assert focused(page)["cls"].startswith("navbar-toggler")

    # The keyboard opens it too.
    page.keyboard.press("Enter")
    page.locator("#hoofdmenu.show").wait_for()
    assert forum.is_visible()


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/veelgestelde-vragen")
    skip = page.get_by_role("link", name="Naar de inhoud")
    assert not skip.is_visible() or skip.bounding_box()["x"] < 0, "hidden until it gets focus"

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Naar de inhoud"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "main"
    assert focused(page)["id"] == "inhoud"
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
