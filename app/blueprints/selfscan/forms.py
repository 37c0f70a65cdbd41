"""Forms of the self-scan flow.

The questions themselves are data (questionnaire.py reads them with parse_step); these forms carry
the CSRF token and the few fixed fields: the contact person and the consent checkboxes.
"""
from wtforms import BooleanField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from app.validators import TextForm, NoControlCharacters, normalise_email, strip_filter


class ActionForm(TextForm):
    """A one-button form: only the CSRF token (start, start a repeat scan)."""


class StepForm(TextForm):
    """A question step: CSRF only; the answers are read by parse_step."""


def _contact_name_field():
    return StringField(
        "Naam van de contactpersoon",
        filters=[strip_filter],
        validators=[
            DataRequired("Vul de naam van de contactpersoon in."),
            Length(max=120, message="Een naam is hoogstens 120 tekens lang."),
            NoControlCharacters(),
        ],
        description="Meestal ben jij dat: de persoon die de zelfscan invult namens het collectief.",
        render_kw={"autocomplete": "name", "maxlength": 120},
    )


def _contact_email_field():
    return EmailField(
        "E-mailadres van de contactpersoon",
        filters=[normalise_email],
        validators=[
            DataRequired("Vul het e-mailadres van de contactpersoon in."),
            Length(max=254, message="Een e-mailadres is hoogstens 254 tekens lang."),
            NoControlCharacters(),
            Email("Dit is geen geldig e-mailadres.", check_deliverability=False),
        ],
        description="Hierheen sturen we de link om later verder te gaan, de bevestiging en het rapport.",
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class FirstStepForm(StepForm):
    """Step 1 also asks the contact person, so the resume link can be e-mailed early."""

    contact_name = _contact_name_field()
    contact_email = _contact_email_field()


class FinalStepForm(TextForm):
    """The last step: contact person confirmed, consent, send."""

    contact_name = _contact_name_field()
    contact_email = _contact_email_field()
    consent_privacy = BooleanField(
        "Ik heb de privacyverklaring gelezen en ga ermee akkoord.",
        validators=[DataRequired("Zonder akkoord met de privacyverklaring kunnen we de zelfscan niet "
                                 "ontvangen. Vink het vakje aan om te versturen.")],
    )
    consent_research = BooleanField()  # label: the questionnaire's consent text
    submit = SubmitField("Versturen")
