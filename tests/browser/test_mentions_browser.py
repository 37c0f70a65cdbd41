"""@mention completion in Chromium, by keyboard: "@Be" in the reply box offers Bea and Ben in a
listbox under it, ArrowDown and Enter put "@Bea de Boer " in the text, Escape closes the list; the
saved reply shows the mention as a link."""
import re

import pytest

from tests.browser.people import log_in
from tests.factories import make_collective, make_group, quick_user, start_thread
from tests.support import notifications

pytestmark = pytest.mark.browser


def test_completing_a_mention_with_the_keyboard(page, browser_log):
    collective = make_collective("Energiecoöperatie De Windvang")
    quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    bea = quick_user("bea@example.org", collective=collective, name="Bea de Boer")
    quick_user("ben@example.org", role="partner", name="Ben Bakker")
    quick_user("bep@example.org", name="Bep Buiten")  # no collective: cannot read the forum
    group = make_group("Energie", slug="energie")
    thread, _ = start_thread(group, bea, title="Wie helpt met de zonnedakenploeg?")

    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto(f"/forum/energie/{thread.id}")
    box = page.get_by_label("Je reactie")
    assert box.get_attribute("aria-autocomplete") == "list"
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    assert listbox.get_attribute("role") == "listbox" and listbox.is_hidden()

    box.click()
    box.press_sequentially("Goed idee, @Be")
    listbox.wait_for(state="visible")
    assert page.get_by_role("listbox", name="Personen om te noemen").is_visible()
    options = listbox.get_by_role("option")
    assert options.all_inner_texts() == ["Bea de Boer · Energiecoöperatie De Windvang", "Ben Bakker"]
    status = page.locator(".mention-list + [role=status]")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text().startswith("2 personen gevonden")
    assert box.get_attribute("aria-activedescendant") is None

    box.press("ArrowDown")
    first = options.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("ArrowDown")
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("Enter")
    assert box.input_value() == "Goed idee, @Bea de Boer "
    assert listbox.is_hidden() and box.get_attribute("aria-activedescendant") is None
    assert box.evaluate("el => el === document.activeElement")

    # Escape closes the list and the text stays as typed; typing on does not reopen it.
    box.press_sequentially("en @Be")
    listbox.wait_for(state="visible")
    box.press("Escape")
    assert listbox.is_hidden()
    box.press_sequentially("p")
    page.wait_for_timeout(400)  # longer than the script waits before asking
    assert listbox.is_hidden()
    assert box.input_value() == "Goed idee, @Bea de Boer en @Bep"

    # A click chooses too; Enter without a chosen option is a new line.
    box.press_sequentially(" of @ben")
    listbox.get_by_role("option", name="Ben Bakker").click()
    assert box.input_value().endswith("of @Ben Bakker ")
    box.press_sequentially("! @An")
    page.wait_for_timeout(400)
    assert listbox.is_hidden()  # Anna does not mention herself

    with page.expect_navigation():
        page.get_by_role("button", name="Reactie plaatsen").click()
    mention = page.locator("#bericht-2 a.mention", has_text="@Bea de Boer")
    assert mention.is_visible()
    assert [n.kind for n in notifications(bea)] == ["mention"]
    assert any(re.search(r"/personen/zoeken\?plek=forum&q=Be$", url) for url in browser_log.requests)
    assert not browser_log.errors, browser_log.errors
    assert not browser_log.csp_violations(page)
