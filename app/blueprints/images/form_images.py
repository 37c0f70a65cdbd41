"""The images of a writing form (a new thread, a reply, a lab question, answer or response, and
their edits), seen from the form.

With JavaScript, images.js uploads each image the moment it is chosen, dropped or pasted (POST
/afbeeldingen) and puts its Markdown in the text. Without it, the form's file field `images` is
sent with the form: `take()` stores those files and adds their Markdown to the text before the form
is checked, so "Voorbeeld" shows them and "Plaatsen" posts them. A request that fails rolls its
uploads back; `undo()` then takes their Markdown out of the text again and says so.
`write_or_preview` (common.py) drives it.
"""
from flask import request
from flask_login import current_user
from flask_wtf.file import MultipleFileField

from app import post_images
from app.blueprints.images.routes import may_add_images

HELP = (
    f"JPEG, PNG of WebP, hoogstens {post_images.MAX_MB} MB per afbeelding en "
    f"{post_images.MAX_PER_POST} per bericht. Je kunt een afbeelding ook in het tekstvak slepen of "
    "plakken. Beschrijf wat erop staat voor wie haar niet kan zien: in de Markdown tussen de [ ] "
    "van ![beschrijving](/afbeeldingen/…). Afbeeldingen van andere websites tonen we niet, alleen "
    "een link ernaartoe: zo'n website zou anders zien wie dit bericht leest."
)


def images_field(label="Afbeeldingen toevoegen"):
    """The file field of a writing form (several files; the content decides what is accepted)."""
    return MultipleFileField(label, description=HELP,
                             render_kw={"accept": post_images.ACCEPT, "multiple": True})


class FormImages:
    """The images of `form`: its file field (`form.images`) and the texts that show them
    (`texts`: names of the form's Markdown fields; the first gets the Markdown of uploads).
    `target` is the post being edited (None for a new one)."""

    def __init__(self, form, target=None, texts=("body",)):
        self.form = form
        self.target = target
        self.texts = texts
        self.original = None  # the text before uploads were added to it
        self.problems = []

    @property
    def field(self):
        return self.form.images  # a property on forms that name their fields (AnswerForm)

    @property
    def text_field(self):
        return getattr(self.form, self.texts[0])

    def take(self):
        """On a POST: store every file sent with the form and add its Markdown to the text."""
        if not self.form.is_submitted():
            return
        # From the request itself: writing forms are TextForms, which give no field a file.
        files = [item for item in request.files.getlist(self.field.name) if item.filename]
        if not files:
            return
        if not may_add_images(current_user):
            self.problems.append("Je kunt hier geen afbeeldingen toevoegen.")
            return
        added = []
        for item in files[:post_images.MAX_PER_POST]:
            try:
                added.append(post_images.markdown_for(post_images.upload(current_user, item)))
            except (post_images.ImageRejected, post_images.TooManyPending) as error:
                self.problems.append(f"{_short_name(item.filename)}: {error}")
        if len(files) > post_images.MAX_PER_POST:
            self.problems.append(f"Je kunt hoogstens {post_images.MAX_PER_POST} afbeeldingen "
                                 "tegelijk toevoegen.")
        if added:
            field = self.text_field
            self.original = field.data or ""
            field.data = (self.original.rstrip() + "\n\n" if self.original.strip() else "") + \
                "\n\n".join(added)

    def check(self):
        """After the form's own checks: False (with a message at the file field) when an upload
        was refused or the texts show more than MAX_PER_POST images."""
        too_many = post_images.too_many_message(*(getattr(self.form, name).data for name in self.texts))
        problems = self.problems + ([too_many] if too_many else [])
        if problems:
            self.field.errors = list(self.field.errors or []) + problems
        return not problems

    def undo(self):
        """The request failed and rolls back its uploads: take their Markdown out of the text."""
        if self.original is None:
            return
        self.text_field.data = self.original
        self.original = None
        self.field.errors = list(self.field.errors or []) + [
            "De afbeeldingen die je meestuurde, zijn nog niet bewaard: kies ze opnieuw."]

    def in_text(self):
        """For a preview: the images its text may show (post_images.ImagesInText)."""
        return post_images.ImagesInText(current_user, self.target)


def _short_name(filename):
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name if len(name) <= 60 else name[:59] + "…"
