"""Private messages, the domain: who may write to whom, blocks, the ten-people limit, reports in the
staff queue and alerts, moderators' audited access, reading and the account's data."""
from datetime import timedelta

import pytest

from app import messages, post_images, staff_queue
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
from tests.fixtures.photos import png_bytes


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
    assert staff_queue.waiting()["message_reports"] == 1  # no request: counted again
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


# -- choosing people by name, pages, images ------------------------------------------------------------

def test_split_names():
    assert messages.split_names(" Bert  Jansen, petra ,, ; Mo,BERT JANSEN, ") == \
        ["Bert Jansen", "petra", "Mo"]
    assert messages.split_names("") == [] and messages.split_names(None) == []


def test_recipients_by_name(cast):
    bea = quick_user("bea@example.org", collective=cast.collective, name="Bea Bakker")
    bert_too = quick_user("bert2@example.org", collective=cast.collective, name="Bert Jansen")
    found = messages.recipients_by_name(cast.member, "petra partner, mo", [bea])
    assert found.recipients == [bea, cast.partner, cast.moderator] and found.complete
    assert found.left == []
    # "Bert Jansen" is two people's whole name: the writer chooses; "Bea" fits Bea only.
    found = messages.recipients_by_name(cast.member, "Bert Jansen, bea")
    assert found.recipients == [bea]
    assert found.ambiguous == [("Bert Jansen", [cast.member2, bert_too])] and not found.complete
    assert found.left == ["Bert Jansen"]
    # Accents and case do not matter; a whole name wins over names that start with it.
    quick_user("bo@example.org", collective=cast.collective, name="Bo")
    quick_user("boris@example.org", collective=cast.collective, name="Boris Öztürk")
    assert [p.name for p in messages.recipients_by_name(cast.member, "bo").recipients] == ["Bo"]
    assert [p.name for p in messages.recipients_by_name(cast.member, "boris ozturk").recipients] \
        == ["Boris Öztürk"]
    # Already chosen people are not added twice.
    assert messages.recipients_by_name(cast.member, "Bea", [bea]).recipients == [bea]


def test_recipients_by_name_says_no_more_than_profiles(cast):
    found = messages.recipients_by_name(cast.member, "Olga Los, Niemand Hier, Anna de Vries")
    assert found.recipients == [] and found.left == ["Olga Los", "Niemand Hier"]
    assert found.problems == [
        "Niemand gevonden met de naam ‘Olga Los’ aan wie je kunt schrijven. Controleer de spelling.",
        "Niemand gevonden met de naam ‘Niemand Hier’ aan wie je kunt schrijven. Controleer de "
        "spelling.",
        "Jezelf hoef je niet toe te voegen."]
    cast.member2.status, cast.member2.suspended_until = "suspended", utcnow() + timedelta(days=3)
    db.session.commit()
    assert messages.recipients_by_name(cast.member, "Bert Jansen").problems == [
        "Aan Bert Jansen kun je geen bericht sturen."]
    assert messages.writable_named(cast.member, "be") == []


def test_opening_page_and_reading_up_to_a_page(cast):
    start_at = utcnow() - timedelta(hours=1)
    talk = messages.start_conversation(cast.member, [cast.member2], "Lang", "1", now=start_at)
    for number in range(2, 8):
        messages.reply(cast.member, talk, str(number), now=start_at + timedelta(minutes=number))
    db.session.commit()
    ordered = messages.messages_of(talk)
    assert messages.opening_page(talk, per_page=3) == (1, 7)  # never read: from the start
    assert messages.opening_page(talk, seen_until=ordered[2].created_at, per_page=3) == (2, 7)
    assert messages.opening_page(talk, seen_until=ordered[3].created_at, per_page=3) == (2, 7)
    assert messages.opening_page(talk, seen_until=ordered[5].created_at, per_page=3) == (3, 7)
    assert messages.opening_page(talk, seen_until=ordered[6].created_at, per_page=3) == (3, 7)
    assert messages.opening_page(talk, message_id=ordered[4].id, per_page=3) == (2, 7)
    assert messages.last_page(talk, per_page=3) == 3 and messages.last_page(talk, per_page=7) == 1
    member = messages.membership(cast.member2, talk.id)
    messages.mark_read_until(member, ordered[5].created_at)
    messages.mark_read_until(member, ordered[1].created_at)  # an older page: stays
    assert member.last_read_at == ordered[5].created_at


def test_images_in_a_message_follow_the_conversation(cast):
    image = post_images.store_bytes(cast.member, png_bytes(20, 20))
    talk = messages.start_conversation(cast.member, [cast.member2], "Foto",
                                       f"![dak]({post_images.image_path(image.id)})")
    db.session.commit()
    message = messages.messages_of(talk)[0]
    assert image.message_id == message.id and image.is_attached
    assert 'alt="dak"' in message.body_html
    assert post_images.may_view(cast.member2, image)
    assert not post_images.may_view(cast.partner, image)
    assert not post_images.may_view(cast.moderator, image)
    assert post_images.pending_count(cast.member) == 0
    messages.report_message(cast.member2, message, "Klopt niet")
    db.session.flush()
    assert post_images.may_view(cast.moderator, image)
    message.hidden_at = utcnow()
    assert not post_images.may_view(cast.member2, image)
    assert post_images.may_view(cast.moderator, image)
