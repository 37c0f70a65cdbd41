"""Vetting partners: applications (approve, refuse), organisations and their partners, research access."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from app.blueprints.admin.routes import bp
from app.blueprints.partners import forms as partner_forms
from app.extensions import db
from app.models.accounts import ROLE_PARTNER, User
from app.models.labs import (
    APPLICATION_APPROVED,
    APPLICATION_PENDING,
    APPLICATION_REFUSED,
    PARTNER_KINDS,
    Lab,
    PartnerApplication,
    PartnerOrganisation,
)
from app.pagination import page_arg
from app.partners import services as partner_services
from app.permissions import can_grant_research_access, can_vet_partners, require
from app.unit_of_work import refusable
from app.validators import ConfirmForm

PER_PAGE = 25
ALREADY_DECIDED = "Over deze aanvraag is al besloten door een andere moderator; er is niets veranderd."

# Tab (query string value) → status, heading.
TABS = {
    "wachtend": (APPLICATION_PENDING, "Wachten op een besluit"),
    "goedgekeurd": (APPLICATION_APPROVED, "Goedgekeurd"),
    "afgewezen": (APPLICATION_REFUSED, "Afgewezen"),
}


def _count(status):
    return db.session.execute(
        db.select(db.func.count()).select_from(PartnerApplication).where(PartnerApplication.status == status)
    ).scalar_one()


@bp.route("/partners")
@require(can_vet_partners)
def partners():
    tab = request.args.get("status", "wachtend")
    if tab not in TABS:
        tab = "wachtend"
    status, heading = TABS[tab]
    query = db.select(PartnerApplication).where(PartnerApplication.status == status).options(
        selectinload(PartnerApplication.decided_by), selectinload(PartnerApplication.organisation)
    )
    if status == APPLICATION_PENDING:
        query = query.order_by(PartnerApplication.created_at.asc(), PartnerApplication.id.asc())
    else:
        query = query.order_by(PartnerApplication.decided_at.desc(), PartnerApplication.id.desc())
    pagination = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    counts = {key: _count(value[0]) for key, value in TABS.items()}
    return render_template("admin/partners.html", pagination=pagination, tab=tab, tabs=TABS,
                           heading=heading, counts=counts, lab_names=partner_services.lab_names(),
                           kinds=PARTNER_KINDS)


def _load_application(application_id):
    application = db.session.get(PartnerApplication, application_id)
    if application is None:
        abort(404)
    return application


def _approve_form(application, candidates, formdata=None):
    form = partner_forms.ApprovePartnerForm(candidates=candidates, formdata=formdata)
    if formdata is None:
        form.organisation.data = str(candidates[0].id) if candidates else partner_forms.NEW_ORGANISATION
        form.name.data = application.organisation_name
        form.kind.data = application.kind
        form.website.data = application.website
        form.labs.data = list(application.lab_slugs or [])
    return form


def _render_application(application, approve_form=None, refuse_form=None, status=200):
    candidates = partner_services.organisation_candidates(application.organisation_name)
    if approve_form is None:
        approve_form = _approve_form(application, candidates)
    existing = User.find_by_email(application.contact_email)
    same_email = db.func.lower(PartnerApplication.contact_email) == application.contact_email.lower()
    same_name = db.func.lower(PartnerApplication.organisation_name) == application.organisation_name.lower()
    earlier = db.session.execute(
        db.select(PartnerApplication)
        .where(PartnerApplication.id != application.id, or_(same_email, same_name))
        .order_by(PartnerApplication.created_at.desc()).limit(20)
    ).scalars().all()
    return render_template(
        "admin/partner_application.html", application=application, candidates=candidates,
        existing=existing, earlier=earlier, lab_names=partner_services.lab_names(), kinds=PARTNER_KINDS,
        approve_form=approve_form,
        refuse_form=refuse_form or partner_forms.RefusePartnerForm(formdata=None),
    ), status


@bp.route("/partners/<id:application_id>")
@require(can_vet_partners)
def partner_application(application_id):
    return _render_application(_load_application(application_id))


def _already_decided(application_id):
    flash(ALREADY_DECIDED, "warning")
    return redirect(url_for("admin.partner_application", application_id=application_id))


@bp.route("/partners/<id:application_id>/goedkeuren", methods=["POST"])
@require(can_vet_partners)
def approve_partner(application_id):
    application = _load_application(application_id)
    if application.status != APPLICATION_PENDING:
        return _already_decided(application_id)
    candidates = partner_services.organisation_candidates(application.organisation_name)
    form = _approve_form(application, candidates, formdata=request.form)
    if not form.validate_on_submit():
        return _render_application(application, approve_form=form, status=400)
    new_organisation = None
    if form.chosen_organisation is None:
        new_organisation = {"name": form.name.data, "kind": form.kind.data, "website": form.website.data}
    organisation = partner_services.approve_application(
        current_user, application, form.labs.data,
        organisation=form.chosen_organisation, new_organisation=new_organisation,
    )
    if organisation is None:
        return _already_decided(application_id)
    flash(f"De aanvraag van {application.organisation_name} is goedgekeurd. "
          f"{application.contact_name} krijgt een uitnodiging per e-mail ({application.contact_email}).",
          "success")
    return redirect(url_for("admin.partners"))


@bp.route("/partners/<id:application_id>/afwijzen", methods=["POST"])
@require(can_vet_partners)
def refuse_partner(application_id):
    application = _load_application(application_id)
    if application.status != APPLICATION_PENDING:
        return _already_decided(application_id)
    form = partner_forms.RefusePartnerForm()
    if not form.validate_on_submit():
        return _render_application(application, refuse_form=form, status=400)
    if not partner_services.refuse_application(current_user, application, form.reason.data):
        return _already_decided(application_id)
    flash("De aanvraag is afgewezen en de reden is naar de contactpersoon gemaild.", "success")
    return redirect(url_for("admin.partners"))


# -- organisations and their partners ----------------------------------------------------------

@bp.route("/partners/organisaties")
@require(can_vet_partners)
def partner_organisations():
    organisations = db.session.execute(
        db.select(PartnerOrganisation).order_by(PartnerOrganisation.name, PartnerOrganisation.id)
    ).scalars().all()
    people = db.session.execute(
        db.select(User)
        .where(or_(User.role == ROLE_PARTNER, User.partner_organisation_id.is_not(None)))
        .options(selectinload(User.labs))
        .order_by(User.name, User.id)
    ).scalars().all()
    by_organisation = {}
    for person in people:
        by_organisation.setdefault(person.partner_organisation_id, []).append(person)
    labs = db.session.execute(db.select(Lab).order_by(Lab.position)).scalars().all()
    return render_template(
        "admin/partner_organisations.html",
        organisations=organisations, by_organisation=by_organisation,
        unattached=by_organisation.get(None, []), labs=labs,
        pending=partner_services.pending_application_count(),
    )


def _load_partner(user_id):
    person = db.session.get(User, user_id)
    if person is None or not person.is_partner:
        abort(404)
    return person


def _back_to_organisations():
    return redirect(url_for("admin.partner_organisations"))


@bp.route("/partners/<id:user_id>/onderzoekstoegang", methods=["POST"])
@require(can_grant_research_access)
def partner_research_access(user_id):
    person = _load_partner(user_id)
    form = partner_forms.ResearchAccessForm()
    if not form.validate_on_submit():
        flash("Het formulier was niet compleet. Probeer het opnieuw.", "danger")
        return _back_to_organisations()
    grant = form.grant.data == "aan"
    with refusable(partner_services.PartnerActionError) as outcome:
        changed = partner_services.set_research_access(current_user, person, grant)
    if outcome.error:
        flash(str(outcome.error), "danger")
        return _back_to_organisations()
    if changed:
        flash(f"{person.name} heeft nu {'' if grant else 'geen '}toegang tot de onderzoeksexport.", "success")
    else:
        flash(f"Er is niets veranderd: {person.name} had al {'' if grant else 'geen '}toegang.", "info")
    return _back_to_organisations()


def _change_labs(user_id, lab_slug, change, done):
    person = _load_partner(user_id)
    lab = db.session.execute(db.select(Lab).where(Lab.slug == lab_slug)).scalar_one_or_none()
    if lab is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("Het formulier was niet compleet. Probeer het opnieuw.", "danger")
        return _back_to_organisations()
    with refusable(partner_services.PartnerActionError) as outcome:
        change(current_user, person, lab)
    if outcome.error:
        flash(str(outcome.error), "warning")
        return _back_to_organisations()
    flash(done.format(name=person.name, lab=lab.name), "success")
    return _back_to_organisations()


@bp.route("/partners/<id:user_id>/labs/<lab_slug>/verwijderen", methods=["POST"])
@require(can_vet_partners)
def remove_partner_from_lab(user_id, lab_slug):
    return _change_labs(user_id, lab_slug, partner_services.remove_from_lab,
                        "{name} is geen partner meer van het {lab}.")


@bp.route("/partners/<id:user_id>/labs/<lab_slug>/toevoegen", methods=["POST"])
@require(can_vet_partners)
def add_partner_to_lab(user_id, lab_slug):
    return _change_labs(user_id, lab_slug, partner_services.add_to_lab,
                        "{name} is nu ook partner van het {lab}.")
