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

    @property
    def message(self):
        """The Dutch message of a refusal, shown above the form (the typed text stays in it)."""
        return str(self.refusal) if self.refusal is not None else None


def write_or_preview(form, save, preview=None, refusals=()):
    """The flow every Markdown form shares (forum, labs, knowledge editor).

    - An invalid POST answers 400; the errors show at the fields.
    - "Voorbeeld" shows `preview()` (by default the form's body rendered) and saves nothing.
    - Otherwise `save()` stores the text and its result is kept. A refusal of `refusals` (a posting
      limit, a conflict, an address taken a moment ago) rolls the request back and is shown with
      its status (429, 409 …); the typed text stays in the form.
    """
    writing = Writing()
    if form.validate_on_submit():
        if form.preview.data:
            writing.preview = preview() if preview else render_markdown(form.body.data)
            return writing
        with refusable(*refusals) as outcome:
            writing.result = save()
        if outcome.error is None:
            writing.saved = True
        else:
            writing.refusal = outcome.error
            writing.status = getattr(outcome.error, "status", 409)
    elif form.is_submitted():
        writing.status = 400
    return writing
