"""The Russian production calendar: which days are working days, and terms counted in them.

Public holidays (Labour Code, art. 112) and the government's yearly moves of days off — a
Saturday worked, a holiday carried to a Monday or to 31 December — come from the `holidays`
package, which follows each year's decree of the Government of the Russian Federation and
is pinned in the lock (upgrade it when a new year's decree is out). A city adds days off of
its own with GOROD_EXTRA_DAYS_OFF.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings

# A term longer than this many calendar days per working day is a broken calendar, not a term.
_SEARCH_LIMIT_DAYS = 3660


@lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: date) -> bool:
    if day in settings.GOROD_EXTRA_DAYS_OFF:
        return False
    return _calendar(day.year).is_working_day(day)


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    return add_working_days(day, 1)


def add_working_days(start: date, days: int) -> date:
    """The day a term of `days` working days ends, counted from the day after `start`
    (210-FZ terms run from the day after registration)."""
    if days < 0:
        raise ValueError("a term is a number of days ahead")
    day = start
    remaining = days
    for _ in range(_SEARCH_LIMIT_DAYS):
        if remaining == 0:
            return day
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    raise ValueError("no working days in the calendar ahead")


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count
