"""Private messages ("Berichten"): conversations between a writer and one to ten people they can
see, replies, reading, leaving, blocking and reporting a message to the moderators.

Who takes part: active people who read the forum (members of an approved collective, partners,
staff), never oneself, never someone who blocked the writer. A conversation is read by its members
only; a moderator reads one only while a message in it is reported, and every such look is written
to the audit log. Every new message reaches the other members through `notify` (kind "message"), so
their e-mail setting and one-click unsubscribe apply. Functions flush, never commit: the view owns
the transaction.
"""
from dataclasses import dataclass, field

from sqlalchemy import case, delete, exists, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.accounts.mentions import find_mentionable
from app.errors import ConflictError, UserError
from app.extensions import db, insert_for
from app.markup import plain_text, render_markdown
from app.models.accounts import User
from app.models.audit import record
from app.models.messages import (
    MAX_RECIPIENTS,
    MAX_SUBJECT,
    Block,
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
)
from app.notifications import notify
from app.permissions import can_moderate, can_read_forum
from app.post_images import ImagesInText
from app.search.analysis import fold
from app.timeutil import utcnow
from app.urls import site_path
from app.validators import MAX_ID

PER_PAGE = 20
MESSAGES_PER_PAGE = 20  # messages on one page of a conversation
NOTIFICATION_KIND = "message"
EXCERPT_LENGTH = 140
FORMER_MEMBER = "Voormalig lid"
MIN_REASON = 5
MAX_REASON = 1000


class MessageError(UserError):
    """A message that cannot be sent, or an action that cannot go ahead (Dutch, shown as is)."""


# -- who may write to whom ---------------------------------------------------------------------------

def can_use_messages(user):
    """Writing and reading private messages: the people who read the forum."""
    return can_read_forum(user)


def can_receive(person):
    """Active people who read the forum receive messages (not deleted or suspended accounts)."""
    return can_read_forum(person)


def has_blocked(blocker_id, blocked_id):
    return db.session.execute(
        select(Block.id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    ).first() is not None


def blocked_by(user, people):
    """The ids of those among `people` who blocked `user`: one statement."""
    ids = [person.id for person in people if person is not None]
    if not ids:
        return set()
    return set(db.session.execute(
        select(Block.blocker_id).where(Block.blocked_id == user.id, Block.blocker_id.in_(ids))
    ).scalars())


def can_write_to(writer, person, blocked=None):
    """May `writer` send `person` a message? `blocked`: blocked_by(writer, …) when known."""
    if not can_use_messages(writer) or person is None or person.id == writer.id:
        return False
    if not can_receive(person):  # deleted, suspended, or no forum reader
        return False
    if blocked is None:
        return not has_blocked(person.id, writer.id)
    return person.id not in blocked


def recipients_by_id(writer, ids):
    """The people with these ids (at most MAX_RECIPIENTS distinct, in the order given) that
    `writer` may write to, and the ids that are not (unknown, blocked, themselves …)."""
    wanted = []
    for value in ids:
        if isinstance(value, int) and 0 < value <= MAX_ID and value not in wanted:
            wanted.append(value)
    if not wanted:
        return [], []
    people = {person.id: person for person in db.session.execute(
        select(User).where(User.id.in_(wanted))).scalars()}
    blocked = blocked_by(writer, people.values())
    ok = [people[i] for i in wanted if can_write_to(writer, people.get(i), blocked)]
    refused = [i for i in wanted if i not in {person.id for person in ok}]
    return ok, refused


# -- choosing people by name ---------------------------------------------------------------------------

MAX_NAMES_LENGTH = 600  # ten names and their commas
LOOKUP_LIMIT = 8  # people offered for a part of a name


def blockers_of(writer):
    """The ids of everyone who blocked `writer`: one statement (a person blocks few people)."""
    return set(db.session.execute(
        select(Block.blocker_id).where(Block.blocked_id == writer.id)).scalars())


def writable_named(writer, query, blocked=None, limit=LOOKUP_LIMIT):
    """Up to `limit` people `writer` may write to with a word of their name starting with `query`
    (case and accents ignored; app.accounts.mentions.find_mentionable), never the writer. Only
    people the writer could already find on profiles and @mention: no e-mail address is searched."""
    blocked = blockers_of(writer) if blocked is None else blocked
    return find_mentionable(query, lambda person: can_write_to(writer, person, blocked),
                            exclude=writer, limit=limit)


def _folded(name):
    return " ".join(fold(name).replace("-", " ").split())


def split_names(text):
    """"Bert Jansen, petra ,, Mo" → ["Bert Jansen", "petra", "Mo"] (each once, in order)."""
    names, seen = [], set()
    for part in (text or "").replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and _folded(name) not in seen:
            seen.add(_folded(name))
            names.append(name)
    return names


@dataclass
class NameChoice:
    """What typing names on the new-message form came to: the people chosen (the ones before and
    the ones found, at most MAX_RECIPIENTS), names that fit several people with those people to
    choose from, names that stay in the box, and a Dutch sentence for each problem."""

    recipients: list = field(default_factory=list)
    ambiguous: list = field(default_factory=list)  # [(name, [people])]
    left: list = field(default_factory=list)  # names not added, for the box
    problems: list = field(default_factory=list)

    @property
    def complete(self):
        return not self.ambiguous and not self.problems


def recipients_by_name(writer, text, chosen=()):
    """Add the people named in `text` (comma separated, a whole name or the start of one) to
    `chosen` (people already picked). A name is one person when exactly one writable person has
    it as their whole name, or when only one has a name starting so; several: the writer chooses.

    What is said about a name reaches no further than the profiles the writer can already see
    (app.accounts.mentions only finds active forum readers): a name of someone the writer may not
    write to (blocked, suspended) is "kun je geen bericht sturen", anything else (unknown, deleted,
    not a forum reader) is "niemand gevonden", the same words either way."""
    result = NameChoice(recipients=list(chosen))  # more than ten: start_conversation says so
    names = split_names(text)
    if not names:
        return result
    blocked = blockers_of(writer)
    own = _folded(writer.name)
    # Never more than ten names looked up at once: the others could not be added anyway.
    full = names[MAX_RECIPIENTS:]
    for name in names[:MAX_RECIPIENTS]:
        if len(name) > 60:
            result.problems.append(f"‘{name[:40]}…’ is geen naam: typ de namen gescheiden door "
                                   "komma's.")
            result.left.append(name[:60])
            continue
        wanted = _folded(name)
        if wanted == own:
            result.problems.append("Jezelf hoef je niet toe te voegen.")
            continue
        people = writable_named(writer, name, blocked, limit=LOOKUP_LIMIT + 1)
        exact = [person for person in people if _folded(person.name) == wanted]
        found = exact or people
        if len(found) == 1:
            person = found[0]
            if person.id in {known.id for known in result.recipients}:
                continue
            if len(result.recipients) >= MAX_RECIPIENTS:
                full.append(person.name)
                continue
            result.recipients.append(person)
        elif found:
            result.ambiguous.append((name, found[:LOOKUP_LIMIT]))
            result.left.append(name)
        else:
            result.left.append(name)
            others = find_mentionable(name, lambda person: True, exclude=writer, limit=2)
            named = [person for person in others if _folded(person.name) == wanted]
            if named:
                result.problems.append(f"Aan {named[0].name} kun je geen bericht sturen.")
            else:
                result.problems.append(f"Niemand gevonden met de naam ‘{name}’ aan wie je kunt "
                                       "schrijven. Controleer de spelling.")
    if full:
        result.problems.append(
            f"Je kunt een bericht aan hoogstens {MAX_RECIPIENTS} mensen tegelijk sturen; "
            + ", ".join(full) + (" is" if len(full) == 1 else " zijn") + " niet toegevoegd.")
    return result


# -- writing -------------------------------------------------------------------------------------------

def render_message(source, images=None):
    """A message's Markdown → the sanitised HTML stored beside it. `images`: a
    post_images.ImagesInText of the writer, so their own new uploads become pictures (at most
    post_images.MAX_PER_POST); every other image stays a link."""
    return str(render_markdown(source, images=images))


def conversation_path(conversation, **values):
    return site_path("messages.conversation", conversation_id=conversation.id, **values)


def _notify_members(conversation, message, author, members):
    text = f"{author.name} stuurde je een bericht: “{conversation.subject}”"
    path = conversation_path(conversation, _anchor=f"bericht-{message.id}")
    excerpt = plain_text(message.body_source, EXCERPT_LENGTH)
    for member in members:
        if member.user_id != author.id and member.left_at is None:
            notify(member.user, NOTIFICATION_KIND, text, path, actor=author, excerpt=excerpt)


def start_conversation(author, recipients, subject, body, now=None):
    """Start a conversation of `author` with `recipients` (1 to MAX_RECIPIENTS people they may
    write to); returns it. Raises MessageError with a Dutch message otherwise."""
    now = now or utcnow()
    subject = " ".join((subject or "").split())
    if not can_use_messages(author):
        raise MessageError("Je kunt geen berichten sturen.", status=403)
    if not recipients:
        raise MessageError("Kies ten minste één persoon om je bericht aan te sturen.")
    if len({person.id for person in recipients}) > MAX_RECIPIENTS:
        raise MessageError(f"Je kunt een bericht aan hoogstens {MAX_RECIPIENTS} mensen tegelijk "
                           "sturen.")
    if not subject or len(subject) > MAX_SUBJECT:
        raise MessageError(f"Een onderwerp is 1 tot {MAX_SUBJECT} tekens lang.")
    if not (body or "").strip():
        raise MessageError("Schrijf eerst je bericht.")
    blocked = blocked_by(author, recipients)
    refused = [person for person in recipients if not can_write_to(author, person, blocked)]
    if refused:
        raise MessageError("Je kunt geen bericht sturen aan " +
                           ", ".join(person.name for person in refused) + ".")
    conversation = Conversation(subject=subject, created_at=now, last_message_at=now)
    db.session.add(conversation)
    db.session.flush()
    members = [ConversationMember(conversation_id=conversation.id, user_id=author.id,
                                  last_read_at=now, user=author)]
    seen = {author.id}
    for person in recipients:
        if person.id not in seen:
            seen.add(person.id)
            members.append(ConversationMember(conversation_id=conversation.id, user_id=person.id,
                                              user=person))
    db.session.add_all(members)
    message = _new_message(conversation, author, body, now)
    _notify_members(conversation, message, author, members)
    return conversation


def _new_message(conversation, author, body, now):
    """The message, with the author's uploaded images it shows attached to it."""
    images = ImagesInText(author)
    message = Message(conversation_id=conversation.id, author_id=author.id, body_source=body,
                      body_html=render_message(body, images), created_at=now)
    db.session.add(message)
    db.session.flush()
    images.attach(message, now)
    return message


def membership(user, conversation_id):
    """`user`'s membership of the conversation (also one they left), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(ConversationMember).options(joinedload(ConversationMember.conversation))
        .where(ConversationMember.conversation_id == conversation_id,
               ConversationMember.user_id == user.id)
    ).scalar_one_or_none()


def active_members(conversation):
    return db.session.execute(
        select(ConversationMember).options(joinedload(ConversationMember.user))
        .where(ConversationMember.conversation_id == conversation.id,
               ConversationMember.left_at.is_(None))
    ).scalars().all()


def reply_problem(author, conversation, members=None):
    """Why `author` cannot reply in `conversation` now (Dutch), or None."""
    if not can_use_messages(author):
        return "Je kunt geen berichten sturen."
    members = active_members(conversation) if members is None else members
    if author.id not in {member.user_id for member in members}:
        return "Je bent uit dit gesprek gegaan; je kunt er niet meer in reageren."
    others = [member.user for member in members if member.user_id != author.id]
    if not any(can_read_forum(person) for person in others):
        return "Er is niemand meer in dit gesprek om je bericht te lezen."
    if blocked_by(author, others):
        return "Iemand in dit gesprek wil geen berichten meer van je ontvangen."
    return None


def reply(author, conversation, body, now=None):
    """Add `author`'s message to the conversation; returns it."""
    now = now or utcnow()
    members = active_members(conversation)
    problem = reply_problem(author, conversation, members)
    if problem:
        raise ConflictError(problem)
    if not (body or "").strip():
        raise MessageError("Schrijf eerst je bericht.")
    message = _new_message(conversation, author, body, now)
    conversation.last_message_at = now
    for member in members:
        if member.user_id == author.id:
            member.last_read_at = now
    db.session.flush()
    _notify_members(conversation, message, author, members)
    return message


def mark_read(member, now=None):
    member.last_read_at = now or utcnow()


def mark_read_until(member, moment):
    """`member` has seen the messages up to `moment` (the newest on the page they read); never
    back in time, so reading an older page leaves later messages read."""
    if moment is not None and (member.last_read_at is None or moment > member.last_read_at):
        member.last_read_at = moment


def leave(member, now=None):
    """`member` leaves the conversation: it goes from their list and they hear nothing of it."""
    member.left_at = member.left_at or now or utcnow()


# -- reading -------------------------------------------------------------------------------------------

def _unread(member_table=ConversationMember):
    return or_(member_table.last_read_at.is_(None),
               Conversation.last_message_at > member_table.last_read_at)


def unread_count_query(user):
    """How many of `user`'s conversations have a message they have not seen, as a scalar
    subquery (app.header asks it with the header's other counts)."""
    return (select(func.count()).select_from(ConversationMember)
            .join(Conversation, Conversation.id == ConversationMember.conversation_id)
            .where(ConversationMember.user_id == user.id, ConversationMember.left_at.is_(None),
                   _unread())
            .scalar_subquery())


def unread_count(user):
    """How many of `user`'s conversations have a message they have not seen: one statement."""
    return db.session.execute(select(unread_count_query(user))).scalar_one()


def list_query(user):
    """`user`'s conversations (not left), with their membership, newest message first."""
    return (
        select(ConversationMember)
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .options(joinedload(ConversationMember.conversation)
                 .selectinload(Conversation.members).joinedload(ConversationMember.user))
        .where(ConversationMember.user_id == user.id, ConversationMember.left_at.is_(None))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )


def is_unread(member):
    conversation = member.conversation
    return member.last_read_at is None or conversation.last_message_at > member.last_read_at


def messages_query(conversation):
    """The conversation's messages, oldest first, with their authors (for db.paginate)."""
    return (select(Message).options(joinedload(Message.author))
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.created_at, Message.id))


def messages_of(conversation):
    """The conversation's messages, oldest first, with their authors."""
    return db.session.execute(messages_query(conversation)).scalars().all()


def page_count(total, per_page=None):
    per_page = per_page or MESSAGES_PER_PAGE
    return max(1, -(-total // per_page))


def last_page(conversation, per_page=None):
    """The number of the conversation's newest page: one statement."""
    total = db.session.execute(select(func.count(Message.id))
                               .where(Message.conversation_id == conversation.id)).scalar_one()
    return page_count(total, per_page)


def opening_page(conversation, seen_until=None, message_id=None, per_page=None):
    """The page a conversation opens on when no page is asked for, as on Discourse: the page of
    the first message `seen_until` (the reader's last_read_at) does not cover, or of `message_id`
    (a moderator's reported message); when everything is read, the last page, with the newest
    messages and the reply form. Returns (page, total): one statement."""
    per_page = per_page or MESSAGES_PER_PAGE
    total = func.count(Message.id)
    before = None
    if message_id is not None:
        target = select(Message.created_at).where(Message.id == message_id).scalar_subquery()
        before = func.sum(case((Message.created_at < target, 1), else_=0))
    elif seen_until is not None:
        before = func.sum(case((Message.created_at <= seen_until, 1), else_=0))
    row = db.session.execute(
        select(total, before if before is not None else total)
        .where(Message.conversation_id == conversation.id)).one()
    count, earlier = row[0] or 0, row[1] or 0
    if seen_until is None and message_id is None:
        earlier = 0  # never read: from the first message
    if earlier >= count:
        return page_count(count, per_page), count
    return earlier // per_page + 1, count


def participants(conversation):
    """Everyone who takes or took part, with their membership: [(member, user)] by name."""
    members = db.session.execute(
        select(ConversationMember).options(joinedload(ConversationMember.user))
        .where(ConversationMember.conversation_id == conversation.id)
    ).scalars().all()
    return sorted(members, key=lambda member: (member.user.name.casefold(), member.user_id))


def author_name(message):
    author = message.author
    return author.name if author is not None and not author.is_deleted else FORMER_MEMBER


# -- blocking ------------------------------------------------------------------------------------------

def block(blocker, person, now=None):
    """`blocker` receives no more messages from `person`; True when newly blocked."""
    if person is None or person.id == blocker.id:
        raise MessageError("Je kunt jezelf niet blokkeren.")
    result = db.session.execute(
        insert_for(Block).values(blocker_id=blocker.id, blocked_id=person.id,
                                 created_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["blocker_id", "blocked_id"])
        .returning(Block.id)  # rowcount is not reliable for this INSERT on PostgreSQL
    )
    return result.first() is not None


def unblock(blocker, person):
    db.session.execute(delete(Block).where(Block.blocker_id == blocker.id,
                                           Block.blocked_id == person.id))


def blocked_people(user):
    return db.session.execute(
        select(User).join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == user.id).order_by(User.name)
    ).scalars().all()


# -- reports and moderators ----------------------------------------------------------------------------

def find_message(message_id):
    return db.session.get(Message, message_id) if 0 < message_id <= MAX_ID else None


def can_report(user, message, member=None):
    """Members report others' visible messages."""
    member = membership(user, message.conversation_id) if member is None else member
    return bool(member is not None and can_use_messages(user) and message.hidden_at is None
                and message.author_id != user.id)


def report_message(reporter, message, reason, now=None):
    """Report `message` to the moderators; one open report per person per message. The staff
    hear of it through app.staff_alerts (kind "message_report")."""
    if db.session.execute(
        select(MessageReport.id).where(MessageReport.message_id == message.id,
                                       MessageReport.reporter_id == reporter.id,
                                       MessageReport.resolved_at.is_(None))
    ).first() is not None:
        raise ConflictError("Je hebt dit bericht al gemeld. Een moderator bekijkt het zo snel "
                            "mogelijk.")
    report = MessageReport(message_id=message.id, reporter_id=reporter.id, reason=reason,
                           created_at=now or utcnow())
    db.session.add(report)
    db.session.flush()
    return report


def _open_report_in(conversation_id):
    return exists().where(MessageReport.message_id == Message.id,
                          Message.conversation_id == conversation_id,
                          MessageReport.resolved_at.is_(None))


def can_moderate_conversation(user, conversation):
    """Moderators read a conversation only while a message in it is reported."""
    if not can_moderate(user) or conversation is None:
        return False
    return bool(db.session.execute(select(_open_report_in(conversation.id))).scalar())


def record_moderator_view(moderator, conversation):
    """Every look of a moderator at someone else's conversation goes into the audit log."""
    record(moderator, "messages.moderator_view", conversation,
           f"Gesprek “{conversation.subject}” gelezen na een melding")


def open_reports(conversation=None):
    """Unresolved reports (of one conversation), oldest first, with message and conversation."""
    query = (select(MessageReport)
             .options(joinedload(MessageReport.message).joinedload(Message.conversation),
                      joinedload(MessageReport.message).joinedload(Message.author))
             .where(MessageReport.resolved_at.is_(None))
             .order_by(MessageReport.created_at, MessageReport.id))
    if conversation is not None:
        query = query.join(Message, Message.id == MessageReport.message_id).where(
            Message.conversation_id == conversation.id)
    return db.session.execute(query).unique().scalars().all()


def resolve_reports(moderator, message, hide=False, now=None):
    """Close the open reports of `message` (and hide it for everyone when `hide`)."""
    now = now or utcnow()
    db.session.execute(
        update(MessageReport).where(MessageReport.message_id == message.id,
                                    MessageReport.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=moderator.id)
        .execution_options(synchronize_session=False))
    if hide and message.hidden_at is None:
        message.hidden_at = now
    record(moderator, "messages.resolve_report", message.conversation,
           f"Melding van een bericht in “{message.conversation.subject}” afgehandeld"
           + (" (bericht verborgen)" if hide else ""))


# -- the account's data ----------------------------------------------------------------------------------

def export_for(user):
    """What `user` wrote and the conversations they are in, for "download my data"."""
    members = db.session.execute(
        select(ConversationMember).options(joinedload(ConversationMember.conversation))
        .where(ConversationMember.user_id == user.id)
        .order_by(ConversationMember.conversation_id)
    ).scalars().all()
    written = db.session.execute(
        select(Message).where(Message.author_id == user.id).order_by(Message.created_at, Message.id)
    ).scalars().all()
    blocks = db.session.execute(
        select(Block.blocked_id, Block.created_at).where(Block.blocker_id == user.id)
    ).all()
    return {
        "conversations": [{"id": member.conversation_id, "subject": member.conversation.subject,
                           "left_at": member.left_at.isoformat() if member.left_at else None}
                          for member in members],
        "messages": [{"conversation_id": message.conversation_id, "body": message.body_source,
                      "created_at": message.created_at.isoformat()} for message in written],
        "blocked_people": [{"user_id": blocked_id, "since": since.isoformat()}
                           for blocked_id, since in blocks],
    }


def forget(user):
    """With the account (app.privacy): as with forum posts, its messages stay for the others and
    show as "Voormalig lid" (the row is anonymised, not deleted); its memberships and blocks go."""
    db.session.execute(delete(ConversationMember).where(ConversationMember.user_id == user.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(Block).where(or_(Block.blocker_id == user.id,
                                               Block.blocked_id == user.id))
                       .execution_options(synchronize_session=False))
