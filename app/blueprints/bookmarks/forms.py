"""The forms of bookmarks: keeping something (one button) and its note and reminder date."""
from datetime import date

from wtforms import DateField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app import bookmarks
from app.models.bookmarks import KINDS, MAX_NOTE
from app.validators import MAX_ID, NoControlCharacters, TextForm, normalise_body


class KeepForm(TextForm):
    """"Bewaren" under a thread, post or question: what to keep (the view checks it may be read)."""

    soort = HiddenField()
    doel = HiddenField()

    def target(self):
        """(kind, id) as posted, or None when they cannot be ours."""
        kind, target_id = self.soort.data, self.doel.data
        if kind not in KINDS or not isinstance(target_id, str) or not target_id.isdigit():
            return None
        number = int(target_id)
        return (kind, number) if 0 < number <= MAX_ID else None


class BookmarkForm(TextForm):
    note = TextAreaField(
        "Notitie (niet verplicht)",
        filters=[normalise_body],
        validators=[Optional(),
                    Length(max=MAX_NOTE, message=f"Een notitie is hoogstens {MAX_NOTE} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description="Alleen jij ziet deze notitie, in je lijst met bewaarde items.",
        render_kw={"maxlength": MAX_NOTE, "rows": 3},
    )
    remind_on = DateField(
        "Herinner me op (niet verplicht)",
        validators=[Optional()],
        invalid_value_message="Vul een geldige datum in, bijvoorbeeld 15-03-2027.",
        description="Op die dag krijg je om 8:00 uur een melding, en een e-mail als je dat bij je "
                    "meldingen hebt ingesteld. Leeg laten voor geen herinnering.",
    )
    save = SubmitField("Opslaan")

    def __init__(self, *args, current_remind_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._current_remind_on = current_remind_on

    def validate_remind_on(self, field):
        if not isinstance(field.data, date):
            return
        problem = bookmarks.remind_on_problem(field.data, current=self._current_remind_on)
        if problem:
            raise ValidationError(problem)
