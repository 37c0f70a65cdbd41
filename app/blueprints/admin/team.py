"""Administrators keep the team on /over-ons under /beheer/team (views on the admin bp).

Add, edit (with an optional photo), order and remove people; every change is audited in app.team.
A photo's file is stored before its row is written: it is removed again when the request rolls
back, and a replaced or removed photo's file only once the change is committed.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app import team, uploads
from app.blueprints.admin.routes import bp
from app.blueprints.admin.team_forms import TeamMemberForm
from app.extensions import db
from app.models.public import TeamMember
from app.permissions import can_manage_team, require
from app.unit_of_work import after_commit, after_rollback
from app.validators import ConfirmForm

CHOOSE_AGAIN = "Kies de foto opnieuw: een foto wordt pas bewaard als alle velden goed zijn ingevuld."


@bp.route("/team")
@require(can_manage_team)
def team_members():
    return render_template("admin/team.html", members=team.ordered_members(),
                           confirm_form=ConfirmForm(formdata=None))


def _member_or_404(member_id):
    member = db.session.get(TeamMember, member_id)
    if member is None:
        abort(404)
    return member


def _sent_photo(form):
    file = form.photo.data
    return file if isinstance(file, FileStorage) and file.filename else None


def _store_photo(form):
    """(ok, stored name or None): the sent photo checked and stored, or a field error."""
    file = _sent_photo(form)
    if file is None:
        return True, None
    try:
        stored = uploads.store_photo(file)
    except uploads.UploadRejected as rejected:
        form.photo.errors = [rejected.message]
        return False, None
    after_rollback(lambda: uploads.delete_stored(stored.stored_name))  # no row, so no file either
    return True, stored.stored_name


def _valid_with_photo(form):
    """(valid, stored photo name or None) for a submitted form."""
    if not form.validate_on_submit():
        if form.is_submitted() and _sent_photo(form) is not None:
            form.photo.errors = list(form.photo.errors) + [CHOOSE_AGAIN]
        return False, None
    return _store_photo(form)


def _render_form(form, member=None, status=200):
    return render_template("admin/team_form.html", form=form, member=member), status


@bp.route("/team/nieuw", methods=["GET", "POST"])
@require(can_manage_team)
def new_team_member():
    form = TeamMemberForm()
    valid, photo_name = _valid_with_photo(form)
    if valid:
        member = team.add_member(current_user, form.name.data, form.role.data, form.bio.data,
                                 photo_name=photo_name)
        flash(f"{member.name} staat nu in het team op de pagina Over ons, onderaan de lijst.",
              "success")
        return redirect(url_for(".team_members"))
    return _render_form(form, status=400 if form.is_submitted() else 200)


@bp.route("/team/<id:member_id>/bewerken", methods=["GET", "POST"])
@require(can_manage_team)
def edit_team_member(member_id):
    member = _member_or_404(member_id)
    form = TeamMemberForm(obj=member) if request.method == "GET" else TeamMemberForm()
    valid, photo_name = _valid_with_photo(form)
    if valid:
        changed, unused_photo = team.update_member(
            current_user, member, form.name.data, form.role.data, form.bio.data,
            photo_name=photo_name, remove_photo=form.remove_photo.data)
        if unused_photo:
            after_commit(lambda: uploads.delete_stored(unused_photo))
        if changed:
            flash(f"De gegevens van {member.name} zijn opgeslagen.", "success")
        else:
            flash("Er was niets veranderd.", "info")
        return redirect(url_for(".team_members"))
    return _render_form(form, member, status=400 if form.is_submitted() else 200)


@bp.route("/team/<id:member_id>/verwijderen", methods=["GET", "POST"])
@require(can_manage_team)
def delete_team_member(member_id):
    """GET asks for confirmation; POST (with the CSRF token) removes the person."""
    member = _member_or_404(member_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = member.name
        photo_name = team.remove_member(current_user, member)
        if photo_name:
            after_commit(lambda: uploads.delete_stored(photo_name))  # only once the row is gone
        flash(f"{name} staat niet meer in het team.", "success")
        return redirect(url_for(".team_members"))
    return render_template("admin/team_delete.html", member=member, form=form)


def _move(member_id, step):
    member = _member_or_404(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if team.move_member(current_user, member, step):
        flash(f"{member.name} staat een plaats {'hoger' if step < 0 else 'lager'}.", "success")
    else:
        flash(f"{member.name} staat al {'bovenaan' if step < 0 else 'onderaan'}.", "info")
    return redirect(url_for(".team_members"))


@bp.route("/team/<id:member_id>/omhoog", methods=["POST"])
@require(can_manage_team)
def move_team_member_up(member_id):
    return _move(member_id, -1)


@bp.route("/team/<id:member_id>/omlaag", methods=["POST"])
@require(can_manage_team)
def move_team_member_down(member_id):
    return _move(member_id, 1)
