from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from app.validators import TextForm, NoControlCharacters, normalise_email, strip_filter


def normalise_newlines(value):
    """Browsers send CRLF; count and store a line break as one character, as the textarea does."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ContactForm(TextForm):
    name = StringField(
        "Naam",
        filters=[strip_filter],
        validators=[
            DataRequired("Vul je naam in."),
            Length(max=120, message="Een naam is hoogstens 120 tekens lang."),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    email = EmailField(
        "E-mailadres",
        filters=[normalise_email],
        validators=[
            DataRequired("Vul je e-mailadres in, dan kunnen we je antwoorden."),
            Length(max=254, message="Een e-mailadres is hoogstens 254 tekens lang."),
            NoControlCharacters(),
            Email("Dit is geen geldig e-mailadres.", check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    subject = StringField(
        "Onderwerp",
        filters=[strip_filter],
        validators=[
            DataRequired("Geef je bericht een onderwerp."),
            Length(max=150, message="Een onderwerp is hoogstens 150 tekens lang."),
            NoControlCharacters(),
        ],
        render_kw={"maxlength": 150},
    )
    message = TextAreaField(
        "Bericht",
        filters=[strip_filter, normalise_newlines],
        validators=[
            DataRequired("Schrijf je bericht."),
            Length(min=10, max=5000, message="Een bericht is 10 tot 5.000 tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        render_kw={"rows": 7, "maxlength": 5000},
    )
    submit = SubmitField("Bericht versturen")
