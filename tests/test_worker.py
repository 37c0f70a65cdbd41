"""The mail worker's round: lab reminders, notification e-mails, then the outbox."""
from datetime import timedelta

from app.extensions import db
from app.mail import run_worker
from app.models.notifications import Notification
from app.timeutil import utcnow
from tests.lab_helpers import LabCast, answer, ask


def test_one_round_reminds_askers_and_queues_their_mail(app):
    cast = LabCast()
    week_ago = utcnow() - timedelta(days=8)
    question = ask(cast.member, now=week_ago)
    answer(cast.partner, question, now=week_ago + timedelta(hours=1))
    run_worker(app, 0, once=True)
    run_worker(app, 0, once=True)  # a second round reminds nobody again
    reminders = db.session.execute(
        db.select(Notification).where(Notification.kind == "lab_reminder")
    ).scalars().all()
    assert [n.user_id for n in reminders] == [cast.member.id]
