"""The discussion groups through the test client, for each role: read, start, reply, quote,
mention, edit, delete, report, watch, unread markers, permalinks, previews and pages."""
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest

from app.accounts import limits
from app.extensions import db
from app.forum import services
from app.models.audit import AuditLog
from app.models.forum import (
    ForumGroup,
    GroupWatch,
    Post,
    PostReport,
    PostRevision,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from app.timeutil import utcnow
from tests.factories import add_replies, make_group, quick_user, start_thread
from tests.fixtures.forum import Cast, post_numbers_on, posts_of, thread_path, threads
from tests.support import (
    csrf_token, isolated_client, login, mention_html, notifications, reload, submit, text,
)


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


@pytest.fixture
def no_flood_limit(monkeypatch):
    """For tests where one person posts twice in a row (the limits have their own tests)."""
    monkeypatch.setattr(limits, "SECONDS_BETWEEN_POSTS", 0)


def client_for(app, email):
    new_client = isolated_client(app)
    response = login(new_client, email)
    assert response.status_code == 302, text(response)
    return new_client


def thread_rows(page):
    return re.findall(r'<li class="list-group-item py-3 forum-thread.*?</li>', page, re.DOTALL)


def reply_path(thread):
    return f"/forum/{thread.group.slug}/{thread.id}/reageren"


def post_reply(client, thread, body, **extra):
    return submit(client, reply_path(thread), {"body": body, **extra}, page=thread_path(thread))


# -- who may see what ------------------------------------------------------------------------------

def test_group_list_is_public_with_counts_and_last_activity(client, cast, group):
    make_group("Wonen", slug="wonen", position=1, description="Over woongroepen.")
    thread, _ = start_thread(group, cast.member)
    add_replies(thread, [cast.member2], 2)
    page = text(client.get("/forum"))
    assert "<h1>Forum</h1>" in page
    assert page.index(">Energie</a>") < page.index(">Wonen</a>")  # ordered by position
    assert "Over energiecoöperaties." in page and "Over woongroepen." in page
    assert "1 discussie" in page and "3 berichten" in page
    assert "laatste bericht" in page and "nog geen berichten" in page
    assert "Log in</a> om mee te lezen" in page
    assert "forum-unread" not in page  # visitors have no reading state


def test_group_list_empty_state(client):
    page = text(client.get("/forum"))
    assert "Nog geen discussiegroepen" in page


@pytest.mark.parametrize("path", ["/forum/energie", "/forum/energie/nieuw", "THREAD",
                                  "/forum/bericht/1", "/forum/bericht/1/bewerken",
                                  "/forum/bericht/1/melden", "/forum/bericht/1/verwijderen"])
def test_visitor_is_sent_to_log_in(client, cast, group, path):
    thread, post = start_thread(group, cast.member)
    path = thread_path(thread) if path == "THREAD" else path.replace("/1", f"/{post.id}")
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")
    assert unquote(response.headers["Location"].split("next=")[1]) == path


def test_visitor_post_changes_nothing_and_goes_to_login(client, cast, group):
    thread, _ = start_thread(group, cast.member)
    token = csrf_token(client, "/inloggen")
    response = client.post(reply_path(thread), data={"body": "Hallo", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")
    response = client.post("/forum/energie/volgen", data={"csrf_token": token})
    assert response.headers["Location"].startswith("/inloggen")
    assert len(posts_of(thread)) == 1
    assert db.session.execute(db.select(GroupWatch)).first() is None


@pytest.mark.parametrize("path", ["/forum/energie", "/forum/energie/nieuw", "THREAD",
                                  "/forum/bericht/1"])
def test_registered_person_without_collective_gets_a_friendly_403(app, cast, group, path):
    thread, post = start_thread(group, cast.member)
    path = thread_path(thread) if path == "THREAD" else path.replace("/1", f"/{post.id}")
    outsider = client_for(app, "los@example.org")
    response = outsider.get(path)
    page = text(response)
    assert response.status_code == 403
    assert "Alleen voor leden en partners" in page
    assert "leden van een goedgekeurd collectief, voor partners van de labs en voor beheerders" in page
    assert "vraag daar lidmaatschap aan" in page
    assert "Hoe vinden we nieuwe vrijwilligers?" not in page


def test_registered_person_cannot_post_or_watch(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    outsider = client_for(app, "los@example.org")
    token = csrf_token(outsider, "/account")
    for path, data in [(reply_path(thread), {"body": "Hallo allemaal"}),
                       ("/forum/energie/nieuw", {"title": "Mag ik iets vragen", "body": "Hoi"}),
                       ("/forum/energie/volgen", {})]:
        response = outsider.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403
    assert len(posts_of(thread)) == 1 and len(threads()) == 1
    page = text(outsider.get("/forum"))
    assert "Zodra je collectief je lidmaatschap heeft goedgekeurd" in page


@pytest.mark.parametrize("email, badge", [("lid2@example.org", None),
                                          ("partner@example.org", "Partner"),
                                          ("mod@example.org", "Moderator")])
def test_members_partners_and_staff_start_threads_and_reply(app, cast, group, email, badge):
    person = client_for(app, email)
    response = submit(person, "/forum/energie/nieuw",
                      {"title": "  Warmtepomp   in een   oud huis  ", "body": "Wie heeft **ervaring**?"})
    assert response.status_code == 302
    thread = threads()[0]
    assert thread.title == "Warmtepomp in een oud huis"
    assert response.headers["Location"] == thread_path(thread)
    page = text(person.get(response.headers["Location"]))
    assert "Je discussie is geplaatst." in page
    assert "<p>Wie heeft <strong>ervaring</strong>?</p>" in page
    if badge:
        assert f'<span class="badge text-bg-{"info" if badge == "Partner" else "dark"}">{badge}</span>' in page
        assert ("· Groenfonds Nederland" in page) == (badge == "Partner")  # the organisation
    else:
        assert "Energiecoöperatie De Windvang" in page

    reader = client_for(app, "lid@example.org")
    response = post_reply(reader, thread, "Ja, wij! Bel me maar.")
    assert response.status_code == 302
    assert response.headers["Location"] == thread_path(thread) + "?pagina=1#bericht-2"
    assert [p.number for p in posts_of(thread)] == [1, 2]
    group_page = text(reader.get("/forum/energie"))
    assert "Warmtepomp in een oud huis" in group_page
    assert "1 reactie" in group_page and "-anna-de-vries\">Anna de Vries</a>" in group_page
    if badge:
        assert f">{badge}</span>" in group_page


def test_new_thread_button_and_group_page_details(app, cast, group):
    pinned, _ = start_thread(group, cast.partner, title="Lees dit eerst: spelregels")
    older, _ = start_thread(group, cast.member, title="Een oudere discussie",
                            now=utcnow() - timedelta(days=3))
    newer, _ = start_thread(group, cast.member2, title="Een nieuwere discussie")
    locked, _ = start_thread(group, cast.member2, title="Een gesloten discussie",
                             now=utcnow() - timedelta(days=5))
    gone, _ = start_thread(group, cast.member2, title="Een verwijderde discussie")
    pinned.pinned = True
    pinned.last_post_at = utcnow() - timedelta(days=10)
    locked.locked = True
    gone.deleted_at = utcnow()
    db.session.commit()
    page = text(client_for(app, "lid@example.org").get("/forum/energie"))
    titles = re.findall(r'<a href="/forum/energie/\d+-[^"]+" class="fw-\w+">([^<]+)</a>', page)
    assert titles == ["Lees dit eerst: spelregels", "Een nieuwere discussie",
                      "Een oudere discussie", "Een gesloten discussie"]
    assert ">Vastgezet</span>" in page and ">Gesloten</span>" in page
    assert re.search(r'Petra Partner</a>\s<span class="badge text-bg-info">Partner</span>', page)
    assert 'href="/forum/energie/nieuw">Nieuwe discussie</a>' in page
    assert "Een verwijderde discussie" not in page


def test_group_page_empty_state(app, cast, group):
    page = text(client_for(app, "lid@example.org").get("/forum/energie"))
    assert "Nog geen discussies" in page and "Begin de eerste discussie" in page


# -- replying, quoting, mentioning ---------------------------------------------------------------

def test_reply_updates_counters_watching_and_notifies_watchers(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    partner = client_for(app, "partner@example.org")
    post_reply(partner, thread, "Probeer de vrijwilligersvacaturebank.")
    thread = reload(Thread, thread.id)
    group = reload(ForumGroup, group.id)
    assert (thread.post_count, thread.last_post_number, thread.last_poster_id) == (2, 2, cast.partner.id)
    assert (group.thread_count, group.post_count) == (1, 2)
    assert group.last_post_at == thread.last_post_at
    # The replier now watches; the starter (watching) is told.
    assert db.session.get(ThreadWatch, (cast.partner.id, thread.id)).watching is True
    [note] = notifications(cast.member)
    assert note.kind == "reply"
    assert note.text == "Petra Partner reageerde in “Hoe vinden we nieuwe vrijwilligers?”"
    assert note.url == f"/forum/bericht/{posts_of(thread)[1].id}"
    assert note.excerpt == "Probeer de vrijwilligersvacaturebank."
    assert notifications(cast.partner) == []  # never about your own post


def test_quote_prefills_the_reply_and_notifies_the_quoted_author_once(app, cast, group):
    thread, opening = start_thread(group, cast.member, body="We zoeken **jonge** vrijwilligers.")
    add_replies(thread, [cast.member2], 1)
    partner = client_for(app, "partner@example.org")
    page = text(partner.get(thread_path(thread) + f"?citeer={opening.id}"))
    header = f"**Anna de Vries** schreef in [bericht #1](/forum/bericht/{opening.id}):"
    quoted = f"&gt; {header}\n&gt; We zoeken **jonge** vrijwilligers."
    assert quoted in page
    page = text(partner.get(reply_path(thread) + f"?citeer={opening.id}"))
    assert quoted in page
    body = f"> {header}\n> We zoeken **jonge** vrijwilligers.\n\nGoed idee!"
    assert post_reply(partner, thread, body).status_code == 302
    anna = [n for n in notifications(cast.member) if n.actor_id == cast.partner.id]
    assert [n.kind for n in anna] == ["quote"]  # a quote beats a reply: one notification
    assert anna[0].text == "Petra Partner citeerde je in “Hoe vinden we nieuwe vrijwilligers?”"
    assert [n.kind for n in notifications(cast.member2)] == ["reply"]
    saved = posts_of(thread)[-1]
    assert "<blockquote>" in saved.body_html and "Goed idee!" in saved.body_html
    assert (f'<a href="/forum/bericht/{opening.id}" rel="nofollow ugc noopener">bericht #1</a>'
            in saved.body_html)  # the link back to the quoted post


def test_quoting_a_post_with_a_mention_does_not_notify_the_mentioned_again(app, cast, group):
    thread, opening = start_thread(group, cast.member, body="Weet @Bert Jansen dit?")
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]
    partner = client_for(app, "partner@example.org")
    body = "> **Anna de Vries** schreef:\n> Weet @Bert Jansen dit?\n\nIk denk het wel."
    assert post_reply(partner, thread, body).status_code == 302
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]  # not a second time
    assert not [n for n in notifications(cast.member2) if n.actor_id == cast.partner.id]


def test_mentions_notify_readers_by_longest_name(app, cast, group):
    bea = quick_user("bea@example.org", collective=cast.collective, name="Bea")
    bea_de_boer = quick_user("bdb@example.org", collective=cast.collective, name="Bea de Boer")
    thread, _ = start_thread(group, cast.member)
    partner = client_for(app, "partner@example.org")
    body = "Vraag het @Bea de Boer eens, en ook @bert jansen. @Olga Los weet het ook."
    post_reply(partner, thread, body)
    assert [n.kind for n in notifications(bea_de_boer)] == ["mention"]
    assert notifications(bea_de_boer)[0].text == (
        "Petra Partner noemde je in “Hoe vinden we nieuwe vrijwilligers?”")
    assert notifications(bea) == []
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]  # case-insensitive
    assert notifications(cast.outsider) == []  # cannot read the forum: not told
    assert [n.kind for n in notifications(cast.member)] == ["reply"]


def test_mention_in_a_new_thread_beats_group_watching(app, cast, group):
    services.watch_group(cast.member2, group)
    services.watch_group(cast.partner, group)
    db.session.commit()
    member = client_for(app, "lid@example.org")
    submit(member, "/forum/energie/nieuw", {"title": "Subsidie voor zonnepanelen",
                                            "body": "Wat denkt @Petra Partner hiervan?"})
    assert [n.kind for n in notifications(cast.partner)] == ["mention"]
    [note] = notifications(cast.member2)
    assert note.kind == "new_thread"
    assert note.text == "Anna de Vries begon “Subsidie voor zonnepanelen” in Energie"
    assert notifications(cast.member) == []


# -- editing, deleting, reporting --------------------------------------------------------------------

def test_edit_keeps_history_shows_bewerkt_and_notifies_new_mentions_only(app, cast, group):
    thread, opening = start_thread(group, cast.member, body="Vraag aan @Bert Jansen: hoe?")
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]
    member = client_for(app, "lid@example.org")
    page = text(member.get(f"/forum/bericht/{opening.id}/bewerken"))
    assert "Vraag aan @Bert Jansen: hoe?</textarea>" in page
    response = submit(member, f"/forum/bericht/{opening.id}/bewerken",
                      {"body": "Vraag aan @Bert Jansen en @Petra Partner: *hoe*?"})
    assert response.status_code == 302
    assert response.headers["Location"] == thread_path(thread) + "?pagina=1#bericht-1"
    post = reload(Post, opening.id)
    bert, petra = mention_html(cast.member2), mention_html(cast.partner)
    assert post.body_html == f"<p>Vraag aan {bert} en {petra}: <em>hoe</em>?</p>"
    assert post.edit_count == 1 and post.edited_at is not None
    [revision] = db.session.execute(db.select(PostRevision)).scalars().all()
    assert revision.body_source == "Vraag aan @Bert Jansen: hoe?"
    assert revision.body_html == f"<p>Vraag aan {bert}: hoe?</p>"
    assert revision.editor_id == cast.member.id
    assert [n.kind for n in notifications(cast.member2)] == ["mention"]  # not told twice
    assert [n.kind for n in notifications(cast.partner)] == ["mention"]  # newly mentioned
    page = text(member.get(thread_path(thread)))
    assert "bewerkt op" in page and "Je wijziging is opgeslagen." in page


def test_edit_without_change_keeps_no_revision(app, cast, group):
    _, opening = start_thread(group, cast.member, body="Ongewijzigd")
    member = client_for(app, "lid@example.org")
    submit(member, f"/forum/bericht/{opening.id}/bewerken", {"body": "Ongewijzigd"})
    assert reload(Post, opening.id).edit_count == 0
    assert db.session.execute(db.select(PostRevision)).first() is None


def test_only_the_author_or_a_moderator_edits_and_deletes(app, cast, group):
    _, opening = start_thread(group, cast.member, body="Van Anna")
    other = client_for(app, "lid2@example.org")
    assert other.get(f"/forum/bericht/{opening.id}/bewerken").status_code == 403
    assert other.get(f"/forum/bericht/{opening.id}/verwijderen").status_code == 403
    token = csrf_token(other, "/account")
    assert other.post(f"/forum/bericht/{opening.id}/bewerken",
                      data={"body": "Gekaapt", "csrf_token": token}).status_code == 403
    assert other.post(f"/forum/bericht/{opening.id}/verwijderen",
                      data={"csrf_token": token}).status_code == 403
    assert reload(Post, opening.id).body_source == "Van Anna"
    assert reload(Post, opening.id).deleted_at is None
    moderator = client_for(app, "mod@example.org")
    submit(moderator, f"/forum/bericht/{opening.id}/bewerken", {"body": "Van Anna (ingekort)"})
    assert reload(Post, opening.id).body_source == "Van Anna (ingekort)"
    [revision] = db.session.execute(
        db.select(PostRevision).where(PostRevision.post_id == opening.id)).scalars().all()
    assert revision.editor_id == cast.moderator.id and revision.body_source == "Van Anna"
    [entry] = db.session.execute(db.select(AuditLog)).scalars().all()
    assert (entry.action, entry.actor_id, entry.target_id) == ("forum.edit_post", cast.moderator.id,
                                                               opening.id)


def test_delete_own_reply_leaves_placeholder_and_updates_counters(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    replies = add_replies(thread, [cast.member2, cast.partner], 2)
    bert = client_for(app, "lid2@example.org")
    page = text(bert.get(f"/forum/bericht/{replies[0].id}/verwijderen"))
    assert "Bericht verwijderen?" in page and "Ja, verwijder het bericht" in page
    response = submit(bert, f"/forum/bericht/{replies[0].id}/verwijderen", {})
    assert response.status_code == 302
    post = reload(Post, replies[0].id)
    assert post.deleted_at is not None and post.body_source == "Reactie 2"
    thread = reload(Thread, thread.id)
    assert thread.post_count == 2 and reload(ForumGroup, group.id).post_count == 2
    page = text(bert.get(thread_path(thread)))
    assert "Dit bericht is verwijderd door de schrijver." in page
    assert "Reactie 2" not in page
    assert post_numbers_on(page) == [1, 2, 3]  # the placeholder keeps its place


def test_opening_post_with_replies_cannot_be_deleted(app, cast, group):
    thread, opening = start_thread(group, cast.member)
    add_replies(thread, [cast.member2], 1)
    member = client_for(app, "lid@example.org")
    page = text(member.get(f"/forum/bericht/{opening.id}/verwijderen"))
    assert "Het openingsbericht kan niet meer weg nu er reacties op zijn" in page
    response = submit(member, f"/forum/bericht/{opening.id}/verwijderen", {},
                      page=f"/forum/bericht/{opening.id}/bewerken")
    assert response.status_code == 200
    assert reload(Post, opening.id).deleted_at is None
    assert reload(Thread, thread.id).deleted_at is None


def test_deleting_a_lone_opening_post_deletes_the_thread(app, cast, group):
    thread, opening = start_thread(group, cast.member)
    member = client_for(app, "lid@example.org")
    assert "Ja, verwijder de discussie" in text(member.get(f"/forum/bericht/{opening.id}/verwijderen"))
    response = submit(member, f"/forum/bericht/{opening.id}/verwijderen", {})
    assert response.headers["Location"] == "/forum/energie"
    assert reload(Thread, thread.id).deleted_at is not None
    group = reload(ForumGroup, group.id)
    assert (group.thread_count, group.post_count, group.last_post_at) == (0, 0, None)
    assert member.get(thread_path(thread)).status_code == 404


def test_report_is_stored_once_per_person(app, cast, group):
    thread, opening = start_thread(group, cast.member, body="Koop nu mijn zonnepanelen!")
    partner = client_for(app, "partner@example.org")
    response = submit(partner, f"/forum/bericht/{opening.id}/melden", {"reason": "kort"})
    assert response.status_code == 400 and "Een reden is 5 tot 1000 tekens lang." in text(response)
    response = submit(partner, f"/forum/bericht/{opening.id}/melden", {"reason": "Dit is reclame."})
    assert response.status_code == 302
    [report] = db.session.execute(db.select(PostReport)).scalars().all()
    assert (report.post_id, report.reporter_id, report.reason) == (opening.id, cast.partner.id,
                                                                  "Dit is reclame.")
    assert report.resolved_at is None
    page = text(partner.get(f"/forum/bericht/{opening.id}/melden"))
    assert "Je hebt dit bericht al gemeld." in page
    token = csrf_token(partner, "/account")
    response = partner.post(f"/forum/bericht/{opening.id}/melden",
                            data={"reason": "Nog een keer reclame.", "csrf_token": token})
    assert response.status_code == 409
    assert db.session.execute(db.select(db.func.count(PostReport.id))).scalar_one() == 1
    # Someone else may report it too; the author may not report their own post.
    submit(client_for(app, "lid2@example.org"), f"/forum/bericht/{opening.id}/melden",
           {"reason": "Verkooppraatje."})
    assert db.session.execute(db.select(db.func.count(PostReport.id))).scalar_one() == 2
    author = client_for(app, "lid@example.org")
    assert author.get(f"/forum/bericht/{opening.id}/melden").status_code == 403
    assert "/melden" not in text(author.get(thread_path(thread))).split('id="bericht-1"')[1].split("</article>")[0]


# -- watching --------------------------------------------------------------------------------------

def test_watch_unwatch_and_mute_decide_who_hears_of_replies(app, cast, group, no_flood_limit):
    thread, _ = start_thread(group, cast.member)
    bert = client_for(app, "lid2@example.org")
    partner = client_for(app, "partner@example.org")
    moderator = client_for(app, "mod@example.org")
    # Bert watches without replying; the partner replies (and so watches) then mutes.
    submit(bert, f"/forum/energie/{thread.id}/volgen", {}, page=thread_path(thread))
    post_reply(partner, thread, "Eerste reactie")
    submit(partner, f"/forum/energie/{thread.id}/negeren", {}, page=thread_path(thread))
    assert db.session.get(ThreadWatch, (cast.partner.id, thread.id)).watching is False
    assert "Je negeert deze discussie." in text(partner.get(thread_path(thread)))

    post_reply(moderator, thread, "Tweede reactie")
    assert [n.kind for n in notifications(cast.member2)] == ["reply", "reply"]
    assert [n.kind for n in notifications(cast.member)] == ["reply", "reply"]
    assert notifications(cast.partner) == []  # muted

    # Muted stays muted after replying again; Anna stops watching.
    post_reply(partner, thread, "Derde reactie")
    assert db.session.get(ThreadWatch, (cast.partner.id, thread.id)).watching is False
    member = client_for(app, "lid@example.org")
    submit(member, f"/forum/energie/{thread.id}/niet-volgen", {}, page=thread_path(thread))
    assert db.session.get(ThreadWatch, (cast.member.id, thread.id)) is None
    post_reply(moderator, thread, "Vierde reactie")
    assert len(notifications(cast.member)) == 3  # two before, the partner's third; not the fourth
    assert notifications(cast.partner) == []
    assert len(notifications(cast.member2)) == 4


def test_group_watch_brings_new_thread_notifications(app, cast, group):
    bert = client_for(app, "lid2@example.org")
    response = submit(bert, "/forum/energie/volgen", {})
    assert response.headers["Location"] == "/forum/energie"
    page = text(bert.get("/forum/energie"))
    assert "Je volgt deze groep" in page and "Groep niet meer volgen" in page
    member = client_for(app, "lid@example.org")
    submit(member, "/forum/energie/nieuw", {"title": "Eerste discussie", "body": "Hallo"})
    [note] = notifications(cast.member2)
    assert note.kind == "new_thread" and note.url == f"/forum/bericht/{posts_of(threads()[0])[0].id}"
    submit(bert, "/forum/energie/niet-volgen", {})
    assert db.session.get(GroupWatch, (cast.member2.id, group.id)) is None
    services.create_thread(cast.partner, group, "Tweede discussie", "Nog eens", enforce_limits=False)
    db.session.commit()
    assert len(notifications(cast.member2)) == 1


# -- reading state -----------------------------------------------------------------------------------

def test_unread_marker_appears_for_others_and_goes_after_reading(app, cast, group):
    thread, _ = start_thread(group, cast.member, title="Nieuwe ledenwerving")
    bert = client_for(app, "lid2@example.org")
    member = client_for(app, "lid@example.org")

    def marked(client):
        [row] = thread_rows(text(client.get("/forum/energie")))
        return 'forum-unread">nieuw</span>' in row and "fw-bold" in row

    assert marked(bert) and not marked(member)  # the author has read their own post
    assert "forum-unread" in text(bert.get("/forum"))
    bert.get(thread_path(thread))
    assert not marked(bert)
    assert "forum-unread" not in text(bert.get("/forum"))
    assert db.session.get(ThreadRead, (cast.member2.id, thread.id)).last_read_number == 1
    post_reply(bert, thread, "Een reactie van Bert")
    assert marked(member) and not marked(bert)
    page = text(member.get("/forum/energie"))
    assert f"/forum/energie/{thread.id}-nieuwe-ledenwerving?pagina=1#bericht-2" in page
    page = text(member.get(thread_path(thread)))
    assert "Nieuw sinds je laatste bezoek" in page
    assert not marked(member)


def test_reading_an_earlier_page_does_not_lower_the_reading_state(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    add_replies(thread, [cast.member2, cast.partner], 29)
    moderator = client_for(app, "mod@example.org")
    moderator.get(thread_path(thread) + "?pagina=2")
    assert db.session.get(ThreadRead, (cast.moderator.id, thread.id)).last_read_number == 30
    moderator.get(thread_path(thread))
    db.session.expire_all()
    assert db.session.get(ThreadRead, (cast.moderator.id, thread.id)).last_read_number == 30


# -- addresses, pages, previews ------------------------------------------------------------------

def test_permalink_of_post_45_of_60_opens_page_3(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    replies = add_replies(thread, [cast.member2, cast.partner], 59)
    post_45 = replies[43]
    assert post_45.number == 45
    bert = client_for(app, "lid2@example.org")
    response = bert.get(f"/forum/bericht/{post_45.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == thread_path(thread) + "?pagina=3#bericht-45"
    page = text(bert.get(response.headers["Location"]))
    assert post_numbers_on(page) == list(range(41, 61))
    assert f'href="/forum/bericht/{post_45.id}"' in page


def test_thread_pages_of_twenty(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    add_replies(thread, [cast.member2], 24)
    bert = client_for(app, "lid2@example.org")
    first = text(bert.get(thread_path(thread)))
    assert post_numbers_on(first) == list(range(1, 21))
    assert 'rel="next"' in first and "?pagina=2" in first
    second = text(bert.get(thread_path(thread) + "?pagina=2"))
    assert post_numbers_on(second) == list(range(21, 26))
    beyond = bert.get(thread_path(thread) + "?pagina=9")
    assert beyond.status_code == 302 and beyond.headers["Location"].endswith("?pagina=2")


def test_group_pages_of_twenty_five(app, cast, group):
    start = utcnow() - timedelta(days=2)
    for number in range(30):
        start_thread(group, cast.member, title=f"Discussie {number:02d}",
                     now=start + timedelta(minutes=number))
    bert = client_for(app, "lid2@example.org")
    first = text(bert.get("/forum/energie"))
    assert len(thread_rows(first)) == 25
    assert "Discussie 29" in first and "Discussie 05" in first and "Discussie 04" not in first
    second = text(bert.get("/forum/energie?pagina=2"))
    assert "Discussie 04" in second and "Discussie 00" in second and "Discussie 05" not in second
    assert "pagina 2 van 2" in second


def test_wrong_group_or_missing_slug_redirects_to_the_real_address(app, cast, group):
    make_group("Wonen", slug="wonen")
    thread, _ = start_thread(group, cast.member)
    bert = client_for(app, "lid2@example.org")
    response = bert.get(f"/forum/wonen/{thread.id}-iets-anders?pagina=1")
    assert response.status_code == 302
    assert response.headers["Location"] == thread_path(thread) + "?pagina=1"
    response = bert.get(f"/forum/energie/{thread.id}")
    assert response.headers["Location"] == thread_path(thread)
    assert bert.get(f"/forum/energie/{thread.id}-een-andere-titel").status_code == 200


def test_preview_shows_rendered_markdown_and_saves_nothing(app, cast, group):
    thread, opening = start_thread(group, cast.member, body="Origineel")
    member = client_for(app, "lid@example.org")
    response = submit(member, "/forum/energie/nieuw",
                      {"title": "Een voorbeeld bekijken", "body": "Dit is **vet**", "preview": "Voorbeeld"})
    page = text(response)
    assert response.status_code == 200
    assert "Voorbeeld (nog niet geplaatst)" in page and "<p>Dit is <strong>vet</strong></p>" in page
    assert 'value="Een voorbeeld bekijken"' in page and "Dit is **vet**</textarea>" in page
    response = post_reply(member, thread, "Een *reactie*", preview="Voorbeeld")
    assert "<p>Een <em>reactie</em></p>" in text(response) and "Een *reactie*</textarea>" in text(response)
    response = submit(member, f"/forum/bericht/{opening.id}/bewerken",
                      {"body": "Nieuw `code`", "preview": "Voorbeeld"})
    assert "<p>Nieuw <code>code</code></p>" in text(response)
    assert len(threads()) == 1 and len(posts_of(thread)) == 1
    assert reload(Post, opening.id).body_source == "Origineel"
    assert notifications() == []


def test_locked_thread_takes_no_replies_except_from_moderators(app, cast, group):
    thread, _ = start_thread(group, cast.member)
    thread.locked = True
    db.session.commit()
    member = client_for(app, "lid@example.org")
    page = text(member.get(thread_path(thread)))
    assert "Deze discussie is gesloten" in page and 'action="' + reply_path(thread) not in page
    response = post_reply(member, thread, "Toch nog even")
    assert response.status_code == 302
    assert "Deze discussie is gesloten" in text(member.get(response.headers["Location"]))
    assert member.get(reply_path(thread)).status_code == 302
    assert len(posts_of(thread)) == 1
    moderator = client_for(app, "mod@example.org")
    assert post_reply(moderator, thread, "Aanvulling van de moderator").status_code == 302
    assert len(posts_of(thread)) == 2


def test_deleted_thread_is_gone_for_readers(app, cast, group):
    thread, opening = start_thread(group, cast.member)
    thread.deleted_at = utcnow()
    db.session.commit()
    bert = client_for(app, "lid2@example.org")
    assert bert.get(thread_path(thread)).status_code == 404
    assert bert.get(f"/forum/bericht/{opening.id}").status_code == 404
    assert post_reply(bert, thread, "Hallo?").status_code == 404
    moderator = client_for(app, "mod@example.org")
    assert "Deze discussie is verwijderd" in text(moderator.get(thread_path(thread)))
