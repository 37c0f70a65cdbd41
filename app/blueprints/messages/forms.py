"""The forms of private messages: a new conversation, a reply, a report and a moderator's decision."""
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.blueprints.images.form_images import images_field
from app.markup import MAX_SOURCE_LENGTH
from app.messages import MAX_NAMES_LENGTH, MAX_REASON, MIN_REASON
from app.models.messages import MAX_SUBJECT
from app.validators import NoControlCharacters, TextForm, normalise_body, normalise_title

MAX_BODY = MAX_SOURCE_LENGTH


def _body_field(label="Bericht"):
    return TextAreaField(
        label,
        filters=[normalise_body],
        validators=[
            DataRequired(message="Schrijf eerst je bericht."),
            Length(max=MAX_BODY, message="Een bericht is hoogstens 20.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Je kunt Markdown gebruiken: **vet**, *schuin*, > citaat, - lijstje, "
                    "[tekst](https://…). Alleen de mensen in dit gesprek lezen het.",
        render_kw={"rows": 6, "maxlength": MAX_BODY},
    )


class NewConversationForm(TextForm):
    # Typed names (comma separated) become checked people under "Aan" with "Toevoegen"; names
    # still in the box when the message is sent are looked up first.
    names = StringField(
        "Naam toevoegen",
        validators=[Length(max=MAX_NAMES_LENGTH, message="Typ hoogstens tien namen, gescheiden "
                                                         "door komma's."),
                    NoControlCharacters()],
        description="Typ een naam, of het begin ervan, en kies ‘Toevoegen’. Meer mensen tegelijk: "
                    "zet komma's tussen de namen.",
        render_kw={"maxlength": MAX_NAMES_LENGTH, "autocomplete": "off", "spellcheck": "false"},
    )
    add = SubmitField("Toevoegen")
    subject = StringField(
        "Onderwerp",
        filters=[normalise_title],
        validators=[DataRequired(message="Geef je bericht een onderwerp."),
                    Length(max=MAX_SUBJECT,
                           message=f"Een onderwerp is hoogstens {MAX_SUBJECT} tekens lang."),
                    NoControlCharacters()],
        render_kw={"maxlength": MAX_SUBJECT, "autocomplete": "off"},
    )
    body = _body_field()
    images = images_field()
    submit = SubmitField("Bericht versturen")


class ReplyForm(TextForm):
    body = _body_field("Je antwoord")
    images = images_field()
    submit = SubmitField("Antwoord versturen")


class ReportForm(TextForm):
    reason = TextAreaField(
        "Waarom meld je dit bericht?",
        filters=[normalise_body],
        validators=[DataRequired(message="Vertel kort waarom je dit bericht meldt."),
                    Length(min=MIN_REASON, max=MAX_REASON,
                           message=f"Een reden is {MIN_REASON} tot {MAX_REASON} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description="Een moderator kan daarna dit gesprek lezen om de melding te beoordelen; dat "
                    "wordt vastgelegd. Bijvoorbeeld: beledigend, intimiderend, reclame.",
        render_kw={"rows": 4, "maxlength": MAX_REASON},
    )
    submit = SubmitField("Melden")


class ResolveForm(TextForm):
    hide = BooleanField("Bericht verbergen voor iedereen in het gesprek")
    submit = SubmitField("Melding afhandelen")
