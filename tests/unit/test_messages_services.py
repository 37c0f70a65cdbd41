"""Private messages, the domain: who may write to whom, blocks, the ten-people limit, reports in the
staff queue and alerts, moderators' audited access, reading and the account's data."""
from datetime import timedelta

import pytest

from app import messages, staff_queue
from app.extensions import db
from app.models.audit import AuditLog
from app.models.messages import ConversationMember, Message
from app.models.notifications import Notification
from app.privacy.export import collect_personal_data
from app.privacy.services import delete_account
from app.staff_alerts import announce_new_items
from app.timeutil import utcnow
from tests.factories import quick_user
from tests.fixtures.forum import Cast


@pytest.fixture
def cast():
    return Cast()


def start(author, recipients, subject="Even iets vragen", body="Hoi, **hoe** gaat het?"):
    conversation = messages.start_conversation(author, recipients, subject, body)
    db.session.commit()
    return conversation


def test_who_may_write_to_whom(cast):
    assert messages.can_write_to(cast.member, cast.member2)
    assert messages.can_write_to(cast.member, cast.partner)
    assert messages.can_write_to(cast.partner, cast.moderator)
    assert not messages.can_write_to(cast.member, cast.member)  # not oneself
    assert not messages.can_write_to(cast.member, cast.outsider)  # no forum reader
    assert not messages.can_write_to(cast.outsider, cast.member)
    cast.member2.status, cast.member2.suspended_until = "suspended", utcnow() + timedelta(days=3)
    db.session.commit()
    assert not messages.can_write_to(cast.member, cast.member2)


def test_start_notifies_renders_sanitised_and_counts_unread(cast):
    conversation = start(cast.member, [cast.member2, cast.partner],
                         body="Hoi <script>alert(1)</script> **vet**")
    message = db.session.execute(db.select(Message)).scalar_one()
    assert "<script>" not in message.body_html and "<strong>vet</strong>" in message.body_html
    kinds = db.session.execute(db.select(Notification.user_id, Notification.kind)).all()
    assert sorted(kinds) == sorted([(cast.member2.id, "message"), (cast.partner.id, "message")])
    assert messages.unread_count(cast.member2) == 1
    assert messages.unread_count(cast.member) == 0  # one's own message is read
    member = messages.membership(cast.member2, conversation.id)
    messages.mark_read(member)
    db.session.commit()
    assert messages.unread_count(cast.member2) == 0
    messages.reply(cast.partner, conversation, "Prima!")
    db.session.commit()
    assert messages.unread_count(cast.member2) == 1 and messages.unread_count(cast.member) == 1


def test_limits_and_refusals(cast):
    with pytest.raises(messages.MessageError, match="ten minste één"):
        messages.start_conversation(cast.member, [], "Onderwerp", "Tekst")
    many = [quick_user(f"p{n}@example.org", collective=cast.collective, name=f"Persoon {n}")
            for n in range(11)]
    with pytest.raises(messages.MessageError, match="hoogstens 10"):
        messages.start_conversation(cast.member, many, "Onderwerp", "Tekst")
    assert start(cast.member, many[:10]) is not None
    with pytest.raises(messages.MessageError, match="Olga Los"):
        messages.start_conversation(cast.member, [cast.outsider], "Onderwerp", "Tekst")


def test_a_block_stops_new_conversations_and_replies(cast):
    conversation = start(cast.member, [cast.member2])
    assert messages.block(cast.member2, cast.member)
    assert not messages.block(cast.member2, cast.member)  # twice is once
    db.session.commit()
    assert not messages.can_write_to(cast.member, cast.member2)
    with pytest.raises(messages.MessageError):
        messages.start_conversation(cast.member, [cast.member2], "Nog eens", "Hallo?")
    with pytest.raises(messages.UserError, match="geen berichten meer"):
        messages.reply(cast.member, conversation, "Hallo?")
    messages.unblock(cast.member2, cast.member)
    db.session.commit()
    assert messages.can_write_to(cast.member, cast.member2)


def test_a_report_reaches_the_staff_queue_and_alerts_and_opens_the_conversation(cast):
    conversation = start(cast.member, [cast.member2])
    message = db.session.execute(db.select(Message)).scalar_one()
    assert not messages.can_moderate_conversation(cast.moderator, conversation)
    assert staff_queue.waiting()["message_reports"] == 0
    messages.report_message(cast.member2, message, "Dit is intimiderend.")
    db.session.commit()
    with pytest.raises(messages.UserError, match="al gemeld"):
        messages.report_message(cast.member2, message, "Nog een keer.")
    assert staff_queue._waiting(utcnow())["message_reports"] == 1
    assert messages.can_moderate_conversation(cast.moderator, conversation)
    assert not messages.can_moderate_conversation(cast.member, conversation)
    assert announce_new_items() >= 1
    alert = db.session.execute(db.select(Notification).where(
        Notification.user_id == cast.moderator.id, Notification.kind == "staff")).scalar_one()
    assert alert.text == "Privébericht gemeld" and alert.url == "/berichten/meldingen"
    messages.resolve_reports(cast.moderator, message, hide=True)
    db.session.commit()
    assert message.hidden_at is not None
    assert not messages.can_moderate_conversation(cast.moderator, conversation)
    assert db.session.execute(db.select(AuditLog.action)).scalars().all() == [
        "messages.resolve_report"]


def test_the_account_data_and_deletion(cast):
    conversation = start(cast.member, [cast.member2], subject="Over de ALV")
    messages.block(cast.member, cast.partner)
    db.session.commit()
    data = collect_personal_data(cast.member)["private_messages"]
    assert data["conversations"][0]["subject"] == "Over de ALV"
    assert data["messages"][0]["body"] == "Hoi, **hoe** gaat het?"
    assert data["blocked_people"][0]["user_id"] == cast.partner.id
    delete_account(cast.member)
    db.session.commit()
    assert db.session.execute(db.select(ConversationMember.user_id)).scalars().all() == [
        cast.member2.id]
    assert messages.blocked_people(cast.member) == []
    message = db.session.execute(db.select(Message)).scalar_one()
    assert messages.author_name(message) == "Voormalig lid"
    assert messages.membership(cast.member2, conversation.id) is not None
