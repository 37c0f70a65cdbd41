"""Forms of the partner application, the moderators' vetting and the partner invitation."""
import re
from urllib.parse import urlsplit

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from app.blueprints.auth.forms import email_field, name_field, new_password_fields
from app.extensions import db
from app.models.labs import PARTNER_KINDS, Lab, PartnerOrganisation
from app.validators import NoControlCharacters, TextForm, select_choices, strip_filter

MIN_ORGANISATION = 2
MAX_ORGANISATION = 150
MAX_WEBSITE = 300
MAX_ROLE = 120
MIN_MOTIVATION = 50
MAX_MOTIVATION = 3000
MAX_REASON = 2000

NEW_ORGANISATION = "nieuw"
KIND_CHOICES = list(PARTNER_KINDS.items())
KIND_INVALID = "Kies wat voor organisatie het is."
LABS_REQUIRED = "Kies minstens één lab."
LABS_INVALID = "Kies labs uit de lijst."
WEBSITE_INVALID = ("Vul een geldig webadres in, bijvoorbeeld https://www.voorbeeld.nl, of laat het "
                   "veld leeg.")
DECLARATION = ("Wij komen niet om iets te verkopen. We delen kennis en denken mee met collectieven, "
               "zonder er klanten of opdrachten aan over te houden.")

_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# A host name of dot-separated labels ending in a top-level domain (letters, also non-ASCII).
_HOST = re.compile(r"^(?=.{1,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$")


def multiline_filter(value):
    """Trimmed text with one kind of line break, so lengths are the same everywhere."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def website_filter(value):
    """"www.voorbeeld.nl" becomes "https://www.voorbeeld.nl"; empty becomes None."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    if not value:
        return None
    if not _HAS_SCHEME.match(value):
        value = "https://" + value
    return value


def website_problem(value):
    """A Dutch message when `value` is not a plain http(s) address of a website, else None."""
    if not value:
        return None
    if any(c.isspace() for c in value) or "\\" in value:
        return WEBSITE_INVALID
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        return WEBSITE_INVALID
    host = parts.hostname or ""
    # No "user@host" either: such links show one site and open another.
    if parts.scheme.lower() not in ("http", "https") or "@" in parts.netloc or not _HOST.match(host):
        return WEBSITE_INVALID
    return None


def website_field(label="Website"):
    return StringField(
        label,
        filters=[website_filter],
        validators=[Optional(),
                    Length(max=MAX_WEBSITE, message=f"Een webadres is hoogstens {MAX_WEBSITE} tekens lang."),
                    NoControlCharacters()],
        description="Niet verplicht. Bijvoorbeeld https://www.voorbeeld.nl.",
        render_kw={"maxlength": MAX_WEBSITE, "inputmode": "url", "autocomplete": "url"},
    )


def organisation_name_field(label="Naam van de organisatie"):
    return StringField(
        label,
        filters=[strip_filter],
        validators=[DataRequired("Vul de naam van de organisatie in."),
                    Length(min=MIN_ORGANISATION, max=MAX_ORGANISATION,
                           message=f"De naam van de organisatie is {MIN_ORGANISATION} tot "
                                   f"{MAX_ORGANISATION} tekens lang."),
                    NoControlCharacters()],
        render_kw={"maxlength": MAX_ORGANISATION, "autocomplete": "organization"},
    )


def kind_field(label="Soort organisatie"):
    return RadioField(label, choices=select_choices(KIND_CHOICES), validate_choice=False,
                      validators=[AnyOf([value for value, _ in KIND_CHOICES], message=KIND_INVALID)])


def labs_field(label="Labs"):
    return SelectMultipleField(label, choices=[], validate_choice=False)


def lab_choices():
    """(slug, name) of every lab, in their fixed order."""
    return [(lab.slug, lab.name) for lab in db.session.execute(
        db.select(Lab).order_by(Lab.position, Lab.id)).scalars()]


class _LabsMixin:
    """Fills the lab choices from the Lab table and checks the chosen ones."""

    def _set_lab_choices(self):
        pairs = lab_choices()
        self.labs.choices = select_choices(pairs)
        self.lab_names = dict(pairs)

    def validate_labs(self, field):
        chosen = [value for value in (field.data or []) if isinstance(value, str) and value]
        if not chosen:
            raise ValidationError(LABS_REQUIRED)
        if any(value not in self.lab_names for value in chosen):
            raise ValidationError(LABS_INVALID)
        # Once each, in the labs' own order.
        field.data = [slug for slug in self.lab_names if slug in chosen]


class PartnerApplicationForm(_LabsMixin, TextForm):
    organisation_name = organisation_name_field()
    kind = kind_field()
    website = website_field()
    labs = labs_field("In welke labs willen jullie meedoen?")
    contact_name = name_field("Je naam")
    contact_email = email_field("Je e-mailadres")
    contact_role = StringField(
        "Je functie (niet verplicht)",
        filters=[strip_filter],
        validators=[Optional(),
                    Length(max=MAX_ROLE, message=f"Een functie is hoogstens {MAX_ROLE} tekens lang."),
                    NoControlCharacters()],
        render_kw={"maxlength": MAX_ROLE, "autocomplete": "organization-title"},
    )
    motivation = TextAreaField(
        "Waarom willen jullie partner worden?",
        filters=[multiline_filter],
        validators=[DataRequired("Vertel waarom jullie partner willen worden."),
                    Length(min=MIN_MOTIVATION, max=MAX_MOTIVATION,
                           message=f"Schrijf je motivatie in {MIN_MOTIVATION} tot 3.000 tekens."),
                    NoControlCharacters(multiline=True)],
        description="Wat willen jullie collectieven bieden, en wat hopen jullie er zelf van te leren? "
                    f"{MIN_MOTIVATION} tot 3.000 tekens.",
        render_kw={"rows": 7, "maxlength": MAX_MOTIVATION},
    )
    declaration = BooleanField(
        DECLARATION,
        validators=[DataRequired("Vink de verklaring aan. Zonder die verklaring kunnen we jullie "
                                 "aanvraag niet in behandeling nemen.")],
    )
    submit = SubmitField("Aanvraag versturen")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_lab_choices()

    def validate_website(self, field):
        problem = website_problem(field.data)
        if problem:
            raise ValidationError(problem)


class ApprovePartnerForm(_LabsMixin, TextForm):
    """Approve an application: an existing organisation (a candidate) or a new one, and the labs."""

    organisation = RadioField("Organisatie", choices=[], validate_choice=False)
    name = organisation_name_field("Naam van de nieuwe organisatie")
    kind = kind_field("Soort organisatie (bij een nieuwe organisatie)")
    website = website_field("Website van de nieuwe organisatie")
    labs = labs_field("Labs van deze partner")
    approve = SubmitField("Goedkeuren en uitnodiging sturen")

    def __init__(self, candidates=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_lab_choices()
        self.organisation.choices = select_choices([(NEW_ORGANISATION, "Een nieuwe organisatie aanmaken")] + [
            (str(organisation.id), f"Bestaande organisatie: {organisation.name}")
            for organisation in candidates
        ])
        self.chosen_organisation = None

    @property
    def creates_organisation(self):
        return self.organisation.data == NEW_ORGANISATION

    def validate_organisation(self, field):
        value = field.data
        if value == NEW_ORGANISATION:
            return
        if not isinstance(value, str) or not value.isdigit() or len(value) > 9:
            raise ValidationError("Kies een bestaande organisatie of maak een nieuwe aan.")
        organisation = db.session.get(PartnerOrganisation, int(value))
        if organisation is None:
            raise ValidationError(
                "Deze organisatie bestaat niet meer. Kies een andere of maak een nieuwe aan."
            )
        self.chosen_organisation = organisation

    def validate(self, extra_validators=None):
        # The new organisation's fields only count when a new organisation is made.
        if self.organisation.data != NEW_ORGANISATION:
            for field in (self.name, self.kind, self.website):
                field.validators = [Optional()]
        return super().validate(extra_validators)

    def validate_website(self, field):
        if self.creates_organisation:
            problem = website_problem(field.data)
            if problem:
                raise ValidationError(problem)


class RefusePartnerForm(TextForm):
    reason = TextAreaField(
        "Reden van afwijzing",
        filters=[multiline_filter],
        validators=[DataRequired("Schrijf waarom de aanvraag wordt afgewezen."),
                    Length(max=MAX_REASON, message=f"Een reden is hoogstens {MAX_REASON} tekens lang."),
                    NoControlCharacters(multiline=True)],
        description="Deze tekst mailen we naar de contactpersoon. Schrijf vriendelijk en duidelijk.",
        render_kw={"maxlength": MAX_REASON, "rows": 4},
    )
    refuse = SubmitField("Afwijzen en reden mailen")


class ResearchAccessForm(TextForm):
    """Give ("aan") or take ("uit") research access; a value, not a toggle, so a double click is harmless."""

    grant = StringField(validators=[AnyOf(["aan", "uit"], message="Kies aan of uit.")])


class AcceptPartnerInvitationForm(TextForm):
    name = name_field()
    password, confirm = new_password_fields("Wachtwoord")
    submit = SubmitField("Account aanmaken")
