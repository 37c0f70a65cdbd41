"""The draft of a writing form, seen from the form (a new thread, a reply, a lab question, answer
or response): filled in from the person's draft on a GET, kept or dropped with the "Concept
opslaan" and "Concept verwijderen" buttons (plain submit buttons: this works without
JavaScript), and removed once the text is posted. `write_or_preview` (common.py) drives it.

While someone types, static/js/drafts.js saves the same draft through the endpoint in
account/drafts.py; the form tells it where with the attributes of `data_attributes`.
"""
from flask import flash, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from app import drafts


class FormDraft:
    """The draft of `form` at `place` (an app.drafts Place the view has checked: the person may
    write there). `fields` maps the draft's parts (title, body, context) to the form's fields."""

    def __init__(self, form, place, fields=None):
        self.form = form
        self.place = place
        self.fields = fields or {"body": "body"}
        self.restored = None  # the draft the form was filled with, for the note above it
        self.unsaved = False  # the form shows text sent back to it (a preview, a refusal)

    def pressed(self):
        """Whether this POST is "Concept opslaan" or "Concept verwijderen" (nothing is posted)."""
        form = self.form
        return form.is_submitted() and bool(form.save_draft.data or form.discard_draft.data)

    def act(self):
        """Keep or drop the draft as the pressed button says, and flash what was done. Returns
        None, or the DraftError that refused the text (it stays in the form)."""
        if self.form.discard_draft.data:
            removed = drafts.discard(current_user, self.place)
            flash("Je concept is verwijderd." if removed else "Er was geen concept om te verwijderen.",
                  "success" if removed else "info")
            return None
        values = {part: self.form[name].data for part, name in self.fields.items()}
        try:
            draft = drafts.save(current_user, self.place, **values)
        except drafts.DraftError as error:
            return error
        if draft is None:
            flash("Er stond nog niets in het formulier, dus er is geen concept bewaard.", "info")
        else:
            flash("Je concept is opgeslagen. Je vindt het hier terug, ook op een ander apparaat, en "
                  "op je accountpagina onder ‘Concepten’.", "success")
        return None

    def restore(self):
        """Fill the form with the person's draft here, if they have one; returns it."""
        draft = drafts.find(current_user, self.place)
        if draft is not None:
            for part, name in self.fields.items():
                self.form[name].data = getattr(draft, part) or ""
            self.restored = draft
        return draft

    def drop(self):
        """The text was posted: its draft goes."""
        drafts.discard(current_user, self.place)

    def data_attributes(self):
        """The form's attributes for drafts.js: where to save, which place, which fields."""
        fields = " ".join(f"{part}={self.form[name].name}" for part, name in self.fields.items())
        attributes = {
            "data-concept": url_for("account.autosave_draft"),
            "data-concept-plek": self.place.key,
            "data-concept-velden": fields,
        }
        if self.unsaved:
            attributes["data-concept-onbewaard"] = "1"
        return Markup(" ".join(f'{name}="{escape(value)}"' for name, value in attributes.items()))


def with_quote(text, quote):
    """A restored draft with a quote added below it (Citeren while a draft exists keeps both)."""
    if not quote:
        return text
    return f"{text}\n\n{quote}" if text else quote
