"""Moderation in the discussion groups: hide and restore posts, lock, pin, move and delete threads,
and read a post's history. For moderators only (a post's history also for its author); the logic
lives in app/forum/moderation.py."""
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.forum.moderation_forms import HidePostForm, MoveThreadForm
from app.blueprints.forum.posts import post_or_404, post_url, thread_or_404
from app.blueprints.forum.routes import action_rate, bp, reader_required, thread_url
from app.extensions import db
from app.forum import moderation
from app.models.forum import ForumGroup
from app.permissions import can_moderate_forum, can_view_post_history
from app.unit_of_work import refusable
from app.validators import ConfirmForm

THREAD_PATH = "/<group_slug>/<id:thread_id>"
POST_PATH = "/bericht/<id:post_id>"


def moderator_required(view):
    """Visitors log in first; everyone else but moderators gets 403 (before anything is looked up,
    so the answer says nothing about which posts or threads exist)."""

    @reader_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not can_moderate_forum(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _confirmed():
    """The one-button forms carry nothing but their CSRF token."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _apply(action, success, unchanged=None):
    """Run a service action; a refusal is flashed in Dutch and nothing changes."""
    with refusable(moderation.ModerationError) as outcome:
        changed = action()
    if outcome.error:
        flash(str(outcome.error), "warning")
        return False
    if changed is False and unchanged:
        flash(unchanged, "info")
    else:
        flash(success, "success")
    return True


# -- posts ----------------------------------------------------------------------------------------

@bp.route(POST_PATH + "/verbergen", methods=["GET", "POST"])
@action_rate
@moderator_required
def hide_post(post_id):
    post = post_or_404(post_id)
    form = HidePostForm()
    status = 200
    if post.hidden_at is None and post.deleted_at is None and form.validate_on_submit():
        target = post_url(post)
        _apply(lambda: moderation.hide_post(current_user, post, form.reason.data),
               "Het bericht is verborgen. Alleen moderatoren zien het nog.")
        return redirect(target)
    if request.method == "POST":
        status = 409 if not post.is_visible else 400
    return render_template("forum/moderation/hide_post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form), status


@bp.route(POST_PATH + "/terugzetten", methods=["POST"])
@action_rate
@moderator_required
def restore_post(post_id):
    post = post_or_404(post_id)
    _confirmed()
    target = post_url(post)
    _apply(lambda: moderation.restore_post(current_user, post),
           "Het bericht is teruggezet en weer voor iedereen zichtbaar.")
    return redirect(target)


@bp.route(POST_PATH + "/geschiedenis")
@reader_required
def post_history(post_id):
    post = post_or_404(post_id)
    if not can_view_post_history(current_user, post):
        abort(403)
    return render_template("forum/moderation/post_history.html", post=post, thread=post.thread,
                           group=post.thread.group, revisions=moderation.post_revisions(post))


# -- threads --------------------------------------------------------------------------------------

def _thread_action(thread_id, action, success, unchanged):
    thread = thread_or_404(thread_id)
    _confirmed()
    _apply(lambda: action(current_user, thread), success, unchanged)
    return redirect(thread_url(thread))


@bp.route(THREAD_PATH + "/sluiten", methods=["POST"])
@action_rate
@moderator_required
def lock_thread(group_slug, thread_id):
    return _thread_action(thread_id, moderation.lock_thread,
                          "De discussie is gesloten: alleen moderatoren kunnen nog reageren.",
                          "De discussie was al gesloten.")


@bp.route(THREAD_PATH + "/heropenen", methods=["POST"])
@action_rate
@moderator_required
def unlock_thread(group_slug, thread_id):
    return _thread_action(thread_id, moderation.unlock_thread,
                          "De discussie is heropend: iedereen kan weer reageren.",
                          "De discussie was al open.")


@bp.route(THREAD_PATH + "/vastzetten", methods=["POST"])
@action_rate
@moderator_required
def pin_thread(group_slug, thread_id):
    return _thread_action(thread_id, moderation.pin_thread,
                          "De discussie is vastgezet bovenaan de groep.",
                          "De discussie stond al vast.")


@bp.route(THREAD_PATH + "/losmaken", methods=["POST"])
@action_rate
@moderator_required
def unpin_thread(group_slug, thread_id):
    return _thread_action(thread_id, moderation.unpin_thread,
                          "De discussie staat niet meer vast.",
                          "De discussie stond niet vast.")


def _render_move(thread, form, status=200):
    return render_template("forum/moderation/move_thread.html", thread=thread, group=thread.group,
                           form=form), status


@bp.route(THREAD_PATH + "/verplaatsen")
@moderator_required
def move_thread_form(group_slug, thread_id):
    thread = thread_or_404(thread_id)
    form = MoveThreadForm(formdata=None)
    form.set_groups(moderation.other_groups(thread))
    return _render_move(thread, form)


@bp.route(THREAD_PATH + "/verplaatsen", methods=["POST"])
@action_rate
@moderator_required
def move_thread(group_slug, thread_id):
    thread = thread_or_404(thread_id)
    form = MoveThreadForm()
    # Every group is a valid answer here, so choosing the current one gets its own message.
    groups = moderation.ordered_groups()
    form.set_groups(groups)
    if not form.validate_on_submit():
        form.set_groups([group for group in groups if group.id != thread.group_id])
        return _render_move(thread, form, 400)
    target = db.session.get(ForumGroup, int(form.group.data))
    if _apply(lambda: moderation.move_thread(current_user, thread, target),
              f"De discussie staat nu in de groep {target.name}."):
        return redirect(thread_url(thread))
    return redirect(url_for(".move_thread_form", group_slug=thread.group.slug, thread_id=thread.id))


@bp.route(THREAD_PATH + "/verwijderen", methods=["GET", "POST"])
@action_rate
@moderator_required
def delete_thread(group_slug, thread_id):
    thread = thread_or_404(thread_id)
    form = ConfirmForm()
    if thread.deleted_at is None and form.validate_on_submit():
        group = thread.group
        if _apply(lambda: moderation.delete_thread(current_user, thread),
                  f"De discussie “{thread.title}” is verwijderd."):
            return redirect(url_for(".group", group_slug=group.slug))
        return redirect(thread_url(thread))
    status = 200
    if request.method == "POST":
        status = 409 if thread.deleted_at is not None else 400
    return render_template("forum/moderation/delete_thread.html", thread=thread, group=thread.group,
                           form=form), status
