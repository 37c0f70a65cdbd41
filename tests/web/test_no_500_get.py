"""No GET a person can send makes the app answer 500: every GET route, with real ids and slugs,
with the query arguments url_for treats as its own (endpoint, _method, _external, _anchor,
_scheme), absurd page numbers and ids, as a visitor and as each role. Every list shows one item a
page here, so each pager builds its links from the hostile address."""
import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from app import bookmarks, drafts, messages, reactions, uploads
from app.accounts import profiles
from app.blueprints.admin import (knowledge as admin_knowledge, labs as admin_labs,
                                  members as admin_members, partners as admin_partners,
                                  reports as admin_reports, routes as admin_routes,
                                  selfscans as admin_selfscans)
from app.blueprints.bookmarks import routes as bookmark_routes
from app.blueprints.collectives import routes as collective_routes
from app.blueprints.forum import routes as forum_routes
from app.blueprints.notifications import routes as notification_routes
from app.blueprints.people import routes as people_routes
from app.blueprints.search import routes as search_routes
from app.knowledge import queries as knowledge_queries
from app.forum import queries as forum_queries
from app.extensions import db
from app.labs import queries as lab_queries
from app.slugs import person_slug
from tests.factories import (add_replies, ask, cheap_passwords, make_collective, make_group,
                             make_item, make_user, start_thread, submitted_scan)
from tests.fixtures.forum import Cast
from tests.fixtures.photos import png_bytes
from tests.support import isolated_client, login

HUGE = "9" * 30  # far above any database integer
HOSTILE_QUERIES = [
    {"endpoint": "x", "pagina": "2"},
    {"_method": "POST", "pagina": "99", "berichten": "99", "labbijdragen": "99"},
    {"_external": "1", "_anchor": "x", "_scheme": "javascript", "pagina": "2"},
    {"values": "x", "view_args": "x", "pagina": "2", "status": "x", "q": "zon"},
    {"pagina": HUGE, "citeer": HUGE, "collectief": HUGE, "type": "x", "sort": "x",
     "berichten": HUGE, "labbijdragen": "-1",  # the two pagers of a profile
     "plek": "vraag:" + HUGE},  # plek: the @mention lookup's place
]


@pytest.fixture
def one_per_page(monkeypatch):
    """One item a page everywhere, so every list with two items shows its pager."""
    for module in (admin_knowledge, admin_labs, admin_members, admin_partners, admin_reports,
                   admin_routes, admin_selfscans, collective_routes, notification_routes,
                   search_routes, knowledge_queries, people_routes, bookmark_routes):
        monkeypatch.setattr(module, "PER_PAGE", 1)
    monkeypatch.setattr(lab_queries, "QUESTIONS_PER_PAGE", 1)
    for module in (forum_routes, forum_queries):  # the thread page pages in forum_queries
        monkeypatch.setattr(module, "POSTS_PER_PAGE", 1)
    monkeypatch.setattr(forum_routes, "THREADS_PER_PAGE", 1)


@pytest.fixture
def world(app, one_per_page, monkeypatch):
    from app.extensions import limiter
    monkeypatch.setattr(limiter, "enabled", False)
    cast = Cast()
    admin = make_user(email="admin@example.org", name="Ad Min", role="admin")
    cheap_passwords(cast.member, cast.member2, cast.partner, cast.moderator, admin)
    make_collective("Zorgcoöperatie Hart van Zuid", sector="zorg")
    group = make_group("Energie", slug="energie")
    thread, post = start_thread(group, cast.member, title="Zonnepanelen op het dorpshuis")
    start_thread(group, cast.member2, title="Een tweede discussie over zon")
    add_replies(thread, [cast.member2, cast.member], 3)  # a notification for the starter
    question = ask(cast.member, title="Zonnepanelen financieren met een lening?")
    ask(cast.member2, title="Een tweede vraag over zon")
    # Drafts at every kind of place: the forms restore them, /account lists them.
    for key in (f"forum.thread:{group.id}", f"forum.reply:{thread.id}",
                f"labs.question:{question.lab_id}", f"labs.response:{question.id}"):
        drafts.save(cast.member, drafts.resolve(cast.member, key), "Een <b>concept</b>",
                    title="Titel van een concept", context="Achtergrond")
    db.session.commit()
    item = make_item(title="Zon op het dak", slug="zon-op-het-dak")
    make_item(title="Zon op de school", slug="zon-op-de-school")
    scan = submitted_scan()
    # A profile with a text and a photo (its pages of posts and lab contributions hold one each).
    photo = uploads.store_avatar(FileStorage(io.BytesIO(png_bytes()), "foto.png"), 256)
    profiles.save_profile(cast.member, cast.member.name, "Over **mij**.",
                          avatar_name=photo.stored_name)
    # Thanks on the opening post, and bookmarks of a thread, a post and a question with a note
    # and a reminder (/bewaard has a pager; the edit form is filled).
    for giver in (cast.member2, cast.partner):
        reactions.give_thanks(giver, post)
    kept = [bookmarks.keep(cast.member, kind, target)[0]
            for kind, target in (("thread", thread), ("post", post), ("lab_question", question))]
    bookmarks.change(kept[0], "Een <b>notitie</b>", None)
    db.session.commit()
    # Two conversations (so /berichten has a pager) and a reported message (moderators read it).
    talk = messages.start_conversation(cast.member, [cast.member2], "Over de <b>ALV</b>", "Hoi **jij**")
    messages.start_conversation(cast.member2, [cast.member, cast.partner], "Tweede", "Hallo")
    reported = messages.reply(cast.member2, talk, "Een <i>antwoord</i>")
    messages.report_message(cast.member, reported, "Vervelend bericht")
    db.session.commit()
    monkeypatch.setattr(messages, "PER_PAGE", 1)
    monkeypatch.setattr(messages, "MESSAGES_PER_PAGE", 1)  # a conversation's pager
    return {
        "people": {"member": cast.member, "partner": cast.partner, "moderator": cast.moderator,
                   "admin": admin},
        "ids": {"thread_id": thread.id, "post_id": post.id, "group_id": group.id,
                "item_id": item.id, "question_id": question.id, "user_id": cast.member.id,
                "scan_id": scan.id, "notification_id": 1, "reply_id": 1, "application_id": 1,
                "attachment_id": 1, "number": 1, "bookmark_id": kept[0].id,
                "conversation_id": talk.id, "message_id": reported.id},
        "slugs": {"group_slug": group.slug, "lab_slug": "financelab",
                  "collectives.": cast.collective.slug, "knowledge.": item.slug,
                  "forum.": "zonnepanelen-op-het-dorpshuis",
                  "people.": person_slug(cast.member.name), "photo_name": photo.stored_name},
    }


def _get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith(("/static", "/bootstrap")):
            yield rule


def _fill(rule, world):
    path = rule.rule
    for name in re.findall(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", rule.rule):
        if name in world["ids"]:
            value = str(world["ids"][name])
        elif name in world["slugs"]:
            value = world["slugs"][name]
        elif name == "slug":
            value = next((slug for prefix, slug in world["slugs"].items()
                          if rule.endpoint.startswith(prefix)), "x")
        else:
            value = "x"  # tokens and file names: a wrong one must be a 404, not a 500
        path = re.sub(r"<[^>]*\b" + name + ">", value, path, count=1)
    return path


@pytest.mark.parametrize("role", ["visitor", "member", "partner", "moderator", "admin"])
def test_every_get_route_answers_hostile_query_arguments_without_a_500(app, world, role):
    client = isolated_client(app)
    if role != "visitor":
        assert login(client, world["people"][role].email).status_code == 302
    failures = []
    for rule in _get_rules(app):
        path = _fill(rule, world)
        for query in HOSTILE_QUERIES:
            response = client.get(path, query_string=query)
            if response.status_code >= 500:
                failures.append(f"{rule.endpoint} {path}?{query}: {response.status_code}")
    assert not failures, failures


def test_the_pager_keeps_only_the_pages_own_arguments(app, world):
    client = isolated_client(app)
    login(client, world["people"]["member"].email)
    page = client.get("/kennisbank", query_string={"endpoint": "x", "_anchor": "boem",
                                                   "thema": "actieve_leden", "pagina": "1",
                                                   "onzin": "1"}).get_data(as_text=True)
    links = re.findall(r'class="page-link" href="([^"]+)"', page)
    assert links, "two items at one a page: the pager is shown"
    for link in links:
        assert "thema=actieve_leden" in link
        assert "endpoint" not in link and "boem" not in link and "onzin" not in link

    page = client.get("/zoeken", query_string={"q": "zon", "_external": "1",
                                               "endpoint": "x"}).get_data(as_text=True)
    links = re.findall(r'class="page-link" href="([^"]+)"', page)
    assert links and all(link.startswith("/zoeken?") and "q=zon" in link for link in links)
    assert not any("endpoint" in link or "http" in link for link in links)


def test_a_page_past_the_end_links_to_the_first_with_the_filters_only(app, world):
    client = isolated_client(app)
    page = client.get("/collectieven", query_string={"pagina": "99", "_method": "POST",
                                                     "sector": "zorg"}).get_data(as_text=True)
    assert "Deze pagina bestaat niet" in page
    first = re.search(r'href="([^"]*)">Ga naar de eerste pagina', page).group(1)
    assert "sector=zorg" in first and "_method" not in first and "pagina" not in first
