"""A question page and what people do there: answer, respond, accept, edit, view the history."""
from flask import abort, flash, redirect, render_template
from flask_login import current_user

from app import bookmarks, drafts, reactions
from app.accounts.limits import PostingLimit
from app.blueprints.common import write_or_preview
from app.blueprints.drafting import FormDraft
from app.blueprints.images.form_images import FormImages
from app.blueprints.labs.forms import (
    AnswerForm,
    EditQuestionForm,
    EditReplyForm,
    ResponseForm,
)
from app.blueprints.labs.routes import (
    action_rate,
    bp,
    lab_or_404,
    posting_rate,
    question_preview,
    question_url,
    reader_required,
)
from app.labs import queries, services
from app.labs.similar import similar_questions
from app.permissions import (
    can_accept,
    can_answer,
    can_edit_question,
    can_edit_reply,
    can_moderate,
    can_respond,
    can_view_lab_history,
)
from app.unit_of_work import refusable
from app.validators import ConfirmForm

QUESTION_PATH = "/<lab_slug>/vragen/<id:question_id>"
REPLY_PATH = QUESTION_PATH + "/antwoorden/<id:reply_id>"


def question_or_404(lab_slug, question_id):
    """The question, when it belongs to this lab (404 otherwise: POSTs are not redirected)."""
    lab = lab_or_404(lab_slug)
    question = queries.find_question(question_id, include_hidden=can_moderate(current_user))
    if question is None or question.lab_id != lab.id:
        abort(404)
    return question


def reply_or_404(question, reply_id):
    reply = queries.find_reply(question, reply_id)
    if reply is None:
        abort(404)
    return reply


def reply_url(reply):
    return question_url(reply.question, _anchor=f"antwoord-{reply.id}")


# Answering and responding: who may, the form, the service, the draft's place and the form's
# section on the question page.
KINDS = {
    AnswerForm: (can_answer, services.post_answer, drafts.LAB_ANSWER, "beantwoorden"),
    ResponseForm: (can_respond, services.post_response, drafts.LAB_RESPONSE, "reageren"),
}


def reply_draft(form, question):
    """The draft of an answer or response to `question` (its form says which)."""
    return FormDraft(form, drafts.place_of(KINDS[type(form)][2], question),
                     {"body": form.body.short_name})


def _form_and_draft(form_class, question, posted):
    """The form of `form_class` on the question page, with its draft: the posted one (with the
    text sent), else a blank form filled from the person's draft; (None, None) for someone who
    may not use it."""
    if not KINDS[form_class][0](current_user, question):
        return None, None
    if posted is not None and isinstance(posted[0], form_class):
        return posted
    form = form_class(formdata=None)
    draft = reply_draft(form, question)
    draft.restore()
    return form, draft


def _page(question, posted=None, preview=None, limit_message=None, status=200):
    """The question page; the forms are blank (or hold the person's drafts) unless one was just
    posted with a problem: `posted` is that (form, draft)."""
    answer_form, answer_draft = _form_and_draft(AnswerForm, question, posted)
    response_form, response_draft = _form_and_draft(ResponseForm, question, posted)
    replies = queries.replies_of(question)
    return render_template(
        "labs/question.html",
        question=question,
        lab=question.lab,
        replies=replies,
        helpful=reactions.helpful_on(current_user, replies),
        marks=bookmarks.marks_on(current_user, question=question),
        answer_form=answer_form,
        answer_draft=answer_draft,
        response_form=response_form,
        response_draft=response_draft,
        may_accept=can_accept(current_user, question),
        similar=similar_questions(question.lab, question.title, current_user,
                                  exclude_id=question.id),
        preview=preview,
        limit_message=limit_message,
    ), status


@bp.route(QUESTION_PATH)
@reader_required
def question(lab_slug, question_id):
    question = queries.find_question(question_id, include_hidden=can_moderate(current_user))
    if question is None:
        abort(404)
    if question.lab.slug != lab_slug:  # a lab's old address, or one that never was a lab's
        if queries.find_lab(lab_slug) is None:
            abort(404)
        return redirect(question_url(question))
    return _page(question)


def _post_reply(lab_slug, question_id, form_class, message):
    """Answering and responding: the same steps with their own form, check and service."""
    allowed, service, _place, section = KINDS[form_class]
    question = question_or_404(lab_slug, question_id)
    if not allowed(current_user, question):
        abort(403)
    form = form_class()
    draft = reply_draft(form, question)
    images = FormImages(form)
    writing = write_or_preview(
        form, lambda: service(current_user, question, form.body.data),
        preview=lambda: {"form": "answer_form" if form_class is AnswerForm else "response_form",
                         "html": services.preview_text(form.body.data, question,
                                                       images.in_text())},
        refusals=(PostingLimit,), draft=draft, images=images)
    if writing.draft_done:
        return redirect(question_url(question, _anchor=section))
    if writing.saved:
        flash(message, "success")
        return redirect(reply_url(writing.result))
    return _page(question, posted=(form, draft), preview=writing.preview,
                 limit_message=writing.message, status=writing.status)


def _saved(changed):
    flash("Je wijziging is opgeslagen." if changed else "Er was niets veranderd.",
          "success" if changed else "info")


@bp.route(QUESTION_PATH + "/beantwoorden", methods=["POST"])
@posting_rate
@reader_required
def answer(lab_slug, question_id):
    return _post_reply(lab_slug, question_id, AnswerForm,
                       "Je antwoord is geplaatst. De vraagsteller krijgt een melding.")


@bp.route(QUESTION_PATH + "/reageren", methods=["POST"])
@posting_rate
@reader_required
def respond(lab_slug, question_id):
    return _post_reply(lab_slug, question_id, ResponseForm, "Je reactie is geplaatst.")


@bp.route(REPLY_PATH + "/accepteren", methods=["POST"])
@action_rate
@reader_required
def accept(lab_slug, question_id, reply_id):
    question = question_or_404(lab_slug, question_id)
    reply = reply_or_404(question, reply_id)
    if not can_accept(current_user, question):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusable(services.LabError) as outcome:
        changed = services.accept_answer(current_user, reply)
    if outcome.error:
        flash(str(outcome.error), "warning")
        return redirect(reply_url(reply))
    flash("Het antwoord is gemarkeerd als geaccepteerd: de vraag is opgelost." if changed
          else "Dit antwoord was al geaccepteerd.", "success" if changed else "info")
    return redirect(reply_url(reply))


@bp.route(REPLY_PATH + "/niet-accepteren", methods=["POST"])
@action_rate
@reader_required
def unaccept(lab_slug, question_id, reply_id):
    question = question_or_404(lab_slug, question_id)
    reply = reply_or_404(question, reply_id)
    if not can_accept(current_user, question):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    changed = services.unaccept_answer(current_user, reply)
    target = reply_url(reply)
    flash("Het antwoord is niet meer geaccepteerd: de vraag staat weer op beantwoord." if changed
          else "Dit antwoord was niet geaccepteerd.", "success" if changed else "info")
    return redirect(target)


@bp.route(QUESTION_PATH + "/bewerken", methods=["GET", "POST"])
@posting_rate
@reader_required
def edit_question(lab_slug, question_id):
    question = question_or_404(lab_slug, question_id)
    if not can_edit_question(current_user, question):
        abort(403)
    form = EditQuestionForm(title=question.title, body=question.body_source,
                            context=question.context_source, is_research=question.is_research)
    images = FormImages(form, question, texts=("body", "context"))
    writing = write_or_preview(
        form,
        lambda: services.edit_question(current_user, question, form.title.data, form.body.data,
                                       form.context.data, form.is_research.data),
        preview=lambda: question_preview(form, question, images.in_text()), images=images)
    if writing.saved:
        _saved(writing.result)
        return redirect(question_url(question))
    return render_template("labs/edit_question.html", question=question, lab=question.lab,
                           form=form, preview=writing.preview), writing.status


@bp.route(REPLY_PATH + "/bewerken", methods=["GET", "POST"])
@posting_rate
@reader_required
def edit_reply(lab_slug, question_id, reply_id):
    question = question_or_404(lab_slug, question_id)
    reply = reply_or_404(question, reply_id)
    if not can_edit_reply(current_user, reply):
        abort(403)
    form = EditReplyForm(body=reply.body_source)
    images = FormImages(form, reply)
    writing = write_or_preview(form, lambda: services.edit_reply(current_user, reply, form.body.data),
                               preview=lambda: services.preview_text(form.body.data, reply.question,
                                                                     images.in_text()),
                               images=images)
    if writing.saved:
        _saved(writing.result)
        return redirect(reply_url(reply))
    return render_template("labs/edit_reply.html", question=question, lab=question.lab,
                           reply=reply, form=form, preview=writing.preview), writing.status


@bp.route(QUESTION_PATH + "/geschiedenis")
@reader_required
def history(lab_slug, question_id):
    if not can_view_lab_history(current_user):
        abort(403)
    question = question_or_404(lab_slug, question_id)
    return render_template("labs/history.html", question=question, lab=question.lab,
                           revisions=queries.revisions_of(question),
                           replies=queries.replies_by_id(question))
