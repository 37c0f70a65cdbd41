"""Who may do what in issue 3: every role × every action, with the real HTTP answer.

Roles: a visitor, a verified person without a collective ("registered"), a member of the
collective, a member of another collective, the collective's representative, a partner, a
moderator and an administrator. Each action is done through the test client like a person would;
for actions that change something, the change is checked to happen exactly when it is allowed.
"""
import secrets

import pytest
from flask_login.utils import _create_identifier

from app.accounts import sessions
from app.extensions import db
from app.models.accounts import User
from app.models.collectives import JOIN_APPROVED, JOIN_PENDING, Collective, JoinRequest
from app.models.selfscan import SCAN_SUBMITTED, SelfScan
from app.timeutil import utcnow
from tests.factories import make_collective, make_scan, quick_user
from tests.support import csrf_token, give_second_factor, isolated_client, login, text

ROLES = ["visitor", "registered", "member", "other_member", "representative", "partner",
         "moderator", "admin"]
EMAILS = {role: f"{role.replace('_', '-')}@example.org" for role in ROLES if role != "visitor"}

def sign_in(app, client, email):
    """Log `client` in as this person without the (deliberately slow) password check.

    The session gets what Flask-Login's login_user() puts there, including the identifier that
    "strong" session protection compares; a wrong one would log the client out, and every
    allowed action of the matrix would then fail loudly. test_sign_in_matches_a_real_login checks
    it against the login form.
    """
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
    if user.needs_second_factor and not user.has_second_factor:
        give_second_factor(user)  # staff signed in after their second step, as login() does
    sessions.start(user)
    db.session.commit()
    with app.test_request_context(environ_base=dict(client.environ_base)):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = user.current_session_token
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.fixture
def world():
    windvang = make_collective("De Windvang", slug="windvang")
    ander = make_collective("Het Andere Collectief", slug="ander")
    people = {
        "registered": quick_user(EMAILS["registered"]),
        "member": quick_user(EMAILS["member"], collective=windvang, name="Bas Buurman"),
        "other_member": quick_user(EMAILS["other_member"], collective=ander),
        "representative": quick_user(EMAILS["representative"], "representative", windvang),
        "partner": quick_user(EMAILS["partner"], "partner"),
        "moderator": quick_user(EMAILS["moderator"], "moderator"),
        "admin": quick_user(EMAILS["admin"], "admin"),
    }
    applicant = quick_user("aanvrager@example.org", name="Anne Aanvrager")
    join_request = JoinRequest(user_id=applicant.id, collective_id=windvang.id, message="")
    db.session.add(join_request)
    target = quick_user("doelwit@example.org")
    report_scan = make_scan(windvang)
    waiting = SelfScan(resume_token_hash=secrets.token_hex(32), questionnaire_version=1,
                       status=SCAN_SUBMITTED, furthest_step=10, contact_name="Nieuw Contact",
                       contact_email="nieuw-contact@example.org", submitted_at=utcnow(),
                       due_at=utcnow(), consent_privacy=True)
    db.session.add(waiting)
    db.session.commit()
    return {"collective": windvang, "people": people, "join_request": join_request.id,
            "applicant": applicant.id, "target": target.id, "report_scan": report_scan.id,
            "waiting_scan": waiting.id}


def post(client, url, data=None):
    token = csrf_token(client, "/contact")
    return client.post(url, data={"csrf_token": token, **(data or {})})


# -- the actions -------------------------------------------------------------------------------------

def view_directory(client, world):
    return client.get("/collectieven"), None


def view_detail(client, world):
    return client.get("/collectieven/windvang"), None


def see_member_list(client, world):
    response = client.get("/collectieven/windvang")
    return response, "Bas Buurman" in text(response)


def edit_collective(client, world):
    response = post(client, "/collectieven/windvang/bewerken",
                    {"description": "Nieuwe tekst", "website": ""})
    db.session.expire_all()
    return response, db.session.get(Collective, world["collective"].id).description == "Nieuwe tekst"


def view_edit_page(client, world):
    return client.get("/collectieven/windvang/bewerken"), None


def request_to_join(client, world):
    response = post(client, "/collectieven/windvang/lid-worden", {"message": "Mag ik erbij?"})
    made = db.session.execute(
        db.select(db.func.count()).select_from(JoinRequest).where(JoinRequest.message == "Mag ik erbij?")
    ).scalar_one()
    return response, made == 1


def decide_join_request(client, world):
    response = post(client, f"/collectieven/windvang/aanvragen/{world['join_request']}",
                    {"decision": "approve"})
    db.session.expire_all()
    status = db.session.get(JoinRequest, world["join_request"]).status
    assert status in (JOIN_PENDING, JOIN_APPROVED)
    return response, status == JOIN_APPROVED


def view_dashboard(client, world):
    return client.get("/collectieven/windvang/dashboard"), None


def view_report_by_id(client, world):
    return client.get(f"/zelfscan/{world['report_scan']}/rapport"), None


def download_report_pdf(client, world):
    return client.get(f"/zelfscan/{world['report_scan']}/rapport.pdf"), None


def start_repeat_scan(client, world):
    response = post(client, "/zelfscan/opnieuw")
    started = db.session.execute(
        db.select(db.func.count()).select_from(SelfScan)
        .where(SelfScan.collective_id == world["collective"].id, SelfScan.status == "draft")
    ).scalar_one()
    return response, started == 1


def view_review_queue(client, world):
    return client.get("/beheer/zelfscans"), None


def approve_scan(client, world):
    response = post(client, f"/beheer/zelfscans/{world['waiting_scan']}/goedkeuren", {
        "name": "Nieuw Collectief", "slug": "nieuw-collectief", "sector": "wonen",
        "municipality": "Delft", "province": "Zuid-Holland", "country": "NL",
        "description": "Net goedgekeurd.",
    })
    made = db.session.execute(
        db.select(Collective).where(Collective.slug == "nieuw-collectief")
    ).scalar_one_or_none()
    return response, made is not None


def manage_members(client, world):
    return client.get("/beheer/leden"), None


def appoint_moderator(client, world):
    response = post(client, f"/beheer/leden/{world['target']}/rol", {"role": "moderator"})
    db.session.expire_all()
    return response, db.session.get(User, world["target"]).role == "moderator"


# -- what each role gets -----------------------------------------------------------------------------
# "login": sent to the login page (302 to /inloggen); "go:/path": allowed, 302 to a page starting
# with /path; "back:/path": refused politely with a message, 302 to /path, nothing changed.
LOGIN = "login"
EVERYONE = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {**dict.fromkeys(ROLES, 403), "visitor": LOGIN, "moderator": 200, "admin": 200}


def matrix(visitor, registered, member, other_member, representative, partner, moderator, admin):
    return dict(zip(ROLES, (visitor, registered, member, other_member, representative, partner,
                            moderator, admin)))


EXPECTED = {
    view_directory: EVERYONE,
    view_detail: EVERYONE,
    see_member_list: EVERYONE,  # the page is public; the list only for members, partners, staff
    view_edit_page: matrix(LOGIN, 403, 403, 403, 200, 403, 200, 200),
    edit_collective: matrix(LOGIN, 403, 403, 403, "go:/collectieven/windvang", 403,
                            "go:/collectieven/windvang", "go:/collectieven/windvang"),
    request_to_join: matrix(LOGIN, "go:/collectieven/windvang", "back:/collectieven/windvang/dashboard",
                            403, "back:/collectieven/windvang/dashboard", 403, 403, 403),
    decide_join_request: matrix(LOGIN, 403, 403, 403, "go:/collectieven/windvang/dashboard", 403,
                                "go:/collectieven/windvang/dashboard",
                                "go:/collectieven/windvang/dashboard"),
    view_dashboard: matrix(LOGIN, 403, 200, 403, 200, 403, 200, 200),
    view_report_by_id: matrix(LOGIN, 403, 200, 403, 200, 403, 200, 200),
    download_report_pdf: matrix(LOGIN, 403, 200, 403, 200, 403, 200, 200),
    start_repeat_scan: matrix(LOGIN, 403, 403, 403, "go:/zelfscan/stap/1", 403, 403, 403),
    view_review_queue: STAFF_ONLY,
    approve_scan: {**STAFF_ONLY, "moderator": "go:/beheer/zelfscans", "admin": "go:/beheer/zelfscans"},
    manage_members: STAFF_ONLY,
    appoint_moderator: {**STAFF_ONLY, "moderator": 403, "admin": "go:/beheer/leden"},
}
# Members of an approved collective, partners and staff; not visitors nor a bare registration.
MEMBER_LIST_VISIBLE = {role: role not in ("visitor", "registered") for role in ROLES}

CASES = [pytest.param(action, role, id=f"{action.__name__}-{role}")
         for action in EXPECTED for role in ROLES]


def test_sign_in_matches_a_real_login(app, client, world):
    sign_in(app, client, EMAILS["member"])
    assert client.get("/collectieven/windvang/dashboard").status_code == 200
    assert client.get("/account").status_code == 200
    other = isolated_client(app)
    assert login(other, EMAILS["member"]).status_code == 302
    for signed_in in (client, other):
        page = text(signed_in.get("/account"))
        assert EMAILS["member"] in page and "Uitloggen" in page


@pytest.mark.parametrize("action, role", CASES)
def test_permission_matrix(app, client, world, action, role):
    if role != "visitor":
        sign_in(app, client, EMAILS[role])
    response, changed = action(client, world)
    expected = EXPECTED[action][role]
    location = response.headers.get("Location", "")

    if expected == LOGIN:
        assert response.status_code == 302 and location.startswith("/inloggen"), (
            response.status_code, location)
    elif isinstance(expected, int):
        assert response.status_code == expected
    else:
        kind, path = expected.split(":", 1)
        assert response.status_code == 302, response.status_code
        assert location.split("?")[0].split("#")[0].startswith(path), location
    allowed = isinstance(expected, str) and expected.startswith("go:")
    if action is see_member_list:
        assert changed is MEMBER_LIST_VISIBLE[role]
    elif changed is not None:
        # State changes happen exactly when the action is allowed.
        assert changed is allowed, f"{action.__name__} by {role}: changed={changed}"
