"""@mentions of people in what members write (forum posts, lab questions and answers).

Each function works for a place whose readers `may_read(person)` tells (a permission check of
app.permissions): only people who may read the place can be found, are linked and are notified.

- `find_mentionable`: the people offered while "@Be…" is typed (the lookup behind the text box).
- `mention_links`: for app.markup.render_markdown, when a text is saved or previewed: each @Name
  of someone who may read the place becomes a link to them (`mention_href`).
- `readers_named`: who is notified (outside > quotes); the forum and the labs notify them.
- `preview`: the text as it will be saved, with a word for the writer about each @Name that reaches
  nobody (someone who cannot read the place, or a name that is nobody's).
"""
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.profiles import has_profile, profile_path
from app.extensions import db
from app.markup import mention_candidates, render_markdown
from app.models.accounts import (
    ROLE_MEMBER,
    ROLE_PARTNER,
    ROLE_REPRESENTATIVE,
    STAFF_ROLES,
    STATUS_DELETED,
    User,
)
from app.search.analysis import fold

MAX_MENTIONS = 20  # people notified per text at most, against mass-mentioning
MAX_LINKED = 50  # mentions of a text looked up to become links
LOOKUP_LIMIT = 8  # people offered while typing
MIN_QUERY = 2
CANDIDATES = 200  # rows the lookup folds and checks in Python at most

# Letters a name may carry with an accent ("Özlem", "Zoë", "François"): in the lookup's SQL
# pattern they match any character, and Python compares the folded names exactly.
_ACCENTED = set("aceinosuyz")


def mention_href(person):
    """Where a mention of `person` links to: their profile (/leden/<id>-<name>). None: no link,
    the mention is only marked (a deleted account has no profile)."""
    if not has_profile(person):
        return None
    return profile_path(person)


def _fold_name(text):
    """Lower case, no accents, hyphens as spaces, single spaces: "Jansen-Özer" → "jansen ozer"."""
    return " ".join(fold(text).replace("-", " ").split())


def _like_escaped(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_starts(pattern):
    """Names with a word starting with `pattern` (lower case; a LIKE pattern without wildcards at
    its ends)."""
    name = func.lower(User.name)
    return or_(name.like(f"{pattern}%", escape="\\"), name.like(f"% {pattern}%", escape="\\"),
               name.like(f"%-{pattern}%", escape="\\"))


def _possible_readers():
    """A prefilter for the lookup's query: the forum and the labs are read by staff, partners and
    members of a collective only, never by deleted accounts (`may_read` decides each person)."""
    return (User.status != STATUS_DELETED) & or_(
        User.role.in_(STAFF_ROLES + (ROLE_PARTNER,)),
        User.collective_id.isnot(None) & User.role.in_((ROLE_MEMBER, ROLE_REPRESENTATIVE)),
    )


def find_mentionable(query, may_read, exclude=None, limit=LOOKUP_LIMIT):
    """Up to `limit` people who may read the place and have a word of their name starting with
    `query` (several words: a run of words), case and accents ignored ("ozl" finds Özlem); those
    whose name starts with it first, then by name. `exclude`: the writer, who need not be offered.

    One query: a bounded set of candidates whose name words start with the query's letters (any
    letter where an accent could be) with their collective and organisation, checked in Python.
    """
    wanted = _fold_name(query or "")
    if len(wanted) < MIN_QUERY:
        return []
    plain = _like_escaped(wanted)
    loose = "".join("_" if char in _ACCENTED else _like_escaped(char) for char in wanted)
    rows = db.session.execute(
        select(User).where(_possible_readers(), _word_starts(loose))
        .options(joinedload(User.collective), joinedload(User.partner_organisation))
        .order_by(case((_word_starts(plain), 0), else_=1), func.lower(User.name), User.id)
        .limit(CANDIDATES)
    ).scalars().all()
    found = []
    for person in rows:
        name = _fold_name(person.name)
        if f" {wanted}" not in f" {name}" or (exclude is not None and person.id == exclude.id):
            continue
        if may_read(person):
            found.append((not name.startswith(wanted), name, person.id, person))
    return [person for *_, person in sorted(found)[:limit]]


def lookup_entry(person):
    """What the lookup tells about a person: never more (no e-mail address, no role)."""
    collective = person.collective if person.is_collective_member else None
    organisation = person.partner_organisation if person.is_partner else None
    return {
        "id": person.id,
        "name": person.name,
        "collective": collective.name if collective is not None else None,
        "organisation": organisation.name if organisation is not None else None,
    }


# -- @Name in a text ------------------------------------------------------------------------------

def _resolve(mentions):
    """For each mention (its candidate names, longest first): the longest name that is someone's
    (case ignored), with the people of that name; (None, []) when it is nobody's. Deleted accounts
    are nobody. One query."""
    names = {name for candidates in mentions for name in candidates}
    by_name = {}
    if names:
        lowered = {name.lower() for name in names}
        people = db.session.execute(
            select(User).where(or_(func.lower(User.name).in_(lowered), User.name.in_(names)),
                               User.status != STATUS_DELETED)
            .options(joinedload(User.collective)).order_by(User.id)
        ).scalars().all()
        for person in people:
            by_name.setdefault(person.name.casefold(), []).append(person)
    for candidates in mentions:
        name = next((name for name in candidates if name.casefold() in by_name), None)
        yield candidates, name, by_name.get(name.casefold(), []) if name else []


def readers_named(source, may_read):
    """The people @mentioned in `source` (not in > quotes) who may read the place, to notify.

    For each mention the longest candidate that is a real person's name wins, so "@Bea de Boer
    schreef" finds Bea de Boer, not Bea. At most MAX_MENTIONS people.
    """
    found = []
    for _, _, people in _resolve(mention_candidates(source)[:MAX_MENTIONS]):
        found.extend(person for person in people if person not in found and may_read(person))
    return found[:MAX_MENTIONS]


def mention_links(may_read):
    """For render_markdown: the mentions that become links, to people who may read the place (a
    name two such people share is marked, not linked, unless both lead to the same page)."""

    def links(mentions):
        result = {}
        for _, name, people in _resolve(mentions[:MAX_LINKED]):
            readers = [person for person in people if may_read(person)]
            if readers:
                targets = {mention_href(person) for person in readers}
                result[name.casefold()] = targets.pop() if len(targets) == 1 else None
        return result

    return links


def render(source, may_read, images=None):
    """Markdown → the sanitised HTML to store; mentions of people who may read the place link.
    `images`: which of its images are shown (app.markup.render_markdown)."""
    return render_markdown(source, mention_links(may_read), images) if source else Markup("")


def mention_notes(source, may_read, place):
    """Dutch sentences for the preview: each @Name (outside > quotes) that notifies nobody, and why.
    `place` completes "… kan {place} niet lezen", e.g. "deze discussie"."""
    mentions = mention_candidates(source)
    notes = []
    for candidates, name, people in _resolve(mentions[:MAX_MENTIONS]):
        if not people:
            note = f"“@{candidates[-1]}” is niemand op het platform: er gaat geen melding uit."
        elif not any(may_read(person) for person in people):
            note = f"{people[0].name} kan {place} niet lezen en krijgt geen melding."
        else:
            continue
        if note not in notes:
            notes.append(note)
    if len(mentions) > MAX_MENTIONS:
        notes.append(f"Alleen de eerste {MAX_MENTIONS} genoemde mensen krijgen een melding.")
    return notes


@dataclass(frozen=True)
class Preview:
    """A text as it will be saved (`html`, shown as is in a template) and notes for the writer."""

    html: Markup
    notes: tuple = ()

    def __html__(self):
        return str(self.html)


def preview(source, may_read, place, images=None):
    """What the preview shows: the same HTML as on save, and who will not hear of a mention."""
    return Preview(render(source, may_read, images), tuple(mention_notes(source, may_read, place)))
