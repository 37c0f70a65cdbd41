"""seed-demo fills every feature with realistic content."""
import pytest

from app.accounts import second_factor
from app.demo import seed_demo
from app.extensions import db
from app.models.accounts import User
from app.models.collectives import SECTORS, Collective
from app.models.selfscan import SCAN_SUBMITTED, SelfScan
from app.timeutil import utcnow
from tests.support import SECOND_STEP, isolated_client, submit

pytestmark = pytest.mark.slow  # seeds the whole demo site in every test


def _seed():
    made = seed_demo()
    db.session.commit()
    return made


def test_collectives_over_all_sectors_with_scans():
    _seed()
    collectives = db.session.execute(db.select(Collective)).scalars().all()
    assert len(collectives) >= 12
    assert {c.sector for c in collectives} == set(SECTORS)
    assert any(c.country == "BE" for c in collectives)
    for collective in collectives:
        scans = db.session.execute(
            db.select(SelfScan).where(SelfScan.collective_id == collective.id)
        ).scalars().all()
        assert scans and all(scan.scores for scan in scans)


def test_peer_comparison_available_in_one_sector():
    from app.selfscan.report import build_report

    _seed()
    lid = User.find_by_email("lid@example.org")
    scan = db.session.execute(
        db.select(SelfScan).where(SelfScan.collective_id == lid.collective_id)
        .order_by(SelfScan.submitted_at.desc())
    ).scalars().first()
    report = build_report(scan)
    assert report.comparison, "the demo representative's sector has at least 5 peers"
    assert report.previous is not None  # the demo collective did the scan twice


def test_demo_people_and_queue():
    _seed()
    lid = User.find_by_email("lid@example.org")
    lid2 = User.find_by_email("lid2@example.org")
    assert lid.is_representative and lid.collective_id
    assert lid2.is_collective_member and lid2.collective_id != lid.collective_id
    queue = db.session.execute(
        db.select(SelfScan).where(SelfScan.status == SCAN_SUBMITTED)
    ).scalars().all()
    assert len(queue) == 3
    assert sum(scan.due_at < utcnow() for scan in queue) == 1
    assert all(scan.contact_email for scan in queue)


def test_forum_groups_with_threads_of_varied_length():
    from app.models.forum import ForumGroup, PostReport, Thread

    _seed()
    groups = db.session.execute(db.select(ForumGroup)).scalars().all()
    assert len(groups) == 8 and all(group.thread_count >= 1 for group in groups)
    lengths = [t.post_count for t in db.session.execute(db.select(Thread)).scalars()]
    assert min(lengths) == 1 and max(lengths) == 60
    threads = db.session.execute(db.select(Thread)).scalars().all()
    assert any(t.pinned for t in threads) and any(t.locked for t in threads)
    assert db.session.execute(
        db.select(db.func.count()).select_from(PostReport).where(PostReport.resolved_at.is_(None))
    ).scalar_one() == 1
    # A few posts @mention someone: linked in the post, the person notified.
    from app.models.forum import Post
    from app.models.notifications import Notification

    mentioning = db.session.execute(
        db.select(Post).where(Post.body_html.contains('class="mention"'))).scalars().all()
    assert 3 <= len(mentioning) <= 10
    assert db.session.execute(db.select(db.func.count()).select_from(Notification)
                              .where(Notification.kind == "mention")).scalar_one() >= 3


def test_labs_with_partners_and_questions_in_every_status():
    from app.models.labs import Lab, LabQuestion, PartnerApplication

    _seed()
    for lab in db.session.execute(db.select(Lab)).scalars():
        assert lab.partners, lab.slug
        statuses = {q.status for q in db.session.execute(
            db.select(LabQuestion).where(LabQuestion.lab_id == lab.id)).scalars()}
        assert statuses == {"open", "beantwoord", "opgelost"}, lab.slug
    assert User.find_by_email("onderzoeker@example.org").research_access
    assert db.session.execute(
        db.select(db.func.count()).select_from(PartnerApplication)
        .where(PartnerApplication.status == "pending")
    ).scalar_one() == 1


def test_staff_and_the_research_partner_sign_in_with_a_demo_code(app, monkeypatch):
    """The demo administrator and the research partner have a second factor, so a newcomer sees
    the real sign-in; `flask demo-code EMAIL` gives the code their app would show."""
    _seed()
    for email in ("beheerder@example.org", "onderzoeker@example.org"):
        assert User.find_by_email(email).has_second_factor, email
    assert not User.find_by_email("lid@example.org").has_second_factor
    assert not User.find_by_email("financier@example.org").has_second_factor
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setenv("APP_ENV", "development")
    client = isolated_client(app)
    response = submit(client, "/inloggen", {"email": "beheerder@example.org",
                                            "password": "Kracht-demo-2026"})
    assert response.headers["Location"].endswith(SECOND_STEP)
    code = app.test_cli_runner().invoke(args=["demo-code", "beheerder@example.org"]).stdout.strip()
    assert second_factor.matching_step(User.find_by_email("beheerder@example.org").totp_secret, code)
    assert submit(client, SECOND_STEP, {"code": code}).status_code == 302
    assert client.get("/beheer").status_code == 200
