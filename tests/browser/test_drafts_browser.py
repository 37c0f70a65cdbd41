"""Drafts in Chromium: typed text is saved on its own and comes back after a reload and on another
device; leaving a page with unsaved text asks first, posting it does not; text left behind after
that question is saved on the way out."""
import re
import time

import pytest

from app.extensions import db
from app.models.drafts import Draft
from tests.browser.people import log_in
from tests.factories import make_collective, make_group, quick_user, start_thread
from tests.fixtures.forum import thread_path

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Concept opgeslagen om \d\d:\d\d$")


@pytest.fixture
def anna():
    collective = make_collective("Energiecoöperatie De Windvang")
    person = quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    make_group("Energie", slug="energie", description="Over energiecoöperaties.")
    return person


def drafts_of(person):
    db.session.expire_all()
    return db.session.execute(db.select(Draft).where(Draft.user_id == person.id)).scalars().all()


def wait_for_saved(page):
    status = page.locator("[data-concept-status]").first
    page.wait_for_function(
        "el => /^Concept opgeslagen om \\d\\d:\\d\\d$/.test(el.textContent.trim())",
        arg=status.element_handle())
    return status


def test_typed_text_is_saved_and_restored_after_a_reload_and_on_another_device(
        page, browser, live_server, browser_log, anna):
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto("/forum/energie/nieuw")
    discard = page.get_by_role("button", name="Concept verwijderen")
    assert not discard.is_visible()
    page.get_by_label("Titel").fill("Buurtbatterij")
    page.get_by_label("Bericht").fill("Wie heeft er al een buurtbatterij? Wij twijfelen nog.")

    status = wait_for_saved(page)
    assert status.get_attribute("aria-live") == "polite"
    assert SAVED.match(status.inner_text().strip())
    assert discard.is_visible()
    [draft] = drafts_of(anna)
    assert draft.place.startswith("forum.thread:") and draft.title == "Buurtbatterij"

    page.reload()
    assert page.get_by_label("Titel").input_value() == "Buurtbatterij"
    assert page.get_by_label("Bericht").input_value() == (
        "Wie heeft er al een buurtbatterij? Wij twijfelen nog.")
    assert "We hebben je concept van" in page.locator(".draft-note").inner_text()

    # The same person on another device finds the same text.
    other = browser.new_context(locale="nl-NL", base_url=live_server)
    try:
        laptop = other.new_page()
        log_in(laptop, "anna@example.org", name="Anna de Vries")
        laptop.goto("/forum/energie/nieuw")
        assert laptop.get_by_label("Bericht").input_value().startswith("Wie heeft er al")
    finally:
        other.close()

    # "Concept verwijderen" empties the form and removes the draft.
    with page.expect_navigation():
        discard.click()
    assert page.get_by_label("Bericht").input_value() == ""
    assert drafts_of(anna) == []
    assert browser_log.errors == [] and browser_log.csp_violations(page) == []


def test_leaving_unsaved_text_asks_first_and_posting_does_not(page, browser_log, anna):
    bert = quick_user("bert@example.org", collective=anna.collective, name="Bert Jansen")
    thread, _post = start_thread(make_group("Wonen", slug="wonen"), bert,
                                 title="Samen een woongroep beginnen")
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto(thread_path(thread))
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    # Nothing typed: leaving is quiet.
    page.locator("main").get_by_role("link", name="Wonen").click()
    page.wait_for_url(re.compile(r"/forum/wonen$"))
    assert dialogs == []

    page.goto(thread_path(thread))
    page.get_by_label("Je reactie").fill("Wij zoeken nog twee huishoudens")
    page.locator("main").get_by_role("link", name="Wonen").click()  # before the autosave
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert "/forum/wonen/" in page.url  # stayed on the thread page, the text still there
    assert page.get_by_label("Je reactie").input_value() == "Wij zoeken nog twee huishoudens"

    # Once saved, leaving is quiet again.
    wait_for_saved(page)
    page.locator("main").get_by_role("link", name="Wonen").click()
    page.wait_for_url(re.compile(r"/forum/wonen$"))
    assert dialogs == ["beforeunload"]

    # Posting typed text does not ask, and the draft goes with the post.
    page.goto(thread_path(thread))
    assert page.get_by_label("Je reactie").input_value() == "Wij zoeken nog twee huishoudens"
    page.get_by_label("Je reactie").fill("Wij zoeken nog twee huishoudens voor het project.")
    with page.expect_navigation():
        page.get_by_role("button", name="Reactie plaatsen").click()
    assert dialogs == ["beforeunload"]
    assert "Wij zoeken nog twee huishoudens voor het project." in page.locator("#bericht-2").inner_text()
    time.sleep(0.5)  # a save still on its way would arrive by now
    assert drafts_of(anna) == []
    assert browser_log.errors == [] and browser_log.csp_violations(page) == []


def test_text_left_behind_is_saved_on_the_way_out(page, anna):
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto("/forum/energie/nieuw")
    page.on("dialog", lambda dialog: dialog.accept())  # "leave anyway"
    page.get_by_label("Bericht").fill("Net getypt en meteen weg")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Energie").click()
    for _ in range(50):  # the keepalive request may land just after the navigation
        if drafts_of(anna):
            break
        time.sleep(0.1)
    assert [draft.body for draft in drafts_of(anna)] == ["Net getypt en meteen weg"]
