"""The permission matrix of private messages: every role × every action, through the test client,
with the forum matrix's roles, people and helpers (tests/web/test_forum_permissions.py).

Each action's real HTTP status is checked for each role, and for actions that change something,
that the change happened exactly when the role may make it. A conversation someone is not in is a
404 for them (as if it did not exist), also for an outsider; its images too, also for a visitor.
"""
from dataclasses import dataclass

import pytest

from app import messages, post_images
from app.extensions import db
from app.models.accounts import User
from app.models.messages import Block, ConversationMember, Message, MessageReport
from tests.fixtures.photos import png_bytes
from tests.web.test_forum_permissions import (
    EMAILS,
    READERS,
    ROLES,
    STAFF,
    Action,
    World,
    _count,
    check_action,
)

NOBODY = set()


@dataclass
class MessageAction(Action):
    outsider: int = 403  # a registered person without a collective: the friendly 403 page …
    visitor: int = 302  # … and a visitor is sent to log in, unless said otherwise

    def status_for(self, role):
        if role in self.allowed:
            return self.ok
        if role == "visitor":
            return self.visitor
        if role == "outsider":
            return self.outsider
        return self.refused


class MessageWorld:
    """The forum matrix's people, plus Carla (a member no role is in a conversation with):

    - `talk`: Bert with the member, the partner, the moderator and the admin, his message in it
      showing an image;
    - `secret`: Bert and Carla only, with an image;
    - `reported`: Bert and Carla, Carla's message reported by Bert, with an image;
    - every role has blocked Carla (to unblock her).
    """

    def __init__(self):
        self.forum = World()
        people = {role: User.find_by_email(email) for role, email in EMAILS.items()}
        self.people = people
        bert = User.find_by_email("lid2@example.org")
        collective_id = people["member"].collective_id
        carla = User(email="carla@example.org", name="Carla Claes", role="member",
                     password_hash=bert.password_hash, email_verified_at=bert.email_verified_at,
                     collective_id=collective_id)
        db.session.add(carla)
        db.session.flush()
        images = {key: post_images.store_bytes(author, png_bytes(40, 30))
                  for key, author in (("talk", bert), ("secret", bert), ("reported", carla))}
        talk = messages.start_conversation(
            bert, [people[role] for role in ("member", "partner", "moderator", "admin")],
            "Matrixgesprek", f"Hallo allemaal ![foto]({post_images.image_path(images['talk'].id)})")
        secret = messages.start_conversation(
            bert, [carla], "Onder ons", f"Geheim ![foto]({post_images.image_path(images['secret'].id)})")
        reported = messages.start_conversation(bert, [carla], "Gemeld gesprek", "Hoi Carla")
        bad = messages.reply(carla, reported,
                             f"Iets naars ![foto]({post_images.image_path(images['reported'].id)})")
        messages.report_message(bert, bad, "Dit is niet aardig")
        for role in ("member", "partner", "moderator", "admin", "outsider"):
            db.session.add(Block(blocker_id=people[role].id, blocked_id=carla.id))
        db.session.commit()
        self.bert_id, self.carla_id = bert.id, carla.id
        self.talk_id, self.secret_id, self.reported_id = talk.id, secret.id, reported.id
        self.first_message_id = db.session.execute(
            db.select(Message.id).where(Message.conversation_id == talk.id)).scalar_one()
        self.secret_message_id = db.session.execute(
            db.select(Message.id).where(Message.conversation_id == secret.id)).scalar_one()
        self.bad_id = bad.id
        self.image_ids = {key: image.id for key, image in images.items()}

    def user_id(self, role):
        return self.people[role].id if role in self.people else None


def _member_left(world, role):
    db.session.expire_all()
    left = db.session.execute(db.select(ConversationMember.left_at).where(
        ConversationMember.conversation_id == world.talk_id,
        ConversationMember.user_id == world.user_id(role))).scalar_one_or_none()
    return left is not None


ACTIONS = {
    "list": MessageAction("get", lambda w, r: "/berichten", READERS, ok=200),
    "new_form": MessageAction("get", lambda w, r: f"/berichten/nieuw?aan={w.bert_id}", READERS,
                              ok=200),
    "new": MessageAction(
        "post", lambda w, r: "/berichten/nieuw", READERS,
        data={"aan": "BERT", "subject": "Een nieuw matrixgesprek", "body": "Hallo Bert"},
        changed=lambda w, r: _count(messages.Conversation, messages.Conversation.subject
                                    == "Een nieuw matrixgesprek") == 1),
    "new_by_name": MessageAction(
        "post", lambda w, r: "/berichten/nieuw", READERS,
        data={"names": "Bert Jansen", "subject": "Op naam", "body": "Hallo Bert"},
        changed=lambda w, r: _count(messages.Conversation, messages.Conversation.subject
                                    == "Op naam") == 1),
    "add_by_name": MessageAction(
        "post", lambda w, r: "/berichten/nieuw", READERS, ok=200,
        data={"names": "Bert Jansen", "add": "Toevoegen"}),  # shows the form again, sends nothing
    "people_lookup": MessageAction("get", lambda w, r: "/berichten/personen?q=bert", READERS,
                                   ok=200, visitor=401),
    "conversation": MessageAction("get", lambda w, r: f"/berichten/{w.talk_id}", READERS, ok=200,
                                  outsider=404),
    "conversation_page": MessageAction("get", lambda w, r: f"/berichten/{w.talk_id}?pagina=2",
                                       READERS, ok=200, outsider=404),
    "someone_elses_conversation": MessageAction(
        "get", lambda w, r: f"/berichten/{w.secret_id}", NOBODY, refused=404, outsider=404),
    "reported_conversation": MessageAction(
        "get", lambda w, r: f"/berichten/{w.reported_id}", STAFF, ok=200, refused=404,
        outsider=404),
    "reply": MessageAction(
        "post", lambda w, r: f"/berichten/{w.talk_id}/reageren", READERS, outsider=404,
        data={"body": "Een antwoord in de matrix"},
        changed=lambda w, r: _count(Message, Message.body_source == "Een antwoord in de matrix") == 1),
    "reply_elsewhere": MessageAction(
        "post", lambda w, r: f"/berichten/{w.secret_id}/reageren", NOBODY, refused=404,
        outsider=404, data={"body": "Ongevraagd antwoord"},
        changed=lambda w, r: _count(Message, Message.body_source == "Ongevraagd antwoord") == 1),
    "leave": MessageAction(
        "post", lambda w, r: f"/berichten/{w.talk_id}/verlaten", READERS, outsider=404,
        changed=_member_left),
    "report_form": MessageAction(
        "get", lambda w, r: f"/berichten/bericht/{w.first_message_id}/melden", READERS, ok=200,
        outsider=404),
    "report": MessageAction(
        "post", lambda w, r: f"/berichten/bericht/{w.first_message_id}/melden", READERS,
        outsider=404, data={"reason": "Matrix: dit klopt niet"},
        changed=lambda w, r: _count(MessageReport, MessageReport.reason
                                    == "Matrix: dit klopt niet") == 1),
    "report_elsewhere": MessageAction(
        "post", lambda w, r: f"/berichten/bericht/{w.secret_message_id}/melden", NOBODY,
        refused=404, outsider=404, data={"reason": "Matrix: niet mijn gesprek"},
        changed=lambda w, r: _count(MessageReport, MessageReport.reason
                                    == "Matrix: niet mijn gesprek") == 1),
    "block": MessageAction(
        "post", lambda w, r: f"/leden/{w.bert_id}/blokkeren", READERS,
        changed=lambda w, r: _count(Block, Block.blocked_id == w.bert_id) == 1),
    "unblock": MessageAction(
        "post", lambda w, r: f"/leden/{w.carla_id}/deblokkeren", READERS,
        changed=lambda w, r: _count(Block, Block.blocked_id == w.carla_id) == 4),
    "reports_queue": MessageAction("get", lambda w, r: "/berichten/meldingen", STAFF, ok=200),
    "resolve": MessageAction(
        "post", lambda w, r: f"/berichten/bericht/{w.bad_id}/afhandelen", STAFF,
        data={"hide": "y"},
        changed=lambda w, r: _count(MessageReport, MessageReport.resolved_at.is_not(None)) == 1),
    "image_in_own_conversation": MessageAction(
        "get", lambda w, r: f"/afbeeldingen/{w.image_ids['talk']}/klein", READERS, ok=200,
        refused=404, outsider=404, visitor=404),
    "image_elsewhere": MessageAction(
        "get", lambda w, r: f"/afbeeldingen/{w.image_ids['secret']}", NOBODY, refused=404,
        outsider=404, visitor=404),
    "image_in_reported_conversation": MessageAction(
        "get", lambda w, r: f"/afbeeldingen/{w.image_ids['reported']}", STAFF, ok=200,
        refused=404, outsider=404, visitor=404),
}


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(messages, "MESSAGES_PER_PAGE", 1)  # the talk has a page 2
    return MessageWorld()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_messages_permission_matrix(app, world, name, role):
    check_action(app, world, name, ACTIONS[name], role, {"BERT": world.bert_id})
