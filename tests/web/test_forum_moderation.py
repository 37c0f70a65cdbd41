"""Moderation of the discussion groups through the test client: hiding and restoring posts, locking,
pinning, moving and deleting threads, a post's history, the report queue and managing groups.
Every action is checked for its effect, its audit entry and the counters it leaves behind."""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.forum import moderation, services
from app.models.audit import AuditLog
from app.models.forum import ForumGroup, Post, PostReport, Thread
from app.timeutil import utcnow
from tests.factories import add_replies, cheap_passwords, make_group, quick_user, start_thread
from tests.fixtures.forum import Cast, posts_of, thread_path
from tests.support import QueryCounter, csrf_token, isolated_client, login, reload, submit, text

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\u202eevil", "x" * 5000, "<script>alert(1)</script>",
    "' OR 1=1 --", "%00", "../../etc/passwd", "🙂" * 300,
]


@pytest.fixture
def cast():
    cast = Cast()
    cheap_passwords(cast.member, cast.member2, cast.partner, cast.moderator, cast.outsider)
    return cast


@pytest.fixture
def group():
    return make_group("Energie", slug="energie")


@pytest.fixture
def other_group():
    return make_group("Wonen", slug="wonen", position=1, description="Over woongroepen.")


@pytest.fixture
def thread(cast, group):
    """A thread of four posts (by Anna, Bert, Petra, Anna), started two days ago."""
    thread, _ = start_thread(group, cast.member, title="Zonnepanelen op het dorpshuis",
                             body="Wie heeft ervaring met **zonnepanelen**?",
                             now=utcnow() - timedelta(days=2))
    add_replies(thread, [cast.member2, cast.partner, cast.member], 3,
                body="Antwoord nummer {n}")
    return thread


@pytest.fixture
def mod(app, cast):
    return client_for(app, "mod@example.org")


@pytest.fixture
def member(app, cast):
    return client_for(app, "lid2@example.org")


def client_for(app, email):
    new_client = isolated_client(app)
    response = login(new_client, email)
    assert response.status_code == 302, text(response)
    return new_client


def audit(action):
    db.session.expire_all()
    return db.session.execute(
        db.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).scalars().all()


def thread_action(client, thread, action, page=None):
    return submit(client, f"/forum/{thread.group.slug}/{thread.id}/{action}", {},
                  page=page or thread_path(thread))


def counters(thread):
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    group = db.session.get(ForumGroup, thread.group_id)
    return {
        "thread_posts": thread.post_count,
        "last_number": thread.last_post_number,
        "last_poster": thread.last_poster_id,
        "group_threads": group.thread_count,
        "group_posts": group.post_count,
    }


# -- hiding and restoring posts ---------------------------------------------------------------------

def test_moderator_hides_a_post_with_a_reason(mod, cast, thread):
    last = posts_of(thread)[-1]
    before = counters(thread)
    assert before["thread_posts"] == 4 and before["last_number"] == 4

    page = mod.get(f"/forum/bericht/{last.id}/verbergen")
    assert page.status_code == 200
    assert "Antwoord nummer 4" in text(page) and 'name="reason"' in text(page)

    response = submit(mod, f"/forum/bericht/{last.id}/verbergen", {"reason": "Persoonlijke gegevens"})
    assert response.status_code == 302
    assert f"#bericht-{last.number}" in response.headers["Location"]

    hidden = reload(Post, last.id)
    assert hidden.hidden_at is not None
    assert hidden.hidden_by_id == cast.moderator.id
    assert hidden.hidden_reason == "Persoonlijke gegevens"
    after = counters(thread)
    assert after["thread_posts"] == 3 and after["group_posts"] == 3
    # The last visible post is now number 3, by the partner.
    assert after["last_number"] == 3 and after["last_poster"] == cast.partner.id
    entries = audit("forum.hide_post")
    assert len(entries) == 1
    assert entries[0].actor_id == cast.moderator.id and entries[0].target_id == last.id
    assert entries[0].details["reason"] == "Persoonlijke gegevens"
    assert entries[0].summary == "Bericht 4 in “Zonnepanelen op het dorpshuis” verborgen"


@pytest.mark.parametrize("reason", ["", "  ", "ab", "x" * 501, "reden\x00met nul", "\u202eomgekeerd"])
def test_hiding_needs_a_proper_reason(mod, thread, reason):
    post = posts_of(thread)[1]
    response = submit(mod, f"/forum/bericht/{post.id}/verbergen", {"reason": reason})
    assert response.status_code == 400
    assert "reden" in text(response).lower() or "onzichtbare tekens" in text(response)
    assert reload(Post, post.id).hidden_at is None
    assert audit("forum.hide_post") == []


def test_hidden_post_shows_a_placeholder_to_members_and_the_text_to_moderators(app, mod, member,
                                                                                   thread):
    post = posts_of(thread)[2]
    submit(mod, f"/forum/bericht/{post.id}/verbergen", {"reason": "Reclame voor een bedrijf"})

    as_member = text(member.get(thread_path(thread)))
    assert "Dit bericht is verborgen door een moderator." in as_member
    assert "Antwoord nummer 3" not in as_member
    assert "Reclame voor een bedrijf" not in as_member
    assert "/terugzetten" not in as_member and "/verbergen" not in as_member

    as_moderator = text(mod.get(thread_path(thread)))
    assert "Dit bericht is verborgen door een moderator." in as_moderator
    assert "Antwoord nummer 3" in as_moderator
    assert "Reclame voor een bedrijf" in as_moderator
    assert f"/forum/bericht/{post.id}/terugzetten" in as_moderator
    # The other posts can be hidden from the page.
    assert f"/forum/bericht/{posts_of(thread)[1].id}/verbergen" in as_moderator


def test_moderator_restores_a_hidden_post(mod, member, cast, thread):
    post = posts_of(thread)[-1]
    submit(mod, f"/forum/bericht/{post.id}/verbergen", {"reason": "Even nakijken"})
    assert counters(thread)["thread_posts"] == 3

    response = submit(mod, f"/forum/bericht/{post.id}/terugzetten", {}, page=thread_path(thread))
    assert response.status_code == 302
    restored = reload(Post, post.id)
    assert restored.hidden_at is None and restored.hidden_by_id is None
    assert restored.hidden_reason is None
    after = counters(thread)
    assert after["thread_posts"] == 4 and after["group_posts"] == 4
    assert after["last_number"] == 4 and after["last_poster"] == cast.member.id
    assert "Antwoord nummer 4" in text(member.get(thread_path(thread)))
    entries = audit("forum.restore_post")
    assert len(entries) == 1 and entries[0].details["hidden_reason"] == "Even nakijken"


def test_restoring_a_visible_post_changes_nothing(mod, thread):
    post = posts_of(thread)[1]
    response = submit(mod, f"/forum/bericht/{post.id}/terugzetten", {}, page=thread_path(thread))
    assert response.status_code == 302
    assert "niet verborgen" in text(mod.get(response.headers["Location"]))
    assert audit("forum.restore_post") == []


def test_hiding_twice_or_hiding_a_deleted_post_is_refused(mod, cast, thread):
    post = posts_of(thread)[1]
    submit(mod, f"/forum/bericht/{post.id}/verbergen", {"reason": "Eerste keer"})
    again = submit(mod, f"/forum/bericht/{post.id}/verbergen", {"reason": "Tweede keer"},
                   page=f"/forum/bericht/{post.id}/verbergen")
    assert again.status_code == 409
    assert reload(Post, post.id).hidden_reason == "Eerste keer"

    deleted = posts_of(thread)[2]
    services.delete_post(cast.partner, deleted)
    db.session.commit()
    page = mod.get(f"/forum/bericht/{deleted.id}/verbergen")
    assert "al verwijderd door de schrijver" in text(page)
    response = submit(mod, f"/forum/bericht/{deleted.id}/verbergen", {"reason": "Toch verbergen"},
                      page=thread_path(thread))
    assert response.status_code == 409
    assert reload(Post, deleted.id).hidden_at is None
    assert len(audit("forum.hide_post")) == 1


def test_hiding_the_only_post_empties_the_group_counts(mod, cast, group):
    lone, opening = start_thread(group, cast.member, title="Een enkel bericht",
                                 now=utcnow() - timedelta(hours=1))
    submit(mod, f"/forum/bericht/{opening.id}/verbergen", {"reason": "Spam"})
    db.session.expire_all()
    group = db.session.get(ForumGroup, group.id)
    assert group.post_count == 0 and group.thread_count == 1
    assert group.last_post_at is None
    assert reload(Thread, lone.id).post_count == 0


# -- locking and pinning ----------------------------------------------------------------------------

def test_lock_refuses_replies_from_members_but_not_from_moderators(mod, member, cast, thread):
    response = thread_action(mod, thread, "sluiten")
    assert response.status_code == 302
    assert reload(Thread, thread.id).locked is True
    page = text(mod.get(response.headers["Location"]))
    assert "De discussie is gesloten" in page and "/heropenen" in page

    refused = submit(member, f"/forum/energie/{thread.id}/reageren", {"body": "Mag ik nog?"},
                     page=thread_path(thread))
    assert refused.status_code == 302
    assert "gesloten" in text(member.get(refused.headers["Location"]))
    assert len(posts_of(thread)) == 4

    allowed = submit(mod, f"/forum/energie/{thread.id}/reageren", {"body": "Een laatste woord."},
                     page=thread_path(thread))
    assert allowed.status_code == 302
    assert posts_of(thread)[-1].body_source == "Een laatste woord."
    assert counters(thread)["thread_posts"] == 5

    assert thread_action(mod, thread, "heropenen").status_code == 302
    assert reload(Thread, thread.id).locked is False
    assert submit(member, f"/forum/energie/{thread.id}/reageren", {"body": "Nu weer wel."},
                  page=thread_path(thread)).status_code == 302
    assert posts_of(thread)[-1].body_source == "Nu weer wel."
    assert [entry.target_id for entry in audit("forum.lock_thread")] == [thread.id]
    assert [entry.target_id for entry in audit("forum.unlock_thread")] == [thread.id]


def test_locking_twice_is_harmless_and_logged_once(mod, thread):
    thread_action(mod, thread, "sluiten")
    response = thread_action(mod, thread, "sluiten")
    assert "al gesloten" in text(mod.get(response.headers["Location"]))
    assert len(audit("forum.lock_thread")) == 1


def test_pinned_thread_comes_first_in_the_group(mod, member, cast, group, thread):
    newer, _ = start_thread(group, cast.member2, title="Een nieuwere discussie",
                            now=utcnow() - timedelta(minutes=5))

    def titles():
        page = text(member.get("/forum/energie"))
        return re.findall(r'<a href="/forum/energie/\d+-[^"]*"[^>]*>([^<]+)</a>', page)

    assert titles() == ["Een nieuwere discussie", "Zonnepanelen op het dorpshuis"]
    assert thread_action(mod, thread, "vastzetten").status_code == 302
    assert reload(Thread, thread.id).pinned is True
    assert titles() == ["Zonnepanelen op het dorpshuis", "Een nieuwere discussie"]
    assert "Vastgezet" in text(member.get("/forum/energie"))

    assert thread_action(mod, thread, "losmaken").status_code == 302
    assert reload(Thread, thread.id).pinned is False
    assert titles() == ["Een nieuwere discussie", "Zonnepanelen op het dorpshuis"]
    assert len(audit("forum.pin_thread")) == 1 and len(audit("forum.unpin_thread")) == 1
    assert newer.id != thread.id


def test_thread_controls_follow_the_state(mod, member, thread):
    page = text(mod.get(thread_path(thread)))
    for action in ("sluiten", "vastzetten", "verplaatsen", "verwijderen"):
        assert f"/forum/energie/{thread.id}/{action}" in page
    assert "Moderatie van deze discussie" in page
    member_page = text(member.get(thread_path(thread)))
    assert "Moderatie van deze discussie" not in member_page
    assert f"/{thread.id}/sluiten" not in member_page


# -- moving -----------------------------------------------------------------------------------------

def test_moderator_moves_a_thread_to_another_group(mod, member, thread, group, other_group):
    page = mod.get(f"/forum/energie/{thread.id}/verplaatsen")
    assert page.status_code == 200
    assert f'<option value="{other_group.id}">Wonen</option>' in text(page)
    assert f'value="{group.id}"' not in text(page)  # not the group it is in

    response = submit(mod, f"/forum/energie/{thread.id}/verplaatsen",
                      {"group": str(other_group.id)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/forum/wonen/{thread.id}-")

    db.session.expire_all()
    assert db.session.get(Thread, thread.id).group_id == other_group.id
    old, new = db.session.get(ForumGroup, group.id), db.session.get(ForumGroup, other_group.id)
    assert (old.thread_count, old.post_count, old.last_post_at) == (0, 0, None)
    assert (new.thread_count, new.post_count) == (1, 4)
    assert new.last_post_at is not None

    assert "Zonnepanelen op het dorpshuis" in text(member.get("/forum/wonen"))
    assert "Zonnepanelen op het dorpshuis" not in text(member.get("/forum/energie"))
    # The old address still leads to the thread.
    old_address = member.get(f"/forum/energie/{thread.id}-zonnepanelen")
    assert old_address.status_code == 302 and "/forum/wonen/" in old_address.headers["Location"]
    entries = audit("forum.move_thread")
    assert len(entries) == 1
    assert entries[0].details == {"from_group_id": group.id, "to_group_id": other_group.id}


def test_moving_to_the_same_group_gets_a_dutch_message(mod, thread, group, other_group):
    response = submit(mod, f"/forum/energie/{thread.id}/verplaatsen", {"group": str(group.id)},
                      page=f"/forum/energie/{thread.id}/verplaatsen")
    assert response.status_code == 302
    page = text(mod.get(response.headers["Location"]))
    assert "Deze discussie staat al in de groep Energie" in page
    assert reload(Thread, thread.id).group_id == group.id
    assert audit("forum.move_thread") == []


@pytest.mark.parametrize("value", HOSTILE + ["abc", "-1", "0", "99999999999999999999", "1.5"])
def test_moving_with_a_bad_group_changes_nothing(mod, thread, group, other_group, value):
    response = submit(mod, f"/forum/energie/{thread.id}/verplaatsen", {"group": value},
                      page=f"/forum/energie/{thread.id}/verplaatsen")
    assert response.status_code == 400
    assert "Kies een groep uit de lijst." in text(response)
    assert reload(Thread, thread.id).group_id == group.id
    assert audit("forum.move_thread") == []


# -- deleting a thread ------------------------------------------------------------------------------

def test_moderator_deletes_a_thread_after_confirming(mod, member, cast, group, thread):
    other, _ = start_thread(group, cast.member2, title="Blijft gewoon staan",
                            now=utcnow() - timedelta(days=3))
    confirm = mod.get(f"/forum/energie/{thread.id}/verwijderen")
    assert confirm.status_code == 200
    assert "Ja, verwijder de discussie" in text(confirm)
    assert reload(Thread, thread.id).deleted_at is None  # the page alone changes nothing

    response = submit(mod, f"/forum/energie/{thread.id}/verwijderen", {})
    assert response.status_code == 302 and response.headers["Location"] == "/forum/energie"
    gone = reload(Thread, thread.id)
    assert gone.deleted_at is not None and gone.deleted_by_id == cast.moderator.id

    db.session.expire_all()
    group = db.session.get(ForumGroup, group.id)
    assert (group.thread_count, group.post_count) == (1, 1)
    assert group.last_post_at == reload(Thread, other.id).last_post_at

    listing = text(member.get("/forum/energie"))
    assert "Zonnepanelen op het dorpshuis" not in listing and "Blijft gewoon staan" in listing
    assert member.get(thread_path(thread)).status_code == 404
    assert member.get(f"/forum/bericht/{posts_of(thread)[1].id}").status_code == 404
    # Moderators can still read it, with a notice.
    assert "Deze discussie is verwijderd" in text(mod.get(thread_path(thread)))
    entries = audit("forum.delete_thread")
    assert len(entries) == 1 and entries[0].target_id == thread.id


def test_a_deleted_thread_cannot_be_locked_moved_or_deleted_again(mod, thread, other_group):
    submit(mod, f"/forum/energie/{thread.id}/verwijderen", {})
    response = thread_action(mod, thread, "sluiten")
    assert "Deze discussie is verwijderd" in text(mod.get(response.headers["Location"]))
    assert reload(Thread, thread.id).locked is False
    again = submit(mod, f"/forum/energie/{thread.id}/verwijderen", {},
                   page=f"/forum/energie/{thread.id}/verplaatsen")
    assert again.status_code == 409
    submit(mod, f"/forum/energie/{thread.id}/verplaatsen", {"group": str(other_group.id)})
    assert reload(Thread, thread.id).group_id != other_group.id
    assert len(audit("forum.delete_thread")) == 1
    assert audit("forum.lock_thread") == [] and audit("forum.move_thread") == []


# -- history ----------------------------------------------------------------------------------------

def test_moderator_and_author_read_the_history_of_an_edited_post(app, mod, member, cast, thread):
    post = posts_of(thread)[1]
    services.edit_post(cast.member2, post, "Tweede versie met *nadruk*", now=utcnow() - timedelta(hours=2))
    services.edit_post(cast.moderator, post, "Derde versie", now=utcnow() - timedelta(hours=1))
    db.session.commit()

    page = text(mod.get(thread_path(thread)))
    assert f"/forum/bericht/{post.id}/geschiedenis" in page
    assert f"/forum/bericht/{posts_of(thread)[2].id}/geschiedenis" not in page  # never edited
    # Bert wrote the post: "bewerkt op" links him to its history; Anna sees no history link.
    assert f"/forum/bericht/{post.id}/geschiedenis" in text(member.get(thread_path(thread)))
    anna = client_for(app, "lid@example.org")
    assert "/geschiedenis" not in text(anna.get(thread_path(thread)))

    history = mod.get(f"/forum/bericht/{post.id}/geschiedenis")
    assert history.status_code == 200
    body = text(history)
    assert "2 eerdere versies" in body
    assert "<p>Derde versie</p>" in body                     # the current version
    assert "<p>Tweede versie met <em>nadruk</em></p>" in body  # stored HTML, as it was
    assert "<p>Antwoord nummer 2</p>" in body
    assert body.index("Tweede versie") < body.index("Antwoord nummer 2")  # newest first
    assert "door Bert Jansen" in body and "door Mo Derator" in body

    assert anna.get(f"/forum/bericht/{post.id}/geschiedenis").status_code == 403
    own = member.get(f"/forum/bericht/{post.id}/geschiedenis")
    assert own.status_code == 200 and "2 eerdere versies" in text(own)


# -- the report queue -------------------------------------------------------------------------------

def report(post, reporter, reason="Dit is beledigend", when=None):
    entry = PostReport(post_id=post.id, reporter_id=reporter.id, reason=reason,
                       created_at=when or utcnow())
    db.session.add(entry)
    db.session.commit()
    return entry


def test_report_queue_shows_each_post_in_context_oldest_first(mod, cast, thread):
    posts = posts_of(thread)
    newer = report(posts[1], cast.member, "Tweede melding", utcnow() - timedelta(hours=1))
    older = report(posts[2], cast.member2, "Eerste melding: reclame", utcnow() - timedelta(hours=5))

    response = mod.get("/beheer/meldingen")
    assert response.status_code == 200
    page = text(response)
    assert page.index(f'id="melding-{older.id}"') < page.index(f'id="melding-{newer.id}"')
    card = page[page.index(f'id="melding-{older.id}"'):page.index(f'id="melding-{newer.id}"')]
    assert "Zonnepanelen op het dorpshuis" in card
    assert f'href="/forum/bericht/{posts[2].id}"' in card
    assert "<p>Antwoord nummer 3</p>" in card          # the reported post
    assert "<p>Antwoord nummer 2</p>" in card          # the post before it, for context
    assert "Petra Partner" in card                      # the author
    assert "Bert Jansen" in card                        # the reporter
    assert "Eerste melding: reclame" in card
    assert "Afhandelen zonder actie" in card and "Bericht verbergen en afhandelen" in card
    assert f'/beheer/meldingen/{older.id}/verbergen' in card


def test_resolving_without_action_keeps_the_post(mod, cast, thread):
    post = posts_of(thread)[1]
    entry = report(post, cast.member)
    response = submit(mod, f"/beheer/meldingen/{entry.id}/afhandelen",
                      {"note": "Scherp, maar binnen de regels."}, page="/beheer/meldingen")
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/meldingen"
    done = reload(PostReport, entry.id)
    assert done.resolved_at is not None and done.resolved_by_id == cast.moderator.id
    assert done.resolution == "Scherp, maar binnen de regels."
    assert reload(Post, post.id).hidden_at is None
    assert "Er zijn geen open meldingen." in text(mod.get("/beheer/meldingen"))
    handled = text(mod.get("/beheer/meldingen?status=afgehandeld"))
    assert "Scherp, maar binnen de regels." in handled and "door Mo Derator" in handled
    entries = audit("forum.resolve_report")
    assert len(entries) == 1 and entries[0].target_id == entry.id


def test_hiding_a_reported_post_shows_the_moderators_note_not_the_reporters_reason(
        mod, cast, thread):
    target = posts_of(thread)[1]
    entry = report(target, cast.member, "Bert is een oplichter, let op")
    submit(mod, f"/beheer/meldingen/{entry.id}/verbergen",
           {"note": "Persoonlijke aanval; verborgen"}, page="/beheer/meldingen")
    assert reload(Post, target.id).hidden_reason == "Persoonlijke aanval; verborgen"
    page = text(mod.get(thread_path(thread)))
    assert "Persoonlijke aanval; verborgen" in page and "oplichter" not in page


def test_resolving_without_a_note_is_fine(mod, cast, thread):
    entry = report(posts_of(thread)[1], cast.member)
    submit(mod, f"/beheer/meldingen/{entry.id}/afhandelen", {}, page="/beheer/meldingen")
    assert reload(PostReport, entry.id).resolution == "Afgehandeld zonder actie"


def test_hide_and_resolve_closes_every_open_report_of_the_post(mod, cast, thread):
    posts = posts_of(thread)
    target = posts[-1]
    first = report(target, cast.member2, "Noemt het adres van de buurman", utcnow() - timedelta(hours=2))
    second = report(target, cast.partner, "Privégegevens")
    elsewhere = report(posts[1], cast.member, "Iets anders")

    response = submit(mod, f"/beheer/meldingen/{first.id}/verbergen", {}, page="/beheer/meldingen")
    assert response.status_code == 302
    assert "alle 2 meldingen" in text(mod.get("/beheer/meldingen"))
    hidden = reload(Post, target.id)
    # The reporter's words stay with the report; the post says a moderator hid it after a report.
    assert hidden.hidden_at is not None and hidden.hidden_reason == "Verborgen na een melding"
    assert reload(PostReport, first.id).resolved_at is not None
    assert reload(PostReport, second.id).resolved_at is not None
    assert reload(PostReport, second.id).resolution == "Bericht verborgen"
    assert reload(PostReport, elsewhere.id).resolved_at is None
    assert counters(thread)["thread_posts"] == 3
    assert len(audit("forum.hide_post")) == 1 and len(audit("forum.resolve_report")) == 1
    assert audit("forum.resolve_report")[0].details["reports_closed"] == 2


def test_a_handled_report_cannot_be_handled_again(mod, cast, thread):
    entry = report(posts_of(thread)[1], cast.member)
    submit(mod, f"/beheer/meldingen/{entry.id}/afhandelen", {"note": "Eerst"}, page="/beheer/meldingen")
    response = submit(mod, f"/beheer/meldingen/{entry.id}/verbergen", {"note": "Toch"},
                      page="/beheer/meldingen")
    assert "al afgehandeld" in text(mod.get(response.headers["Location"]))
    assert reload(PostReport, entry.id).resolution == "Eerst"
    assert reload(Post, entry.post_id).hidden_at is None
    assert len(audit("forum.resolve_report")) == 1


@pytest.mark.parametrize("note", ["x" * 501, "nul\x00teken", "\u202eomgekeerd"])
def test_a_bad_note_changes_nothing(mod, cast, thread, note):
    entry = report(posts_of(thread)[1], cast.member)
    response = submit(mod, f"/beheer/meldingen/{entry.id}/afhandelen", {"note": note},
                      page="/beheer/meldingen")
    assert response.status_code == 302
    follow = text(mod.get(response.headers["Location"]))
    assert "hoogstens 500 tekens" in follow or "onzichtbare tekens" in follow
    assert reload(PostReport, entry.id).resolved_at is None
    assert audit("forum.resolve_report") == []


def test_report_queue_statements_do_not_grow_with_reports(mod, cast, group):
    reporters = [cast.member, cast.member2, cast.partner]
    counts = []
    for count, title in ((3, "Weinig meldingen"), (20, "Veel meldingen")):
        thread, _ = start_thread(group, cast.member, title=title, now=utcnow() - timedelta(days=2))
        replies = add_replies(thread, [cast.member2, cast.partner], count)
        for index, post in enumerate(replies):
            report(post, reporters[index % 3], f"Melding {index}")
        with QueryCounter() as counter:
            page = text(mod.get("/beheer/meldingen"))
        assert page.count('class="card mb-4 admin-report"') == count
        assert page.count("Het bericht ervoor") == count
        counts.append(counter.count)
        # Clear the queue for the second round.
        db.session.execute(db.update(PostReport).values(resolved_at=utcnow()))
        db.session.commit()
    assert counts[0] == counts[1]


def test_report_queue_pages_and_odd_arguments(mod, cast, thread):
    post = posts_of(thread)[1]
    for index in range(25):
        report(post, cast.member, f"Melding nummer {index:02d}", utcnow() - timedelta(minutes=60 - index))
    first = text(mod.get("/beheer/meldingen"))
    assert first.count('class="card mb-4 admin-report"') == 20
    assert "Melding nummer 00" in first and "Melding nummer 20" not in first
    assert "pagina 1 van 2" in first and "pagina=2" in first
    second = text(mod.get("/beheer/meldingen?pagina=2"))
    assert second.count('class="card mb-4 admin-report"') == 5 and "Melding nummer 24" in second
    for query in ("status=iets", "status=", "pagina=abc", "pagina=-3", "pagina=99999999999",
                  "status=afgehandeld&pagina=7", "status=%00"):
        response = mod.get(f"/beheer/meldingen?{query}")
        assert response.status_code == 200, query


# -- managing groups --------------------------------------------------------------------------------

def group_rows(page):
    return re.findall(r'<td><a href="/forum/([a-z0-9-]+)">', page)


def test_moderator_adds_a_group_at_the_end(mod, cast, group, other_group):
    listing = mod.get("/beheer/groepen")
    assert listing.status_code == 200
    assert group_rows(text(listing)) == ["energie", "wonen"]

    response = submit(mod, "/beheer/groepen/nieuw", {
        "name": "  Zorg   & welzijn ", "slug": " Zorg-en-Welzijn ",
        "description": "Over zorgcoöperaties en buurtzorg.",
    })
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/groepen"
    created = db.session.execute(
        db.select(ForumGroup).where(ForumGroup.slug == "zorg-en-welzijn")).scalar_one()
    assert created.name == "Zorg & welzijn" and created.position == 2
    assert group_rows(text(mod.get("/beheer/groepen"))) == ["energie", "wonen", "zorg-en-welzijn"]
    assert "Zorg &amp; welzijn" in text(mod.get("/forum"))
    entries = audit("forum.create_group")
    assert len(entries) == 1 and entries[0].target_id == created.id


@pytest.mark.parametrize("slug, message", [
    ("energie", "al in gebruik"),
    ("ENERGIE", "al in gebruik"),
    ("bericht", "gebruikt het forum zelf"),
    ("met spatie", "kleine letters"),
    ("-voorop", "kleine letters"),
    ("achter-", "kleine letters"),
    ("dubbel--streep", "kleine letters"),
    ("café", "kleine letters"),
    ("a", "2 tot 80 tekens"),
    ("x" * 81, "2 tot 80 tekens"),
    ("", "Vul het adres"),
    ("a/b", "kleine letters"),
])
def test_group_slug_is_checked(mod, group, slug, message):
    response = submit(mod, "/beheer/groepen/nieuw", {"name": "Nieuwe groep", "slug": slug},
                      page="/beheer/groepen/nieuw")
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.execute(db.select(db.func.count(ForumGroup.id))).scalar_one() == 1
    assert audit("forum.create_group") == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Geef de groep een naam."),
    ("name", "A", "2 tot 100 tekens"),
    ("name", "N" * 101, "2 tot 100 tekens"),
    ("name", "Twee\nregels", "onzichtbare tekens"),
    ("description", "d" * 501, "hoogstens 500 tekens"),
    ("description", "nul\x00", "onzichtbare tekens"),
])
def test_group_name_and_description_are_checked(mod, field, value, message):
    data = {"name": "Goede naam", "slug": "goede-naam", "description": ""}
    data[field] = value
    response = submit(mod, "/beheer/groepen/nieuw", data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.execute(db.select(db.func.count(ForumGroup.id))).scalar_one() == 0


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_group_input_never_breaks(mod, group, value):
    token = csrf_token(mod, "/beheer/groepen/nieuw")
    for data in ({"name": value, "slug": value, "description": value},
                 {"name": [value, value], "slug": "ok-slug"},
                 {"csrf_token": token}):
        data.setdefault("csrf_token", token)
        response = mod.post("/beheer/groepen/nieuw", data=data)
        assert response.status_code in (302, 400), text(response)
        edit = mod.post(f"/beheer/groepen/{group.id}/bewerken", data=data)
        assert edit.status_code in (302, 400), text(edit)
    assert reload(ForumGroup, group.id).slug in ("energie", "ok-slug")


def test_moderator_edits_a_group(mod, member, group, other_group):
    form = mod.get(f"/beheer/groepen/{group.id}/bewerken")
    assert form.status_code == 200 and 'value="energie"' in text(form)

    taken = submit(mod, f"/beheer/groepen/{group.id}/bewerken",
                   {"name": "Energie", "slug": "wonen", "description": ""})
    assert taken.status_code == 400 and "al in gebruik" in text(taken)

    same_slug = submit(mod, f"/beheer/groepen/{group.id}/bewerken",
                       {"name": "Energie en warmte", "slug": "energie",
                        "description": "Zon, wind en warmtenetten."})
    assert same_slug.status_code == 302
    edited = reload(ForumGroup, group.id)
    assert (edited.name, edited.slug, edited.description) == (
        "Energie en warmte", "energie", "Zon, wind en warmtenetten.")
    assert "Zon, wind en warmtenetten." in text(member.get("/forum"))

    unchanged = submit(mod, f"/beheer/groepen/{group.id}/bewerken",
                       {"name": "Energie en warmte", "slug": "energie",
                        "description": "Zon, wind en warmtenetten."})
    assert "niets veranderd" in text(mod.get(unchanged.headers["Location"]))
    entries = audit("forum.update_group")
    assert len(entries) == 1
    assert entries[0].details["changes"] == {"name": ["Energie", "Energie en warmte"]}
    assert entries[0].details["description_changed"] is True


def test_moderator_orders_the_groups(mod, group, other_group):
    third = make_group("Zorg", slug="zorg", position=2)
    assert submit(mod, f"/beheer/groepen/{third.id}/omhoog", {}, page="/beheer/groepen").status_code == 302
    assert group_rows(text(mod.get("/beheer/groepen"))) == ["energie", "zorg", "wonen"]
    submit(mod, f"/beheer/groepen/{group.id}/omlaag", {}, page="/beheer/groepen")
    assert group_rows(text(mod.get("/beheer/groepen"))) == ["zorg", "energie", "wonen"]
    forum = text(mod.get("/forum"))
    assert forum.index("Zorg") < forum.index("Energie") < forum.index("Wonen")

    top = submit(mod, f"/beheer/groepen/{third.id}/omhoog", {}, page="/beheer/groepen")
    assert "staat al bovenaan" in text(mod.get(top.headers["Location"]))
    bottom = submit(mod, f"/beheer/groepen/{other_group.id}/omlaag", {}, page="/beheer/groepen")
    assert "staat al onderaan" in text(mod.get(bottom.headers["Location"]))
    assert len(audit("forum.move_group")) == 2


def test_ordering_repairs_equal_positions(moderator):
    groups = [make_group(name, position=0) for name in ("Alfa", "Bravo", "Charlie")]
    assert moderation.move_group(moderator, groups[2], -1) is True
    db.session.commit()
    assert [g.name for g in moderation.ordered_groups()] == ["Alfa", "Charlie", "Bravo"]
    assert [g.position for g in moderation.ordered_groups()] == [0, 1, 2]


# -- unknown things, missing tokens -----------------------------------------------------------------

@pytest.mark.parametrize("method, path", [
    ("get", "/forum/bericht/999999/verbergen"),
    ("post", "/forum/bericht/999999/verbergen"),
    ("post", "/forum/bericht/999999/terugzetten"),
    ("get", "/forum/bericht/999999/geschiedenis"),
    ("post", "/forum/energie/999999/sluiten"),
    ("post", "/forum/energie/999999/heropenen"),
    ("post", "/forum/energie/999999/vastzetten"),
    ("post", "/forum/energie/999999/losmaken"),
    ("get", "/forum/energie/999999/verplaatsen"),
    ("post", "/forum/energie/999999/verplaatsen"),
    ("get", "/forum/energie/999999/verwijderen"),
    ("post", "/forum/energie/999999/verwijderen"),
    ("post", "/beheer/meldingen/999999/afhandelen"),
    ("post", "/beheer/meldingen/999999/verbergen"),
    ("get", "/beheer/groepen/999999/bewerken"),
    ("post", "/beheer/groepen/999999/bewerken"),
    ("post", "/beheer/groepen/999999/omhoog"),
    ("post", "/beheer/groepen/999999/omlaag"),
    ("get", "/forum/bericht/99999999999999999999/geschiedenis"),
    ("post", "/forum/energie/99999999999999999999/sluiten"),
    ("post", "/beheer/groepen/-1/omhoog"),
])
def test_unknown_ids_are_404(mod, group, method, path):
    kwargs = {"data": {"csrf_token": csrf_token(mod, "/beheer/groepen/nieuw")}} if method == "post" else {}
    response = getattr(mod, method)(path, **kwargs)
    assert response.status_code == 404


def test_actions_without_a_csrf_token_change_nothing(mod, cast, thread, other_group):
    post = posts_of(thread)[1]
    entry = report(post, cast.member)
    for path, data in [
        (f"/forum/bericht/{post.id}/verbergen", {"reason": "Zonder token"}),
        (f"/forum/energie/{thread.id}/sluiten", {}),
        (f"/forum/energie/{thread.id}/vastzetten", {}),
        (f"/forum/energie/{thread.id}/verplaatsen", {"group": str(other_group.id)}),
        (f"/forum/energie/{thread.id}/verwijderen", {}),
        (f"/beheer/meldingen/{entry.id}/verbergen", {}),
        ("/beheer/groepen/nieuw", {"name": "Zonder token", "slug": "zonder-token"}),
        (f"/beheer/groepen/{other_group.id}/omhoog", {}),
    ]:
        assert mod.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    fresh = db.session.get(Thread, thread.id)
    assert (fresh.locked, fresh.pinned, fresh.deleted_at, fresh.group_id) == (False, False, None,
                                                                             thread.group_id)
    assert reload(Post, post.id).hidden_at is None
    assert reload(PostReport, entry.id).resolved_at is None
    assert db.session.execute(db.select(db.func.count(AuditLog.id))).scalar_one() == 0


# -- services on their own --------------------------------------------------------------------------

def test_services_flush_but_do_not_commit(cast, thread, other_group):
    post = posts_of(thread)[1]
    moderation.hide_post(cast.moderator, post, "Alleen geflusht")
    moderation.lock_thread(cast.moderator, thread)
    db.session.rollback()
    assert reload(Post, post.id).hidden_at is None
    assert reload(Thread, thread.id).locked is False
    assert db.session.execute(db.select(db.func.count(AuditLog.id))).scalar_one() == 0


def test_move_service_refuses_the_same_group(cast, thread, group):
    with pytest.raises(moderation.ModerationError, match="staat al in de groep Energie"):
        moderation.move_thread(cast.moderator, thread, group)


def test_hide_and_resolve_of_an_already_hidden_post_only_closes_reports(cast, thread):
    post = posts_of(thread)[1]
    moderation.hide_post(cast.moderator, post, "Eerder verborgen")
    entry = report(post, cast.member)
    assert moderation.hide_and_resolve(cast.moderator, entry, "Was al weg") == 1
    db.session.commit()
    assert reload(Post, post.id).hidden_reason == "Eerder verborgen"
    assert reload(PostReport, entry.id).resolution == "Was al weg"


def test_admin_can_moderate_too(app, cast, thread):
    cheap_passwords(quick_user("beheer@example.org", role="admin", name="Ad Min"))
    admin = client_for(app, "beheer@example.org")
    assert thread_action(admin, thread, "sluiten").status_code == 302
    assert reload(Thread, thread.id).locked is True
    assert admin.get("/beheer/meldingen").status_code == 200
    assert admin.get("/beheer/groepen").status_code == 200
