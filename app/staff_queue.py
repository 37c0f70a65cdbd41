"""What waits for moderators: the queues of /beheer, counted once for its tiles and for the to-do
count in the header (self-scans to review, reported posts and private messages, partner applications, lab questions
nobody answered in five working days, contact messages)."""
from flask import g, has_request_context
from sqlalchemy import func, select

from app.extensions import db
from app.labs.queries import unanswered_questions_query
from app.models.forum import PostReport
from app.models.labs import APPLICATION_PENDING, PartnerApplication
from app.models.messages import MessageReport
from app.models.public import ContactMessage
from app.models.selfscan import SCAN_SUBMITTED, SelfScan
from app.timeutil import utcnow

# The queues in the header's count, with the words the header uses for each.
TODO_LABELS = {
    "scans": ("zelfscan te beoordelen", "zelfscans te beoordelen"),
    "open_reports": ("gemeld bericht", "gemelde berichten"),
    "message_reports": ("gemeld privébericht", "gemelde privéberichten"),
    "partner_applications": ("partneraanmelding", "partneraanmeldingen"),
    "lab_questions": ("labvraag zonder antwoord", "labvragen zonder antwoord"),
    "contact": ("contactbericht", "contactberichten"),
}


def _count(model, *conditions):
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def waiting():
    """{queue: how many wait}, for the keys of TODO_LABELS and scans_overdue: one statement, as
    the header shows it on every page a moderator opens, and once per request (/beheer's tiles
    and the header share it)."""
    if has_request_context() and "staff_waiting" in g:
        return g.staff_waiting
    columns = waiting_columns(utcnow())
    row = db.session.execute(select(*(value.label(key) for key, value in columns.items()))).one()
    return remember_waiting(dict(row._mapping))


def remember_waiting(counts):
    """Keep `counts` for the rest of the request (app.header counts them with the header's other
    counts; /beheer's tiles then ask nothing more)."""
    if has_request_context():
        g.staff_waiting = counts
    return counts


def waiting_columns(now):
    """{queue: scalar subquery counting it}, for the keys of WAITING_KEYS."""
    unanswered = unanswered_questions_query(now).order_by(None).subquery()
    return {
        "scans": _count(SelfScan, SelfScan.status == SCAN_SUBMITTED),
        "scans_overdue": _count(SelfScan, SelfScan.status == SCAN_SUBMITTED, SelfScan.due_at < now),
        "open_reports": _count(PostReport, PostReport.resolved_at.is_(None)),
        "message_reports": _count(MessageReport, MessageReport.resolved_at.is_(None)),
        "partner_applications": _count(PartnerApplication,
                                       PartnerApplication.status == APPLICATION_PENDING),
        "lab_questions": select(func.count()).select_from(unanswered).scalar_subquery(),
        "contact": _count(ContactMessage, ContactMessage.handled_at.is_(None)),
    }


WAITING_KEYS = (*TODO_LABELS, "scans_overdue")


def todo_total(counts):
    return sum(counts[key] for key in TODO_LABELS)


def todo_summary(counts):
    """For the header: (total, [(count, words)]) of what waits."""
    parts = [(counts[key], one if counts[key] == 1 else many)
             for key, (one, many) in TODO_LABELS.items() if counts[key]]
    return todo_total(counts), parts
