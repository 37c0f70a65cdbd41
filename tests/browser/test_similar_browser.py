"""Similar questions in Chromium: typing a title on the ask form lists the lab's questions like
it under the field (static/js/similar.js), announced in a polite live region; focus stays in the
field, and a link opens the question in the same tab."""
import re

import pytest

from tests.browser.people import log_in
from tests.factories import answer, ask
from tests.fixtures.labs import LabCast

pytestmark = pytest.mark.browser


def test_typing_a_title_shows_similar_questions(page, browser_log):
    cast = LabCast()
    solved = ask(cast.member2, title="Welke subsidie past bij een warmtenet?")
    answer(cast.partner, solved)
    ask(cast.member2, title="Subsidie voor een buurtbatterij aanvragen")
    ask(cast.member2, title="Hoe vinden we vrijwilligers?")
    ask(cast.member2, lab_slug="sciencelab", title="Subsidie voor onderzoek")

    log_in(page, cast.member.email, name=cast.member.name)
    page.goto("/labs/financelab/vragen/nieuw")
    title = page.get_by_label("Titel van je vraag")
    title.press_sequentially("Subsidie voor ons warmtenet", delay=20)
    status = page.locator("#vergelijkbaar-live [role=status]")
    status.filter(has_text="2 vergelijkbare vragen gevonden").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    links = page.locator("#vergelijkbaar-live a")
    assert links.all_inner_texts() == ["Welke subsidie past bij een warmtenet?",
                                       "Subsidie voor een buurtbatterij aanvragen"]
    assert page.evaluate("document.activeElement.id") == "title"  # no focus stealing
    assert links.first.get_attribute("target") is None
    assert browser_log.csp_violations(page) == []
    with page.expect_navigation():
        links.first.click()
    assert re.search(rf"/labs/financelab/vragen/{solved.id}$", page.url)
    assert browser_log.errors == []
