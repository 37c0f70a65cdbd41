"""Logging people in and out in the browser, as they would: the login form and the account menu."""
from tests.factories import PASSWORD


def log_in(page, email, password=PASSWORD, name=None):
    """Fill in /inloggen and send it; check the account menu shows the person."""
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Inloggen").click()
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
