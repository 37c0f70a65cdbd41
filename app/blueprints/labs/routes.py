"""The partner labs: the lab list, a lab's page with its questions, and asking a question.

Question pages and what people do there live in questions.py, on this same blueprint.
"""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import drafts
from app.accounts.limits import PostingLimit
from app.blueprints.common import only_known_arguments, person_key, write_or_preview
from app.blueprints.drafting import FormDraft
from app.blueprints.images.form_images import FormImages
from app.blueprints.labs.forms import QuestionForm
from app.extensions import db, limiter, login_manager
from app.labs import queries, services
from app.labs.similar import similar_questions
from app.models.labs import QUESTION_STATUS_LABELS
from app.pagination import page_arg
from app.permissions import can_ask_question, can_moderate, can_view_lab_questions

bp = Blueprint("labs", __name__, url_prefix="/labs")

# A backstop behind the posting limits of app.accounts.limits, which give the
# friendly message; previews count too. Shared by questions, answers and responses.
posting_rate = limiter.shared_limit("30 per 10 minutes;200 per day", scope="lab-posting",
                                    key_func=person_key, methods=["POST"])
action_rate = limiter.shared_limit("120 per hour", scope="lab-actions", key_func=person_key,
                                   methods=["POST"])

# Status badges: a word and a colour (the word carries the meaning; the colour helps).
STATUS_BADGES = {
    "open": "text-bg-warning",
    "beantwoord": "text-bg-info",
    "opgelost": "text-bg-success",
}


@bp.app_template_global("lab_status_badge")
def lab_status_badge(status):
    return STATUS_BADGES.get(status, "text-bg-secondary")


@bp.app_template_global("lab_question_url")
def question_url(question, **values):
    return url_for("labs.question", lab_slug=question.lab.slug, question_id=question.id, **values)


def no_access():
    return render_template("labs/no_access.html"), 403


def reader_required(view):
    """Visitors are sent to log in; logged-in people without access get a friendly 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            if request.method != "GET":
                flash("Log in om mee te doen in de labs.", "info")
                return redirect(url_for("auth.login", next=url_for(".index")))
            return login_manager.unauthorized()
        if not can_view_lab_questions(current_user):
            return no_access()
        return view(*args, **kwargs)

    return wrapped


def question_preview(form, question=None, images=None):
    """The preview of a question (a new one, or `question` edited): its text and, when given, its
    context, as they will be saved (with the pictures `images` vouches for, one count for both);
    and the notes about @mentions that reach nobody."""
    body = services.preview_text(form.body.data, question, images)
    context = (services.preview_text(form.context.data, question, images) if form.context.data
               else None)
    notes = list(body.notes) + [note for note in (context.notes if context else ())
                                if note not in body.notes]
    return {"body": body, "context": context, "notes": notes}


def lab_or_404(slug):
    lab = queries.find_lab(slug)
    if lab is None:
        abort(404)
    return lab


@bp.route("")
def index():
    include_hidden = can_moderate(current_user)
    return render_template(
        "labs/index.html",
        labs=queries.labs(),
        counts=queries.status_counts(include_hidden),
        organisations=queries.organisation_counts(),
        statuses=QUESTION_STATUS_LABELS,
    )


def _filters():
    status = request.args.get("status", "")
    research = request.args.get("onderzoeksvraag", "") in ("1", "ja", "on")
    return (status if status in QUESTION_STATUS_LABELS else None), research


@bp.route("/<lab_slug>")
def lab(lab_slug):
    lab = lab_or_404(lab_slug)
    odd = only_known_arguments(".lab", ("status", "onderzoeksvraag", "pagina"), lab_slug=lab.slug)
    if odd is not None:
        return odd
    status, research = _filters()
    pagination = None
    if can_view_lab_questions(current_user):
        query = queries.question_list_query(lab, status, research,
                                            include_hidden=can_moderate(current_user))
        pagination = db.paginate(query, page=page_arg(), per_page=queries.QUESTIONS_PER_PAGE,
                                 error_out=False)
    return render_template(
        "labs/lab.html",
        lab=lab,
        organisations=queries.organisations_of(lab),
        counts=queries.status_counts(can_moderate(current_user)).get(lab.id, {}),
        pagination=pagination,
        status=status,
        research=research,
        statuses=QUESTION_STATUS_LABELS,
    )


@bp.route("/<lab_slug>/vragen/nieuw", methods=["GET", "POST"])
@posting_rate
@reader_required
def ask(lab_slug):
    lab = lab_or_404(lab_slug)
    if not can_ask_question(current_user, lab):
        return render_template("labs/cannot_ask.html", lab=lab), 403
    form = QuestionForm()
    draft = FormDraft(form, drafts.place_of(drafts.LAB_QUESTION, lab),
                      {"title": "title", "body": "body", "context": "context"})
    images = FormImages(form, texts=("body", "context"))
    writing = write_or_preview(
        form,
        lambda: services.ask_question(current_user, lab, form.title.data, form.body.data,
                                      form.context.data, form.is_research.data),
        preview=lambda: question_preview(form, images=images.in_text()),
        refusals=(PostingLimit, services.LabError), draft=draft, images=images)
    if writing.draft_done:
        return redirect(url_for(".ask", lab_slug=lab.slug))
    if writing.saved:
        flash(f"Je vraag is gesteld. De partners van het {lab.name} hebben een melding "
              "gekregen.", "success")
        return redirect(question_url(writing.result))
    limited = isinstance(writing.refusal, PostingLimit)
    # After "Voorbeeld" (or a refused question), the questions like its title: without JavaScript
    # this is where the asker sees them (static/js/similar.js shows them while typing).
    similar = (similar_questions(lab, form.title.data, current_user)
               if request.method == "POST" and form.title.data else [])
    return render_template("labs/ask.html", lab=lab, form=form, draft=draft,
                           preview=writing.preview, similar=similar,
                           limit_message=writing.message if limited else None,
                           error=None if limited else writing.message), writing.status
