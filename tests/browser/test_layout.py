"""The layout in a real browser: it renders cleanly, fits a phone and works from the keyboard; the
header fits every width with the bell in view, colours have AA contrast and are ours, a thread's
counts stay beside its title, a knowledge item's headings follow the page's outline."""
import pytest

from app.extensions import db
from app.models.forum import POSTS_PER_PAGE
from app.notifications import notify
from tests.browser.accessibility import site_colour, text_contrast
from tests.browser.people import log_in, menu_is_folded, open_menu
from tests.factories import (
    add_replies, make_collective, make_group, make_item, quick_user, start_thread, submitted_scan,
)

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


# -- the header at every width (issue 15) ---------------------------------------------------------

LONG_NAME = "Maximiliaan van Oldenbarnevelt-Hoogstraten"


def _unread(user, count):
    for n in range(count):
        notify(user, "reply", f"Reactie {n} in een discussie", "/forum")
    db.session.commit()


def _staff_with_work():
    """A moderator with a long name, a to-do count in the header and unread notifications."""
    moderator = quick_user("mod@example.org", role="moderator", name=LONG_NAME)
    submitted_scan()  # a self-scan waiting: the Beheer count
    _unread(moderator, 3)
    return moderator


def _header_widths(page):
    return page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, inner: innerWidth,"
        "  search: document.querySelector('#zoekterm').getBoundingClientRect().width})")


def _bell(page):
    """The bell the header shows at this width (there is one beside the toggler and one in the menu;
    only one is ever displayed)."""
    bells = page.locator("header a.site-bell:not(.site-messages):visible")
    assert bells.count() == 1, f"{bells.count()} bells shown"
    # The envelope of private messages (for forum readers) sits beside it, also shown once.
    assert page.locator("header a.site-messages:visible").count() <= 1
    return bells.first


@pytest.mark.parametrize("viewport", [{"width": w, "height": 800} for w in (1200, 1240, 1279, 1400)],
                         ids=lambda v: f"{v['width']}px")
def test_a_moderators_header_fits_without_sideways_scrolling(page, viewport):
    _staff_with_work()
    log_in(page, "mod@example.org")
    page.goto("/beheer")
    widths = _header_widths(page)
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways: {widths}"
    assert _bell(page).is_visible()
    open_menu(page)
    assert page.locator("header .site-admin .site-todo-count").is_visible()
    widths = _header_widths(page)
    assert widths["search"] >= 160, f"the search box is {widths['search']} px wide"
    assert widths["scroll"] <= widths["inner"], f"the open menu scrolls sideways: {widths}"


@pytest.mark.parametrize("viewport", [{"width": w, "height": 800} for w in (1200, 1280)],
                         ids=lambda v: f"{v['width']}px")
def test_a_members_spread_out_header_fits_with_a_long_name_and_99_plus(page, viewport):
    collective = make_collective()
    member = quick_user("lid@example.org", collective=collective, name=LONG_NAME)
    _unread(member, 100)
    log_in(page, "lid@example.org")
    page.goto("/forum")
    assert not menu_is_folded(page)
    assert _bell(page).locator(".site-bell-count").inner_text().strip().startswith("99+")
    widths = _header_widths(page)
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways: {widths}"
    assert widths["search"] >= 160, f"the search box is {widths['search']} px wide"
    # Nothing sticks out of the header's container either.
    overflow = page.evaluate(
        "(() => { const box = document.querySelector('.site-header .container');"
        " const right = box.getBoundingClientRect().right - parseFloat(getComputedStyle(box).paddingRight);"
        " return [...box.querySelectorAll('.navbar-nav > li, .site-search')]"
        "   .filter(e => e.getBoundingClientRect().right > right + 0.5).map(e => e.textContent.trim()); })()")
    assert overflow == []


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1000, "height": 800}],
                         ids=["390px", "1000px"])
def test_the_bell_and_its_count_stay_in_view_while_the_menu_is_folded(page, viewport):
    collective = make_collective()
    member = quick_user("lid@example.org", collective=collective, name="Anna de Vries")
    _unread(member, 2)
    log_in(page, "lid@example.org")
    page.goto("/kennisbank")
    assert menu_is_folded(page)
    assert not page.locator("#hoofdmenu").is_visible()
    bell = _bell(page)
    count = bell.locator(".site-bell-count")
    assert count.is_visible()
    assert count.locator("[aria-hidden='true']").inner_text().strip() == "2"
    assert count.locator(".visually-hidden").inner_text().strip() == "2 ongelezen meldingen"
    # On the header's first row, beside the toggler.
    toggler = page.locator("header .navbar-toggler").bounding_box()
    box = bell.bounding_box()
    assert box["y"] < toggler["y"] + toggler["height"] and box["x"] < toggler["x"]
    # Opening the menu does not show a second bell.
    open_menu(page)
    _bell(page)
    with page.expect_navigation():
        bell.click()
    assert page.url.endswith("/meldingen")


# -- colours ------------------------------------------------------------------------------------

# Bootstrap's outline buttons as our templates use them, on the page and in a white card.
OUTLINE_BUTTONS = """() => {
  const box = document.createElement('div');
  box.id = 'knoppenproef';
  box.innerHTML = ['secondary', 'danger', 'success', 'primary', 'dark'].map(kind =>
      '<button class="btn btn-outline-' + kind + '">Knop</button>' +
      '<button class="btn btn-sm btn-outline-' + kind + '">Klein</button>').join('') +
    '<div class="card"><div class="card-footer">' +
    ['secondary', 'danger', 'success'].map(kind => '<a class="btn btn-sm btn-outline-' + kind + '" href="#">In kaart</a>').join('') +
    '</div></div>';
  document.querySelector('main .container').prepend(box);
}"""


def settled(locator):
    """Wait until the element's colour transitions (Bootstrap's .15 s) have finished."""
    locator.evaluate("e => Promise.all(e.getAnimations().map(a => a.finished))")


def test_outline_buttons_have_aa_contrast_at_rest_and_under_the_pointer(page):
    page.goto("/veelgestelde-vragen")
    page.evaluate(OUTLINE_BUTTONS)
    buttons = page.locator("#knoppenproef .btn")
    assert buttons.count() == 13
    for index in range(buttons.count()):
        button = buttons.nth(index)
        name = button.get_attribute("class")
        assert text_contrast(button) >= 4.5, f"{name}: {text_contrast(button):.2f}:1"
        button.hover()
        settled(button)
        assert text_contrast(button) >= 4.5, f"{name} under the pointer: {text_contrast(button):.2f}:1"
    page.mouse.move(0, 0)


def test_the_current_page_in_a_pagination_is_our_green(page):
    collective = make_collective()
    member = quick_user("lid@example.org", collective=collective, name="Anna de Vries")
    group = make_group("Energie", slug="energie")
    thread, _post = start_thread(group, member, title="Een lange discussie")
    add_replies(thread, [member], POSTS_PER_PAGE + 1)
    log_in(page, "lid@example.org")
    page.goto(f"/forum/energie/{thread.id}")
    current = page.locator("main .pagination .page-item.active .page-link").first
    assert current.get_attribute("aria-current") == "page"
    green = "rgb({}, {}, {})".format(*site_colour("--ck-green"))
    assert current.evaluate("e => getComputedStyle(e).backgroundColor") == green
    assert text_contrast(current) >= 4.5


# -- a group's list of threads ------------------------------------------------------------------

def test_a_threads_counts_stay_beside_a_long_title_on_a_desktop(page):
    collective = make_collective()
    member = quick_user("lid@example.org", collective=collective, name="Anna de Vries")
    group = make_group("Energie", slug="energie")
    start_thread(group, member, title="Kort")
    long_title = ("Hoe organiseren we als kleine energiecoöperatie een ledenvergadering waar "
                  "ook de jongere leden en de huurders in de wijk graag naartoe komen?")
    start_thread(group, member, title=long_title)
    log_in(page, "lid@example.org")
    page.goto("/forum/energie")
    rows = page.locator("main .forum-thread")
    assert rows.count() == 2
    for index in range(rows.count()):
        title = rows.nth(index).locator("h2").bounding_box()
        counts = rows.nth(index).locator(".forum-thread-meta").bounding_box()
        assert counts["y"] < title["y"] + title["height"], "the counts wrapped under the title"
        assert counts["x"] > title["x"] + title["width"] - 1


# -- knowledge: headings -------------------------------------------------------------------------

def test_a_knowledge_items_body_headings_follow_the_page_outline(page):
    collective = make_collective()
    quick_user("lid@example.org", collective=collective, name="Anna de Vries")
    item = make_item(title="Zo begonnen wij", body=(
        "### De situatie\n\nTekst.\n\n#### Een detail\n\nMeer.\n\n### Wat we deden\n\n"
        "##### Nog dieper\n\nEinde."))
    log_in(page, "lid@example.org")
    page.goto(f"/kennisbank/{item.slug}")
    levels = page.locator("main").evaluate(
        "m => [...m.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]))")
    assert levels[0] == 1
    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert skips == [], f"heading levels {levels}"
    body = page.locator("#inhoud-item").evaluate(
        "b => [...b.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => h.tagName + ' ' + h.textContent)")
    assert body == ["H2 De situatie", "H3 Een detail", "H2 Wat we deden", "H3 Nog dieper"]
