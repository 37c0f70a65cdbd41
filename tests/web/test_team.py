"""The team on /over-ons: administrators keep it at /beheer/team (with photos); visitors see it."""
import io
import os
import re

import pytest
from werkzeug.datastructures import FileStorage

from app import uploads
from app.extensions import db
from app.models.audit import AuditLog
from app.models.public import TeamMember
from tests.factories import quick_user
from tests.fixtures.photos import CAMERA, HTML_PAGE, JPEG_WITH_EXIF, png_bytes
from tests.support import count_queries, csrf_token, login, submit, text

TEAM = "/beheer/team"
NEW = "/beheer/team/nieuw"
PLACEHOLDERS = ("Sanne Voorbeeld", "Daan Demo", "Noor Proef", "Ruben Testsma")


@pytest.fixture
def admin():
    return quick_user("admin@example.org", role="admin", name="Ada Admin")


@pytest.fixture
def admin_client(client, admin):
    login(client, admin.email)
    return client


@pytest.fixture
def upload_dir(app, tmp_path):
    saved = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = saved


def files_in(directory):
    return sorted(name for name in os.listdir(directory) if not name.startswith(".")) \
        if directory.exists() else []


def person(name="Fenna Fictief", role="Projectleider", bio="Houdt het overzicht.", position=0,
           photo_name=None):
    member = TeamMember(name=name, role=role, bio=bio, position=position, photo_name=photo_name)
    db.session.add(member)
    db.session.commit()
    return member


def members():
    db.session.expire_all()
    return db.session.execute(
        db.select(TeamMember).order_by(TeamMember.position, TeamMember.id)).scalars().all()


def audit_actions():
    db.session.expire_all()
    return [entry.action for entry in
            db.session.execute(db.select(AuditLog).order_by(AuditLog.id)).scalars()]


def post_form(client, url, fields, photo=None, token=None):
    """Send the team form like a browser (multipart, with the page's CSRF token)."""
    data = {"csrf_token": token or csrf_token(client, url), "submit": "Opslaan", **fields}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo[0]), photo[1])
    return client.post(url, data=data, content_type="multipart/form-data")


VALID = {"name": "Fenna Fictief", "role": "Projectleider",
         "bio": "Houdt het overzicht\nen onderhoudt het contact met de partners."}


# -- the about page ------------------------------------------------------------------------------

def _team_section(html):
    return html[html.index('aria-labelledby="team"'):html.index('id="contact-over-ons"')]


def test_about_without_a_team_says_it_is_introduced_soon_and_lists_no_placeholders(client):
    html = text(client.get("/over-ons"))
    section = _team_section(html)
    assert "Het team</h2>" in section
    assert "Binnenkort stellen we hier de mensen voor" in section
    assert "<h3>" not in section and "<ul" not in section
    assert not any(name in html for name in PLACEHOLDERS)


def test_about_lists_the_team_from_the_database_in_its_order(client):
    person("Bram Bedacht", "Onderzoeker", "Vertaalt onderzoek naar de praktijk.", position=1)
    person("Anna Anders", "Projectleider", "Houdt het overzicht & de planning.", position=0)
    section = _team_section(text(client.get("/over-ons")))
    names = re.findall(r"<h3>([^<]+)</h3>", section)
    assert names == ["Anna Anders", "Bram Bedacht"]
    assert "Projectleider" in section and "Vertaalt onderzoek naar de praktijk." in section
    assert "Houdt het overzicht &amp; de planning." in section  # escaped, as text
    assert "<img" not in section  # nobody has a photo
    assert "Binnenkort" not in section


def test_no_placeholder_people_in_templates_or_migrations():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for folder in ("app/templates", "migrations"):
        for directory, _, names in os.walk(os.path.join(root, folder)):
            for name in names:
                with open(os.path.join(directory, name), encoding="utf-8", errors="ignore") as file:
                    content = file.read()
                assert not any(p in content for p in PLACEHOLDERS), os.path.join(directory, name)


# -- who may -------------------------------------------------------------------------------------

def _routes(member):
    base = f"{TEAM}/{member.id}"
    gets = [TEAM, NEW, base + "/bewerken", base + "/verwijderen"]
    posts = [NEW, base + "/bewerken", base + "/verwijderen", base + "/omhoog", base + "/omlaag"]
    return gets, posts


def test_visitors_are_sent_to_log_in(client):
    gets, posts = _routes(person())
    token = csrf_token(client, "/contact")  # a visitor's valid token: the login check decides
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url
    for url in posts:
        response = client.post(url, data={"csrf_token": token, **VALID})
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url
    assert [m.name for m in members()] == ["Fenna Fictief"] and audit_actions() == []


@pytest.mark.parametrize("role", ["moderator", "member"])
def test_moderators_and_members_get_403_everywhere(client, role):
    target = person()
    user = quick_user(f"{role}@example.org", role=role)
    login(client, user.email)
    token = csrf_token(client, "/account")
    gets, posts = _routes(target)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        response = client.post(url, data={"csrf_token": token, **VALID},
                               content_type="multipart/form-data")
        assert response.status_code == 403, url
    assert [m.name for m in members()] == ["Fenna Fictief"]
    assert audit_actions() == []


def test_the_admin_overview_links_the_team_for_administrators_only(app, client, admin):
    moderator = quick_user("mod@example.org", role="moderator")
    login(client, moderator.email)
    overview = client.get("/beheer")
    assert overview.status_code == 200 and TEAM not in text(overview)
    admin_browser = app.test_client()
    login(admin_browser, admin.email)
    assert f'href="{TEAM}"' in text(admin_browser.get("/beheer"))


# -- adding, editing, ordering, removing -------------------------------------------------------------

def test_an_admin_adds_a_person_who_then_shows_on_about(admin_client, admin, upload_dir):
    page = admin_client.get(NEW)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in text(page)
    response = post_form(admin_client, NEW, VALID)
    assert response.status_code == 302 and response.headers["Location"].endswith(TEAM)
    [member] = members()
    assert (member.name, member.role, member.photo_name) == ("Fenna Fictief", "Projectleider", None)
    assert member.bio == "Houdt het overzicht en onderhoudt het contact met de partners."
    assert audit_actions() == ["team.create"]
    entry = db.session.execute(db.select(AuditLog)).scalar_one()
    assert entry.actor_id == admin.id and "Fenna Fictief" in entry.summary
    listing = text(admin_client.get(TEAM))
    assert "Fenna Fictief staat nu in het team" in listing
    assert "Fenna Fictief" in _team_section(text(admin_client.get("/over-ons")))
    assert files_in(upload_dir) == []


def test_missing_and_too_long_fields_get_dutch_messages(admin_client, upload_dir):
    response = post_form(admin_client, NEW, {"name": " ", "role": "", "bio": ""})
    page = text(response)
    assert response.status_code == 400
    for message in ("Vul de naam in.", "Vul de functie in", "Schrijf in een paar zinnen wat"):
        assert message in page
    response = post_form(admin_client, NEW, {**VALID, "name": "N" * 121, "bio": "x" * 401})
    page = text(response)
    assert response.status_code == 400
    assert "Een naam is hoogstens 120 tekens lang." in page
    assert "De tekst is hoogstens 400 tekens lang." in page
    response = post_form(admin_client, NEW, {**VALID, "role": "Leider\u202e"})
    assert response.status_code == 400 and "onzichtbare tekens" in text(response)
    assert members() == [] and audit_actions() == []


def test_the_forms_need_their_csrf_token(admin_client):
    target = person()
    assert admin_client.post(NEW, data=VALID).status_code == 400
    for url in (f"{TEAM}/{target.id}/bewerken", f"{TEAM}/{target.id}/verwijderen",
                f"{TEAM}/{target.id}/omlaag"):
        assert admin_client.post(url, data={**VALID, "name": "Anders"}).status_code == 400, url
    assert [(m.name, m.id) for m in members()] == [("Fenna Fictief", target.id)]
    assert audit_actions() == []


def test_an_admin_edits_a_person(admin_client):
    target = person()
    url = f"{TEAM}/{target.id}/bewerken"
    page = text(admin_client.get(url))
    assert 'value="Fenna Fictief"' in page and "Foto verwijderen" not in page  # no photo yet
    response = post_form(admin_client, url, {**VALID, "role": "Coördinator"})
    assert response.status_code == 302
    assert members()[0].role == "Coördinator"
    assert "De gegevens van Fenna Fictief zijn opgeslagen." in text(admin_client.get(TEAM))
    response = post_form(admin_client, url, {**VALID, "role": "Coördinator"})
    assert "Er was niets veranderd." in text(admin_client.get(response.headers["Location"]))
    assert audit_actions() == ["team.update"]
    response = post_form(admin_client, url, {**VALID, "name": ""})
    assert response.status_code == 400 and "Vul de naam in." in text(response)
    assert admin_client.get(f"{TEAM}/999999/bewerken").status_code == 404


def test_an_admin_orders_the_team(admin_client):
    first, second, third = (person(name, position=i)
                            for i, name in enumerate(["Anna Anders", "Bram Bedacht", "Cor Creatief"]))
    token = csrf_token(admin_client, TEAM)
    assert admin_client.post(f"{TEAM}/{third.id}/omhoog", data={"csrf_token": token}).status_code == 302
    assert [m.name for m in members()] == ["Anna Anders", "Cor Creatief", "Bram Bedacht"]
    admin_client.post(f"{TEAM}/{first.id}/omlaag", data={"csrf_token": token})
    assert [m.name for m in members()] == ["Cor Creatief", "Anna Anders", "Bram Bedacht"]
    response = admin_client.post(f"{TEAM}/{third.id}/omhoog", data={"csrf_token": token},
                                 follow_redirects=True)
    assert "Cor Creatief staat al bovenaan." in text(response)
    assert audit_actions() == ["team.move", "team.move"]
    names = re.findall(r"<h3>([^<]+)</h3>", _team_section(text(admin_client.get("/over-ons"))))
    assert names == ["Cor Creatief", "Anna Anders", "Bram Bedacht"]
    listing = text(admin_client.get(TEAM))
    assert listing.count("Omhoog<span") == 2 and listing.count("Omlaag<span") == 2


def test_removing_asks_first_then_removes_the_person(admin_client):
    target, other = person(), person("Bram Bedacht", position=1)
    url = f"{TEAM}/{target.id}/verwijderen"
    page = text(admin_client.get(url))
    assert "Fenna Fictief uit het team halen?" in page and "niet ongedaan maken" in page
    assert [m.name for m in members()] == ["Fenna Fictief", "Bram Bedacht"]  # asking changes nothing
    response = submit(admin_client, url, {})
    assert response.status_code == 302 and response.headers["Location"].endswith(TEAM)
    assert [m.id for m in members()] == [other.id]
    assert "Fenna Fictief staat niet meer in het team." in text(admin_client.get(TEAM))
    assert audit_actions() == ["team.delete"]
    assert admin_client.get(url).status_code == 404


# -- photos --------------------------------------------------------------------------------------

def _photo_url(member):
    return f"/over-ons/team/{member.photo_name}"


def test_a_photo_is_stored_without_metadata_and_shown_with_the_name_as_alt(admin_client, client,
                                                                           upload_dir):
    response = post_form(admin_client, NEW, VALID, photo=(JPEG_WITH_EXIF, "portret.JPG"))
    assert response.status_code == 302
    [member] = members()
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", member.photo_name)
    assert files_in(upload_dir) == [member.photo_name]
    stored = (upload_dir / member.photo_name).read_bytes()
    assert CAMERA not in stored and b"secret comment" not in stored
    visitor = client.application.test_client()
    section = _team_section(text(visitor.get("/over-ons")))
    assert f'<img src="{_photo_url(member)}" alt="Fenna Fictief"' in section
    photo = visitor.get(_photo_url(member))
    assert photo.status_code == 200 and photo.data == stored
    assert photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in photo.headers.get("Content-Disposition", "")
    assert "public" in photo.headers["Cache-Control"]


def test_replacing_or_removing_a_photo_removes_the_old_file(admin_client, upload_dir):
    post_form(admin_client, NEW, VALID, photo=(png_bytes(), "foto.png"))
    [member] = members()
    first = member.photo_name
    url = f"{TEAM}/{member.id}/bewerken"
    assert "Foto verwijderen" in text(admin_client.get(url))
    assert post_form(admin_client, url, VALID, photo=(JPEG_WITH_EXIF, "nieuw.jpeg")).status_code == 302
    second = members()[0].photo_name
    assert second != first and second.endswith(".jpg")
    assert files_in(upload_dir) == [second]
    assert admin_client.get(f"/over-ons/team/{first}").status_code == 404
    assert post_form(admin_client, url, {**VALID, "remove_photo": "y"}).status_code == 302
    assert members()[0].photo_name is None and files_in(upload_dir) == []
    assert audit_actions() == ["team.create", "team.update", "team.update"]
    details = [entry.details for entry in db.session.execute(
        db.select(AuditLog).order_by(AuditLog.id)).scalars()][1:]
    assert [d["photo"] for d in details] == ["vervangen", "verwijderd"]


def test_removing_a_person_removes_their_photo(admin_client, upload_dir):
    post_form(admin_client, NEW, VALID, photo=(png_bytes(), "foto.png"))
    [member] = members()
    assert files_in(upload_dir) == [member.photo_name]
    submit(admin_client, f"{TEAM}/{member.id}/verwijderen", {})
    assert members() == [] and files_in(upload_dir) == []


@pytest.mark.parametrize("data,filename,message", [
    (HTML_PAGE, "portret.png", "De inhoud van dit bestand is geen foto."),
    (b"\x89PNG\r\n\x1a\n" + HTML_PAGE, "portret.png", "beschadigd of onvolledig"),
    (png_bytes(), "portret.svg", "Dit soort bestand kan niet als foto"),
    (png_bytes(), "portret.html", "Dit soort bestand kan niet als foto"),
    (b"", "leeg.jpg", "Het bestand is leeg."),
    (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "groot.jpg", "De foto is te groot"),
])
def test_a_bad_photo_is_refused_with_a_dutch_message_and_nothing_is_stored(
        admin_client, upload_dir, data, filename, message):
    response = post_form(admin_client, NEW, VALID, photo=(data, filename))
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'aria-invalid="true"' in page
    assert members() == [] and files_in(upload_dir) == [] and audit_actions() == []


def test_a_bad_photo_on_edit_keeps_the_old_one(admin_client, upload_dir):
    post_form(admin_client, NEW, VALID, photo=(png_bytes(), "foto.png"))
    [member] = members()
    photo_name = member.photo_name
    response = post_form(admin_client, f"{TEAM}/{member.id}/bewerken", {**VALID, "role": "Nieuw"},
                         photo=(HTML_PAGE, "portret.png"))
    assert response.status_code == 400
    assert members()[0].photo_name == photo_name and members()[0].role == "Projectleider"
    assert files_in(upload_dir) == [photo_name]


def test_a_good_photo_with_a_bad_form_is_not_kept_and_the_admin_is_told(admin_client, upload_dir):
    response = post_form(admin_client, NEW, {**VALID, "name": ""}, photo=(png_bytes(), "foto.png"))
    assert response.status_code == 400
    assert "Kies de foto opnieuw" in text(response)
    assert files_in(upload_dir) == []


def test_only_team_photos_are_served(client, upload_dir):
    stored = uploads.store_photo(FileStorage(io.BytesIO(png_bytes()), "los.png"))
    assert client.get(f"/over-ons/team/{stored.stored_name}").status_code == 404  # not on the team
    for name in ("../config.py", "x" * 300, "0" * 32 + ".pdf"):
        assert client.get(f"/over-ons/team/{name}").status_code == 404
    member = person(photo_name=stored.stored_name)
    assert client.get(_photo_url(member)).status_code == 200
    os.remove(upload_dir / stored.stored_name)
    assert client.get(_photo_url(member)).status_code == 404  # the file is gone: 404, not 500


def test_the_team_pages_query_as_often_for_many_people_as_for_two(admin_client):
    for position in range(2):
        person(f"Persoon {position}", position=position)
    few = (count_queries(admin_client, "/over-ons"), count_queries(admin_client, TEAM))
    for position in range(2, 12):
        person(f"Persoon {position}", position=position, photo_name=f"{position:032x}.png")
    assert (count_queries(admin_client, "/over-ons"), count_queries(admin_client, TEAM)) == few
