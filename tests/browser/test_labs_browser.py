"""A question to Financelab in Chromium: a member asks, a partner of the lab answers, the member
accepts the answer."""
import re

import pytest

from app.models.labs import QUESTION_SOLVED, LabQuestion
from tests.browser.people import log_in, log_out
from tests.fixtures.labs import LabCast, questions
from tests.support import notifications, reload

pytestmark = pytest.mark.browser

TITLE = "Hoe financieren we een buurtbatterij?"
QUESTION = "We willen een buurtbatterij kopen voor 40 huishoudens. Welke financiering past daarbij?"
CONTEXT = "Onze coöperatie heeft 300 leden en een zonnedak op de sporthal."
ANSWER = "Begin met een ledenlening: zo houden jullie de regie en blijft de rente in de buurt."


def status_badge(page):
    return page.locator("main .lab-status").inner_text().strip()


def test_member_asks_partner_answers_member_accepts(page, browser_log):
    cast = LabCast()

    # The member asks through the form of Financelab.
    log_in(page, cast.member.email, name=cast.member.name)
    page.goto("/labs/financelab")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Stel een vraag").click()
    assert page.url.endswith("/labs/financelab/vragen/nieuw")
    page.get_by_label("Titel van je vraag").fill(TITLE)
    page.get_by_label("Je vraag", exact=True).fill(QUESTION)
    page.get_by_label("Achtergrond (niet verplicht)").fill(CONTEXT)
    with page.expect_navigation():
        page.get_by_role("button", name="Vraag stellen").click()
    assert re.search(r"/labs/financelab/vragen/\d+$", page.url), page.url
    question_url = page.url
    assert page.locator("main h1").inner_text().strip() == TITLE
    assert status_badge(page) == "Open"
    assert cast.collective.name in page.locator("main article").first.inner_text()
    log_out(page)

    [question] = questions()
    assert question.author_id == cast.member.id
    assert notifications(cast.partner), "the partners of Financelab are told about the question"

    # A partner of Financelab finds it in the lab and answers on the question page.
    log_in(page, cast.partner.email, name=cast.partner.name)
    page.goto("/labs/financelab")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=TITLE, exact=True).click()
    assert page.url == question_url
    page.get_by_label("Je antwoord").fill(ANSWER)
    with page.expect_navigation():
        page.get_by_role("button", name="Antwoord plaatsen").click()
    assert page.locator("#postlimiet").count() == 0
    answer = page.locator("main article.lab-reply-answer")
    assert answer.count() == 1
    assert ANSWER in answer.inner_text()
    assert "Partner" in answer.locator(".lab-partner-badge").inner_text()
    assert cast.fonds.name in answer.inner_text()
    assert status_badge(page) == "Beantwoord"
    log_out(page)

    # The member comes back and accepts the answer.
    log_in(page, cast.member.email, name=cast.member.name)
    page.goto(question_url)
    answer = page.locator("main article.lab-reply-answer")
    assert answer.locator(".lab-accepted-badge").count() == 0
    with page.expect_navigation():
        answer.get_by_role("button", name=re.compile("Dit antwoord heeft geholpen")).click()
    assert page.url.split("#")[0] == question_url

    assert status_badge(page) == "Opgelost"
    accepted = page.locator("main article.lab-reply-accepted")
    assert accepted.count() == 1
    mark = accepted.locator(".lab-accepted-badge")
    assert mark.is_visible()
    assert "Geaccepteerd antwoord" in mark.inner_text()
    assert ANSWER in accepted.inner_text()
    assert accepted.get_by_role("button", name=re.compile("Niet meer accepteren")).is_visible()
    assert reload(LabQuestion, question.id).status == QUESTION_SOLVED

    page.wait_for_load_state("networkidle")
    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
