"""Private messages on the web: /berichten (the list), a new conversation, a conversation with its
reply form, leaving, reporting a message, blocking a person (/leden/<id>/blokkeren), and the
moderators' list of reported messages. No JavaScript needed: every action is a plain form.

Non-members get a 404 for a conversation (the same as none at all); moderators read one only while
a message in it is reported, and each look is audited (app.messages).
"""
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import messages
from app.accounts import profiles
from app.blueprints.common import person_key
from app.blueprints.messages.forms import NewConversationForm, ReplyForm, ReportForm, ResolveForm
from app.errors import UserError
from app.extensions import db, limiter, login_manager
from app.models.messages import MAX_RECIPIENTS, Conversation
from app.pagination import page_arg
from app.permissions import can_moderate, require
from app.timeutil import utcnow
from app.validators import MAX_ID, ConfirmForm

bp = Blueprint("messages", __name__)

NEW_ACCOUNT_DAYS = 7
NEW_CONVERSATION_LIMIT = "10 per hour;30 per day"
NEW_ACCOUNT_CONVERSATION_LIMIT = "3 per hour;10 per day"


def _new_conversation_limit():
    """Tighter for accounts younger than a week: most abuse comes from fresh accounts."""
    created = getattr(current_user, "created_at", None)
    if created is not None and created > utcnow() - timedelta(days=NEW_ACCOUNT_DAYS):
        return NEW_ACCOUNT_CONVERSATION_LIMIT
    return NEW_CONVERSATION_LIMIT


def _sent(response):
    """Only messages really sent count, not forms sent back with errors."""
    return response.status_code == 302


@bp.app_context_processor
def header_counts():
    """The envelope in the header: unread conversations, for people who use messages (one
    statement); None for everyone else."""
    return {"unread_messages": messages.header_unread_count()}


def _readers_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not messages.can_use_messages(current_user):
        return render_template("messages/no_access.html"), 403
    return None


@bp.route("/berichten")
def index():
    refused = _readers_only()
    if refused:
        return refused
    pagination = db.paginate(messages.list_query(current_user), page=page_arg(),
                             per_page=messages.PER_PAGE, error_out=False)
    return render_template("messages/index.html", pagination=pagination,
                           blocked=messages.blocked_people(current_user),
                           is_unread=messages.is_unread)


def _recipient_ids():
    ids = []
    for value in request.values.getlist("aan"):
        if value.isdigit() and 0 < int(value) <= MAX_ID:
            ids.append(int(value))
    return ids


@bp.route("/berichten/nieuw", methods=["GET", "POST"])
@limiter.limit(_new_conversation_limit, key_func=person_key, methods=["POST"], deduct_when=_sent)
def new():
    refused = _readers_only()
    if refused:
        return refused
    wanted = _recipient_ids()
    recipients, not_possible = messages.recipients_by_id(current_user, wanted)
    form = NewConversationForm()
    problem = None
    if form.validate_on_submit():
        try:
            conversation = messages.start_conversation(current_user, recipients, form.subject.data,
                                                       form.body.data)
        except UserError as error:
            problem = error.message
        else:
            flash("Je bericht is verstuurd.", "success")
            return redirect(url_for("messages.conversation", conversation_id=conversation.id))
    status = 400 if request.method == "POST" else 200
    return render_template("messages/new.html", form=form, recipients=recipients,
                           not_possible=len(not_possible), problem=problem,
                           max_recipients=MAX_RECIPIENTS), status


def _conversation_or_404(conversation_id):
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        abort(404)
    return conversation


@bp.route("/berichten/<id:conversation_id>")
def conversation(conversation_id):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    member = messages.membership(current_user, conversation_id)
    moderator_view = False
    if member is not None and member.left_at is None and messages.can_use_messages(current_user):
        talk = member.conversation
        messages.mark_read(member)
    else:
        talk = db.session.get(Conversation, conversation_id)
        if not messages.can_moderate_conversation(current_user, talk):
            abort(404)
        moderator_view = True
        messages.record_moderator_view(current_user, talk)
    people = messages.participants(talk)
    reports = messages.open_reports(talk) if moderator_view else []
    reply_problem = None if moderator_view else messages.reply_problem(
        current_user, talk, [m for m in people if m.left_at is None])
    return render_template(
        "messages/conversation.html", conversation=talk, items=messages.messages_of(talk),
        people=people, form=ReplyForm(), moderator_view=moderator_view,
        reported={report.message_id for report in reports}, reports=reports,
        reply_problem=reply_problem, author_name=messages.author_name,
        resolve_form=ResolveForm(), own_id=current_user.id)


@bp.route("/berichten/<id:conversation_id>/reageren", methods=["POST"])
@limiter.limit("60 per hour", key_func=person_key)
def reply(conversation_id):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    member = messages.membership(current_user, conversation_id)
    if member is None or member.left_at is not None:
        abort(404)
    talk = member.conversation
    form = ReplyForm()
    problem = None
    if form.validate_on_submit():
        try:
            message = messages.reply(current_user, talk, form.body.data)
        except UserError as error:
            problem, status = error.message, error.status
        else:
            flash("Je antwoord is verstuurd.", "success")
            return redirect(url_for("messages.conversation", conversation_id=talk.id,
                                    _anchor=f"bericht-{message.id}"))
    people = messages.participants(talk)
    return render_template(
        "messages/conversation.html", conversation=talk, items=messages.messages_of(talk),
        people=people, form=form, moderator_view=False, reported=set(), reports=[],
        reply_problem=problem, author_name=messages.author_name, resolve_form=None,
        own_id=current_user.id), (status if problem else 400)


@bp.route("/berichten/<id:conversation_id>/verlaten", methods=["POST"])
def leave(conversation_id):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    member = messages.membership(current_user, conversation_id)
    if member is None or member.left_at is not None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    messages.leave(member)
    flash(f"Je bent uit het gesprek “{member.conversation.subject}” gegaan.", "success")
    return redirect(url_for("messages.index"))


@bp.route("/berichten/bericht/<id:message_id>/melden", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=person_key, methods=["POST"])
def report(message_id):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    message = messages.find_message(message_id)
    member = messages.membership(current_user, message.conversation_id) if message else None
    if member is None or member.left_at is not None:
        abort(404)
    if not messages.can_report(current_user, message, member):
        abort(403)
    form = ReportForm()
    problem = None
    if form.validate_on_submit():
        try:
            messages.report_message(current_user, message, form.reason.data)
        except UserError as error:
            problem = error.message
        else:
            flash("Bedankt voor je melding. Een moderator bekijkt het bericht zo snel mogelijk.",
                  "success")
            return redirect(url_for("messages.conversation", conversation_id=message.conversation_id,
                                    _anchor=f"bericht-{message.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("messages/report.html", form=form, message=message, problem=problem,
                           author_name=messages.author_name), status


def _person_or_404(user_id):
    person = profiles.find_person(user_id)
    if person is None or person.is_deleted or person.id == current_user.id:
        abort(404)
    return person


@bp.route("/leden/<id:user_id>/blokkeren", methods=["POST"])
@limiter.limit("60 per hour", key_func=person_key)
def block(user_id):
    refused = _readers_only()
    if refused:
        return refused
    person = _person_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    messages.block(current_user, person)
    flash(f"Je hebt {person.name} geblokkeerd: je krijgt geen berichten meer van deze persoon.",
          "success")
    return redirect(url_for("messages.index"))


@bp.route("/leden/<id:user_id>/deblokkeren", methods=["POST"])
@limiter.limit("60 per hour", key_func=person_key)
def unblock(user_id):
    refused = _readers_only()
    if refused:
        return refused
    person = _person_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    messages.unblock(current_user, person)
    flash(f"{person.name} is niet meer geblokkeerd.", "success")
    return redirect(url_for("messages.index"))


@bp.route("/berichten/meldingen")
@require(can_moderate)
def reports():
    return render_template("messages/reports.html", reports=messages.open_reports(),
                           author_name=messages.author_name)


@bp.route("/berichten/bericht/<id:message_id>/afhandelen", methods=["POST"])
@require(can_moderate)
def resolve(message_id):
    message = messages.find_message(message_id)
    if message is None or not messages.can_moderate_conversation(current_user, message.conversation):
        abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        abort(400)
    messages.resolve_reports(current_user, message, hide=form.hide.data)
    flash("De melding is afgehandeld.", "success")
    return redirect(url_for("messages.reports"))


@bp.app_template_global("may_message")
def may_message(person):
    """Whether to offer "Stuur een bericht" to `person` (no statement: whether they blocked the
    writer is checked when the message is written)."""
    return bool(current_user.is_authenticated and person is not None
                and person.id != current_user.id and messages.can_use_messages(current_user)
                and messages.can_receive(person))
