"""The self-scan flow: starting, saving steps, the resume link, submitting, repeat scans.

Functions flush, never commit: the view owns the transaction, so an e-mail is queued in the same
transaction as the change it reports. The raw resume token exists only in links (and in the
person's own session); the database keeps its SHA-256 hash, as app/tokens.py does.
"""
import secrets
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from app.selfscan.questionnaire import (
    current_questionnaire,
    load_questionnaire,
    municipality_field_names,
    parse_step,
)
from app.selfscan.report import previous_scan
from app.selfscan.scoring import score_answers
from app.extensions import db
from app.mail import queue_mail
from app.urls import external_url
from app.models.selfscan import (
    SCAN_APPROVED,
    SCAN_COMPLETED,
    SCAN_DRAFT,
    SCAN_SUBMITTED,
    SelfScan,
    SelfScanAnswer,
)
from app.timeutil import utcnow
from app.tokens import MAX_TOKEN_LENGTH, hash_token
from app.workdays import add_working_days

# Statuses whose report may be shown (a draft has none yet; a rejected scan gets none).
REPORTABLE = (SCAN_SUBMITTED, SCAN_APPROVED, SCAN_COMPLETED)


def questionnaire_of(scan):
    """The questionnaire version this scan was started with."""
    return load_questionnaire(scan.questionnaire_version)


# -- starting and finding ------------------------------------------------------------------------

def start_scan(started_by=None, collective=None):
    """A new draft scan on the current questionnaire; returns (scan, raw resume token)."""
    raw = secrets.token_urlsafe(32)
    scan = SelfScan(
        resume_token_hash=hash_token(raw),
        questionnaire_version=current_questionnaire().version,
        status=SCAN_DRAFT,
        furthest_step=1,
        collective=collective,
        started_by=started_by,
    )
    db.session.add(scan)
    db.session.flush()
    return scan, raw


def scan_for_token(raw):
    """The scan whose private link carries this token, or None."""
    if not raw or not isinstance(raw, str) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return db.session.execute(
        db.select(SelfScan).where(SelfScan.resume_token_hash == hash_token(raw))
    ).scalar_one_or_none()


# The private report link works until this long after the scan was approved (or, for a repeat
# scan, submitted); after that its members read the report inside the platform.
REPORT_LINK_LIFETIME = timedelta(days=90)


def report_link_expires_at(scan):
    """When the scan's private report link stops working, or None while it waits for review."""
    start = scan.reviewed_at if scan.status == SCAN_APPROVED else (
        scan.submitted_at if scan.status == SCAN_COMPLETED else None)
    return start + REPORT_LINK_LIFETIME if start is not None else None


def report_link_expired(scan, now=None):
    expires_at = report_link_expires_at(scan)
    return expires_at is not None and (now or utcnow()) >= expires_at


def token_matches(scan, raw):
    return bool(raw) and isinstance(raw, str) and secrets.compare_digest(
        scan.resume_token_hash, hash_token(raw)
    )


# -- answers -------------------------------------------------------------------------------------

def save_answers(scan, values):
    """Store answers (question key → value) with the scan's questionnaire version; upsert."""
    existing = {answer.question_key: answer for answer in scan.answers}
    for key, value in values.items():
        answer = existing.get(key)
        if answer is None:
            scan.answers.append(SelfScanAnswer(
                question_key=key, questionnaire_version=scan.questionnaire_version, value=value
            ))
        else:
            answer.value = value
            answer.questionnaire_version = scan.questionnaire_version
    scan.updated_at = utcnow()
    db.session.flush()


def answers_as_formdata(step, answers):
    """Stored answers of one step as the form data that would produce them (for re-validation
    and for filling in the step page again)."""
    data = MultiDict()
    for question in step.questions:
        value = answers.get(question.key)
        if value is None:
            continue
        if question.type == "multi":
            for item in value if isinstance(value, list) else []:
                data.add(question.key, str(item))
        elif question.type == "municipality":
            if isinstance(value, dict):
                for name, part in zip(municipality_field_names(question),
                                      ("municipality", "province", "country")):
                    data.add(name, str(value.get(part) or ""))
        else:
            data.add(question.key, str(value))
    return data


def refusal(scan):
    """The eligibility message when the scan's answers rule the collective out, else None."""
    return questionnaire_of(scan).refusal(scan.answer_map())


def location_country(scan):
    location = questionnaire_of(scan).profile_value(scan.answer_map(), "location")
    return location.get("country") if isinstance(location, dict) else None


def first_incomplete_step(scan):
    """(step number, errors) of the first question step whose stored answers do not pass
    validation any more (missing, or no longer valid); None when every step is complete."""
    questionnaire = questionnaire_of(scan)
    answers = scan.answer_map()
    for step in questionnaire.steps:
        _values, errors = parse_step(step, answers_as_formdata(step, answers))
        if errors:
            return step.number, errors
    return None


def reach_step(scan, number):
    """Record that the person may now open step `number` (never moves backwards)."""
    if number > scan.furthest_step:
        scan.furthest_step = number
        db.session.flush()


# -- contact person and the resume link ----------------------------------------------------------

def set_contact(scan, name, email):
    scan.contact_name = name
    scan.contact_email = email
    db.session.flush()


def send_resume_link(scan, raw):
    """E-mail the private resume link once, as soon as an address is known. True when queued."""
    if scan.resume_link_sent_to or not scan.contact_email:
        return False
    queue_mail(
        scan.contact_email,
        "Je link om de zelfscan later af te maken",
        "selfscan_resume",
        scan=scan,
        resume_url=external_url("selfscan.resume", token=raw),
        index_url=external_url("selfscan.index"),
    )
    scan.resume_link_sent_to = scan.contact_email
    db.session.flush()
    return True


# -- submitting ----------------------------------------------------------------------------------

def submit_scan(scan, raw, consent_research):
    """Send in a complete draft: scores, status, deadline, consent, confirmation e-mail.

    The status changes with a conditional UPDATE (draft → submitted/completed), so a double click
    or two tabs submit once and queue one e-mail. Returns True when this call submitted the scan.
    The caller has checked completeness, eligibility and the privacy consent.
    """
    questionnaire = questionnaire_of(scan)
    now = utcnow()
    repeat = scan.collective_id is not None
    status = SCAN_COMPLETED if repeat else SCAN_SUBMITTED
    scores = score_answers(questionnaire, scan.answer_map())
    due_at = None if repeat else add_working_days(now, 2)
    result = db.session.execute(
        db.update(SelfScan)
        .where(SelfScan.id == scan.id, SelfScan.status == SCAN_DRAFT)
        .values(
            status=status, submitted_at=now, due_at=due_at, scores=scores, updated_at=now,
            consent_privacy=True, consent_research=bool(consent_research),
            consent_version=questionnaire.consent_version, consent_at=now,
            contact_name=scan.contact_name, contact_email=scan.contact_email,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(scan)
    queue_mail(
        scan.contact_email,
        "Je nieuwe zelfscan is verwerkt" if repeat else "We hebben je zelfscan ontvangen",
        "selfscan_submitted",
        scan=scan,
        repeat=repeat,
        collective_name=scan.collective.name if repeat and scan.collective else None,
        report_url=external_url("selfscan.report_by_token", token=raw),
    )
    return True


# -- repeat scans --------------------------------------------------------------------------------

def start_rescan(user, collective):
    """A new scan for an existing collective, started by its representative.

    Contact person from the account, and every answer of the collective's previous scan that still
    fits the current questionnaire filled in (prefill_from_previous). An unfinished repeat scan is
    picked up again instead of starting a second one (its link is renewed: we only know its hash;
    questions it never saved are filled in from the previous scan too). Returns (scan, raw).
    """
    draft = db.session.execute(
        db.select(SelfScan)
        .where(SelfScan.collective_id == collective.id, SelfScan.status == SCAN_DRAFT)
        .order_by(SelfScan.id.desc()).limit(1)
    ).scalar_one_or_none()
    if draft is not None:
        raw = secrets.token_urlsafe(32)
        draft.resume_token_hash = hash_token(raw)
        draft.resume_link_sent_to = None
        draft.started_by = user
        db.session.flush()
        prefill_from_previous(draft)
        return draft, raw
    scan, raw = start_scan(started_by=user, collective=collective)
    set_contact(scan, user.name, user.email)
    prefill_from_previous(scan)
    return scan, raw


def prefill_from_previous(scan):
    """Copy the answers of the collective's previous scan (approved or completed) into this draft
    repeat scan, on every step, as stored answers the person can change. Only questions that still
    exist in this scan's questionnaire and whose earlier answer is still valid there carry over (a
    removed question is skipped, a changed one stays empty); a question this draft has saved
    already, even as empty, is left alone. Only the same collective's scans are read
    (previous_scan). Returns the previous scan, or None when there is none."""
    previous = prefilled_from(scan)
    if previous is None:
        return None
    earlier = previous.answer_map()
    saved = {answer.question_key for answer in scan.answers}
    values = {}
    for step in questionnaire_of(scan).steps:
        parsed, errors = parse_step(step, answers_as_formdata(step, earlier))
        values.update({key: value for key, value in parsed.items()
                       if key not in errors and key not in saved
                       and value not in (None, "", [])})
    if values:
        save_answers(scan, values)
    return previous


def prefilled_from(scan):
    """The previous scan whose answers a draft repeat scan starts from, or None (a first scan,
    or a collective without an earlier scan)."""
    if scan.status != SCAN_DRAFT or scan.collective_id is None:
        return None
    return previous_scan(scan)
