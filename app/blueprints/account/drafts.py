"""A person's drafts (app.drafts): saved while they type (the JSON endpoint static/js/drafts.js
calls), listed on /account under "Concepten" with links, and removed from there.

The forms themselves keep and restore their draft without JavaScript (blueprints/drafting.py).
Every route here works on the signed-in person's own drafts only: there is no way to name
someone else's.
"""
from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import format_time
from flask_login import current_user, login_required
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Length

from app import drafts
from app.blueprints.account.routes import bp
from app.blueprints.common import person_key
from app.extensions import limiter
from app.validators import TextForm

# A draft is saved at most every few seconds while someone types, per form; this only stops a
# runaway script (a refused save is simply tried again with the next change).
autosave_rate = limiter.limit("40 per minute;1500 per hour", key_func=person_key,
                              methods=["POST"])

NOT_SIGNED_IN = "Je bent niet meer ingelogd. Kopieer je tekst en log opnieuw in."
NOT_HERE = "Je kunt hier geen concept bewaren."

# Where each kind of draft is written (the links on /account).
_FORM_URLS = {
    drafts.FORUM_THREAD: lambda group: url_for("forum.new_thread", group_slug=group.slug),
    drafts.FORUM_REPLY: lambda thread: url_for("forum.reply", group_slug=thread.group.slug,
                                               thread_id=thread.id),
    drafts.LAB_QUESTION: lambda lab: url_for("labs.ask", lab_slug=lab.slug),
    drafts.LAB_ANSWER: lambda question: url_for("labs.question", lab_slug=question.lab.slug,
                                                question_id=question.id, _anchor="beantwoorden"),
    drafts.LAB_RESPONSE: lambda question: url_for("labs.question", lab_slug=question.lab.slug,
                                                  question_id=question.id, _anchor="reageren"),
}


class DiscardDraftForm(TextForm):
    plek = HiddenField(validators=[DataRequired(), Length(max=60)])
    submit = SubmitField("Verwijderen")


def _refused(message, status):
    return jsonify(fout=message), status


@bp.route("/concepten/opslaan", methods=["POST"])
@autosave_rate
def autosave_draft():
    """Save the draft of one form: JSON {plek, body, title?, context?} with the CSRF token in the
    X-CSRFToken header. Answers {opgeslagen, tijd} (tijd: "14:32", Dutch time) or {fout}."""
    if not current_user.is_authenticated:
        return _refused(NOT_SIGNED_IN, 401)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _refused("Dit verzoek klopt niet.", 400)
    values = {part: data.get(part) for part in ("body", "title", "context")}
    if any(value is not None and not isinstance(value, str) for value in values.values()):
        return _refused("Dit verzoek klopt niet.", 400)
    place = drafts.resolve(current_user, data.get("plek"))
    if place is None:
        return _refused(NOT_HERE, 403)
    try:
        draft = drafts.save(current_user, place, **values)
    except drafts.DraftError as error:
        return _refused(str(error), error.status)
    if draft is None:
        return jsonify(opgeslagen=False, tijd=None)
    return jsonify(opgeslagen=True, tijd=format_time(draft.updated_at, "HH:mm"))


@bp.route("/concepten/verwijderen", methods=["POST"])
@login_required
@limiter.limit("60 per hour", key_func=person_key, methods=["POST"])
def discard_draft():
    """Remove one of one's own drafts (the buttons of the list on /account)."""
    form = DiscardDraftForm()
    if not form.validate_on_submit():
        abort(400)
    if drafts.discard(current_user, form.plek.data):
        flash("Je concept is verwijderd.", "success")
    else:  # removed a moment ago (another tab, the form itself)
        flash("Dit concept bestond al niet meer.", "info")
    return redirect(url_for("account.index", _anchor="kop-concepten"))


def _excerpt(draft, length=140):
    text = " ".join(part for part in (draft.title, draft.body) if part)
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def draft_list():
    """The signed-in person's drafts for the list: label, link (None where they can no longer
    post), time and the start of the text."""
    return [
        {
            "key": item.draft.place,
            "label": item.place.label if item.place else "Een plek waar je niet meer kunt schrijven",
            "url": _FORM_URLS[item.place.kind](item.place.target) if item.place else None,
            "updated_at": item.draft.updated_at,
            "excerpt": _excerpt(item.draft),
        }
        for item in drafts.open_drafts(current_user)
    ]


@bp.context_processor
def inject_drafts():
    # A function, so only the page that shows the list (account/_drafts.html) runs its queries.
    if not current_user.is_authenticated:
        return {}
    return {"my_drafts": draft_list}
