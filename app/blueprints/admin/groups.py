"""Managing the discussion groups: add, edit and order them."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.blueprints.admin.routes import bp
from app.blueprints.forum.moderation_forms import GroupForm
from app.extensions import db
from app.forum import moderation
from app.models.forum import ForumGroup
from app.permissions import can_moderate_forum, require
from app.unit_of_work import refusable
from app.validators import ConfirmForm

SLUG_TAKEN = "Dit adres is al in gebruik door een andere groep. Kies een ander."


@bp.route("/groepen")
@require(can_moderate_forum)
def groups():
    return render_template("admin/groups.html", groups=moderation.ordered_groups())


def _group_or_404(group_id):
    group = db.session.get(ForumGroup, group_id)
    if group is None:
        abort(404)
    return group


def _save(form, action):
    """Run create/update; a slug taken in the meantime becomes a field error, not a 500."""
    with refusable(moderation.ModerationError, IntegrityError) as outcome:
        result = action()
    if outcome.error:
        form.slug.errors = list(form.slug.errors) + [SLUG_TAKEN]
        return None
    return result


@bp.route("/groepen/nieuw", methods=["GET", "POST"])
@require(can_moderate_forum)
def new_group():
    form = GroupForm()
    if form.validate_on_submit():
        group = _save(form, lambda: moderation.create_group(
            current_user, form.name.data, form.slug.data, form.description.data or ""))
        if group is not None:
            flash(f"De groep {group.name} is aangemaakt. Ze staat onderaan de lijst.", "success")
            return redirect(url_for(".groups"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/group_form.html", form=form, group=None), status


@bp.route("/groepen/<id:group_id>/bewerken", methods=["GET", "POST"])
@require(can_moderate_forum)
def edit_group(group_id):
    group = _group_or_404(group_id)
    form = GroupForm(obj=group, group_id=group.id)
    if form.validate_on_submit():
        changed = _save(form, lambda: moderation.update_group(
            current_user, group, form.name.data, form.slug.data, form.description.data or ""))
        if changed is not None:
            flash(f"De groep {form.name.data} is opgeslagen." if changed else "Er was niets veranderd.",
                  "success" if changed else "info")
            return redirect(url_for(".groups"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/group_form.html", form=form, group=group), status


def _move(group_id, step):
    group = _group_or_404(group_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if moderation.move_group(current_user, group, step):
        flash(f"De groep {group.name} staat een plaats {'hoger' if step < 0 else 'lager'}.", "success")
    else:
        flash(f"De groep {group.name} staat al {'bovenaan' if step < 0 else 'onderaan'}.", "info")
    return redirect(url_for(".groups"))


@bp.route("/groepen/<id:group_id>/omhoog", methods=["POST"])
@require(can_moderate_forum)
def move_group_up(group_id):
    return _move(group_id, -1)


@bp.route("/groepen/<id:group_id>/omlaag", methods=["POST"])
@require(can_moderate_forum)
def move_group_down(group_id):
    return _move(group_id, 1)
