"""The administrators' form for a person of the team on /over-ons."""
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import uploads
from app.blueprints.knowledge.forms import FileForm
from app.validators import NoControlCharacters, normalise_title

MAX_NAME = 120
MAX_ROLE = 120
MAX_BIO = 400


def one_paragraph(value):
    """The card shows one short paragraph: line breaks and runs of spaces become one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


class TeamMemberForm(FileForm):
    name = StringField(
        "Naam",
        filters=[normalise_title],
        validators=[DataRequired(message="Vul de naam in."),
                    Length(max=MAX_NAME, message=f"Een naam is hoogstens {MAX_NAME} tekens lang."),
                    NoControlCharacters()],
        render_kw={"maxlength": MAX_NAME, "autocomplete": "off"},
    )
    role = StringField(
        "Functie",
        filters=[normalise_title],
        validators=[DataRequired(message="Vul de functie in, bijvoorbeeld ‘Projectleider’."),
                    Length(max=MAX_ROLE, message=f"Een functie is hoogstens {MAX_ROLE} tekens lang."),
                    NoControlCharacters()],
        description="Staat onder de naam, bijvoorbeeld ‘Projectleider’ of ‘Onderzoeker’.",
        render_kw={"maxlength": MAX_ROLE, "autocomplete": "off"},
    )
    bio = TextAreaField(
        "Korte tekst",
        filters=[one_paragraph],
        validators=[DataRequired(message="Schrijf in een paar zinnen wat deze persoon doet."),
                    Length(max=MAX_BIO, message=f"De tekst is hoogstens {MAX_BIO} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description=f"Wat doet deze persoon voor het platform? Eén alinea, hoogstens {MAX_BIO} tekens.",
        render_kw={"maxlength": MAX_BIO, "rows": 3},
    )
    photo = FileField(
        "Foto (niet verplicht)",
        description=f"Een {uploads.PHOTO_LIST} van hoogstens {uploads.MAX_PHOTO_MB} MB, liefst "
                    "vierkant (bijvoorbeeld 800 × 800 pixels). De naam van de persoon is de "
                    "beschrijving van de foto voor wie hem niet ziet.",
        render_kw={"accept": ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp"},
    )
    remove_photo = BooleanField("Foto verwijderen")
    submit = SubmitField("Opslaan")
