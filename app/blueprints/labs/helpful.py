""""Dit hielp mij" on a lab answer, and taking it back: one-button forms, back to the answer."""
from flask import abort, flash, redirect
from flask_login import current_user

from app import reactions
from app.blueprints.labs.questions import REPLY_PATH, question_or_404, reply_or_404, reply_url
from app.blueprints.labs.routes import action_rate, bp, reader_required
from app.permissions import can_mark_helpful
from app.validators import ConfirmForm


def _markable(lab_slug, question_id, reply_id):
    """The answer, when this person may say it helped (404 for a question or answer they cannot
    see, 403 for their own answer, a response or a hidden answer), and the CSRF token is right."""
    question = question_or_404(lab_slug, question_id)
    reply = reply_or_404(question, reply_id)
    if not can_mark_helpful(current_user, reply):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return reply


@bp.route(REPLY_PATH + "/hielp-mij", methods=["POST"])
@action_rate
@reader_required
def mark_helpful(lab_slug, question_id, reply_id):
    reply = _markable(lab_slug, question_id, reply_id)
    if reactions.mark_helpful(current_user, reply):
        flash("Dank je: je hebt laten weten dat dit antwoord je hielp.", "success")
    else:
        flash("Je had al laten weten dat dit antwoord je hielp.", "info")
    return redirect(reply_url(reply))


@bp.route(REPLY_PATH + "/hielp-mij-intrekken", methods=["POST"])
@action_rate
@reader_required
def unmark_helpful(lab_slug, question_id, reply_id):
    reply = _markable(lab_slug, question_id, reply_id)
    if reactions.unmark_helpful(current_user, reply):
        flash("Je ‘Dit hielp mij’ is ingetrokken.", "success")
    else:
        flash("Je had bij dit antwoord geen ‘Dit hielp mij’ gegeven.", "info")
    return redirect(reply_url(reply))
