"""Moderators hear of what waits for them: each new queue item in the bell and by e-mail as each
chose (each item / a daily summary at 08:00 / none), a scan one working day from its deadline to
everyone, and nothing twice (app.staff_alerts, the worker's staff-alerts job)."""
from datetime import datetime, time, timedelta

from app.extensions import db
from app.forum.services import report_post
from app.models.notifications import MAIL_SKIPPED, Notification, StaffAlert
from app.models.public import ContactMessage
from app.notifications import send_notification_emails
from app.staff_alerts import (
    KEEP_LEDGER,
    announce_new_items,
    send_daily_summaries,
    send_staff_alerts,
)
from app.timeutil import utcnow
from app.workdays import AMSTERDAM, add_working_days, to_local, to_utc
from tests.factories import ask, make_group, make_user, start_thread, submitted_scan
from tests.fixtures.labs import LabCast
from tests.support import outbox


def staff(each=True, daily=True, none=True):
    people = {}
    if each:
        people["each"] = make_user(email="elk@example.org", name="Eline Elk", role="moderator")
    if daily:
        people["daily"] = make_user(email="dag@example.org", name="Daan Dag", role="admin")
        people["daily"].staff_alerts = "daily"
    if none:
        people["none"] = make_user(email="geen@example.org", name="Gea Geen", role="moderator")
        people["none"].staff_alerts = "none"
    db.session.commit()
    return people


def bell(user):
    db.session.expire_all()
    return db.session.execute(
        db.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).scalars().all()


def test_a_new_scan_reaches_each_moderator_as_they_chose_and_only_once():
    people = staff()
    member = make_user(email="lid@example.org")
    scan = submitted_scan(name="Zorgcoöperatie De Linde")

    assert announce_new_items() == 1
    [each] = bell(people["each"])
    assert each.kind == "staff" and each.mail_state == MAIL_SKIPPED
    assert each.text.startswith("Nieuwe zelfscan te beoordelen: Zorgcoöperatie De Linde (uiterlijk ")
    assert each.url == f"/beheer/zelfscans/{scan.id}"
    [daily] = bell(people["daily"])
    assert daily.text == each.text
    assert bell(people["none"]) == [] and bell(member) == []

    [mail] = outbox()  # only the "each" moderator is e-mailed now
    assert mail.recipient == "elk@example.org"
    assert mail.subject == "Nieuwe zelfscan te beoordelen: Zorgcoöperatie De Linde"
    assert "Hallo Eline Elk" in mail.body_text
    assert f"http://localhost/beheer/zelfscans/{scan.id}" in mail.body_text
    assert "/account#moderatormeldingen" in mail.body_text

    # Nothing twice: another round, and the general notification e-mails, send nothing more.
    assert announce_new_items() == 0
    assert send_notification_emails(now=utcnow() + timedelta(hours=1)) == 0
    assert len(outbox()) == 1 and len(bell(people["each"])) == 1


def test_every_queue_is_announced_with_its_own_words_and_link():
    people = staff(daily=False, none=False)
    cast_member = make_user(email="schrijver@example.org", name="Sam Schrijver")
    group = make_group()
    _, post = start_thread(group, cast_member, title="Subsidie voor zonnepanelen")
    reporter = make_user(email="melder@example.org", name="Mel Melder")
    report_post(reporter, post, "Dit is reclame.")
    db.session.add(ContactMessage(name="Karin", email="karin@example.org", subject="Vraag over de scan",
                                  message="Hoe lang duurt het?"))
    db.session.commit()

    assert announce_new_items() == 2
    texts = sorted(n.text for n in bell(people["each"]))
    assert texts == ["Bericht gemeld in “Subsidie voor zonnepanelen”",
                     "Nieuw contactbericht: “Vraag over de scan”"]
    mails = {m.subject: m for m in outbox()}
    assert "Reden: “Dit is reclame.”" in mails["Bericht gemeld in “Subsidie voor zonnepanelen”"].body_text
    contact = mails["Contactformulier: Vraag over de scan"]
    assert contact.headers == {"Reply-To": "karin@example.org"}  # answer the sender directly


def test_the_moderator_who_caused_an_item_is_not_told_of_it():
    people = staff(daily=False, none=False)
    other = make_user(email="tweede@example.org", name="Twee", role="moderator")
    author = make_user(email="schrijver@example.org")
    _, post = start_thread(make_group(), author)
    report_post(people["each"], post, "Klopt niet.")
    db.session.commit()
    announce_new_items()
    assert bell(people["each"]) == []
    assert [m.recipient for m in outbox()] == [other.email]


def test_a_lab_question_is_announced_after_five_working_days_without_an_answer():
    cast = LabCast()
    young = ask(cast.member, title="Nog maar net gesteld")
    old = ask(cast.member, title="Al lang open")
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    announce_new_items()
    [notification] = bell(cast.moderator)
    assert notification.text == "Labvraag vijf werkdagen zonder antwoord: “Al lang open” (Financelab)"
    assert notification.url == f"/labs/financelab/vragen/{old.id}"
    assert young.id not in {row.item_id for row in db.session.execute(
        db.select(StaffAlert)).scalars()}


def test_an_item_handled_before_the_round_is_not_announced():
    people = staff(daily=False, none=False)
    db.session.add(ContactMessage(name="K", email="k@example.org", subject="Al gedaan",
                                  message="Bericht", handled_at=utcnow()))
    db.session.commit()
    assert announce_new_items() == 0
    assert bell(people["each"]) == [] and outbox() == []


def test_old_items_are_not_announced_after_a_long_outage_and_the_ledger_forgets():
    people = staff(daily=False, none=False)
    submitted_scan(submitted_at=utcnow() - timedelta(days=30))
    assert announce_new_items() == 0
    assert bell(people["each"]) == []
    db.session.add(StaffAlert(kind="contact", item_id=999, created_at=utcnow() - KEEP_LEDGER
                              - timedelta(days=1)))
    db.session.commit()
    assert send_staff_alerts() == {"items": 0, "summaries": 0}
    assert db.session.execute(db.select(StaffAlert).where(StaffAlert.item_id == 999)).first() is None


def test_a_scan_one_working_day_from_its_deadline_is_told_to_every_moderator_once():
    people = staff()
    now = utcnow()
    near = submitted_scan(name="Dichtbij")
    near.due_at = add_working_days(now, 1) - timedelta(minutes=1)
    far = submitted_scan(name="Verweg")
    far.due_at = add_working_days(now, 1) + timedelta(hours=2)
    db.session.commit()
    announce_new_items(now)
    warnings = [n for n in bell(people["none"])]
    assert len(warnings) == 1 and warnings[0].text.startswith("Nog één werkdag: de zelfscan van Dichtbij")
    deadline_mails = [m for m in outbox() if m.subject.startswith("Zelfscan van Dichtbij: uiterlijk ")]
    assert sorted(m.recipient for m in deadline_mails) == ["dag@example.org", "elk@example.org",
                                                           "geen@example.org"]
    assert "Nog één werkdag" in deadline_mails[0].body_text or "wacht nog" in deadline_mails[0].body_text
    assert not any(m.subject.startswith("Zelfscan van Verweg") for m in outbox())
    count = len(outbox())
    announce_new_items(now + timedelta(minutes=5))
    assert len(outbox()) == count  # not twice


def test_without_any_moderator_contact_messages_still_reach_the_platform(app):
    db.session.add(ContactMessage(name="K", email="k@example.org", subject="Hallo", message="Test"))
    db.session.commit()
    announce_new_items()
    assert [m.recipient for m in outbox()] == [app.config["MAIL_DEFAULT_SENDER"]]


def next_eight_oclock(after):
    local = to_local(after)
    moment = datetime.combine(local.date(), time(8, 0), tzinfo=AMSTERDAM)
    if moment <= local:
        moment += timedelta(days=1)
    return to_utc(moment)


def test_the_daily_summary_goes_out_at_eight_dutch_time_once_a_day():
    people = staff()
    submitted_scan(name="Zorgcoöperatie De Linde")
    announce_new_items()
    before = len(outbox())
    eight = next_eight_oclock(utcnow())

    assert send_daily_summaries(eight - timedelta(minutes=1)) == 0
    assert send_daily_summaries(eight) == 1
    [summary] = outbox("dag@example.org")
    assert summary.subject == "Moderatie: 1 item wacht op je"
    assert "1 zelfscan te beoordelen" in summary.body_text
    assert "Nieuwe zelfscan te beoordelen: Zorgcoöperatie De Linde" in summary.body_text
    assert len(outbox()) == before + 1  # nobody else
    assert send_daily_summaries(eight + timedelta(hours=3)) == 0  # once a day
    assert send_daily_summaries(eight + timedelta(days=1)) == 1  # still waiting the next day
    assert "Nieuw sinds" not in outbox("dag@example.org")[-1].body_text  # nothing new since


def test_no_summary_when_nothing_is_new_and_nothing_waits():
    staff(each=False, none=False)
    assert send_daily_summaries(next_eight_oclock(utcnow())) == 0
    assert outbox() == []
