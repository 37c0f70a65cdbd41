import time

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from app import uploads
from app.accounts import profiles, second_factor, sessions
from app.accounts import settings as services
from app.blueprints.account.forms import (
    ConfirmEmailChangeForm,
    EmailChangeForm,
    PasswordChangeForm,
    ProfileForm,
    RecoveryCodesForm,
    SecondFactorDisableForm,
    SecondFactorSetupForm,
)
from app.blueprints.auth.forms import ResendVerificationForm
from app.blueprints.auth.routes import code_rate, start_session
from app.blueprints.common import person_key
from app.extensions import limiter
from app.timeutil import utcnow
from app.tokens import PURPOSE_EMAIL_CHANGE, find_token
from app.unit_of_work import after_commit, after_rollback, refusable
from app.validators import ConfirmForm

bp = Blueprint("account", __name__, url_prefix="/account")

WRONG_PASSWORD = "Je huidige wachtwoord klopt niet."
CHOOSE_PHOTO_AGAIN = ("Kies de foto opnieuw: een foto wordt pas bewaard als alle velden goed "
                      "zijn ingevuld.")


def _render(profile_form=None, email_form=None, password_form=None, status=200):
    now = utcnow()
    live = sessions.live_sessions(current_user, now)
    current = getattr(current_user, "current_session", None)
    return (
        render_template(
            "account/index.html",
            profile_form=profile_form or ProfileForm(obj=current_user, formdata=None,
                                                     bio=current_user.bio_source),
            email_form=email_form or EmailChangeForm(formdata=None),
            password_form=password_form or PasswordChangeForm(formdata=None),
            resend_form=ResendVerificationForm(),
            devices=sorted(  # this device first, then the most recently active
                ((row, sessions.describe(row.user_agent).label, sessions.ago(row.last_seen_at, now),
                  current is not None and row.id == current.id) for row in live),
                key=lambda device: not device[3]),
            end_form=ConfirmForm(formdata=None),
        ),
        status,
    )


@bp.route("", methods=["GET"])
@login_required
def index():
    return _render()


@bp.route("/sessies/<id:session_id>/beeindigen", methods=["POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def end_session(session_id):
    """Sign out one of this person's other devices (this one signs out with "Uitloggen")."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    row = sessions.find_own(current_user, session_id)
    if row is None:
        abort(404)  # someone else's looks the same as none at all
    current = getattr(current_user, "current_session", None)
    if current is not None and row.id == current.id:
        flash("Dit is het apparaat waarop je nu bent. Gebruik ‘Uitloggen’ om hier uit te loggen.",
              "info")
        return redirect(url_for("account.index", _anchor="kop-apparaten"))
    sessions.end(row)
    flash(f"Je bent uitgelogd op {sessions.describe(row.user_agent).label}.", "success")
    return redirect(url_for("account.index", _anchor="kop-apparaten"))


@bp.route("/sessies/andere-beeindigen", methods=["POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def end_other_sessions():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    ended = sessions.end_others(current_user)
    flash("Je bent op alle andere apparaten uitgelogd." if ended
          else "Je was op geen ander apparaat ingelogd.", "success")
    return redirect(url_for("account.index", _anchor="kop-apparaten"))


@bp.route("/profiel", methods=["POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"], key_func=person_key)
def update_profile():
    """Name, text and photo of one's profile. A photo is stored before the row changes: removed
    again when the request rolls back; a replaced or removed one once the change is committed."""
    form = ProfileForm()
    photo = form.avatar.data
    if not (isinstance(photo, FileStorage) and photo.filename):
        photo = None
    if not form.validate_on_submit():
        if photo is not None:
            form.avatar.errors = list(form.avatar.errors) + [CHOOSE_PHOTO_AGAIN]
        return _render(profile_form=form, status=400)
    avatar_name = None
    if photo is not None:
        try:
            stored = uploads.store_avatar(photo, profiles.AVATAR_SIDE)
        except uploads.UploadRejected as rejected:
            form.avatar.errors = [rejected.message]
            return _render(profile_form=form, status=400)
        avatar_name = stored.stored_name
        after_rollback(lambda: uploads.delete_stored(avatar_name))
    changed, unused = profiles.save_profile(current_user._get_current_object(), form.name.data,
                                            form.bio.data, avatar_name=avatar_name,
                                            remove_avatar=form.remove_avatar.data)
    if unused:
        after_commit(lambda: uploads.delete_stored(unused))
    flash("Je profiel is opgeslagen." if changed else "Er was niets veranderd.",
          "success" if changed else "info")
    return redirect(url_for("account.index"))


@bp.route("/e-mailadres", methods=["POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"])
def change_email():
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _render(email_form=form, status=400)
    if not current_user.check_password(form.current_password.data):
        form.current_password.errors.append(WRONG_PASSWORD)
        return _render(email_form=form, status=400)
    if form.email.data == current_user.email:
        form.email.errors.append("Dit is al je e-mailadres.")
        return _render(email_form=form, status=400)
    services.request_email_change(current_user, form.email.data)
    flash(
        f"We hebben een bevestigingslink gestuurd naar {form.email.data}. Je e-mailadres "
        "verandert zodra je op die link klikt.",
        "info",
    )
    return redirect(url_for("account.index"))


@bp.route("/e-mailadres/<token>", methods=["GET", "POST"])
def confirm_email_change(token):
    # The link only shows a button; the change happens on POST. Mail scanners and link previews
    # open links by GET, and must not move an account to an address nobody confirmed.
    found = find_token(token, PURPOSE_EMAIL_CHANGE)
    if found is None or found.user is None:
        return render_template("auth/token_invalid.html", what="bevestigingslink"), 400
    form = ConfirmEmailChangeForm()
    if not form.validate_on_submit():
        return render_template("account/confirm_email.html", form=form, new_email=found.email)
    with refusable(IntegrityError) as outcome:  # the address was taken a moment ago
        user = services.confirm_email_change(token)
    if outcome.error or user is None:
        return render_template("auth/token_invalid.html", what="bevestigingslink"), 400
    flash(f"Je e-mailadres is gewijzigd in {user.email}.", "success")
    return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))


@bp.route("/wachtwoord", methods=["POST"])
@login_required
@limiter.limit("5 per 15 minutes", methods=["POST"])
def change_password():
    form = PasswordChangeForm()
    form._user_email = current_user.email
    form._user_name = current_user.name
    if not form.validate_on_submit():
        return _render(password_form=form, status=400)
    if not current_user.check_password(form.current_password.data):
        form.current_password.errors.append(WRONG_PASSWORD)
        return _render(password_form=form, status=400)
    user = current_user._get_current_object()
    services.change_password(user, form.password.data)
    start_session(user)  # this session continues with the new token; all others end
    flash("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd.", "success")
    return redirect(url_for("account.index"))


# -- two-step sign-in --------------------------------------------------------------------------

SETUP_KEY = "second_factor_setup"  # the secret being set up, until the first code confirms it
SETUP_SECONDS = 1800
CODE_WRONG = "Deze code klopt niet. Vul de zes cijfers in die je app nu toont."


def _setup_secret():
    """The secret shown on the setup page: kept in the (signed) session until it is confirmed,
    so a reload shows the same QR code; a new one after half an hour."""
    pending = session.get(SETUP_KEY)
    if isinstance(pending, dict) and second_factor.valid_secret(pending.get("secret")) \
            and isinstance(pending.get("at"), int) and pending["at"] + SETUP_SECONDS > time.time():
        return pending["secret"]
    secret = second_factor.new_secret()
    session[SETUP_KEY] = {"secret": secret, "at": int(time.time())}
    return secret


def _render_setup(form=None, status=200):
    user = current_user
    secret = _setup_secret()
    form = form or SecondFactorSetupForm(formdata=None)
    return render_template(
        "account/second_factor_setup.html",
        form=form, moving=user.has_second_factor, forced=user.needs_second_factor
        and not user.has_second_factor,
        qr=second_factor.qr_svg(second_factor.provisioning_uri(user, secret)),
        secret=second_factor.grouped(secret)), status


def _render_manage(codes_form=None, disable_form=None, status=200):
    return render_template(
        "account/second_factor.html",
        remaining=second_factor.remaining_recovery_codes(current_user),
        codes_form=codes_form or RecoveryCodesForm(formdata=None),
        disable_form=disable_form or SecondFactorDisableForm(formdata=None)), status


@bp.route("/tweestapsverificatie", methods=["GET"], endpoint="second_factor")
@login_required
def second_factor_page():
    if current_user.has_second_factor:
        return _render_manage()
    return _render_setup()


@bp.route("/tweestapsverificatie/verplaatsen", methods=["GET"])
@login_required
def move_second_factor():
    """Set up a new app (new phone) while the old one still works: same page, password asked."""
    if not current_user.has_second_factor:
        return redirect(url_for("account.second_factor"))
    return _render_setup()


@bp.route("/tweestapsverificatie", methods=["POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@code_rate
def confirm_second_factor():
    form = SecondFactorSetupForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return _render_setup(form, 400)
    if user.has_second_factor and not user.check_password(form.current_password.data or ""):
        form.current_password.errors.append(WRONG_PASSWORD)
        return _render_setup(form, 400)
    pending = session.get(SETUP_KEY)
    secret = pending.get("secret") if isinstance(pending, dict) else None
    with refusable(second_factor.SecondFactorError) as outcome:
        codes = second_factor.enable(user, secret, form.code.data)
    if outcome.error:
        form.code.errors.append(str(outcome.error))
        return _render_setup(form, 400)
    session.pop(SETUP_KEY, None)
    return _render_codes(codes, first=True)


def _render_codes(codes, first=False):
    response = render_template("account/recovery_codes.html", codes=codes, first=first)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/tweestapsverificatie/herstelcodes", methods=["POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@code_rate
def new_recovery_codes():
    if not current_user.has_second_factor:
        return redirect(url_for("account.second_factor"))
    form = RecoveryCodesForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return _render_manage(codes_form=form, status=400)
    if not second_factor.accept_code(user, form.code.data):
        form.code.errors.append(CODE_WRONG)
        return _render_manage(codes_form=form, status=400)
    return _render_codes(second_factor.issue_recovery_codes(user))


@bp.route("/tweestapsverificatie/uitzetten", methods=["POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@code_rate
def disable_second_factor():
    if not current_user.has_second_factor:
        return redirect(url_for("account.second_factor"))
    form = SecondFactorDisableForm()
    user = current_user._get_current_object()
    if user.needs_second_factor:
        flash("Voor jouw rol is tweestapsverificatie verplicht; je kunt hem niet uitzetten.",
              "danger")
        return redirect(url_for("account.second_factor"))
    if not form.validate_on_submit():
        return _render_manage(disable_form=form, status=400)
    if not user.check_password(form.current_password.data):
        form.current_password.errors.append(WRONG_PASSWORD)
        return _render_manage(disable_form=form, status=400)
    if second_factor.check(user, form.code.data) is None:
        form.code.errors.append(CODE_WRONG + " Of gebruik een herstelcode.")
        return _render_manage(disable_form=form, status=400)
    with refusable(second_factor.SecondFactorError) as outcome:
        second_factor.disable(user)
    flash(str(outcome.error) if outcome.error else "Tweestapsverificatie staat uit.",
          "danger" if outcome.error else "success")
    return redirect(url_for("account.index", _anchor="kop-tweestap"))
