"""GET /personen/zoeken?q=Be&plek=… : the people a writer may @mention there, for mentions.js.

`plek` is the place the text box writes in: `forum`, `lab:<lab-slug>` (a new question) or
`vraag:<id>` (a question's answers and responses). Only signed-in readers of the place may ask
(401, 403), and they get at most eight people who can read it: name, collective or partner
organisation, never an e-mail address. Rate limited per person; never cached.
"""
from flask import Blueprint, has_request_context, jsonify, request, url_for
from flask_login import current_user

from app.accounts.mentions import find_mentionable, lookup_entry
from app.blueprints.common import person_key
from app.extensions import limiter
from app.labs import queries as lab_queries
from app.permissions import (
    can_moderate,
    can_read_forum,
    can_read_question,
    can_view_lab_questions,
)
from app.validators import MAX_ID, has_control_characters

bp = Blueprint("mentions", __name__, url_prefix="/personen")

MAX_QUERY = 60  # a name of up to four words; anything longer is no name being typed
FORUM = "forum"
LAB_PREFIX = "lab:"
QUESTION_PREFIX = "vraag:"


def _answer(payload, status=200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _place(value):
    """(may_read, status): who reads the place named by `plek`, or None with the status to answer
    (400 for no place, 403 for a place the person cannot read, 404 for one that does not exist)."""
    if value == FORUM:
        return (can_read_forum, 200) if can_read_forum(current_user) else (None, 403)
    if not value.startswith((LAB_PREFIX, QUESTION_PREFIX)):
        return None, 400
    if not can_view_lab_questions(current_user):
        return None, 403
    if value.startswith(LAB_PREFIX):
        found = lab_queries.find_lab(value[len(LAB_PREFIX):])
        return (can_view_lab_questions, 200) if found is not None else (None, 404)
    number = value[len(QUESTION_PREFIX):]
    question = None
    if number.isascii() and number.isdigit() and 0 < int(number) <= MAX_ID:
        question = lab_queries.find_question(int(number), include_hidden=can_moderate(current_user))
    if question is None:
        return None, 404
    return (lambda person: can_read_question(person, question)), 200


@bp.route("/zoeken")
@limiter.limit("60 per minute", key_func=person_key)
def lookup():
    if not current_user.is_authenticated:
        return _answer({"fout": "Log in om iemand te noemen."}, 401)
    may_read, status = _place(request.args.get("plek", ""))
    if may_read is None:
        messages = {400: "Zeg waar je schrijft (plek).", 403: "Je kunt hier niemand noemen.",
                    404: "Deze plek bestaat niet."}
        return _answer({"fout": messages[status]}, status)
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY or has_control_characters(query):
        return _answer({"fout": "Typ een deel van een naam."}, 400)
    people = find_mentionable(query, may_read, exclude=current_user)
    return _answer({"people": [lookup_entry(person) for person in people]})


@bp.app_template_global("mention_lookup_url")
def mention_lookup_url():
    """The lookup for the Markdown boxes of this page (mentions.js reads it from its script tag),
    or None: only on pages of the forum and the labs, for people who read them."""
    if not has_request_context() or request.view_args is None:
        return None
    if not current_user.is_authenticated:
        return None
    if request.blueprint == "forum" and can_read_forum(current_user):
        return url_for("mentions.lookup", plek=FORUM)
    if request.blueprint == "labs" and can_view_lab_questions(current_user):
        args = request.view_args
        if "question_id" in args:
            return url_for("mentions.lookup", plek=f"{QUESTION_PREFIX}{args['question_id']}")
        if "lab_slug" in args:
            return url_for("mentions.lookup", plek=f"{LAB_PREFIX}{args['lab_slug']}")
    return None
