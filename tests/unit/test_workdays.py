"""Working days: weekends and Dutch public holidays skipped, on Dutch local dates."""
from datetime import date, datetime, timedelta

import pytest

from app.workdays import (
    add_working_days,
    is_overdue,
    is_working_day,
    late_by,
    local_today,
    start_of_local_day,
    to_local,
    working_days_between,
)


def local(*args):
    """A naive UTC datetime for a Dutch wall-clock time (what the database stores)."""
    from app.workdays import to_utc

    return to_utc(datetime(*args))


def as_local(moment):
    return to_local(moment).replace(tzinfo=None)


def test_plain_weekdays():
    # Monday 10:00 → Wednesday 10:00
    assert as_local(add_working_days(local(2026, 11, 23, 10, 0), 2)) == datetime(2026, 11, 25, 10, 0)
    assert as_local(add_working_days(local(2026, 11, 23, 10, 0), 0)) == datetime(2026, 11, 23, 10, 0)


def test_friday_evening_is_due_on_tuesday_at_the_same_time():
    due = add_working_days(local(2026, 11, 27, 19, 30), 2)
    assert as_local(due) == datetime(2026, 12, 1, 19, 30)
    assert due == datetime(2026, 12, 1, 18, 30)  # stored as UTC (CET is UTC+1)


@pytest.mark.parametrize("weekend_day", [28, 29])
def test_a_weekend_submission_counts_from_the_start_of_monday(weekend_day):
    due = add_working_days(local(2026, 11, weekend_day, 10, 0), 2)
    assert as_local(due) == datetime(2026, 12, 2, 0, 0)  # Monday and Tuesday: Wednesday 00:00


def test_late_on_sunday_is_never_due_after_early_on_monday():
    sunday = add_working_days(local(2026, 11, 29, 23, 5), 2)
    monday = add_working_days(local(2026, 11, 30, 1, 8), 2)
    assert sunday <= monday
    assert as_local(sunday) == datetime(2026, 12, 2, 0, 0)
    assert as_local(monday) == datetime(2026, 12, 2, 1, 8)


def test_the_local_date_counts_not_the_utc_date():
    # 23:30 UTC on Sunday is already Monday 00:30 in the Netherlands: a working day.
    due = add_working_days(datetime(2026, 11, 29, 23, 30), 2)
    assert as_local(due) == datetime(2026, 12, 2, 0, 30)


def test_kings_day_is_skipped():
    assert not is_working_day(date(2026, 4, 27))  # Koningsdag, a Monday in 2026
    due = add_working_days(local(2026, 4, 24, 12, 0), 2)  # Friday
    assert as_local(due) == datetime(2026, 4, 29, 12, 0)  # Tue 28, Wed 29
    assert due == datetime(2026, 4, 29, 10, 0)  # summer time: UTC+2


def test_easter_monday_is_skipped():
    assert not is_working_day(date(2026, 4, 6))
    due = add_working_days(local(2026, 4, 4, 9, 0), 2)  # Saturday before Easter Monday
    assert as_local(due) == datetime(2026, 4, 9, 0, 0)  # from Tuesday 7, 00:00: Tue 7 and Wed 8


def test_christmas_is_skipped():
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 26))
    due = add_working_days(local(2026, 12, 23, 15, 0), 2)  # Wednesday
    assert as_local(due) == datetime(2026, 12, 28, 15, 0)  # Thu 24, (Fri 25, weekend), Mon 28


def test_year_boundary_and_new_years_day():
    assert not is_working_day(date(2027, 1, 1))
    due = add_working_days(local(2026, 12, 30, 9, 0), 2)  # Wednesday
    assert as_local(due) == datetime(2027, 1, 4, 9, 0)  # Thu 31, (Fri 1 Jan, weekend), Mon 4


def test_clock_change_keeps_the_local_time():
    due = add_working_days(local(2026, 10, 23, 20, 0), 2)  # Friday, summer time
    assert as_local(due) == datetime(2026, 10, 27, 20, 0)  # Tuesday, winter time
    assert due == datetime(2026, 10, 27, 19, 0)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(local(2026, 11, 23, 10, 0), -1)


def test_working_days_between():
    tuesday = local(2026, 12, 1, 19, 0)
    assert working_days_between(tuesday, local(2026, 12, 1, 23, 0)) == 0
    assert working_days_between(tuesday, local(2026, 12, 3, 8, 0)) == 2
    assert working_days_between(local(2026, 11, 27, 9, 0), local(2026, 11, 30, 9, 0)) == 1  # Fri → Mon
    assert working_days_between(local(2026, 12, 3, 8, 0), tuesday) == -2
    # Christmas and the weekend do not count.
    assert working_days_between(local(2026, 12, 24, 9, 0), local(2026, 12, 28, 9, 0)) == 1


def test_is_overdue_and_late_by():
    due = datetime(2026, 12, 1, 18, 0)
    assert not is_overdue(None)
    assert not is_overdue(due, now=due)
    assert not is_overdue(due, now=due - timedelta(minutes=1))
    assert is_overdue(due, now=due + timedelta(minutes=1))
    assert late_by(due, now=due + timedelta(minutes=1)) == 0
    assert late_by(due, now=datetime(2026, 12, 4, 9, 0)) == 3
    assert late_by(due, now=due - timedelta(days=1)) == 0


def test_local_day_helpers():
    assert local_today(datetime(2026, 11, 29, 23, 30)) == date(2026, 11, 30)
    assert start_of_local_day(date(2026, 12, 5)) == datetime(2026, 12, 4, 23, 0)
    assert start_of_local_day(date(2026, 7, 5)) == datetime(2026, 7, 4, 22, 0)
