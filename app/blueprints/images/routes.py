"""POST /afbeeldingen: upload an image for a post (images.js; JSON back). GET /afbeeldingen/<id>
and /afbeeldingen/<id>/klein: the picture and its thumbnail, for whoever may read its post.

The rules (what is accepted, who sees what) are app.post_images'; this module speaks HTTP. A
picture someone may not see is "not found" (404), never "forbidden": its number tells nothing.
"""
import os

from flask import Blueprint, abort, jsonify, request, send_file
from flask_login import current_user

from app import post_images, uploads
from app.blueprints.common import person_key
from app.extensions import limiter
from app.permissions import can_read_forum, can_view_lab_questions
from app.unit_of_work import refusable

bp = Blueprint("images", __name__, url_prefix=post_images.URL_PREFIX)

# A picture never changes under its address (a new upload gets a new number), so a browser may
# keep it: privately (it is not public), for a year.
CACHE_CONTROL = "private, max-age=31536000, immutable"
FIELD = "afbeelding"


def may_add_images(user):
    """Members, partners and staff: the people who write in the forum or the labs."""
    return bool(user.is_authenticated and (can_read_forum(user) or can_view_lab_questions(user)))


def _answer(payload, status):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("", methods=["POST"])
@limiter.limit("30 per 10 minutes;200 per day", key_func=person_key)
def upload():
    if not current_user.is_authenticated:
        return _answer({"fout": "Log in om een afbeelding toe te voegen."}, 401)
    if not may_add_images(current_user):
        return _answer({"fout": "Je kunt hier geen afbeeldingen toevoegen."}, 403)
    files = request.files.getlist(FIELD)
    if len(files) != 1:
        return _answer({"fout": "Kies één afbeelding om toe te voegen."}, 400)
    with refusable(post_images.ImageRejected, post_images.TooManyPending) as outcome:
        image = post_images.upload(current_user, files[0])
    if outcome.error is not None:
        return _answer({"fout": str(outcome.error)}, outcome.error.status)
    return _answer({
        "id": image.id,
        "url": post_images.image_path(image.id),
        "thumbnail": post_images.image_path(image.id, thumbnail=True),
        "width": image.thumb_width,
        "height": image.thumb_height,
        "alt": image.alt,
        "markdown": post_images.markdown_for(image),
    }, 201)


def _picture(image_id, thumbnail):
    image = post_images.find(image_id)
    if image is None or not post_images.may_view(current_user, image):
        abort(404)
    name = image.thumb_name if thumbnail else image.stored_name
    path = uploads.stored_path(name)
    if path is None or not os.path.isfile(path):
        abort(404)
    suffix = "-klein" if thumbnail else ""
    response = send_file(path, mimetype=post_images.CONTENT_TYPES[image.file_type],
                         download_name=f"afbeelding-{image.id}{suffix}.{image.file_type}",
                         conditional=True, etag=True)
    response.headers["Content-Disposition"] = (
        f'inline; filename="afbeelding-{image.id}{suffix}.{image.file_type}"')
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.route("/<id:image_id>")
def show(image_id):
    return _picture(image_id, thumbnail=False)


@bp.route("/<id:image_id>/klein")
def thumbnail(image_id):
    return _picture(image_id, thumbnail=True)
