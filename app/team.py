"""The team on /over-ons: administrators add, edit, order and remove its people (all audited).

The functions take the acting administrator, flush and never commit. Photos are files in
UPLOAD_DIR (app.uploads): a function that drops a photo from a row returns its stored name, and
the caller removes the file once the change is committed.
"""
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import record
from app.models.public import TeamMember
from app.timeutil import utcnow

FIELDS = ("name", "role", "bio")


def ordered_members():
    """Everyone on the team, in the order of the about page."""
    return db.session.execute(
        select(TeamMember).order_by(TeamMember.position, TeamMember.id)
    ).scalars().all()


def member_with_photo(photo_name):
    """The team member whose photo has this stored name, or None."""
    if not isinstance(photo_name, str) or not photo_name or len(photo_name) > 64:
        return None
    return db.session.execute(
        select(TeamMember).where(TeamMember.photo_name == photo_name)
    ).scalar_one_or_none()


def add_member(admin, name, role, bio, photo_name=None):
    """A new team member, at the end of the list."""
    last = db.session.execute(select(func.max(TeamMember.position))).scalar()
    member = TeamMember(name=name, role=role, bio=bio, photo_name=photo_name,
                        position=(last + 1) if last is not None else 0)
    db.session.add(member)
    db.session.flush()
    record(admin, "team.create", member, f"{name} toegevoegd aan het team",
           role=role, photo=photo_name is not None)
    return member


def update_member(admin, member, name, role, bio, photo_name=None, remove_photo=False):
    """Change name, role and text; a new `photo_name` replaces the photo, `remove_photo` drops it.

    Returns (changed, the stored name of the photo that is no longer used, or None).
    """
    before = {"name": member.name, "role": member.role, "bio": member.bio}
    after = {"name": name, "role": role, "bio": bio}
    changed = {key: [before[key], after[key]] for key in FIELDS if before[key] != after[key]}
    old_photo = member.photo_name
    if photo_name is not None:
        member.photo_name = photo_name
    elif remove_photo:
        member.photo_name = None
    photo_change = member.photo_name != old_photo
    if not changed and not photo_change:
        return False, None
    member.name, member.role, member.bio = name, role, bio
    member.updated_at = utcnow()
    db.session.flush()
    photo = None
    if photo_change:
        photo = "vervangen" if old_photo and member.photo_name else (
            "toegevoegd" if member.photo_name else "verwijderd")
    record(admin, "team.update", member, f"Teamlid {name} bewerkt",
           changes={key: value for key, value in changed.items() if key != "bio"},
           bio_changed="bio" in changed, photo=photo)
    return True, old_photo if photo_change else None


def remove_member(admin, member):
    """Take someone off the team; returns the stored name of their photo (or None)."""
    photo_name = member.photo_name
    record(admin, "team.delete", member, f"{member.name} van het team gehaald",
           role=member.role)
    db.session.delete(member)
    db.session.flush()
    return photo_name


def move_member(admin, member, step):
    """Move someone one place up (step=-1) or down (step=1); False at the top or bottom.

    Positions are renumbered 0..n-1 on the way, so equal positions cannot get stuck.
    """
    members = ordered_members()
    index = next(i for i, candidate in enumerate(members) if candidate.id == member.id)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(members):
        return False
    members[index], members[other] = members[other], members[index]
    for position, candidate in enumerate(members):
        candidate.position = position
    db.session.flush()
    record(admin, "team.move", member,
           f"{member.name} een plaats {'omhoog' if step < 0 else 'omlaag'} gezet",
           position=member.position)
    return True
