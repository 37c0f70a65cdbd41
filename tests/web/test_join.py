"""Joining a collective: register, verify, ask, and the representative's or moderator's decision."""
import pytest

from app.extensions import db
from app.models.audit import AuditLog
from app.models.collectives import JOIN_APPROVED, JOIN_DECLINED, JOIN_PENDING, JOIN_WITHDRAWN
from tests.factories import PASSWORD, make_collective, make_user, member_of
from tests.fixtures.collectives import join_requests
from tests.support import (
    csrf_token, handle_account_requests, isolated_client, link_from, login, outbox, reload, submit,
    text,
)

DETAIL = "/collectieven/windvang"
DASHBOARD = "/collectieven/windvang/dashboard"
JOIN = "/collectieven/windvang/lid-worden"
WITHDRAW = "/collectieven/windvang/aanvraag-intrekken"


@pytest.fixture
def windvang():
    collective = make_collective("De Windvang", slug="windvang")
    member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    return collective


@pytest.fixture
def person(client, windvang):
    """A verified person without a collective, logged in on `client`."""
    user = make_user(email="bas@example.org", name="Bas Buurman")
    login(client, "bas@example.org")
    return user


def ask(client, message="", url=JOIN):
    return submit(client, url, {"message": message}, page=DETAIL)


def decide(client, request_id, decision, slug="windvang"):
    return submit(client, f"/collectieven/{slug}/aanvragen/{request_id}", {"decision": decision},
                  page=f"/collectieven/{slug}/dashboard")


def rep_client(app, email="rep@example.org"):
    other = isolated_client(app)
    login(other, email)
    return other


def flashes(client, url=DETAIL):
    return text(client.get(url))


# -- the whole journey -----------------------------------------------------------------------------

def test_visitor_registers_verifies_asks_and_is_approved(app, client, windvang):
    page = text(client.get(DETAIL))
    assert "Maak een account aan en vraag lidmaatschap aan" in page
    assert 'action="/collectieven/windvang/lid-worden"' not in page

    # Register, follow the link from the e-mail, log in and come back to the collective.
    response = submit(client, "/registreren", {"name": "Bas Buurman", "email": "bas@example.org",
                                               "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200
    handle_account_requests()  # the worker creates the account and sends the link
    verify = link_from(outbox("bas@example.org")[-1], "/e-mailadres-bevestigen/")
    assert client.get(verify).status_code == 302
    response = submit(client, "/inloggen?next=" + DETAIL,
                      {"email": "bas@example.org", "password": PASSWORD, "next": DETAIL})
    assert response.headers["Location"] == DETAIL
    page = text(client.get(DETAIL))
    assert 'action="/collectieven/windvang/lid-worden"' in page
    assert "Bericht aan de vertegenwoordiger" in page

    response = ask(client, "Ik woon in de straat <b>van</b> de molen.")
    assert response.status_code == 302 and response.headers["Location"] == DETAIL
    page = text(client.get(DETAIL))
    assert "Je aanvraag is verstuurd." in page
    assert "wacht op goedkeuring" in page and "Aanvraag intrekken" in page
    (join_request,) = join_requests()
    assert join_request.status == JOIN_PENDING and join_request.collective_id == windvang.id
    assert join_request.message == "Ik woon in de straat <b>van</b> de molen."

    # Not a member yet: no member rights.
    bas = reload(join_request.user)
    assert bas.collective_id is None and not bas.is_collective_member
    assert client.get(DASHBOARD).status_code == 403

    # The representative is e-mailed, opens the dashboard from the link and approves.
    (mail,) = outbox("rep@example.org")
    assert "Bas Buurman wil lid worden van De Windvang" == mail.subject
    assert "bas@example.org" in mail.body_text and "de straat <b>van</b> de molen" in mail.body_text
    assert "&lt;b&gt;van&lt;/b&gt;" in mail.body_html and "<b>van</b>" not in mail.body_html
    rep = rep_client(app)
    dashboard = link_from(mail, "/collectieven/")
    assert dashboard == DASHBOARD
    page = text(rep.get(dashboard))
    assert "Aanvragen om lid te worden (1)" in page and "Bas Buurman" in page
    assert f'action="/collectieven/windvang/aanvragen/{join_request.id}"' in page
    response = decide(rep, join_request.id, "approve")
    assert response.status_code == 302
    assert "Bas Buurman is nu lid van De Windvang" in text(rep.get(DASHBOARD))

    bas = reload(bas)
    assert bas.collective_id == windvang.id and bas.role == "member" and bas.is_collective_member
    assert join_requests()[0].status == JOIN_APPROVED
    assert join_requests()[0].decided_by_id is not None
    (approved,) = [m for m in outbox("bas@example.org") if m.subject.startswith("Je bent nu lid")]
    assert link_from(approved, "/collectieven/") == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert "Je bent lid van De Windvang" in text(client.get(DETAIL))
    assert db.session.execute(db.select(AuditLog)).scalars().all() == []  # not a moderator


def test_decline_keeps_the_person_out_and_tells_them(app, client, person):
    ask(client)
    rep = rep_client(app)
    response = decide(rep, join_requests()[0].id, "decline")
    assert response.status_code == 302
    assert "De aanvraag van Bas Buurman is afgewezen" in text(rep.get(DASHBOARD))
    assert join_requests()[0].status == JOIN_DECLINED
    assert reload(person).collective_id is None
    (mail,) = [m for m in outbox("bas@example.org") if "aanvraag bij De Windvang" in m.subject]
    assert "niet goedgekeurd" in mail.body_text
    assert client.get(DASHBOARD).status_code == 403
    # They may ask again later (a new request).
    assert 'action="/collectieven/windvang/lid-worden"' in text(client.get(DETAIL))


def test_withdraw_a_pending_request(app, client, person):
    ask(client)
    response = submit(client, WITHDRAW, {}, page=DETAIL)
    assert response.status_code == 302
    assert "Je aanvraag is ingetrokken." in flashes(client)
    assert join_requests()[0].status == JOIN_WITHDRAWN
    assert "Aanvragen om lid te worden" not in text(rep_client(app).get(DASHBOARD))
    # Withdrawing again changes nothing; deciding a withdrawn request neither.
    submit(client, WITHDRAW, {}, page=DETAIL)
    assert "geen openstaande aanvraag" in flashes(client)
    decide(rep_client(app), join_requests()[0].id, "approve")
    assert join_requests()[0].status == JOIN_WITHDRAWN
    assert reload(person).collective_id is None


def test_one_pending_request_at_a_time(client, person, windvang):
    make_collective("Het Zonnedak", slug="zonnedak")
    make_user(email="zon@example.org", role="representative",
              collective_id=make_collective("Ander", slug="ander").id)
    ask(client, "eerste")
    ask(client, "tweede")
    assert "Je hebt al gevraagd om lid te worden van dit collectief" in flashes(client)
    ask(client, url="/collectieven/zonnedak/lid-worden")
    page = flashes(client)
    assert "Je hebt al een aanvraag lopen bij De Windvang" in page
    assert [r.message for r in join_requests()] == ["eerste"]
    # The other collective's page points at the open request instead of offering a form.
    page = text(client.get("/collectieven/zonnedak"))
    assert "Je hebt al een aanvraag lopen bij" in page
    assert 'action="/collectieven/zonnedak/lid-worden"' not in page
    assert len(outbox("rep@example.org")) == 1


def test_deciding_twice_changes_nothing(app, client, person):
    ask(client)
    rep = rep_client(app)
    request_id = join_requests()[0].id
    decide(rep, request_id, "approve")
    response = decide(rep, request_id, "decline")
    assert response.status_code == 302
    assert "Over deze aanvraag is al besloten" in text(rep.get(DASHBOARD))
    assert join_requests()[0].status == JOIN_APPROVED
    assert reload(person).collective_id is not None
    assert [m.subject for m in outbox("bas@example.org")] == ["Je bent nu lid van De Windvang"]


def test_unverified_person_is_asked_to_verify_first(client, windvang):
    make_user(email="nieuw@example.org", verified=False)
    login(client, "nieuw@example.org")
    page = text(client.get(DETAIL))
    assert "Bevestig eerst je e-mailadres" in page
    assert 'action="/collectieven/windvang/lid-worden"' not in page
    token = csrf_token(client, DETAIL)
    response = client.post(JOIN, data={"csrf_token": token, "message": ""})
    assert response.status_code == 302
    assert "Bevestig eerst je e-mailadres" in flashes(client)
    assert join_requests() == []


def test_visitor_posting_join_is_sent_to_login(client, windvang):
    token = csrf_token(client, "/inloggen")
    response = client.post(JOIN, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen?next=/collectieven/windvang"
    assert join_requests() == []


def test_without_representative_the_moderators_are_asked(app, client, moderator, admin_user):
    make_collective("Zonder Rep", slug="zonder-rep")
    make_user(email="weg@example.org", role="moderator", status="suspended")
    make_user(email="bas@example.org", name="Bas Buurman")
    login(client, "bas@example.org")
    ask(client, url="/collectieven/zonder-rep/lid-worden")
    assert {m.recipient for m in outbox() if "wil lid worden" in m.subject} == {
        moderator.email, admin_user.email}
    mail = outbox(moderator.email)[0]
    assert "nog geen vertegenwoordiger" in mail.body_text
    # A moderator decides; that is audited.
    mod = rep_client(app, moderator.email)
    assert "Bas Buurman" in text(mod.get("/collectieven/zonder-rep/dashboard"))
    decide(mod, join_requests()[0].id, "approve", slug="zonder-rep")
    assert join_requests()[0].status == JOIN_APPROVED
    entry = db.session.execute(db.select(AuditLog)).scalar_one()
    assert entry.action == "join_request.approve" and entry.actor_id == moderator.id
    assert "Bas Buurman" in entry.summary


def test_moderator_decline_is_audited(app, client, person, moderator):
    ask(client)
    decide(rep_client(app, moderator.email), join_requests()[0].id, "decline")
    entry = db.session.execute(db.select(AuditLog)).scalar_one()
    assert entry.action == "join_request.decline" and entry.target_type == "join_requests"


def test_request_of_another_collective_or_unknown_is_404(app, client, person):
    ask(client)
    other = make_collective("Ander", slug="ander")
    member_of(other, "rep2@example.org", role="representative")
    rep2 = rep_client(app, "rep2@example.org")
    request_id = join_requests()[0].id
    assert decide(rep2, request_id, "approve", slug="ander").status_code == 404
    rep = rep_client(app)
    for bad in (999, 2**31, 10**30):
        assert decide(rep, bad, "approve").status_code == 404
    assert rep.post(f"/collectieven/windvang/aanvragen/-1").status_code in (400, 404)
    assert join_requests()[0].status == JOIN_PENDING


@pytest.mark.parametrize("decision", ["", "yes", "APPROVE", "approve\x00", "<b>x</b>"])
def test_invalid_decision_changes_nothing(app, client, person, decision):
    ask(client)
    rep = rep_client(app)
    response = decide(rep, join_requests()[0].id, decision)
    assert response.status_code == 302
    assert "Kies of je de aanvraag goedkeurt of afwijst." in text(rep.get(DASHBOARD))
    assert join_requests()[0].status == JOIN_PENDING


def test_approval_refused_when_the_person_joined_elsewhere(app, client, person):
    ask(client)
    elsewhere = make_collective("Elders", slug="elders")
    person = reload(person)
    person.collective_id = elsewhere.id
    db.session.commit()
    rep = rep_client(app)
    decide(rep, join_requests()[0].id, "approve")
    assert "inmiddels lid van een ander collectief" in text(rep.get(DASHBOARD))
    assert reload(person).collective_id == elsewhere.id
    assert join_requests()[0].status == JOIN_PENDING


@pytest.mark.parametrize("message, error", [
    ("x" * 1001, "hoogstens 1000 tekens"),
    ("nul\x00byte", "onzichtbare tekens"),
    ("omgekeerd\u202etekst", "onzichtbare tekens"),
])
def test_bad_join_message_gets_a_dutch_message(client, person, message, error):
    response = ask(client, message)
    assert response.status_code == 400
    assert error in text(response) and 'aria-invalid="true"' in text(response)
    assert join_requests() == []
    assert outbox("rep@example.org") == []


def test_join_message_with_line_breaks_and_odd_shapes(client, person):
    token = csrf_token(client, DETAIL)
    response = client.post(JOIN, data={"csrf_token": token, "message": ["a\r\nb", "c"]})
    assert response.status_code == 302
    assert join_requests()[0].message == "a\nb"
    # Without a CSRF token nothing happens.
    submit(client, WITHDRAW, {}, page=DETAIL)
    assert client.post(JOIN, data={"message": "x"}).status_code == 400
    assert len(join_requests()) == 1


def test_staff_partners_and_members_elsewhere_cannot_ask(app, windvang):
    other = make_collective("Ander", slug="ander")
    make_user(email="partner@example.org", role="partner")
    make_user(email="mod@example.org", role="moderator")
    member_of(other, "elders@example.org")
    for email, note in (("partner@example.org", "als partner"), ("mod@example.org", "als moderator"),
                        ("elders@example.org", "al lid van een ander collectief")):
        client = rep_client(app, email)
        assert note in text(client.get(DETAIL))
        token = csrf_token(client, DETAIL)
        assert client.post(JOIN, data={"csrf_token": token}).status_code == 403
    assert join_requests() == []


def test_member_asking_again_is_sent_to_the_dashboard(app, windvang):
    member_of(windvang, "lid@example.org")
    client = rep_client(app, "lid@example.org")
    response = submit(client, JOIN, {}, page=DETAIL)
    assert response.headers["Location"] == DASHBOARD
    assert join_requests() == []


def test_join_is_rate_limited(client, person):
    for _ in range(10):
        assert ask(client).status_code == 302
    response = ask(client)
    assert response.status_code == 429
    assert "Even rustig aan" in text(response)
    assert len(join_requests()) == 1


def test_decision_on_a_stale_copy_changes_nothing(client, person, windvang):
    """Two deciders at once: the second one's copy still says pending, the database does not."""
    from app.collectives import services
    from app.models.collectives import JoinRequest

    ask(client)
    rep = db.session.execute(db.select(type(person)).where(type(person).email == "rep@example.org")
                             ).scalar_one()
    request_id = join_requests()[0].id
    mails_before = len(outbox())  # (reading the outbox refreshes every loaded row: do it first)
    join_request = db.session.get(JoinRequest, request_id)
    db.session.execute(db.update(JoinRequest).where(JoinRequest.id == request_id)
                       .values(status=JOIN_DECLINED).execution_options(synchronize_session=False))
    assert join_request.status == JOIN_PENDING  # the stale copy
    with pytest.raises(services.JoinError, match="al besloten"):  # from the conditional UPDATE
        services.decide_join_request(rep, join_request, approve=True)
    db.session.rollback()
    assert reload(person).collective_id is None
    assert len(outbox()) == mails_before
