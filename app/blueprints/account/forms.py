from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from app.blueprints.auth.forms import email_field, name_field, new_password_fields
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
