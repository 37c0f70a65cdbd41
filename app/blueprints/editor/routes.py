"""POST /schrijven/voorbeeld: the live preview under a Markdown text box (static/js/editor.js).

The text is rendered by the function that renders it when it is saved (the forum's and the labs'
services, with the same @mentions and pictures), after the same clean-up as the form's, so the
preview never differs from the result. JSON {plek, tekst} with the CSRF token in the X-CSRFToken
header; the answer is {html, notities} (notities: who will not hear of an @mention) or {fout}.

`plek` names the form being written, as `editor_place()` tells the page:
  forum                        a new thread or a reply
  bericht:<post id>            an edit of that forum post
  lab:<lab slug>               a new question in that lab
  vraag:<question id>          an answer or response to that question
  vraag-bewerken:<question id> an edit of that question
  antwoord-bewerken:<reply id> an edit of that answer or response
Only someone who may write there gets a preview: 401 for a visitor, 403 for a place they may not
write in, 404 for one that does not exist (or that they cannot see). The text has the length limit
of its form; rate limited per person; never cached.
"""
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, has_request_context, jsonify, request, url_for
from flask_login import current_user

from app.blueprints.common import person_key
from app.blueprints.forum.forms import MAX_BODY as FORUM_TEXT
from app.blueprints.labs.forms import MAX_TEXT as LAB_TEXT
from app.extensions import db, limiter
from app.forum import queries as forum_queries
from app.forum import services as forum_services
from app.labs import queries as lab_queries
from app.labs import services as lab_services
from app.models.labs import LabReply
from app.permissions import (
    can_answer,
    can_ask_question,
    can_edit_post,
    can_edit_question,
    can_edit_reply,
    can_moderate,
    can_post,
    can_respond,
)
from app.post_images import ImagesInText
from app.validators import MAX_ID, has_control_characters, normalise_body

bp = Blueprint("editor", __name__, url_prefix="/schrijven")

NOT_SIGNED_IN = "Je bent niet meer ingelogd. Kopieer je tekst en log opnieuw in."
BAD_REQUEST = "Dit verzoek klopt niet."
MESSAGES = {403: "Je kunt hier niet schrijven.", 404: "Deze plek bestaat niet (meer)."}


@dataclass(frozen=True)
class Box:
    """A text box someone may write in: its form's length limit and its preview (text → an
    app.accounts.mentions.Preview, rendered as on save)."""

    limit: int
    preview: Callable


def _number(text):
    """A row id from a place, or None."""
    if text.isascii() and text.isdigit() and not text.startswith("0") and int(text) <= MAX_ID:
        return int(text)
    return None


def _question(number):
    if number is None:
        return None
    return lab_queries.find_question(number, include_hidden=can_moderate(current_user))


def _forum(_):
    if not can_post(current_user):
        return 403
    return Box(FORUM_TEXT, lambda text: forum_services.preview_post(text, ImagesInText(current_user)))


def _forum_edit(ident):
    post = forum_queries.find_post(_number(ident))
    if post is None or (post.thread.deleted_at is not None and not can_moderate(current_user)):
        return 404
    if not can_edit_post(current_user, post):
        return 403
    return Box(FORUM_TEXT,
               lambda text: forum_services.preview_post(text, ImagesInText(current_user, post)))


def _lab(slug):
    lab = lab_queries.find_lab(slug)
    if lab is None:
        return 404
    if not can_ask_question(current_user, lab):
        return 403
    return Box(LAB_TEXT, lambda text: lab_services.preview_text(text, None, ImagesInText(current_user)))


def _answer(ident):
    question = _question(_number(ident))
    if question is None:
        return 404
    if not (can_answer(current_user, question) or can_respond(current_user, question)):
        return 403
    return Box(LAB_TEXT,
               lambda text: lab_services.preview_text(text, question, ImagesInText(current_user)))


def _question_edit(ident):
    question = _question(_number(ident))
    if question is None:
        return 404
    if not can_edit_question(current_user, question):
        return 403
    return Box(LAB_TEXT, lambda text: lab_services.preview_text(
        text, question, ImagesInText(current_user, question)))


def _reply_edit(ident):
    number = _number(ident)
    found = db.session.get(LabReply, number) if number is not None else None
    question = _question(found.question_id) if found is not None else None
    reply = lab_queries.find_reply(question, number) if question is not None else None
    if reply is None:
        return 404
    if not can_edit_reply(current_user, reply):
        return 403
    return Box(LAB_TEXT, lambda text: lab_services.preview_text(
        text, question, ImagesInText(current_user, reply)))


_PLACES = {
    "forum": _forum,
    "bericht": _forum_edit,
    "lab": _lab,
    "vraag": _answer,
    "vraag-bewerken": _question_edit,
    "antwoord-bewerken": _reply_edit,
}

# The place of each page with Markdown boxes, from its endpoint and view arguments.
_PAGE_PLACES = {
    "forum.new_thread": lambda args: "forum",
    "forum.thread": lambda args: "forum",
    "forum.reply": lambda args: "forum",
    "forum.edit_post": lambda args: f"bericht:{args['post_id']}",
    "labs.ask": lambda args: f"lab:{args['lab_slug']}",
    "labs.question": lambda args: f"vraag:{args['question_id']}",
    "labs.answer": lambda args: f"vraag:{args['question_id']}",
    "labs.respond": lambda args: f"vraag:{args['question_id']}",
    "labs.edit_question": lambda args: f"vraag-bewerken:{args['question_id']}",
    "labs.edit_reply": lambda args: f"antwoord-bewerken:{args['reply_id']}",
}


def _box(place):
    """The Box at `place`, or the status to answer (400 for a place that is none of ours)."""
    if not isinstance(place, str) or len(place) > 100:
        return 400
    kind, _, ident = place.partition(":")
    if kind not in _PLACES or (kind == "forum") != (ident == ""):
        return 400
    return _PLACES[kind](ident)


def _answer_json(payload, status=200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/voorbeeld", methods=["POST"])
@limiter.limit("60 per minute;1500 per hour", key_func=person_key)
def preview():
    if not current_user.is_authenticated:
        return _answer_json({"fout": NOT_SIGNED_IN}, 401)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("tekst"), str):
        return _answer_json({"fout": BAD_REQUEST}, 400)
    box = _box(data.get("plek"))
    if not isinstance(box, Box):
        return _answer_json({"fout": MESSAGES.get(box, BAD_REQUEST)}, box)
    text = normalise_body(data["tekst"])
    if len(text) > box.limit:
        limit = f"{box.limit:,}".replace(",", ".")
        return _answer_json({"fout": f"Je tekst is te lang: hoogstens {limit} tekens."}, 400)
    if has_control_characters(text):
        return _answer_json({"fout": "Je tekst bevat onzichtbare tekens die we niet kunnen opslaan. "
                                     "Haal ze weg en probeer het opnieuw."}, 400)
    shown = box.preview(text)
    return _answer_json({"html": str(shown.html), "notities": list(shown.notes)})


@bp.app_template_global("editor_place")
def editor_place():
    """{url, plek} for editor.js on a page with Markdown boxes the person may write in, else None."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    place = _PAGE_PLACES.get(request.endpoint)
    if place is None or not request.view_args:
        return None
    return {"url": url_for("editor.preview"), "plek": place(request.view_args)}
