"""A person who uses only the keyboard can log in and use the account menu."""
import pytest

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def active(page):
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, name: e.name || '', text: (e.textContent || '').trim()}; })()"
    )


def keyboard_login(page, email, password):
    """Skip link → content → e-mail → password → Enter, with no mouse and no filling by script."""
    page.goto("/inloggen")
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Naar de inhoud"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page)["id"] == "email"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert active(page)["id"] == "password"
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_login_with_only_the_keyboard(page, browser_log):
    make_user(email="toetsenbord@example.org", name="Kim Toetsenbord")

    keyboard_login(page, "toetsenbord@example.org", PASSWORD)

    account = page.locator("header #accountmenu")
    assert account.is_visible()
    assert account.inner_text().strip() == "Kim Toetsenbord"
    assert page.locator("header").get_by_role("link", name="Inloggen", exact=True).count() == 0
    assert "Welkom terug" in page.locator("main").inner_text()
    assert browser_log.errors == []


def test_wrong_password_keeps_the_person_on_the_login_page(page):
    make_user(email="toetsenbord@example.org", name="Kim Toetsenbord")

    keyboard_login(page, "toetsenbord@example.org", "niet-het-goede-wachtwoord")

    assert page.url.endswith("/inloggen")
    assert page.locator("header #accountmenu").count() == 0
    assert "horen niet bij elkaar" in page.locator("main").inner_text()


def test_account_menu_works_with_the_keyboard(page):
    make_user(email="toetsenbord@example.org", name="Kim Toetsenbord")
    keyboard_login(page, "toetsenbord@example.org", PASSWORD)

    toggle = page.locator("#accountmenu")
    toggle.focus()
    page.keyboard.press("Enter")
    menu = page.locator("#accountmenu + .dropdown-menu")
    menu.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"

    # The arrow keys go through every item in order, from "Mijn account" to "Uitloggen".
    items = [text.strip() for text in menu.locator(".dropdown-item").all_inner_texts()]
    assert items[0] == "Mijn account" and items[-1] == "Uitloggen"
    for item in items:
        page.keyboard.press("ArrowDown")
        assert active(page)["text"] == item
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    assert active(page)["id"] == "accountmenu"

    # Open again and follow "Mijn account" with Enter.
    page.keyboard.press("Enter")
    menu.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/account")
    assert page.locator("main h1").inner_text().strip() == "Mijn account"
