"""Retention: removes what the privacy statement says we keep no longer (see /privacy).

`apply_retention()` runs from the background worker (app/worker) once an hour and as
`flask --app wsgi privacy cleanup`; it is safe to run any number of times, by several processes.
Server logs and back-ups are kept short by the hosting setup (README, "Running in production").
"""
from datetime import timedelta

from app import drafts, post_images
from app.accounts import sessions
from app.extensions import db
from app.models.accounts import Token
from app.models.audit import AuditLog
from app.models.labs import APPLICATION_REFUSED, PartnerApplication
from app.models.public import ContactMessage
from app.models.selfscan import SCAN_DRAFT, SCAN_REJECTED, SelfScan, SelfScanAnswer
from app.timeutil import utcnow

UNFINISHED_SCAN = timedelta(days=90)
REJECTED_SCAN_CONTACT = timedelta(days=90)
CONTACT_MESSAGE = timedelta(days=365)
REFUSED_APPLICATION = timedelta(days=365)
AUDIT_ENTRY = timedelta(days=730)
SPENT_TOKEN = timedelta(days=30)


def _run(statement):
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def apply_retention(now=None):
    """Delete or blank what has passed its retention period; returns counts (not committed)."""
    now = now or utcnow()
    stale_drafts = db.select(SelfScan.id).where(
        SelfScan.status == SCAN_DRAFT, SelfScan.updated_at < now - UNFINISHED_SCAN
    )
    _run(db.delete(SelfScanAnswer).where(SelfScanAnswer.scan_id.in_(stale_drafts)))
    return {
        "unfinished self-scans": _run(db.delete(SelfScan).where(SelfScan.id.in_(stale_drafts))),
        "contacts of rejected self-scans": _run(
            db.update(SelfScan)
            .where(SelfScan.status == SCAN_REJECTED,
                   SelfScan.reviewed_at < now - REJECTED_SCAN_CONTACT,
                   SelfScan.contact_email.is_not(None))
            .values(contact_name=None, contact_email=None, resume_link_sent_to=None)
        ),
        "contact messages": _run(
            db.delete(ContactMessage).where(ContactMessage.created_at < now - CONTACT_MESSAGE)
        ),
        "refused partner applications": _run(
            db.delete(PartnerApplication).where(
                PartnerApplication.status == APPLICATION_REFUSED,
                PartnerApplication.decided_at < now - REFUSED_APPLICATION,
            )
        ),
        "audit entries": _run(db.delete(AuditLog).where(AuditLog.created_at < now - AUDIT_ENTRY)),
        "spent tokens": _run(db.delete(Token).where(Token.expires_at < now - SPENT_TOKEN)),
        "ended sessions": sessions.remove_expired(now),
        "drafts": drafts.remove_stale(now),
        "unposted images": post_images.remove_unattached(now),
    }
