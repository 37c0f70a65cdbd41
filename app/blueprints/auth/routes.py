from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import auth as services
from app.accounts import sessions
from app.blueprints.auth import devices
from app.blueprints.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
)
from app.extensions import limiter
from app.tokens import PURPOSE_RESET, find_token
from app.validators import safe_next_url

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw."
RESET_SENT = (
    "Als er een account bij dit e-mailadres hoort, hebben we er een link naartoe gestuurd om een "
    "nieuw wachtwoord in te stellen. De link is een uur geldig. Kijk ook in je spam-map."
)


def start_session(user, remember=False):
    """Log a person in with a fresh session (no fixation: nothing of the old session survives):
    a new session row whose token the cookies carry."""
    session.clear()
    sessions.start(user, request.user_agent.string)
    login_user(user, remember=remember)
    session.permanent = True
    services.record_login(user)


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute;40 per hour", methods=["POST"])
@limiter.limit("8 per 15 minutes", methods=["POST"], key_func=devices.pair_key,
               deduct_when=devices.failed)
@limiter.limit("30 per hour", methods=["POST"], key_func=devices.account_key,
               deduct_when=devices.failed, exempt_when=devices.trusted_device)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(LOGIN_FAILED, "danger")
        elif user.is_suspended:
            until = user.suspended_until
            return render_template("auth/suspended.html", user=user, until=until), 403
        else:
            start_session(user, remember=form.remember.data)
            flash(f"Welkom terug, {user.name}.", "success")
            return devices.remember_device(
                redirect(safe_next_url(form.next.data) or url_for("public.index")), user.email)
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
def logout():
    # Clear first: logout_user() leaves a mark in the session that makes Flask-Login delete the
    # "remember me" cookie; clearing afterwards would wipe that mark and the cookie would log the
    # person straight back in.
    sessions.end_current(current_user)  # a copy of the cookies no longer signs anyone in
    session.clear()
    logout_user()
    flash("Je bent uitgelogd.", "info")
    return redirect(url_for("public.index"))


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("5 per hour;20 per day", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.request_registration(form.name.data, form.email.data, form.password.data)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/register.html", form=form)


@bp.route("/e-mailadres-bevestigen/<token>")
def verify_email(token):
    user = services.verify_email(token)
    if user is None:
        return render_template("auth/token_invalid.html", what="bevestigingslink"), 400
    flash("Je e-mailadres is bevestigd. Dank je wel!", "success")
    return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))


@bp.route("/e-mailadres-bevestigen", methods=["POST"])
@login_required
@limiter.limit("3 per hour", methods=["POST"])
def resend_verification():
    form = ResendVerificationForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.email_verified:
        flash("Je e-mailadres is al bevestigd.", "info")
        return redirect(url_for("account.index"))
    services.send_verification(current_user)
    flash(f"We hebben een nieuwe bevestigingslink gestuurd naar {current_user.email}.", "info")
    return redirect(url_for("account.index"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes;20 per day", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/check_email.html", email=form.email.data, reset=True,
                               message=RESET_SENT)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token):
    found = find_token(token, PURPOSE_RESET)
    if found is None or found.user is None:
        return render_template("auth/token_invalid.html", what="herstellink"), 400
    form = ResetPasswordForm()
    form._user_email = found.user.email
    form._user_name = found.user.name
    if form.validate_on_submit():
        if not services.reset_password(found, form.password.data):
            return render_template("auth/token_invalid.html", what="herstellink"), 400
        user = found.user
        if user.is_suspended:
            flash("Je wachtwoord is gewijzigd.", "success")
            return redirect(url_for("auth.login"))
        start_session(user)
        flash("Je nieuwe wachtwoord is opgeslagen en je bent ingelogd.", "success")
        return redirect(url_for("account.index"))
    return render_template("auth/reset_password.html", form=form)
