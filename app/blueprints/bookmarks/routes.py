"""Bookmarks: "Bewaren" under a thread, post or lab question; the list at /bewaard with each
one's note and reminder; changing and removing them. For signed-in people, each of their own."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import bookmarks
from app.blueprints.bookmarks.forms import BookmarkForm, KeepForm
from app.blueprints.common import person_key
from app.extensions import db, limiter
from app.pagination import MAX_PAGE, page_arg
from app.validators import ConfirmForm, safe_next_url

bp = Blueprint("bookmarks", __name__, url_prefix="/bewaard")

PER_PAGE = bookmarks.PER_PAGE
action_rate = limiter.shared_limit("120 per hour", scope="bookmark-actions", key_func=person_key,
                                   methods=["POST"])


def _own_or_404(bookmark_id):
    bookmark = bookmarks.own_bookmark(current_user, bookmark_id)
    if bookmark is None:
        abort(404)  # someone else's looks the same as none at all
    return bookmark


def _list_url(page=None):
    """The list (at page `page` when that is a real page number)."""
    if isinstance(page, int) and 1 < page <= MAX_PAGE:
        return url_for("bookmarks.index", pagina=page)
    return url_for("bookmarks.index")


def _back(default):
    """Where a form asked to go back to (a local path: `terug`), else `default`."""
    return safe_next_url(request.values.get("terug")) or default


@bp.route("")
@login_required
def index():
    pagination = db.paginate(bookmarks.list_query(current_user), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    return render_template("bookmarks/index.html", pagination=pagination,
                           entries=bookmarks.entries(current_user, pagination.items))


@bp.route("/bewaren", methods=["POST"])
@action_rate
@login_required
def keep():
    form = KeepForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = form.target()
    if wanted is None:
        abort(404)
    kind, target_id = wanted
    target = bookmarks.find_target(kind, target_id)
    if not bookmarks.can_read_target(current_user, kind, target):
        # Something that is not there (or hidden from them) is a 404; a part of the site they
        # may not read at all, the 403 it is everywhere else.
        abort(404 if target is None or bookmarks.can_read_section(current_user, kind) else 403)
    _bookmark, new = bookmarks.keep(current_user, kind, target)
    if new:
        flash("Bewaard. Je vindt het terug onder ‘Bewaard’ in het menu bij je naam, waar je ook "
              "een notitie of herinnering kunt toevoegen.", "success")
    else:
        flash("Dit had je al bewaard.", "info")
    return redirect(bookmarks.target_path(kind, target))


@bp.route("/<id:bookmark_id>/bewerken", methods=["GET", "POST"])
@action_rate
@login_required
def edit(bookmark_id):
    bookmark = _own_or_404(bookmark_id)
    entry = bookmarks.entries(current_user, [bookmark])[0]
    form = BookmarkForm(obj=bookmark, current_remind_on=bookmark.remind_on)
    if form.validate_on_submit():
        bookmarks.change(bookmark, form.note.data, form.remind_on.data)
        flash("Je notitie en herinnering zijn opgeslagen.", "success")
        return redirect(_back(url_for("bookmarks.index")))
    status = 400 if request.method == "POST" else 200
    return render_template("bookmarks/edit.html", bookmark=bookmark, entry=entry, form=form,
                           back=safe_next_url(request.values.get("terug"))), status


@bp.route("/<id:bookmark_id>/verwijderen", methods=["POST"])
@action_rate
@login_required
def remove(bookmark_id):
    bookmark = _own_or_404(bookmark_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    bookmarks.remove(bookmark)
    flash("Niet meer bewaard.", "success")
    return redirect(_back(_list_url(request.form.get("pagina", type=int))))
