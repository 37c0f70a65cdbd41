"""Becoming a partner: the application form, and accepting the invitation a moderator sends.

One e-mail address never gets a second account: when the invited address already has one, its
owner logs in first and then links it to the organisation and labs (see
services.may_become_partner for which accounts can be linked).
"""
from collections import namedtuple

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.blueprints.auth.routes import start_session
from app.blueprints.partners.forms import (
    AcceptPartnerInvitationForm,
    PartnerApplicationForm,
)
from app.extensions import db, limiter
from app.models.accounts import User
from app.models.audit import record
from app.models.labs import PartnerApplication, PartnerOrganisation
from app.partners import services
from app.tokens import consume_token, find_token
from app.unit_of_work import refusable
from app.validators import ConfirmForm

bp = Blueprint("partners", __name__)

Invitation = namedtuple("Invitation", "token organisation labs application")


def _redirected(response):
    """Only stored applications count against the hourly limit, not forms sent back with errors."""
    return response.status_code == 302


@bp.route("/partner-worden", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], deduct_when=_redirected)
def apply():
    form = PartnerApplicationForm()
    if current_user.is_authenticated and not form.is_submitted():
        form.contact_name.data = current_user.name
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        services.submit_application({
            "organisation_name": form.organisation_name.data,
            "kind": form.kind.data,
            "website": form.website.data,
            "lab_slugs": form.labs.data,
            "contact_name": form.contact_name.data,
            "contact_email": form.contact_email.data,
            "contact_role": form.contact_role.data,
            "motivation": form.motivation.data,
        })
        return redirect(url_for("partners.submitted"))
    labs = services.labs_by_slug(list(form.lab_names))
    return render_template("partners/apply.html", form=form, labs=labs,
                           lab_taglines={lab.slug: lab.tagline for lab in labs}), \
        400 if form.errors else 200


@bp.route("/partner-worden/verstuurd")
def submitted():
    return render_template("partners/submitted.html")


# -- the invitation ----------------------------------------------------------------------------

def labs_url():
    """Where a new partner lands: the labs overview (built by the labs feature)."""
    if "labs.index" in current_app.view_functions:
        return url_for("labs.index")
    return "/labs"


def _invalid():
    return render_template("auth/token_invalid.html", what="uitnodigingslink"), 400


def _whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _load(raw):
    """The usable invitation behind a raw token, or None."""
    token = find_token(raw, services.PURPOSE_INVITE_PARTNER)
    if token is None or not token.email or not isinstance(token.payload, dict):
        return None
    organisation_id = token.payload.get("organisation_id")
    slugs = token.payload.get("lab_slugs")
    if not _whole_number(organisation_id) or not isinstance(slugs, list):
        return None
    organisation = db.session.get(PartnerOrganisation, organisation_id)
    labs = services.labs_by_slug(slugs)
    if organisation is None or not labs:
        return None
    application_id = token.payload.get("application_id")
    application = (db.session.get(PartnerApplication, application_id)
                   if _whole_number(application_id) else None)
    return Invitation(token, organisation, labs, application)


def _lab_list(labs):
    names = [lab.name for lab in labs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


@bp.route("/uitnodiging/partner/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def accept_invitation(token):
    invitation = _load(token)
    if invitation is None:
        return _invalid()
    existing = User.find_by_email(invitation.token.email)
    if existing is not None:
        return _link_existing(invitation, existing)

    form = AcceptPartnerInvitationForm()
    form._user_email = invitation.token.email
    if request.method == "GET" and invitation.application is not None:
        form.name.data = invitation.application.contact_name
    if form.validate_on_submit():
        if not consume_token(invitation.token):
            return _invalid()
        with refusable(IntegrityError) as outcome:  # the same address registered a moment ago
            user = services.create_partner(invitation.organisation, form.name.data,
                                           invitation.token.email, form.password.data,
                                           [lab.slug for lab in invitation.labs])
        if outcome.error:
            return _invalid()
        record(user, "partner.invitation_accept", user,
               f"{user.name} ({user.email}) heeft een partneraccount aangemaakt voor "
               f"{invitation.organisation.name} ({_lab_list(invitation.labs)})",
               organisation_id=invitation.organisation.id,
               lab_slugs=[lab.slug for lab in invitation.labs])
        start_session(user)
        flash(f"Welkom, {user.name}! Je bent nu partner namens {invitation.organisation.name} "
              f"in het {_lab_list(invitation.labs)}.", "success")
        return redirect(labs_url())
    return render_template("partners/invitation.html", form=form, invitation=invitation,
                           email=invitation.token.email), 400 if form.errors else 200


def _link_existing(invitation, existing):
    """The address already has an account: link it after its owner has logged in."""
    context = {"invitation": invitation, "email": invitation.token.email}
    if not (current_user.is_authenticated and current_user.id == existing.id):
        return render_template("partners/invitation_existing.html", state="login", **context)
    if not services.may_become_partner(existing, invitation.organisation):
        return render_template("partners/invitation_existing.html", state="refused", **context)
    form = ConfirmForm()
    if form.validate_on_submit():
        if not consume_token(invitation.token):
            return _invalid()
        services.link_partner(existing, invitation.organisation, invitation.labs)
        record(existing, "partner.invitation_accept", existing,
               f"{existing.name} ({existing.email}) heeft het bestaande account gekoppeld als "
               f"partner van {invitation.organisation.name} ({_lab_list(invitation.labs)})",
               organisation_id=invitation.organisation.id,
               lab_slugs=[lab.slug for lab in invitation.labs], existing_account=True)
        flash(f"Je account is gekoppeld: je bent nu partner namens {invitation.organisation.name} "
              f"in het {_lab_list(invitation.labs)}.", "success")
        return redirect(labs_url())
    return render_template("partners/invitation_existing.html", state="link", form=form, **context)
