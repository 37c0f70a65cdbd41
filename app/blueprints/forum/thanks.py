"""A "Bedankt" on a forum post, and taking it back: one-button forms, back to the post."""
from flask import abort, flash, redirect
from flask_login import current_user

from app import reactions
from app.blueprints.forum.posts import author_name, post_or_404, post_url
from app.blueprints.forum.routes import action_rate, bp, reader_required
from app.permissions import can_thank
from app.validators import ConfirmForm


def _thankable(post_id):
    """The post, when this person may thank its writer (404 for a post they cannot see, 403 for
    their own, a hidden or a deleted one), and the form's CSRF token is right (400)."""
    post = post_or_404(post_id)
    if not can_thank(current_user, post):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return post


@bp.route("/bericht/<id:post_id>/bedanken", methods=["POST"])
@action_rate
@reader_required
def thank(post_id):
    post = _thankable(post_id)
    if reactions.give_thanks(current_user, post):
        flash(f"Je hebt {author_name(post)} bedankt voor dit bericht.", "success")
    else:
        flash("Je had dit bericht al bedankt.", "info")
    return redirect(post_url(post))


@bp.route("/bericht/<id:post_id>/bedankt-intrekken", methods=["POST"])
@action_rate
@reader_required
def unthank(post_id):
    post = _thankable(post_id)
    if reactions.take_back_thanks(current_user, post):
        flash("Je bedankje is ingetrokken.", "success")
    else:
        flash("Je had dit bericht niet bedankt.", "info")
    return redirect(post_url(post))
