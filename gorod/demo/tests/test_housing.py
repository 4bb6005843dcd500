"""The demo city's premises and readings: the demo login shows every state the pages know,
every series obeys the rules, and the same seed gives the same data."""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from gorod.accounts.models import User
from gorod.accounts.tests.factories import PersonFactory
from gorod.core import clock
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.demo.housing import housing_demo
from gorod.housing import rules, selectors
from gorod.housing.models import CorrectionRequest, Meter, PremisesLink, Reading
from gorod.housing.tests.conftest import IN_WINDOW

HOUSEHOLDS = 40
NOVEMBER = date(2026, 11, 1)
OCTOBER = date(2026, 10, 1)


def new_citizen() -> User:
    return PersonFactory(user__email="demo@gorod.local").user


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The premises built once for the tests that only read them (a build costs seconds).
    It stays until the module ends: the tests that build their own come first."""
    with rolled_back_after_module(django_db_blocker):
        citizen = new_citizen()
        yield citizen, housing_demo(citizen=citizen, seed=7, households=HOUSEHOLDS, now=IN_WINDOW)


@pytest.fixture
def citizen(request, db) -> User:
    """The demo city's citizen for a test that reads the city; else a new one."""
    if "made" in request.fixturenames:
        return request.getfixturevalue("demo_city")[0]
    return new_citizen()


@pytest.fixture
def made(db, demo_city):
    return demo_city[1]


# The tests that build a demo of their own run first, before the module's city exists.
def snapshot() -> list[tuple]:
    readings = Reading.objects.order_by(
        "meter__premises__payer_code", "meter__serial", "period", "submitted_at"
    ).values_list(
        "meter__premises__payer_code",
        "meter__premises__residents",
        "meter__serial",
        "meter__kind",
        "meter__next_verification_on",
        "period",
        "value",
        "status",
        "submitted_at",
    )
    return list(readings)


def test_the_same_seed_gives_the_same_data(citizen):
    made = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            housing_demo(citizen=citizen, seed=seed, households=10, now=IN_WINDOW)
            made.append(snapshot())
            transaction.set_rollback(True)

    assert made[0] == made[1]
    assert made[0] != made[2]


def rows_of(citizen):
    state, views = selectors.my_meters(actor=citizen, moment=IN_WINDOW)
    return state, views, [row for view in views for row in view.meters]


def test_the_demo_login_sees_both_apartments_and_every_meter_state(citizen, made):
    state, views, rows = rows_of(citizen)

    assert state.open
    assert state.period == NOVEMBER
    roles = {view.link.role: view for view in views}
    assert set(roles) == {PremisesLink.Role.OWNER, PremisesLink.Role.REGISTERED}
    own = roles[PremisesLink.Role.OWNER]
    assert Counter(row.meter.kind for row in own.meters) == {"cold": 2, "hot": 2, "heat": 1}
    states = Counter(row.verification for row in rows)
    assert states["due"] == 1
    assert states["expired"] == 1
    (due,) = [row for row in rows if row.verification == "due"]
    assert (due.meter.next_verification_on - IN_WINDOW.date()).days == 20
    (waiting,) = [row for row in rows if row.meter.commissioned_on is None]
    assert not waiting.accepts_readings
    assert waiting.last is None
    (successor,) = [row for row in rows if row.meter.replaces_id is not None]
    assert successor.meter.replaces.status == Meter.Status.REPLACED
    assert successor.meter.replaces.readings.exists()
    assert successor.last is not None
    # Nothing sent for the open period yet: the form is there to try.
    assert all(row.current is None for row in rows)
    assert all(row.last is not None for row in rows if row.accepts_readings)


def test_the_demo_login_has_a_skipped_month_a_warning_and_corrections(citizen, made):
    _state, views, _rows = rows_of(citizen)
    own = next(view for view in views if view.link.role == PremisesLink.Role.OWNER)

    # October was skipped in her own apartment: billed at the average, a gap in the history.
    export = selectors.BillingExport(OCTOBER)
    bases = {row.meter.pk: row.basis for row in export.rows()}
    assert {bases[row.meter.pk] for row in own.meters if row.accepts_readings} == {"average"}
    bathroom = next(row.meter for row in own.meters if row.meter.location == "ванная")
    history = {row.period: row.reading for row in selectors.meter_history(meter=bathroom)}
    assert history[OCTOBER] is None
    assert history[date(2026, 9, 1)] is not None

    flagged = [
        reading
        for reading in selectors.flagged_readings()
        if reading.meter.premises_id in {view.premises.pk for view in views}
    ]
    assert [reading.warnings for reading in flagged] == [[rules.HIGH_CONSUMPTION]]
    assert flagged[0].warnings_confirmed
    assert flagged[0].submission.user == citizen

    (request,) = selectors.own_correction_requests(actor=citizen)
    assert request.status == CorrectionRequest.Status.OPEN
    assert request.reading.previous_value <= request.requested_value < request.reading.value

    kitchen = next(
        row.meter for row in own.meters if row.meter.kind == "hot" and row.meter.location == "кухня"
    )
    versions = list(selectors.reading_versions(meter=kitchen, period=date(2026, 8, 1)))
    assert [version.status for version in versions] == ["accepted", "superseded"]


def test_every_series_obeys_the_rules(made):
    zone = clock.city_zone()
    config = selectors.window_config()
    accepted = Reading.objects.filter(status=Reading.Status.ACCEPTED).select_related("meter")
    series: dict[int, list[Reading]] = {}
    for reading in accepted.order_by("meter_id", "period"):
        series.setdefault(reading.meter_id, []).append(reading)

    assert made.readings >= HOUSEHOLDS * 20
    assert made.meters == Meter.objects.count()
    for readings in series.values():
        meter = readings[0].meter
        previous = meter.initial_value
        periods = [reading.period for reading in readings]
        assert len(set(periods)) == len(periods)
        for reading in readings:
            assert reading.previous_value == previous <= reading.value
            previous = reading.value
            sent_on = reading.submitted_at.astimezone(zone).date()
            window = rules.window_of_period(reading.period, config)
            assert window.opens_on <= sent_on <= window.closes_on
            assert reading.submitted_at <= IN_WINDOW
            assert meter.commissioned_on <= sent_on <= meter.next_verification_on
            assert meter.retired_on is None or sent_on < meter.retired_on
            assert reading.warnings_confirmed == bool(reading.warnings)
    # Every kind of history the pages and the export explain is there.
    assert Reading.objects.filter(period=NOVEMBER).exists()
    assert Meter.objects.filter(status=Meter.Status.REPLACED).count() > 1
    assert selectors.flagged_readings().count() > 1
