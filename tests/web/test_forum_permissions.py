"""The forum's permission matrix: every role × every action, through the test client.

Roles: a visitor, a registered person without a collective, a member of a collective, a partner,
a moderator and an administrator. For each action the real HTTP status is checked, and for actions
that change something, that the change happened exactly when the role is allowed to make it.

Every POST carries a valid CSRF token, so a 403 is the permission check speaking, not the token's.
"""
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Optional

import pytest

from app.extensions import db
from app.forum import services
from app.models.accounts import User
from app.models.collectives import Collective
from app.models.forum import ForumGroup, Post, PostReport, Thread
from app.models.bookmarks import Bookmark
from app.timeutil import utcnow
from tests.factories import cheap_password_hash
from tests.fixtures.forum import thread_path
from tests.support import csrf_token, isolated_client, login, reload, text

ROLES = ["visitor", "outsider", "member", "partner", "moderator", "admin"]
EMAILS = {
    "outsider": "los@example.org",
    "member": "lid@example.org",
    "partner": "partner@example.org",
    "moderator": "mod@example.org",
    "admin": "beheer@example.org",
}
EVERYONE = set(ROLES)
READERS = {"member", "partner", "moderator", "admin"}
STAFF = {"moderator", "admin"}


class World:
    """A group with two threads, posts by every role, a hidden post and an open report.

    Built as plain rows in one transaction (the matrix builds it some 190 times), with the
    counters then computed by the forum's own refresh_counters.
    """

    def __init__(self):
        now = utcnow()
        start = now - timedelta(days=2)
        collective = Collective(name="Energiecoöperatie De Windvang", slug="de-windvang",
                                sector="energie", municipality="Utrecht", country="NL")
        db.session.add(collective)
        db.session.flush()

        def person(email, name, role="member", member=False):
            user = User(email=email, name=name, role=role, password_hash=cheap_password_hash(),
                        email_verified_at=now, collective_id=collective.id if member else None,
                        created_at=now - timedelta(days=30))
            db.session.add(user)
            return user

        bert = person("lid2@example.org", "Bert Jansen", member=True)
        people = {
            "member": person(EMAILS["member"], "Anna de Vries", member=True),
            "partner": person(EMAILS["partner"], "Petra Partner", role="partner"),
            "moderator": person(EMAILS["moderator"], "Mo Derator", role="moderator"),
            "admin": person(EMAILS["admin"], "Ad Ministrator", role="admin"),
            # Olga has no collective: her post stands for one written while she still had one.
            "outsider": person(EMAILS["outsider"], "Olga Los"),
        }
        self.energie = ForumGroup(name="Energie", slug="energie", position=0)
        self.wonen = ForumGroup(name="Wonen", slug="wonen", position=1)
        db.session.add_all([self.energie, self.wonen])
        db.session.flush()
        self.thread = Thread(group_id=self.energie.id, title="De matrix-discussie", author_id=bert.id,
                             created_at=start)
        self.closed = Thread(group_id=self.energie.id, title="Gesloten en vastgezet",
                             author_id=people["member"].id, created_at=start, locked=True,
                             pinned=True)
        db.session.add_all([self.thread, self.closed])
        db.session.flush()
        authors = [("opening", bert), ("other", bert), *people.items(), ("hidden", bert)]
        self.posts = {}
        for number, (key, author) in enumerate(authors, start=1):
            self.posts[key] = Post(thread_id=self.thread.id, number=number, author_id=author.id,
                                   body_source=f"Bericht van {key}",
                                   body_html=f"<p>Bericht van {key}</p>",
                                   created_at=start + timedelta(minutes=number))
        hidden = self.posts["hidden"]
        hidden.hidden_at, hidden.hidden_reason = now, "Test"
        db.session.add_all(self.posts.values())
        db.session.add(Post(thread_id=self.closed.id, number=1, author_id=people["member"].id,
                            body_source="Al een tijdje dicht", body_html="<p>Al een tijdje dicht</p>",
                            created_at=start))
        db.session.flush()
        hidden.hidden_by_id = people["moderator"].id
        services.refresh_counters(self.thread)
        services.refresh_counters(self.closed)
        self.report = PostReport(post_id=self.posts["member"].id, reporter_id=people["partner"].id,
                                 reason="Eerder gemeld bericht")
        db.session.add(self.report)
        db.session.commit()
        self.ids = {key: post.id for key, post in self.posts.items()}
        self.thread_id, self.closed_id, self.report_id = self.thread.id, self.closed.id, self.report.id
        self.thread_path = thread_path(self.thread)

    def own_post(self, role):
        """The post this role wrote (a visitor has none: Bert's stands in)."""
        return self.ids["other" if role == "visitor" else role]


@dataclass
class Action:
    method: str
    path: Callable  # (world, role) -> path
    allowed: set
    data: dict = field(default_factory=dict)
    changed: Optional[Callable] = None  # (world, role) -> bool: did the state change?
    ok: int = 302
    refused: int = 403  # for readers the action is not open to

    def status_for(self, role):
        if role in self.allowed:
            return self.ok
        if role == "visitor":
            return 302  # to the login page
        if role == "outsider":
            return 403  # the friendly "only for members and partners" page
        return self.refused


def _count(model, *conditions):
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count(model.id)).where(*conditions)).scalar_one()


def _thread(world, which="thread_id"):
    return reload(Thread, getattr(world, which))


def _post(world, key):
    return reload(Post, world.ids[key])


def _group_names():
    db.session.expire_all()
    return [g.name for g in db.session.execute(
        db.select(ForumGroup).order_by(ForumGroup.position, ForumGroup.name)).scalars()]


T = "/forum/energie/{thread}"
ACTIONS = {
    "view_group_list": Action("get", lambda w, r: "/forum", EVERYONE, ok=200),
    "view_group": Action("get", lambda w, r: "/forum/energie", READERS, ok=200),
    "view_thread": Action("get", lambda w, r: w.thread_path, READERS, ok=200),
    "permalink": Action("get", lambda w, r: f"/forum/bericht/{w.ids['other']}", READERS),
    "new_thread": Action(
        "post", lambda w, r: "/forum/energie/nieuw", READERS,
        data={"title": "Een gloednieuwe vraag", "body": "Wie weet hier meer van?"},
        changed=lambda w, r: _count(Thread, Thread.title == "Een gloednieuwe vraag") == 1),
    "reply": Action(
        "post", lambda w, r: T.format(thread=w.thread_id) + "/reageren", READERS,
        data={"body": "Een nieuwe reactie in de matrix"},
        changed=lambda w, r: _count(Post, Post.body_source == "Een nieuwe reactie in de matrix") == 1),
    "reply_locked": Action(
        "post", lambda w, r: T.format(thread=w.closed_id) + "/reageren", STAFF,
        data={"body": "Reactie in een gesloten discussie"},
        refused=302,  # back to the thread, with the message that it is closed
        changed=lambda w, r: _count(Post, Post.body_source == "Reactie in een gesloten discussie") == 1),
    "edit_own": Action(
        "post", lambda w, r: f"/forum/bericht/{w.own_post(r)}/bewerken", READERS,
        data={"body": "Aangepast door mij"},
        changed=lambda w, r: reload(Post, w.own_post(r)).body_source == "Aangepast door mij"),
    "edit_other": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['other']}/bewerken", STAFF,
        data={"body": "Aangepast door een ander"},
        changed=lambda w, r: _post(w, "other").body_source == "Aangepast door een ander"),
    "delete_own": Action(
        "post", lambda w, r: f"/forum/bericht/{w.own_post(r)}/verwijderen", READERS,
        changed=lambda w, r: reload(Post, w.own_post(r)).deleted_at is not None),
    "delete_other": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['other']}/verwijderen", STAFF,
        changed=lambda w, r: _post(w, "other").deleted_at is not None),
    "report": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['other']}/melden", READERS,
        data={"reason": "Dit hoort hier niet thuis"},
        changed=lambda w, r: _count(PostReport, PostReport.post_id == w.ids["other"]) == 1),
    "hide_form": Action("get", lambda w, r: f"/forum/bericht/{w.ids['other']}/verbergen", STAFF,
                        ok=200),
    "hide": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['other']}/verbergen", STAFF,
        data={"reason": "Matrix: verbergen"},
        changed=lambda w, r: _post(w, "other").hidden_at is not None),
    "restore": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['hidden']}/terugzetten", STAFF,
        changed=lambda w, r: _post(w, "hidden").hidden_at is None),
    "post_history": Action("get", lambda w, r: f"/forum/bericht/{w.ids['other']}/geschiedenis",
                           STAFF, ok=200),
    "lock": Action("post", lambda w, r: T.format(thread=w.thread_id) + "/sluiten", STAFF,
                   changed=lambda w, r: _thread(w).locked),
    "unlock": Action("post", lambda w, r: T.format(thread=w.closed_id) + "/heropenen", STAFF,
                     changed=lambda w, r: not _thread(w, "closed_id").locked),
    "pin": Action("post", lambda w, r: T.format(thread=w.thread_id) + "/vastzetten", STAFF,
                  changed=lambda w, r: _thread(w).pinned),
    "unpin": Action("post", lambda w, r: T.format(thread=w.closed_id) + "/losmaken", STAFF,
                    changed=lambda w, r: not _thread(w, "closed_id").pinned),
    "move_form": Action("get", lambda w, r: T.format(thread=w.thread_id) + "/verplaatsen", STAFF,
                        ok=200),
    "move": Action(
        "post", lambda w, r: T.format(thread=w.thread_id) + "/verplaatsen", STAFF,
        data={"group": "WONEN"},  # replaced by the id of Wonen
        changed=lambda w, r: _thread(w).group_id == w.wonen.id),
    "delete_thread_form": Action("get", lambda w, r: T.format(thread=w.thread_id) + "/verwijderen",
                                 STAFF, ok=200),
    "delete_thread": Action("post", lambda w, r: T.format(thread=w.thread_id) + "/verwijderen",
                            STAFF, changed=lambda w, r: _thread(w).deleted_at is not None),
    "report_queue": Action("get", lambda w, r: "/beheer/meldingen", STAFF, ok=200),
    "resolve_report": Action(
        "post", lambda w, r: f"/beheer/meldingen/{w.report_id}/afhandelen", STAFF,
        data={"note": "Matrix"},
        changed=lambda w, r: reload(PostReport, w.report_id).resolved_at is not None),
    "hide_reported_post": Action(
        "post", lambda w, r: f"/beheer/meldingen/{w.report_id}/verbergen", STAFF,
        changed=lambda w, r: _post(w, "member").hidden_at is not None),
    # Thanks: readers, on someone else's visible post; never one's own or a hidden one.
    "thank": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['other']}/bedanken", READERS,
        changed=lambda w, r: _post(w, "other").thanks_count == 1),
    "unthank": Action("post", lambda w, r: f"/forum/bericht/{w.ids['other']}/bedankt-intrekken",
                      READERS),
    "thank_own": Action(
        "post", lambda w, r: f"/forum/bericht/{w.own_post(r)}/bedanken", set(),
        changed=lambda w, r: _post(w, "other" if r == "visitor" else r).thanks_count == 1),
    "thank_hidden": Action(
        "post", lambda w, r: f"/forum/bericht/{w.ids['hidden']}/bedanken", set(),
        changed=lambda w, r: _post(w, "hidden").thanks_count == 1),
    # Bookmarks: of what one may read; a hidden post only for staff (a 404 for others).
    "bookmarks": Action("get", lambda w, r: "/bewaard", EVERYONE - {"visitor"}, ok=200),
    "bookmark_thread": Action(
        "post", lambda w, r: "/bewaard/bewaren", READERS, data={"soort": "thread", "doel": "THREAD"},
        changed=lambda w, r: _count(Bookmark, Bookmark.kind == "thread") == 1),
    "bookmark_post": Action(
        "post", lambda w, r: "/bewaard/bewaren", READERS, data={"soort": "post", "doel": "OTHER"},
        changed=lambda w, r: _count(Bookmark, Bookmark.target_id == w.ids["other"]) == 1),
    "bookmark_hidden_post": Action(
        "post", lambda w, r: "/bewaard/bewaren", STAFF, data={"soort": "post", "doel": "HIDDEN"},
        refused=404, changed=lambda w, r: _count(Bookmark, Bookmark.kind == "post") == 1),
    "groups": Action("get", lambda w, r: "/beheer/groepen", STAFF, ok=200),
    "group_new": Action(
        "post", lambda w, r: "/beheer/groepen/nieuw", STAFF,
        data={"name": "Voedsel & natuur", "slug": "voedsel-en-natuur", "description": ""},
        changed=lambda w, r: _count(ForumGroup, ForumGroup.slug == "voedsel-en-natuur") == 1),
    "group_edit": Action(
        "post", lambda w, r: f"/beheer/groepen/{w.energie.id}/bewerken", STAFF,
        data={"name": "Energie en warmte", "slug": "energie", "description": ""},
        changed=lambda w, r: reload(ForumGroup, w.energie.id).name == "Energie en warmte"),
    "group_order": Action(
        "post", lambda w, r: f"/beheer/groepen/{w.wonen.id}/omhoog", STAFF,
        changed=lambda w, r: _group_names() == ["Wonen", "Energie"]),
}


@pytest.fixture
def world():
    return World()


def client_as(app, role):
    client = isolated_client(app)
    if role != "visitor":
        response = login(client, EMAILS[role])
        assert response.status_code == 302, text(response)
    return client


def check_action(app, world, name, action, role, ids):
    """Do `action` as `role` like a person would (`ids`: what the placeholders in its form data
    stand for) and check the answer, and that its change happened exactly when allowed."""
    client = client_as(app, role)
    path = action.path(world, role)
    if action.method == "get":
        response = client.get(path)
    else:
        data = {key: str(ids.get(value, value)) for key, value in action.data.items()}
        data["csrf_token"] = csrf_token(client, "/inloggen" if role == "visitor" else "/account")
        response = client.post(path, data=data)

    expected = action.status_for(role)
    assert response.status_code == expected, (name, role, text(response)[:500])
    if role == "visitor" and role not in action.allowed and expected == 302:
        assert response.headers["Location"].startswith("/inloggen"), response.headers["Location"]
    if action.changed is not None:
        assert action.changed(world, role) is (role in action.allowed), (name, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_permission_matrix(app, world, name, role):
    ids = {"WONEN": world.wonen.id, "THREAD": world.thread_id, "OTHER": world.ids["other"],
           "HIDDEN": world.ids["hidden"]}
    check_action(app, world, name, ACTIONS[name], role, ids)


def test_refusals_explain_themselves(app, world):
    """The registered person without a collective learns why; the others get the 403 page."""
    outsider = client_as(app, "outsider")
    page = outsider.get(world.thread_path)
    assert page.status_code == 403 and "Alleen voor leden en partners" in text(page)
    member = client_as(app, "member")
    refused = member.get(f"/forum/bericht/{world.ids['other']}/geschiedenis")
    assert refused.status_code == 403 and "Geen toegang" in text(refused)


def test_moderation_controls_are_shown_exactly_to_staff(app, world):
    for role in ROLES[2:]:
        page = text(client_as(app, role).get(world.thread_path))
        staff = role in STAFF
        assert ("Moderatie van deze discussie" in page) is staff, role
        assert (f"/forum/bericht/{world.ids['other']}/verbergen" in page) is staff, role
        assert (f"/forum/bericht/{world.ids['hidden']}/terugzetten" in page) is staff, role
        assert ("Bericht van hidden" in page) is staff, role  # hidden text only for staff
