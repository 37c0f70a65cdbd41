"""Small pieces the blueprints share: the rate-limit key of a person, a pager's guard and the
flow of a form with a Markdown text (write, preview, save)."""
from dataclasses import dataclass

from flask import redirect, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.markup import render_markdown
from app.unit_of_work import refusable


def person_key():
    """Rate limits per person when logged in (people share addresses), else per address."""
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return get_remote_address()


def only_known_arguments(endpoint, known, **values):
    """A redirect to the same page without query arguments it does not know, or None.

    The pager hands every query argument to url_for, where names such as _scheme or lab_slug
    would change (or break) the links it builds.
    """
    if all(key in known for key in request.args):
        return None
    kept = {key: value for key, value in request.args.items() if key in known}
    return redirect(url_for(endpoint, **values, **kept))


@dataclass
class Writing:
    """How a form with a Markdown text ended: saved (with the service's result), previewed, refused
    or invalid; `status` is the page's status when it is shown again."""

    saved: bool = False
    result: object = None
    preview: object = None
    refusal: Exception | None = None
    status: int = 200
    draft_done: bool = False  # "Concept opslaan" or "Concept verwijderen" was done: go back to the form

    @property
    def message(self):
        """The Dutch message of a refusal, shown above the form (the typed text stays in it)."""
        return str(self.refusal) if self.refusal is not None else None


def write_or_preview(form, save, preview=None, refusals=(), draft=None, images=None):
    """The flow every Markdown form shares (forum, labs, knowledge editor).

    - An invalid POST answers 400; the errors show at the fields.
    - "Voorbeeld" shows `preview()` (by default the form's body rendered) and saves nothing.
    - Otherwise `save()` stores the text and its result is kept. A refusal of `refusals` (a posting
      limit, a conflict, an address taken a moment ago) rolls the request back and is shown with
      its status (429, 409 …); the typed text stays in the form.
    - With `draft` (a drafting.FormDraft): a GET fills the form with the person's draft; "Concept
      opslaan" and "Concept verwijderen" keep or drop it and post nothing (`draft_done`; the
      fields are not validated, a draft may be unfinished); posting the text removes it.
    - With `images` (a form_images.FormImages): image files sent with the form (no JavaScript)
      are stored and their Markdown added to the text first; a refused file or too many images
      is an error at the file field. When the request fails, its uploads are rolled back and
      their Markdown is taken out of the text again.
    """
    if images is not None:
        images.take()
    writing = _write(form, save, preview, refusals, draft, images)
    if images is not None and writing.status >= 400:
        images.undo()
    return writing


def _valid(form, images):
    valid = form.validate_on_submit()
    if images is not None and form.is_submitted():
        valid = images.check() and valid  # after the form's checks, which reset the errors
    return valid


def _write(form, save, preview, refusals, draft, images):
    writing = Writing()
    if draft is not None:
        draft.unsaved = form.is_submitted()  # the text comes back into the form (drafts.js keeps it)
        if draft.pressed():
            writing.refusal = draft.act()
            writing.draft_done = writing.refusal is None
            writing.status = 200 if writing.draft_done else writing.refusal.status
            return writing
        if not draft.unsaved:
            draft.restore()
    if _valid(form, images):
        if form.preview.data:
            shown = images.in_text() if images is not None else None
            writing.preview = preview() if preview else render_markdown(form.body.data, images=shown)
            return writing
        with refusable(*refusals) as outcome:
            writing.result = save()
            if draft is not None:
                draft.drop()
        if outcome.error is None:
            writing.saved = True
        else:
            writing.refusal = outcome.error
            writing.status = getattr(outcome.error, "status", 409)
    elif form.is_submitted():
        writing.status = 400
    return writing
