"""Accepting a representative's invitation: /uitnodiging/<token> creates (or links) the account.

The invitation is e-mailed when a moderator approves a collective's self-scan
(app/selfscan/review.py). One e-mail address never gets a second account: when an
account already exists, its owner logs in first and then links it to the collective, which is
only allowed for an ordinary account without a collective.
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SubmitField

from app.blueprints.auth.forms import name_field, new_password_fields
from app.blueprints.auth.routes import bp, start_session
from app.extensions import db, limiter
from app.models.accounts import ROLE_MEMBER, ROLE_REPRESENTATIVE, User
from app.models.audit import record
from app.models.collectives import Collective
from app.models.selfscan import SelfScan
from app.selfscan.review import PURPOSE_INVITE_REPRESENTATIVE
from app.timeutil import utcnow
from app.tokens import consume_token, find_token
from app.unit_of_work import refusable
from app.validators import TextForm


class AcceptInvitationForm(TextForm):
    name = name_field()
    password, confirm = new_password_fields("Wachtwoord")
    submit = SubmitField("Account aanmaken")


class LinkAccountForm(TextForm):
    submit = SubmitField("Koppel mijn account")


def _invalid():
    return render_template("auth/token_invalid.html", what="uitnodigingslink"), 400


def _load(raw):
    """(token, collective) of a usable invitation, or (None, None)."""
    token = find_token(raw, PURPOSE_INVITE_REPRESENTATIVE)
    if token is None or not token.email or not isinstance(token.payload, dict):
        return None, None
    collective_id = token.payload.get("collective_id")
    if not isinstance(collective_id, int):
        return None, None
    collective = db.session.get(Collective, collective_id)
    return (token, collective) if collective is not None else (None, None)


def collective_url(collective):
    """The collective's public page (built by the collectives feature)."""
    if "collectives.detail" in current_app.view_functions:
        return url_for("collectives.detail", slug=collective.slug)
    return f"/collectieven/{collective.slug}"


def may_be_linked(user, collective):
    """An existing account may become the representative only if it is an ordinary account
    without another collective (never staff, a partner or a suspended person)."""
    return (
        user.role in (ROLE_MEMBER, ROLE_REPRESENTATIVE)
        and user.collective_id in (None, collective.id)
        and not user.is_suspended
    )


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def accept_invitation(token):
    found, collective = _load(token)
    if found is None:
        return _invalid()
    existing = User.find_by_email(found.email)
    if existing is not None:
        return _link_existing(found, collective, existing)

    form = AcceptInvitationForm()
    form._user_email = found.email
    if request.method == "GET":
        scan = db.session.get(SelfScan, found.payload.get("scan_id") or 0) \
            if isinstance(found.payload.get("scan_id"), int) else None
        form.name.data = (scan.contact_name if scan else "") or ""
    if form.validate_on_submit():
        if not consume_token(found):
            return _invalid()
        user = User(name=form.name.data, email=found.email, role=ROLE_REPRESENTATIVE,
                    collective_id=collective.id, email_verified_at=utcnow())
        user.set_password(form.password.data)
        with refusable(IntegrityError) as outcome:  # the same address registered a moment ago
            db.session.add(user)
        if outcome.error:
            return _invalid()
        record(user, "invitation.accept", user,
               f"{user.name} ({user.email}) heeft een account aangemaakt als vertegenwoordiger "
               f"van {collective.name}", collective_id=collective.id)
        start_session(user)
        flash(f"Welkom, {user.name}! Je account is aangemaakt en je bent de vertegenwoordiger "
              f"van {collective.name}.", "success")
        return redirect(collective_url(collective))
    return render_template("auth/invitation.html", form=form, collective=collective,
                           email=found.email)


def _link_existing(found, collective, existing):
    """The address already has an account: link it after its owner has logged in."""
    logged_in_as_owner = current_user.is_authenticated and current_user.id == existing.id
    if not logged_in_as_owner:
        return render_template("auth/invitation_existing.html", collective=collective,
                               email=found.email, state="login")
    if not may_be_linked(existing, collective):
        return render_template("auth/invitation_existing.html", collective=collective,
                               email=found.email, state="refused")
    form = LinkAccountForm()
    if form.validate_on_submit():
        if not consume_token(found):
            return _invalid()
        existing.role = ROLE_REPRESENTATIVE
        existing.collective_id = collective.id
        # The link came to this address, so it works.
        existing.email_verified_at = existing.email_verified_at or utcnow()
        record(existing, "invitation.accept", existing,
               f"{existing.name} ({existing.email}) heeft het bestaande account gekoppeld als "
               f"vertegenwoordiger van {collective.name}", collective_id=collective.id)
        flash(f"Je account is gekoppeld: je bent nu de vertegenwoordiger van {collective.name}.",
              "success")
        return redirect(collective_url(collective))
    return render_template("auth/invitation_existing.html", collective=collective,
                           email=found.email, state="link", form=form)
