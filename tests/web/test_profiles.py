"""Profiles (/leden/<id>-<name>): who may see them, what they show, how a person edits their own,
and that names everywhere link to them ("Voormalig lid" for a deleted account)."""
import io
import os
import re
from datetime import datetime, timedelta

import pytest
from PIL import Image

from app.accounts import profiles
from app.extensions import db
from app.models.accounts import STATUS_SUSPENDED
from app.models.forum import ForumGroup
from app.privacy import services as privacy_services
from app.slugs import person_slug
from app.timeutil import utcnow
from tests.factories import (add_replies, answer, ask, make_group, make_organisation, make_partner,
                             quick_user, respond, start_thread)
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.photos import CAMERA, HTML_PAGE, JPEG_WITH_EXIF, png_bytes
from tests.support import csrf_token, isolated_client, login, reload, text

ROLES = ["visitor", "outsider", "member", "partner", "moderator", "admin"]
READERS = {"member", "partner", "moderator", "admin"}
EMAILS = {"outsider": "los@example.org", "member": "lid2@example.org",
          "partner": "partner@example.org", "moderator": "mod@example.org",
          "admin": "admin@example.org"}


@pytest.fixture
def cast():
    cast = Cast()
    cast.admin = quick_user("admin@example.org", role="admin", name="Ad Min")
    return cast


@pytest.fixture
def upload_dir(app, tmp_path):
    saved = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = saved


def files_in(directory):
    return sorted(name for name in os.listdir(directory) if not name.startswith(".")) \
        if directory.exists() else []


def path_of(person):
    return f"/leden/{person.id}-{person_slug(person.name)}"


def client_as(app, role):
    client = isolated_client(app)
    if role != "visitor":
        assert login(client, EMAILS[role]).status_code == 302
    return client


def save_profile(client, fields=None, photo=None, name="Bert Jansen"):
    data = {"csrf_token": csrf_token(client, "/account"), "name": name,
            "submit_profile": "Profiel opslaan", **(fields or {})}
    if photo is not None:
        data["avatar"] = (io.BytesIO(photo[0]), photo[1])
    return client.post("/account/profiel", data=data, content_type="multipart/form-data")


def delete_account(person):
    privacy_services.delete_account(person)
    db.session.commit()


# -- who sees a profile ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_profiles_are_for_forum_readers(app, cast, role):
    client = client_as(app, role)
    response = client.get(path_of(cast.member))
    if role == "visitor":
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    elif role in READERS:
        assert response.status_code == 200
        assert "<h1 class=\"mb-1\">Anna de Vries</h1>" in text(response)
    else:
        assert response.status_code == 403
        assert "Alleen voor leden en partners" in text(response)


@pytest.mark.parametrize("role", ROLES)
def test_a_deleted_account_and_an_unknown_id_have_no_profile(app, cast, role):
    delete_account(cast.member)
    client = client_as(app, role)
    for path in (f"/leden/{cast.member.id}-voormalig-lid", f"/leden/{cast.member.id}",
                 "/leden/999999-niemand", f"/leden/{'9' * 30}-x"):
        response = client.get(path)
        expected = {"visitor": 302, "outsider": 403}.get(role, 404)
        if path.startswith("/leden/999999999"):
            expected = 404  # not even a number the database could hold
        assert response.status_code == expected, (path, response.status_code)


def test_the_name_in_the_address_is_cosmetic(app, cast):
    client = client_as(app, "member")
    for wrong in (f"/leden/{cast.member.id}", f"/leden/{cast.member.id}-iemand-anders",
                  f"/leden/{cast.member.id}-ANNA-DE-VRIES"):
        response = client.get(wrong, query_string={"berichten": "2", "onzin": "1"})
        assert response.status_code == 301
        assert response.headers["Location"] == f"{path_of(cast.member)}?berichten=2"
    cast.member.name = "Anna Bakker"
    db.session.commit()
    response = client.get(f"/leden/{cast.member.id}-anna-de-vries")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/leden/{cast.member.id}-anna-bakker"


def test_a_suspension_is_only_told_to_moderators(app, cast):
    cast.member.status = STATUS_SUSPENDED
    cast.member.suspended_until = utcnow() + timedelta(days=7)
    cast.member.suspension_reason = "Herhaald schelden in de discussies"
    db.session.commit()
    for role in ("member", "partner"):
        page = text(client_as(app, role).get(path_of(cast.member)))
        assert "Anna de Vries" in page
        for word in ("geschorst", "Geschorst", "schorsing", "schelden", "/beheer/leden"):
            assert word not in page, (role, word)
    page = text(client_as(app, "moderator").get(path_of(cast.member)))
    assert "geschorst tot" in page
    assert f'href="/beheer/leden/{cast.member.id}"' in page
    assert "Herhaald schelden" not in page  # the reason stays on the member page in /beheer


def test_staff_see_moderation_links_others_do_not(app, cast):
    for role in ("moderator", "admin"):
        page = text(client_as(app, role).get(path_of(cast.member)))
        assert "Voor moderatoren" in page and f"/beheer/leden/{cast.member.id}" in page
    page = text(client_as(app, "partner").get(path_of(cast.member)))
    assert "Voor moderatoren" not in page and "/beheer" not in page.split("<main")[1]


# -- what a profile shows -------------------------------------------------------------------------

def test_a_member_profile_shows_collective_role_and_since_when(app, cast):
    cast.member.role = "representative"
    cast.member.created_at = datetime(2024, 3, 15, 12, 0)  # noon: the same day in Dutch time
    db.session.commit()
    page = text(client_as(app, "partner").get(path_of(cast.member)))
    assert "Vertegenwoordiger van Energiecoöperatie De Windvang" in page
    assert 'href="/collectieven/energiecooperatie-de-windvang"' in page
    assert "Lid sinds" in page and "15 maart 2024" in page
    page = text(client_as(app, "partner").get(path_of(cast.member2)))
    assert "Lid van Energiecoöperatie De Windvang" in page


def test_a_partner_profile_shows_organisation_and_labs(app, cast):
    organisation = make_organisation("Fonds Groene Energie")
    partner = make_partner("fonds@example.org", "Frits Fonds", organisation, "financelab",
                           "netwerklab")
    page = text(client_as(app, "member").get(path_of(partner)))
    assert "Partner</span> namens Fonds Groene Energie" in page
    assert "Fonds Groene Energie <span class=\"text-muted\">(financier)</span>" in page
    assert 'href="/labs/financelab">Financelab</a>' in page
    assert 'href="/labs/netwerklab">Netwerklab</a>' in page


def test_posts_on_a_profile_are_only_the_visible_ones(app, cast):
    group = make_group()
    thread, opening = start_thread(group, cast.member, title="Zon op het dorpshuis",
                                   body="Wie weet hoe dat zit?")
    shown, hidden, deleted = add_replies(thread, [cast.member], 3, body="Antwoord nummer {n}")
    hidden.hidden_at = utcnow()
    deleted.deleted_at = utcnow()
    gone, _ = start_thread(group, cast.member, title="Een verwijderde discussie",
                           body="Weg ermee")
    gone.deleted_at = utcnow()
    db.session.commit()
    page = text(client_as(app, "member").get(path_of(cast.member)))
    assert "Nieuwe discussie: Zon op het dorpshuis" in page and "Wie weet hoe dat zit?" in page
    assert "Antwoord nummer 2" in page
    assert f'href="/forum/bericht/{shown.id}"' in page
    for absent in ("Antwoord nummer 3", "Antwoord nummer 4", "Een verwijderde discussie",
                   "verborgen door een moderator"):
        assert absent not in page
    assert "Berichten in het forum <span class=\"badge text-bg-light border\">2</span>" in page
    page = text(client_as(app, "moderator").get(path_of(cast.member)))
    assert "Antwoord nummer 3" in page and "verborgen door een moderator" in page
    assert "Antwoord nummer 4" not in page and "Een verwijderde discussie" not in page


def test_lab_contributions_on_a_profile(app, cast):
    organisation = make_organisation("Fonds Groene Energie")
    partner = make_partner("fonds@example.org", "Frits Fonds", organisation, "financelab")
    question = ask(cast.member, title="Hoe financieren we een buurtbatterij?")
    reply = answer(partner, question, body="Begin met een ledenlening.")
    respond(cast.member, question, body="Dank je, dat proberen we.")
    hidden = ask(cast.member, title="Een verborgen vraag over geld")
    hidden.hidden_at = utcnow()
    db.session.commit()
    page = text(client_as(app, "partner").get(path_of(cast.member)))
    assert "Vraag: Hoe financieren we een buurtbatterij?" in page
    assert "Reactie: Hoe financieren we een buurtbatterij?" in page
    assert "In het Financelab" in page and "Een verborgen vraag" not in page
    page = text(client_as(app, "member").get(path_of(partner)))
    assert "Antwoord: Hoe financieren we een buurtbatterij?" in page
    assert f"/labs/financelab/vragen/{question.id}#antwoord-{reply.id}" in page
    page = text(client_as(app, "moderator").get(path_of(cast.member)))
    assert "Een verborgen vraag over geld" in page


def test_posts_and_contributions_are_paged_separately(app, cast, monkeypatch):
    from app.blueprints.people import routes
    monkeypatch.setattr(routes, "PER_PAGE", 2)
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Een lange discussie", body="Bericht 1",
                             now=utcnow() - timedelta(days=2))
    add_replies(thread, [cast.member], 4, body="Bericht {n}")  # a day ago, a minute apart
    for number in range(3):
        ask(cast.member, title=f"Labvraag nummer {number}")
    client = client_as(app, "member")
    first = text(client.get(path_of(cast.member)))
    assert "Bericht 5" in first and "Bericht 4" in first and "Bericht 3" not in first
    assert "Labvraag nummer 2" in first and "Labvraag nummer 0" not in first
    assert f'href="{path_of(cast.member)}?berichten=2#berichten"' in first
    assert f'href="{path_of(cast.member)}?labbijdragen=2#labbijdragen"' in first
    third = text(client.get(path_of(cast.member), query_string={"berichten": 3, "labbijdragen": 2}))
    assert "Bericht 1" in third and "Bericht 5" not in third
    assert "Labvraag nummer 0" in third and "Labvraag nummer 2" not in third
    # each pager keeps the other list's page
    assert f'href="{path_of(cast.member)}?labbijdragen=2&amp;berichten=2#berichten"' in third
    beyond = client.get(path_of(cast.member), query_string={"berichten": 99, "labbijdragen": "x"})
    assert beyond.status_code == 200
    assert f'<a href="{path_of(cast.member)}#berichten">Naar de nieuwste berichten</a>' in text(beyond)
    assert "Labvraag nummer 2" in text(beyond)  # "x" is the first page


def test_a_bio_is_shown_as_sanitised_html(app, cast):
    client = client_as(app, "member")
    response = save_profile(client, {"bio": "Ik ben **Bert**.\n\n<script>alert(1)</script>"
                                            "[site](javascript:alert(2)) [web](https://example.org)"})
    assert response.status_code == 302
    person = reload(cast.member2)
    assert person.bio_source.startswith("Ik ben **Bert**.")
    assert "<strong>Bert</strong>" in person.bio_html
    assert "<script" not in person.bio_html and "javascript:" not in person.bio_html
    assert 'rel="nofollow ugc noopener"' in person.bio_html
    page = text(client_as(app, "partner").get(path_of(person)))
    assert "Over Bert Jansen" in page and "<strong>Bert</strong>" in page
    assert "<script>alert" not in page


# -- editing one's own profile --------------------------------------------------------------------

def test_the_account_page_edits_the_profile(app, cast):
    client = client_as(app, "member")
    page = text(client.get("/account"))
    assert "Je profiel" in page and 'enctype="multipart/form-data"' in page
    assert f'href="{path_of(cast.member2)}"' in page
    assert "Markdown" in page and "hoogstens 1.000 tekens" in page
    response = save_profile(client, {"bio": "Vrijwilliger."}, name="Bert Jansen-Visser")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Je profiel is opgeslagen." in text(client.get("/account"))
    person = reload(cast.member2)
    assert person.name == "Bert Jansen-Visser" and person.bio_html == "<p>Vrijwilliger.</p>"
    own = text(client.get(path_of(person)))
    assert "Je profiel bewerken" in own
    assert "Je profiel bewerken" not in text(client_as(app, "partner").get(path_of(person)))


@pytest.mark.parametrize("bio, message", [
    ("x" * 1001, "Je tekst over jezelf is hoogstens 1.000 tekens lang."),
    ("Hallo\x00daar", "onzichtbare tekens"),
])
def test_a_bad_bio_is_refused_in_dutch(app, cast, bio, message):
    client = client_as(app, "member")
    response = save_profile(client, {"bio": bio})
    assert response.status_code == 400 and message in text(response)
    assert reload(cast.member2).bio_source == ""


def test_visitors_cannot_post_a_profile(client, cast):
    response = client.post("/account/profiel", data={"name": "Hacker", "bio": "x"})
    assert response.status_code in (302, 400)
    assert reload(cast.member2).name == "Bert Jansen"


def test_a_photo_is_re_encoded_square_without_metadata(app, cast, upload_dir):
    client = client_as(app, "member")
    wide = png_bytes(width=600, height=300, text=b"geheime tekst")
    assert save_profile(client, photo=(wide, "portret.png")).status_code == 302
    person = reload(cast.member2)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", person.avatar_name)
    assert person.avatar_updated_at is not None
    assert files_in(upload_dir) == [person.avatar_name]
    stored = (upload_dir / person.avatar_name).read_bytes()
    assert b"geheime tekst" not in stored
    assert Image.open(io.BytesIO(stored)).size == (256, 256)
    # a small photo is cropped square, never enlarged
    assert save_profile(client, photo=(JPEG_WITH_EXIF, "klein.jpg")).status_code == 302
    person = reload(cast.member2)
    stored = (upload_dir / person.avatar_name).read_bytes()
    assert CAMERA not in stored and b"secret comment" not in stored
    assert Image.open(io.BytesIO(stored)).size == (16, 16)
    assert files_in(upload_dir) == [person.avatar_name]  # the replaced photo's file is gone


def test_a_photo_is_served_to_forum_readers_only_with_nosniff(app, cast, upload_dir):
    client = client_as(app, "member")
    save_profile(client, photo=(png_bytes(width=40, height=40), "foto.png"))
    person = reload(cast.member2)
    url = f"/leden/{person.id}/foto/{person.avatar_name}"
    for role in ("member", "partner", "moderator"):
        reader = client_as(app, role)
        assert f'src="{url}"' in text(reader.get(thread_path_of_post(person)))
        response = reader.get(url)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"].startswith("private")
        assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert client_as(app, "visitor").get(url).status_code == 302
    assert client_as(app, "outsider").get(url).status_code == 403
    reader = client_as(app, "partner")
    for wrong in (f"/leden/{cast.member.id}/foto/{person.avatar_name}",
                  f"/leden/{person.id}/foto/{'0' * 32}.png", f"/leden/{person.id}/foto/..%2Fx",
                  f"/leden/{person.id}/foto/{'x' * 300}"):
        assert reader.get(wrong).status_code == 404, wrong


def thread_path_of_post(person):
    group = db.session.execute(db.select(ForumGroup)).scalars().first() or make_group()
    thread, _ = start_thread(group, person, title="Mijn foto bij een bericht")
    return thread_path(thread)


@pytest.mark.parametrize("data, filename, message", [
    (HTML_PAGE, "portret.png", "De inhoud van dit bestand is geen foto."),
    (b"\x89PNG\r\n\x1a\n" + HTML_PAGE, "portret.png", "beschadigd of onvolledig"),
    (png_bytes(width=9000, height=2), "breed.png", "dat is te groot"),
    (png_bytes(), "portret.svg", "Dit soort bestand kan niet als foto"),
    (HTML_PAGE, "portret.html", "Dit soort bestand kan niet als foto"),
    (b"", "leeg.jpg", "Het bestand is leeg."),
    (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "groot.jpg", "De foto is te groot"),
])
def test_a_hostile_photo_is_refused_in_dutch_and_nothing_changes(app, cast, upload_dir, data,
                                                                 filename, message):
    client = client_as(app, "member")
    response = save_profile(client, {"bio": "Nieuwe tekst"}, photo=(data, filename))
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'aria-invalid="true"' in page
    person = reload(cast.member2)
    assert person.avatar_name is None and person.bio_source == ""
    assert files_in(upload_dir) == []


def test_a_good_photo_with_a_bad_form_is_not_kept(app, cast, upload_dir):
    client = client_as(app, "member")
    response = save_profile(client, photo=(png_bytes(), "foto.png"), name="")
    assert response.status_code == 400 and "Kies de foto opnieuw" in text(response)
    assert files_in(upload_dir) == [] and reload(cast.member2).avatar_name is None


def test_removing_the_photo_removes_the_file_and_shows_initials(app, cast, upload_dir):
    client = client_as(app, "member")
    save_profile(client, photo=(png_bytes(), "foto.png"))
    assert "Foto verwijderen" in text(client.get("/account"))
    assert save_profile(client, {"remove_avatar": "y"}).status_code == 302
    person = reload(cast.member2)
    assert person.avatar_name is None and files_in(upload_dir) == []
    page = text(client_as(app, "partner").get(path_of(person)))
    assert f'avatar-initialen {"avatar-kleur-" + str(person.id % 8)}' in page
    assert ">BJ</span>" in page


def test_a_file_sent_as_text_is_no_text(app, cast):
    client = client_as(app, "member")
    data = {"csrf_token": csrf_token(client, "/account"), "name": (io.BytesIO(b"<b>x</b>"), "n.html"),
            "bio": (io.BytesIO(b"<script>"), "b.html")}
    response = client.post("/account/profiel", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "Vul je naam in." in text(response)


# -- names link to profiles everywhere --------------------------------------------------------------

def profile_link(person):
    """The end of the person_link macro's link to `person` (its class varies with the page)."""
    return f'href="{path_of(person)}">{person.name}</a>'


def plain_profile_link(person):
    return f'<a class="person-link" {profile_link(person)}'


def test_names_in_threads_and_thread_lists_link_to_profiles(app, cast):
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Zon op het dorpshuis")
    add_replies(thread, [cast.partner, cast.moderator], 2)
    client = client_as(app, "member")
    page = text(client.get(thread_path(thread)))
    for person in (cast.member, cast.partner, cast.moderator):
        assert profile_link(person) in page
    listing = text(client.get("/forum/energie"))
    assert profile_link(cast.member) in listing  # started by
    assert profile_link(cast.moderator) in listing  # last post by


def test_names_in_the_labs_link_to_profiles(app, cast):
    organisation = make_organisation("Fonds Groene Energie")
    partner = make_partner("fonds@example.org", "Frits Fonds", organisation, "financelab")
    question = ask(cast.member, title="Hoe financieren we een buurtbatterij?")
    answer(partner, question)
    client = client_as(app, "member")
    assert profile_link(cast.member) in text(client.get("/labs/financelab"))
    page = text(client.get(f"/labs/financelab/vragen/{question.id}"))
    assert profile_link(cast.member) in page and profile_link(partner) in page


def test_names_in_notifications_link_to_profiles(app, cast):
    group = make_group()
    thread, _ = start_thread(group, cast.member2, title="Zon op het dorpshuis")
    add_replies(thread, [cast.member], 1)
    page = text(client_as(app, "member").get("/meldingen"))
    assert "Van " + plain_profile_link(cast.member) in page


def test_names_in_search_results_link_to_profiles(app, cast):
    app.config["SEARCH_APPLY"] = "inline"
    group = make_group()
    start_thread(group, cast.member, title="Buurtbatterij in de wijk", body="Een buurtbatterij?")
    ask(cast.member2, title="Buurtbatterij financieren", body="Hoe betalen we een buurtbatterij?")
    page = text(client_as(app, "partner").get("/zoeken", query_string={"q": "buurtbatterij"}))
    assert "door " + plain_profile_link(cast.member) in page
    assert "door " + plain_profile_link(cast.member2) in page


def test_a_deleted_account_shows_as_former_member_without_a_link(app, cast):
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Zon op het dorpshuis")
    add_replies(thread, [cast.member2], 1)
    question = ask(cast.member, title="Hoe financieren we een buurtbatterij?")
    member_id = cast.member.id
    delete_account(cast.member)
    client = client_as(app, "member")
    for path in (thread_path(thread), "/forum/energie", "/labs/financelab",
                 f"/labs/financelab/vragen/{question.id}"):
        page = text(client.get(path))
        assert "Voormalig lid" in page, path
        assert f'href="/leden/{member_id}' not in page, path


def test_names_are_plain_text_for_those_who_cannot_see_profiles(app, cast):
    from flask import render_template_string
    macro = '{% from "_macros/people.html" import person_link %}{{ person_link(person) }}'
    with app.test_request_context():  # nobody signed in
        assert render_template_string(macro, person=cast.member) == "Anna de Vries"
        assert render_template_string(macro, person=None) == (
            '<span class="person-former fst-italic">Voormalig lid</span>')


def test_mentions_link_to_the_profile(app, cast):
    from app.accounts import mentions
    from app.permissions import can_read_forum
    with app.test_request_context():
        assert mentions.mention_href(cast.member2) == path_of(cast.member2)
        assert mentions.mention_href(cast.partner) == path_of(cast.partner)
        html = str(mentions.render("Vraag het @Bert Jansen", can_read_forum))
    assert f'href="{path_of(cast.member2)}"' in html


# -- privacy --------------------------------------------------------------------------------------

def test_the_profile_is_in_the_download_and_goes_with_the_account(app, cast, upload_dir):
    client = client_as(app, "member")
    save_profile(client, {"bio": "Over mij."}, photo=(png_bytes(), "foto.png"))
    person = reload(cast.member2)
    photo = person.avatar_name
    response = client.post("/account/mijn-gegevens/download",
                           data={"csrf_token": csrf_token(client, "/account/mijn-gegevens")})
    data = response.get_json(force=True)
    assert data["account"]["profile"]["bio"] == "Over mij."
    assert data["account"]["profile"]["photo"] == f"/leden/{person.id}/foto/{photo}"
    response = client.post("/account/verwijderen", data={
        "csrf_token": csrf_token(client, "/account/verwijderen"),
        "current_password": "een-lang-wachtwoord-42", "confirmation": "VERWIJDER"})
    assert response.status_code == 302
    person = reload(cast.member2)
    assert person.bio_source == "" and person.bio_html == "" and person.avatar_name is None
    assert files_in(upload_dir) == []
    assert client_as(app, "partner").get(path_of(cast.member)).status_code == 200
    assert client_as(app, "partner").get(f"/leden/{person.id}").status_code == 404


def test_profile_helpers():
    assert profiles.initials("Anna de Vries") == "AV"
    assert profiles.initials("Mo") == "M"
    assert profiles.initials("  ") == "?"
    assert profiles.initials("özlem 't Hart") == "ÖH"
    assert {profiles.palette_index(n) for n in range(16)} == set(range(profiles.PALETTE_SIZE))
    assert person_slug("Jansen-Özer, Fatma!") == "jansen-ozer-fatma"
    assert person_slug("!!!") == "lid"
