"""Two-step sign-in in the browser: a moderator is led through setup on first sign-in, keeps the
recovery codes, and signs in with a code the next time — with axe-core finding no violations on
any of those pages, on a desktop and at 390 px."""
import re
from pathlib import Path

import pytest

from app.accounts import second_factor
from app.models.accounts import User
from tests.browser.accessibility import no_axe_violations
from tests.browser.people import log_out
from tests.factories import PASSWORD, cheap_passwords, make_user
from tests.support import fresh_code

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in_with_password(page, email):
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Inloggen").click()


@pytest.fixture(params=[{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                ids=["desktop", "phone"])
def viewport(request):
    return request.param


def test_a_moderator_sets_up_two_step_sign_in_and_uses_it(page, viewport):
    moderator = make_user(email="mod@example.org", name="Mo Derator", role="moderator")
    cheap_passwords(moderator)
    sign_in_with_password(page, "mod@example.org")
    page.goto("/beheer")
    assert page.url.endswith("/account/tweestapsverificatie")
    assert page.get_by_role("heading", name="Tweestapsverificatie instellen").is_visible()
    assert page.locator("figure.qr-figure svg").is_visible()
    # Styled: the stylesheets are not sent to the setup page too.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") \
        != "rgba(0, 0, 0, 0)"
    no_axe_violations(page, "setup page")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"second-factor-setup-{viewport['width']}.png"), full_page=True)
    # No horizontal scrolling at phone width, QR code included.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code uit je app").fill("000000" if second_factor.matching_step(
        secret, "000000") is None else "111111")
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    assert page.get_by_text("Deze code klopt niet").first.is_visible()
    no_axe_violations(page, "setup page with an error")

    page.get_by_label("Code uit je app").fill(second_factor.current_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    assert page.get_by_role("heading", name="Bewaar je herstelcodes").is_visible()
    codes = [re.sub(r"\s", "", c) for c in page.locator("ol.recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    no_axe_violations(page, "recovery codes")
    page.screenshot(path=str(SHOTS / f"second-factor-codes-{viewport['width']}.png"), full_page=True)
    # The link's own navigation ends before the next one starts.
    with page.expect_navigation():
        page.get_by_role("link", name="Ik heb ze bewaard").click()
    assert page.url.endswith("/account")
    page.goto("/beheer")
    assert page.url.endswith("/beheer")

    # Through the account menu, after the folded menu has finished unfolding (a click while it
    # was still sliding open left the account menu shut on a loaded machine).
    log_out(page)
    sign_in_with_password(page, "mod@example.org")
    assert page.url.endswith("/inloggen/tweede-stap")
    no_axe_violations(page, "second step")
    page.screenshot(path=str(SHOTS / f"second-factor-step-{viewport['width']}.png"), full_page=True)
    page.get_by_label("Code uit je app of herstelcode").fill(fresh_code(User.find_by_email("mod@example.org")))
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    assert page.locator("header #accountmenu").count() == 1  # signed in (inside the menu on a phone)
    page.goto("/account/tweestapsverificatie")
    assert page.get_by_text("van de 10 herstelcodes over").is_visible()
    no_axe_violations(page, "second factor management")
