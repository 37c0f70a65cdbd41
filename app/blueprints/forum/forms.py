"""Forms of the discussion groups: a new thread, a reply, an edit, a report, and one-button forms."""

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.blueprints.images.form_images import images_field
from app.markup import MAX_SOURCE_LENGTH
from app.validators import NoControlCharacters, TextForm, normalise_body, normalise_title

MIN_TITLE = 5
MAX_TITLE = 150
MAX_BODY = MAX_SOURCE_LENGTH  # 20,000: what app.markup renders
MIN_REASON = 5
MAX_REASON = 1000


def _body_field(label="Bericht", description=None):
    return TextAreaField(
        label,
        filters=[normalise_body],
        validators=[
            DataRequired(message="Schrijf eerst je bericht."),
            Length(max=MAX_BODY, message="Een bericht is hoogstens 20.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description=description or (
            "Je kunt Markdown gebruiken: **vet**, *schuin*, ## kop, > citaat, - lijstje, "
            "[tekst](https://…). Afbeeldingen voeg je toe met het veld hieronder; afbeeldingen van "
            "andere websites worden een link. Noem iemand met @Naam; die persoon krijgt dan een "
            "melding."
        ),
        # data-mentions: mentions.js completes @Name here
        render_kw={"rows": 8, "maxlength": MAX_BODY, "data-mentions": True},
    )


class ThreadForm(TextForm):
    title = StringField(
        "Titel",
        filters=[normalise_title],
        validators=[
            DataRequired(message="Geef je discussie een titel."),
            Length(min=MIN_TITLE, max=MAX_TITLE,
                   message=f"Een titel is {MIN_TITLE} tot {MAX_TITLE} tekens lang."),
            NoControlCharacters(),
        ],
        description="Waar gaat je vraag of onderwerp over? Kort en duidelijk.",
        render_kw={"maxlength": MAX_TITLE, "autocomplete": "off"},
    )
    body = _body_field()
    images = images_field()
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Discussie plaatsen")
    save_draft = SubmitField("Concept opslaan")
    discard_draft = SubmitField("Concept verwijderen")


class ReplyForm(TextForm):
    body = _body_field("Je reactie")
    images = images_field()
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Reactie plaatsen")
    save_draft = SubmitField("Concept opslaan")
    discard_draft = SubmitField("Concept verwijderen")


class EditPostForm(TextForm):
    body = _body_field()
    images = images_field()
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Wijziging opslaan")


class ReportForm(TextForm):
    reason = TextAreaField(
        "Waarom meld je dit bericht?",
        filters=[normalise_body],
        validators=[
            DataRequired(message="Vertel kort waarom je dit bericht meldt."),
            Length(min=MIN_REASON, max=MAX_REASON,
                   message=f"Een reden is {MIN_REASON} tot {MAX_REASON} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Bijvoorbeeld: beledigend, reclame, persoonlijke gegevens van iemand anders. "
                    "Alleen moderatoren lezen dit.",
        render_kw={"rows": 4, "maxlength": MAX_REASON},
    )
    submit = SubmitField("Melden")
