"""The city's clock: its time zone, the moment now, and the local date of a moment.

Every app asks this module, not `ZoneInfo(settings.TIME_ZONE)` of its own, so a test that
moves the clock (time-machine) or a city in another zone moves every app at once.
"""

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def city_zone() -> ZoneInfo:
    """The zone the city lives in (GOROD_TIME_ZONE, Europe/Moscow by default)."""
    return _zone(settings.TIME_ZONE)


def now() -> datetime:
    """The moment now, aware, in UTC (what the database stores)."""
    return timezone.now()


def local_now(moment: datetime | None = None) -> datetime:
    """A moment (now by default) on the city's wall clock."""
    return (moment or timezone.now()).astimezone(city_zone())


def local_date(moment: datetime | None = None) -> date:
    """The city's calendar date at a moment (today by default)."""
    return local_now(moment).date()
