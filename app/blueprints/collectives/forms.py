"""Forms of the collectives directory, collective pages, joining and the dashboard."""
from urllib.parse import urlsplit

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from app.models.collectives import PROVINCES_BE, PROVINCES_NL, SECTORS
from app.validators import TextForm, NoControlCharacters, has_control_characters, strip_filter

MAX_NAME_FILTER = 150
MAX_MESSAGE = 1000
MAX_DESCRIPTION = 2000
MAX_WEBSITE = 300

DECISION_APPROVE = "approve"
DECISION_DECLINE = "decline"


def normalise_newlines(value):
    """Trimmed text with one kind of line break, so lengths and display are the same everywhere."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class DirectoryFilterForm(TextForm):
    """The filters above the directory; read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    naam = StringField(
        "Naam bevat",
        filters=[strip_filter],
        validators=[Optional(), Length(max=MAX_NAME_FILTER), NoControlCharacters()],
        render_kw={"maxlength": MAX_NAME_FILTER},
    )
    sector = SelectField(
        "Sector",
        choices=[SelectChoice("", "Alle sectoren")]
        + [SelectChoice(value, label) for value, label in SECTORS.items()],
    )
    provincie = SelectField(
        "Provincie",
        choices=[SelectChoice("", "Alle provincies")]
        + [SelectChoice(p, p, optgroup="Nederland") for p in PROVINCES_NL]
        + [SelectChoice(p, p.replace(" (BE)", ""), optgroup="België") for p in PROVINCES_BE],
    )

    def cleaned(self):
        """{"name", "sector", "province"} with every invalid value dropped (never an error)."""
        self.validate()
        name = self.naam.data if isinstance(self.naam.data, str) else ""
        if self.naam.errors or has_control_characters(name):
            name = ""
            self.naam.data = ""
        sector = self.sector.data if self.sector.data in SECTORS else ""
        province = self.provincie.data if self.provincie.data in PROVINCES_NL + PROVINCES_BE else ""
        self.sector.data, self.provincie.data = sector, province
        return {"name": name, "sector": sector, "province": province}


class JoinForm(TextForm):
    message = TextAreaField(
        "Bericht aan de vertegenwoordiger (niet verplicht)",
        filters=[normalise_newlines],
        validators=[
            Optional(),
            Length(max=MAX_MESSAGE, message=f"Een bericht is hoogstens {MAX_MESSAGE} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Vertel kort wie je bent en wat je met het collectief te maken hebt.",
        render_kw={"maxlength": MAX_MESSAGE, "rows": 4},
    )
    submit = SubmitField("Lidmaatschap aanvragen")


class WithdrawForm(TextForm):
    submit = SubmitField("Aanvraag intrekken")


class DecisionForm(TextForm):
    """Approve or decline a join request; the button pressed sends `decision`."""

    decision = StringField(
        validators=[AnyOf([DECISION_APPROVE, DECISION_DECLINE], message="Kies goedkeuren of afwijzen.")]
    )


def http_url(form, field):
    value = field.data or ""
    if any(c.isspace() for c in value):
        raise ValidationError("Een webadres bevat geen spaties.")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host or "." not in host:
        raise ValidationError("Vul een volledig webadres in dat begint met https:// of http://.")


class EditCollectiveForm(TextForm):
    description = TextAreaField(
        "Korte beschrijving",
        filters=[normalise_newlines],
        validators=[
            Length(max=MAX_DESCRIPTION,
                   message=f"Een beschrijving is hoogstens {MAX_DESCRIPTION} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Wat doet jullie collectief, voor wie en waar? Gewone tekst; witregels blijven staan.",
        render_kw={"maxlength": MAX_DESCRIPTION, "rows": 8},
    )
    website = StringField(
        "Website (niet verplicht)",
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=MAX_WEBSITE, message=f"Een webadres is hoogstens {MAX_WEBSITE} tekens lang."),
            NoControlCharacters(),
            http_url,
        ],
        description="Bijvoorbeeld https://www.onzecooperatie.nl",
        render_kw={"maxlength": MAX_WEBSITE, "inputmode": "url", "autocomplete": "url"},
    )
    submit = SubmitField("Opslaan")
