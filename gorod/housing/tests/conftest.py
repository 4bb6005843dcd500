"""A citizen linked to an apartment with a cold and a hot water meter, and a clock.

`IN_WINDOW` is a moment inside November 2026's window (the 15th to the 3rd, Moscow);
tests pass it as `now=` to services, or travel there with `time_machine` for pages.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from gorod.accounts.models import User
from gorod.housing.models import Meter, Premises
from gorod.housing.tests.factories import MeterFactory, PremisesLinkFactory

MOSCOW = ZoneInfo("Europe/Moscow")
IN_WINDOW = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)
BETWEEN_WINDOWS = datetime(2026, 12, 10, 12, 0, tzinfo=MOSCOW)


@dataclass
class Household:
    user: User
    premises: Premises
    cold: Meter
    hot: Meter


@pytest.fixture
def household(db) -> Household:
    link = PremisesLinkFactory()
    premises = link.premises
    return Household(
        user=link.person.user,
        premises=premises,
        cold=MeterFactory(premises=premises, kind=Meter.Kind.COLD_WATER, location="ванная"),
        hot=MeterFactory(premises=premises, kind=Meter.Kind.HOT_WATER, location="ванная"),
    )


@pytest.fixture
def russian():
    """Russian active for a test that asserts messages (another may have left English)."""
    with translation.override("ru"):
        yield
