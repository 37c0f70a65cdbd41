"""The bookmark-reminders job: a reminder in the bell on the chosen (Dutch) date from 08:00, once,
e-mailed as the person chose, and a word instead of a title for what they can no longer read."""
from datetime import date, datetime, timedelta

import pytest

from app import bookmarks
from app.extensions import db
from app.models.bookmarks import Bookmark
from app.models.forum import Thread
from app.models.notifications import EMAIL_OFF, MAIL_SENT, MAIL_SKIPPED
from app.notifications import send_notification_emails
from app.workdays import local_today, to_utc
from tests.factories import make_group, start_thread
from tests.fixtures.forum import Cast
from tests.support import notifications, outbox, reload, worker_round

DAY = date(2027, 3, 15)  # a Monday in winter time (08:00 in Amsterdam is 07:00 UTC)
SUMMER_DAY = date(2027, 7, 12)


def local(day, hour, minute=0):
    """A Dutch wall-clock moment as naive UTC, as the database keeps time."""
    return to_utc(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def world():
    cast = Cast()
    thread, _ = start_thread(make_group(), cast.member, title="Zonnepanelen op het dorpshuis")
    return cast, thread


def kept(user, thread, remind_on, note="Lezen voor de ledenvergadering"):
    bookmark, _ = bookmarks.keep(user, "thread", thread)
    bookmarks.change(bookmark, note, remind_on)
    db.session.commit()
    return bookmark


def reminders(user):
    return notifications(user, kind="bookmark_reminder")


@pytest.mark.parametrize("day", [DAY, SUMMER_DAY])
def test_the_reminder_comes_on_its_day_from_eight_oclock_dutch_time_and_once(app, world, day):
    cast, thread = world
    bookmark = kept(cast.member2, thread, day)
    assert bookmarks.send_reminders(now=local(day, 7, 59)) == 0
    assert bookmarks.send_reminders(now=local(day - timedelta(days=1), 23, 0)) == 0
    assert reminders(cast.member2) == []

    assert bookmarks.send_reminders(now=local(day, 8, 0)) == 1
    assert bookmarks.send_reminders(now=local(day, 8, 10)) == 0  # the next round: not again
    [note] = reminders(cast.member2)
    assert note.text == "Herinnering: “Zonnepanelen op het dorpshuis”"
    assert note.excerpt == "Lezen voor de ledenvergadering"
    assert note.url == f"/forum/energie/{thread.id}-zonnepanelen-op-het-dorpshuis"
    assert reload(Bookmark, bookmark.id).reminded_at == local(day, 8, 0)


def test_a_day_missed_is_reminded_in_the_first_round_after(app, world):
    cast, thread = world
    kept(cast.member2, thread, DAY)
    assert bookmarks.send_reminders(now=local(DAY + timedelta(days=2), 6, 0)) == 1
    assert len(reminders(cast.member2)) == 1


def test_a_new_date_is_reminded_again(app, world):
    cast, thread = world
    bookmark = kept(cast.member2, thread, DAY)
    bookmarks.send_reminders(now=local(DAY, 9, 0))
    bookmarks.change(reload(Bookmark, bookmark.id), "Nog eens", DAY + timedelta(days=7))
    db.session.commit()
    assert bookmarks.send_reminders(now=local(DAY + timedelta(days=1), 9, 0)) == 0
    assert bookmarks.send_reminders(now=local(DAY + timedelta(days=7), 8, 30)) == 1
    assert [n.excerpt for n in reminders(cast.member2)] == ["Lezen voor de ledenvergadering",
                                                            "Nog eens"]


def test_no_reminder_without_a_date(app, world):
    cast, thread = world
    kept(cast.member2, thread, None)
    assert bookmarks.send_reminders(now=local(DAY, 9, 0)) == 0


def test_what_can_no_longer_be_read_is_reminded_without_its_title(app, world):
    cast, thread = world
    kept(cast.member2, thread, DAY, note="")
    reload(Thread, thread.id).deleted_at = local(DAY, 1, 0)
    db.session.commit()
    bookmarks.send_reminders(now=local(DAY, 8, 0))
    [note] = reminders(cast.member2)
    assert "Zonnepanelen" not in note.text and "niet meer beschikbaar" in note.text
    assert note.url == "/bewaard"


def test_two_workers_at_once_remind_once(app, world):
    """The claim is a conditional UPDATE: a worker that read the same due row finds it taken."""
    cast, thread = world
    bookmark = kept(cast.member2, thread, DAY)
    db.session.execute(db.update(Bookmark).where(Bookmark.id == bookmark.id)
                       .values(reminded_at=local(DAY, 8, 0)))  # another worker was first
    db.session.commit()
    assert bookmarks.send_reminders(now=local(DAY, 8, 1)) == 0
    assert reminders(cast.member2) == []


def test_the_email_follows_the_persons_setting(app, world):
    cast, thread = world
    cast.member.notify_email = EMAIL_OFF
    db.session.commit()
    kept(cast.member2, thread, DAY)
    kept(cast.member, thread, DAY)
    bookmarks.send_reminders(now=local(DAY, 8, 0))
    send_notification_emails(now=local(DAY, 8, 10))
    [bert_note] = reminders(cast.member2)
    [anna_note] = reminders(cast.member)
    assert bert_note.mail_state == MAIL_SENT and anna_note.mail_state == MAIL_SKIPPED
    [mail] = outbox("lid2@example.org")
    assert "Herinnering: “Zonnepanelen op het dorpshuis”" in mail.subject
    assert outbox("lid@example.org") == []


def test_the_worker_runs_the_job(app, world):
    cast, thread = world
    kept(cast.member2, thread, local_today() - timedelta(days=1))  # due at once
    worker_round(app, only=["bookmark-reminders"])
    worker_round(app, only=["bookmark-reminders"])
    assert len(reminders(cast.member2)) == 1
