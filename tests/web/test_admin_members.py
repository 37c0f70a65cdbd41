"""Managing people at /beheer/leden: search, roles, suspension, removal from a collective."""
from datetime import timedelta

import pytest

from app.accounts import members as services
from app.extensions import db
from app.models.accounts import User
from app.models.audit import AuditLog
from app.timeutil import utcnow
from app.workdays import local_today
from tests.factories import cheap_password_hash, make_user
from tests.fixtures.selfscan import review_collective
from tests.support import csrf_token, isolated_client, login, outbox, reload, submit, text


def audit_actions():
    db.session.expire_all()
    return [entry.action for entry in db.session.execute(db.select(AuditLog).order_by(AuditLog.id)).scalars()]


def member_url(user, action=""):
    return f"/beheer/leden/{user.id}" + (f"/{action}" if action else "")


def post(client, user, action, data=None):
    return submit(client, member_url(user, action), data or {}, page=member_url(user))


def logged_in_as(client):
    response = client.get("/account")
    if response.status_code != 200:
        return None
    page = text(response)
    start = page.index("Nu: <strong>") + len("Nu: <strong>")
    return page[start:page.index("</strong>", start)]


@pytest.fixture
def mod_client(client, moderator):
    login(client, moderator.email)
    return client


@pytest.fixture
def admin_client(app, admin_user):
    other = isolated_client(app)
    login(other, admin_user.email)
    return other


def person(email, name, role="member", **fields):
    """make_user with one precomputed hash of PASSWORD (scrypt is slow on purpose)."""
    user = User(email=email, name=name, role=role, password_hash=cheap_password_hash(),
                email_verified_at=utcnow(), **fields)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def people():
    zon = review_collective(name="Zonnedael", slug="zonnedael", sector="energie", municipality="Zeist")
    linde = review_collective()
    return {
        "zon": zon,
        "linde": linde,
        "anna": person("anna@example.org", "Anna de Boer", "representative", collective_id=zon.id),
        "bram": person("bram@example.org", "Bram Jansen", collective_id=zon.id),
        "cees": person("cees@voorbeeld.nl", "Cees Linde", collective_id=linde.id),
        "dirk": person("dirk@example.org", "Dirk 100% Zeker"),
        "pien": person("pien@bank.example", "Pien Partner", "partner"),
    }


# -- access ------------------------------------------------------------------------------------

def test_visitors_log_in_and_non_staff_get_403(client, people):
    response = client.get("/beheer/leden")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert client.get(member_url(people["bram"])).status_code == 302
    for email in ("anna@example.org", "bram@example.org", "pien@bank.example"):
        other = isolated_client(client.application)
        login(other, email)
        assert other.get("/beheer/leden").status_code == 403
        assert other.get(member_url(people["bram"])).status_code == 403
        token = csrf_token(other, "/account")
        for action, data in (("rol", {"role": "admin"}), ("schorsen", {"reason": "x"}),
                             ("schorsing-opheffen", {}), ("uit-collectief", {})):
            response = other.post(member_url(people["bram"], action), data=dict(data, csrf_token=token))
            assert response.status_code == 403
    bram = reload(people["bram"])
    assert (bram.role, bram.status, bram.collective_id) == ("member", "active", people["zon"].id)
    assert audit_actions() == []


def test_unknown_ids_are_404(mod_client):
    token = csrf_token(mod_client, "/beheer/leden")
    for url in ("/beheer/leden/999999", "/beheer/leden/abc", "/beheer/leden/-1",
                "/beheer/leden/99999999999999999999"):
        assert mod_client.get(url).status_code == 404
    for action in ("rol", "schorsen", "schorsing-opheffen", "uit-collectief"):
        response = mod_client.post(f"/beheer/leden/999999/{action}",
                                   data={"role": "member", "reason": "x", "csrf_token": token})
        assert response.status_code == 404


# -- finding people ----------------------------------------------------------------------------

def test_search_by_name_or_email(mod_client, people):
    page = text(mod_client.get("/beheer/leden?q=ANNA"))
    assert "Anna de Boer" in page and "Bram Jansen" not in page
    page = text(mod_client.get("/beheer/leden?q=voorbeeld.nl"))
    assert "Cees Linde" in page and "Anna de Boer" not in page
    # Wildcards are searched literally.
    page = text(mod_client.get("/beheer/leden?q=100%25"))
    assert "Dirk 100% Zeker" in page and "Anna de Boer" not in page
    page = text(mod_client.get("/beheer/leden?q=_"))
    assert "1 persoon gevonden" not in page and "0 personen gevonden" in page


def test_filters_by_role_status_and_collective(mod_client, people):
    people["dirk"].status = "suspended"
    people["dirk"].suspension_reason = "Spam"
    db.session.commit()
    page = text(mod_client.get("/beheer/leden?rol=partner"))
    assert "Pien Partner" in page and "Anna de Boer" not in page
    page = text(mod_client.get("/beheer/leden?status=geschorst"))
    assert "Dirk 100% Zeker" in page and "Geschorst" in page and "Anna de Boer" not in page
    page = text(mod_client.get("/beheer/leden?status=actief"))
    assert "Anna de Boer" in page and "Dirk 100% Zeker" not in page
    page = text(mod_client.get(f"/beheer/leden?collectief={people['zon'].id}"))
    assert "Anna de Boer" in page and "Bram Jansen" in page and "Cees Linde" not in page
    page = text(mod_client.get("/beheer/leden?collectief=geen"))
    assert "Pien Partner" in page and "Anna de Boer" not in page
    page = text(mod_client.get(f"/beheer/leden?collectief={people['zon'].id}&rol=representative&q=an"))
    assert "Anna de Boer" in page and "Bram Jansen" not in page


def test_deleted_accounts_are_shown_as_deleted_not_active(mod_client, people):
    people["cees"].status = "deleted"
    people["cees"].name = "Voormalig lid"
    db.session.commit()
    page = text(mod_client.get("/beheer/leden?q=voormalig"))
    row = page[page.index("Voormalig lid"):]
    row = row[:row.index("</tr>")]
    assert "Verwijderd" in row and "Actief" not in row
    assert "Voormalig lid" not in text(mod_client.get("/beheer/leden?status=actief"))
    deleted = text(mod_client.get("/beheer/leden?status=verwijderd"))
    assert "Voormalig lid" in deleted and "Anna de Boer" not in deleted
    detail = text(mod_client.get(member_url(people["cees"])))
    assert "Verwijderd" in detail


@pytest.mark.parametrize("query", [
    "q=" + "a" * 10_000, "q=%00%1b", "q=<script>alert(1)</script>", "rol=koning", "status=weg",
    "collectief=abc", "collectief=-5", "collectief=99999999999999999999", "pagina=99999999",
    "q=a&q=b", "rol[]=admin",
])
def test_hostile_filters_never_500(mod_client, people, query):
    response = mod_client.get("/beheer/leden?" + query)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in text(response)


def test_member_list_is_paginated(mod_client):
    for number in range(33):
        db.session.add(User(email=f"p{number:02d}@example.org", name=f"Persoon {number:02d}",
                            password_hash="x"))
    db.session.commit()
    first = text(mod_client.get("/beheer/leden?q=persoon"))
    assert "Persoon 00" in first and "Persoon 29" in first and "Persoon 30" not in first
    second = text(mod_client.get("/beheer/leden?q=persoon&pagina=2"))
    assert "Persoon 32" in second and "Persoon 00" not in second


def test_member_page_shows_details(mod_client, people):
    page = text(mod_client.get(member_url(people["anna"])))
    assert "Anna de Boer" in page and "anna@example.org" in page
    assert "Vertegenwoordiger" in page and "Zonnedael" in page
    assert "Rol wijzigen" in page and "Schorsen" in page and "Uit het collectief verwijderen" in page
    # A moderator is only offered the roles they may give.
    role_select = page[page.index('name="role"'):page.index("</select>", page.index('name="role"'))]
    assert 'value="partner"' in role_select and 'value="moderator"' not in role_select


# -- roles -------------------------------------------------------------------------------------

def test_moderator_changes_ordinary_roles(mod_client, people):
    bram = people["bram"]
    response = post(mod_client, bram, "rol", {"role": "representative"})
    assert response.status_code == 302
    assert reload(bram).role == "representative"
    [mail] = outbox("bram@example.org")
    assert "Vertegenwoordiger" in mail.body_text
    assert "De rol van Bram Jansen is nu Vertegenwoordiger." in text(mod_client.get(member_url(bram)))
    assert post(mod_client, people["pien"], "rol", {"role": "member"}).status_code == 302
    assert reload(people["pien"]).role == "member"
    assert audit_actions() == ["member.role", "member.role"]
    audit = text(mod_client.get("/beheer/audit"))
    assert "Rol van Bram Jansen (bram@example.org) gewijzigd van Lid naar Vertegenwoordiger" in audit


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_a_moderator_cannot_appoint_staff(mod_client, people, role):
    response = post(mod_client, people["bram"], "rol", {"role": role})
    assert response.status_code == 403
    assert reload(people["bram"]).role == "member"
    assert audit_actions() == [] and outbox() == []


def test_a_moderator_cannot_touch_staff(mod_client, admin_user, people):
    other_mod = make_user(email="mod2@example.org", name="Tweede Mod", role="moderator")
    page = text(mod_client.get(member_url(admin_user)))
    assert "Alleen een beheerder" in page and 'name="role"' not in page
    for target in (admin_user, other_mod):
        assert post(mod_client, target, "rol", {"role": "member"}).status_code == 403
        assert post(mod_client, target, "schorsen", {"reason": "Weg"}).status_code == 403
    assert reload(admin_user).role == "admin" and reload(other_mod).role == "moderator"
    assert not reload(admin_user).is_suspended
    assert audit_actions() == []


def test_an_admin_appoints_and_demotes_staff(admin_client, people):
    bram = people["bram"]
    assert post(admin_client, bram, "rol", {"role": "moderator"}).status_code == 302
    assert reload(bram).role == "moderator"
    assert post(admin_client, bram, "rol", {"role": "admin"}).status_code == 302
    assert reload(bram).role == "admin"
    assert post(admin_client, bram, "rol", {"role": "member"}).status_code == 302
    assert reload(bram).role == "member"
    assert audit_actions() == ["member.role"] * 3


def test_nobody_changes_their_own_role(admin_client, mod_client, admin_user, moderator):
    response = post(admin_client, admin_user, "rol", {"role": "member"})
    assert "Je kunt je eigen rol niet wijzigen" in text(admin_client.get(response.headers["Location"]))
    assert reload(admin_user).role == "admin"
    assert post(mod_client, moderator, "rol", {"role": "member"}).status_code == 403
    assert reload(moderator).role == "moderator"
    assert "Dit ben je zelf" in text(admin_client.get(member_url(admin_user)))
    assert audit_actions() == []


def test_the_last_active_admin_cannot_be_demoted_or_suspended(admin_user):
    other = make_user(email="admin2@example.org", name="Tweede Admin", role="admin")
    # The other admin is suspended: admin_user is the last active one.
    other.status = "suspended"
    db.session.commit()
    with pytest.raises(services.MemberActionError, match="laatste actieve beheerder"):
        services.change_role(other, admin_user, "member")
    with pytest.raises(services.MemberActionError, match="laatste actieve beheerder"):
        services.suspend_member(other, admin_user, "Weg", None)
    db.session.rollback()
    assert reload(admin_user).role == "admin" and not reload(admin_user).is_suspended
    # With a second active admin it is allowed.
    other = reload(other)
    other.status = "active"
    db.session.commit()
    services.change_role(other, admin_user, "moderator")
    assert admin_user.role == "moderator"


def test_a_representative_needs_a_collective(mod_client, people):
    response = post(mod_client, people["dirk"], "rol", {"role": "representative"})
    assert "Een vertegenwoordiger hoort bij een collectief" in text(
        mod_client.get(response.headers["Location"]))
    assert reload(people["dirk"]).role == "member"


@pytest.mark.parametrize("data", [{"role": "koning"}, {"role": ""}, {}, {"role": "x" * 10_000},
                                  {"role": ["koning", "admin"]}])
def test_bad_role_values_get_a_dutch_message(mod_client, people, data):
    response = post(mod_client, people["bram"], "rol", data)
    assert response.status_code == 200
    assert "Kies een rol uit de lijst." in text(response)
    assert reload(people["bram"]).role == "member"


def test_giving_the_same_role_again_changes_nothing(mod_client, people):
    response = post(mod_client, people["bram"], "rol", {"role": "member"})
    assert "heeft deze rol al" in text(mod_client.get(response.headers["Location"]))
    assert audit_actions() == [] and outbox() == []


# -- suspension --------------------------------------------------------------------------------

def test_suspension_ends_sessions_blocks_login_and_shows_the_reason(app, mod_client, people):
    bram = people["bram"]
    bram_client = isolated_client(app)
    login(bram_client, "bram@example.org")
    assert logged_in_as(bram_client) == "bram@example.org"
    until = local_today() + timedelta(days=14)

    response = post(mod_client, bram, "schorsen",
                    {"reason": "Herhaaldelijk reclame geplaatst", "until": until.isoformat()})
    assert response.status_code == 302
    bram = reload(bram)
    assert bram.is_suspended and bram.suspension_reason == "Herhaaldelijk reclame geplaatst"
    assert bram.suspended_until > utcnow() + timedelta(days=12)
    assert logged_in_as(bram_client) is None  # the existing session is over

    response = login(isolated_client(app), "bram@example.org")
    assert response.status_code == 403
    page = text(response)
    assert "Je account is geschorst" in page and "Herhaaldelijk reclame geplaatst" in page
    assert str(until.day) in page and " tot " in page

    [mail] = outbox("bram@example.org")
    assert "Herhaaldelijk reclame geplaatst" in mail.body_text
    assert audit_actions() == ["member.suspend"]
    assert "Bram Jansen (bram@example.org) geschorst tot" in text(mod_client.get("/beheer/audit"))
    assert "Geschorst" in text(mod_client.get(member_url(bram)))

    # Lifting it lets Bram in again.
    response = post(mod_client, bram, "schorsing-opheffen")
    assert response.status_code == 302
    bram = reload(bram)
    assert not bram.is_suspended and bram.suspension_reason is None and bram.suspended_until is None
    assert login(isolated_client(app), "bram@example.org").status_code == 302
    assert len(outbox("bram@example.org")) == 2
    assert audit_actions() == ["member.suspend", "member.unsuspend"]


def test_suspension_without_end_date(mod_client, people):
    assert post(mod_client, people["bram"], "schorsen", {"reason": "Onderzoek", "until": ""}).status_code == 302
    bram = reload(people["bram"])
    assert bram.is_suspended and bram.suspended_until is None


@pytest.mark.parametrize("data, message", [
    ({"reason": ""}, "Schrijf waarom deze persoon wordt geschorst."),
    ({"reason": "r" * 501}, "hoogstens 500 tekens"),
    ({"reason": "a\x00b"}, "onzichtbare tekens"),
    ({"reason": "Spam", "until": "gisteren"}, "Vul een geldige datum in."),
    ({"reason": "Spam", "until": "2026-02-30"}, "Vul een geldige datum in."),
    ({"reason": "Spam", "until": "x" * 5000}, "Vul een geldige datum in."),
    ({"reason": "Spam", "until": local_today().isoformat()}, "Kies een datum in de toekomst."),
    ({"reason": "Spam", "until": (local_today() - timedelta(days=3)).isoformat()}, "in de toekomst"),
    ({"reason": "Spam", "until": "9999-12-31"}, "binnen 10 jaar"),
])
def test_bad_suspension_input_gets_a_dutch_message(mod_client, people, data, message):
    response = post(mod_client, people["bram"], "schorsen", data)
    assert response.status_code == 200
    assert message in text(response)
    assert not reload(people["bram"]).is_suspended
    assert audit_actions() == [] and outbox() == []


def test_nobody_suspends_themselves_and_lifting_needs_a_suspension(admin_client, admin_user, people):
    response = post(admin_client, admin_user, "schorsen", {"reason": "Even niet"})
    assert "Je kunt jezelf niet schorsen" in text(admin_client.get(response.headers["Location"]))
    assert not reload(admin_user).is_suspended
    response = post(admin_client, people["bram"], "schorsing-opheffen")
    assert "is niet geschorst" in text(admin_client.get(response.headers["Location"]))
    assert audit_actions() == []


# -- removing from a collective ----------------------------------------------------------------

def test_remove_a_representative_from_the_collective(mod_client, people):
    anna = people["anna"]
    response = post(mod_client, anna, "uit-collectief")
    assert response.status_code == 302
    anna = reload(anna)
    assert anna.collective_id is None and anna.role == "member"
    [mail] = outbox("anna@example.org")
    assert "Zonnedael" in mail.subject and "Zonnedael" in mail.body_text
    assert audit_actions() == ["member.remove"]
    assert "verwijderd uit collectief Zonnedael" in text(mod_client.get("/beheer/audit"))
    # Once more: nothing left to remove.
    response = post(mod_client, anna, "uit-collectief")
    assert "geen lid van een collectief" in text(mod_client.get(response.headers["Location"]))
    assert audit_actions() == ["member.remove"]


def test_remove_keeps_a_partner_role(admin_client, people):
    pien = people["pien"]
    pien.collective_id = people["linde"].id
    db.session.commit()
    assert post(admin_client, pien, "uit-collectief").status_code == 302
    pien = reload(pien)
    assert pien.collective_id is None and pien.role == "partner"


def test_actions_need_a_csrf_token(mod_client, people):
    for action in ("rol", "schorsen", "schorsing-opheffen", "uit-collectief"):
        response = mod_client.post(member_url(people["anna"], action), data={"role": "member", "reason": "x"})
        assert response.status_code == 400
    anna = reload(people["anna"])
    assert (anna.role, anna.status, anna.collective_id) == ("representative", "active", people["zon"].id)
    assert mod_client.get(member_url(people["anna"], "schorsen")).status_code == 405


def test_member_list_queries_do_not_grow_with_the_rows(mod_client, people):
    from tests.support import count_queries

    few = count_queries(mod_client, "/beheer/leden")
    for number in range(12):
        collective = review_collective(name=f"Collectief {number}", slug=f"collectief-{number}")
        person(f"extra{number}@example.org", f"Extra {number}", collective_id=collective.id)
    assert count_queries(mod_client, "/beheer/leden") == few
