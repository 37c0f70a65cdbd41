"""Knowledge base pages (/kennisbank): the list with filters, an item, an attachment download.

Titles and summaries of published items are public; the body and the attachments are for people
with can_read_knowledge. Unpublished items exist only for moderators (can_edit_knowledge).
"""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app import uploads
from app.markup import nest_headings
from app.knowledge import queries
from app.knowledge.services import was_updated_after_publication
from app.extensions import db
from app.models.collectives import SECTORS
from app.models.knowledge import DIMENSIONS, KINDS, THEMES
from app.pagination import page_arg
from app.permissions import can_edit_knowledge, can_read_knowledge, require

bp = Blueprint("knowledge", __name__)


@bp.app_template_global("knowledge_labels")
def knowledge_labels():
    """The Dutch labels of kinds, themes, sectors and dimensions, for the templates."""
    return {"kinds": KINDS, "themes": THEMES, "sectors": SECTORS, "dimensions": DIMENSIONS}


@bp.app_template_filter("bestandsgrootte")
def bestandsgrootte(size):
    return uploads.size_text(size)


@bp.app_template_filter("bestandstype")
def bestandstype(file_type):
    return uploads.type_label(file_type)


@bp.app_template_filter("koppen_vanaf")
def koppen_vanaf(stored_html, top=2):
    """Stored Markdown HTML with its headings under the page's own (see markup.nest_headings)."""
    return nest_headings(stored_html, top)


@bp.route("/kennisbank")
def index():
    filters = queries.read_filters(request.args)
    pagination = db.paginate(queries.published_query(filters), page=page_arg(),
                             per_page=queries.PER_PAGE, error_out=False)
    return render_template("knowledge/index.html", pagination=pagination, filters=filters,
                           filter_options=queries.FILTERS)


def _visible_item_or_404(slug):
    item = queries.find_item(slug)
    if item is None or not (item.is_published or can_edit_knowledge(current_user)):
        abort(404)
    return item


@bp.route("/kennisbank/<slug>")
def item(slug):
    item = _visible_item_or_404(slug)
    return render_template("knowledge/item.html", item=item,
                           may_read=can_read_knowledge(current_user),
                           updated=was_updated_after_publication(item))


@bp.route("/kennisbank/<slug>/bijlagen/<id:attachment_id>")
@require(can_read_knowledge)
def attachment(slug, attachment_id):
    item = _visible_item_or_404(slug)
    attachment = queries.find_attachment(item, attachment_id)
    if attachment is None:
        abort(404)
    return uploads.attachment_response(attachment)
