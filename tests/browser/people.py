"""Logging people in and out in the browser, as they would: the login form and the account menu."""
from app.models.accounts import User
from tests.factories import PASSWORD
from tests.support import SECOND_STEP, fresh_code, give_second_factor


def log_in(page, email, password=PASSWORD, name=None):
    """Fill in /inloggen and send it, and the code of the second step when the person has one
    (staff and research access always: given one here if they have none); check the account menu
    shows the person."""
    user = User.find_by_email(email)
    if user is not None and user.needs_second_factor and not user.has_second_factor:
        give_second_factor(user)
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Inloggen").click()
    if page.url.endswith(SECOND_STEP):
        page.get_by_label("Code uit je app of herstelcode").fill(fresh_code(user))
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name="Verder").click()
    account = page.locator("header #accountmenu")
    assert account.count() == 1, f"{email} is not logged in (at {page.url})"
    if not menu_is_folded(page):  # else it is in the menu behind the toggler
        assert account.is_visible()
    if name:
        assert account.text_content().strip() == name


def menu_is_folded(page):
    """True when the header's menu is folded behind its toggler (phones and tablets; below 1400 px
    for staff)."""
    return page.locator("header .navbar-toggler").is_visible()


def open_menu(page):
    """Unfold the header's menu if it is folded."""
    if menu_is_folded(page) and page.locator("#hoofdmenu.show").count() == 0:
        page.locator("header .navbar-toggler").click()
        page.locator("#hoofdmenu.show").wait_for()


def log_out(page):
    """Open the account menu in the header (unfolding the menu first if need be) and choose
    Uitloggen."""
    open_menu(page)
    page.locator("header #accountmenu").click()
    logout = page.locator("header .dropdown-menu").get_by_role("button", name="Uitloggen")
    logout.wait_for(state="visible")
    with page.expect_navigation():
        logout.click()
    assert page.locator("header #accountmenu").count() == 0
    open_menu(page)
    assert page.locator("header").get_by_role("link", name="Inloggen", exact=True).is_visible()
