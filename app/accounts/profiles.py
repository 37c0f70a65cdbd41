"""Profiles: the page about a person at /leden/<id>-<name>, and what they tell there themselves.

A person writes a short text (Markdown, sanitised once when saved by app.markup, like posts) and
may upload a photo, which the server re-encodes and crops square (app.uploads.store_avatar);
without one, their initials are shown on one of PALETTE_SIZE colours chosen by their id. A deleted
account has no profile: its name is "Voormalig lid" and nothing links to it.

Functions flush, never commit. A function that drops a photo from a row returns its stored name;
the caller removes the file once the change is committed.
"""
from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.markup import render_markdown
from app.models.accounts import STATUS_DELETED, User
from app.models.forum import Post, Thread
from app.models.labs import LabQuestion, LabReply
from app.slugs import person_slug
from app.timeutil import utcnow
from app.urls import site_path
from app.validators import MAX_ID

MAX_BIO = 1000
AVATAR_SIDE = 256  # pixels of the stored square; shown at 128 on the profile, smaller beside posts
PALETTE_SIZE = 8  # colours of the initials (CSS classes avatar-kleur-0 … 7, AA contrast on white text)


def initials(name):
    """One or two capital letters for a name: "Anna de Vries" → "AV", "Mo" → "M"."""
    words = [word for word in (name or "").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def palette_index(user_id):
    """The colour of someone's initials: fixed by their id, so it never changes with their name."""
    return (user_id or 0) % PALETTE_SIZE


def has_profile(person):
    """Everyone has a profile except a deleted account (and nobody, for a row that is gone)."""
    return person is not None and person.status != STATUS_DELETED


def profile_path(person):
    """The site path of a person's profile, built without a request (mentions are rendered at save
    time, notifications in the worker)."""
    return site_path("people.profile", user_id=person.id, slug=person_slug(person.name))


def find_person(user_id):
    """The person with this id, with their collective, organisation and labs; None for an unknown
    id and for a deleted account (which has no profile)."""
    if not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        return None
    return db.session.execute(
        select(User).where(User.id == user_id, User.status != STATUS_DELETED)
        .options(joinedload(User.collective), joinedload(User.partner_organisation),
                 selectinload(User.labs))
    ).scalar_one_or_none()


def avatar_owner(user_id, photo_name):
    """The person whose current photo has this stored name, or None (a replaced photo, someone
    else's, a deleted account, a name we never made)."""
    if not isinstance(photo_name, str) or not photo_name or len(photo_name) > 64:
        return None
    if not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        return None
    return db.session.execute(
        select(User).where(User.id == user_id, User.avatar_name == photo_name,
                           User.status != STATUS_DELETED)
    ).scalar_one_or_none()


def save_profile(user, name, bio_source, avatar_name=None, remove_avatar=False):
    """Change a person's own name and text; a new `avatar_name` (stored by app.uploads.store_avatar)
    replaces their photo, `remove_avatar` drops it.

    Returns (changed, the stored name of a photo no longer used or None): the caller removes that
    file once the change is committed.
    """
    bio_source = bio_source or ""
    changed = name != user.name or bio_source != (user.bio_source or "")
    user.name = name
    if bio_source != (user.bio_source or ""):
        user.bio_source = bio_source
        user.bio_html = str(render_markdown(bio_source)) if bio_source else ""
    old_avatar = user.avatar_name
    if avatar_name is not None:
        user.avatar_name = avatar_name
    elif remove_avatar:
        user.avatar_name = None
    if user.avatar_name != old_avatar:
        user.avatar_updated_at = utcnow() if user.avatar_name else None
        changed = True
        db.session.flush()
        return changed, old_avatar
    db.session.flush()
    return changed, None


# -- who wrote what the search found --------------------------------------------------------------

# The search index's document ids ("post:12") of what people write, and the author of each.
_AUTHORED = {
    "thread": (Thread.id, Thread.author_id),
    "post": (Post.id, Post.author_id),
    "labquestion": (LabQuestion.id, LabQuestion.author_id),
    "labreply": (LabReply.id, LabReply.author_id),
}


def authors_of(doc_ids):
    """{document id: its author} for search hits ("thread:12", "post:34", "labquestion:5",
    "labreply:7"; others are skipped). One statement, the people with their collective loaded;
    an author who is gone has no entry, a deleted account is there (shown as "Voormalig lid")."""
    wanted = {}
    for doc_id in doc_ids:
        kind, _, number = (doc_id or "").partition(":")
        if kind in _AUTHORED and number.isdigit() and 0 < int(number) <= MAX_ID:
            wanted.setdefault(kind, set()).add(int(number))
    if not wanted:
        return {}
    parts = [
        select(literal(kind).label("kind"), id_column.label("row_id"),
               author_column.label("author_id")).where(id_column.in_(sorted(ids)))
        for kind, ids in wanted.items()
        for id_column, author_column in [_AUTHORED[kind]]
    ]
    rows = union_all(*parts).subquery()
    found = db.session.execute(
        select(rows.c.kind, rows.c.row_id, User).join(User, User.id == rows.c.author_id)
        .options(joinedload(User.collective), joinedload(User.partner_organisation))
    ).unique().all()
    return {f"{kind}:{row_id}": person for kind, row_id, person in found}
