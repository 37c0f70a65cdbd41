"""Forms of the knowledge base: the moderators' item form and the attachment upload."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import CombinedMultiDict
from wtforms import (
    BooleanField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.markup import MAX_SOURCE_LENGTH
from app.models.collectives import SECTORS
from app.models.knowledge import DIMENSIONS, KINDS, THEMES
from app.validators import (
    NoControlCharacters,
    TextForm,
    normalise_body,
    normalise_title,
    select_choices,
)

MIN_TITLE = 5
MAX_TITLE = 200
MAX_SUMMARY = 600
MAX_BODY = MAX_SOURCE_LENGTH
MAX_SOURCE_NAME = 200


class OneOf:
    """The value must be one of the choices (a Dutch message, unlike WTForms' own check)."""

    def __init__(self, allowed, message):
        self.allowed = allowed
        self.message = message

    def __call__(self, form, field):
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in self.allowed for value in values):
            raise ValidationError(self.message)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; unknown values give a Dutch error (via OneOf), not WTForms' English."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass


def _facet_field(label, options, description):
    return MultiCheckboxField(
        label, choices=select_choices(options.items()), validate_choice=False,
        validators=[OneOf(options, f"Kies bij {label.lower()} alleen uit de lijst.")],
        description=description,
    )


class ItemForm(TextForm):
    title = StringField(
        "Titel",
        filters=[normalise_title],
        validators=[
            DataRequired(message="Geef het kennisitem een titel."),
            Length(min=MIN_TITLE, max=MAX_TITLE,
                   message=f"Een titel is {MIN_TITLE} tot {MAX_TITLE} tekens lang."),
            NoControlCharacters(),
        ],
        render_kw={"maxlength": MAX_TITLE, "autocomplete": "off"},
    )
    kind = SelectField(
        "Soort", choices=select_choices([("", "Kies een soort")] + list(KINDS.items())),
        validate_choice=False,
        validators=[DataRequired(message="Kies een soort."),
                    OneOf(KINDS, "Kies een soort uit de lijst.")],
    )
    summary = TextAreaField(
        "Samenvatting",
        filters=[normalise_body],
        validators=[
            DataRequired(message="Schrijf een korte samenvatting."),
            Length(max=MAX_SUMMARY, message=f"Een samenvatting is hoogstens {MAX_SUMMARY} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Gewone tekst, voor iedereen zichtbaar (ook zonder account). "
                    f"Hoogstens {MAX_SUMMARY} tekens.",
        render_kw={"rows": 4, "maxlength": MAX_SUMMARY},
    )
    body = TextAreaField(
        "Inhoud",
        filters=[normalise_body],
        validators=[
            Optional(),
            Length(max=MAX_BODY, message="De inhoud is hoogstens 20.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Alleen voor leden, partners en beheerders. Je kunt Markdown gebruiken: "
                    "**vet**, *schuin*, ### tussenkop, - lijstje, [tekst](https://…).",
        render_kw={"rows": 14, "maxlength": MAX_BODY},
    )
    source_name = StringField(
        "Auteur of bron",
        filters=[normalise_title],
        validators=[
            Optional(),
            Length(max=MAX_SOURCE_NAME, message=f"Hoogstens {MAX_SOURCE_NAME} tekens."),
            NoControlCharacters(),
        ],
        description="Bijvoorbeeld “Lectoraat Coöperatief Ondernemen”. Leeg: CollectieveKracht.",
        render_kw={"maxlength": MAX_SOURCE_NAME},
    )
    themes = _facet_field("Thema’s", THEMES,
                          "Collectieven die dit thema als uitdaging noemen, krijgen het item aangeraden.")
    sectors = _facet_field("Sectoren", SECTORS, "Leeg laten als het voor alle sectoren geldt.")
    dimensions = _facet_field("Dimensies van de zelfscan", DIMENSIONS,
                              "Bij welke dimensies van de zelfscan helpt dit item?")
    preview = SubmitField("Voorbeeld")
    submit = SubmitField("Opslaan")

    def data_dict(self):
        return {
            "title": self.title.data,
            "kind": self.kind.data,
            "summary": self.summary.data,
            "body": self.body.data or "",
            "source_name": self.source_name.data or None,
            "themes": list(self.themes.data or []),
            "sectors": list(self.sectors.data or []),
            "dimensions": list(self.dimensions.data or []),
        }


class FileForm(FlaskForm):
    """A form with a file: reads only the posted form fields and files (never a JSON body)."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                if not _is_submitted():
                    return None
                if request.files:
                    return CombinedMultiDict((request.files, request.form))
                return request.form
            return formdata


class AttachmentForm(FileForm):
    file = FileField(
        "Bestand",
        description="Een PDF-, ODT-, DOCX- of XLSX-bestand.",
        render_kw={"accept": ".pdf,.odt,.docx,.xlsx,application/pdf,"
                             "application/vnd.oasis.opendocument.text,"
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    upload = SubmitField("Bijlage toevoegen")


class DeleteItemForm(TextForm):
    """Deleting a draft for good: the moderator ticks a box, so one click cannot do it."""

    confirm = BooleanField(
        "Ja, verwijder dit item en zijn bijlagen voorgoed",
        validators=[DataRequired(message="Vink aan dat je dit item voorgoed wilt verwijderen.")],
    )
    submit = SubmitField("Item verwijderen")
