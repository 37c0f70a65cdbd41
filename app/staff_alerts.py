"""Telling moderators what waits for them: each new item of their queues (a self-scan to review, a
reported post or private message, a partner application, a lab question five working days without an answer, a
contact message) reaches the staff in the bell and by e-mail, as each of them chose on /account
(users.staff_alerts): "each" (bell and e-mail per item), "daily" (bell per item, one e-mail at
08:00 Dutch time with what is new and what waits) or "none". A scan one working day from its
deadline that nobody has reviewed is told to every moderator, whatever they chose.

It all runs in the background worker's staff-alerts job (`send_staff_alerts`). The ledger
(`staff_alerts`, unique per kind and item) makes sure nothing is announced twice: an item is
entered, its notifications and e-mails are queued, and all of it commits together, so a crash
announces it again in full next round and two workers cannot both announce it.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.collectives.services import moderators
from app.extensions import db
from app.labs.queries import unanswered_questions_query
from app.labs.services import question_path
from app.mail import queue_mail
from app.models.accounts import User
from app.models.forum import Post, PostReport
from app.models.labs import APPLICATION_PENDING, PARTNER_KINDS, LabQuestion, PartnerApplication
from app.models.messages import MessageReport
from app.models.notifications import STAFF_DAILY, STAFF_EACH, STAFF_NONE, Notification, StaffAlert
from app.models.public import ContactMessage
from app.models.selfscan import SCAN_SUBMITTED, SelfScan
from app.notifications import notify
from app.partners.services import lab_names
from app.selfscan.review import scan_profile
from app.staff_queue import TODO_LABELS, todo_total, waiting
from app.timeutil import utcnow
from app.urls import external_url, site_path
from app.workdays import AMSTERDAM, add_working_days, to_local, to_utc

log = logging.getLogger(__name__)

# Items that started waiting longer ago than this are not announced any more (the ledger forgets
# them after KEEP_LEDGER): after a long outage of the worker the header count and /beheer show
# them, without a flood of late e-mail.
ANNOUNCE_WINDOW = timedelta(days=14)
# A lab question is announced when it is five working days old; with holidays that is at most
# about ten calendar days, so questions up to this old are candidates.
LAB_QUESTION_WINDOW = ANNOUNCE_WINDOW + timedelta(days=10)
KEEP_LEDGER = timedelta(days=60)
SUMMARY_AT = time(8, 0)  # Dutch time
MAX_SUMMARY_ITEMS = 50

KIND_SCAN = "scan"
KIND_REPORT = "report"
KIND_PARTNER = "partner_application"
KIND_LAB_QUESTION = "lab_question"
KIND_CONTACT = "contact"
KIND_MESSAGE_REPORT = "message_report"
KIND_DEADLINE = "scan_deadline"
NOTIFICATION_KIND = "staff"  # the kind of every staff notification in the bell


@dataclass
class Item:
    """One thing to announce: what it is, the words and link for the bell, the e-mail to send."""
    kind: str
    item_id: int
    text: str
    path: str
    subject: str
    template: str = "staff_alert"
    context: dict = None
    headers: dict = None
    actor_id: int = None  # who caused it (a moderator who reports a post is not told of it)


# -- what -------------------------------------------------------------------------------------------

def _quote(text, limit=80):
    text = " ".join((text or "").split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def _new_scans(now):
    scans = db.session.execute(
        select(SelfScan).options(selectinload(SelfScan.answers))
        .where(SelfScan.status == SCAN_SUBMITTED, SelfScan.submitted_at >= now - ANNOUNCE_WINDOW)
        .order_by(SelfScan.submitted_at, SelfScan.id)
    ).scalars().all()
    for scan in scans:
        name = scan_profile(scan)["name"] or "een nieuw collectief"
        due = _due_words(scan.due_at)
        yield Item(
            KIND_SCAN, scan.id,
            f"Nieuwe zelfscan te beoordelen: {name}" + (f" (uiterlijk {due})" if due else ""),
            site_path("admin.selfscan", scan_id=scan.id),
            f"Nieuwe zelfscan te beoordelen: {name}",
            context={"intro": f"{name} heeft de zelfscan ingestuurd en wacht op een eigen pagina.",
                     "detail": f"Beoordeel de zelfscan uiterlijk {due}." if due else ""},
            actor_id=scan.started_by_id,
        )


def _new_reports(now):
    reports = db.session.execute(
        select(PostReport)
        .options(joinedload(PostReport.post).joinedload(Post.thread))
        .where(PostReport.resolved_at.is_(None), PostReport.created_at >= now - ANNOUNCE_WINDOW)
        .order_by(PostReport.created_at, PostReport.id)
    ).scalars().all()
    for report in reports:
        title = _quote(report.post.thread.title) if report.post and report.post.thread else "een discussie"
        yield Item(
            KIND_REPORT, report.id,
            f"Bericht gemeld in {title}",
            site_path("admin.reports"),
            f"Bericht gemeld in {title}",
            context={"intro": f"Iemand heeft een bericht gemeld in {title}.",
                     "detail": f"Reden: {_quote(report.reason, 300)}"},
            actor_id=report.reporter_id,
        )


def _new_message_reports(now):
    """Reported private messages: the alert names no subject or text (the conversation is private
    until a moderator opens it, which is audited)."""
    reports = db.session.execute(
        select(MessageReport)
        .where(MessageReport.resolved_at.is_(None),
               MessageReport.created_at >= now - ANNOUNCE_WINDOW)
        .order_by(MessageReport.created_at, MessageReport.id)
    ).scalars().all()
    for report in reports:
        yield Item(
            KIND_MESSAGE_REPORT, report.id,
            "Privébericht gemeld",
            site_path("messages.reports"),
            "Privébericht gemeld",
            context={"intro": "Iemand heeft een privébericht gemeld.",
                     "detail": f"Reden: {_quote(report.reason, 300)}"},
            actor_id=report.reporter_id,
        )


def _new_partner_applications(now):
    applications = db.session.execute(
        select(PartnerApplication)
        .where(PartnerApplication.status == APPLICATION_PENDING,
               PartnerApplication.created_at >= now - ANNOUNCE_WINDOW)
        .order_by(PartnerApplication.created_at, PartnerApplication.id)
    ).scalars().all()
    if not applications:
        return
    names = lab_names()
    for application in applications:
        yield Item(
            KIND_PARTNER, application.id,
            f"Nieuwe partneraanmelding: {application.organisation_name}",
            site_path("admin.partner_application", application_id=application.id),
            f"Nieuwe partneraanvraag: {application.organisation_name}",
            template="partner_application_new",
            context={"application": application,
                     "labs": [names.get(slug, slug) for slug in application.lab_slugs],
                     "kind_label": PARTNER_KINDS.get(application.kind, ""),
                     "review_url": external_url("admin.partner_application",
                                                application_id=application.id)},
        )


def _overdue_lab_questions(now):
    questions = db.session.execute(
        unanswered_questions_query(now)
        .where(LabQuestion.created_at >= now - LAB_QUESTION_WINDOW)
    ).unique().scalars().all()
    for question in questions:
        lab = question.lab.name if question.lab else "een lab"
        yield Item(
            KIND_LAB_QUESTION, question.id,
            f"Labvraag vijf werkdagen zonder antwoord: {_quote(question.title)} ({lab})",
            question_path(question),
            f"Labvraag zonder antwoord: {_quote(question.title)}",
            context={"intro": f"De vraag {_quote(question.title, 200)} in {lab} heeft na vijf "
                              "werkdagen nog geen antwoord.",
                     "detail": "Vraag een partner van het lab om te antwoorden, of antwoord zelf."},
        )


def _new_contact_messages(now):
    messages = db.session.execute(
        select(ContactMessage)
        .where(ContactMessage.handled_at.is_(None),
               ContactMessage.created_at >= now - ANNOUNCE_WINDOW)
        .order_by(ContactMessage.created_at, ContactMessage.id)
    ).scalars().all()
    for contact in messages:
        yield Item(
            KIND_CONTACT, contact.id,
            f"Nieuw contactbericht: {_quote(contact.subject)}",
            site_path("admin.contact_messages"),
            f"Contactformulier: {contact.subject}",
            template="contact_message",
            context={"contact": contact, "admin_url": external_url("admin.contact_messages")},
            headers={"Reply-To": contact.email},
            actor_id=contact.user_id,
        )


def _scans_near_deadline(now):
    """Submitted scans that are due within one working day: nobody has reviewed them yet."""
    scans = db.session.execute(
        select(SelfScan).options(selectinload(SelfScan.answers))
        .where(SelfScan.status == SCAN_SUBMITTED, SelfScan.due_at.is_not(None),
               SelfScan.submitted_at >= now - ANNOUNCE_WINDOW,
               SelfScan.due_at <= now + timedelta(days=7))  # a working day is never longer
        .order_by(SelfScan.due_at, SelfScan.id)
    ).scalars().all()
    for scan in scans:
        if add_working_days(now, 1) < scan.due_at:
            continue
        name = scan_profile(scan)["name"] or "een nieuw collectief"
        due = _due_words(scan.due_at)
        late = scan.due_at < now
        yield Item(
            KIND_DEADLINE, scan.id,
            (f"Te laat: de zelfscan van {name} had uiterlijk {due} beoordeeld moeten zijn"
             if late else f"Nog één werkdag: de zelfscan van {name} moet uiterlijk {due} "
                          "beoordeeld zijn"),
            site_path("admin.selfscan", scan_id=scan.id),
            f"Zelfscan van {name}: " + ("de termijn is verstreken" if late
                                          else f"uiterlijk {due} beoordelen"),
            context={"intro": f"De zelfscan van {name} wacht nog op een moderator. We beloven "
                              "collectieven een eigen pagina binnen twee werkdagen.",
                     "detail": f"Uiterlijk {due} moet hij beoordeeld zijn."},
        )


SOURCES = (_new_scans, _new_reports, _new_message_reports, _new_partner_applications,
           _overdue_lab_questions, _new_contact_messages, _scans_near_deadline)


def _due_words(due_at):
    if due_at is None:
        return ""
    return format_datetime(to_local(due_at), "EEEE d MMMM 'om' HH:mm", rebase=False)


# -- telling --------------------------------------------------------------------------------------

def send_staff_alerts(now=None):
    """One round of the staff-alerts job: announce new items, send the due daily summaries, forget
    old ledger rows. Commits; returns {"items": n, "summaries": n}."""
    now = now or utcnow()
    announced = announce_new_items(now)
    summaries = send_daily_summaries(now)
    db.session.execute(delete(StaffAlert).where(StaffAlert.created_at < now - KEEP_LEDGER))
    db.session.commit()
    return {"items": announced, "summaries": summaries}


def announce_new_items(now=None):
    """Announce every item not announced before, each in its own transaction; returns how many."""
    now = now or utcnow()
    known = {tuple(row) for row in db.session.execute(select(StaffAlert.kind, StaffAlert.item_id))}
    items = [item for source in SOURCES for item in source(now)
             if (item.kind, item.item_id) not in known]
    if not items:
        db.session.commit()  # end the read transaction
        return 0
    staff = moderators()
    staff_ids = [person.id for person in staff]
    db.session.commit()
    done = 0
    for item in items:
        try:
            db.session.add(StaffAlert(kind=item.kind, item_id=item.item_id, created_at=now))
            db.session.flush()  # the unique ledger row: a second worker stops here
            _announce(item, [db.session.get(User, user_id) for user_id in staff_ids])
            db.session.commit()
            done += 1
        except IntegrityError:
            db.session.rollback()  # announced by someone else meanwhile
        except Exception:  # one item's trouble must not hold up the others
            log.exception("Announcing %s #%s to the staff failed; trying again next round",
                          item.kind, item.item_id)
            db.session.rollback()
    return done


def _announce(item, staff):
    """The bell and the e-mail for one item, by each staff member's choice."""
    escalation = item.kind == KIND_DEADLINE  # told to everyone: the promise to a collective
    mailed = False
    for person in staff:
        if person is None or person.id == item.actor_id:
            continue
        choice = person.staff_alerts
        if choice == STAFF_NONE and not escalation:
            continue
        notify(person, NOTIFICATION_KIND, item.text, item.path, emailed=True)
        if choice == STAFF_EACH or escalation:
            _mail(person.email, item, person)
            mailed = True
    if not staff and item.kind in (KIND_CONTACT, KIND_PARTNER):
        # No moderator at all yet: a contact message or application still reaches the platform.
        _mail(current_app.config["MAIL_DEFAULT_SENDER"], item, None)
        mailed = True
    return mailed


def _mail(address, item, person):
    queue_mail(
        address, item.subject, item.template, headers=item.headers,
        reader=person, item=item, url=external_url(item.path),
        settings_url=external_url("account.index") + "#moderatormeldingen",
        **(item.context or {}),
    )


def send_daily_summaries(now=None):
    """At 08:00 Dutch time, one e-mail to each "daily" staff member: what is new since their last
    summary and what waits now; nothing when nothing is new and nothing waits. Claimed with a
    conditional UPDATE per person, so it goes out once a day whatever the number of workers."""
    now = now or utcnow()
    local = to_local(now)
    if local.time() < SUMMARY_AT:
        return 0
    today_at = to_utc(datetime.combine(local.date(), SUMMARY_AT, tzinfo=AMSTERDAM))
    not_yet = or_(User.staff_summary_at.is_(None), User.staff_summary_at < today_at)
    due = [person.id for person in moderators()
           if person.staff_alerts == STAFF_DAILY
           and (person.staff_summary_at is None or person.staff_summary_at < today_at)]
    db.session.commit()
    sent = 0
    for user_id in due:
        try:
            user = db.session.get(User, user_id)
            since = user.staff_summary_at or now - timedelta(days=1)
            claimed = db.session.execute(
                update(User).where(User.id == user_id, not_yet).values(staff_summary_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed and _queue_summary(user, since, now):
                sent += 1
            db.session.commit()
        except Exception:
            log.exception("Daily staff summary for person #%s failed; trying again next round",
                          user_id)
            db.session.rollback()
    return sent


def _queue_summary(user, since, now):
    new = db.session.execute(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.kind == NOTIFICATION_KIND,
               Notification.created_at > since, Notification.created_at <= now)
        .order_by(Notification.created_at, Notification.id)
        .limit(MAX_SUMMARY_ITEMS + 1)
    ).scalars().all()
    counts = waiting()
    queues = [(counts[key], one if counts[key] == 1 else many)
              for key, (one, many) in TODO_LABELS.items() if counts[key]]
    if not new and not queues:
        return False
    total = todo_total(counts)
    queue_mail(
        user.email,
        f"Moderatie: {total} {'item wacht' if total == 1 else 'items wachten'} op je"
        if total else "Moderatie: je dagelijkse overzicht",
        "staff_summary",
        reader=user,
        new=[(n, external_url(n.url)) for n in new[:MAX_SUMMARY_ITEMS]],
        more=max(len(new) - MAX_SUMMARY_ITEMS, 0),
        queues=queues,
        overdue=counts["scans_overdue"],
        admin_url=external_url("admin.index"),
        settings_url=external_url("account.index") + "#moderatormeldingen",
    )
    return True
