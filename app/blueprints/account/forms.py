from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, PasswordField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app import uploads
from app.accounts.profiles import AVATAR_SIDE, MAX_BIO
from app.blueprints.auth.forms import (
    email_field,
    name_field,
    new_password_fields,
    second_factor_code_field,
)
from app.validators import NoControlCharacters, TextForm, normalise_body


def current_password_field():
    return PasswordField(
        "Huidig wachtwoord",
        validators=[
            DataRequired("Vul je huidige wachtwoord in."),
            Length(max=200, message="Dit wachtwoord is te lang."),
        ],
        render_kw={"autocomplete": "current-password"},
    )


BIO_LIMIT = f"{MAX_BIO:,}".replace(",", ".")  # 1.000, as the limit is written in Dutch


class ProfileForm(FlaskForm):
    """Name, a short text about oneself and a photo (the profile on /leden/<id>-<name>)."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            # Text from the posted fields only, a file from the photo field only: a file sent as
            # the name or the text is no text (and never reaches a validator that wants one).
            if formdata is _Auto:
                if not _is_submitted():
                    return None
                data = MultiDict(request.form)
                data.poplist("avatar")
                for file in request.files.getlist("avatar"):
                    data.add("avatar", file)
                return data
            return formdata

    name = name_field()
    bio = TextAreaField(
        "Over jezelf (niet verplicht)",
        filters=[normalise_body],
        validators=[
            Length(max=MAX_BIO, message=f"Je tekst over jezelf is hoogstens {BIO_LIMIT} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description=(
            f"Een paar zinnen over wie je bent en waar je je mee bezighoudt (hoogstens {BIO_LIMIT} "
            "tekens). Je kunt Markdown gebruiken: **vet**, *schuin*, - lijstje, [tekst](https://…)."
        ),
        render_kw={"rows": 5, "maxlength": MAX_BIO},
    )
    avatar = FileField(
        "Foto (niet verplicht)",
        description=(
            f"Een {uploads.PHOTO_LIST} van hoogstens {uploads.MAX_PHOTO_MB} MB. We snijden het midden "
            f"er vierkant uit ({AVATAR_SIDE} × {AVATAR_SIDE} pixels) en halen weg wat je camera "
            "erin bewaart, zoals de plek waar de foto gemaakt is. Zonder foto tonen we je initialen."
        ),
        render_kw={"accept": ".jpg,.jpeg,.png,.webp,image/jpeg,image/png,image/webp"},
    )
    remove_avatar = BooleanField("Foto verwijderen")
    submit_profile = SubmitField("Profiel opslaan")


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
