"""Thread pages and what people do with posts: reply, quote, edit, delete, report, watch."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import bookmarks, drafts, reactions
from app.accounts.limits import PostingLimit
from app.blueprints.common import person_key, write_or_preview
from app.blueprints.drafting import FormDraft, with_quote
from app.blueprints.forum.forms import EditPostForm, ReplyForm, ReportForm
from app.blueprints.images.form_images import FormImages
from app.blueprints.forum.routes import (
    action_rate,
    bp,
    posting_rate,
    reader_required,
    thread_url,
)
from app.extensions import limiter
from app.forum import queries, services
from app.forum.mentions import permalink_path
from app.markup import quote_header, quote_markdown
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


def _quote_link(post, permalink=None):
    """The link back to `post` in a quote of it, and its text: (path, "bericht #3");
    `permalink`: a url_with_id builder of permalinks, when a page has one."""
    return (permalink(post.id) if permalink else permalink_path(post)), f"bericht #{post.number}"


@bp.app_template_global("forum_quote_header")
def quote_header_of(post, permalink=None):
    """The first line of a quote of `post`, with a link back to it: the thread page gives it to
    editor.js, which puts a selected part of the post under it (with `permalink`, the page's
    url_with_id builder of permalinks, instead of building each one)."""
    return quote_header(author_name(post), *_quote_link(post, permalink))


def quote_for(thread, post_id):
    """The reply text quoting post `post_id` of this thread (404 for a post of another thread)."""
    post = queries.find_post(post_id)
    if post is None or post.thread_id != thread.id:
        abort(404)
    if not post.is_visible:
        return ""
    return quote_markdown(author_name(post), post.body_source, *_quote_link(post))


def add_quote(form, thread):
    """"Citeren" without JavaScript (?citeer=<post id> on a GET): the quote goes below the text (a
    restored draft stays) and the text box gets the focus. By autofocus, so the link has no
    #fragment: a browser does not autofocus a page opened at a fragment."""
    citeer = id_arg("citeer")
    if citeer is None:
        return
    form.body.data = with_quote(form.body.data, quote_for(thread, citeer))
    form.body.render_kw = dict(form.body.render_kw or {}, autofocus=True)


def reply_draft(form, thread):
    """The draft of a reply to `thread` (on the thread page and the reply page alike)."""
    return FormDraft(form, drafts.place_of(drafts.FORUM_REPLY, thread))


@bp.route("/<group_slug>/<id:thread_id>-<slug>")
@bp.route("/<group_slug>/<id:thread_id>", defaults={"slug": ""})
@reader_required
def thread(group_slug, thread_id, slug):
    thread = thread_or_404(thread_id)
    if thread.group.slug != group_slug or not slug:
        kept = {key: request.args[key] for key in ("pagina", "citeer") if key in request.args}
        return redirect(thread_url(thread, **kept))
    pagination, previous_read, watch_state = queries.thread_page(thread, current_user, page_arg())
    if not pagination.items and pagination.page > 1:
        return redirect(thread_url(thread, pagina=max(1, pagination.pages)))
    form = draft = None
    if can_post(current_user, thread):
        form = ReplyForm(formdata=None)
        draft = reply_draft(form, thread)
        draft.restore()
        add_quote(form, thread)
    page = render_template(
        "forum/thread.html",
        thread=thread,
        group=thread.group,
        pagination=pagination,
        form=form,
        draft=draft,
        previous_read=previous_read,
        watch_state=watch_state,
        thanks=reactions.thanks_on(current_user, pagination.items),
        marks=bookmarks.marks_on(current_user, thread=thread, posts=pagination.items),
    )
    # After rendering, in a short transaction of its own: a busy database skips the marker, never
    # the page.
    # Only when the page shows something not read before (a repeat view writes nothing).
    shown = max((post.number for post in pagination.items), default=0)
    if shown > previous_read:
        services.record_page_read(current_user.id, thread.id, shown)
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
    draft = reply_draft(form, thread)
    images = FormImages(form)
    writing = write_or_preview(form, lambda: services.post_reply(current_user, thread, form.body.data),
                               preview=lambda: services.preview_post(form.body.data, images.in_text()),
                               refusals=(PostingLimit,), draft=draft, images=images)
    if writing.draft_done:
        return redirect(url_for(".reply", group_slug=thread.group.slug, thread_id=thread.id))
    if request.method == "GET":
        add_quote(form, thread)
    if writing.saved:
        flash("Je reactie is geplaatst.", "success")
        return redirect(post_url(writing.result))
    return render_template("forum/reply.html", thread=thread, group=thread.group, form=form,
                           draft=draft, preview=writing.preview,
                           limit_message=writing.message), writing.status


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
    images = FormImages(form, post)
    writing = write_or_preview(form, lambda: services.edit_post(current_user, post, form.body.data),
                               preview=lambda: services.preview_post(form.body.data, images.in_text()),
                               images=images)
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
