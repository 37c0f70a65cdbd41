"""Forms of the moderators' self-scan review and members administration."""
import re
from datetime import date

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from app.extensions import db
from app.models.accounts import ROLE_LABELS, ROLES
from app.models.collectives import COUNTRIES, PROVINCES_BE, PROVINCES_NL, SECTORS, Collective
from app.validators import NoControlCharacters, TextForm, select_choices, strip_filter
from app.workdays import local_today

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80
MAX_NAME = 150
MAX_MUNICIPALITY = 100
MAX_DESCRIPTION = 2000
MAX_REJECTION = 2000
MAX_SUSPENSION_REASON = 500
MAX_SUSPENSION_YEARS = 10


def multiline_filter(value):
    """Trimmed text with one kind of line break, so lengths are the same everywhere."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def lower_filter(value):
    return value.strip().lower() if isinstance(value, str) else value


def choice(label, choices, message, **kwargs):
    """A select whose invalid choice gets a Dutch message (WTForms' own check is English)."""
    values = [value for value, _ in choices]
    return SelectField(label, choices=select_choices(choices), validate_choice=False,
                       validators=[AnyOf(values, message=message)], **kwargs)


PROVINCE_CHOICES = (
    [("", "Geen of onbekend")]
    + [(p, p) for p in PROVINCES_NL]
    + [(p, p.replace("(BE)", "(België)") if "(BE)" in p else f"{p} (België)") for p in PROVINCES_BE]
)


class ApproveScanForm(TextForm):
    name = StringField(
        "Naam van het collectief",
        filters=[strip_filter],
        validators=[DataRequired("Vul de naam van het collectief in."),
                    Length(max=MAX_NAME, message=f"Een naam is hoogstens {MAX_NAME} tekens lang."),
                    NoControlCharacters()],
        render_kw={"maxlength": MAX_NAME},
    )
    slug = StringField(
        "Adres van de pagina (slug)",
        filters=[lower_filter],
        validators=[DataRequired("Vul het adres van de pagina in."),
                    Length(max=MAX_SLUG, message=f"Een adres is hoogstens {MAX_SLUG} tekens lang.")],
        description="Kleine letters, cijfers en streepjes, bijvoorbeeld energie-cooperatie-zonnedael. "
                    "De pagina komt op /collectieven/<adres>.",
        render_kw={"maxlength": MAX_SLUG, "autocapitalize": "none", "spellcheck": "false"},
    )
    sector = choice("Sector", list(SECTORS.items()), "Kies een sector uit de lijst.")
    municipality = StringField(
        "Gemeente",
        filters=[strip_filter],
        validators=[DataRequired("Vul de gemeente in."),
                    Length(max=MAX_MUNICIPALITY,
                           message=f"Een gemeente is hoogstens {MAX_MUNICIPALITY} tekens lang."),
                    NoControlCharacters()],
        render_kw={"maxlength": MAX_MUNICIPALITY},
    )
    province = choice("Provincie", PROVINCE_CHOICES, "Kies een provincie uit de lijst.")
    country = choice("Land", list(COUNTRIES.items()), "Kies Nederland of België.")
    description = TextAreaField(
        "Korte beschrijving",
        filters=[multiline_filter],
        validators=[Optional(),
                    Length(max=MAX_DESCRIPTION,
                           message=f"Een beschrijving is hoogstens {MAX_DESCRIPTION} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description="Staat openbaar op de pagina van het collectief. De vertegenwoordiger kan hem later aanpassen.",
        render_kw={"maxlength": MAX_DESCRIPTION, "rows": 4},
    )
    approve = SubmitField("Goedkeuren en pagina publiceren")

    def validate_slug(self, field):
        if not isinstance(field.data, str) or not SLUG_RE.match(field.data):
            raise ValidationError(
                "Gebruik alleen kleine letters, cijfers en streepjes (niet aan het begin of eind, "
                "niet twee achter elkaar)."
            )
        taken = db.session.execute(
            db.select(Collective.id).where(Collective.slug == field.data)
        ).first()
        if taken:
            raise ValidationError("Dit adres is al in gebruik door een ander collectief. Kies een ander.")

    def validate_province(self, field):
        if not field.data or self.country.data not in COUNTRIES:
            return
        provinces = PROVINCES_NL if self.country.data == "NL" else PROVINCES_BE
        if field.data not in provinces:
            raise ValidationError(f"Deze provincie ligt niet in {COUNTRIES[self.country.data]}.")


class RejectScanForm(TextForm):
    reason = TextAreaField(
        "Reden van afwijzing",
        filters=[multiline_filter],
        validators=[DataRequired("Schrijf waarom de zelfscan wordt afgewezen."),
                    Length(max=MAX_REJECTION,
                           message=f"Een reden is hoogstens {MAX_REJECTION} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description="Deze tekst mailen we naar de contactpersoon. Schrijf vriendelijk en duidelijk.",
        render_kw={"maxlength": MAX_REJECTION, "rows": 4},
    )
    reject = SubmitField("Afwijzen en reden mailen")


class RoleForm(TextForm):
    role = choice("Rol", [(r, ROLE_LABELS[r]) for r in ROLES], "Kies een rol uit de lijst.")
    change_role = SubmitField("Rol wijzigen")


class SuspendForm(TextForm):
    reason = TextAreaField(
        "Reden van de schorsing",
        filters=[multiline_filter],
        validators=[DataRequired("Schrijf waarom deze persoon wordt geschorst."),
                    Length(max=MAX_SUSPENSION_REASON,
                           message=f"Een reden is hoogstens {MAX_SUSPENSION_REASON} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description="De persoon ziet deze reden bij het inloggen en krijgt hem per e-mail.",
        render_kw={"maxlength": MAX_SUSPENSION_REASON, "rows": 3},
    )
    until = DateField(
        "Geschorst tot (niet verplicht)",
        validators=[Optional()],
        invalid_value_message="Vul een geldige datum in.",
        description="Leeg laten voor een schorsing zonder einddatum. De schorsing eindigt aan het "
                    "begin van deze dag.",
    )
    suspend = SubmitField("Schorsen")

    def validate_until(self, field):
        if not isinstance(field.data, date):
            return
        today = local_today()
        if field.data <= today:
            raise ValidationError("Kies een datum in de toekomst.")
        if field.data.year > today.year + MAX_SUSPENSION_YEARS:
            raise ValidationError(
                f"Kies een datum binnen {MAX_SUSPENSION_YEARS} jaar, of laat het veld leeg voor een "
                "schorsing zonder einddatum."
            )


class UnsuspendForm(TextForm):
    unsuspend = SubmitField("Schorsing opheffen")


class RemoveFromCollectiveForm(TextForm):
    remove = SubmitField("Uit het collectief verwijderen")


class ResetSecondFactorForm(TextForm):
    reason = TextAreaField(
        "Waarom (komt in het auditlog en in de e-mail aan deze persoon)",
        filters=[multiline_filter],
        validators=[DataRequired("Schrijf waarom je de tweestapsverificatie uitzet."),
                    Length(max=500, message="Een reden is hoogstens 500 tekens lang."),
                    NoControlCharacters(multiline=True)],
        render_kw={"maxlength": 500, "rows": 2},
    )
    submit_reset = SubmitField("Tweestapsverificatie uitzetten")
