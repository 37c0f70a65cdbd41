"""Moderators manage knowledge-base items under /beheer/kennisbank (views on the admin bp).

Create and edit (with a preview that saves nothing), publish and unpublish, add and delete
attachments. Every action is audited in app.knowledge.services.
"""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from app import uploads
from app.blueprints.admin.routes import bp
from app.blueprints.common import write_or_preview
from app.blueprints.knowledge.forms import AttachmentForm, DeleteItemForm, ItemForm
from app.extensions import db
from app.knowledge import services
from app.knowledge.queries import find_attachment
from app.models.knowledge import (
    KINDS, STATUS_DRAFT, STATUS_PUBLISHED, KnowledgeItem,
)
from app.pagination import page_arg
from app.permissions import can_edit_knowledge, require
from app.unit_of_work import after_commit, after_rollback
from app.validators import ConfirmForm

PER_PAGE = 50
STATUS_FILTERS = {"concept": STATUS_DRAFT, "gepubliceerd": STATUS_PUBLISHED}
SAVE_FAILED = "Opslaan lukte niet doordat iemand anders tegelijk iets veranderde. Probeer het opnieuw."


@bp.route("/kennisbank")
@require(can_edit_knowledge)
def knowledge_items():
    status = request.args.get("status", "", type=str)
    query = db.select(KnowledgeItem)
    if status in STATUS_FILTERS:
        query = query.where(KnowledgeItem.status == STATUS_FILTERS[status])
    else:
        status = ""
    pagination = db.paginate(
        # The list shows each item's number of attachments: loaded in one go, not per item.
        query.options(selectinload(KnowledgeItem.attachments))
        .order_by(KnowledgeItem.updated_at.desc(), KnowledgeItem.id.desc()),
        page=page_arg(), per_page=PER_PAGE, error_out=False,
    )
    return render_template("admin/knowledge_items.html", pagination=pagination, status=status,
                           kinds=KINDS)


def _item_or_404(item_id):
    item = db.session.get(KnowledgeItem, item_id)
    if item is None:
        abort(404)
    return item


def _render_form(form, item=None, preview=None, attachment_form=None, status=200,
                 delete_form=None):
    return render_template(
        "admin/knowledge_form.html", form=form, item=item, preview=preview,
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        delete_form=delete_form or DeleteItemForm(formdata=None),
        max_attachment_mb=current_app.config.get("MAX_ATTACHMENT_MB"),
    ), status


@bp.route("/kennisbank/nieuw", methods=["GET", "POST"])
@require(can_edit_knowledge)
def new_knowledge_item():
    form = ItemForm()
    writing = write_or_preview(  # the same address may be taken at the same moment
        form, lambda: services.create_item(current_user, form.data_dict()),
        preview=lambda: services.render_body(form.body.data or ""), refusals=(IntegrityError,))
    if writing.saved:
        item = writing.result
        flash(f"Het item “{item.title}” is opgeslagen als concept. Publiceer het als het klaar is.",
              "success")
        return redirect(url_for(".edit_knowledge_item", item_id=item.id))
    if writing.refusal:
        flash(SAVE_FAILED, "danger")
    return _render_form(form, preview=writing.preview, status=writing.status)


@bp.route("/kennisbank/<id:item_id>", methods=["GET", "POST"])
@require(can_edit_knowledge)
def edit_knowledge_item(item_id):
    item = _item_or_404(item_id)
    if request.method == "GET":
        form = ItemForm(obj=item, body=item.body_source)
    else:
        form = ItemForm()
    writing = write_or_preview(
        form, lambda: services.update_item(current_user, item, form.data_dict()),
        preview=lambda: services.render_body(form.body.data or ""), refusals=(IntegrityError,))
    if writing.saved:
        if writing.result:
            flash("De wijzigingen zijn opgeslagen.", "success")
        else:
            flash("Er was niets veranderd.", "info")
        return redirect(url_for(".edit_knowledge_item", item_id=item.id))
    if writing.refusal:
        flash(SAVE_FAILED, "danger")
    return _render_form(form, item=item, preview=writing.preview, status=writing.status)


def _confirmed():
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.route("/kennisbank/<id:item_id>/publiceren", methods=["POST"])
@require(can_edit_knowledge)
def publish_knowledge_item(item_id):
    item = _item_or_404(item_id)
    _confirmed()
    if services.publish(current_user, item):
        flash(f"Het item “{item.title}” is gepubliceerd.", "success")
    else:
        flash("Dit item was al gepubliceerd.", "info")
    return redirect(url_for(".edit_knowledge_item", item_id=item.id))


@bp.route("/kennisbank/<id:item_id>/offline", methods=["POST"])
@require(can_edit_knowledge)
def unpublish_knowledge_item(item_id):
    item = _item_or_404(item_id)
    _confirmed()
    if services.unpublish(current_user, item):
        flash(f"Het item “{item.title}” is offline gehaald: het is weer een concept.", "success")
    else:
        flash("Dit item was niet gepubliceerd.", "info")
    return redirect(url_for(".edit_knowledge_item", item_id=item.id))


@bp.route("/kennisbank/<id:item_id>/bijlagen", methods=["POST"])
@require(can_edit_knowledge)
def add_knowledge_attachment(item_id):
    item = _item_or_404(item_id)
    attachment_form = AttachmentForm()
    form = ItemForm(formdata=None, obj=item, body=item.body_source)
    if not attachment_form.validate_on_submit():
        return _render_form(form, item=item, attachment_form=attachment_form, status=400)
    file = attachment_form.file.data
    if not isinstance(file, FileStorage) or not file.filename:
        attachment_form.file.errors = ["Kies een bestand om te uploaden."]
        return _render_form(form, item=item, attachment_form=attachment_form, status=400)
    try:
        stored = uploads.store_file(file)
    except uploads.UploadRejected as rejected:
        attachment_form.file.errors = [rejected.message]
        return _render_form(form, item=item, attachment_form=attachment_form, status=400)
    after_rollback(lambda: uploads.delete_stored(stored.stored_name))  # no row, so no file either
    services.add_attachment(current_user, item, stored)
    flash(f"De bijlage {stored.filename} is toegevoegd.", "success")
    return redirect(url_for(".edit_knowledge_item", item_id=item.id, _anchor="bijlagen"))


@bp.route("/kennisbank/<id:item_id>/bijlagen/<id:attachment_id>"
          "/verwijderen", methods=["POST"])
@require(can_edit_knowledge)
def delete_knowledge_attachment(item_id, attachment_id):
    item = _item_or_404(item_id)
    attachment = find_attachment(item, attachment_id)
    if attachment is None:
        abort(404)
    _confirmed()
    filename = attachment.filename
    stored_name = services.delete_attachment(current_user, attachment)
    after_commit(lambda: uploads.delete_stored(stored_name))  # only once the row is gone for good
    flash(f"De bijlage {filename} is verwijderd.", "success")
    return redirect(url_for(".edit_knowledge_item", item_id=item.id, _anchor="bijlagen"))


@bp.route("/kennisbank/<id:item_id>/verwijderen", methods=["POST"])
@require(can_edit_knowledge)
def delete_knowledge_item(item_id):
    item = _item_or_404(item_id)
    delete_form = DeleteItemForm()
    if item.is_published:
        flash("Haal het item eerst offline; daarna kun je het verwijderen.", "warning")
        return redirect(url_for(".edit_knowledge_item", item_id=item.id))
    if not delete_form.validate_on_submit():
        form = ItemForm(formdata=None, obj=item, body=item.body_source)
        return _render_form(form, item=item, delete_form=delete_form, status=400)
    title = item.title
    for stored_name in services.delete_item(current_user, item):
        # Only once the rows are gone for good (the name is bound now, not when it runs).
        after_commit(lambda name=stored_name: uploads.delete_stored(name))
    flash(f"Het item “{title}” is verwijderd.", "success")
    return redirect(url_for(".knowledge_items"))
