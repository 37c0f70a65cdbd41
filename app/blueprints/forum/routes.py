"""The discussion groups: the group list, a group's threads, starting a thread, watching a group.

Thread pages and post actions live in posts.py, moderation in moderation.py; all on this blueprint.
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import drafts
from app.accounts.limits import PostingLimit
from app.blueprints.common import person_key, write_or_preview
from app.blueprints.drafting import FormDraft
from app.blueprints.forum.forms import ThreadForm
from app.blueprints.images.form_images import FormImages
from app.extensions import db, limiter, login_manager
from app.forum import queries, services
from app.models.forum import POSTS_PER_PAGE, THREADS_PER_PAGE
from app.pagination import page_arg
from app.permissions import can_post, can_read_forum
from app.slugs import thread_slug
from app.validators import ConfirmForm, safe_next_url

bp = Blueprint("forum", __name__, url_prefix="/forum")


# Shared by starting threads and replying (previews count too): a backstop behind the posting
# limits of app.accounts.limits.check_posting_limit, which give the friendly message.
posting_rate = limiter.shared_limit("40 per 10 minutes;300 per day", scope="forum-posting",
                                    key_func=person_key, methods=["POST"])
action_rate = limiter.shared_limit("120 per hour", scope="forum-actions", key_func=person_key,
                                   methods=["POST"])


@bp.app_template_global("forum_thread_url")
def thread_url(thread, **values):
    """The address of a thread page (pass pagina=…, _anchor=… as needed)."""
    return url_for("forum.thread", group_slug=thread.group.slug, thread_id=thread.id,
                   slug=thread_slug(thread.title), **values)


def _back_path():
    """The page a form was posted from, when it is on this site (to return to after login)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next_url(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def no_access():
    return render_template("forum/no_access.html"), 403


def reader_required(view):
    """Visitors are sent to log in; logged-in people without forum rights get a friendly 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            if request.method != "GET":
                flash("Log in om mee te doen aan de discussies.", "info")
                return redirect(url_for("auth.login", next=_back_path() or url_for(".index")))
            return login_manager.unauthorized()
        if not can_read_forum(current_user):
            return no_access()
        return view(*args, **kwargs)

    return wrapped


def group_or_404(slug):
    group = queries.find_group(slug)
    if group is None:
        abort(404)
    return group


@bp.route("")
def index():
    groups = queries.groups()
    unread = set()
    if can_read_forum(current_user):
        unread = queries.groups_with_unread(current_user)
    return render_template("forum/index.html", groups=groups, unread=unread)


@bp.route("/<group_slug>")
@reader_required
def group(group_slug):
    group = group_or_404(group_slug)
    pagination = db.paginate(queries.thread_list_query(group), page=page_arg(),
                             per_page=THREADS_PER_PAGE, error_out=False)
    return render_template(
        "forum/group.html",
        group=group,
        pagination=pagination,
        read_map=queries.read_numbers(current_user, pagination.items),
        watching=queries.watches_group(current_user, group),
        posts_per_page=POSTS_PER_PAGE,
    )


@bp.route("/<group_slug>/nieuw", methods=["GET", "POST"])
@posting_rate
@reader_required
def new_thread(group_slug):
    group = group_or_404(group_slug)
    if not can_post(current_user):
        return no_access()
    form = ThreadForm()
    draft = FormDraft(form, drafts.place_of(drafts.FORUM_THREAD, group),
                      {"title": "title", "body": "body"})
    images = FormImages(form)
    writing = write_or_preview(
        form, lambda: services.create_thread(current_user, group, form.title.data, form.body.data),
        preview=lambda: services.preview_post(form.body.data, images.in_text()),
        refusals=(PostingLimit,), draft=draft, images=images)
    if writing.draft_done:
        return redirect(url_for(".new_thread", group_slug=group.slug))
    if writing.saved:
        thread, _post = writing.result
        flash("Je discussie is geplaatst.", "success")
        return redirect(thread_url(thread))
    return render_template("forum/new_thread.html", group=group, form=form, draft=draft,
                           preview=writing.preview, limit_message=writing.message), writing.status


@bp.route("/<group_slug>/volgen", methods=["POST"])
@action_rate
@reader_required
def watch_group(group_slug):
    group = group_or_404(group_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.watch_group(current_user, group)
    flash(f"Je volgt nu de groep {group.name}: je krijgt een melding bij elke nieuwe discussie.",
          "success")
    return redirect(url_for(".group", group_slug=group.slug))


@bp.route("/<group_slug>/niet-volgen", methods=["POST"])
@action_rate
@reader_required
def unwatch_group(group_slug):
    group = group_or_404(group_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.unwatch_group(current_user, group)
    flash(f"Je volgt de groep {group.name} niet meer.", "success")
    return redirect(url_for(".group", group_slug=group.slug))
