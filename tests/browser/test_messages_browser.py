"""Private messages in Chromium, with the keyboard only: from a profile to a new message, a second
person added by name (the suggestion list and "Toevoegen"), sent; the recipient opens it from
/berichten and replies. The new-message form in its states (empty, suggestions open, a name that
fits several people and one that finds nobody) and a paged conversation pass axe at desktop width
and at 390 px."""
import pytest

from app import messages
from app.extensions import db
from app.slugs import person_slug
from tests.browser.accessibility import WCAG_21_AA, no_axe_violations
from tests.browser.people import log_in
from tests.factories import quick_user
from tests.fixtures.forum import Cast

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def is_focused(locator):
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, most=80):
    """Press Tab until `locator` has the focus (as a keyboard user would)."""
    for _ in range(most):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"never reached with Tab: {locator}")


def test_writing_adding_by_name_reading_and_replying_with_the_keyboard(page, browser_log):
    cast = Cast()
    log_in(page, "lid@example.org")
    page.goto(f"/leden/{cast.member2.id}-{person_slug(cast.member2.name)}")
    tab_to(page, page.get_by_role("link", name="Stuur een bericht aan Bert Jansen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("checkbox", name="Bert Jansen").is_checked()

    names = page.get_by_label("Naam toevoegen")
    assert names.get_attribute("role") == "combobox"
    tab_to(page, names)
    page.keyboard.type("petr")
    listbox = page.get_by_role("listbox", name="Mensen aan wie je kunt schrijven")
    listbox.wait_for(state="visible")
    assert names.get_attribute("aria-expanded") == "true"
    assert listbox.get_by_role("option").all_inner_texts() == [
        "Petra Partner · Groenfonds Nederland"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert names.input_value() == "Petra Partner, " and listbox.is_hidden()
    assert is_focused(names)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's first button: Toevoegen
    assert page.get_by_role("checkbox", name="Bert Jansen").is_checked()
    assert page.get_by_role("checkbox", name="Petra Partner").is_checked()

    tab_to(page, page.get_by_label("Onderwerp"))
    page.keyboard.type("Bijeenkomst over de zonnedaken")
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label("Bericht", exact=True))
    page.keyboard.type("Komen jullie donderdag?")
    tab_to(page, page.get_by_role("button", name="Bericht versturen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Bijeenkomst over de zonnedaken"
    assert "Je bericht is verstuurd." in page.content()

    page.context.clear_cookies()
    log_in(page, "lid2@example.org")
    page.goto("/berichten")
    tab_to(page, page.get_by_role("link", name="Bijeenkomst over de zonnedaken"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Komen jullie donderdag?").is_visible()
    tab_to(page, page.get_by_label("Je antwoord"))
    page.keyboard.type("Ik kom, tot donderdag!")
    tab_to(page, page.get_by_role("button", name="Antwoord versturen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Je antwoord is verstuurd." in page.content()
    assert page.get_by_text("Ik kom, tot donderdag!").is_visible()
    assert not browser_log.errors, browser_log.errors
    assert not browser_log.csp_violations(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_the_new_message_form_and_a_paged_conversation_pass_axe(page, viewport, browser_log,
                                                                 monkeypatch):
    cast = Cast()
    quick_user("bea@example.org", collective=cast.collective, name="Bea Bakker")
    log_in(page, "lid@example.org")
    page.goto("/berichten/nieuw")
    no_axe_violations(page, "an empty new message", tags=WCAG_21_AA)

    names = page.get_by_label("Naam toevoegen")
    names.click()
    page.keyboard.type("Be")
    page.get_by_role("listbox").wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    no_axe_violations(page, "a new message with suggestions", tags=WCAG_21_AA)

    page.keyboard.press("Escape")
    names.fill("Be, Xander Onbekend")
    with page.expect_navigation():
        page.get_by_role("button", name="Toevoegen", exact=True).click()
    assert "Meerdere mensen passen bij ‘Be’" in page.content()
    assert "Niemand gevonden met de naam ‘Xander Onbekend’" in page.content()
    no_axe_violations(page, "a new message with a choice and a name that finds nobody",
                      tags=WCAG_21_AA)
    page.get_by_role("checkbox", name="Bea Bakker").check()
    names.fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Bericht versturen").click()
    assert "Niet alles is goed ingevuld" in page.content()
    no_axe_violations(page, "a new message with errors", tags=WCAG_21_AA)

    monkeypatch.setattr(messages, "MESSAGES_PER_PAGE", 2)
    talk = messages.start_conversation(cast.member2, [cast.member], "Lang gesprek", "Bericht 1")
    for number in range(2, 6):
        messages.reply(cast.member2, talk, f"Bericht {number}")
    db.session.commit()
    page.goto(f"/berichten/{talk.id}")
    assert page.get_by_role("navigation", name="Pagina's van dit gesprek").is_visible()
    no_axe_violations(page, "the first page of a conversation", tags=WCAG_21_AA)
    # Only the two forms sent back with a 400 (a name that finds nobody, a missing subject).
    assert [error for error in browser_log.errors if "status of 400" not in error] == []
    assert browser_log.page_errors == []
    assert not browser_log.csp_violations(page)
