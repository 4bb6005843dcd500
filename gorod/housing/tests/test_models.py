"""The invariants the database holds by itself, whatever code writes the rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gorod.housing.models import Meter, Reading
from gorod.housing.tests.factories import MeterFactory

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)


def reading(meter, period, value, *, status=Reading.Status.ACCEPTED, previous="10"):
    return Reading.objects.create(
        meter=meter,
        period=period,
        value=Decimal(value),
        previous_value=Decimal(previous),
        status=status,
        superseded_at=timezone.now() if status == Reading.Status.SUPERSEDED else None,
        submitted_at=timezone.now(),
        channel="web",
    )


def refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.fixture
def meter(db):
    return MeterFactory(initial_value=Decimal("10"))


def test_one_accepted_reading_per_meter_and_period(meter):
    reading(meter, NOVEMBER, "12")
    refused(lambda: reading(meter, NOVEMBER, "13"))
    reading(meter, NOVEMBER, "13", status=Reading.Status.SUPERSEDED)
    assert Reading.objects.filter(meter=meter, period=NOVEMBER).count() == 2


def test_an_accepted_reading_below_an_earlier_period_is_refused(meter):
    reading(meter, OCTOBER, "15")
    refused(lambda: reading(meter, NOVEMBER, "14.999"))
    reading(meter, NOVEMBER, "15")


def test_an_accepted_reading_above_a_later_period_is_refused(meter):
    reading(meter, DECEMBER, "15")
    refused(lambda: reading(meter, NOVEMBER, "15.001"))
    reading(meter, NOVEMBER, "14")


def test_an_update_cannot_break_the_series_either(meter):
    reading(meter, OCTOBER, "15")
    november = reading(meter, NOVEMBER, "16")
    refused(lambda: Reading.objects.filter(pk=november.pk).update(value=Decimal("14")))
    superseded = reading(meter, DECEMBER, "12", status=Reading.Status.SUPERSEDED, previous="10")
    # A superseded version is history, outside the series; bringing it back is checked.
    refused(
        lambda: Reading.objects.filter(pk=superseded.pk).update(
            status=Reading.Status.ACCEPTED, superseded_at=None
        )
    )


def test_a_reading_below_the_meters_initial_value_is_refused(meter):
    refused(lambda: reading(meter, NOVEMBER, "9.999", previous="0"))


def test_other_meters_do_not_constrain_each_other(meter):
    other = MeterFactory(premises=meter.premises, initial_value=Decimal("0"))
    reading(meter, OCTOBER, "500")
    reading(other, NOVEMBER, "1", previous="0")


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"kind": "heat", "unit": "m3"}, "unit matches kind"),
        ({"status": Meter.Status.REPLACED}, "retired iff not active"),
        ({"commissioned_on": date(2020, 1, 1)}, "commissioned after installed"),
        ({"initial_value": Decimal("-1")}, "initial value not negative"),
    ],
)
def test_meter_constraints(db, changes, constraint):
    refused(lambda: MeterFactory(**changes))
