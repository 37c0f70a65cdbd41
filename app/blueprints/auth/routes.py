import time
from urllib.parse import urlsplit

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException

from app.accounts import auth as services
from app.accounts import second_factor, sessions
from app.blueprints.auth import devices
from app.blueprints.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SecondStepForm,
)
from app.collectives.services import find_collective
from app.extensions import db, limiter
from app.models.accounts import User
from app.tokens import PURPOSE_RESET, find_token
from app.validators import safe_next_url

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw."
RESET_SENT = (
    "Als er een account bij dit e-mailadres hoort, hebben we er een link naartoe gestuurd om een "
    "nieuw wachtwoord in te stellen. De link is een uur geldig. Kijk ook in je spam-map."
)


# Who just verified their address in this browser, so the login form that follows has it filled
# in: their id in the signed session (the address itself never goes into a cookie or a URL, where
# it could be read or logged), used by the next view of the login form.
VERIFIED_KEY = "verified_user"


def return_to(next_url):
    """The name of the collective whose page `next_url` is, for "Na het inloggen ga je terug naar
    …", or None (another page, or not a safe local path)."""
    path = safe_next_url(next_url)
    if not path:
        return None
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(urlsplit(path).path,
                                                                      method="GET")
    except HTTPException:
        return None
    if endpoint != "collectives.detail":
        return None
    collective = find_collective(args.get("slug"))
    return collective.name if collective is not None else None


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
        return redirect(safe_next_url(request.args.get("next")) or url_for("public.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next")) or ""
        form.email.data = _verified_address()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(LOGIN_FAILED, "danger")
        elif user.is_suspended:
            until = user.suspended_until
            return render_template("auth/suspended.html", user=user, until=until), 403
        elif user.has_second_factor:
            # The password was right; the session starts after the second step.
            session.clear()
            session[PENDING_KEY] = {"user": user.id, "remember": bool(form.remember.data),
                                    "next": safe_next_url(form.next.data) or "",
                                    "at": int(time.time())}
            return redirect(url_for("auth.second_step"))
        else:
            return _signed_in(user, form.remember.data, form.next.data)
    form.next.data = safe_next_url(form.next.data) or ""  # never echo a foreign address
    return render_template("auth/login.html", form=form, return_to=return_to(form.next.data))


def _verified_address():
    """The address of the person who just verified it in this browser (once), or None."""
    user_id = session.pop(VERIFIED_KEY, None)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user.email if user is not None and user.is_active else None


def _signed_in(user, remember, next_url, used_recovery=False):
    start_session(user, remember=remember)
    flash(f"Welkom terug, {user.name}.", "success")
    if used_recovery:
        left = second_factor.remaining_recovery_codes(user)
        flash(f"Je hebt een herstelcode gebruikt; je hebt er nog {left}. Heb je je telefoon niet "
              "meer? Stel tweestapsverificatie dan opnieuw in op je account.",
              "warning")
    return devices.remember_device(
        redirect(safe_next_url(next_url) or url_for("public.index")), user.email)


# -- two-step sign-in --------------------------------------------------------------------------

PENDING_KEY = "second_step"  # in the signed session cookie between the password and the code
PENDING_SECONDS = 600
SECOND_STEP_WRONG = ("Deze code klopt niet. Vul de zes cijfers in die je app nu toont (ze "
                     "veranderen elke 30 seconden), of een herstelcode die je nog niet gebruikte.")


def _pending():
    """The sign-in waiting for its second step: (person, details), or (None, None)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int) \
            or not isinstance(pending.get("at"), int) \
            or pending["at"] + PENDING_SECONDS < time.time():
        return None, None
    user = db.session.get(User, pending["user"])
    if user is None or not user.is_active or not user.has_second_factor:
        return None, None
    return user, pending


def _code_key():
    """Codes are limited per account, whatever address or browser they come from: the signed-in
    person's, or the one whose sign-in waits for its second step."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    pending = session.get(PENDING_KEY)
    who = pending.get("user") if isinstance(pending, dict) else None
    return f"account:{who}" if isinstance(who, int) else f"address:{get_remote_address()}"


def _code_refused(response):
    """Whether a second-factor code was refused (the pages answer 400 then)."""
    return response.status_code == 400


# One budget of wrong codes per account for every form that asks for one (/account's too).
code_rate = limiter.shared_limit(
    "5 per 5 minutes;30 per day", scope="second-factor-codes", key_func=_code_key,
    deduct_when=_code_refused, methods=["POST"])


@bp.route("/inloggen/tweede-stap", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
@code_rate
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    user, pending = _pending()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash("Log opnieuw in: het inloggen duurde te lang of is niet begonnen.", "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        used = second_factor.check(user, form.code.data)
        if used is not None:
            return _signed_in(user, pending.get("remember", False), pending.get("next"),
                              used_recovery=used == "recovery")
        form.code.errors.append(SECOND_STEP_WRONG)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/second_step.html", form=form), status


# Where someone who must set up a second factor may still go (besides static files: the app's
# own and those of extensions, such as Bootstrap-Flask's "bootstrap.static").
SETUP_ENDPOINTS = frozenset({
    "auth.logout", "account.second_factor", "account.confirm_second_factor",
})


@bp.before_app_request
def require_second_factor_setup():
    """Moderators, administrators and partners with research access do nothing else until their
    second factor is set up (they are sent to the setup page from anywhere)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in SETUP_ENDPOINTS or endpoint.rsplit(".", 1)[-1] == "static":
        return None
    if not current_user.is_authenticated or not current_user.needs_second_factor \
            or current_user.has_second_factor:
        return None
    return redirect(url_for("account.second_factor"), code=303)


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
    if request.method == "GET":
        form.next.data = request.args.get("next")
    form.next.data = safe_next_url(form.next.data) or ""
    if form.validate_on_submit():
        services.request_registration(form.name.data, form.email.data, form.password.data,
                                      next_url=form.next.data)
        return render_template("auth/check_email.html", email=form.email.data)
    return render_template("auth/register.html", form=form, return_to=return_to(form.next.data))


@bp.route("/e-mailadres-bevestigen/<token>")
def verify_email(token):
    user, next_url = services.verify_email(token)
    if user is None:
        return render_template("auth/token_invalid.html", what="bevestigingslink"), 400
    if current_user.is_authenticated:
        flash("Je e-mailadres is bevestigd. Dank je wel!", "success")
        if current_user.id == user.id and next_url:
            return redirect(next_url)
        return redirect(url_for("account.index"))
    # The link proves the mailbox, not the password: the person logs in (the address filled in)
    # and is then taken on to where the registration started, such as a collective's page.
    session[VERIFIED_KEY] = user.id
    flash("Je e-mailadres is bevestigd. Dank je wel! Log in met je wachtwoord om verder te gaan.",
          "success")
    return redirect(url_for("auth.login", next=next_url) if next_url else url_for("auth.login"))


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
