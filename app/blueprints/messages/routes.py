"""Private messages on the web: /berichten (the list), a new conversation, a conversation with its
reply form, leaving, reporting a message, blocking a person (/leden/<id>/blokkeren), and the
moderators' list of reported messages. No JavaScript needed: every action is a plain form.

People are chosen by name on the new-message form: typed names (comma separated) are looked up
with "Toevoegen" (or when the message is sent) and become checked boxes; a name that fits several
people offers them as boxes to tick. With JavaScript, recipients.js suggests names while typing
from GET /berichten/personen (JSON), which finds the same people: those the writer may write to.

Non-members get a 404 for a conversation (the same as none at all); moderators read one only while
a message in it is reported, and each look is audited (app.messages).
"""
from datetime import timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import messages
from app.accounts import profiles
from app.accounts.mentions import lookup_entry
from app.blueprints.common import person_key
from app.blueprints.images.form_images import FormImages
from app.blueprints.messages.forms import NewConversationForm, ReplyForm, ReportForm, ResolveForm
from app.errors import UserError
from app.extensions import db, limiter, login_manager
from app.models.messages import MAX_RECIPIENTS, Conversation
from app.pagination import page_arg
from app.permissions import can_moderate, require
from app.timeutil import utcnow
from app.validators import MAX_ID, ConfirmForm, has_control_characters

bp = Blueprint("messages", __name__)

NEW_ACCOUNT_DAYS = 7
NEW_CONVERSATION_LIMIT = "10 per hour;30 per day"
NEW_ACCOUNT_CONVERSATION_LIMIT = "3 per hour;10 per day"
# Looking people up by name, with the JSON lookup or the form's "Toevoegen": as the @mention lookup.
LOOKUP_RATE = "60 per minute"
LOOKUP_SCOPE = "messages-people"
MAX_QUERY = 60


def _new_conversation_limit():
    """Tighter for accounts younger than a week: most abuse comes from fresh accounts."""
    created = getattr(current_user, "created_at", None)
    if created is not None and created > utcnow() - timedelta(days=NEW_ACCOUNT_DAYS):
        return NEW_ACCOUNT_CONVERSATION_LIMIT
    return NEW_CONVERSATION_LIMIT


def _sent(response):
    """Only messages really sent count, not forms sent back with errors."""
    return response.status_code == 302


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


def _names_typed():
    return not (request.form.get("names") or "").strip()


@bp.route("/berichten/nieuw", methods=["GET", "POST"])
@limiter.limit(_new_conversation_limit, key_func=person_key, methods=["POST"], deduct_when=_sent)
@limiter.shared_limit(LOOKUP_RATE, LOOKUP_SCOPE, key_func=person_key, methods=["POST"],
                      exempt_when=_names_typed)
def new():
    """The new-message form. "Toevoegen" looks the typed names up and shows the form again (200;
    400 when a name finds nobody), nothing sent; "Bericht versturen" looks up names still typed
    and sends only when each found exactly one person."""
    refused = _readers_only()
    if refused:
        return refused
    recipients, not_possible = messages.recipients_by_id(current_user, _recipient_ids())
    form = NewConversationForm()
    images = FormImages(form)
    adding = form.is_submitted() and bool(form.add.data)
    if not adding:
        images.take()
    valid = form.validate_on_submit()
    if form.is_submitted() and not adding:
        valid = images.check() and valid
    choice = messages.NameChoice(recipients=recipients)
    if form.is_submitted() and not form.names.errors and not form.csrf_token.errors:
        choice = messages.recipients_by_name(current_user, form.names.data, recipients)
        form.names.data = ", ".join(choice.left)
    problem = None
    status = 200
    if adding:
        # Only the names were meant: the other fields are not judged yet.
        for name in ("subject", "body", "images"):
            getattr(form, name).errors = []
        status = 400 if form.names.errors or form.csrf_token.errors or choice.problems else 200
    elif form.is_submitted():
        status = 400
        if valid and choice.complete:
            try:
                conversation = messages.start_conversation(
                    current_user, choice.recipients, form.subject.data, form.body.data)
            except UserError as error:
                problem = error.message
            else:
                flash("Je bericht is verstuurd.", "success")
                return redirect(url_for("messages.conversation", conversation_id=conversation.id))
    if status >= 400:
        images.undo()
    return render_template("messages/new.html", form=form, recipients=choice.recipients,
                           choice=choice, not_possible=len(not_possible), problem=problem,
                           max_recipients=MAX_RECIPIENTS,
                           lookup_url=url_for("messages.people")), status


def _answer(payload, status=200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/berichten/personen")
@limiter.shared_limit(LOOKUP_RATE, LOOKUP_SCOPE, key_func=person_key)
def people():
    """GET /berichten/personen?q=Be: up to eight people the writer may write to whose name (a
    word of it) starts so, for recipients.js: name and collective or organisation, never an
    e-mail address; the same people the form's "Toevoegen" finds. Never cached."""
    if not current_user.is_authenticated:
        return _answer({"fout": "Log in om iemand een bericht te sturen."}, 401)
    if not messages.can_use_messages(current_user):
        return _answer({"fout": "Je kunt geen berichten sturen."}, 403)
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY or has_control_characters(query):
        return _answer({"fout": "Typ een deel van een naam."}, 400)
    found = messages.writable_named(current_user, query)
    return _answer({"people": [lookup_entry(person) for person in found]})


def _conversation_or_404(conversation_id):
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        abort(404)
    return conversation


def _page_of_messages(talk, seen_until=None, message_id=None):
    """The asked page (?pagina=), else the page the conversation opens on
    (messages.opening_page: the first unread message, else the newest)."""
    if "pagina" in request.args:
        page = page_arg()
    else:
        page, _total = messages.opening_page(talk, seen_until=seen_until, message_id=message_id)
    return db.paginate(messages.messages_query(talk), page=page,
                       per_page=messages.MESSAGES_PER_PAGE, error_out=False)


def _show(talk, pagination, form, **values):
    values.setdefault("moderator_view", False)
    values.setdefault("reported", set())
    values.setdefault("reports", [])
    values.setdefault("resolve_form", None)
    values.setdefault("seen_until", None)
    people = values.pop("people", None) or messages.participants(talk)
    return render_template(
        "messages/conversation.html", conversation=talk, pagination=pagination,
        items=pagination.items, people=people, form=form, author_name=messages.author_name,
        own_id=current_user.id, last_page=max(pagination.pages, 1), **values)


@bp.route("/berichten/<id:conversation_id>")
def conversation(conversation_id):
    """A conversation, MESSAGES_PER_PAGE messages a page, oldest first. Without ?pagina= it opens
    where a reader expects it from Discourse: at the page with the first message they have not
    read (each unread one marked "nieuw"), or the last page, with the reply form under the newest
    messages, once everything is read. Reading a page marks its messages read, no further. A
    moderator (reading because of a report) opens at the first reported message."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    member = messages.membership(current_user, conversation_id)
    if member is not None and member.left_at is None and messages.can_use_messages(current_user):
        talk = member.conversation
        seen_until = member.last_read_at
        pagination = _page_of_messages(talk, seen_until=seen_until)
        if pagination.items:
            messages.mark_read_until(member, pagination.items[-1].created_at)
        people = messages.participants(talk)
        return _show(talk, pagination, ReplyForm(), people=people, seen_until=seen_until,
                     reply_problem=messages.reply_problem(
                         current_user, talk, [m for m in people if m.left_at is None]))
    talk = db.session.get(Conversation, conversation_id)
    if not messages.can_moderate_conversation(current_user, talk):
        abort(404)
    messages.record_moderator_view(current_user, talk)
    reports = messages.open_reports(talk)
    pagination = _page_of_messages(talk, message_id=reports[0].message_id if reports else None)
    return _show(talk, pagination, None, moderator_view=True, reports=reports,
                 reported={report.message_id for report in reports}, reply_problem=None,
                 resolve_form=ResolveForm())


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
    images = FormImages(form)
    images.take()
    problem, status = None, 400
    valid = form.validate_on_submit()
    if form.is_submitted() and images.check() and valid:
        try:
            message = messages.reply(current_user, talk, form.body.data)
        except UserError as error:
            problem, status = error.message, error.status
        else:
            flash("Je antwoord is verstuurd.", "success")
            # The newest page: the reply is last there (and everything before it is read).
            return redirect(url_for("messages.conversation", conversation_id=talk.id,
                                    _anchor=f"bericht-{message.id}"))
    images.undo()
    # Shown again on the newest page, where the reply form is, with the typed text in it.
    pagination = db.paginate(messages.messages_query(talk), page=messages.last_page(talk),
                             per_page=messages.MESSAGES_PER_PAGE, error_out=False)
    return _show(talk, pagination, form, reply_problem=problem), status


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
    writer = current_user._get_current_object()  # the user itself: no proxy on every attribute
    return bool(writer.is_authenticated and person is not None
                and person.id != writer.id and messages.can_use_messages(writer)
                and messages.can_receive(person))
