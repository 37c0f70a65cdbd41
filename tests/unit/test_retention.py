"""What the privacy statement promises about retention is what the cleanup does."""
import hashlib
import secrets
from datetime import timedelta

from app.extensions import db
from app.models.audit import AuditLog
from app.models.labs import PartnerApplication
from app.models.public import ContactMessage
from app.models.selfscan import SelfScan, SelfScanAnswer
from app.retention import apply_retention
from app.timeutil import utcnow
from tests.support import worker_round


def _scan(status, age_days, **fields):
    when = utcnow() - timedelta(days=age_days)
    scan = SelfScan(resume_token_hash=hashlib.sha256(secrets.token_bytes(8)).hexdigest(),
                    questionnaire_version=1, status=status, created_at=when, updated_at=when,
                    **fields)
    scan.answers = [SelfScanAnswer(question_key="profiel_naam", questionnaire_version=1, value="X")]
    db.session.add(scan)
    db.session.commit()
    # updated_at has onupdate; set it back explicitly after the insert
    db.session.execute(db.update(SelfScan).where(SelfScan.id == scan.id).values(updated_at=when))
    db.session.commit()
    return scan.id


def test_unfinished_scans_go_after_90_days_with_their_answers():
    old = _scan("draft", 91)
    recent = _scan("draft", 89)
    submitted = _scan("submitted", 400)
    counts = apply_retention()
    db.session.commit()
    assert counts["unfinished self-scans"] == 1
    remaining = set(db.session.execute(db.select(SelfScan.id)).scalars())
    assert remaining == {recent, submitted}
    assert db.session.execute(
        db.select(db.func.count()).select_from(SelfScanAnswer).where(SelfScanAnswer.scan_id == old)
    ).scalar_one() == 0


def test_contact_of_rejected_scans_blanked_after_90_days():
    now = utcnow()
    old = _scan("rejected", 200, contact_name="Piet", contact_email="piet@example.org",
                reviewed_at=now - timedelta(days=91))
    recent = _scan("rejected", 200, contact_name="Kees", contact_email="kees@example.org",
                   reviewed_at=now - timedelta(days=10))
    apply_retention()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SelfScan, old).contact_email is None
    assert db.session.get(SelfScan, old).contact_name is None
    assert db.session.get(SelfScan, recent).contact_email == "kees@example.org"


def test_contact_messages_refused_applications_and_audit_entries(app):
    now = utcnow()
    db.session.add_all([
        ContactMessage(name="Oud", email="o@example.org", subject="x", message="oud bericht",
                       created_at=now - timedelta(days=366)),
        ContactMessage(name="Nieuw", email="n@example.org", subject="x", message="nieuw bericht"),
        PartnerApplication(organisation_name="Verkoop BV", kind="financier", lab_slugs=["financelab"],
                           contact_name="V", contact_email="v@example.org", motivation="m" * 60,
                           status="refused", decided_at=now - timedelta(days=400)),
        PartnerApplication(organisation_name="Fonds", kind="financier", lab_slugs=["financelab"],
                           contact_name="F", contact_email="f@example.org", motivation="m" * 60,
                           status="approved", decided_at=now - timedelta(days=400)),
        AuditLog(action="old", created_at=now - timedelta(days=731)),
        AuditLog(action="new", created_at=now - timedelta(days=10)),
    ])
    db.session.commit()
    worker_round(app)  # the worker's round applies retention too
    names = db.session.execute(db.select(ContactMessage.name)).scalars().all()
    assert names == ["Nieuw"]
    assert db.session.execute(db.select(PartnerApplication.organisation_name)).scalars().all() == ["Fonds"]
    assert db.session.execute(db.select(AuditLog.action)).scalars().all() == ["new"]


def test_cleanup_command(app):
    _scan("draft", 120)
    result = app.test_cli_runner().invoke(args=["privacy", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "unfinished self-scans: 1" in result.output
