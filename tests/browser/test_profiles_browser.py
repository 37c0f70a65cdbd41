"""Profiles in Chromium: the page passes axe (WCAG 2.1 AA) under the CSP, photos load square,
initials are readable on every colour, a name is reached and followed with the keyboard, and a
person edits their profile (text and photo) without JavaScript."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from app import uploads
from app.accounts import profiles
from app.extensions import db
from app.slugs import person_slug
from tests.browser.accessibility import WCAG_21_AA, no_axe_violations, text_contrast
from tests.browser.people import log_in
from tests.factories import add_replies, make_group, quick_user, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.photos import png_bytes

pytestmark = pytest.mark.browser


def _world():
    cast = Cast()
    photo = uploads.store_avatar(FileStorage(io.BytesIO(png_bytes(300, 120)), "breed.png"),
                                 profiles.AVATAR_SIDE)
    profiles.save_profile(cast.member, cast.member.name,
                          "Ik zit in het bestuur.\n\n- zon\n- wind", avatar_name=photo.stored_name)
    # Eight more writers: one of each colour of the initials.
    writers = [quick_user(f"schrijver{n}@example.org", collective=cast.collective,
                          name=f"Schrijver {chr(65 + n)}") for n in range(8)]
    db.session.commit()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Zon op het dorpshuis")
    add_replies(thread, writers, 8)
    return cast, thread


def test_a_profile_passes_axe_and_its_photo_is_square(page, browser_log):
    cast, _thread = _world()
    log_in(page, "lid2@example.org")
    assert page.goto(f"/leden/{cast.member.id}-{person_slug(cast.member.name)}").status == 200
    page.wait_for_load_state("networkidle")
    photo = page.locator("header img.avatar")
    assert photo.get_attribute("alt") == "Foto van Anna de Vries"
    box = photo.bounding_box()
    # a wide photo (300 × 120) is cut square, never enlarged
    assert photo.evaluate("img => img.complete && img.naturalWidth === 120 && img.naturalHeight === 120")
    assert abs(box["width"] - box["height"]) < 1
    no_axe_violations(page, "a profile", tags=WCAG_21_AA)
    assert browser_log.errors == [] and browser_log.csp_violations(page) == []


def test_initials_are_readable_on_every_colour(page):
    _cast, thread = _world()
    log_in(page, "lid2@example.org")
    page.goto(thread_path(thread))
    initials = page.locator(".forum-post .avatar-initialen")
    colours = set()
    for index in range(initials.count()):
        element = initials.nth(index)
        colours.add(element.get_attribute("class").split("avatar-kleur-")[1])
        assert text_contrast(element) >= 4.5, element.get_attribute("class")
    assert len(colours) == profiles.PALETTE_SIZE
    no_axe_violations(page, "a thread with photos and initials", tags=WCAG_21_AA)


def test_a_name_is_followed_with_the_keyboard(page):
    cast, thread = _world()
    log_in(page, "lid2@example.org")
    page.goto(thread_path(thread))
    link = page.locator("#bericht-1-kop a.person-link")
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the author's name is never reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Anna de Vries"


def test_a_person_edits_their_profile_without_javascript(browser, live_server):
    cast, _thread = _world()
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  locale="nl-NL")
    page = context.new_page()
    try:
        log_in(page, "lid2@example.org")
        page.goto("/account")
        section = page.locator('section[aria-labelledby="kop-profiel"]')
        section.get_by_label("Over jezelf (niet verplicht)").fill("Ik regel de **koffie**.")
        section.get_by_label("Foto (niet verplicht)").set_input_files(
            files=[{"name": "ik.png", "mimeType": "image/png", "buffer": png_bytes(80, 60)}])
        with page.expect_navigation():
            section.get_by_role("button", name="Profiel opslaan").click()
        assert "Je profiel is opgeslagen." in page.content()
        page.goto(f"/leden/{cast.member2.id}-{person_slug(cast.member2.name)}")
        assert "<strong>koffie</strong>" in page.content()
        assert page.locator("header img.avatar").evaluate("img => img.naturalWidth") == 60
    finally:
        context.close()
