"""Lab questions: asking, answering, responding, accepting, editing, and the accept reminder.

Functions take the acting person as an argument and flush, never commit: the view owns the
transaction. HTML is rendered and sanitised here, once, when a question or reply is saved (with
app.markup, as in the forum); the forum's posting limits apply to labs too. People @mentioned who
may read the question are linked and told (once: someone told of the text otherwise is not told
again of the mention).
"""
from datetime import timedelta

from sqlalchemy import select, update

from app import post_images
from app.accounts import mentions
from app.accounts.limits import LABS, check_posting_limit
from app.errors import ConflictError
from app.extensions import db
from app.markup import plain_text
from app.models.accounts import ROLE_PARTNER, User
from app.models.audit import record
from app.models.labs import (
    QUESTION_ANSWERED,
    QUESTION_OPEN,
    QUESTION_SOLVED,
    REPLY_ANSWER,
    REPLY_RESPONSE,
    LabQuestion,
    LabReply,
    LabRevision,
    lab_partners,
)
from app.notifications import notify
from app.permissions import can_read_question, can_view_lab_questions
from app.timeutil import utcnow
from app.urls import site_path

EXCERPT_LENGTH = 200
REMINDER_AFTER = timedelta(days=7)


class LabError(ConflictError):
    """An action that cannot go ahead; the message is Dutch and shown as is."""


def _readers(question=None):
    """Who reads a new question (None) or `question` and its answers: who may be mentioned there."""
    if question is None:
        return can_view_lab_questions
    return lambda person: can_read_question(person, question)


def _render(source, question=None, images=None):
    """`images`: the pictures the text may show (app.post_images.ImagesInText)."""
    return str(mentions.render(source, _readers(question), images)) if source else ""


def preview_text(source, question=None, images=None):
    """The preview of a question's text or a reply: as it will be saved, with a note about each
    @mention that reaches nobody."""
    return mentions.preview(source, _readers(question), "deze vraag", images)


def _mentioned(question, *texts):
    found = []
    for text in texts:
        found.extend(person for person in mentions.readers_named(text, _readers(question))
                     if person not in found)
    return found


def _notify_mentioned(actor, question, texts, url, told=(), before=()):
    """Tell the people @mentioned in `texts` who may read the question, except those already told
    of this text (`told`) and those mentioned before an edit (`before`: their ids)."""
    text = f"{actor.name} noemde je bij de vraag “{_short(question.title)}”"
    excerpt = plain_text(texts[0], EXCERPT_LENGTH)
    for person in _mentioned(question, *texts):
        if person.id not in told and person.id not in before:
            notify(person, "mention", text, url, actor=actor, excerpt=excerpt)


def question_path(question):
    """The site path of a question page (built without a request, e.g. in the background worker)."""
    return site_path("labs.question", lab_slug=question.lab.slug, question_id=question.id)


def reply_path(reply):
    return question_path(reply.question) + f"#antwoord-{reply.id}"


def _short(title, limit=80):
    return title if len(title) <= limit else title[: limit - 1] + "…"


# -- asking -----------------------------------------------------------------------------------------

def _partners_of(lab):
    return db.session.execute(
        select(User).join(lab_partners, lab_partners.c.user_id == User.id)
        .where(lab_partners.c.lab_id == lab.id, User.role == ROLE_PARTNER)
        .order_by(User.id)
    ).scalars().all()


def ask_question(author, lab, title, body, context="", is_research=False, now=None,
                 enforce_limits=True):
    """A member asks a lab on behalf of their collective; every partner of the lab is told."""
    now = now or utcnow()
    if enforce_limits:
        check_posting_limit(author, now, LABS)
    if author.collective_id is None:
        raise LabError("Je kunt een vraag stellen zodra je lid bent van een collectief.")
    images = post_images.ImagesInText(author)  # one count over the question and its background
    question = LabQuestion(
        lab_id=lab.id, collective_id=author.collective_id, author_id=author.id, title=title,
        body_source=body, body_html=_render(body, images=images), context_source=context or "",
        context_html=_render(context, images=images), is_research=bool(is_research),
        created_at=now, last_activity_at=now,
    )
    question.lab = lab
    db.session.add(question)
    db.session.flush()
    images.attach(question, now)
    url = question_path(question)
    excerpt = plain_text(body, EXCERPT_LENGTH)
    collective = author.collective.name if author.collective else "een collectief"
    text = f"Nieuwe vraag in het {lab.name} van {collective}: “{_short(title)}”"
    partners = _partners_of(lab)
    for partner in partners:
        notify(partner, "lab_question", text, url, actor=author, excerpt=excerpt)
    _notify_mentioned(author, question, (body, context), url,
                      told={partner.id for partner in partners})
    return question


# -- answers and responses ----------------------------------------------------------------------------

def _add_reply(author, question, kind, body, now):
    images = post_images.ImagesInText(author)
    reply = LabReply(
        question_id=question.id, author_id=author.id, kind=kind, body_source=body,
        body_html=_render(body, question, images), created_at=now,
        organisation_id=author.partner_organisation_id if author.is_partner else None,
    )
    reply.question = question
    db.session.add(reply)
    db.session.flush()
    images.attach(reply, now)
    return reply


def post_answer(author, question, body, now=None, enforce_limits=True):
    """A partner of the lab (or a moderator) answers. The first answer makes an open question
    "beantwoord"; the asker is told of every answer."""
    now = now or utcnow()
    if enforce_limits:
        check_posting_limit(author, now, LABS)
    reply = _add_reply(author, question, REPLY_ANSWER, body, now)
    # Counted in the database, so two partners answering at once both count.
    db.session.execute(
        update(LabQuestion).where(LabQuestion.id == question.id)
        .values(answer_count=LabQuestion.answer_count + 1, last_activity_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(LabQuestion)
        .where(LabQuestion.id == question.id, LabQuestion.status == QUESTION_OPEN)
        .values(status=QUESTION_ANSWERED, first_answer_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(question, ["answer_count", "last_activity_at", "status", "first_answer_at"])
    who = author.name
    if author.is_partner and author.partner_organisation is not None:
        who += f" ({author.partner_organisation.name})"
    notify(question.author, "lab_answer", f"{who} beantwoordde je vraag “{_short(question.title)}”",
           reply_path(reply), actor=author, excerpt=plain_text(body, EXCERPT_LENGTH))
    _notify_mentioned(author, question, (body,), reply_path(reply),
                      told={question.author_id})
    return reply


def _answerers(question):
    return db.session.execute(
        select(User).join(LabReply, LabReply.author_id == User.id)
        .where(LabReply.question_id == question.id, LabReply.kind == REPLY_ANSWER,
               LabReply.deleted_at.is_(None))
        .distinct().order_by(User.id)
    ).scalars().all()


def post_response(author, question, body, now=None, enforce_limits=True):
    """The asking collective (or a moderator) responds; the asker and the people who answered
    are told."""
    now = now or utcnow()
    if enforce_limits:
        check_posting_limit(author, now, LABS)
    reply = _add_reply(author, question, REPLY_RESPONSE, body, now)
    question.last_activity_at = now
    db.session.flush()
    text = f"{author.name} reageerde op de vraag “{_short(question.title)}”"
    url, excerpt = reply_path(reply), plain_text(body, EXCERPT_LENGTH)
    told = {author.id}
    for person in [question.author, *_answerers(question)]:
        if person is not None and person.id not in told:
            told.add(person.id)
            notify(person, "lab_response", text, url, actor=author, excerpt=excerpt)
    _notify_mentioned(author, question, (body,), url, told=told)
    return reply


# -- accepting ----------------------------------------------------------------------------------------

def accept_answer(actor, reply, now=None):
    """Mark `reply` as the answer that helped (moving the mark from another answer, if any); the
    question is then "opgelost" and the partner is told."""
    if reply.kind != REPLY_ANSWER or reply.hidden_at is not None or reply.deleted_at is not None:
        raise LabError("Alleen een antwoord van een partner of moderator kan geaccepteerd worden.")
    if reply.accepted_at is not None:
        return False
    now = now or utcnow()
    question = reply.question
    # The question row is written first: on PostgreSQL that locks it until commit, so a parallel
    # accept of another answer waits and then moves the mark, instead of leaving two marked.
    db.session.execute(
        update(LabQuestion).where(LabQuestion.id == question.id)
        .values(status=QUESTION_SOLVED, solved_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(question, ["status", "solved_at"])
    db.session.execute(
        update(LabReply).where(LabReply.question_id == question.id, LabReply.id != reply.id,
                               LabReply.accepted_at.isnot(None))
        .values(accepted_at=None, accepted_by_id=None)
        .execution_options(synchronize_session="fetch")
    )
    reply.accepted_at = now
    reply.accepted_by_id = actor.id
    db.session.flush()
    notify(reply.author, "lab_accepted",
           f"{actor.name} accepteerde je antwoord op “{_short(question.title)}”",
           reply_path(reply), actor=actor, excerpt=plain_text(reply.body_source, EXCERPT_LENGTH))
    if actor.is_staff and actor.collective_id != question.collective_id:
        record(actor, "labs.accept_answer", reply, f"Antwoord op “{question.title}” geaccepteerd")
    return True


def unaccept_answer(actor, reply):
    """Take the mark off the accepted answer: the question is "beantwoord" again."""
    if reply.accepted_at is None:
        return False
    question = reply.question
    reply.accepted_at = None
    reply.accepted_by_id = None
    question.status = QUESTION_ANSWERED if question.answer_count else QUESTION_OPEN
    question.solved_at = None
    db.session.flush()
    if actor.is_staff and actor.collective_id != question.collective_id:
        record(actor, "labs.unaccept_answer", reply,
               f"Acceptatie van antwoord op “{question.title}” ingetrokken")
    return True


# -- editing ------------------------------------------------------------------------------------------

def edit_question(editor, question, title, body, context, is_research, now=None):
    """Replace a question's text, keeping the old version. False (nothing changed) when equal."""
    context = context or ""
    is_research = bool(is_research)
    if (title, body, context) == (question.title, question.body_source, question.context_source):
        if is_research == question.is_research:
            return False
        question.is_research = is_research  # a flag is no new version of the text
        db.session.flush()
        return True
    now = now or utcnow()
    before = {person.id for person in _mentioned(question, question.body_source,
                                                 question.context_source)}
    db.session.add(LabRevision(
        question_id=question.id, title=question.title, body_source=question.body_source,
        body_html=question.body_html, context_source=question.context_source,
        written_at=question.edited_at or question.created_at, replaced_at=now, editor_id=editor.id,
    ))
    images = post_images.ImagesInText(editor, question)
    question.title = title
    question.body_source, question.body_html = body, _render(body, question, images)
    question.context_source, question.context_html = context, _render(context, question, images)
    question.is_research = is_research
    question.edited_at = now
    question.edit_count = (question.edit_count or 0) + 1
    db.session.flush()
    images.attach(question, now)
    _notify_mentioned(editor, question, (body, context), question_path(question), before=before)
    if editor.id != question.author_id:
        record(editor, "labs.edit_question", question, f"Labvraag “{title}” bewerkt")
    return True


def edit_reply(editor, reply, body, now=None):
    """Replace an answer's or response's text, keeping the old version. False when equal."""
    if body == reply.body_source:
        return False
    now = now or utcnow()
    before = {person.id for person in _mentioned(reply.question, reply.body_source)}
    db.session.add(LabRevision(
        reply_id=reply.id, body_source=reply.body_source, body_html=reply.body_html,
        written_at=reply.edited_at or reply.created_at, replaced_at=now, editor_id=editor.id,
    ))
    images = post_images.ImagesInText(editor, reply)
    reply.body_source, reply.body_html = body, _render(body, reply.question, images)
    reply.edited_at = now
    reply.edit_count = (reply.edit_count or 0) + 1
    db.session.flush()
    images.attach(reply, now)
    _notify_mentioned(editor, reply.question, (body,), reply_path(reply), before=before)
    if editor.id != reply.author_id:
        record(editor, "labs.edit_reply", reply, f"Bijdrage bij “{reply.question.title}” bewerkt")
    return True


# -- reminders ----------------------------------------------------------------------------------------

def send_accept_reminders(now=None):
    """Remind askers whose question's first answer has stood a week without being accepted.

    Runs as the worker's lab-reminders job; each question is reminded once (accept_reminder_sent_at),
    claimed with a conditional UPDATE so two workers never remind twice. Commits; returns the
    number of reminders.
    """
    now = now or utcnow()
    due = db.session.execute(
        select(LabQuestion.id).where(
            LabQuestion.status == QUESTION_ANSWERED,
            LabQuestion.first_answer_at <= now - REMINDER_AFTER,
            LabQuestion.accept_reminder_sent_at.is_(None),
            LabQuestion.hidden_at.is_(None),
        ).order_by(LabQuestion.id)
    ).scalars().all()
    sent = 0
    for question_id in due:
        claimed = db.session.execute(
            update(LabQuestion)
            .where(LabQuestion.id == question_id, LabQuestion.accept_reminder_sent_at.is_(None),
                   LabQuestion.status == QUESTION_ANSWERED)
            .values(accept_reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            question = db.session.get(LabQuestion, question_id)
            notify(question.author, "lab_reminder",
                   f"Heeft een antwoord op je vraag “{_short(question.title)}” geholpen? "
                   "Markeer het dan als geaccepteerd.",
                   question_path(question))
            sent += 1
        db.session.commit()
    return sent
