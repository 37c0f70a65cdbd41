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
    assert account.is_visible(), f"{email} is not logged in (at {page.url})"
    if name:
        assert account.inner_text().strip() == name


def log_out(page):
    """Open the account menu in the header and choose Uitloggen."""
    page.locator("header #accountmenu").click()
    logout = page.locator("header .dropdown-menu").get_by_role("button", name="Uitloggen")
    logout.wait_for(state="visible")
    with page.expect_navigation():
        logout.click()
    assert page.locator("header #accountmenu").count() == 0
    assert page.locator("header").get_by_role("link", name="Inloggen", exact=True).is_visible()
