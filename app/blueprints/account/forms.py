from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from app.blueprints.auth.forms import (
    email_field,
    name_field,
    new_password_fields,
    second_factor_code_field,
)
from app.validators import TextForm


def current_password_field():
    return PasswordField(
        "Huidig wachtwoord",
        validators=[
            DataRequired("Vul je huidige wachtwoord in."),
            Length(max=200, message="Dit wachtwoord is te lang."),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(TextForm):
    name = name_field()
    submit_profile = SubmitField("Naam opslaan")


class EmailChangeForm(TextForm):
    email = email_field("Nieuw e-mailadres")
    current_password = current_password_field()
    submit_email = SubmitField("E-mailadres wijzigen")


class PasswordChangeForm(TextForm):
    current_password = current_password_field()
    password, confirm = new_password_fields()
    submit_password = SubmitField("Wachtwoord wijzigen")


class ConfirmEmailChangeForm(TextForm):
    submit = SubmitField("Ja, gebruik dit e-mailadres")


class SecondFactorSetupForm(TextForm):
    """Confirm a new authenticator app with its first code (and the password when moving)."""
    code = second_factor_code_field("Code uit je app")
    current_password = PasswordField(
        "Huidig wachtwoord",
        validators=[Length(max=200, message="Dit wachtwoord is te lang.")],
        render_kw={"autocomplete": "current-password"},
    )
    submit_setup = SubmitField("Tweestapsverificatie aanzetten")


class RecoveryCodesForm(TextForm):
    code = second_factor_code_field("Code uit je app")
    submit_codes = SubmitField("Nieuwe herstelcodes maken")


class SecondFactorDisableForm(TextForm):
    current_password = current_password_field()
    code = second_factor_code_field("Code uit je app of herstelcode", recovery=True)
    submit_disable = SubmitField("Tweestapsverificatie uitzetten")
