"""Reading the labs for their pages: a fixed number of queries per page, whatever its length."""
from datetime import timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.accounts import ROLE_PARTNER, User
from app.models.labs import (
    QUESTION_OPEN,
    QUESTION_STATUS_LABELS,
    REPLY_ANSWER,
    Lab,
    LabQuestion,
    LabReply,
    LabRevision,
    PartnerOrganisation,
    lab_partners,
)
from app.pagination import FetchedPagination
from app.validators import MAX_ID, has_control_characters
from app.workdays import is_working_day, local_today, start_of_local_day

MAX_SLUG = 40
QUESTIONS_PER_PAGE = 20


def labs():
    return db.session.execute(select(Lab).order_by(Lab.position, Lab.id)).scalars().all()


def find_lab(slug):
    """The lab with this slug, or None (also for slugs that cannot be ours)."""
    if not slug or len(slug) > MAX_SLUG or has_control_characters(slug):
        return None
    return db.session.execute(select(Lab).where(Lab.slug == slug)).scalar_one_or_none()


def _visible(query, include_hidden):
    return query if include_hidden else query.where(LabQuestion.hidden_at.is_(None))


def status_counts(include_hidden=False):
    """{lab id: {status: count}} for every lab (one query)."""
    counts = {}
    query = select(LabQuestion.lab_id, LabQuestion.status, func.count(LabQuestion.id)).group_by(
        LabQuestion.lab_id, LabQuestion.status)
    for lab_id, status, count in db.session.execute(_visible(query, include_hidden)):
        counts.setdefault(lab_id, {})[status] = count
    return counts


def _organisations_query():
    """(lab id, organisation) for organisations with at least one partner in that lab."""
    return (
        select(lab_partners.c.lab_id, PartnerOrganisation)
        .join(User, User.id == lab_partners.c.user_id)
        .join(PartnerOrganisation, PartnerOrganisation.id == User.partner_organisation_id)
        .where(User.role == ROLE_PARTNER)
        .distinct()
    )


def organisation_counts():
    """{lab id: number of partner organisations} (one query)."""
    subquery = _organisations_query().subquery()
    return dict(db.session.execute(
        select(subquery.c.lab_id, func.count()).group_by(subquery.c.lab_id)
    ).all())


def organisations_of(lab):
    """The partner organisations of a lab, by name."""
    rows = db.session.execute(
        _organisations_query().where(lab_partners.c.lab_id == lab.id)
    ).all()
    return sorted((organisation for _, organisation in rows), key=lambda o: (o.name.casefold(), o.id))


def question_list_query(lab, status=None, research=False, include_hidden=False):
    """A lab's questions, newest activity first; collective and asker loaded with them."""
    query = (
        select(LabQuestion)
        .where(LabQuestion.lab_id == lab.id)
        .options(joinedload(LabQuestion.collective), joinedload(LabQuestion.author))
        .order_by(LabQuestion.last_activity_at.desc(), LabQuestion.id.desc())
    )
    if status in QUESTION_STATUS_LABELS:
        query = query.where(LabQuestion.status == status)
    if research:
        query = query.where(LabQuestion.is_research.is_(True))
    return _visible(query, include_hidden)


def _valid_id(value):
    return isinstance(value, int) and 0 < value <= MAX_ID


def find_question(question_id, include_hidden=False):
    """The question with its lab, collective and asker; None when unknown (or hidden)."""
    if not _valid_id(question_id):
        return None
    query = select(LabQuestion).where(LabQuestion.id == question_id).options(
        joinedload(LabQuestion.lab), joinedload(LabQuestion.collective),
        joinedload(LabQuestion.author),
    )
    return db.session.execute(_visible(query, include_hidden)).scalar_one_or_none()


def find_reply(question, reply_id):
    """A reply of this question (None for an unknown one, or one of another question)."""
    if not _valid_id(reply_id):
        return None
    reply = db.session.execute(
        select(LabReply).where(LabReply.id == reply_id, LabReply.question_id == question.id,
                               LabReply.deleted_at.is_(None))
        .options(joinedload(LabReply.author), joinedload(LabReply.organisation))
    ).scalar_one_or_none()
    if reply is not None:
        reply.question = question  # already loaded: no second query for it
    return reply


def replies_of(question):
    """The question's replies: the accepted answer first, then the ones most people said helped
    them ("Dit hielp mij"), then in time order."""
    replies = db.session.execute(
        select(LabReply)
        .where(LabReply.question_id == question.id, LabReply.deleted_at.is_(None))
        .options(joinedload(LabReply.author).joinedload(User.collective),
                 joinedload(LabReply.author).joinedload(User.partner_organisation),
                 joinedload(LabReply.organisation))
        .order_by(LabReply.helpful_count.desc(), LabReply.created_at, LabReply.id)
    ).scalars().all()
    accepted = [r for r in replies if r.accepted_at is not None and r.kind == REPLY_ANSWER]
    return accepted[:1] + [r for r in replies if r not in accepted[:1]]


def revisions_of(question):
    """Earlier versions of a question and of its replies, newest first."""
    reply_ids = select(LabReply.id).where(LabReply.question_id == question.id)
    return db.session.execute(
        select(LabRevision)
        .where((LabRevision.question_id == question.id) | LabRevision.reply_id.in_(reply_ids))
        .options(joinedload(LabRevision.editor))
        .order_by(LabRevision.replaced_at.desc(), LabRevision.id.desc())
    ).scalars().all()


def replies_by_id(question):
    return {
        reply.id: reply for reply in db.session.execute(
            select(LabReply).where(LabReply.question_id == question.id)
            .options(selectinload(LabReply.author))
        ).scalars()
    }


# -- monitoring (the moderators' list of questions nobody answered) -----------------------------

UNANSWERED_AFTER_WORKING_DAYS = 5


def unanswered_cutoff(now, working_days=UNANSWERED_AFTER_WORKING_DAYS):
    """The moment before which a question has stood `working_days` working days (naive UTC).

    A question asked on day D has waited working_days_between(D, today) working days, which
    counts the working days after D up to and including today; so it is overdue when D is on or
    before the day that lies that many working days back.
    """
    day, counted = local_today(now), 0
    while counted < working_days:
        if is_working_day(day):
            counted += 1
        day -= timedelta(days=1)
    return start_of_local_day(day + timedelta(days=1))


def unanswered_questions_query(now, lab=None):
    """Open questions (no answer) older than UNANSWERED_AFTER_WORKING_DAYS, oldest first."""
    query = (
        select(LabQuestion)
        .where(LabQuestion.status == QUESTION_OPEN, LabQuestion.hidden_at.is_(None),
               LabQuestion.created_at < unanswered_cutoff(now))
        .options(joinedload(LabQuestion.lab), joinedload(LabQuestion.collective),
                 joinedload(LabQuestion.author))
        .order_by(LabQuestion.created_at, LabQuestion.id)
    )
    if lab is not None:
        query = query.where(LabQuestion.lab_id == lab.id)
    return query


def contributions_by(person, page=1, per_page=10, include_hidden=False):
    """What `person` wrote in the labs, newest first, for their profile: the questions they asked
    and their answers and responses, as ("question", LabQuestion) or ("answer" / "response",
    LabReply) items of a page. Never a reply its writer deleted; hidden questions and replies only
    with `include_hidden` (moderators). At most three statements for the page (which rows, then
    each table's rows with their lab and question) and one for the count."""
    questions = select(literal("question").label("kind"), LabQuestion.id.label("row_id"),
                       LabQuestion.created_at.label("at")).where(LabQuestion.author_id == person.id)
    replies = (select(literal("reply").label("kind"), LabReply.id.label("row_id"),
                      LabReply.created_at.label("at"))
               .join(LabQuestion, LabQuestion.id == LabReply.question_id)
               .where(LabReply.author_id == person.id, LabReply.deleted_at.is_(None)))
    if not include_hidden:
        questions = questions.where(LabQuestion.hidden_at.is_(None))
        replies = replies.where(LabReply.hidden_at.is_(None), LabQuestion.hidden_at.is_(None))
    rows = union_all(questions, replies).subquery()

    def fetch(page, per_page):
        keys = db.session.execute(
            select(rows.c.kind, rows.c.row_id)
            .order_by(rows.c.at.desc(), rows.c.kind, rows.c.row_id.desc())
            .limit(per_page).offset((page - 1) * per_page)
        ).all()
        wanted = {"question": [], "reply": []}
        for kind, row_id in keys:
            wanted[kind].append(row_id)
        loaded = {}
        if wanted["question"]:
            loaded.update((("question", question.id), question) for question in db.session.execute(
                select(LabQuestion).where(LabQuestion.id.in_(wanted["question"]))
                .options(joinedload(LabQuestion.lab))).scalars())
        if wanted["reply"]:
            loaded.update((("reply", reply.id), reply) for reply in db.session.execute(
                select(LabReply).where(LabReply.id.in_(wanted["reply"]))
                .options(joinedload(LabReply.question).joinedload(LabQuestion.lab))).scalars())
        items = []
        for key in map(tuple, keys):
            row = loaded.get(key)
            if row is not None:
                items.append(("question" if key[0] == "question" else row.kind, row))
        return items

    def total():
        return db.session.execute(select(func.count()).select_from(rows)).scalar_one()

    return FetchedPagination(page=page, per_page=per_page, error_out=False, fetch=fetch, total=total)
