"""Privacy rights on the account pages: download a copy of your data, delete your account."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from app import uploads
from app.blueprints.account.forms import current_password_field
from app.blueprints.account.routes import WRONG_PASSWORD, bp
from app.blueprints.common import person_key
from app.extensions import limiter
from app.privacy import export as privacy_export
from app.privacy import services
from app.unit_of_work import after_commit
from app.validators import NoControlCharacters, TextForm, strip_filter

CONFIRMATION_WORD = "VERWIJDER"


class DownloadDataForm(TextForm):
    submit = SubmitField("Mijn gegevens downloaden")


class DeleteAccountForm(TextForm):
    current_password = current_password_field()
    confirmation = StringField(
        f"Typ {CONFIRMATION_WORD} om te bevestigen",
        filters=[strip_filter],
        validators=[
            DataRequired(f"Typ het woord {CONFIRMATION_WORD} om te bevestigen."),
            Length(max=50, message=f"Typ alleen het woord {CONFIRMATION_WORD}."),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField("Mijn account definitief verwijderen")

    def validate_confirmation(self, field):
        if (field.data or "").upper() != CONFIRMATION_WORD:
            raise ValidationError(f"Typ het woord {CONFIRMATION_WORD} om te bevestigen.")


@bp.route("/mijn-gegevens", methods=["GET"])
@login_required
def my_data():
    return render_template("account/my_data.html", form=DownloadDataForm())


@bp.route("/mijn-gegevens/download", methods=["POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"], key_func=person_key)
def download_data():
    form = DownloadDataForm()
    if not form.validate_on_submit():
        return render_template("account/my_data.html", form=form), 400
    data = privacy_export.collect_personal_data(current_user._get_current_object())
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="collectievekracht-gegevens-{today}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_delete(form, blocker, status=200):
    return render_template("account/delete_account.html", form=form, blocker=blocker), status


@bp.route("/verwijderen", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=person_key)
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    blocker = services.deletion_blocker(user)
    if not form.is_submitted():
        return _render_delete(form, blocker)
    if blocker is not None:
        return _render_delete(form, blocker, 400)
    if not form.validate():
        return _render_delete(form, None, 400)
    if not user.check_password(form.current_password.data):
        form.current_password.errors.append(WRONG_PASSWORD)
        return _render_delete(form, None, 400)
    photo = user.avatar_name
    services.delete_account(user)
    if photo:
        after_commit(lambda: uploads.delete_stored(photo))  # only once the account is gone
    # As in auth.logout: clear first, then log out, so the "remember me" cookie is removed too.
    session.clear()
    logout_user()
    flash(
        "Je account is verwijderd. Je berichten blijven staan onder de naam \"Voormalig lid\". "
        "We hebben een bevestiging gestuurd naar je oude e-mailadres. Bedankt voor je bijdrage!",
        "success",
    )
    return redirect(url_for("public.index"))
