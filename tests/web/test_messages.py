"""Private messages through the pages: writing from a profile or a post, /berichten with unread
conversations, the envelope in the header, replying, leaving, blocking, reporting, moderators'
audited access, the rate limit for young accounts, and who may do what."""
from datetime import timedelta

import pytest

from app import messages
from app.extensions import db
from app.models.audit import AuditLog
from app.models.messages import Conversation, Message
from app.timeutil import utcnow
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.forum import thread_path
from tests.fixtures.messages import as_person, cast  # noqa: F401  (a fixture)
from tests.support import QueryCounter, csrf_token, isolated_client, submit, text


def write(client, to, subject="Vraag over de ALV", body="Hoi, heb je **even** tijd?"):
    query = "&".join(f"aan={person.id}" for person in to)
    return submit(client, f"/berichten/nieuw?{query}",
                  {"aan": [str(person.id) for person in to], "subject": subject, "body": body})


def only_conversation():
    db.session.expire_all()
    return db.session.execute(db.select(Conversation)).scalar_one()


def test_writing_from_a_profile_reading_and_replying(app, cast):
    anna = as_person(app, "lid@example.org")
    profile = text(anna.get(f"/leden/{cast.member2.id}", follow_redirects=True))
    assert f"/berichten/nieuw?aan={cast.member2.id}" in profile
    form = text(anna.get(f"/berichten/nieuw?aan={cast.member2.id}"))
    assert "Bert Jansen" in form and 'name="aan"' in form
    response = write(anna, [cast.member2], body="Hoi <script>x()</script> **Bert**")
    assert response.status_code == 302
    conversation = only_conversation()
    assert response.headers["Location"] == f"/berichten/{conversation.id}"

    bert = as_person(app, "lid2@example.org")
    listing = text(bert.get("/berichten"))
    assert "Vraag over de ALV" in listing and "nieuw" in listing and 'class="fw-bold"' in listing
    assert "1 ongelezen gesprek" in listing  # the header's envelope
    page = text(bert.get(f"/berichten/{conversation.id}"))
    assert "<strong>Bert</strong>" in page and "<script>" not in page
    assert "geen ongelezen berichten" in text(bert.get("/berichten"))

    response = submit(bert, f"/berichten/{conversation.id}/reageren", {"body": "Ja hoor!"},
                      page=f"/berichten/{conversation.id}")
    assert response.status_code == 302
    assert "1 ongelezen gesprek" in text(anna.get("/berichten"))
    assert "Ja hoor!" in text(anna.get(f"/berichten/{conversation.id}"))


def test_from_a_forum_post_and_dutch_messages_for_bad_input(app, cast):
    thread, _opening = start_thread(make_group(), cast.member2, title="Zonnepanelen op het dak")
    anna = as_person(app, "lid@example.org")
    assert f"/berichten/nieuw?aan={cast.member2.id}" in text(anna.get(thread_path(thread)))
    response = write(anna, [cast.member2], subject="", body="")
    assert response.status_code == 400
    page = text(response)
    assert "Geef je bericht een onderwerp." in page and "Schrijf eerst je bericht." in page
    response = submit(anna, "/berichten/nieuw", {"subject": "Hallo", "body": "Tekst"})
    assert response.status_code == 400
    assert "Kies ten minste één persoon" in text(response)
    response = write(anna, [cast.outsider])
    assert response.status_code == 400 and "1 persoon kun je geen bericht sturen" in text(response)
    assert db.session.execute(db.select(Conversation)).first() is None


def test_csrf_is_required(app, cast):
    anna = as_person(app, "lid@example.org")
    response = anna.post(f"/berichten/nieuw?aan={cast.member2.id}",
                         data={"aan": str(cast.member2.id), "subject": "Hoi", "body": "Hoi"})
    assert response.status_code == 400
    assert db.session.execute(db.select(Conversation)).first() is None


def test_non_members_get_a_404_and_outsiders_a_403(app, cast):
    anna = as_person(app, "lid@example.org")
    write(anna, [cast.member2])
    conversation = only_conversation()
    petra = as_person(app, "partner@example.org")
    assert petra.get(f"/berichten/{conversation.id}").status_code == 404
    token = csrf_token(petra, "/berichten")
    assert petra.post(f"/berichten/{conversation.id}/reageren",
                      data={"body": "Ik ook", "csrf_token": token}).status_code == 404
    moderator = as_person(app, "mod@example.org")
    assert moderator.get(f"/berichten/{conversation.id}").status_code == 404  # nothing reported
    outsider = as_person(app, "los@example.org")
    assert outsider.get("/berichten").status_code == 403
    assert outsider.get(f"/berichten/nieuw?aan={cast.member.id}").status_code == 403
    visitor = isolated_client(app)
    assert visitor.get("/berichten").status_code == 302
    assert visitor.get(f"/berichten/{conversation.id}").status_code == 302
    assert moderator.get("/berichten/meldingen").status_code == 200
    assert anna.get("/berichten/meldingen").status_code == 403


def test_blocking_leaving_and_unblocking(app, cast):
    anna = as_person(app, "lid@example.org")
    write(anna, [cast.member2])
    conversation = only_conversation()
    bert = as_person(app, "lid2@example.org")
    response = submit(bert, f"/leden/{cast.member.id}/blokkeren", {},
                      page=f"/berichten/{conversation.id}")
    assert response.status_code == 302
    assert "Anna de Vries" in text(bert.get("/berichten"))  # under "Geblokkeerd"
    response = write(anna, [cast.member2], subject="Nog een vraag")
    assert response.status_code == 400 and "geen bericht sturen" in text(response)
    response = submit(anna, f"/berichten/{conversation.id}/reageren", {"body": "Hallo?"},
                      page=f"/berichten/{conversation.id}")
    assert response.status_code == 409 and "geen berichten meer" in text(response)
    submit(bert, f"/leden/{cast.member.id}/deblokkeren", {}, page="/berichten")
    assert write(anna, [cast.member2], subject="Nog een vraag").status_code == 302

    response = submit(bert, f"/berichten/{conversation.id}/verlaten", {},
                      page=f"/berichten/{conversation.id}")
    assert response.status_code == 302
    assert f'href="/berichten/{conversation.id}"' not in text(bert.get("/berichten"))
    assert bert.get(f"/berichten/{conversation.id}").status_code == 404


def test_report_and_the_moderators_audited_access(app, cast):
    anna = as_person(app, "lid@example.org")
    write(anna, [cast.member2], body="Iets onaardigs")
    conversation = only_conversation()
    message = db.session.execute(db.select(Message)).scalar_one()
    bert = as_person(app, "lid2@example.org")
    assert anna.get(f"/berichten/bericht/{message.id}/melden").status_code == 403  # own message
    response = submit(bert, f"/berichten/bericht/{message.id}/melden", {"reason": "x"})
    assert response.status_code == 400 and "Een reden is 5 tot 1000 tekens lang." in text(response)
    response = submit(bert, f"/berichten/bericht/{message.id}/melden",
                      {"reason": "Dit voelt intimiderend."})
    assert response.status_code == 302

    moderator = as_person(app, "mod@example.org")
    assert "gemeld privébericht" in text(moderator.get("/berichten/meldingen"))
    page = text(moderator.get(f"/berichten/{conversation.id}"))
    assert "Iets onaardigs" in page and "Dit voelt intimiderend." in page and "auditlog" in page
    db.session.expire_all()
    views = db.session.execute(db.select(AuditLog).where(
        AuditLog.action == "messages.moderator_view")).scalars().all()
    assert [(v.actor_id, v.target_id) for v in views] == [(cast.moderator.id, conversation.id)]
    response = submit(moderator, f"/berichten/bericht/{message.id}/afhandelen", {"hide": "y"},
                      page=f"/berichten/{conversation.id}")
    assert response.status_code == 302
    assert moderator.get(f"/berichten/{conversation.id}").status_code == 404  # resolved
    assert "verborgen door een moderator" in text(bert.get(f"/berichten/{conversation.id}"))


def test_young_accounts_start_fewer_conversations(app, cast):
    cast.member.created_at = utcnow() - timedelta(days=2)
    cast.member2.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    anna = as_person(app, "lid@example.org")
    for n in range(3):
        assert write(anna, [cast.member2], subject=f"Vraag {n}").status_code == 302
    response = write(anna, [cast.member2], subject="Vraag 4")
    assert response.status_code == 429
    # An older account is not held back at three.
    bert = as_person(app, "lid2@example.org")
    for n in range(4):
        assert write(bert, [cast.member], subject=f"Vraag {n}").status_code == 302


def _count(client, url):
    with QueryCounter() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_query_counts_do_not_grow_with_conversations_or_messages(app, cast):
    anna = as_person(app, "lid@example.org")
    write(anna, [cast.member2, cast.partner])
    conversation = only_conversation()
    # Both times something new is shown, so both times the reading marker is written.
    messages.reply(cast.member2, conversation, "Eerste antwoord")
    db.session.commit()
    few_list, few_page = _count(anna, "/berichten"), _count(anna, f"/berichten/{conversation.id}")
    for n in range(6):
        messages.reply(cast.member2 if n % 2 else cast.partner, conversation, f"Bericht {n}")
        messages.start_conversation(cast.member2, [cast.member], f"Onderwerp {n}", "Tekst")
    db.session.commit()
    assert _count(anna, "/berichten") == few_list
    assert _count(anna, f"/berichten/{conversation.id}") == few_page


ODD_BODIES = [
    {"data": {"aan": ["x", "-1", "99999999999", ""], "subject": "\x00" * 10, "body": "x" * 100_000,
              "reason": ["a", "b"], "hide": "maybe"}},
    {"data": {"aan": "1", "names": ["Bert", "\x00" + "x" * 700], "add": "Toevoegen",
              "images": "niet-een-bestand"}},
    {"data": {"names": ",,,;;" + "Bert Jansen, " * 40, "subject": "Hoi", "body": "Tekst"}},
    {"data": "niet=goed&%ff%fe=%ff", "content_type": "application/x-www-form-urlencoded"},
    {"json": {"body": [1, 2], "subject": None}},
]


@pytest.mark.parametrize("email", ["lid@example.org", "lid2@example.org", "mod@example.org",
                                   "partner@example.org", "los@example.org"])
def test_odd_posts_to_every_messages_route_answer_without_a_500(app, cast, email, monkeypatch):
    from app.extensions import limiter
    monkeypatch.setattr(limiter, "enabled", False)
    conversation = messages.start_conversation(cast.member, [cast.member2], "Onderwerp", "Tekst")
    db.session.commit()
    message = db.session.execute(db.select(Message)).scalar_one()
    messages.report_message(cast.member2, message, "Een reden hier")
    db.session.commit()
    client = as_person(app, email)
    token = csrf_token(client, "/account")
    paths = [f"/berichten/nieuw?aan={cast.member2.id}&aan=x", f"/berichten/{conversation.id}/reageren",
             f"/berichten/bericht/{message.id}/melden", f"/berichten/bericht/{message.id}/afhandelen",
             f"/leden/{cast.member.id}/blokkeren", f"/leden/{cast.member2.id}/deblokkeren",
             f"/berichten/{conversation.id}/verlaten"]
    for path in paths:
        for body in ODD_BODIES:
            kwargs = dict(body)
            if "data" in kwargs and isinstance(kwargs["data"], dict):
                kwargs["data"] = {**kwargs["data"], "csrf_token": token}
            response = client.post(path, **kwargs)
            assert response.status_code < 500, (path, response.status_code)
