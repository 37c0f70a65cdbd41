"""Forms of the labs: asking a question, answering or responding, editing, one-button actions."""
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.blueprints.images.form_images import images_field
from app.validators import NoControlCharacters, TextForm, normalise_body, normalise_title

MIN_TITLE = 10
MAX_TITLE = 150
MIN_QUESTION = 20
MAX_TEXT = 10_000
MIN_REPLY = 2

MARKDOWN_HELP = ("Je kunt Markdown gebruiken: **vet**, *schuin*, ## kop, > citaat, - lijstje, "
                 "[tekst](https://…). Afbeeldingen voeg je toe met het veld hieronder; afbeeldingen "
                 "van andere websites worden een link. Noem iemand met @Naam; die persoon krijgt "
                 "dan een melding.")


def _box(rows):
    """The attributes of a Markdown box; data-mentions: mentions.js completes @Name there."""
    return {"rows": rows, "maxlength": MAX_TEXT, "data-mentions": True}


def _title_field():
    return StringField(
        "Titel van je vraag",
        filters=[normalise_title],
        validators=[
            DataRequired(message="Geef je vraag een titel."),
            Length(min=MIN_TITLE, max=MAX_TITLE,
                   message=f"Een titel is {MIN_TITLE} tot {MAX_TITLE} tekens lang."),
            NoControlCharacters(),
        ],
        description="Vat je vraag samen in één zin, bijvoorbeeld: "
                    "“Hoe financieren we de aankoop van een buurtbatterij?”",
        render_kw={"maxlength": MAX_TITLE, "autocomplete": "off"},
    )


def _question_field():
    return TextAreaField(
        "Je vraag",
        filters=[normalise_body],
        validators=[
            DataRequired(message="Schrijf je vraag op."),
            Length(min=MIN_QUESTION, max=MAX_TEXT,
                   message=f"Een vraag is {MIN_QUESTION} tot 10.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Wat wil je weten, en wat heb je zelf al geprobeerd? " + MARKDOWN_HELP,
        render_kw=_box(8),
    )


def _context_field():
    return TextAreaField(
        "Achtergrond (niet verplicht)",
        filters=[normalise_body],
        validators=[
            Optional(),
            Length(max=MAX_TEXT, message="De achtergrond is hoogstens 10.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Over jullie collectief en de situatie: hoe groot, waar, wat er al is "
                    "gebeurd. Zo kunnen de partners gerichter antwoorden. " + MARKDOWN_HELP,
        render_kw=_box(5),
    )


def _research_field():
    return BooleanField(
        "Dit is een onderzoeksvraag",
        description="Vink aan als je vraag om (wetenschappelijk) onderzoek vraagt, niet alleen om "
                    "advies of ervaring.",
    )


class QuestionForm(TextForm):
    title = _title_field()
    body = _question_field()
    context = _context_field()
    images = images_field()
    is_research = _research_field()
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Vraag stellen")
    save_draft = SubmitField("Concept opslaan")
    discard_draft = SubmitField("Concept verwijderen")


class EditQuestionForm(TextForm):
    title = _title_field()
    body = _question_field()
    context = _context_field()
    images = images_field()
    is_research = _research_field()
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Wijziging opslaan")


def _reply_body(label, description):
    return TextAreaField(
        label,
        filters=[normalise_body],
        validators=[
            DataRequired(message="Schrijf eerst je tekst."),
            Length(min=MIN_REPLY, max=MAX_TEXT,
                   message=f"Je tekst is {MIN_REPLY} tot 10.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description=description,
        render_kw=_box(7),
    )


class AnswerForm(TextForm):
    """Its own field names (not "body"), so it can share the question page with ResponseForm."""

    answer = _reply_body("Je antwoord", "Het collectief ziet je naam en organisatie bij je "
                         "antwoord. " + MARKDOWN_HELP)
    answer_images = images_field()
    answer_preview = SubmitField("Voorbeeld")
    answer_submit = SubmitField("Antwoord plaatsen")
    answer_save_draft = SubmitField("Concept opslaan")
    answer_discard_draft = SubmitField("Concept verwijderen")

    @property
    def body(self):
        return self.answer

    @property
    def images(self):
        return self.answer_images

    @property
    def preview(self):
        return self.answer_preview

    @property
    def save_draft(self):
        return self.answer_save_draft

    @property
    def discard_draft(self):
        return self.answer_discard_draft


class ResponseForm(TextForm):
    """A response of the asking collective to the answers (a follow-up question, thanks …)."""

    response = _reply_body("Je reactie", "Bijvoorbeeld een vervolgvraag of wat je met een "
                           "antwoord hebt gedaan. " + MARKDOWN_HELP)
    response_images = images_field()
    response_preview = SubmitField("Voorbeeld")
    response_submit = SubmitField("Reactie plaatsen")
    response_save_draft = SubmitField("Concept opslaan")
    response_discard_draft = SubmitField("Concept verwijderen")

    @property
    def body(self):
        return self.response

    @property
    def images(self):
        return self.response_images

    @property
    def preview(self):
        return self.response_preview

    @property
    def save_draft(self):
        return self.response_save_draft

    @property
    def discard_draft(self):
        return self.response_discard_draft


class EditReplyForm(TextForm):
    body = _reply_body("Tekst", MARKDOWN_HELP)
    images = images_field()
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Wijziging opslaan")

