"""What moderators do in the discussion groups: hide and restore posts, lock, pin, move and delete
threads, handle reports, and manage the groups themselves.

Functions take the acting moderator as an argument and flush, never commit: the view owns the
transaction. Every change is written to the audit log and leaves the denormalised counters right
(through services.refresh_counters / refresh_group_counters). A function that has nothing to do
raises ModerationError with a Dutch message, or returns False for a harmless repeat (a second click
on "sluiten"), so nothing is logged twice.
"""
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.errors import ConflictError
from app.extensions import db
from app.forum.services import refresh_counters, refresh_group_counters
from app.models.audit import record
from app.models.forum import ForumGroup, Post, PostReport, PostRevision, Thread
from app.timeutil import utcnow

MAX_HIDDEN_REASON = 500  # the column's length


class ModerationError(ConflictError):
    """A moderation action that cannot go ahead; the message is Dutch and shown as is."""


def _quoted(title, limit=80):
    return "“" + (title if len(title) <= limit else title[: limit - 1] + "…") + "”"


def _where(post, capital=False):
    return f"{'B' if capital else 'b'}ericht {post.number} in {_quoted(post.thread.title)}"


def _live(thread):
    if thread.deleted_at is not None:
        raise ModerationError("Deze discussie is verwijderd; daar kan niets meer aan veranderen.")


# -- posts ----------------------------------------------------------------------------------------

def hide_post(moderator, post, reason, now=None):
    """Hide a post from everyone but moderators; the thread shows a placeholder."""
    if post.deleted_at is not None:
        raise ModerationError("Dit bericht is al verwijderd door de schrijver.")
    if post.hidden_at is not None:
        raise ModerationError("Dit bericht was al verborgen.")
    reason = (reason or "").strip()[:MAX_HIDDEN_REASON]
    post.hidden_at = now or utcnow()
    post.hidden_by_id = moderator.id
    post.hidden_reason = reason
    db.session.flush()
    refresh_counters(post.thread)
    record(moderator, "forum.hide_post", post, f"{_where(post, capital=True)} verborgen",
           reason=reason, thread_id=post.thread_id)
    return post


def restore_post(moderator, post):
    """Show a hidden post again."""
    if post.hidden_at is None:
        raise ModerationError("Dit bericht is niet verborgen.")
    reason = post.hidden_reason
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None
    db.session.flush()
    refresh_counters(post.thread)
    record(moderator, "forum.restore_post", post, f"{_where(post, capital=True)} teruggezet",
           hidden_reason=reason, thread_id=post.thread_id)
    return post


def post_revisions(post):
    """Earlier versions of a post, newest first, with their editors loaded."""
    return db.session.execute(
        select(PostRevision).where(PostRevision.post_id == post.id)
        .options(joinedload(PostRevision.editor))
        .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
    ).scalars().all()


# -- threads --------------------------------------------------------------------------------------

def _set_flag(moderator, thread, attribute, value, action, summary):
    _live(thread)
    if getattr(thread, attribute) == value:
        return False
    setattr(thread, attribute, value)
    db.session.flush()
    record(moderator, action, thread, f"{_quoted(thread.title)} {summary}")
    return True


def lock_thread(moderator, thread):
    """Close a thread to replies (moderators can still reply). False when it already was."""
    return _set_flag(moderator, thread, "locked", True, "forum.lock_thread", "gesloten")


def unlock_thread(moderator, thread):
    return _set_flag(moderator, thread, "locked", False, "forum.unlock_thread", "heropend")


def pin_thread(moderator, thread):
    """Keep a thread at the top of its group's list. False when it already was."""
    return _set_flag(moderator, thread, "pinned", True, "forum.pin_thread", "vastgezet")


def unpin_thread(moderator, thread):
    return _set_flag(moderator, thread, "pinned", False, "forum.unpin_thread", "losgemaakt")


def move_thread(moderator, thread, target):
    """Move a thread to another group; both groups' counters follow."""
    _live(thread)
    if target is None:
        raise ModerationError("Kies een groep uit de lijst.")
    if target.id == thread.group_id:
        raise ModerationError(f"Deze discussie staat al in de groep {target.name}. Kies een andere groep.")
    source = db.session.get(ForumGroup, thread.group_id)
    thread.group_id = target.id
    thread.group = target
    db.session.flush()
    refresh_group_counters(source)
    refresh_group_counters(target)
    record(moderator, "forum.move_thread", thread,
           f"{_quoted(thread.title)} verplaatst van {source.name} naar {target.name}",
           from_group_id=source.id, to_group_id=target.id)
    return source


def delete_thread(moderator, thread, now=None):
    """Delete a whole thread (softly: moderators can still open it); its group's counters follow."""
    _live(thread)
    thread.deleted_at = now or utcnow()
    thread.deleted_by_id = moderator.id
    db.session.flush()
    refresh_group_counters(db.session.get(ForumGroup, thread.group_id))
    record(moderator, "forum.delete_thread", thread, f"{_quoted(thread.title)} verwijderd",
           group_id=thread.group_id)


def other_groups(thread):
    """The groups a thread can move to, in their order."""
    return db.session.execute(
        select(ForumGroup).where(ForumGroup.id != thread.group_id)
        .order_by(ForumGroup.position, ForumGroup.name, ForumGroup.id)
    ).scalars().all()


# -- reports --------------------------------------------------------------------------------------

def report_list_query(resolved=False):
    """Open reports oldest first, or handled ones most recently handled first; with their post,
    thread, group and the people involved loaded in the same statement."""
    query = select(PostReport).options(
        joinedload(PostReport.post).joinedload(Post.thread).joinedload(Thread.group),
        joinedload(PostReport.post).joinedload(Post.author),
        joinedload(PostReport.reporter),
        joinedload(PostReport.resolved_by),
    )
    if resolved:
        return query.where(PostReport.resolved_at.is_not(None)).order_by(
            PostReport.resolved_at.desc(), PostReport.id.desc())
    return query.where(PostReport.resolved_at.is_(None)).order_by(
        PostReport.created_at, PostReport.id)


def count_reports(resolved=False):
    condition = PostReport.resolved_at.is_not(None) if resolved else PostReport.resolved_at.is_(None)
    return db.session.execute(select(func.count(PostReport.id)).where(condition)).scalar_one()


def previous_posts(posts):
    """{post id: the post just before it in its thread} for these posts, in one query."""
    wanted = {(post.thread_id, post.number - 1): post.id for post in posts if post.number > 1}
    if not wanted:
        return {}
    found = db.session.execute(
        select(Post).options(joinedload(Post.author))
        .where(or_(*(and_(Post.thread_id == thread_id, Post.number == number)
                     for thread_id, number in wanted)))
    ).scalars().all()
    return {wanted[(post.thread_id, post.number)]: post for post in found}


def resolve_report(moderator, report, note="", now=None):
    """Close a report without touching the post."""
    if report.resolved_at is not None:
        raise ModerationError("Deze melding was al afgehandeld.")
    note = (note or "").strip()
    report.resolved_at = now or utcnow()
    report.resolved_by_id = moderator.id
    report.resolution = note[:500] or "Afgehandeld zonder actie"
    db.session.flush()
    record(moderator, "forum.resolve_report", report,
           f"Melding over {_where(report.post)} afgehandeld zonder actie",
           post_id=report.post_id, note=note or None)


HIDDEN_AFTER_REPORT = "Verborgen na een melding"


def hide_and_resolve(moderator, report, note="", now=None):
    """Hide the reported post and close every open report of that post. The hiding reason is the
    moderator's note (the reporter's words are theirs, and stay with the report), or a neutral
    "Verborgen na een melding". Returns how many reports were closed."""
    if report.resolved_at is not None:
        raise ModerationError("Deze melding was al afgehandeld.")
    now = now or utcnow()
    post = report.post
    note = (note or "").strip()
    if post.is_visible:
        hide_post(moderator, post, note or HIDDEN_AFTER_REPORT, now=now)
    closed = db.session.execute(
        update(PostReport)
        .where(PostReport.post_id == post.id, PostReport.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=moderator.id,
                resolution=note[:500] or "Bericht verborgen")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(report)
    record(moderator, "forum.resolve_report", report,
           f"Melding over {_where(post)} afgehandeld: bericht verborgen",
           post_id=post.id, reports_closed=closed, note=note or None)
    return closed


# -- groups ---------------------------------------------------------------------------------------

def ordered_groups():
    return db.session.execute(
        select(ForumGroup).order_by(ForumGroup.position, ForumGroup.name, ForumGroup.id)
    ).scalars().all()


def slug_taken(slug, except_id=None):
    query = select(ForumGroup.id).where(ForumGroup.slug == slug)
    if except_id is not None:
        query = query.where(ForumGroup.id != except_id)
    return db.session.execute(query).first() is not None


def create_group(moderator, name, slug, description=""):
    """A new group, at the end of the list."""
    if slug_taken(slug):
        raise ModerationError("Dit adres is al in gebruik door een andere groep. Kies een ander.")
    last = db.session.execute(select(func.max(ForumGroup.position))).scalar()
    group = ForumGroup(name=name, slug=slug, description=description or "",
                       position=(last + 1) if last is not None else 0)
    db.session.add(group)
    db.session.flush()
    record(moderator, "forum.create_group", group, f"Groep {name} aangemaakt", slug=slug)
    return group


def update_group(moderator, group, name, slug, description=""):
    """Change a group's name, address or description. Returns False when nothing changed."""
    if slug_taken(slug, except_id=group.id):
        raise ModerationError("Dit adres is al in gebruik door een andere groep. Kies een ander.")
    before = {"name": group.name, "slug": group.slug, "description": group.description}
    after = {"name": name, "slug": slug, "description": description or ""}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if not changed:
        return False
    group.name, group.slug, group.description = after["name"], after["slug"], after["description"]
    db.session.flush()
    record(moderator, "forum.update_group", group, f"Groep {name} gewijzigd",
           changes={key: value for key, value in changed.items() if key != "description"},
           description_changed="description" in changed)
    return True


def move_group(moderator, group, step):
    """Move a group one place up (step=-1) or down (step=1) in the list.

    Positions are renumbered 0..n-1 on the way, so equal or missing positions cannot get stuck.
    Returns False at the top or bottom.
    """
    groups = ordered_groups()
    index = next(i for i, candidate in enumerate(groups) if candidate.id == group.id)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(groups):
        return False
    groups[index], groups[other] = groups[other], groups[index]
    for position, candidate in enumerate(groups):
        candidate.position = position
    db.session.flush()
    record(moderator, "forum.move_group", group,
           f"Groep {group.name} een plaats {'omhoog' if step < 0 else 'omlaag'} gezet",
           position=group.position)
    return True
