"""In-app notifications (/meldingen) and the unsubscribe link of notification e-mails."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.extensions import csrf, db, limiter
from app.models.notifications import EMAIL_OFF, Notification
from app.notifications import mark_read, unread_count, user_for_unsubscribe_token
from app.pagination import MAX_PAGE, page_arg
from app.validators import safe_next_url

bp = Blueprint("notifications", __name__, url_prefix="/meldingen")

PER_PAGE = 30
KIND_LABELS = {
    "reply": "Reactie",
    "mention": "Genoemd",
    "quote": "Geciteerd",
    "new_thread": "Nieuw onderwerp",
    "lab_question": "Labvraag",
    "lab_answer": "Antwoord",
    "lab_response": "Reactie",
    "lab_accepted": "Geaccepteerd",
    "lab_reminder": "Herinnering",
    "thanks": "Bedankt",
    "helpful": "Hielp",
    "bookmark_reminder": "Herinnering",
    "join_request": "Lidmaatschap",
    "staff": "Moderatie",
}


def _own_notification_or_404(notification_id):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)  # someone else's looks the same as none at all
    return notification


def _back_to_list():
    """The list page the form was posted from (a page number in the form), else the first."""
    page = request.form.get("pagina", type=int)
    if page is None or page < 2 or page > MAX_PAGE:
        return redirect(url_for("notifications.index"))
    return redirect(url_for("notifications.index", pagina=page))


@bp.route("", methods=["GET"])
@login_required
def index():
    query = (
        db.select(Notification)
        .options(joinedload(Notification.actor))
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pagination = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        unread=unread_count(current_user),
        kind_labels=KIND_LABELS,
    )


@bp.route("/<id:notification_id>", methods=["GET"])
@login_required
def follow(notification_id):
    # Following the link is reading it (as in Discourse): a harmless change, so a GET may make it.
    notification = _own_notification_or_404(notification_id)
    mark_read(current_user, [notification.id])
    target = safe_next_url(notification.url)
    if target is None:
        return redirect(url_for("notifications.index"))
    return redirect(request.script_root + target)


@bp.route("/<id:notification_id>/gelezen", methods=["POST"])
@login_required
def mark_one_read(notification_id):
    notification = _own_notification_or_404(notification_id)
    mark_read(current_user, [notification.id])
    return _back_to_list()


@bp.route("/gelezen", methods=["POST"])
@login_required
def mark_all_read():
    mark_read(current_user)
    flash("Al je meldingen zijn als gelezen gemarkeerd.", "success")
    return _back_to_list()


@bp.route("/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token authenticates it; mail clients' one-click POST has no CSRF token
@limiter.limit("30 per minute;300 per hour")
def unsubscribe(token):
    """GET: a page with one button (mail scanners open links); POST: no more notification e-mail.

    A POST is also how mail clients unsubscribe in one click (RFC 8058: the body
    "List-Unsubscribe=One-Click"), without a session or a form of ours.
    """
    user = user_for_unsubscribe_token(token)
    if user is None:
        return render_template("notifications/unsubscribe_invalid.html"), 404
    if request.method == "POST":
        user.notify_email = EMAIL_OFF
        return render_template("notifications/unsubscribed.html", user=user)
    return render_template("notifications/unsubscribe.html", user=user,
                           already_off=user.notify_email == EMAIL_OFF)
