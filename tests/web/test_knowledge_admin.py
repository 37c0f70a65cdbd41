"""Moderators manage the knowledge base: create, edit, preview, publish, attachments; others can't."""
import io
import os
import re

import pytest

from app.models.knowledge import STATUS_DRAFT, STATUS_PUBLISHED
from tests.factories import make_item
from tests.fixtures.knowledge import (
    HTML_PAGE, KnowledgeCast, add_attachment, attachments, audit_actions, docx_bytes, items,
    pdf_bytes, reload_item, xlsx_bytes, zip_bytes,
)
from tests.support import count_queries, csrf_token, login, submit, text

NEW = "/beheer/kennisbank/nieuw"


@pytest.fixture
def cast():
    return KnowledgeCast()


@pytest.fixture
def moderator_client(client, cast):
    login(client, cast.moderator.email)
    return client


@pytest.fixture
def upload_dir(app, tmp_path):
    directory = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(directory)
    return directory


def client_of(app, user=None):
    """A fresh browser, logged in as `user` (a visitor without one)."""
    browser = app.test_client()
    if user is not None:
        login(browser, user.email)
    return browser


def files_in(directory):
    return sorted(os.listdir(directory)) if directory.exists() else []


def valid_form(**overrides):
    data = {
        "title": "Zo vonden wij nieuwe vrijwilligers",
        "kind": "praktijkvoorbeeld",
        "summary": "Een energiecoöperatie vertelt hoe ze leden actief kreeg.",
        "body": "## Wat we deden\n\nWe belden **elk lid** op.\n\n<script>alert(1)</script>",
        "source_name": "Lectoraat Coöperatief Ondernemen",
        "themes": ["actieve_leden", "communicatie"],
        "sectors": ["energie"],
        "dimensions": ["leden"],
        "submit": "Opslaan",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def upload(client, item, data, filename):
    token = csrf_token(client, f"/beheer/kennisbank/{item.id}")
    return client.post(f"/beheer/kennisbank/{item.id}/bijlagen",
                       data={"csrf_token": token, "upload": "Bijlage toevoegen",
                             "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


# -- who may -------------------------------------------------------------------------------------

def _routes(item, attachment):
    base = f"/beheer/kennisbank/{item.id}"
    gets = ["/beheer/kennisbank", NEW, base]
    posts = [NEW, base, base + "/publiceren", base + "/offline", base + "/bijlagen",
             base + "/verwijderen", f"{base}/bijlagen/{attachment.id}/verwijderen"]
    return gets, posts


def test_visitors_are_sent_to_log_in_for_every_admin_route(client):
    item = make_item()
    attachment = add_attachment(item)
    gets, posts = _routes(item, attachment)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url
    for url in posts:
        response = client.post(url, data={})
        assert response.status_code in (302, 400), url
        if response.status_code == 302:
            assert "/inloggen" in response.headers["Location"], url
    assert reload_item(item.id).status == STATUS_PUBLISHED
    assert len(attachments()) == 1


@pytest.mark.parametrize("role", ["outsider", "member", "partner"])
def test_members_partners_and_others_get_403_for_every_admin_route(client, cast, role):
    item = make_item()
    attachment = add_attachment(item)
    login(client, getattr(cast, role).email)
    token = csrf_token(client, "/account")
    gets, posts = _routes(item, attachment)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        response = client.post(url, data=valid_form(csrf_token=token, title="Overgenomen"))
        assert response.status_code == 403, url
    item = reload_item(item.id)
    assert item.status == STATUS_PUBLISHED and item.title != "Overgenomen"
    assert len(items()) == 1 and len(attachments()) == 1
    assert audit_actions() == []


def test_admin_tile_links_are_reachable_for_moderators(moderator_client):
    response = moderator_client.get("/beheer/kennisbank")
    assert response.status_code == 200
    assert "Er zijn nog geen items" in text(response)


# -- create, preview, edit -------------------------------------------------------------------------

def test_moderator_creates_a_draft_item(app, moderator_client, cast):
    response = submit(moderator_client, NEW, valid_form())
    assert response.status_code == 302
    [item] = items()
    assert response.headers["Location"].endswith(f"/beheer/kennisbank/{item.id}")
    assert item.slug == "zo-vonden-wij-nieuwe-vrijwilligers"
    assert item.status == STATUS_DRAFT and item.published_at is None
    assert item.kind == "praktijkvoorbeeld"
    assert sorted(item.themes) == ["actieve_leden", "communicatie"]
    assert item.sectors == ["energie"] and item.dimensions == ["leden"]
    assert item.author_id == cast.moderator.id
    assert "<strong>elk lid</strong>" in item.body_html
    assert "<script>" not in item.body_html
    assert item.body_source.startswith("## Wat we deden")
    assert audit_actions() == ["knowledge.create"]
    # A draft is not on the public list yet.
    assert item.title not in text(client_of(app).get("/kennisbank"))


def test_preview_renders_the_sanitised_body_without_saving(moderator_client):
    response = submit(moderator_client, NEW, valid_form(submit=None, preview="Voorbeeld"))
    assert response.status_code == 200
    page = text(response)
    assert "Voorbeeld van de inhoud (nog niet opgeslagen)" in page
    assert "<strong>elk lid</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "Zo vonden wij nieuwe vrijwilligers" in page  # the form keeps what was typed
    assert items() == [] and audit_actions() == []


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "Geef het kennisitem een titel."),
    ({"title": "x" * 201}, "Een titel is 5 tot 200 tekens lang."),
    ({"summary": ""}, "Schrijf een korte samenvatting."),
    ({"summary": "x" * 601}, "Een samenvatting is hoogstens 600 tekens lang."),
    ({"kind": ""}, "Kies een soort."),
    ({"kind": "roddel"}, "Kies een soort uit de lijst."),
    ({"themes": ["actieve_leden", "wereldvrede"]}, "Kies bij thema’s alleen uit de lijst."),
    ({"sectors": ["ruimtevaart"]}, "Kies bij sectoren alleen uit de lijst."),
    ({"dimensions": ["geluk"]}, "Kies bij dimensies van de zelfscan alleen uit de lijst."),
    ({"body": "x" * 20_001}, "De inhoud is hoogstens 20.000 tekens lang."),
    ({"title": "Titel met \x00 nul"}, "onzichtbare tekens"),
    ({"source_name": "y" * 201}, "Hoogstens 200 tekens."),
])
def test_invalid_input_gives_a_dutch_message_and_saves_nothing(moderator_client, overrides, message):
    response = submit(moderator_client, NEW, valid_form(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert items() == [] and audit_actions() == []


def test_body_and_source_are_optional(moderator_client):
    response = submit(moderator_client, NEW, valid_form(body="", source_name="", themes=None,
                                                         sectors=None, dimensions=None))
    assert response.status_code == 302
    [item] = items()
    assert item.body_html == "" and item.source_name is None and item.tags == []


def test_same_title_gets_a_unique_address(moderator_client):
    for _ in range(3):
        assert submit(moderator_client, NEW, valid_form()).status_code == 302
    assert [item.slug for item in items()] == [
        "zo-vonden-wij-nieuwe-vrijwilligers", "zo-vonden-wij-nieuwe-vrijwilligers-2",
        "zo-vonden-wij-nieuwe-vrijwilligers-3"]


def test_title_without_letters_still_gets_an_address(moderator_client):
    assert submit(moderator_client, NEW, valid_form(title="!!! ??? !!!")).status_code == 302
    assert items()[0].slug == "item"


def test_edit_saves_changes_and_keeps_the_address(moderator_client, cast):
    item = make_item("Oude titel van het item")
    url = f"/beheer/kennisbank/{item.id}"
    page = text(moderator_client.get(url))
    assert "Oude titel van het item" in page
    assert re.search(r'<input checked[^>]*name="themes"[^>]*value="actieve_leden"', page)
    assert not re.search(r'<input checked[^>]*name="themes"[^>]*value="financiering"', page)
    response = submit(moderator_client, url, valid_form(title="Nieuwe titel van het item",
                                                        kind="instrument", themes=["financiering"],
                                                        sectors=[], body="Nieuwe *inhoud*"))
    assert response.status_code == 302
    item = reload_item(item.id)
    assert item.title == "Nieuwe titel van het item"
    assert item.slug == "oude-titel-van-het-item"
    assert item.kind == "instrument"
    assert item.themes == ["financiering"] and item.sectors == []
    assert item.body_html == "<p>Nieuwe <em>inhoud</em></p>"
    assert item.updated_by_id == cast.moderator.id
    assert audit_actions() == ["knowledge.update"]
    # Saving again without a change records nothing.
    response = submit(moderator_client, url, valid_form(title="Nieuwe titel van het item",
                                                        kind="instrument", themes=["financiering"],
                                                        sectors=[], body="Nieuwe *inhoud*"),
                      follow_redirects=True)
    assert "Er was niets veranderd." in text(response)
    assert audit_actions() == ["knowledge.update"]


def test_edit_preview_saves_nothing(moderator_client):
    item = make_item("Oude titel van het item")
    url = f"/beheer/kennisbank/{item.id}"
    response = submit(moderator_client, url, valid_form(submit=None, preview="Voorbeeld",
                                                        body="Een **nieuwe** tekst"))
    assert response.status_code == 200
    assert "<strong>nieuwe</strong>" in text(response)
    assert reload_item(item.id).title == "Oude titel van het item"
    assert audit_actions() == []


def test_edit_of_an_unknown_item_is_404(moderator_client):
    assert moderator_client.get("/beheer/kennisbank/999999").status_code == 404
    assert moderator_client.get("/beheer/kennisbank/99999999999").status_code == 404


# -- publish and unpublish -------------------------------------------------------------------------

def test_publish_and_unpublish(moderator_client):
    item = make_item("Bijna klaar item", status=STATUS_DRAFT)
    url = f"/beheer/kennisbank/{item.id}"
    assert "Publiceren" in text(moderator_client.get(url))
    response = submit(moderator_client, url + "/publiceren", {}, page=url, follow_redirects=True)
    assert "is gepubliceerd" in text(response)
    item = reload_item(item.id)
    assert item.status == STATUS_PUBLISHED and item.published_at is not None
    first_published = item.published_at
    assert "Offline halen" in text(response)

    response = submit(moderator_client, url + "/offline", {}, page=url, follow_redirects=True)
    assert "offline gehaald" in text(response)
    assert reload_item(item.id).status == STATUS_DRAFT

    submit(moderator_client, url + "/publiceren", {}, page=url)
    assert reload_item(item.id).published_at == first_published  # keeps its place in the list
    assert audit_actions() == ["knowledge.publish", "knowledge.unpublish", "knowledge.publish"]


def test_publishing_twice_changes_nothing(moderator_client):
    item = make_item()
    url = f"/beheer/kennisbank/{item.id}"
    response = submit(moderator_client, url + "/publiceren", {}, page=url, follow_redirects=True)
    assert "Dit item was al gepubliceerd." in text(response)
    draft = make_item("Een concept item", status=STATUS_DRAFT, slug="concept")
    url = f"/beheer/kennisbank/{draft.id}"
    response = submit(moderator_client, url + "/offline", {}, page=url, follow_redirects=True)
    assert "Dit item was niet gepubliceerd." in text(response)
    assert audit_actions() == []


def test_publish_without_csrf_token_changes_nothing(moderator_client):
    item = make_item(status=STATUS_DRAFT)
    response = moderator_client.post(f"/beheer/kennisbank/{item.id}/publiceren", data={})
    assert response.status_code == 400
    assert reload_item(item.id).status == STATUS_DRAFT


def test_admin_list_filters_by_status(moderator_client):
    make_item("Gepubliceerd item een")
    make_item("Concept item twee", status=STATUS_DRAFT, slug="concept-twee")
    page = text(moderator_client.get("/beheer/kennisbank"))
    assert "Gepubliceerd item een" in page and "Concept item twee" in page
    page = text(moderator_client.get("/beheer/kennisbank?status=concept"))
    assert "Concept item twee" in page and "Gepubliceerd item een" not in page
    page = text(moderator_client.get("/beheer/kennisbank?status=gepubliceerd"))
    assert "Gepubliceerd item een" in page and "Concept item twee" not in page
    assert moderator_client.get("/beheer/kennisbank?status=%3Cx%3E&pagina=x").status_code == 200


# -- attachments -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, filename, file_type", [
    (pdf_bytes(), "Belscript.pdf", "pdf"),
    (docx_bytes(), "Statuten.docx", "docx"),
    (xlsx_bytes(), "Begroting 2026.xlsx", "xlsx"),
])
def test_moderator_adds_an_attachment(app, moderator_client, cast, upload_dir, data, filename, file_type):
    item = make_item()
    response = upload(moderator_client, item, data, filename)
    assert response.status_code == 302
    [attachment] = attachments()
    assert attachment.item_id == item.id
    assert attachment.filename == filename and attachment.file_type == file_type
    assert attachment.size == len(data)
    assert attachment.uploaded_by_id == cast.moderator.id
    assert files_in(upload_dir) == [attachment.stored_name]
    assert audit_actions() == ["knowledge.add_attachment"]
    page = text(moderator_client.get(f"/beheer/kennisbank/{item.id}"))
    assert filename in page
    # ... and a member downloads it as a file.
    download = client_of(app, cast.member).get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("data, filename, message", [
    (HTML_PAGE, "factuur.pdf", "De inhoud van dit bestand is geen geldig PDF-bestand."),
    (zip_bytes({"[Content_Types].xml": b"<Types/>", "evil.html": HTML_PAGE}), "brief.docx",
     "De inhoud van dit bestand is geen geldig DOCX-bestand."),
    (docx_bytes(), "brief.pdf", "De naam eindigt op .pdf, maar de inhoud is een DOCX-bestand."),
    (pdf_bytes(), "pagina.html", "Dit soort bestand kan niet als bijlage"),
    (b"", "leeg.pdf", "Het bestand is leeg."),
])
def test_refused_uploads_show_a_dutch_message_and_store_nothing(moderator_client, upload_dir,
                                                                 data, filename, message):
    item = make_item()
    response = upload(moderator_client, item, data, filename)
    assert response.status_code == 400
    assert message in text(response)
    assert attachments() == [] and files_in(upload_dir) == []
    assert audit_actions() == []


def test_too_large_upload_is_refused(moderator_client, upload_dir, app):
    app.config["MAX_ATTACHMENT_MB"] = 1
    item = make_item()
    response = upload(moderator_client, item, pdf_bytes() + b"0" * (1024 * 1024 + 10), "groot.pdf")
    assert response.status_code == 400
    assert "Het bestand is te groot: een bijlage mag hoogstens 1 MB zijn." in text(response)
    assert attachments() == [] and files_in(upload_dir) == []


def test_upload_without_a_file_or_token(moderator_client, upload_dir):
    item = make_item()
    token = csrf_token(moderator_client, f"/beheer/kennisbank/{item.id}")
    response = moderator_client.post(f"/beheer/kennisbank/{item.id}/bijlagen",
                                     data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Kies een bestand om te uploaden." in text(response)
    response = moderator_client.post(f"/beheer/kennisbank/{item.id}/bijlagen",
                                     data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                                     content_type="multipart/form-data")
    assert response.status_code == 400
    response = moderator_client.post(f"/beheer/kennisbank/{item.id}/bijlagen",
                                     json={"csrf_token": token, "file": "a.pdf"})
    assert response.status_code == 400
    assert attachments() == [] and files_in(upload_dir) == []


def test_html_named_pdf_is_never_served_inline(moderator_client, cast, upload_dir):
    """It cannot be stored at all; and whatever is served goes out as a download with nosniff."""
    item = make_item()
    assert upload(moderator_client, item, HTML_PAGE, "pagina.pdf").status_code == 400
    assert attachments() == []
    # A PDF/HTML polyglot (HTML right after the header) is refused too, with a Dutch reason.
    sneaky = b"%PDF-1.4\n" + HTML_PAGE
    refused = upload(moderator_client, item, sneaky, "sneaky.pdf")
    assert refused.status_code == 400
    assert "bevat aan het begin ook een webpagina" in refused.get_data(as_text=True)
    assert attachments() == []
    # HTML deep inside a PDF is stored, and still only ever served as a download.
    late = b"%PDF-1.4\n" + b"% regel\n" * 600 + HTML_PAGE
    assert upload(moderator_client, item, late, "laat.pdf").status_code == 302
    [attachment] = attachments()
    response = moderator_client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_moderator_deletes_an_attachment_and_its_file(moderator_client, upload_dir):
    item = make_item()
    upload(moderator_client, item, pdf_bytes(), "weg-ermee.pdf")
    [attachment] = attachments()
    assert files_in(upload_dir) == [attachment.stored_name]
    url = f"/beheer/kennisbank/{item.id}"
    response = submit(moderator_client, f"{url}/bijlagen/{attachment.id}/verwijderen", {}, page=url,
                      follow_redirects=True)
    assert "De bijlage weg-ermee.pdf is verwijderd." in text(response)
    assert attachments() == [] and files_in(upload_dir) == []
    assert audit_actions() == ["knowledge.add_attachment", "knowledge.delete_attachment"]


def test_deleting_an_attachment_of_another_item_is_404(moderator_client, upload_dir):
    item = make_item()
    other = make_item("Een ander item", slug="ander")
    attachment = add_attachment(item)
    url = f"/beheer/kennisbank/{other.id}"
    response = submit(moderator_client, f"{url}/bijlagen/{attachment.id}/verwijderen", {}, page=url)
    assert response.status_code == 404
    assert len(attachments()) == 1 and files_in(upload_dir) == [attachment.stored_name]


def test_a_failed_commit_removes_the_stored_file(moderator_client, upload_dir, monkeypatch):
    from app.knowledge import services

    def broken(*args, **kwargs):
        raise RuntimeError("database weg")

    monkeypatch.setattr(services, "add_attachment", broken)
    item = make_item()
    response = upload(moderator_client, item, pdf_bytes(), "a.pdf")
    assert response.status_code == 500
    assert files_in(upload_dir) == [] and attachments() == []


def test_attachments_of_a_draft_are_for_moderators_only(app, moderator_client, cast, upload_dir):
    item = make_item(status=STATUS_DRAFT)
    upload(moderator_client, item, pdf_bytes(), "a.pdf")
    [attachment] = attachments()
    assert moderator_client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}").status_code == 200
    member = client_of(app, cast.member)
    assert member.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}").status_code == 404



def test_top_level_headings_become_h3_outside_code():
    from app.knowledge.services import render_body

    html = str(render_body("# Een\n## Twee\n#### Vier\n```\n## code\n```\n<h2>rauw</h2>"))
    assert "<h3>Een</h3>" in html and "<h3>Twee</h3>" in html and "<h4>Vier</h4>" in html
    assert "<pre><code>## code" in html
    assert "<h2>" not in html and "&lt;h2&gt;rauw&lt;/h2&gt;" in html


def test_saved_body_keeps_its_headings(moderator_client):
    submit(moderator_client, NEW, valid_form(body="## Wat we deden\n\nBellen."))
    [item] = items()
    assert item.body_html.startswith("<h3>Wat we deden</h3>")
    assert item.body_source == "## Wat we deden\n\nBellen."


def test_unique_slug_service_ignores_the_item_itself():
    from app.knowledge.services import unique_slug

    item = make_item("Een titel hier", slug="een-titel-hier")
    make_item("Een titel hier", slug="een-titel-hier-2")
    assert unique_slug("Een titel hier") == "een-titel-hier-3"
    assert unique_slug("Een titel hier", exclude_id=item.id) == "een-titel-hier"
    assert unique_slug("Een titel hier-nog") == "een-titel-hier-nog"


def test_a_request_beyond_max_content_length_gets_the_dutch_413_page(moderator_client, upload_dir, app):
    item = make_item()
    too_big = pdf_bytes() + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = upload(moderator_client, item, too_big, "enorm.pdf")
    assert response.status_code == 413
    assert "groter dan we kunnen aannemen" in text(response)
    assert attachments() == [] and files_in(upload_dir) == []


HOSTILE_BODIES = {
    "json": lambda: {"json": {"title": {"x": 1}, "themes": [1, None], "kind": ["a"], "summary": 5}},
    "hostile-form": lambda: {"data": {
        "title": ["a", "b"], "themes": ["actieve_leden"] * 50, "kind": "x" * 10_000,
        "summary": "\x00\x1b" * 50, "body": "x" * 100_000, "file": "geen-bestand.pdf"}},
    "bad-encoding": lambda: {"data": "niet=goed&%ff%fe=%ff",
                             "content_type": "application/x-www-form-urlencoded"},
    "files-in-text-fields": lambda: {"data": {
        "title": (io.BytesIO(b"<html>"), "titel.pdf"), "file": (io.BytesIO(b""), "")},
        "content_type": "multipart/form-data"},
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_hostile_bodies_on_every_admin_route_never_fail(moderator_client, upload_dir, name):
    item = make_item()
    attachment = add_attachment(item)
    token = csrf_token(moderator_client, f"/beheer/kennisbank/{item.id}")
    _, posts = _routes(item, attachment)
    for url in posts[:-1]:  # the last one deletes (a one-button form: a token is all it needs)
        kwargs = HOSTILE_BODIES[name]()
        if "json" in kwargs:
            kwargs["json"] = dict(kwargs["json"], csrf_token=token)
        elif isinstance(kwargs.get("data"), dict):
            kwargs["data"] = dict(kwargs["data"], csrf_token=token)
        response = moderator_client.post(url, headers={"X-CSRFToken": token}, **kwargs)
        assert response.status_code < 500, (url, response.status_code)
        # Publishing and unpublishing are one-button forms; deleting the (published) item sends
        # the moderator back with "take it offline first".
        assert response.status_code != 302 or url.endswith(
            ("/publiceren", "/offline", f"/kennisbank/{item.id}/verwijderen")), url
    assert len(items()) == 1 and len(attachments()) == 1
    assert reload_item(item.id).title == "Zo vonden wij nieuwe vrijwilligers"


# -- deleting a draft ----------------------------------------------------------------------------

def test_moderator_deletes_a_draft_with_its_attachments(moderator_client, upload_dir):
    item = make_item("Een verouderd concept", slug="verouderd", status=STATUS_DRAFT)
    attachment = add_attachment(item)
    assert files_in(upload_dir) == [attachment.stored_name]
    url = f"/beheer/kennisbank/{item.id}"
    response = submit(moderator_client, f"{url}/verwijderen", {"confirm": "y"}, page=url,
                      follow_redirects=True)
    assert "Het item “Een verouderd concept” is verwijderd." in text(response)
    assert items() == [] and attachments() == [] and files_in(upload_dir) == []
    assert audit_actions() == ["knowledge.delete"]
    assert moderator_client.get(url).status_code == 404


def test_deleting_needs_the_box_ticked_and_changes_nothing_without_it(moderator_client, upload_dir):
    item = make_item("Nog nodig", slug="nog-nodig", status=STATUS_DRAFT)
    attachment = add_attachment(item)
    url = f"/beheer/kennisbank/{item.id}"
    response = submit(moderator_client, f"{url}/verwijderen", {}, page=url)
    assert response.status_code == 400
    assert "Vink aan dat je dit item voorgoed wilt verwijderen." in text(response)
    assert len(items()) == 1 and files_in(upload_dir) == [attachment.stored_name]
    assert audit_actions() == []


def test_a_published_item_is_taken_offline_before_it_can_be_deleted(moderator_client, upload_dir):
    item = make_item("Gepubliceerd", slug="gepubliceerd")
    url = f"/beheer/kennisbank/{item.id}"
    assert "Item verwijderen" not in text(moderator_client.get(url))
    response = submit(moderator_client, f"{url}/verwijderen", {"confirm": "y"}, page=url,
                      follow_redirects=True)
    assert "Haal het item eerst offline" in text(response)
    assert reload_item(item.id).status == STATUS_PUBLISHED and audit_actions() == []


@pytest.mark.parametrize("role", ["outsider", "member", "partner"])
def test_only_moderators_delete_items(client, cast, role):
    item = make_item("Concept", slug="concept", status=STATUS_DRAFT)
    login(client, getattr(cast, role).email)
    token = csrf_token(client, "/")
    response = client.post(f"/beheer/kennisbank/{item.id}/verwijderen",
                           data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 403 and len(items()) == 1


def test_the_item_list_takes_as_many_statements_for_many_items_as_for_few(
        moderator_client, upload_dir):
    first = make_item(title="Eerste item", slug="eerste")
    add_attachment(first)
    few = count_queries(moderator_client, "/beheer/kennisbank")
    for number in range(12):
        item = make_item(title=f"Item {number}", slug=f"item-{number}")
        add_attachment(item)
    many = count_queries(moderator_client, "/beheer/kennisbank")
    assert many == few
    assert few <= 9  # like every other page
