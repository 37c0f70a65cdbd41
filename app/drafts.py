"""Drafts: the unposted text of a new thread, a reply, a lab question, a lab answer or a response,
kept on the server per person and place, so it survives a closed tab and follows its writer to
another device.

A place is "<kind>:<id>" (the group of a new thread, the thread of a reply, the lab of a question,
the question of an answer or response). Only someone who may write there has a draft there: every
function that saves starts from `resolve(user, key)`, which asks app.permissions. A draft is read
by its writer only (nothing here takes another person's id); it is part of their data download,
goes with their account, and the retention job removes drafts untouched for `RETENTION`.

Functions flush, never commit: the view owns the transaction.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.errors import UserError
from app.extensions import db, insert_for
from app.markup import MAX_SOURCE_LENGTH
from app.models.drafts import Draft
from app.models.forum import ForumGroup, Thread
from app.models.labs import Lab, LabQuestion
from app.permissions import can_answer, can_ask_question, can_post, can_respond
from app.timeutil import utcnow
from app.validators import MAX_ID, has_control_characters, normalise_body, normalise_title

RETENTION = timedelta(days=90)

FORUM_THREAD = "forum.thread"
FORUM_REPLY = "forum.reply"
LAB_QUESTION = "labs.question"
LAB_ANSWER = "labs.answer"
LAB_RESPONSE = "labs.response"

# The limits of the forms the drafts belong to (app/blueprints/*/forms.py; a unit test keeps them
# equal): a draft holds no more than its form could post.
FORUM_TEXT = MAX_SOURCE_LENGTH
LAB_TEXT = 10_000
TITLE = 150

UNSAVABLE = "Je concept bevat onzichtbare tekens die we niet kunnen bewaren. Haal ze weg en probeer het opnieuw."


class DraftError(UserError):
    """A draft that cannot be kept (too long, invisible characters); the message is Dutch."""


@dataclass(frozen=True)
class Kind:
    model: type
    body_max: int
    has_title: bool = False
    has_context: bool = False


KINDS = {
    FORUM_THREAD: Kind(ForumGroup, FORUM_TEXT, has_title=True),
    FORUM_REPLY: Kind(Thread, FORUM_TEXT),
    LAB_QUESTION: Kind(Lab, LAB_TEXT, has_title=True, has_context=True),
    LAB_ANSWER: Kind(LabQuestion, LAB_TEXT),
    LAB_RESPONSE: Kind(LabQuestion, LAB_TEXT),
}

# Who may write where: the same checks as the forms' own views.
_MAY_WRITE = {
    FORUM_THREAD: lambda user, group: can_post(user),
    FORUM_REPLY: can_post,
    LAB_QUESTION: can_ask_question,
    LAB_ANSWER: can_answer,
    LAB_RESPONSE: can_respond,
}

_LOAD_OPTIONS = {
    Thread: (joinedload(Thread.group),),
    LabQuestion: (joinedload(LabQuestion.lab),),
}


@dataclass(frozen=True)
class Place:
    """Where a draft belongs: its key, its kind and the group, thread, lab or question."""

    key: str
    kind: str
    target: object

    @property
    def rules(self):
        return KINDS[self.kind]

    @property
    def label(self):
        """What the draft is, in Dutch (for the list of one's drafts)."""
        target = self.target
        return {
            FORUM_THREAD: lambda: f"Nieuwe discussie in {target.name}",
            FORUM_REPLY: lambda: f"Reactie op “{target.title}”",
            LAB_QUESTION: lambda: f"Vraag aan het {target.name}",
            LAB_ANSWER: lambda: f"Antwoord op “{target.title}”",
            LAB_RESPONSE: lambda: f"Reactie op “{target.title}”",
        }[self.kind]()


def key_for(kind, target):
    """The place key of `kind` at `target` (a group, thread, lab or question)."""
    return f"{kind}:{target.id}"


def place_of(kind, target):
    """The place of `kind` at `target`, for a view that already checked who may write there."""
    return Place(key_for(kind, target), kind, target)


def _parse(key):
    """(kind, id) of a well-formed key, else None."""
    if not isinstance(key, str) or len(key) > 60:
        return None
    kind, _, ident = key.partition(":")
    if kind not in KINDS or not ident.isascii() or not ident.isdigit() or ident.startswith("0"):
        return None
    number = int(ident)
    return (kind, number) if number <= MAX_ID else None


def _targets(parsed):
    """{(model, id): row} for the parsed keys, one query per kind of target."""
    wanted = {}
    for kind, number in parsed:
        wanted.setdefault(KINDS[kind].model, set()).add(number)
    found = {}
    for model, numbers in wanted.items():
        query = select(model).where(model.id.in_(numbers)).options(*_LOAD_OPTIONS.get(model, ()))
        for row in db.session.execute(query).scalars():
            found[(model, row.id)] = row
    return found


def _allowed_place(user, kind, number, targets):
    target = targets.get((KINDS[kind].model, number))
    if target is None or not _MAY_WRITE[kind](user, target):
        return None
    return Place(f"{kind}:{number}", kind, target)


def resolve(user, key):
    """The place `key` names when `user` may write there now; None for a malformed key, a place
    that does not exist, or one they may not write in (a thread they cannot read, a locked one, a
    lab question only partners answer …)."""
    parsed = _parse(key)
    if parsed is None:
        return None
    return _allowed_place(user, *parsed, _targets([parsed]))


# -- reading and writing one's own drafts -----------------------------------------------------------

def find(user, place):
    """`user`'s draft at `place` (a Place or its key), or None."""
    key = place.key if isinstance(place, Place) else place
    return db.session.execute(
        select(Draft).where(Draft.user_id == user.id, Draft.place == key)
    ).scalar_one_or_none()


def _clean(value, limit, what, title=False):
    if value is None:
        return ""
    value = normalise_title(value) if title else normalise_body(value)
    if has_control_characters(value) or (title and any(c in value for c in "\n\r\u2028\u2029")):
        raise DraftError(UNSAVABLE)
    if len(value) > limit:
        raise DraftError(f"Je concept is te lang om te bewaren: {what} is hoogstens "
                         f"{limit:,} tekens lang.".replace(",", "."))
    return value


def save(user, place, body, title=None, context=None, now=None):
    """Keep what `user` typed at `place` (a Place from `resolve`), replacing their earlier draft
    there. Texts are cut to the fields the place has; a draft with nothing in it is removed.
    Returns the draft, or None when it was empty. Raises DraftError for text its form would refuse
    as too long or unreadable."""
    rules = place.rules
    body = _clean(body, rules.body_max, "een tekst")
    title = _clean(title, TITLE, "een titel", title=True) if rules.has_title else ""
    context = _clean(context, LAB_TEXT, "de achtergrond") if rules.has_context else ""
    if not (body or title or context):
        discard(user, place)
        return None
    now = now or utcnow()
    values = {"title": title or None, "body": body, "context": context or None, "updated_at": now}
    # One statement, so two tabs saving at the same moment cannot both insert.
    db.session.execute(
        insert_for(Draft).values(user_id=user.id, place=place.key, **values)
        .on_conflict_do_update(index_elements=["user_id", "place"], set_=values)
    )
    draft = find(user, place)
    db.session.refresh(draft)  # the row as just written, not a copy from earlier in the request
    return draft


def discard(user, place):
    """Remove `user`'s draft at `place` (a Place or a key); whether there was one."""
    key = place.key if isinstance(place, Place) else place
    removed = db.session.execute(
        delete(Draft).where(Draft.user_id == user.id, Draft.place == key)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(removed)


@dataclass(frozen=True)
class OpenDraft:
    """One of a person's drafts with its place; `place` is None when they can no longer post
    there (the thread was removed or locked, they left the lab …)."""

    draft: Draft
    place: Place | None


def open_drafts(user):
    """`user`'s drafts, most recently saved first, each with its place (a fixed number of queries
    however many there are)."""
    drafts = db.session.execute(
        select(Draft).where(Draft.user_id == user.id)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
    ).scalars().all()
    parsed = {draft.id: _parse(draft.place) for draft in drafts}
    targets = _targets([value for value in parsed.values() if value is not None])
    return [
        OpenDraft(draft, _allowed_place(user, *parsed[draft.id], targets)
                  if parsed[draft.id] is not None else None)
        for draft in drafts
    ]


def remove_stale(now=None):
    """Delete every draft untouched for `RETENTION` (the retention job); how many."""
    now = now or utcnow()
    return db.session.execute(
        delete(Draft).where(Draft.updated_at < now - RETENTION)
        .execution_options(synchronize_session=False)
    ).rowcount
