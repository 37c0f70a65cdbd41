"""Images in Chromium: pasting a picture into the text box uploads it, asks for a description in
the page (not a prompt window), puts its Markdown at the cursor and shows it in the posted thread;
the "Afbeeldingen toevoegen" button does the same. No CSP violation, no script error."""
import base64
import re

import pytest

from app.extensions import db
from app.models.images import PostImage
from tests.browser.people import log_in
from tests.factories import make_collective, make_group, quick_user
from tests.fixtures.photos import png_bytes

pytestmark = pytest.mark.browser

PASTE = """([b64, selector]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "image.png", {type: "image/png"}));
  const box = document.querySelector(selector);
  box.focus();
  box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


@pytest.fixture
def anna():
    collective = make_collective("Energiecoöperatie De Windvang")
    person = quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    make_group("Energie", slug="energie", description="Over energiecoöperaties.")
    return person


def images():
    db.session.expire_all()
    return db.session.execute(db.select(PostImage).order_by(PostImage.id)).scalars().all()


def test_a_pasted_image_is_described_inserted_and_posted(page, browser_log, anna, tmp_path):
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog appeared: {dialog.message}"))
    log_in(page, "anna@example.org", name="Anna de Vries")
    page.goto("/forum/energie/nieuw")
    page.get_by_label("Titel").fill("Ons nieuwe zonnedak")
    body = page.get_by_label("Bericht")
    body.fill("Het dak ligt er:\n\nWat vinden jullie?")
    body.evaluate("box => box.setSelectionRange(16, 16)")  # after "Het dak ligt er:\n"

    page.evaluate(PASTE, [base64.b64encode(png_bytes(120, 80)).decode(), "#body"])
    description = page.get_by_label("Beschrijf deze afbeelding voor wie haar niet kan zien")
    description.wait_for()
    assert description.evaluate("el => el === document.activeElement")
    [image] = images()
    assert image.owner_id == anna.id and not image.is_attached
    status = page.locator("[data-afbeeldingen-status]")
    assert "Beschrijf haar" in status.inner_text()

    description.fill("Zonnepanelen op het dak van de school")
    description.press("Enter")
    markdown = f"![Zonnepanelen op het dak van de school](/afbeeldingen/{image.id})"
    assert body.input_value() == f"Het dak ligt er:\n\n{markdown}\n\nWat vinden jullie?"
    assert body.evaluate("el => el === document.activeElement")
    assert status.inner_text().startswith("Afbeelding ingevoegd in de tekst")

    # The button: a real file field; Escape inserts without a description (the default alt).
    picture = tmp_path / "plattegrond.png"
    picture.write_bytes(png_bytes(60, 40, colour=(10, 10, 200)))
    body.evaluate("box => box.setSelectionRange(box.value.length, box.value.length)")
    page.get_by_label("Afbeeldingen toevoegen").set_input_files(str(picture))
    description.wait_for()
    description.press("Escape")
    second = images()[-1]
    assert body.input_value().endswith(f"Wat vinden jullie?\n\n![](/afbeeldingen/{second.id})")
    assert page.get_by_label("Afbeeldingen toevoegen").input_value() == ""  # not sent again

    with page.expect_navigation():
        page.get_by_role("button", name="Discussie plaatsen").click()
    post = page.locator("#bericht-1")
    shown = post.get_by_role("img", name="Zonnepanelen op het dak van de school")
    assert shown.get_attribute("src") == f"/afbeeldingen/{image.id}/klein"
    page.wait_for_function("img => img.complete && img.naturalWidth === 120",
                           arg=shown.element_handle())
    assert post.get_by_role("link", name="Zonnepanelen op het dak van de school") \
        .get_attribute("href") == f"/afbeeldingen/{image.id}"
    assert post.get_by_role("img", name="Afbeelding bij bericht van Anna de Vries").count() == 1
    assert all(row.forum_post_id is not None for row in images())
    assert len(images()) == 2  # nothing uploaded twice

    assert browser_log.errors == []
    assert browser_log.csp_violations(page) == []
    assert not [url for url in browser_log.requests if not re.match(r"http://127\.0\.0\.1:\d+/", url)]
