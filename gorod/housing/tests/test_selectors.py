from datetime import date, datetime
from decimal import Decimal

import pytest

from gorod.accounts.tests.factories import PersonFactory
from gorod.housing import corrections, selectors, services
from gorod.housing.tests.conftest import BETWEEN_WINDOWS, IN_WINDOW, MOSCOW


def send(household, value: str, month: int, year: int = 2026):
    services.readings_submit(
        actor=household.user,
        premises_id=household.premises.pk,
        values={household.cold.pk: value},
        idempotency_key=f"{year}-{month}",
        channel="web",
        now=datetime(year, month, 20, 12, 0, tzinfo=MOSCOW),
        confirm_warnings=True,
    )


def by_period(household, moment=IN_WINDOW):
    return {row.period: row for row in selectors.meter_history(meter=household.cold, moment=moment)}


def test_history_shows_how_months_without_a_reading_were_billed(household):
    for month, value in ((3, "13"), (4, "16"), (5, "19")):
        send(household, value, month)
    rows = by_period(household)
    assert rows[date(2026, 5, 1)].consumption == 3
    billed = [
        (rows[date(2026, month, 1)].billed.basis, rows[date(2026, month, 1)].billed.volume)
        for month in (6, 7, 8, 9, 10)
    ]
    # Three months at the average (3 m³ a month), then the norm: 6.935 × 2 residents.
    assert billed == [("average", Decimal("3.000"))] * 3 + [("norm", Decimal("13.870"))] * 2
    # The open period is not billed yet: the citizen may still send its reading.
    assert rows[date(2026, 11, 1)].billed is None
    assert rows[date(2026, 11, 1)].reading is None


def test_the_first_reading_after_a_gap_ends_the_estimate(household):
    send(household, "13", 3)
    send(household, "20", 10)
    rows = by_period(household)
    assert rows[date(2026, 10, 1)].billed is None
    assert rows[date(2026, 10, 1)].consumption == 7
    assert rows[date(2026, 9, 1)].billed.basis == "norm"


def test_between_windows_the_last_closed_period_is_billed(household):
    send(household, "13", 10)
    rows = by_period(household, moment=BETWEEN_WINDOWS)
    assert rows[date(2026, 11, 1)].billed.basis == "average"
    assert max(rows) == date(2026, 11, 1)


@pytest.mark.django_db
def test_a_person_without_premises_has_an_empty_page():
    state, premises = selectors.my_meters(actor=PersonFactory().user, moment=IN_WINDOW)
    assert state.open
    assert premises == []


def test_a_meters_verification_state_is_read_against_today(household):
    meter = household.cold
    meter.next_verification_on = date(2026, 12, 1)
    assert selectors.meter_verification(meter, today=date(2026, 10, 1)) == "ok"
    assert selectors.meter_verification(meter, today=date(2026, 11, 20)) == "due"
    assert selectors.meter_verification(meter, today=date(2026, 12, 2)) == "expired"


def test_own_correction_requests_of_one_meter(household):
    for meter, value in ((household.cold, "12"), (household.hot, "13")):
        services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={meter.pk: value},
            idempotency_key=f"october-{meter.pk}",
            channel="web",
            now=datetime(2026, 10, 20, 12, 0, tzinfo=MOSCOW),
        )
        corrections.correction_request_create(
            actor=household.user,
            reading_id=meter.readings.get().pk,
            value="11",
            reason="Опечатка",
            now=IN_WINDOW,
        )
    mine = selectors.own_correction_requests(actor=household.user, meter=household.hot)
    assert [request.reading.meter for request in mine] == [household.hot]
    assert selectors.own_correction_requests(actor=household.user).count() == 2
