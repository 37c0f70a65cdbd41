"""The writing aids of editor.js in Chromium: quoting a selection of a post into the reply box
(with the author and a link back, no reload, the focus in the box), the Markdown toolbar (one tab
stop, arrow keys, Bold around the selection), the live preview (the HTML the post is then saved
with), and "Citeren" without JavaScript landing in the text box."""
import pytest

from tests.browser.people import log_in
from tests.factories import (
    ask, make_collective, make_group, make_organisation, make_partner, quick_user, start_thread,
)
from tests.fixtures.forum import posts_of, thread_path

pytestmark = pytest.mark.browser

OPENING = ("We willen een buurtbatterij voor veertig huishoudens.\n\n"
           "Wie heeft ervaring met de **vergunning** van de gemeente?\n\n"
           "En met de verzekering?")


@pytest.fixture
def thread():
    collective = make_collective("Energiecoöperatie De Windvang")
    bea = quick_user("bea@example.org", collective=collective, name="Bea de Boer")
    quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    group = make_group("Energie", slug="energie")
    thread, _ = start_thread(group, bea, title="Buurtbatterij: wie heeft ervaring?", body=OPENING)
    return thread


def no_trouble(page, browser_log):
    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []


def test_quoting_a_selection_puts_it_in_the_reply_box_with_author_and_link(page, browser_log, thread):
    opening = posts_of(thread)[0]
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto(thread_path(thread))
    box = page.get_by_label("Je reactie")
    box.fill("Goed plan.")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    citeer = page.get_by_role("button", name="Citeer", exact=True)
    assert citeer.count() == 0

    paragraph = page.locator("#bericht-1 .forum-body p").nth(1)
    paragraph.select_text()
    citeer.wait_for(state="visible")
    # Under the selection, and next after the post's text in the tab order.
    below = paragraph.bounding_box()
    at = citeer.bounding_box()
    assert below["y"] < at["y"] <= below["y"] + below["height"] + 40
    assert page.evaluate("document.querySelector('.quote-selection').previousElementSibling"
                         ".classList.contains('forum-body')")

    citeer.click()
    assert box.input_value() == (
        "Goed plan.\n\n"
        f"> **Bea de Boer** schreef in [bericht #1](/forum/bericht/{opening.id}):\n"
        "> Wie heeft ervaring met de vergunning van de gemeente?\n\n")
    assert box.evaluate("el => el === document.activeElement")
    assert box.evaluate("el => el.selectionStart === el.value.length")  # typing goes on below it
    assert page.evaluate("window.sameDocument") is True
    assert citeer.is_hidden()

    # Two paragraphs: each line quoted, the blank line between them kept in the quote.
    page.locator("#bericht-1 .forum-body").select_text()
    citeer.wait_for(state="visible")
    citeer.click()
    assert box.input_value().endswith(
        "> We willen een buurtbatterij voor veertig huishoudens.\n>\n"
        "> Wie heeft ervaring met de vergunning van de gemeente?\n>\n> En met de verzekering?\n\n")

    # Escape takes the button away; a selection outside a post shows none.
    paragraph.select_text()
    citeer.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert citeer.is_hidden()
    page.locator("h1").select_text()
    page.wait_for_timeout(300)
    assert citeer.is_hidden()

    box.press_sequentially("Wij hebben die vergunning net.")
    with page.expect_navigation():
        page.get_by_role("button", name="Reactie plaatsen").click()
    links = page.locator("#bericht-2 blockquote").get_by_role("link", name="bericht #1")
    assert links.count() == 2  # one per quote, back to the quoted post
    assert {link.get_attribute("href") for link in links.all()} == {f"/forum/bericht/{opening.id}"}
    no_trouble(page, browser_log)


def test_the_citeer_button_is_reachable_by_keyboard(page, browser_log, thread):
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto(thread_path(thread))
    page.locator("#bericht-1 .forum-body p").first.select_text()
    citeer = page.get_by_role("button", name="Citeer", exact=True)
    citeer.wait_for(state="visible")
    citeer.focus()
    page.keyboard.press("Enter")
    box = page.get_by_label("Je reactie")
    assert "> We willen een buurtbatterij voor veertig huishoudens." in box.input_value()
    assert box.evaluate("el => el === document.activeElement")
    # Escape on the focused button puts the focus back on the post's text, not the page's top.
    page.locator("#bericht-1 .forum-body p").first.select_text()
    citeer.wait_for(state="visible")
    citeer.focus()
    page.keyboard.press("Escape")
    assert citeer.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('forum-body')")
    no_trouble(page, browser_log)


def test_the_toolbar_inserts_markdown_and_is_one_tab_stop(page, browser_log, thread):
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto(thread_path(thread))
    box = page.get_by_label("Je reactie")
    toolbar = page.get_by_role("toolbar", name="Opmaak")
    assert toolbar.get_attribute("aria-controls") == box.get_attribute("id")
    names = [button.inner_text() for button in toolbar.get_by_role("button").all()]
    assert names == ["Vet", "Cursief", "Link", "Lijst", "Citaat", "Kop", "Afbeelding",
                     "Voorbeeld tonen"]

    box.fill("Dit is belangrijk voor iedereen")
    box.evaluate("el => el.setSelectionRange(7, 18)")  # "belangrijk " with its space
    toolbar.get_by_role("button", name="Vet").click()
    assert box.input_value() == "Dit is **belangrijk** voor iedereen"
    assert box.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)") == "belangrijk"
    box.press("Control+z")  # the browser's own undo takes it back
    assert box.input_value() == "Dit is belangrijk voor iedereen"

    box.evaluate("el => el.setSelectionRange(el.value.length, el.value.length)")
    box.press("Control+i")
    assert box.input_value() == "Dit is belangrijk voor iedereen*schuine tekst*"
    box.fill("eerste\ntweede")
    box.evaluate("el => el.setSelectionRange(0, el.value.length)")
    toolbar.get_by_role("button", name="Lijst").click()
    assert box.input_value() == "- eerste\n- tweede"
    box.fill("Intro\nKop hier")
    box.evaluate("el => el.setSelectionRange(8, 8)")
    toolbar.get_by_role("button", name="Kop").click()
    assert box.input_value() == "Intro\n\n## Kop hier"
    box.fill("zie de site")
    box.evaluate("el => el.setSelectionRange(7, 11)")
    toolbar.get_by_role("button", name="Link").click()
    assert box.input_value() == "zie de [site](https://)"
    assert box.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)") == "https://"

    # One tab stop: the arrows, Home and End move within the toolbar.
    buttons = toolbar.get_by_role("button")
    bold = buttons.nth(0)
    bold.focus()
    page.keyboard.press("ArrowRight")
    assert buttons.nth(1).evaluate("el => el === document.activeElement")
    page.keyboard.press("End")
    assert buttons.nth(7).evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowRight")
    assert bold.evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowLeft")
    assert [b.get_attribute("tabindex") for b in buttons.all()] == ["-1"] * 7 + ["0"]

    # "Afbeelding" opens the image picker of the form (images.js uploads what is chosen).
    with page.expect_file_chooser() as chooser:
        toolbar.get_by_role("button", name="Afbeelding").click()
    assert chooser.value.is_multiple()
    no_trouble(page, browser_log)


def test_the_live_preview_shows_what_the_post_is_saved_as(page, browser_log, thread):
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto(thread_path(thread))
    box = page.get_by_label("Je reactie")
    toggle = page.get_by_role("button", name="Voorbeeld tonen")
    region = page.get_by_role("region", name="Voorbeeld tijdens het typen")
    assert toggle.get_attribute("aria-pressed") == "false" and region.is_hidden()

    box.fill("## Onze ervaring\n\nHet ging **goed**, vraag @Bea de Boer of @Niemand Bekend.")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    heading = region.locator("h2", has_text="Onze ervaring")
    heading.wait_for()
    assert region.locator("strong", has_text="goed").count() == 1
    assert region.locator("a.mention", has_text="@Bea de Boer").count() == 1
    assert region.get_attribute("aria-live") is None  # a status says what changes, not the text
    status = page.locator(f"#{region.get_attribute('id')} + [role=status]")
    assert status.get_attribute("aria-live") == "polite"
    page.wait_for_function("el => el.textContent.indexOf('@Niemand') >= 0",
                           arg=status.element_handle())
    assert region.locator(".mention-notes").inner_text() == (
        "“@Niemand” is niemand op het platform: er gaat geen melding uit.")

    # Typing on updates it a moment later; <script> stays text.
    box.press("End")
    box.press_sequentially("\n\n- een <script>alert(1)</script>")
    region.locator("li", has_text="een <script>alert(1)</script>").wait_for()
    shown = region.locator(".editor-preview-body").inner_html()
    with page.expect_navigation():
        page.get_by_role("button", name="Reactie plaatsen").click()
    assert posts_of(thread)[-1].body_html == shown
    no_trouble(page, browser_log)


def test_a_lab_answer_box_has_the_same_toolbar_and_preview(page, browser_log):
    collective = make_collective("Energiecoöperatie De Windvang")
    anna = quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    make_partner("petra@example.org", "Petra Geldmans",
                 make_organisation("Fonds Groene Energie", "financier"), "financelab")
    question = ask(anna)
    log_in(page, "petra@example.org", name="Petra Geldmans")
    page.goto(f"/labs/financelab/vragen/{question.id}")
    box = page.get_by_label("Je antwoord")
    toolbar = page.locator(f"[role=toolbar][aria-controls={box.get_attribute('id')}]")
    assert toolbar.get_attribute("aria-label") == "Opmaak"
    box.fill("Begin met een ledenlening.")
    box.evaluate("el => el.setSelectionRange(14, 25)")
    toolbar.get_by_role("button", name="Cursief").click()
    assert box.input_value() == "Begin met een *ledenlening*."
    toolbar.get_by_role("button", name="Voorbeeld tonen").click()
    page.locator(".editor-preview em", has_text="ledenlening").wait_for()
    no_trouble(page, browser_log)


def test_citeren_without_javascript_lands_in_the_text_box(browser, live_server, thread):
    context = browser.new_context(java_script_enabled=False, base_url=live_server, locale="nl-NL")
    page = context.new_page()
    try:
        log_in(page, "anna@example.org", name="Anna de Vries")
        page.goto(thread_path(thread))
        assert page.get_by_role("button", name="Citeer", exact=True).count() == 0
        assert page.get_by_role("toolbar").count() == 0
        page.get_by_role("link", name="Citeren (bericht 1)").click()
        page.wait_for_load_state()
        box = page.get_by_label("Je reactie")
        assert box.input_value().startswith("> **Bea de Boer** schreef in [bericht #1](")
        assert box.evaluate("el => el === document.activeElement")
    finally:
        context.close()
