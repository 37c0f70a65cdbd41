"""The public knowledge base: list, filters, pagination, an item and its attachments, per role."""
import re
from datetime import timedelta

import pytest

from app.models.knowledge import STATUS_DRAFT
from app.timeutil import utcnow
from tests.factories import make_item, make_items
from tests.fixtures.knowledge import KnowledgeCast, add_attachment, docx_bytes, pdf_bytes
from tests.support import login, text


@pytest.fixture
def cast():
    return KnowledgeCast()


def titles(response):
    return re.findall(r'<h2 class="h5 card-title mb-0" id="item-\d+"><a href="[^"]+">([^<]+)</a>',
                      text(response))


# -- the list --------------------------------------------------------------------------------------

def test_empty_knowledge_base_has_a_friendly_empty_state(client):
    response = client.get("/kennisbank")
    assert response.status_code == 200
    page = text(response)
    assert "Nog geen items" in page
    assert "0 items" in page


def test_list_shows_published_items_newest_first_and_no_drafts(client):
    now = utcnow()
    make_item("Oudste praktijkvoorbeeld", published_at=now - timedelta(days=3))
    make_item("Nieuwste onderzoek", kind="wetenschappelijk", published_at=now - timedelta(days=1))
    make_item("Geheim concept in de maak", status=STATUS_DRAFT)
    response = client.get("/kennisbank")
    assert titles(response) == ["Nieuwste onderzoek", "Oudste praktijkvoorbeeld"]
    page = text(response)
    assert "Geheim concept" not in page
    assert "Wetenschappelijk inzicht" in page and "Praktijkvoorbeeld" in page
    assert "Actieve leden en vrijwilligers" in page  # theme label, not the key
    assert "2 items" in page


def test_list_filters_by_kind_theme_and_sector(client):
    make_item("Energie en vrijwilligers", themes=["actieve_leden"], sectors=["energie"])
    make_item("Zorg en financiering", kind="instrument", themes=["financiering"], sectors=["zorg"])
    make_item("Wonen en financiering", kind="document", themes=["financiering", "gemeente"],
              sectors=["wonen"])
    assert sorted(titles(client.get("/kennisbank?soort=instrument"))) == ["Zorg en financiering"]
    assert sorted(titles(client.get("/kennisbank?thema=financiering"))) == [
        "Wonen en financiering", "Zorg en financiering"]
    assert titles(client.get("/kennisbank?thema=financiering&sector=wonen")) == ["Wonen en financiering"]
    assert titles(client.get("/kennisbank?soort=praktijkvoorbeeld&sector=zorg")) == []
    response = client.get("/kennisbank?thema=financiering&sector=energie")
    assert "Niets gevonden" in text(response)
    page = text(client.get("/kennisbank?sector=zorg"))
    assert '<option value="zorg" selected>' in page
    assert "met sector <strong>Zorg &amp; welzijn</strong>" in page


@pytest.mark.parametrize("query", [
    "soort=onbekend", "thema=%3Cscript%3E", "sector=mars&soort=x&thema=y", "soort=", "sector=%00",
    "thema=financiering&thema=x", "soort=" + "x" * 5000, "pagina=abc", "pagina=-1", "pagina=999999999",
])
def test_odd_filters_never_fail(client, query):
    make_item()
    response = client.get("/kennisbank?" + query)
    assert response.status_code == 200


def test_unknown_filter_values_are_ignored_with_a_note(client):
    make_item("Energie en vrijwilligers", sectors=["energie"])
    make_item("Zorg en financiering", sectors=["zorg"], slug="zorg")
    response = client.get("/kennisbank?sector=mars&soort=instrument")
    page = text(response)
    assert response.status_code == 200
    assert "De gekozen waarde bij sector kennen we niet; dat filter is niet gebruikt." in page
    assert titles(response) == []  # soort=instrument still applies
    response = client.get("/kennisbank?sector=mars")
    assert len(titles(response)) == 2
    page = text(client.get("/kennisbank?sector=mars&thema=niets"))
    assert "De gekozen waarden bij thema en sector kennen we niet" in page


def test_pagination(client):
    make_items(14)  # 12 per page
    first = client.get("/kennisbank")
    assert len(titles(first)) == 12
    assert titles(first)[0] == "Kennisitem nummer 14"
    assert 'href="/kennisbank?pagina=2"' in text(first)
    second = client.get("/kennisbank?pagina=2")
    assert titles(second) == ["Kennisitem nummer 2", "Kennisitem nummer 1"]
    assert "pagina 2 van 2" in text(second)
    beyond = client.get("/kennisbank?pagina=5")
    assert beyond.status_code == 200
    assert "Deze pagina is leeg" in text(beyond)


def test_pagination_keeps_the_filters(client):
    make_items(13, themes=["financiering"])
    page = text(client.get("/kennisbank?thema=financiering"))
    assert "/kennisbank?thema=financiering&amp;pagina=2" in page


# -- one item, per role ----------------------------------------------------------------------------

def _item_with_attachment():
    item = make_item("Zo vonden wij nieuwe vrijwilligers",
                     body="## Wat we deden\n\nWe belden **elk lid** op.\n\n<script>alert(1)</script>")
    attachment = add_attachment(item, pdf_bytes(), "Belscript voor vrijwilligers.pdf")
    return item, attachment


def test_visitor_sees_summary_and_an_invitation_but_no_body(client):
    item, attachment = _item_with_attachment()
    response = client.get(f"/kennisbank/{item.slug}")
    assert response.status_code == 200
    page = text(response)
    assert item.title in page and item.summary in page
    assert "Lectoraat Coöperatief Ondernemen" in page
    assert "Actieve leden en vrijwilligers" in page and "Energie" in page and "Leden" in page
    assert "Wat we deden" not in page and "elk lid" not in page
    assert "Belscript" not in page and "/bijlagen/" not in page
    assert 'href="/zelfscan"' in page
    assert f'href="/inloggen?next=/kennisbank/{item.slug}"' in page
    assert "gepubliceerd op" in page


def test_logged_in_without_collective_sees_the_invitation(client, cast):
    item, attachment = _item_with_attachment()
    login(client, cast.outsider.email)
    page = text(client.get(f"/kennisbank/{item.slug}"))
    assert "Lees verder als lid" in page and 'href="/zelfscan"' in page
    assert "elk lid" not in page and "Belscript" not in page
    assert "/inloggen" not in page.split('id="uitnodiging"')[1].split("</section>")[0]


@pytest.mark.parametrize("role", ["member", "partner", "moderator"])
def test_members_partners_and_moderators_read_body_and_attachments(client, cast, role):
    item, attachment = _item_with_attachment()
    login(client, getattr(cast, role).email)
    page = text(client.get(f"/kennisbank/{item.slug}"))
    assert "<strong>elk lid</strong>" in page
    assert "<script>alert(1)</script>" not in page  # raw HTML was escaped at save
    assert "Lees verder als lid" not in page
    assert f'href="/kennisbank/{item.slug}/bijlagen/{attachment.id}"' in page
    assert "Belscript voor vrijwilligers.pdf" in page
    assert f"(PDF, {len(pdf_bytes())} bytes)" in page


def test_unknown_item_is_404(client):
    assert client.get("/kennisbank/bestaat-niet").status_code == 404
    assert client.get("/kennisbank/" + "x" * 500).status_code == 404


@pytest.mark.parametrize("role", [None, "outsider", "member", "partner"])
def test_unpublished_item_is_404_for_everyone_but_moderators(client, cast, role):
    item = make_item("Nog niet klaar", status=STATUS_DRAFT)
    attachment = add_attachment(item)
    if role:
        login(client, getattr(cast, role).email)
    assert client.get(f"/kennisbank/{item.slug}").status_code == 404
    response = client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}")
    # Without reading rights the answer is the same for any attachment (nothing about drafts leaks).
    expected = {None: 302, "outsider": 403}.get(role, 404)
    assert response.status_code == expected


def test_moderator_sees_an_unpublished_item_with_a_concept_banner(client, cast):
    item = make_item("Nog niet klaar", status=STATUS_DRAFT)
    attachment = add_attachment(item)
    login(client, cast.moderator.email)
    response = client.get(f"/kennisbank/{item.slug}")
    assert response.status_code == 200
    assert "Concept." in text(response)
    assert f'href="/beheer/kennisbank/{item.id}"' in text(response)
    assert client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}").status_code == 200


def test_updated_date_shown_after_a_later_edit(client):
    published = utcnow() - timedelta(days=10)
    item = make_item(published_at=published)
    page = text(client.get(f"/kennisbank/{item.slug}"))
    assert "bijgewerkt op" not in page
    item.updated_at = utcnow()
    from app.extensions import db
    db.session.commit()
    assert "bijgewerkt op" in text(client.get(f"/kennisbank/{item.slug}"))


# -- attachment downloads --------------------------------------------------------------------------

def test_visitor_downloading_an_attachment_is_sent_to_log_in(client):
    item, attachment = _item_with_attachment()
    response = client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def test_logged_in_without_collective_gets_403_for_an_attachment(client, cast):
    item, attachment = _item_with_attachment()
    login(client, cast.outsider.email)
    assert client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}").status_code == 403


@pytest.mark.parametrize("role", ["member", "partner", "moderator"])
def test_readers_download_attachments_as_attachment_never_inline(client, cast, role):
    item, attachment = _item_with_attachment()
    login(client, getattr(cast, role).email)
    response = client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}")
    assert response.status_code == 200
    assert response.data == pdf_bytes()
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Belscript" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]


def test_docx_download_has_its_own_content_type(client, cast):
    item = make_item()
    attachment = add_attachment(item, docx_bytes(), "statuten.docx")
    login(client, cast.member.email)
    response = client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}")
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".wordprocessingml.document")
    assert "statuten.docx" in response.headers["Content-Disposition"]


def test_attachment_must_belong_to_the_item(client, cast):
    item, attachment = _item_with_attachment()
    other = make_item("Een ander item", slug="een-ander-item")
    login(client, cast.member.email)
    assert client.get(f"/kennisbank/{other.slug}/bijlagen/{attachment.id}").status_code == 404
    assert client.get(f"/kennisbank/{item.slug}/bijlagen/999999").status_code == 404
    assert client.get(f"/kennisbank/{item.slug}/bijlagen/99999999999").status_code == 404
    assert client.get(f"/kennisbank/bestaat-niet/bijlagen/{attachment.id}").status_code == 404


def test_attachment_whose_file_is_gone_is_404_not_500(client, cast, app):
    import os

    item, attachment = _item_with_attachment()
    os.remove(os.path.join(app.config["UPLOAD_DIR"], attachment.stored_name))
    login(client, cast.member.email)
    assert client.get(f"/kennisbank/{item.slug}/bijlagen/{attachment.id}").status_code == 404


def test_list_note_for_visitors_and_none_for_members(client, cast):
    make_item()
    assert "De volledige teksten en bijlagen zijn voor leden" in text(client.get("/kennisbank"))
    login(client, cast.member.email)
    assert "De volledige teksten en bijlagen zijn voor leden" not in text(client.get("/kennisbank"))


def test_latest_items_for_the_home_page(app):
    from app.knowledge.queries import latest_items

    now = utcnow()
    make_item("Oud item", slug="oud", published_at=now - timedelta(days=9))
    make_item("Nieuw item", slug="nieuw", kind="instrument", published_at=now - timedelta(days=1))
    make_item("Concept item", slug="concept", status=STATUS_DRAFT)
    with app.test_request_context("/"):
        latest = latest_items(limit=3)
    assert [entry["title"] for entry in latest] == ["Nieuw item", "Oud item"]
    assert latest[0]["url"] == "/kennisbank/nieuw"
    assert latest[0]["type_label"] == "Instrument"
