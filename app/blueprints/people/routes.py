"""People's pages (/leden/<id>-<name>): who someone is and what they wrote, for forum readers.

The name part of the address is cosmetic: a wrong or missing one is a permanent redirect to the
right one. An unknown id and a deleted account are a 404. Nothing on the page tells others about a
suspension; moderators see it with their links to /beheer. A person edits their own profile on
/account (app.blueprints.account).
"""
from functools import wraps

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from app import uploads
from app.accounts import profiles
from app.extensions import db, login_manager
from app.forum import queries as forum_queries
from app.labs import queries as lab_queries
from app.pagination import page_arg
from app.permissions import (
    can_moderate,
    can_moderate_forum,
    can_view_lab_questions,
    can_view_profile,
    can_view_profiles,
)
from app.slugs import person_slug

bp = Blueprint("people", __name__, url_prefix="/leden")

PER_PAGE = 10
POSTS_PAGE = "berichten"  # ?berichten=2: the page of forum posts
LAB_PAGE = "labbijdragen"  # ?labbijdragen=2: the page of lab questions and answers


@bp.app_template_global("profile_url")
def profile_url(person, **values):
    """The address of a person's profile (pass berichten=…, _anchor=… as needed)."""
    return url_for("people.profile", user_id=person.id, slug=person_slug(person.name), **values)


@bp.app_template_global("person_initials")
def person_initials(person):
    return profiles.initials(person.name if person is not None else "")


@bp.app_template_global("avatar_colour")
def avatar_colour(person):
    """The CSS class of the colour behind someone's initials (fixed by their id)."""
    return f"avatar-kleur-{profiles.palette_index(person.id if person is not None else 0)}"


@bp.app_template_global("links_to_profile")
def links_to_profile(person):
    """Whether `person`'s name links to their profile for whoever is looking. A global (not the
    context's permission checks), so the people macros work when imported without context."""
    return can_view_profile(current_user, person)


@bp.app_template_global("shows_photos")
def shows_photos():
    """Whether whoever is looking may load people's photos (else initials are shown)."""
    return can_view_profiles(current_user)


def readers_only(view):
    """Visitors are sent to log in; logged-in people who do not read the forum get a friendly 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not can_view_profiles(current_user):
            return render_template("people/no_access.html"), 403
        return view(*args, **kwargs)

    return wrapped


@bp.route("/<id:user_id>-<slug>")
@bp.route("/<id:user_id>", defaults={"slug": ""})
@readers_only
def profile(user_id, slug):
    person = profiles.find_person(user_id)
    if not can_view_profile(current_user, person):
        abort(404)
    if slug != person_slug(person.name):
        kept = {key: request.args[key] for key in (POSTS_PAGE, LAB_PAGE) if key in request.args}
        return redirect(profile_url(person, **kept), 301)
    posts = db.paginate(
        forum_queries.posts_by_query(person, include_hidden=can_moderate_forum(current_user)),
        page=page_arg(POSTS_PAGE), per_page=PER_PAGE, error_out=False)
    contributions = None
    if can_view_lab_questions(current_user):
        contributions = lab_queries.contributions_by(
            person, page_arg(LAB_PAGE), PER_PAGE, include_hidden=can_moderate(current_user))
    return render_template("people/profile.html", person=person, posts=posts,
                           contributions=contributions, posts_page=POSTS_PAGE, lab_page=LAB_PAGE,
                           own=person.id == current_user.id)


@bp.route("/<id:user_id>/foto/<photo_name>")
@readers_only
def avatar(user_id, photo_name):
    """Someone's current photo, for those who may see their profile; nothing else in UPLOAD_DIR."""
    if profiles.avatar_owner(user_id, photo_name) is None:
        abort(404)
    response = uploads.photo_response(photo_name)
    # Only for forum readers: no shared cache may keep it for others.
    response.headers["Cache-Control"] = f"private, max-age={uploads.PHOTO_MAX_AGE}"
    return response
