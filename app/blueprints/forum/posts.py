"""Thread pages and what people do with posts: reply, quote, edit, delete, report, watch."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.limits import PostingLimit
from app.blueprints.common import person_key, write_or_preview
from app.blueprints.forum.forms import EditPostForm, ReplyForm, ReportForm
from app.blueprints.forum.routes import (
    action_rate,
    bp,
    posting_rate,
    reader_required,
    thread_url,
)
from app.extensions import db, limiter
from app.forum import queries, services
from app.markup import quote_markdown
from app.models.forum import POSTS_PER_PAGE
from app.pagination import id_arg, page_arg
from app.permissions import (
    can_delete_post,
    can_edit_post,
    can_moderate_forum,
    can_post,
    can_report_post,
)
from app.unit_of_work import refusable
from app.validators import ConfirmForm

LOCKED = "Deze discussie is gesloten: er kunnen geen reacties meer bij."


def thread_or_404(thread_id):
    thread = queries.find_thread(thread_id, include_deleted=can_moderate_forum(current_user))
    if thread is None:
        abort(404)
    return thread


def post_or_404(post_id):
    """A post whose thread this person may see (moderators also see deleted threads)."""
    post = queries.find_post(post_id)
    if post is None or (post.thread.deleted_at is not None and not can_moderate_forum(current_user)):
        abort(404)
    return post


def post_url(post):
    """The thread page that shows `post`, at the post."""
    return thread_url(post.thread, pagina=queries.page_of(post), _anchor=f"bericht-{post.number}")


def author_name(post):
    return post.author.name if post.author else "voormalig lid"


def quote_for(thread, post_id):
    """The reply text quoting post `post_id` of this thread (404 for a post of another thread)."""
    post = queries.find_post(post_id)
    if post is None or post.thread_id != thread.id:
        abort(404)
    if not post.is_visible:
        return ""
    return quote_markdown(author_name(post), post.body_source)


@bp.route("/<group_slug>/<id:thread_id>-<slug>")
@bp.route("/<group_slug>/<id:thread_id>", defaults={"slug": ""})
@reader_required
def thread(group_slug, thread_id, slug):
    thread = thread_or_404(thread_id)
    if thread.group.slug != group_slug or not slug:
        kept = {key: request.args[key] for key in ("pagina", "citeer") if key in request.args}
        return redirect(thread_url(thread, **kept))
    pagination = db.paginate(queries.post_list_query(thread), page=page_arg(),
                             per_page=POSTS_PER_PAGE, error_out=False)
    if not pagination.items and pagination.page > 1:
        return redirect(thread_url(thread, pagina=max(1, pagination.pages)))
    form = None
    if can_post(current_user, thread):
        form = ReplyForm(formdata=None)
        citeer = id_arg("citeer")
        if citeer is not None:
            form.body.data = quote_for(thread, citeer)
    previous_read = queries.last_read_number(current_user, thread)
    page = render_template(
        "forum/thread.html",
        thread=thread,
        group=thread.group,
        pagination=pagination,
        form=form,
        previous_read=previous_read,
        watch_state=queries.thread_watch_state(current_user, thread),
    )
    # After rendering, in a short transaction of its own: a busy database skips the marker, never
    # the page.
    if pagination.items:
        services.record_page_read(current_user.id, thread.id,
                                  max(post.number for post in pagination.items))
    return page


@bp.route("/<group_slug>/<id:thread_id>/reageren", methods=["GET", "POST"])
@posting_rate
@reader_required
def reply(group_slug, thread_id):
    thread = thread_or_404(thread_id)
    if not can_post(current_user, thread):
        if thread.locked and thread.deleted_at is None:
            flash(LOCKED, "warning")
            return redirect(thread_url(thread))
        abort(403)
    form = ReplyForm()
    if request.method == "GET":
        citeer = id_arg("citeer")
        if citeer is not None:
            form.body.data = quote_for(thread, citeer)
    writing = write_or_preview(form, lambda: services.post_reply(current_user, thread, form.body.data),
                               preview=lambda: services.preview_post(form.body.data),
                               refusals=(PostingLimit,))
    if writing.saved:
        flash("Je reactie is geplaatst.", "success")
        return redirect(post_url(writing.result))
    return render_template("forum/reply.html", thread=thread, group=thread.group, form=form,
                           preview=writing.preview, limit_message=writing.message), writing.status


@bp.route("/bericht/<id:post_id>")
@reader_required
def post_permalink(post_id):
    return redirect(post_url(post_or_404(post_id)))


@bp.route("/bericht/<id:post_id>/bewerken", methods=["GET", "POST"])
@limiter.limit("60 per hour", key_func=person_key, methods=["POST"])
@reader_required
def edit_post(post_id):
    post = post_or_404(post_id)
    if not can_edit_post(current_user, post):
        abort(403)
    form = EditPostForm(body=post.body_source)
    writing = write_or_preview(form, lambda: services.edit_post(current_user, post, form.body.data),
                               preview=lambda: services.preview_post(form.body.data))
    if writing.saved:
        changed = writing.result
        flash("Je wijziging is opgeslagen." if changed else "Er was niets veranderd.",
              "success" if changed else "info")
        return redirect(post_url(post))
    return render_template("forum/edit_post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form, preview=writing.preview), writing.status


@bp.route("/bericht/<id:post_id>/verwijderen", methods=["GET", "POST"])
@action_rate
@reader_required
def delete_post(post_id):
    post = post_or_404(post_id)
    if not can_delete_post(current_user, post):
        abort(403)
    form = ConfirmForm()
    blocked = services.opening_post_blocked(post)
    if form.validate_on_submit() and not blocked:
        thread = post.thread
        with refusable(services.ForumError) as outcome:  # a reply arrived in between
            thread_gone = services.delete_post(current_user, post)
        if outcome.error:
            flash(str(outcome.error), "warning")
            return redirect(url_for(".delete_post", post_id=post_id))
        target = (url_for(".group", group_slug=thread.group.slug) if thread_gone else post_url(post))
        flash("De discussie is verwijderd." if thread_gone else "Het bericht is verwijderd.",
              "success")
        return redirect(target)
    status = 400 if request.method == "POST" and not blocked else 200
    return render_template("forum/delete_post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form, blocked=blocked), status


@bp.route("/bericht/<id:post_id>/melden", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=person_key, methods=["POST"])
@reader_required
def report_post(post_id):
    post = post_or_404(post_id)
    if not can_report_post(current_user, post):
        abort(403)
    form = ReportForm()
    already = services.has_open_report(current_user, post)
    status = 200
    if not already and form.validate_on_submit():
        with refusable(services.ForumError) as outcome:
            services.report_post(current_user, post, form.reason.data)
        if outcome.error:
            flash(str(outcome.error), "info")
        else:
            flash("Dank je. Een moderator bekijkt het bericht zo snel mogelijk.", "success")
        return redirect(post_url(post))
    if request.method == "POST":
        status = 409 if already else 400
    return render_template("forum/report_post.html", post=post, thread=post.thread,
                           group=post.thread.group, form=form, already=already), status


def _change_watch(thread_id, change, message):
    thread = thread_or_404(thread_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    change(current_user, thread)
    flash(message, "success")
    return redirect(thread_url(thread))


@bp.route("/<group_slug>/<id:thread_id>/volgen", methods=["POST"])
@action_rate
@reader_required
def watch_thread(group_slug, thread_id):
    return _change_watch(thread_id, services.watch_thread,
                         "Je volgt deze discussie: je krijgt een melding bij nieuwe reacties.")


@bp.route("/<group_slug>/<id:thread_id>/niet-volgen", methods=["POST"])
@action_rate
@reader_required
def unwatch_thread(group_slug, thread_id):
    return _change_watch(thread_id, services.unwatch_thread,
                         "Je volgt deze discussie niet meer. Reageer je weer, dan volg je hem opnieuw.")


@bp.route("/<group_slug>/<id:thread_id>/negeren", methods=["POST"])
@action_rate
@reader_required
def mute_thread(group_slug, thread_id):
    return _change_watch(thread_id, services.mute_thread,
                         "Je negeert deze discussie: je krijgt geen meldingen van reacties meer, "
                         "ook niet als je zelf reageert.")
