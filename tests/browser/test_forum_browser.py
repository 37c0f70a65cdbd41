"""Two members talk in a discussion group in Chromium: one starts a thread, the other replies, and
the first sees the bell count and follows the notification to the reply."""
import re

import pytest

from tests.browser.people import log_in, log_out
from tests.factories import make_collective, make_group, quick_user
from tests.support import notifications

pytestmark = pytest.mark.browser

TITLE = "Hoe vinden we nieuwe vrijwilligers?"
BODY = "Wij zoeken mensen voor de zonnedakenploeg. Wie heeft goede ervaringen met werven?"
REPLY = "Wij hielden een open dag op het dak van de school; dat leverde zes nieuwe mensen op."


def test_a_reply_reaches_the_thread_starter_through_the_bell(page, browser_log):
    collective = make_collective("Energiecoöperatie De Windvang")
    anna = quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    quick_user("bert@example.org", collective=collective, name="Bert Jansen")
    make_group("Energie", slug="energie", description="Over energiecoöperaties.")

    # Anna starts a thread through the group's form.
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto("/forum")
    page.locator("main").get_by_role("link", name="Energie", exact=True).click()
    page.wait_for_url(re.compile(r"/forum/energie$"))
    page.locator("main").get_by_role("link", name="Nieuwe discussie").click()
    page.wait_for_url(re.compile(r"/forum/energie/nieuw$"))
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Bericht").fill(BODY)
    with page.expect_navigation():
        page.get_by_role("button", name="Discussie plaatsen").click()
    assert page.locator("main h1").inner_text().strip() == TITLE
    assert BODY in page.locator("#bericht-1").inner_text()
    thread_url = page.url
    log_out(page)

    # Bert opens the thread from the group page and replies.
    log_in(page, "bert@example.org", name="Bert Jansen")
    page.goto("/forum/energie")
    page.locator("main").get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_url(thread_url)
    page.get_by_label("Je reactie").fill(REPLY)
    with page.expect_navigation():
        page.get_by_role("button", name="Reactie plaatsen").click()
    assert page.locator("#postlimiet").count() == 0
    assert REPLY in page.locator("#bericht-2").inner_text()
    log_out(page)

    # Anna sees one unread notification on the bell, and it takes her to Bert's reply.
    assert len(notifications(anna)) == 1
    log_in(page, "anna@example.org", name="Anna de Vries")
    bell = page.locator("header a.site-bell:not(.site-messages):visible")  # beside the toggler or in the menu
    count = bell.locator(".site-bell-count")
    assert count.is_visible()
    assert count.locator("[aria-hidden='true']").inner_text().strip() == "1"
    assert count.locator(".visually-hidden").inner_text().strip() == "1 ongelezen melding"
    bell.click()
    page.wait_for_url(re.compile(r"/meldingen$"))
    listed = page.locator(".notification-list .notification")
    assert listed.count() == 1
    link = listed.first.get_by_role("link", name=re.compile("Bert Jansen reageerde"))
    assert TITLE in link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"#bericht-2$"))
    assert page.url.split("#")[0].split("?")[0] == thread_url.split("?")[0]
    reply = page.locator("#bericht-2")
    assert reply.is_visible()
    assert "Bert Jansen" in reply.locator("header").inner_text()
    assert REPLY in reply.inner_text()
    reply_box = reply.bounding_box()
    assert reply_box and reply_box["y"] < page.viewport_size["height"], "the reply should be in view"
    # Following the notification read it: the bell has no count any more.
    assert page.locator("header a.site-bell:not(.site-messages) .site-bell-count").count() == 0

    page.wait_for_load_state("networkidle")
    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
