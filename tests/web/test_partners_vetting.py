"""Vetting partners: who may, approving (once), reusing organisations, refusing, the invitation,
linking existing accounts, the organisations page, research access and removing from a lab."""
from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import event

from app.extensions import db
from app.models.accounts import Token, User
from app.models.audit import AuditLog
from app.models.labs import PartnerApplication, PartnerOrganisation
from app.partners import services
from app.timeutil import utcnow
from tests.factories import PASSWORD, lab, make_organisation, make_user
from tests.fixtures.partners import invite, make_application
from tests.support import (
    csrf_token, isolated_client, link_from, login, outbox, reload, submit, text,
)

NEW_PASSWORD = "fondsen-voor-de-buurt"
ALREADY = "al besloten"
INVALID = "werkt niet (meer)"


def audit(action):
    db.session.expire_all()
    return db.session.execute(
        db.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).scalars().all()


def organisations():
    db.session.expire_all()
    return db.session.execute(db.select(PartnerOrganisation).order_by(PartnerOrganisation.id)).scalars().all()


def tokens():
    db.session.expire_all()
    return db.session.execute(
        db.select(Token).where(Token.purpose == services.PURPOSE_INVITE_PARTNER)
    ).scalars().all()


def make_partner(email="partner@bank.example", name="Pim Partner", labs=("financelab",),
                 organisation=None):
    organisation = organisation or make_organisation("Bank voor de Buurt")
    user = services.create_partner(organisation, name, email, PASSWORD, list(labs))
    db.session.commit()
    return user


def approve_data(**overrides):
    data = {"organisation": "nieuw", "name": "Stichting Fonds Lokale Energie", "kind": "financier",
            "website": "fondslokaal.example", "labs": ["financelab"]}
    data.update(overrides)
    return data


def current_email(client):
    response = client.get("/account")
    if response.status_code != 200:
        return None
    page = text(response)
    start = page.index("Nu: <strong>") + len("Nu: <strong>")
    return page[start:page.index("</strong>", start)]


# -- who may -----------------------------------------------------------------------------------

def _paths(application_id, user_id):
    return {
        "get": ["/beheer/partners", f"/beheer/partners/{application_id}", "/beheer/partners/organisaties"],
        "post": [f"/beheer/partners/{application_id}/goedkeuren", f"/beheer/partners/{application_id}/afwijzen",
                 f"/beheer/partners/{user_id}/onderzoekstoegang",
                 f"/beheer/partners/{user_id}/labs/financelab/verwijderen"],
    }


def test_visitors_are_sent_to_the_login(client):
    application = make_application()
    partner = make_partner()
    paths = _paths(application.id, partner.id)
    for path in paths["get"]:
        response = client.get(path)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    token = csrf_token(client, "/inloggen")
    for path in paths["post"]:
        response = client.post(path, data={"csrf_token": token, "reason": "x", "grant": "aan"})
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert reload(application).status == "pending"


@pytest.mark.parametrize("role", ["member", "representative", "partner"])
def test_members_and_partners_are_refused(client, role):
    application = make_application()
    partner = make_partner()
    make_user(email="iemand@example.org", role=role)
    login(client, "iemand@example.org")
    paths = _paths(application.id, partner.id)
    for path in paths["get"]:
        assert client.get(path).status_code == 403
    token = csrf_token(client, "/account")
    for path in paths["post"]:
        response = client.post(path, data=dict(approve_data(), csrf_token=token, reason="x", grant="aan"))
        assert response.status_code == 403
    assert reload(application).status == "pending"
    assert reload(partner).labs and not reload(partner).research_access
    assert organisations() == [partner.partner_organisation] and tokens() == []


def test_a_partner_of_the_lab_cannot_vet_either(client):
    partner = make_partner()
    login(client, partner.email)
    assert client.get("/beheer/partners").status_code == 403


# -- the list ----------------------------------------------------------------------------------

def test_pending_applications_oldest_first_with_every_field(client, moderator):
    newer = make_application(organisation_name="Nieuwere Gemeente", kind="overheid",
                             contact_email="b@gemeente.example", lab_slugs=["overheidslab"],
                             website="https://gemeente.example", contact_role="Beleidsmedewerker")
    older = make_application(organisation_name="Oudere Universiteit", kind="kennisinstelling",
                             contact_email="a@uni.example", lab_slugs=["sciencelab", "netwerklab"])
    older.created_at = utcnow() - timedelta(days=3)
    make_application(organisation_name="Afgewezen Verkoper", contact_email="c@x.example", status="refused",
                     refusal_reason="Commercieel")
    db.session.commit()
    login(client, moderator.email)
    page = text(client.get("/beheer/partners"))
    assert page.index("Oudere Universiteit") < page.index("Nieuwere Gemeente")
    assert "Afgewezen Verkoper" not in page
    for value in ("Kennisinstelling", "Sciencelab, Netwerklab", "a@uni.example", "Overheidslab",
                  "https://gemeente.example", "Beleidsmedewerker", "Wij financieren lokale energieprojecten",
                  "Komt niet om te verkopen"):
        assert value in page
    assert f"/beheer/partners/{newer.id}" in page
    refused = text(client.get("/beheer/partners?status=afgewezen"))
    assert "Afgewezen Verkoper" in refused and "Commercieel" in refused and "Oudere Universiteit" not in refused
    assert "Oudere Universiteit" in text(client.get("/beheer/partners?status=<onzin>"))
    assert client.get("/beheer/partners?pagina=99999999999").status_code == 200


def test_unknown_application_is_404(client, moderator):
    login(client, moderator.email)
    assert client.get("/beheer/partners/12345").status_code == 404
    assert client.get("/beheer/partners/99999999999999").status_code == 404


# -- approving ---------------------------------------------------------------------------------

def test_approve_creates_one_organisation_and_one_invitation_even_when_posted_twice(client, moderator):
    application = make_application()
    login(client, moderator.email)
    path = f"/beheer/partners/{application.id}/goedkeuren"
    response = submit(client, path, approve_data(), page=f"/beheer/partners/{application.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/partners"
    again = submit(client, path, approve_data(), page=f"/beheer/partners/{application.id}",
                   follow_redirects=True)
    assert ALREADY in text(again)

    [organisation] = organisations()
    assert (organisation.name, organisation.kind, organisation.website) == (
        "Stichting Fonds Lokale Energie", "financier", "https://fondslokaal.example")
    application = reload(application)
    assert application.status == "approved"
    assert application.decided_by_id == moderator.id and application.decided_at is not None
    assert application.organisation_id == organisation.id
    [token] = tokens()
    assert token.email == "marieke@fonds.example"
    assert token.payload == {"application_id": application.id, "organisation_id": organisation.id,
                             "lab_slugs": ["financelab"]}
    assert timedelta(days=6, hours=23) < token.expires_at - utcnow() <= timedelta(days=7)
    [mail] = outbox("marieke@fonds.example")
    assert "Stichting Fonds Lokale Energie" in mail.body_text and "Financelab" in mail.body_text
    assert link_from(mail, "/uitnodiging/partner/")
    [entry] = audit("partner.approve")
    assert entry.actor_id == moderator.id and entry.target_id == application.id
    assert entry.details["organisation_created"] is True and entry.details["lab_slugs"] == ["financelab"]


def test_a_second_moderator_on_a_stale_page_changes_nothing(moderator):
    other = make_user(email="mod2@example.org", name="Tweede", role="moderator")
    application = make_application()
    stale = db.session.get(PartnerApplication, application.id)
    # The other moderator decides first (in another request).
    db.session.execute(db.update(PartnerApplication).where(PartnerApplication.id == application.id)
                       .values(status="refused", decided_by_id=other.id, decided_at=utcnow())
                       .execution_options(synchronize_session=False))
    assert stale.status == "pending"  # this page still thinks so
    assert services.approve_application(moderator, stale, ["financelab"],
                                        new_organisation={"name": "X", "kind": "financier"}) is None
    assert services.refuse_application(moderator, stale, "Nee") is False
    db.session.commit()
    assert organisations() == [] and tokens() == [] and outbox() == []
    assert audit("partner.approve") == [] and audit("partner.refuse") == []


def test_an_existing_organisation_with_a_similar_name_is_offered_and_reused(client, moderator):
    existing = make_organisation("STICHTING fonds lokale energie", kind="financier")
    make_organisation("Iets Heel Anders", kind="overheid")
    application = make_application(lab_slugs=["financelab"])
    login(client, moderator.email)
    page = text(client.get(f"/beheer/partners/{application.id}"))
    assert "Bestaande organisatie: STICHTING fonds lokale energie" in page
    assert "Iets Heel Anders" not in page
    assert f'value="{existing.id}" checked' in page  # the candidate is the default

    response = submit(client, f"/beheer/partners/{application.id}/goedkeuren",
                      approve_data(organisation=str(existing.id), labs=["financelab", "sciencelab"]),
                      page=f"/beheer/partners/{application.id}")
    assert response.status_code == 302
    assert len(organisations()) == 2  # nothing new
    assert reload(application).organisation_id == existing.id
    [token] = tokens()
    assert token.payload["organisation_id"] == existing.id
    assert token.payload["lab_slugs"] == ["financelab", "sciencelab"]
    [entry] = audit("partner.approve")
    assert entry.details["organisation_created"] is False


def test_candidates_are_found_case_insensitively():
    fonds = make_organisation("Rabo Fonds")
    make_organisation("Gemeente Utrecht", kind="overheid")
    assert services.organisation_candidates("rabo fonds") == [fonds]
    assert services.organisation_candidates("Het Rabo Fonds Nederland") == [fonds]
    assert services.organisation_candidates("Provincie Zeeland") == []


def test_the_moderator_can_change_the_labs_and_the_new_organisation(client, moderator):
    application = make_application(lab_slugs=["financelab"])
    login(client, moderator.email)
    response = submit(client, f"/beheer/partners/{application.id}/goedkeuren",
                      approve_data(name="Fonds Lokaal", kind="netwerkorganisatie", website="",
                                   labs=["netwerklab", "sciencelab"]),
                      page=f"/beheer/partners/{application.id}")
    assert response.status_code == 302
    [organisation] = organisations()
    assert (organisation.name, organisation.kind, organisation.website) == ("Fonds Lokaal", "netwerkorganisatie", None)
    assert tokens()[0].payload["lab_slugs"] == ["sciencelab", "netwerklab"]
    assert reload(application).lab_slugs == ["sciencelab", "netwerklab"]


@pytest.mark.parametrize("overrides, message", [
    ({"labs": []}, "Kies minstens één lab."),
    ({"labs": ["geheimlab"]}, "Kies labs uit de lijst."),
    ({"name": ""}, "Vul de naam van de organisatie in."),
    ({"name": "x" * 151}, "2 tot 150 tekens"),
    ({"kind": "bedrijf"}, "Kies wat voor organisatie het is."),
    ({"website": "javascript:alert(1)"}, "Vul een geldig webadres in"),
    ({"organisation": "987654321"}, "Deze organisatie bestaat niet meer."),
    ({"organisation": "drop table"}, "Kies een bestaande organisatie of maak een nieuwe aan."),
    ({"organisation": ""}, "Kies een bestaande organisatie of maak een nieuwe aan."),
])
def test_approving_with_bad_input_explains_and_changes_nothing(client, moderator, overrides, message):
    application = make_application()
    login(client, moderator.email)
    response = submit(client, f"/beheer/partners/{application.id}/goedkeuren", approve_data(**overrides),
                      page=f"/beheer/partners/{application.id}")
    assert response.status_code == 400
    assert message in text(response)
    assert reload(application).status == "pending"
    assert organisations() == [] and tokens() == [] and outbox() == []


def test_new_organisation_fields_do_not_matter_when_reusing_one(client, moderator):
    existing = make_organisation("Fonds")
    application = make_application(organisation_name="Fonds")
    login(client, moderator.email)
    response = submit(client, f"/beheer/partners/{application.id}/goedkeuren",
                      approve_data(organisation=str(existing.id), name="", kind="", website="x y"),
                      page=f"/beheer/partners/{application.id}")
    assert response.status_code == 302
    assert organisations() == [existing]


def test_hostile_approvals_never_give_a_500(client, moderator):
    application = make_application()
    login(client, moderator.email)
    token = csrf_token(client, f"/beheer/partners/{application.id}")
    path = f"/beheer/partners/{application.id}/goedkeuren"
    for data in ({}, {"organisation": ["nieuw", "1"]}, {"labs": "x" * 100_000},
                 {"organisation": "9" * 400, "labs": ["financelab"] * 500},
                 {"name": "\x00", "kind": ["a", "b"], "website": "https://[", "labs": ["financelab"],
                  "organisation": "nieuw"}):
        response = client.post(path, data=dict(data, csrf_token=token))
        assert response.status_code == 400
    for data in ({}, {"reason": ["", "b"]}, {"reason": "\x00"}, {"reason": "r" * 2001}):
        response = client.post(f"/beheer/partners/{application.id}/afwijzen", data=dict(data, csrf_token=token))
        assert response.status_code == 400
    assert reload(application).status == "pending" and organisations() == []


# -- refusing ----------------------------------------------------------------------------------

def test_refusing_needs_a_reason(client, moderator):
    application = make_application()
    login(client, moderator.email)
    response = submit(client, f"/beheer/partners/{application.id}/afwijzen", {"reason": "  "},
                      page=f"/beheer/partners/{application.id}")
    assert response.status_code == 400
    assert "Schrijf waarom de aanvraag wordt afgewezen." in text(response)
    assert reload(application).status == "pending" and outbox() == []


def test_refusing_e_mails_the_reason_and_is_audited(client, moderator):
    application = make_application(organisation_name="Zonnepanelen Verkoop BV")
    login(client, moderator.email)
    reason = "Jullie willen zonnepanelen verkopen aan collectieven.\nDaar is het platform niet voor."
    response = submit(client, f"/beheer/partners/{application.id}/afwijzen", {"reason": reason},
                      page=f"/beheer/partners/{application.id}")
    assert response.status_code == 302
    application = reload(application)
    assert application.status == "refused" and application.refusal_reason == reason
    assert application.decided_by_id == moderator.id
    [mail] = outbox("marieke@fonds.example")
    assert reason in mail.body_text and "Zonnepanelen Verkoop BV" in mail.body_text
    assert "Daar is het platform niet voor." in mail.body_html
    [entry] = audit("partner.refuse")
    assert entry.actor_id == moderator.id and entry.target_id == application.id
    assert "Zonnepanelen Verkoop BV" in entry.summary
    assert tokens() == [] and organisations() == []
    # The decided application shows its reason and no forms any more.
    page = text(client.get(f"/beheer/partners/{application.id}"))
    assert "Daar is het platform niet voor." in page and "/goedkeuren" not in page
    again = submit(client, f"/beheer/partners/{application.id}/goedkeuren", approve_data(),
                   page="/beheer/partners", follow_redirects=True)
    assert ALREADY in text(again) and organisations() == []


def test_the_detail_page_warns_about_an_existing_account(client, moderator):
    make_user(email="marieke@fonds.example", name="Marieke", role="moderator")
    earlier = make_application(organisation_name="Fonds Vroeger", status="refused")
    application = make_application()
    login(client, moderator.email)
    page = text(client.get(f"/beheer/partners/{application.id}"))
    assert "Er bestaat al een account met marieke@fonds.example" in page
    assert "Andere aanvragen van dit adres of deze organisatie" in page
    assert f"/beheer/partners/{earlier.id}" in page and "Fonds Vroeger" in page


# -- the invitation ----------------------------------------------------------------------------

def accept(client, path, name="Marieke de Jong", password=NEW_PASSWORD, confirm=None, page=None):
    return submit(client, path, {"name": name, "password": password,
                                 "confirm": password if confirm is None else confirm}, page=page)


def test_the_invitation_creates_a_logged_in_partner_in_the_right_labs(client):
    organisation, path = invite(lab_slugs=("financelab", "overheidslab"))
    page = text(client.get(path))
    assert organisation.name in page and "Financelab" in page and "Overheidslab" in page
    assert "Sciencelab" not in page
    assert 'value="Marieke de Jong"' in page and "marieke@fonds.example" in page

    response = accept(client, path, name="Marieke de Jong-Bakker")
    assert response.status_code == 302 and response.headers["Location"].endswith("/labs")
    db.session.expire_all()
    user = User.find_by_email("marieke@fonds.example")
    assert user.name == "Marieke de Jong-Bakker"
    assert user.role == "partner" and user.is_partner
    assert user.partner_organisation_id == organisation.id
    assert [lab.slug for lab in user.labs] == ["financelab", "overheidslab"]
    assert user.email_verified and user.check_password(NEW_PASSWORD)
    assert user.research_access is False
    assert current_email(client) == "marieke@fonds.example"
    assert tokens()[0].used_at is not None
    [entry] = audit("partner.invitation_accept")
    assert entry.actor_id == user.id and organisation.name in entry.summary


def test_the_invitation_works_once(client, app):
    _, path = invite()
    assert accept(client, path).status_code == 302
    other = isolated_client(app)
    response = other.get(path)
    assert response.status_code == 400 and INVALID in text(response)
    token = csrf_token(other, "/inloggen")
    response = other.post(path, data={"name": "Iemand", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                      "csrf_token": token})
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count()).select_from(User)
                              .where(User.email == "marieke@fonds.example")).scalar_one() == 1


def test_an_expired_invitation_is_refused(client):
    _, path = invite()
    [token] = tokens()
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 400 and INVALID in text(response)
    assert accept(client, path, page="/inloggen").status_code == 400
    assert User.find_by_email("marieke@fonds.example") is None


@pytest.mark.parametrize("token", ["onzin", "x" * 5000, "%00", "<script>"])
def test_unknown_invitations_are_refused(client, token):
    invite()
    response = client.get("/uitnodiging/partner/" + token)
    assert response.status_code in (400, 404)
    assert "<script>" not in text(response)


def test_a_representative_invitation_token_is_no_partner_invitation(client):
    from app.tokens import issue_token

    raw = issue_token("invite-representative", email="x@example.org",
                      payload={"organisation_id": 1, "lab_slugs": ["financelab"]}, lifetime=timedelta(days=1))
    db.session.commit()
    assert client.get(f"/uitnodiging/partner/{raw}").status_code == 400


def test_an_invitation_whose_organisation_is_gone_is_refused(client):
    organisation, path = invite()
    db.session.execute(db.update(PartnerApplication).values(organisation_id=None))
    db.session.execute(db.delete(PartnerOrganisation).where(PartnerOrganisation.id == organisation.id))
    db.session.commit()
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("password, confirm, message", [
    ("wachtwoord123", None, "door veel mensen gebruikt"),
    ("kort", None, "minstens 10 tekens"),
    (NEW_PASSWORD, "iets-anders-helemaal", "niet gelijk"),
    ("marieke@fonds.example", None, "lijkt te veel op je e-mailadres"),
])
def test_weak_passwords_are_refused_and_the_link_keeps_working(client, password, confirm, message):
    _, path = invite()
    response = accept(client, path, password=password, confirm=confirm)
    assert response.status_code == 400 and message in text(response)
    assert User.find_by_email("marieke@fonds.example") is None
    assert accept(client, path).status_code == 302


def test_hostile_acceptance_never_gives_a_500(client):
    _, path = invite()
    token = csrf_token(client, path)
    for data in ({}, {"name": ["a", "b"], "password": "x" * 100_000},
                 {"name": "\x00", "password": NEW_PASSWORD, "confirm": ["a", "b"]},
                 {"name": "n" * 121, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}):
        response = client.post(path, data=dict(data, csrf_token=token))
        assert response.status_code == 400
    assert User.find_by_email("marieke@fonds.example") is None


# -- an address that already has an account ----------------------------------------------------

def test_an_existing_member_logs_in_and_links_the_account(client):
    member = make_user(email="marieke@fonds.example", name="Marieke")
    organisation, path = invite(lab_slugs=("sciencelab",))
    page = text(client.get(path))
    assert "Er bestaat al een account" in page and "Inloggen" in page
    # Posting a new account anyway creates nothing: the login is asked for again.
    assert accept(client, path, page="/inloggen").status_code == 200
    login(client, member.email)
    page = text(client.get(path))
    assert "Koppel mijn account" in page
    response = submit(client, path, {"submit": "Koppel mijn account"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/labs")
    [user] = db.session.execute(db.select(User).where(User.email == "marieke@fonds.example")).scalars().all()
    db.session.refresh(user)
    assert user.id == member.id and user.role == "partner"
    assert user.partner_organisation_id == organisation.id
    assert [lab.slug for lab in user.labs] == ["sciencelab"]
    assert user.check_password(PASSWORD)  # the same account, its own password
    assert tokens()[0].used_at is not None
    [entry] = audit("partner.invitation_accept")
    assert entry.details["existing_account"] is True
    assert client.get(path).status_code == 400


def test_an_existing_partner_of_the_organisation_gets_the_extra_labs(client):
    organisation, path = invite(lab_slugs=("sciencelab",))
    partner = make_partner(email="marieke@fonds.example", labs=("financelab",), organisation=organisation)
    login(client, partner.email)
    assert submit(client, path, {"submit": "Koppel mijn account"}).status_code == 302
    partner = reload(partner)
    assert [lab.slug for lab in partner.labs] == ["financelab", "sciencelab"]


@pytest.mark.parametrize("kind", ["moderator", "collective member", "other organisation"])
def test_some_accounts_cannot_be_linked(client, kind):
    from tests.factories import make_collective

    if kind == "moderator":
        person = make_user(email="marieke@fonds.example", role="moderator")
    elif kind == "collective member":
        collective = make_collective()
        person = make_user(email="marieke@fonds.example", collective_id=collective.id)
    else:
        person = make_partner(email="marieke@fonds.example", organisation=make_organisation("Andere Bank"))
    role_before, organisation_before = person.role, person.partner_organisation_id
    _, path = invite()
    login(client, person.email)
    page = text(client.get(path))
    assert "kan niet automatisch als partner worden gekoppeld" in page
    response = submit(client, path, {"submit": "Koppel mijn account"}, page="/account")
    assert response.status_code == 200
    person = reload(person)
    assert person.role == role_before and person.partner_organisation_id == organisation_before
    assert tokens()[0].used_at is None


def test_logged_in_as_someone_else_is_asked_to_log_out(client):
    make_user(email="marieke@fonds.example", name="Marieke")
    make_user(email="ander@example.org", name="Ander")
    _, path = invite()
    login(client, "ander@example.org")
    page = text(client.get(path))
    assert "Je bent nu ingelogd met een ander account" in page
    response = submit(client, path, {"submit": "Koppel mijn account"}, page="/account")
    assert response.status_code == 200
    assert User.find_by_email("marieke@fonds.example").role == "member"
    assert User.find_by_email("ander@example.org").role == "member"


# -- organisations, research access, labs ------------------------------------------------------

def test_the_organisations_page_lists_partners_and_their_labs(client, moderator, admin_user):
    bank = make_organisation("Bank voor de Buurt")
    uni = make_organisation("Universiteit Oost", kind="kennisinstelling")
    make_organisation("Nog Leeg")
    make_partner("pim@bank.example", "Pim", ("financelab",), bank)
    scientist = make_partner("sara@uni.example", "Sara", ("sciencelab", "netwerklab"), uni)
    login(client, moderator.email)
    page = text(client.get("/beheer/partners/organisaties"))
    for value in ("Bank voor de Buurt", "Universiteit Oost", "Kennisinstelling", "Pim", "Sara",
                  "sara@uni.example", "Nog Leeg", "Nog geen partners met een account", "Uit lab halen"):
        assert value in page
    assert page.index("Universiteit Oost") < page.index("Sara") < page.index("<span>Netwerklab</span>")
    assert f"/beheer/partners/{scientist.id}/onderzoekstoegang" not in page  # moderators: no toggle

    admin = isolated_client(client.application)
    login(admin, admin_user.email)
    page = text(admin.get("/beheer/partners/organisaties"))
    assert f"/beheer/partners/{scientist.id}/onderzoekstoegang" in page
    assert "Toegang geven" in page


def test_the_organisations_page_makes_the_same_queries_however_many_partners(client, moderator):
    login(client, moderator.email)
    bank = make_organisation("Bank")
    make_partner("p0@bank.example", "P0", ("financelab",), bank)

    def count_queries():
        statements = []

        def record_statement(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record_statement)
        try:
            assert client.get("/beheer/partners/organisaties").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record_statement)
        return len(statements)

    few = count_queries()
    for number in range(1, 8):
        organisation = make_organisation(f"Organisatie {number}")
        make_partner(f"p{number}@x.example", f"P{number}", ("financelab", "sciencelab"), organisation)
    assert count_queries() == few


def test_an_admin_gives_and_takes_research_access_audited(client, admin_user):
    scientist = make_partner("sara@uni.example", "Sara", ("sciencelab",))
    login(client, admin_user.email)
    path = f"/beheer/partners/{scientist.id}/onderzoekstoegang"
    response = submit(client, path, {"grant": "aan"}, page="/beheer/partners/organisaties")
    assert response.status_code == 302
    assert reload(scientist).research_access is True
    submit(client, path, {"grant": "aan"}, page="/beheer/partners/organisaties")  # a double click
    [entry] = audit("partner.research_access")
    assert entry.actor_id == admin_user.id and entry.target_id == scientist.id
    assert entry.details == {"granted": True}
    assert submit(client, path, {"grant": "uit"}, page="/beheer/partners/organisaties").status_code == 302
    assert reload(scientist).research_access is False
    assert [e.details["granted"] for e in audit("partner.research_access")] == [True, False]


def test_moderators_cannot_give_research_access(client, moderator):
    scientist = make_partner("sara@uni.example", "Sara", ("sciencelab",))
    login(client, moderator.email)
    response = submit(client, f"/beheer/partners/{scientist.id}/onderzoekstoegang", {"grant": "aan"},
                      page="/beheer/partners/organisaties")
    assert response.status_code == 403
    assert reload(scientist).research_access is False and audit("partner.research_access") == []


def test_research_access_is_only_for_sciencelab_partners(client, admin_user):
    banker = make_partner("pim@bank.example", "Pim", ("financelab",))
    login(client, admin_user.email)
    response = submit(client, f"/beheer/partners/{banker.id}/onderzoekstoegang", {"grant": "aan"},
                      page="/beheer/partners/organisaties", follow_redirects=True)
    assert "alleen voor partners van het Sciencelab" in text(response)
    assert reload(banker).research_access is False and audit("partner.research_access") == []
    for data in ({"grant": "misschien"}, {"grant": ["aan", "uit"]}, {}):
        response = submit(client, f"/beheer/partners/{banker.id}/onderzoekstoegang", data,
                          page="/beheer/partners/organisaties")
        assert response.status_code == 302
    assert reload(banker).research_access is False
    member = make_user(email="lid@example.org")
    response = submit(client, f"/beheer/partners/{member.id}/onderzoekstoegang", {"grant": "aan"},
                      page="/beheer/partners/organisaties")
    assert response.status_code == 404


def test_a_moderator_removes_a_partner_from_a_lab(client, moderator):
    scientist = make_partner("sara@uni.example", "Sara", ("sciencelab", "netwerklab"))
    scientist.research_access = True
    db.session.commit()
    login(client, moderator.email)
    response = submit(client, f"/beheer/partners/{scientist.id}/labs/sciencelab/verwijderen", {},
                      page="/beheer/partners/organisaties", follow_redirects=True)
    assert "geen partner meer van het Sciencelab" in text(response)
    scientist = reload(scientist)
    assert [lab.slug for lab in scientist.labs] == ["netwerklab"]
    assert scientist.research_access is False  # research access belongs to the Sciencelab
    [entry] = audit("partner.remove_from_lab")
    assert entry.actor_id == moderator.id and entry.details == {"lab": "sciencelab"}
    assert "onderzoekstoegang ingetrokken" in entry.summary
    # Again: nothing to remove, a clear message, no second entry.
    response = submit(client, f"/beheer/partners/{scientist.id}/labs/sciencelab/verwijderen", {},
                      page="/beheer/partners/organisaties", follow_redirects=True)
    assert "geen partner van het Sciencelab" in text(response)
    assert len(audit("partner.remove_from_lab")) == 1
    response = submit(client, f"/beheer/partners/{scientist.id}/labs/{'x' * 300}/verwijderen", {},
                      page="/beheer/partners/organisaties")
    assert response.status_code == 404


def test_a_moderator_adds_a_partner_to_a_lab_again(client, moderator):
    banker = make_partner("pim@bank.example", "Pim", ("financelab",))
    login(client, moderator.email)
    page = text(client.get("/beheer/partners/organisaties"))
    assert f"/beheer/partners/{banker.id}/labs/overheidslab/toevoegen" in page
    assert f"/beheer/partners/{banker.id}/labs/financelab/toevoegen" not in page
    response = submit(client, f"/beheer/partners/{banker.id}/labs/overheidslab/toevoegen", {},
                      page="/beheer/partners/organisaties", follow_redirects=True)
    assert "nu ook partner van het Overheidslab" in text(response)
    assert [lab.slug for lab in reload(banker).labs] == ["financelab", "overheidslab"]
    [entry] = audit("partner.add_to_lab")
    assert entry.actor_id == moderator.id and entry.details == {"lab": "overheidslab"}
    response = submit(client, f"/beheer/partners/{banker.id}/labs/overheidslab/toevoegen", {},
                      page="/beheer/partners/organisaties", follow_redirects=True)
    assert "al partner van het Overheidslab" in text(response)
    assert len(audit("partner.add_to_lab")) == 1


def test_members_cannot_change_labs(client):
    banker = make_partner("pim@bank.example", "Pim", ("financelab",))
    make_user(email="lid@example.org")
    login(client, "lid@example.org")
    for path in (f"/beheer/partners/{banker.id}/labs/sciencelab/toevoegen",
                 f"/beheer/partners/{banker.id}/labs/financelab/verwijderen"):
        assert submit(client, path, {}, page="/account").status_code == 403
    assert [lab.slug for lab in reload(banker).labs] == ["financelab"]


# -- the service the demo data and other features use ------------------------------------------

def test_create_partner_makes_a_verified_partner_in_the_labs():
    organisation = make_organisation("Gemeente Zeist", kind="overheid")
    user = services.create_partner(organisation, "Olga", " Olga@Zeist.Example ", PASSWORD,
                                   ["overheidslab", "netwerklab"])
    db.session.commit()
    user = reload(user)
    assert user.email == "olga@zeist.example" and user.role == "partner" and user.email_verified
    assert user.partner_organisation.name == "Gemeente Zeist"
    assert [lab.slug for lab in user.labs] == ["overheidslab", "netwerklab"]
    assert user in lab("overheidslab").partners
    with pytest.raises(ValueError):
        services.create_partner(organisation, "X", "x@zeist.example", PASSWORD, ["nietbestaandlab"])


def test_partner_badge_shows_the_organisation(app):
    organisation = make_organisation("Universiteit Oost", kind="kennisinstelling")
    partner = make_partner("sara@uni.example", "Sara", ("sciencelab",), organisation)
    member = make_user(email="lid@example.org")
    earlier = make_organisation("Vorige Werkgever")
    template = '{% from "_macros/partner.html" import partner_badge %}[{{ partner_badge(person, organisation) }}]'
    with app.test_request_context():
        shown = render_template_string(template, person=partner, organisation=None)
        assert "Partner" in shown and "Universiteit Oost" in shown
        assert render_template_string(template, person=member, organisation=None) == "[]"
        snapshot = render_template_string(template, person=partner, organisation=earlier)
        assert "Vorige Werkgever" in snapshot and "Universiteit Oost" not in snapshot
        assert "Vorige Werkgever" in render_template_string(template, person=None, organisation=earlier)
        evil = make_organisation("<b>Fonds</b>")
        assert "&lt;b&gt;" in render_template_string(template, person=None, organisation=evil)
