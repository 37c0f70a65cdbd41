"""Who hears of a post: people @mentioned by name, quoted authors, watchers of a thread or group.

One notification per person per post: a mention beats a quote beats a reply (or a new thread).
"""
import re

from sqlalchemy import select

from app.accounts import mentions
from app.extensions import db
from app.markup import plain_text
from app.models.accounts import User
from app.models.forum import GroupWatch, Post, ThreadWatch
from app.notifications import notify
from app.permissions import can_read_forum
from app.urls import site_path

EXCERPT_LENGTH = 200

# The first line of a block made by app.markup.quote_markdown: "> **Name** schreef in
# [bericht #3](/forum/bericht/12):", or "> **Name** schreef:" (quotes made before the link back).
QUOTE_HEADER_RE = re.compile(
    r"^> \*\*(.{1,120}?)\*\* schreef(?: in \[[^\]\n]{1,60}\]\([^()\s]{1,300}\))?:[ \t]*$",
    re.MULTILINE,
)


def permalink_path(post):
    """The site path of a post's permalink (built without a request, e.g. from a command)."""
    return site_path("forum.post_permalink", post_id=post.id)


def resolve_mentions(source):
    """The people named with @Name in `source` (outside > quotes) who can read the forum.

    For each mention the longest candidate that is a real person's name (case-insensitive) wins,
    so "@Bea de Boer schreef" finds Bea de Boer, not Bea. At most mentions.MAX_MENTIONS people.
    """
    return mentions.readers_named(source, can_read_forum)


def render_post(source, images=None):
    """A post's Markdown → the HTML to store: mentions of forum readers become links (and the
    images `images` vouches for, an app.post_images.ImagesInText, become pictures)."""
    return str(mentions.render(source, can_read_forum, images))


def preview_post(source, images=None):
    """The preview of a post: as it will be saved, and who will not hear of a mention."""
    return mentions.preview(source, can_read_forum, "deze discussie", images)


def quoted_people(thread, source):
    """Authors in this thread whose posts are quoted in `source` (blocks made by quote_markdown)."""
    names = {match.strip().casefold() for match in QUOTE_HEADER_RE.findall(source or "")}
    if not names:
        return []
    people = db.session.execute(
        select(User).join(Post, Post.author_id == User.id)
        .where(Post.thread_id == thread.id, Post.deleted_at.is_(None)).distinct()
    ).scalars().all()
    return [person for person in people if person.name.casefold() in names]


def watchers(thread):
    return db.session.execute(
        select(User).join(ThreadWatch, ThreadWatch.user_id == User.id)
        .where(ThreadWatch.thread_id == thread.id, ThreadWatch.watching.is_(True))
    ).scalars().all()


def group_watchers(group):
    return db.session.execute(
        select(User).join(GroupWatch, GroupWatch.user_id == User.id)
        .where(GroupWatch.group_id == group.id)
    ).scalars().all()


def notify_post(post, thread, actor, mentioned=(), quoted=(), others=(), others_kind="reply"):
    """One notification per person per post: a mention beats a quote beats a reply/new thread."""
    url = permalink_path(post)
    excerpt = plain_text(post.body_source, EXCERPT_LENGTH)
    title = thread.title if len(thread.title) <= 80 else thread.title[:79] + "…"
    texts = {
        "mention": f"{actor.name} noemde je in “{title}”",
        "quote": f"{actor.name} citeerde je in “{title}”",
        "reply": f"{actor.name} reageerde in “{title}”",
        "new_thread": f"{actor.name} begon “{title}” in {thread.group.name}",
    }
    done = {actor.id}
    for people, kind in ((mentioned, "mention"), (quoted, "quote"), (others, others_kind)):
        for person in people:
            if person.id in done or not can_read_forum(person):
                continue
            done.add(person.id)
            notify(person, kind, texts[kind], url, actor=actor, excerpt=excerpt)
