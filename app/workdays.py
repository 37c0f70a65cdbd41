"""Working days in the Netherlands: weekends and Dutch public holidays are skipped.

Timestamps in the database are naive UTC (see app/timeutil.py); which *day* something happens on
is a Dutch question, so every calculation here is done on Europe/Amsterdam local dates and the
result is turned back into naive UTC.
"""
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from app.timeutil import utcnow

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@lru_cache(maxsize=64)
def _holidays_of(year):
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_working_day(day):
    """True for Monday to Friday when it is not a Dutch public holiday."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def next_working_day(day):
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def to_local(moment):
    """A naive UTC datetime as an aware Europe/Amsterdam datetime."""
    return moment.replace(tzinfo=timezone.utc).astimezone(AMSTERDAM)


def to_utc(local):
    """A (naive or aware) Amsterdam local datetime as naive UTC."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=AMSTERDAM)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def local_today(now=None):
    """Today's date in the Netherlands."""
    return to_local(now or utcnow()).date()


def start_of_local_day(day):
    """Midnight at the start of `day` in the Netherlands, as naive UTC."""
    return to_utc(datetime.combine(day, time(0, 0), tzinfo=AMSTERDAM))


def add_working_days(start, days):
    """The moment `days` working days after `start` (naive UTC), at the same local time of day.

    A start on a weekend or holiday counts from the start (00:00) of the next working day:
    submitted on Friday evening, two working days later is Tuesday evening; submitted on Saturday
    or late on Sunday, it is Wednesday 00:00 — never later than for something sent on Monday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    local = to_local(start)
    day = local.date()
    if not is_working_day(day):
        day = next_working_day(day)
        local = datetime.combine(day, time(0, 0), tzinfo=AMSTERDAM)
    for _ in range(days):
        day = next_working_day(day + timedelta(days=1))
    # The same wall-clock time on the target day; a working day is never a DST switch day
    # (those are Sundays), so that time always exists exactly once.
    target = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=AMSTERDAM)
    return to_utc(target)


def working_days_between(a, b):
    """Working days after a's local date up to and including b's (negative when b is earlier).

    Used for "x werkdagen te laat": due on Tuesday and now Thursday is 2.
    """
    start, end = to_local(a).date(), to_local(b).date()
    if end < start:
        return -working_days_between(b, a)
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def is_overdue(due_at, now=None):
    """True when a deadline (naive UTC) has passed; no deadline is never overdue."""
    if due_at is None:
        return False
    return (now or utcnow()) > due_at


def late_by(due_at, now=None):
    """Whole working days past the deadline (0 when less than a working day or not overdue)."""
    if not is_overdue(due_at, now):
        return 0
    return max(working_days_between(due_at, now or utcnow()), 0)
