from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.validators import (
    NoControlCharacters,
    StrongPassword,
    TextForm,
    normalise_email,
    strip_filter,
)

EMAIL_REQUIRED = "Vul je e-mailadres in."
EMAIL_INVALID = "Dit is geen geldig e-mailadres."


def email_field(label="E-mailadres"):
    return EmailField(
        label,
        filters=[normalise_email],
        validators=[
            DataRequired(EMAIL_REQUIRED),
            Length(max=254, message="Een e-mailadres is hoogstens 254 tekens lang."),
            NoControlCharacters(),
            Email(EMAIL_INVALID, check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


def new_password_fields(label="Nieuw wachtwoord"):
    password = PasswordField(
        label,
        validators=[DataRequired("Kies een wachtwoord."), StrongPassword()],
        description="Minstens 10 tekens. Een zin van een paar woorden is sterk en goed te onthouden.",
        render_kw={"autocomplete": "new-password", "maxlength": 200},
    )
    confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[
            DataRequired("Herhaal je wachtwoord."),
            EqualTo("password", "De twee wachtwoorden zijn niet gelijk."),
        ],
        render_kw={"autocomplete": "new-password", "maxlength": 200},
    )
    return password, confirm


def name_field(label="Naam"):
    return StringField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired("Vul je naam in."),
            Length(max=120, message="Een naam is hoogstens 120 tekens lang."),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )


class LoginForm(TextForm):
    email = email_field()
    password = PasswordField(
        "Wachtwoord",
        validators=[
            DataRequired("Vul je wachtwoord in."),
            Length(max=200, message="Dit wachtwoord is te lang."),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Ingelogd blijven op dit apparaat")
    next = HiddenField()
    submit = SubmitField("Inloggen")


def second_factor_code_field(label="Code", recovery=False):
    return StringField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired("Vul de code in."),
            Length(max=20, message="Deze code is te lang."),
            NoControlCharacters(),
        ],
        description=("De zes cijfers die je authenticator-app nu toont, of een van je herstelcodes."
                     if recovery else "De zes cijfers die je authenticator-app nu toont."),
        render_kw={"autocomplete": "one-time-code", "maxlength": 20, "autocapitalize": "off",
                   "spellcheck": "false", "inputmode": "text" if recovery else "numeric"},
    )


class SecondStepForm(TextForm):
    code = second_factor_code_field("Code uit je app of herstelcode", recovery=True)
    submit = SubmitField("Verder")


class RegisterForm(TextForm):
    name = name_field()
    email = email_field()
    password, confirm = new_password_fields("Wachtwoord")
    next = HiddenField()  # where to go after verifying and logging in (checked by safe_next_url)
    submit = SubmitField("Account aanmaken")


class ForgotPasswordForm(TextForm):
    email = email_field()
    submit = SubmitField("Stuur mij een link")


class ResetPasswordForm(TextForm):
    password, confirm = new_password_fields()
    submit = SubmitField("Wachtwoord opslaan")


class ResendVerificationForm(TextForm):
    submit = SubmitField("Stuur de bevestigingsmail opnieuw")
