"""Images in posts: uploaded by a writer, then attached to the forum post, lab question, lab reply or
private message whose text shows them (see app.post_images for the rules)."""
from app.extensions import db
from app.timeutil import utcnow


class PostImage(db.Model):
    """One uploaded image: the re-encoded picture and its thumbnail, stored outside static/ under
    random names (app.uploads). Until a post that shows it is saved, it is its writer's alone;
    from then on it is read with that post (at most one of the four links is set)."""

    __tablename__ = "post_images"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                         index=True)
    stored_name = db.Column(db.String(40), nullable=False, unique=True)
    # The same name as stored_name when the picture is already small enough for the page.
    thumb_name = db.Column(db.String(40), nullable=False)
    file_type = db.Column(db.String(8), nullable=False)  # jpg, png or webp (from the content)
    width = db.Column(db.Integer, nullable=False)
    height = db.Column(db.Integer, nullable=False)
    thumb_width = db.Column(db.Integer, nullable=False)
    thumb_height = db.Column(db.Integer, nullable=False)
    bytes = db.Column(db.Integer, nullable=False)  # of the stored picture (the thumbnail not counted)
    # Shown when the Markdown gives none: "Afbeelding bij bericht van <writer>".
    alt = db.Column(db.String(300), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    attached_at = db.Column(db.DateTime, nullable=True)
    # SET NULL: a post removed from the database leaves its images unattached, and the retention
    # job removes unattached images (rows and files) after a day.
    forum_post_id = db.Column(db.Integer, db.ForeignKey("forum_posts.id", ondelete="SET NULL"),
                              nullable=True, index=True)
    lab_question_id = db.Column(db.Integer, db.ForeignKey("lab_questions.id", ondelete="SET NULL"),
                                nullable=True, index=True)
    lab_reply_id = db.Column(db.Integer, db.ForeignKey("lab_replies.id", ondelete="SET NULL"),
                             nullable=True, index=True)
    # A private message: served only to the conversation's members (and a moderator while a
    # message in it is reported).
    message_id = db.Column(db.Integer, db.ForeignKey("messages.id", ondelete="SET NULL"),
                           nullable=True, index=True)

    owner = db.relationship("User")
    forum_post = db.relationship("Post")
    lab_question = db.relationship("LabQuestion")
    lab_reply = db.relationship("LabReply")
    message = db.relationship("Message")

    __table_args__ = (
        db.CheckConstraint(
            "(CASE WHEN forum_post_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN lab_question_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN lab_reply_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN message_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_target",
        ),
    )

    @property
    def is_attached(self):
        return (self.forum_post_id is not None or self.lab_question_id is not None
                or self.lab_reply_id is not None or self.message_id is not None)

    @property
    def file_names(self):
        """The stored files of this image (one when the thumbnail is the picture itself)."""
        return sorted({self.stored_name, self.thumb_name})
