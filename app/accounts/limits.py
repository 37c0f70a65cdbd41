"""How much a person may write in the forum and the labs.

A short pause between two texts in the same place (the forum, or the labs: a lab question two
seconds after a forum reply is fine), and one daily maximum over both in an account's first week;
staff are not limited. The forum and the labs call `check_posting_limit` before they store a text.
"""
import math
from datetime import timedelta

from sqlalchemy import func, select, union_all

from app.errors import LimitError
from app.extensions import db
from app.models.forum import Post
from app.models.labs import LabQuestion, LabReply
from app.timeutil import utcnow

SECONDS_BETWEEN_POSTS = 15
NEW_ACCOUNT_DAYS = 7
NEW_ACCOUNT_DAILY_MAX = 20


class PostingLimit(LimitError):
    """A posting limit was hit; the message is Dutch and shown as is (the text is kept)."""


FORUM = "forum"
LABS = "labs"
PLACE_NAMES = {FORUM: "in het forum", LABS: "in de labs"}


def _writing_times(user, place=None):
    """When `user` wrote anything (forum posts, lab questions, lab replies), or only in `place`."""
    forum = select(Post.created_at.label("at")).where(Post.author_id == user.id)
    labs = [select(LabQuestion.created_at.label("at")).where(LabQuestion.author_id == user.id),
            select(LabReply.created_at.label("at")).where(LabReply.author_id == user.id)]
    parts = [forum] if place == FORUM else labs if place == LABS else [forum, *labs]
    return union_all(*parts).subquery()


def check_posting_limit(user, now=None, place=None):
    """Raise PostingLimit when `user` may not post in `place` (FORUM or LABS) right now; staff are
    not limited. The pause counts texts in the same place; the first week's daily maximum counts
    everything written in both."""
    if user.is_staff:
        return
    now = now or utcnow()
    last = db.session.execute(select(func.max(_writing_times(user, place).c.at))).scalar()
    if last is not None:
        elapsed = (now - last).total_seconds()
        if elapsed < SECONDS_BETWEEN_POSTS:
            wait = min(SECONDS_BETWEEN_POSTS, max(1, math.ceil(SECONDS_BETWEEN_POSTS - elapsed)))
            where = f" {PLACE_NAMES[place]}" if place in PLACE_NAMES else ""
            raise PostingLimit(
                f"Je plaatste net al een bericht{where}. Wacht nog {wait} "
                f"{'seconde' if wait == 1 else 'seconden'} en probeer het dan opnieuw; "
                "je tekst staat hieronder nog klaar."
            )
    if user.created_at and user.created_at > now - timedelta(days=NEW_ACCOUNT_DAYS):
        times = _writing_times(user)
        today = db.session.execute(
            select(func.count()).select_from(times).where(times.c.at > now - timedelta(days=1))
        ).scalar_one()
        if today >= NEW_ACCOUNT_DAILY_MAX:
            raise PostingLimit(
                f"In je eerste week kun je hoogstens {NEW_ACCOUNT_DAILY_MAX} berichten per dag "
                "plaatsen. Dat maximum heb je bereikt; probeer het morgen opnieuw. Je tekst staat "
                "hieronder nog klaar, zodat je hem kunt bewaren."
            )
