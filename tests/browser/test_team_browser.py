"""The team on /over-ons in Chromium: photos load under the page's CSP, sit square in their cards
whatever their shape, carry the person's name, and the page fits a phone."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from app import uploads
from app.extensions import db
from app.models.public import TeamMember
from tests.fixtures.photos import JPEG_WITH_EXIF, png_bytes

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _team():
    """Four people; a wide PNG and a JPEG photo for two of them."""
    wide = uploads.store_photo(FileStorage(io.BytesIO(png_bytes(300, 120)), "breed.png"))
    square = uploads.store_photo(FileStorage(io.BytesIO(JPEG_WITH_EXIF), "vierkant.jpg"))
    people = [("Anna Anders", wide.stored_name), ("Bram Bedacht", None),
              ("Cor Creatief", square.stored_name), ("Dirk Denkbeeldig", None)]
    for position, (name, photo_name) in enumerate(people):
        db.session.add(TeamMember(name=name, role="Onderzoeker", bio="Een korte tekst over het werk.",
                                  position=position, photo_name=photo_name))
    db.session.commit()


def _photos(page):
    return page.evaluate("""[...document.querySelectorAll('section[aria-labelledby="team"] img')].map(img => {
        const box = img.getBoundingClientRect(), card = img.closest('.feature-card').getBoundingClientRect();
        return {alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
                width: box.width, height: box.height, inside: box.left >= card.left && box.right <= card.right};
    })""")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["desktop", "390px"])
def test_team_photos_load_square_inside_their_cards(page, viewport, browser_log):
    _team()
    assert page.goto("/over-ons").status == 200
    section = page.locator('section[aria-labelledby="team"]')
    section.scroll_into_view_if_needed()
    for img in section.locator("img").all():
        img.scroll_into_view_if_needed()  # lazy loading
    page.wait_for_load_state("networkidle")
    photos = _photos(page)
    assert [p["alt"] for p in photos] == ["Anna Anders", "Cor Creatief"]
    for photo in photos:
        assert photo["loaded"] and photo["inside"], photo
        assert abs(photo["width"] - photo["height"]) < 1, photo  # a wide photo is cropped square
    assert section.locator("h3").all_inner_texts() == [
        "Anna Anders", "Bram Bedacht", "Cor Creatief", "Dirk Denkbeeldig"]
    widths = page.evaluate("({scroll: document.documentElement.scrollWidth,"
                           " client: document.documentElement.clientWidth})")
    assert widths["scroll"] <= widths["client"]
    assert browser_log.errors == [] and browser_log.csp_violations(page) == []
