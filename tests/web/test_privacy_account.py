"""A person's privacy rights: downloading their data and deleting their account."""
import json
import re
import secrets

import pytest

from app.accounts import second_factor
from app.extensions import db
from app.models.accounts import RecoveryCode, Token, User
from app.models.audit import AuditLog
from app.models.collectives import JoinRequest
from app.models.forum import GroupWatch, Post, PostReport, PostRevision, ThreadRead, ThreadWatch
from app.models.notifications import Notification
from app.models.public import ContactMessage
from app.models.selfscan import SelfScan, SelfScanAnswer
from app.notifications import notify
from app.timeutil import utcnow
from app.tokens import PURPOSE_RESET, issue_token
from tests.factories import (
    PASSWORD, make_collective, make_group, make_user, member_of, start_thread,
)
from tests.fixtures.forum import thread_path
from tests.support import (csrf_token, handle_account_requests, isolated_client, login, outbox,
                           reload, submit, text)

MY_DATA = "/account/mijn-gegevens"
DOWNLOAD = "/account/mijn-gegevens/download"
DELETE = "/account/verwijderen"
WRONG_PASSWORD = "Je huidige wachtwoord klopt niet."
TYPE_THE_WORD = "Typ het woord VERWIJDER om te bevestigen."
REPRESENTATIVE_REFUSED = "Vraag eerst een moderator om iemand anders vertegenwoordiger te maken"
DELETED_FLASH = "Je account is verwijderd."
GOODBYE_SUBJECT = "Je account bij CollectieveKracht is verwijderd"


def count(model, *conditions):
    db.session.expire_all()
    return len(db.session.execute(db.select(model).where(*conditions)).scalars().all())


def logged_in(client):
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    return False


def download(client):
    return submit(client, DOWNLOAD, {}, page=MY_DATA)


def delete(client, password=PASSWORD, confirmation="VERWIJDER", **extra):
    return submit(client, DELETE, {"current_password": password, "confirmation": confirmation,
                                   **extra})


def make_scan(started_by=None, contact_email=None, answers=None, collective=None):
    scan = SelfScan(resume_token_hash=secrets.token_hex(32), questionnaire_version=1,
                    status="submitted", contact_name="Contact", contact_email=contact_email,
                    started_by_id=getattr(started_by, "id", None),
                    collective_id=getattr(collective, "id", None), consent_privacy=True)
    db.session.add(scan)
    db.session.flush()
    for key, value in (answers or {}).items():
        db.session.add(SelfScanAnswer(scan_id=scan.id, question_key=key, questionnaire_version=1,
                                      value=value))
    db.session.commit()
    return scan


@pytest.fixture
def collective():
    return make_collective("Energiecoöperatie De Windvang")


@pytest.fixture
def anna(client, collective):
    """Anna, a member of De Windvang, logged in on `client`."""
    user = member_of(collective, "anna@example.org", name="Anna de Boer")
    assert login(client, "anna@example.org").status_code == 302
    return user


@pytest.fixture
def bert(collective):
    return member_of(collective, "bert@example.org", name="Bert Bakkerszoon")


@pytest.fixture
def forum(anna, bert):
    """A group with a thread by Anna, a reply by Bert, and the forum's traces of both."""
    group = make_group("Energie")
    thread, anna_post = start_thread(group, anna, title="Zonnepanelen op het dorpshuis",
                                     body="Annas eerste bericht over het dak")
    bert_thread, bert_post = start_thread(group, bert, title="Bert zijn geheime onderwerp",
                                          body="Bert schreef dit vertrouwelijke bericht")
    db.session.add_all([
        PostRevision(post_id=anna_post.id, body_source="Annas oudere versie", body_html="<p>x</p>",
                     written_at=utcnow(), editor_id=anna.id),
        PostRevision(post_id=bert_post.id, body_source="Berts oudere versie", body_html="<p>x</p>",
                     written_at=utcnow(), editor_id=bert.id),
        PostReport(post_id=bert_post.id, reporter_id=anna.id, reason="Annas melding: dit klopt niet"),
        PostReport(post_id=anna_post.id, reporter_id=bert.id, reason="Berts melding over Anna"),
        ThreadWatch(user_id=anna.id, thread_id=bert_thread.id, watching=True),
        ThreadWatch(user_id=bert.id, thread_id=thread.id, watching=True),
        GroupWatch(user_id=anna.id, group_id=group.id),
        ThreadRead(user_id=anna.id, thread_id=bert_thread.id, last_read_number=1),
    ])
    db.session.commit()
    return {"group": group, "thread": thread, "post": anna_post, "bert_thread": bert_thread}


def personal_traces(anna, bert, collective):
    """Join requests, scans, notifications, contact messages and tokens of Anna and of Bert."""
    other = make_collective("Wooncoöperatie Het Erf")
    db.session.add_all([
        JoinRequest(user_id=anna.id, collective_id=other.id, message="Annas verzoek om mee te doen"),
        JoinRequest(user_id=bert.id, collective_id=other.id, message="Berts verzoek"),
        ContactMessage(name="Anna", email="ANNA@example.org", subject="Annas vraag",
                       message="Annas contactbericht"),
        ContactMessage(name="Bert", email="bert@example.org", subject="Berts vraag",
                       message="Berts contactbericht", user_id=bert.id),
    ])
    notify(anna, "reply", "Iemand reageerde op Anna", "/forum/x", actor=bert)
    notify(bert, "reply", "Anna de Boer reageerde bij Bert", "/forum/y", actor=anna)
    db.session.commit()
    make_scan(started_by=anna, answers={"profiel_naam": "Annas scan", "leden_aantal": 42})
    make_scan(contact_email="Anna@Example.org", answers={"profiel_naam": "Scan met Annas adres"})
    make_scan(started_by=bert, contact_email="bert@example.org",
              answers={"profiel_naam": "Berts scan"})
    issue_token(PURPOSE_RESET, user=anna)
    db.session.commit()


# -- download ---------------------------------------------------------------------------------------

def test_my_data_pages_require_login(client):
    response = client.get(MY_DATA)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    response = submit(client, DOWNLOAD, {}, page="/inloggen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    response = client.get(DELETE)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_my_data_page_explains_and_offers_download(client, anna):
    response = client.get(MY_DATA)
    page = text(response)
    assert response.status_code == 200
    assert "Mijn gegevens" in page and "Mijn gegevens downloaden" in page
    assert 'action="/account/mijn-gegevens/download"' in page
    assert 'name="csrf_token"' in page
    assert "<script" not in page.split("</main>")[0].split("<main")[-1]
    assert "style=" not in page


def test_download_is_a_post_with_csrf(client, anna):
    assert client.get(DOWNLOAD).status_code == 405
    response = client.post(DOWNLOAD, data={})
    assert response.status_code == 400
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_download_headers(client, anna):
    response = download(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="collectievekracht-gegevens-\d{4}-\d{2}-\d{2}\.json"', disposition
    ), disposition
    assert response.headers["Cache-Control"] == "no-store"
    json.loads(text(response))


def test_download_with_empty_forum(client, anna, collective):
    data = json.loads(text(download(client)))
    assert data["account"]["email"] == "anna@example.org"
    assert data["collective"]["name"] == collective.name
    assert data["collective"]["role_label"] == "Lid"
    assert data["forum"] == {
        "threads_started": [], "posts": [], "post_revisions": [], "reports_filed": [],
        "thread_watches": [], "group_watches": [], "read_positions": [],
    }
    assert data["join_requests"] == [] and data["selfscans"] == []
    assert data["notifications"] == [] and data["contact_messages"] == []


def test_download_has_everything_of_the_person_and_nothing_of_others(client, anna, bert,
                                                                      collective, forum):
    personal_traces(anna, bert, collective)
    response = download(client)
    body = text(response)
    data = json.loads(body)

    account = data["account"]
    assert account["name"] == "Anna de Boer" and account["email"] == "anna@example.org"
    assert account["role"] == "member" and account["created_at"].endswith("Z")
    assert data["collective"]["slug"] == collective.slug

    assert [r["message"] for r in data["join_requests"]] == ["Annas verzoek om mee te doen"]

    scans = {scan["answers"]["profiel_naam"]: scan for scan in data["selfscans"]}
    assert set(scans) == {"Annas scan", "Scan met Annas adres"}
    assert scans["Annas scan"]["answers"]["leden_aantal"] == 42
    assert scans["Annas scan"]["started_by_you"] is True
    assert scans["Scan met Annas adres"]["started_by_you"] is False

    forum_data = data["forum"]
    assert [t["title"] for t in forum_data["threads_started"]] == ["Zonnepanelen op het dorpshuis"]
    assert [p["body_source"] for p in forum_data["posts"]] == ["Annas eerste bericht over het dak"]
    assert forum_data["posts"][0]["created_at"]
    assert [r["body_source"] for r in forum_data["post_revisions"]] == ["Annas oudere versie"]
    assert [r["reason"] for r in forum_data["reports_filed"]] == ["Annas melding: dit klopt niet"]
    # Starting a thread watches it, so Anna watches her own thread and Bert's.
    assert {w["thread_id"] for w in forum_data["thread_watches"]} == {
        forum["thread"].id, forum["bert_thread"].id}
    assert [w["group_id"] for w in forum_data["group_watches"]] == [forum["group"].id]
    assert forum["bert_thread"].id in {r["thread_id"] for r in forum_data["read_positions"]}

    assert [n["text"] for n in data["notifications"]] == ["Iemand reageerde op Anna"]
    assert [m["message"] for m in data["contact_messages"]] == ["Annas contactbericht"]

    # Nothing of Bert's own data.
    for secret in ("bert@example.org", "Berts", "Bert schreef", "Anna de Boer reageerde bij Bert",
                   "Bert Bakkerszoon"):
        assert secret not in body, secret


def test_download_never_contains_secrets(client, anna):
    response = download(client)
    body = text(response)
    user = reload(anna)
    assert user.password_hash not in body
    from app.models.accounts import UserSession
    for row in db.session.execute(db.select(UserSession)).scalars():
        assert row.token_hash not in body
    assert "password" not in body.lower().replace("wachtwoord", "")
    assert "token" not in body.lower()


def test_unconfirmed_address_does_not_unlock_data_sent_from_that_address(client, collective):
    # Someone registers with another person's address (and cannot confirm it): what that person
    # sent from the address, or filled in as contact, stays out of the file.
    make_scan(contact_email="victim@example.org", answers={"profiel_naam": "Scan van het slachtoffer"})
    db.session.add(ContactMessage(name="V", email="victim@example.org", subject="Vraag",
                                  message="Vertrouwelijk contactbericht"))
    db.session.commit()
    make_user(email="victim@example.org", name="Indringer", verified=False)
    assert login(client, "victim@example.org").status_code == 302
    page = text(client.get(MY_DATA))
    assert "nog niet bevestigd" in page
    body = text(download(client))
    assert "Scan van het slachtoffer" not in body
    assert "Vertrouwelijk contactbericht" not in body


def test_download_is_rate_limited(client, anna):
    token = csrf_token(client, MY_DATA)
    statuses = [client.post(DOWNLOAD, data={"csrf_token": token}).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


# -- deleting: refusals -------------------------------------------------------------------------------

def test_delete_page_explains_consequences(client, anna):
    page = text(client.get(DELETE))
    assert "Voormalig lid" in page
    assert "De pagina van het collectief blijft bestaan" in page
    assert "VERWIJDER" in page
    assert 'name="current_password"' in page and 'name="confirmation"' in page
    assert "style=" not in page


@pytest.mark.parametrize("password, confirmation, message", [
    ("verkeerd-wachtwoord-123", "VERWIJDER", WRONG_PASSWORD),
    (PASSWORD, "", TYPE_THE_WORD),
    (PASSWORD, "verwijderen", TYPE_THE_WORD),
    (PASSWORD, "DELETE", TYPE_THE_WORD),
    ("", "VERWIJDER", "Vul je huidige wachtwoord in."),
])
def test_delete_refused_without_password_and_word(client, anna, password, confirmation, message):
    response = delete(client, password, confirmation)
    assert response.status_code == 400
    assert message in text(response)
    user = reload(anna)
    assert user.status == "active" and user.email == "anna@example.org"
    assert user.name == "Anna de Boer"
    assert logged_in(client)
    assert outbox("anna@example.org") == []


def test_delete_without_csrf_changes_nothing(client, anna):
    response = client.post(DELETE, data={"current_password": PASSWORD, "confirmation": "VERWIJDER"})
    assert response.status_code == 400
    assert reload(anna).status == "active"


def test_representative_with_other_members_is_refused(client, collective, bert):
    rep = member_of(collective, "rep@example.org", name="Rita Rep", role="representative")
    assert login(client, "rep@example.org").status_code == 302
    page = text(client.get(DELETE))
    assert REPRESENTATIVE_REFUSED in page
    assert 'name="confirmation"' not in page
    response = submit(client, DELETE, {"current_password": PASSWORD, "confirmation": "VERWIJDER"},
                      page=MY_DATA)  # the delete page shows no form to take a token from
    assert response.status_code == 400
    assert REPRESENTATIVE_REFUSED in text(response)
    user = reload(rep)
    assert user.status == "active" and user.collective_id == collective.id
    assert user.role == "representative"


def test_last_member_representative_may_delete_and_collective_stays(client, collective):
    rep = member_of(collective, "rep@example.org", name="Rita Rep", role="representative")
    assert login(client, "rep@example.org").status_code == 302
    response = delete(client)
    assert response.status_code == 302
    user = reload(rep)
    assert user.status == "deleted" and user.collective_id is None and user.role == "member"
    assert client.get(f"/collectieven/{collective.slug}").status_code == 200


def test_only_administrator_is_refused(client):
    make_user(email="admin@example.org", name="Ad Min", role="admin")
    assert login(client, "admin@example.org").status_code == 302
    response = submit(client, DELETE, {"current_password": PASSWORD, "confirmation": "VERWIJDER"},
                      page=MY_DATA)
    assert response.status_code == 400
    assert "enige beheerder" in text(response)
    assert User.find_by_email("admin@example.org").status == "active"


# -- deleting: success --------------------------------------------------------------------------------

def test_delete_account(app, client, anna, bert, collective, forum):
    personal_traces(anna, bert, collective)
    anna_id = anna.id
    other_device = isolated_client(app)
    assert login(other_device, "anna@example.org").status_code == 302
    assert logged_in(other_device)

    response = delete(client, confirmation="  verwijder ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert DELETED_FLASH in text(client.get("/"))

    # Logged out here and on the other device; the old credentials no longer work.
    assert not logged_in(client)
    assert not logged_in(other_device)
    response = login(client, "anna@example.org", follow_redirects=True)
    assert "horen niet bij elkaar" in text(response)
    assert not logged_in(client)

    user = reload(anna)
    assert user.name == "Voormalig lid"
    assert user.email == f"verwijderd-{anna_id}@invalid.example"
    assert user.status == "deleted" and user.collective_id is None
    assert user.email_verified_at is None and user.notify_email == "off"
    assert not user.check_password(PASSWORD)

    # What only served Anna is gone; what others need stays.
    assert count(Token, Token.user_id == anna_id) == 0
    assert count(Notification, Notification.user_id == anna_id) == 0
    assert count(JoinRequest, JoinRequest.user_id == anna_id) == 0
    assert count(ThreadWatch, ThreadWatch.user_id == anna_id) == 0
    assert count(GroupWatch, GroupWatch.user_id == anna_id) == 0
    assert count(ThreadRead, ThreadRead.user_id == anna_id) == 0
    assert count(ThreadWatch, ThreadWatch.user_id == bert.id) == 2  # his own thread and Anna's
    bert_notice = db.session.execute(
        db.select(Notification).where(Notification.user_id == bert.id)).scalar_one()
    assert "Anna de Boer" not in bert_notice.text and "Voormalig lid" in bert_notice.text
    assert count(Post, Post.author_id == anna_id) == 1
    assert count(PostReport, PostReport.reporter_id == anna_id) == 1

    # The post is still there, under "Voormalig lid", for a reader of the forum.
    assert login(other_device, "bert@example.org").status_code == 302
    page = text(other_device.get(thread_path(forum["thread"])))
    assert "Annas eerste bericht over het dak" in page
    assert "Voormalig lid" in page and "Anna de Boer" not in page

    # A goodbye to the old address, and an audit entry.
    messages = outbox("anna@example.org")
    assert [m.subject for m in messages] == [GOODBYE_SUBJECT]
    assert "Hallo Anna de Boer" in messages[0].body_text and "Voormalig lid" in messages[0].body_text
    entry = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "account.deleted")).scalar_one()
    assert entry.target_id == anna_id and entry.actor_id in (None, anna_id)
    assert "anna@example.org" not in entry.summary


def test_old_address_can_register_again(client, anna):
    assert delete(client).status_code == 302
    response = submit(client, "/registreren", {
        "name": "Anna Opnieuw", "email": "anna@example.org",
        "password": "een-nieuw-lang-wachtwoord", "confirm": "een-nieuw-lang-wachtwoord",
    })
    assert response.status_code == 200
    handle_account_requests()
    new = User.find_by_email("anna@example.org")
    assert new is not None and new.id != anna.id and new.name == "Anna Opnieuw"
    assert [m.subject for m in outbox("anna@example.org")][-1] == "Bevestig je e-mailadres"


def test_anonymous_address_taken_by_someone_still_deletes(client, anna):
    squatter = make_user(email=f"verwijderd-{anna.id}@invalid.example", name="Kaper")
    assert delete(client).status_code == 302
    user = reload(anna)
    assert user.status == "deleted"
    assert user.email.startswith(f"verwijderd-{anna.id}-") and user.email.endswith("@invalid.example")
    assert reload(squatter).email == f"verwijderd-{anna.id}@invalid.example"


def test_old_address_gets_no_reset_link_after_deletion(client, anna):
    assert delete(client).status_code == 302
    submit(client, "/wachtwoord-vergeten", {"email": "anna@example.org"})
    assert handle_account_requests() == 0
    assert [m.subject for m in outbox("anna@example.org")] == [GOODBYE_SUBJECT]


def test_lab_contributions_in_download_and_partner_ties_end_on_delete(client, anna, bert):
    labs = pytest.importorskip("app.models.labs")
    lab = db.session.execute(db.select(labs.Lab).where(labs.Lab.slug == "financelab")).scalar()
    if lab is None:  # the labs are seeded by a migration; a test may have emptied the table
        lab = labs.Lab(slug="financelab", name="Financelab", partner_kind="financier")
        db.session.add(lab)
        db.session.flush()
    question = labs.LabQuestion(lab_id=lab.id, author_id=anna.id, title="Hoe financieren we de molen?",
                                body_source="Annas labvraag", body_html="<p>Annas labvraag</p>")
    other = labs.LabQuestion(lab_id=lab.id, author_id=bert.id, title="Berts labvraag",
                             body_source="Berts labvraag", body_html="<p>x</p>")
    db.session.add_all([question, other])
    db.session.flush()
    db.session.add_all([
        labs.LabReply(question_id=other.id, author_id=anna.id, body_source="Annas labantwoord",
                      body_html="<p>x</p>", kind="response"),
        labs.PartnerApplication(organisation_name="Annas Fonds", kind="financier", lab_slugs=["financelab"],
                                contact_name="Anna", contact_email="anna@example.org",
                                motivation="Annas motivatie"),
    ])
    anna.labs = [lab]
    db.session.commit()

    data = json.loads(text(download(client)))
    assert [q["body_source"] for q in data["labs"]["questions"]] == ["Annas labvraag"]
    assert [r["body_source"] for r in data["labs"]["replies"]] == ["Annas labantwoord"]
    assert [a["motivation"] for a in data["labs"]["partner_applications"]] == ["Annas motivatie"]
    assert data["account"]["labs"] == ["Financelab"]
    assert "Berts labvraag" not in json.dumps(data)

    assert delete(client).status_code == 302
    user = reload(anna)
    assert user.labs == []
    assert count(labs.LabQuestion, labs.LabQuestion.author_id == anna.id) == 1


# -- hostile input --------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    {"current_password": "x" * 10_000, "confirmation": "VERWIJDER"},
    {"current_password": PASSWORD, "confirmation": "V" * 10_000},
    {"current_password": PASSWORD, "confirmation": "VERWIJDER\x00"},
    {"current_password": PASSWORD, "confirmation": "VERWIJ\u200bDER"},
    {"current_password": PASSWORD, "confirmation": "ＶＥＲＷＩＪＤＥＲ"},
    {"current_password": "\x00\x01", "confirmation": "VERWIJDER"},
    {"current_password": ["a", "b"], "confirmation": ["VERWIJDER", "x"]},
    {"confirmation": "VERWIJDER"},
    {},
])
def test_hostile_delete_input_never_500(client, anna, data):
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, DELETE)
    response = client.post(DELETE, data=payload)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert reload(anna).status == "active"


def test_hostile_json_body_never_500(client, anna):
    token = csrf_token(client, DELETE)
    response = client.post(DELETE, json={"current_password": [1], "confirmation": {"a": 1}},
                           headers={"X-CSRFToken": token})
    assert response.status_code in (400,)
    assert reload(anna).status == "active"
    response = client.post(DOWNLOAD, json={"submit": [1]}, headers={"X-CSRFToken": token})
    assert response.status_code in (200, 400)


def test_deleting_an_account_removes_its_second_factor(client, anna):
    anna.totp_secret, anna.totp_enabled_at = second_factor.new_secret(), anna.created_at
    second_factor.issue_recovery_codes(anna)
    db.session.commit()
    assert delete(client).status_code == 302
    user = reload(anna)
    assert user.totp_secret is None and not user.has_second_factor
    assert count(RecoveryCode, RecoveryCode.user_id == user.id) == 0


def test_the_data_download_says_whether_two_step_sign_in_is_on_but_not_its_secret(client, anna):
    secret = second_factor.new_secret()
    anna.totp_secret, anna.totp_enabled_at = secret, anna.created_at
    db.session.commit()
    body = download(client).get_data(as_text=True)
    assert "second_factor_enabled_at" in body and secret not in body
