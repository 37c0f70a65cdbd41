"""Images in posts: uploaded, shown in the text that refers to them, served with that text, removed.

1. Upload (`upload`): members, partners and staff send a JPEG, PNG or WebP of at most 5 MB. The
   content decides (app.images): it is checked by its structure, refused when its canvas is too
   large before a pixel is decoded, then decoded by Pillow and written anew — at most 2000 pixels
   on its long side, plus a thumbnail for the page — without EXIF (GPS position, camera) or any
   other metadata. Both files go to UPLOAD_DIR under random names (app.uploads), never static/.
   Until a post shows it, the image is its writer's alone.
2. The text refers to it as `![description](/afbeeldingen/<id>)`. When the text is rendered
   (`ImagesInText`, given to app.markup.render_markdown) only the writer's own images not yet in
   another post, and the images already in this post, become pictures: the thumbnail at its own
   size, linking to the full picture, with the description as alt text (or "Afbeelding bij
   bericht van …"). Any other image link, and every image from another website, stays a link.
   At most MAX_PER_POST pictures per post.
3. Saving the post attaches those images to it (`ImagesInText.attach`): from then on they are
   served to exactly the people who may read that post (`may_view`), and not at all once it is
   deleted or hidden (moderators still see a hidden post's images, as they see the post). An image
   in a private message is served to the conversation's members only (not to one who left it, and
   not once a moderator hid the message), and to a moderator while a message of that conversation
   is reported (they then read the whole conversation, app.messages); to anyone else it is a 404.
4. Images nobody posted are removed after a day by the retention job (`remove_unattached`);
   deleting an account removes the person's unposted images and those of posts they deleted
   (`remove_for_deleted_account`). Files go only once the removal is committed; files written for
   an upload whose transaction is rolled back go too.

Functions flush, never commit: the view (or the worker) owns the transaction.
"""
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import and_, event, exists, func, or_, select, update
from sqlalchemy.orm import joinedload

from app import images, uploads
from app.errors import LimitError, UserError
from app.extensions import db
from app.markup import LocalImage
from app.models.drafts import Draft
from app.models.forum import Post, PostRevision, Thread
from app.models.images import PostImage
from app.models.labs import LabQuestion, LabReply, LabRevision
from app.models.messages import ConversationMember, Message, MessageReport
from app.permissions import (
    can_moderate,
    can_moderate_forum,
    can_read_forum,
    can_view_lab_questions,
)
from app.timeutil import utcnow

URL_PREFIX = "/afbeeldingen"  # part of every post's Markdown that shows an image: never change it
MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_PER_POST = 10
MAX_SIDE = 2000
# The picture in the post: readable in the text column, the full one a click away.
THUMBNAIL_BOX = (800, 1000)
# Uploaded but not (yet) in a post: at most this many per person, and only for a day.
MAX_PENDING = 30
PENDING_FOR = timedelta(days=1)
CONTENT_TYPES = {images.JPEG: "image/jpeg", images.PNG: "image/png", images.WEBP: "image/webp"}
ACCEPT = ",".join(sorted(set(CONTENT_TYPES.values())))
MAX_ALT = 300

_IMAGE_URL_RE = re.compile(r"^" + re.escape(URL_PREFIX) + r"/([1-9][0-9]{0,8})$")
# An image in Markdown source pointing at one of ours: ![…](/afbeeldingen/12) (a title may follow).
_IMAGE_REFERENCE_RE = re.compile(r"!\[[^\]\n]*\]\(\s*<?" + re.escape(URL_PREFIX)
                                 + r"/([1-9][0-9]{0,8})>?(?:\s+\"[^\"\n]*\")?\s*\)")

# Files to remove once the transaction they belong to is over (see the session events below).
_WRITTEN = "post_images_written"  # new files: removed if the transaction is rolled back
_DROPPED = "post_images_dropped"  # files of removed rows: removed once the removal is committed


class ImageRejected(UserError):
    """An upload that is not accepted; the message says why, in Dutch."""


class TooManyPending(LimitError):
    """Too many images uploaded and not posted yet."""


def image_path(image_id, thumbnail=False):
    """The site path of an image (its thumbnail with thumbnail=True), as the Markdown has it."""
    return f"{URL_PREFIX}/{image_id}" + ("/klein" if thumbnail else "")


def markdown_for(image, alt=""):
    """The Markdown that shows `image`: ![alt](/afbeeldingen/<id>)."""
    alt = re.sub(r"[\[\]\\\n\r]", " ", alt or "").strip()[:MAX_ALT]
    return f"![{alt}]({image_path(image.id)})"


def default_alt(writer):
    """The description of an image whose Markdown gives none."""
    return _alt_naming(getattr(writer, "name", None))


def _alt_naming(name):
    return f"Afbeelding bij bericht van {name}" if name else "Afbeelding bij een bericht"


FORMER_WRITER = "voormalig lid"


def referenced_ids(source):
    """The ids of our images that Markdown `source` shows, in order, each once."""
    found = []
    for match in _IMAGE_REFERENCE_RE.finditer(source or ""):
        image_id = int(match.group(1))
        if image_id not in found:
            found.append(image_id)
    return found


def too_many_message(*sources):
    """A Dutch sentence when the texts together show more than MAX_PER_POST images, else None."""
    count = len({image_id for source in sources for image_id in referenced_ids(source)})
    if count <= MAX_PER_POST:
        return None
    return (f"Een bericht kan hoogstens {MAX_PER_POST} afbeeldingen tonen; dit bericht heeft er "
            f"{count}. Haal er {count - MAX_PER_POST} weg.")


# -- uploading ----------------------------------------------------------------------------------

def pending_count(owner):
    return db.session.execute(
        select(func.count(PostImage.id)).where(
            PostImage.owner_id == owner.id, _unattached())
    ).scalar_one()


def upload(owner, file_storage, now=None):
    """Check, re-encode and store an uploaded image for `owner`; returns the new PostImage
    (flushed). Raises ImageRejected or TooManyPending, and then nothing is stored."""
    stream = getattr(file_storage, "stream", None)
    if stream is None or not (getattr(file_storage, "filename", None) or "").strip():
        raise ImageRejected("Kies een afbeelding om toe te voegen.")
    return store_bytes(owner, stream.read(MAX_BYTES + 1), now=now)


def store_bytes(owner, data, now=None):
    """`upload` for bytes at hand (the demo data uses it)."""
    if len(data) > MAX_BYTES:
        raise ImageRejected(f"Deze afbeelding is groter dan {MAX_MB} MB. Verklein haar eerst, "
                            "bijvoorbeeld tot 2000 pixels breed.")
    if not data:
        raise ImageRejected("Dit bestand is leeg.")
    if images.sniff(data) is None:
        raise ImageRejected("Dit bestand is geen afbeelding: kies een JPEG-, PNG- of WebP-bestand.")
    if pending_count(owner) >= MAX_PENDING:
        raise TooManyPending(
            f"Je hebt al {MAX_PENDING} afbeeldingen toegevoegd die nog in geen bericht staan. "
            "Plaats eerst je bericht; afbeeldingen die je niet plaatst, verdwijnen na een dag.")
    try:
        full, thumbnail = images.reencode(data, [(MAX_SIDE, MAX_SIDE), THUMBNAIL_BOX])
    except images.ImageError as error:
        raise ImageRejected(error.message) from error
    stored_name = uploads.write_new(full.data, full.kind)
    _after_transaction(_WRITTEN, [stored_name])
    thumb_name = stored_name
    if thumbnail is not full:
        thumb_name = uploads.write_new(thumbnail.data, thumbnail.kind)
        _after_transaction(_WRITTEN, [thumb_name])
    image = PostImage(
        owner_id=owner.id, stored_name=stored_name, thumb_name=thumb_name, file_type=full.kind,
        width=full.width, height=full.height, thumb_width=thumbnail.width,
        thumb_height=thumbnail.height, bytes=len(full.data), alt=default_alt(owner)[:MAX_ALT],
        created_at=now or utcnow(),
    )
    db.session.add(image)
    db.session.flush()
    return image


# -- showing them in a text, and attaching them to its post -------------------------------------

_TARGET_COLUMNS = {Post: "forum_post_id", LabQuestion: "lab_question_id", LabReply: "lab_reply_id",
                   Message: "message_id"}


def _target_column(target):
    try:
        return _TARGET_COLUMNS[type(target)]
    except KeyError:
        raise TypeError(f"images are not attached to a {type(target).__name__}") from None


@dataclass
class ImagesInText:
    """Which image links of a text become pictures, for `render_markdown(..., images=this)`.

    `writer` writes (or edits) the text of `target` (None for a post not saved yet). Usable are
    the writer's own images that are in no post yet, and the images already in `target`; at most
    MAX_PER_POST over every text rendered with this object (a lab question has two). After the
    post is saved, `attach(post)` ties the pictures shown to it.
    """

    writer: object
    target: object = None
    shown: list = field(default_factory=list)

    def _usable(self, image):
        if self.target is not None and self.target.id is not None:
            if getattr(image, _target_column(self.target)) == self.target.id:
                return True
        return (not image.is_attached and self.writer is not None
                and image.owner_id is not None and image.owner_id == self.writer.id)

    def __call__(self, sources):
        wanted = {}
        for src in sources:
            match = _IMAGE_URL_RE.match(src)
            if match:
                wanted.setdefault(int(match.group(1)), src)
        if not wanted:
            return {}
        found = {image.id: image for image in db.session.execute(
            select(PostImage).where(PostImage.id.in_(list(wanted)))).scalars()}
        result = {}
        for image_id, src in wanted.items():
            image = found.get(image_id)
            if image is None or not self._usable(image):
                continue
            if image not in self.shown:
                if len(self.shown) >= MAX_PER_POST:
                    continue
                self.shown.append(image)
            result[src] = LocalImage(href=image_path(image.id), src=image_path(image.id, True),
                                     width=image.thumb_width, height=image.thumb_height,
                                     alt=image.alt or default_alt(self.writer))
        return result

    def attach(self, target, now=None):
        """Tie the pictures shown to `target` (the saved post); returns how many were new."""
        column = _target_column(target)
        now = now or utcnow()
        attached = 0
        for image in self.shown:
            if not image.is_attached:
                setattr(image, column, target.id)
                image.attached_at = now
                attached += 1
        db.session.flush()
        return attached


# -- who sees them --------------------------------------------------------------------------------

def find(image_id):
    """An image with what its permission check reads (post and thread, or question), or None."""
    return db.session.execute(
        select(PostImage).where(PostImage.id == image_id).options(
            joinedload(PostImage.forum_post).joinedload(Post.thread),
            joinedload(PostImage.lab_question),
            joinedload(PostImage.lab_reply).joinedload(LabReply.question),
            joinedload(PostImage.message),
        )
    ).scalar_one_or_none()


def _question_readable(user, question):
    return can_view_lab_questions(user) and (question.hidden_at is None or can_moderate(user))


def may_view(user, image):
    """Whether `user` may see `image`: whoever may read the post it is in, as the post's page shows
    it (a deleted post shows nobody its text; a hidden one only moderators). An image in no post
    yet is its writer's alone."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if image.forum_post_id is not None:
        post = image.forum_post
        if not can_read_forum(user) or post.deleted_at is not None:
            return False
        if post.thread.deleted_at is not None or post.hidden_at is not None:
            return can_moderate_forum(user)
        return True
    if image.lab_question_id is not None:
        return _question_readable(user, image.lab_question)
    if image.lab_reply_id is not None:
        reply = image.lab_reply
        if reply.deleted_at is not None or not _question_readable(user, reply.question):
            return False
        return reply.hidden_at is None or can_moderate(user)
    if image.message_id is not None:
        return _message_readable(user, image.message)
    return image.owner_id is not None and image.owner_id == user.id


def _message_readable(user, message):
    """As the conversation's page shows the message: to its members while they take part (a hidden
    message to none of them), and to a moderator while a message of the conversation is reported.
    Private messages are for forum readers only (app.messages.can_use_messages)."""
    if not can_read_forum(user):
        return False
    if message.hidden_at is None and db.session.execute(
            select(ConversationMember.id).where(
                ConversationMember.conversation_id == message.conversation_id,
                ConversationMember.user_id == user.id, ConversationMember.left_at.is_(None))
    ).first() is not None:
        return True
    return can_moderate(user) and db.session.execute(
        select(MessageReport.id).join(Message, Message.id == MessageReport.message_id)
        .where(Message.conversation_id == message.conversation_id,
               MessageReport.resolved_at.is_(None))
    ).first() is not None


# -- removing them --------------------------------------------------------------------------------

def _unattached():
    return and_(PostImage.forum_post_id.is_(None), PostImage.lab_question_id.is_(None),
                PostImage.lab_reply_id.is_(None), PostImage.message_id.is_(None))


def _remove(condition):
    """Delete the rows matching `condition`; their files go once that is committed."""
    rows = db.session.execute(
        select(PostImage.id, PostImage.stored_name, PostImage.thumb_name).where(condition)
    ).all()
    if not rows:
        return 0
    _after_transaction(_DROPPED, [name for row in rows for name in (row[1], row[2])])
    db.session.execute(db.delete(PostImage).where(PostImage.id.in_([row[0] for row in rows]))
                       .execution_options(synchronize_session=False))
    return len(rows)


def _in_drafts(candidates):
    """The ids among `candidates` (id, owner id) that their owner's drafts still show."""
    owners = {owner_id for _, owner_id in candidates if owner_id is not None}
    if not owners:
        return set()
    shown = {}
    for user_id, body, context in db.session.execute(
            select(Draft.user_id, Draft.body, Draft.context).where(Draft.user_id.in_(owners))):
        shown.setdefault(user_id, set()).update(referenced_ids(body), referenced_ids(context))
    return {image_id for image_id, owner_id in candidates if image_id in shown.get(owner_id, ())}


def remove_unattached(now=None):
    """Remove images that are in no post a day after their upload (the retention job), except
    those a draft of their writer still shows (a draft lives longer; see app.drafts)."""
    now = now or utcnow()
    old = and_(_unattached(), PostImage.created_at < now - PENDING_FOR)
    candidates = db.session.execute(select(PostImage.id, PostImage.owner_id).where(old)).all()
    kept = _in_drafts(candidates)
    return _remove(and_(old, PostImage.id.not_in(kept)) if kept else old)


def remove_for_deleted_account(user, old_name=None):
    """Remove `user`'s images that are in no post, or in posts that are deleted (the posts that
    stay, as "Voormalig lid", keep their images, and their default description no longer names
    `old_name`). Returns how many were removed."""
    deleted_post = exists().where(
        Post.id == PostImage.forum_post_id,
        or_(Post.deleted_at.is_not(None),
            exists().where(Thread.id == Post.thread_id, Thread.deleted_at.is_not(None))))
    deleted_reply = exists().where(LabReply.id == PostImage.lab_reply_id,
                                   LabReply.deleted_at.is_not(None))
    removed = _remove(and_(PostImage.owner_id == user.id,
                           or_(_unattached(), deleted_post, deleted_reply)))
    if old_name:
        _forget_name(user, old_name)
    return removed


def _forget_name(user, old_name):
    """'Afbeelding bij bericht van <old name>' becomes '… van voormalig lid' in the rows of the
    images that stay and in the HTML stored for their posts (and the posts' earlier versions)."""
    old_alt, new_alt = _alt_naming(old_name), _alt_naming(FORMER_WRITER)
    images = db.session.execute(
        select(PostImage).where(PostImage.owner_id == user.id, PostImage.alt == old_alt)
    ).scalars().all()
    if not images:
        return
    for image in images:
        image.alt = new_alt
    # The sanitiser writes attribute values as html.escape does.
    old_attribute, new_attribute = f'alt="{escape(old_alt)}"', f'alt="{escape(new_alt)}"'

    def rewrite(model, ids, *columns, key=None):
        if ids:
            key = key if key is not None else model.id
            db.session.execute(
                update(model).where(key.in_(ids))
                .values({column: func.replace(getattr(model, column), old_attribute, new_attribute)
                         for column in columns})
                .execution_options(synchronize_session=False))

    posts = {image.forum_post_id for image in images} - {None}
    questions = {image.lab_question_id for image in images} - {None}
    replies = {image.lab_reply_id for image in images} - {None}
    rewrite(Post, posts, "body_html")
    rewrite(PostRevision, posts, "body_html", key=PostRevision.post_id)
    rewrite(LabQuestion, questions, "body_html", "context_html")
    rewrite(LabReply, replies, "body_html")
    rewrite(LabRevision, questions, "body_html", key=LabRevision.question_id)
    rewrite(LabRevision, replies, "body_html", key=LabRevision.reply_id)
    rewrite(Message, {image.message_id for image in images} - {None}, "body_html")
    db.session.flush()


def images_of(user):
    """`user`'s images, oldest first (for the download of their data)."""
    return db.session.execute(
        select(PostImage).where(PostImage.owner_id == user.id).order_by(PostImage.id)
    ).scalars().all()


# -- files follow the transaction -----------------------------------------------------------------

def _after_transaction(key, names):
    db.session.info.setdefault(key, set()).update(names)


def _remove_files(names):
    for name in names:
        uploads.delete_stored(name)


@event.listens_for(FlaskSession, "after_commit")
def _committed(session):
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit comes later
    session.info.pop(_WRITTEN, None)
    _remove_files(session.info.pop(_DROPPED, ()))


@event.listens_for(FlaskSession, "after_soft_rollback")
def _rolled_back(session, previous_transaction):
    if session.in_transaction():
        return  # a savepoint was rolled back; what was written before it still counts
    session.info.pop(_DROPPED, None)
    _remove_files(session.info.pop(_WRITTEN, ()))
