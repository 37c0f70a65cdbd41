"""Managing people: find and filter, change roles, suspend, remove from a collective."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload

from app.accounts import members as services
from app.accounts import second_factor
from app.blueprints.admin.forms import (
    RemoveFromCollectiveForm,
    ResetSecondFactorForm,
    RoleForm,
    SuspendForm,
    UnsuspendForm,
)
from app.blueprints.admin.routes import bp
from app.extensions import db
from app.models.accounts import (
    ROLE_LABELS,
    ROLES,
    STAFF_ROLES,
    STATUS_DELETED,
    STATUS_SUSPENDED,
    User,
)
from app.models.collectives import Collective
from app.pagination import id_arg, page_arg
from app.permissions import can_appoint_staff, can_manage_members, require
from app.timeutil import utcnow
from app.unit_of_work import refusable
from app.validators import select_choices
from app.validators import has_control_characters

PER_PAGE = 30
MAX_QUERY = 100
STATUS_FILTERS = {"actief": "Actief", "geschorst": "Geschorst", "verwijderd": "Verwijderd"}


def _filters():
    """The list filters from the query string; anything invalid is ignored, never an error."""
    q = request.args.get("q", "")
    q = q.strip()[:MAX_QUERY] if isinstance(q, str) and not has_control_characters(q) else ""
    role = request.args.get("rol", "")
    status = request.args.get("status", "")
    collective = request.args.get("collectief", "")
    if collective != "geen":
        collective = id_arg("collectief")
    return {
        "q": q,
        "rol": role if role in ROLES else "",
        "status": status if status in STATUS_FILTERS else "",
        "collectief": collective,
    }


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@bp.route("/leden")
@require(can_manage_members)
def members():
    filters = _filters()
    query = db.select(User).options(joinedload(User.collective))
    if filters["q"]:
        pattern = f"%{_escape_like(filters['q'].lower())}%"
        query = query.where(or_(db.func.lower(User.name).like(pattern, escape="\\"),
                                db.func.lower(User.email).like(pattern, escape="\\")))
    if filters["rol"]:
        query = query.where(User.role == filters["rol"])
    suspended = and_(User.status == STATUS_SUSPENDED,
                     or_(User.suspended_until.is_(None), User.suspended_until > utcnow()))
    deleted = User.status == STATUS_DELETED
    if filters["status"] == "geschorst":
        query = query.where(suspended)
    elif filters["status"] == "actief":
        query = query.where(~suspended, ~deleted)
    elif filters["status"] == "verwijderd":
        query = query.where(deleted)
    if filters["collectief"] == "geen":
        query = query.where(User.collective_id.is_(None))
    elif filters["collectief"]:
        query = query.where(User.collective_id == filters["collectief"])
    pagination = db.paginate(query.order_by(User.name, User.id), page=page_arg(), per_page=PER_PAGE,
                             error_out=False)
    collectives = db.session.execute(
        db.select(Collective.id, Collective.name).order_by(Collective.name)
    ).all()
    return render_template("admin/members.html", pagination=pagination, filters=filters,
                           collectives=collectives, roles=ROLE_LABELS, statuses=STATUS_FILTERS)


def _load_member(user_id):
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    return member


def _check_rights(member, new_role=None):
    """Staff are managed by administrators only (403 for a moderator)."""
    if services.needs_staff_rights(member, new_role) and not can_appoint_staff(current_user):
        abort(403)


def _render_member(member, role_form=None, suspend_form=None, second_factor_form=None, status=200):
    if role_form is None:
        role_form = RoleForm(formdata=None)
        role_form.role.data = member.role
    if not can_appoint_staff(current_user):
        # Only show what this moderator may choose; the server checks again on POST.
        role_form.role.choices = select_choices((r, ROLE_LABELS[r]) for r in ROLES if r not in STAFF_ROLES)
    may_act = not services.needs_staff_rights(member) or can_appoint_staff(current_user)
    return render_template(
        "admin/member.html",
        member=member,
        is_self=member.id == current_user.id,
        may_act=may_act,
        role_form=role_form,
        suspend_form=suspend_form or SuspendForm(formdata=None),
        unsuspend_form=UnsuspendForm(formdata=None),
        remove_form=RemoveFromCollectiveForm(formdata=None),
        second_factor_form=second_factor_form or ResetSecondFactorForm(formdata=None),
    ), status


@bp.route("/leden/<id:user_id>")
@require(can_manage_members)
def member(user_id):
    return _render_member(_load_member(user_id))


def _finish(member, action, success_message):
    """Run a service action; a refusal is shown as a Dutch message and nothing changes."""
    with refusable(services.MemberActionError, second_factor.SecondFactorError) as outcome:
        action()
    if outcome.error:
        flash(str(outcome.error), "danger")
    else:
        flash(success_message, "success")
    return redirect(url_for("admin.member", user_id=member.id))


@bp.route("/leden/<id:user_id>/rol", methods=["POST"])
@require(can_manage_members)
def change_member_role(user_id):
    member = _load_member(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_member(member, role_form=form)
    _check_rights(member, form.role.data)
    return _finish(member, lambda: services.change_role(current_user, member, form.role.data),
                   f"De rol van {member.name} is nu {ROLE_LABELS[form.role.data]}.")


@bp.route("/leden/<id:user_id>/schorsen", methods=["POST"])
@require(can_manage_members)
def suspend_member(user_id):
    member = _load_member(user_id)
    _check_rights(member)
    form = SuspendForm()
    if not form.validate_on_submit():
        return _render_member(member, suspend_form=form)
    return _finish(member,
                   lambda: services.suspend_member(current_user, member, form.reason.data, form.until.data),
                   f"{member.name} is geschorst en kan niet meer inloggen.")


@bp.route("/leden/<id:user_id>/schorsing-opheffen", methods=["POST"])
@require(can_manage_members)
def unsuspend_member(user_id):
    member = _load_member(user_id)
    _check_rights(member)
    if not UnsuspendForm().validate_on_submit():
        abort(400)
    return _finish(member, lambda: services.lift_suspension(current_user, member),
                   f"De schorsing van {member.name} is opgeheven.")


@bp.route("/leden/<id:user_id>/uit-collectief", methods=["POST"])
@require(can_manage_members)
def remove_member_from_collective(user_id):
    member = _load_member(user_id)
    _check_rights(member)
    if not RemoveFromCollectiveForm().validate_on_submit():
        abort(400)
    return _finish(member, lambda: services.remove_from_collective(current_user, member),
                   f"{member.name} is uit het collectief verwijderd.")


@bp.route("/leden/<id:user_id>/tweestapsverificatie-uitzetten", methods=["POST"])
@require(can_manage_members)
def reset_member_second_factor(user_id):
    member = _load_member(user_id)
    _check_rights(member)
    form = ResetSecondFactorForm()
    if not form.validate_on_submit():
        return _render_member(member, second_factor_form=form, status=400)
    return _finish(member, lambda: second_factor.reset_by_staff(current_user, member, form.reason.data),
                   f"De tweestapsverificatie van {member.name} staat uit; {member.name} heeft een "
                   "e-mail gekregen.")
