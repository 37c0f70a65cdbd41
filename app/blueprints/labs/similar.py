"""GET /labs/<lab>/vragen/vergelijkbaar?titel=… : the lab's questions like a title being typed, for
static/js/similar.js on the ask form (without the script, "Voorbeeld" shows the same list).

Signed-in readers of the labs only (401, 403; 404 for a lab that does not exist); at most five
questions they may read, each with its title, address, status and date. Rate limited per person;
never cached; any title gives an answer, never a 500.
"""
from flask import current_app, jsonify, request
from flask_login import current_user

from app.blueprints.common import person_key
from app.blueprints.labs.routes import bp, question_url
from app.extensions import limiter
from app.labs import queries
from app.labs.similar import similar_questions
from app.permissions import can_view_lab_questions
from app.validators import has_control_characters

MAX_TITLE = 150  # the title field's own limit (LabQuestion.title)


def _answer(payload, status=200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def similar_entry(question):
    return {
        "titel": question.title,
        "url": question_url(question),
        "status": question.status_label,
        "datum": current_app.jinja_env.filters["datum"](question.created_at),
    }


@bp.route("/<lab_slug>/vragen/vergelijkbaar")
@limiter.limit("60 per minute;1000 per hour", key_func=person_key)
def similar(lab_slug):
    if not current_user.is_authenticated:
        return _answer({"fout": "Log in om vragen in de labs te zien."}, 401)
    if not can_view_lab_questions(current_user):
        return _answer({"fout": "Je kunt de vragen in de labs niet lezen."}, 403)
    lab = queries.find_lab(lab_slug)
    if lab is None:
        return _answer({"fout": "Dit lab bestaat niet."}, 404)
    title = request.args.get("titel", "")
    if len(title) > MAX_TITLE or has_control_characters(title):
        return _answer({"fout": "Een titel is hooguit 150 tekens, zonder stuurtekens."}, 400)
    found = similar_questions(lab, title, current_user)
    return _answer({"vragen": [similar_entry(question) for question in found]})
