"""The rules of DOMAIN.md "Water and heat meter readings": the window and the periods.

Pure functions, no database; one rule per test. The values a citizen types are in
test_rules_values.py, what is accepted, warned about and billed in test_rules_readings.py.
The window is checked against a definition written out
here independently of rules.py (`expected_period`), for every day of five years and for
generated instants in any time zone.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gorod.housing import rules
from gorod.housing.rules import RuleError, WindowConfig

# Messages are asserted in Russian; another test may have left English active.
pytestmark = pytest.mark.usefixtures("russian")

MOSCOW = ZoneInfo("Europe/Moscow")
MOSCOW_WINDOW = WindowConfig()
GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
# Cities the service may be configured for: Moscow, zones without DST, and zones whose
# DST transitions happen at midnight (Santiago, São Paulo until 2019), where a window's
# first and last local day are shortest or longest.
CITY_ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Moscow",
        "UTC",
        "Europe/Kaliningrad",
        "Asia/Vladivostok",
        "Asia/Kamchatka",
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",
        "America/Sao_Paulo",
    )
]
configs = st.builds(
    WindowConfig, start_day=st.integers(min_value=1, max_value=28), end_day=st.integers(1, 28)
)
# Any instant of this century, expressed in any time zone (the city's or not).
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.timezones(),
    allow_imaginary=False,
)
periods = st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31)).map(
    lambda day: day.replace(day=1)
)


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def expected_period(day: date, config: WindowConfig) -> date | None:
    """DOMAIN.md: the window runs from the start day of the period's month to the end day,
    of the next month when the end day is smaller (15th to 3rd in Moscow)."""
    start, end = config.start_day, config.end_day
    if end < start:
        if day.day >= start:
            return day.replace(day=1)
        return previous_month(day) if day.day <= end else None
    return day.replace(day=1) if start <= day.day <= end else None


def day_month(day: date) -> str:
    return f"{day.day} {GENITIVE[day.month - 1]}"


# --- The window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        MOSCOW_WINDOW,
        WindowConfig(start_day=25, end_day=5),
        WindowConfig(start_day=28, end_day=1),
        WindowConfig(start_day=1, end_day=28),
        WindowConfig(start_day=1, end_day=10),
        WindowConfig(start_day=20, end_day=20),
    ],
    ids=lambda config: f"{config.start_day}-{config.end_day}",
)
def test_window_of_every_day_of_five_years_matches_the_definition(config):
    """The first and the last instant of each local day, given in Moscow time and in UTC:
    only the Moscow date decides."""
    day = date(2024, 1, 1)
    while day <= date(2028, 12, 31):
        expected = expected_period(day, config)
        for clock in (time.min, time.max):
            local = datetime.combine(day, clock, tzinfo=MOSCOW)
            for moment in (local, local.astimezone(UTC)):
                window = rules.open_window(moment, MOSCOW, config)
                assert (window.period if window else None) == expected, moment
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(moment=moments, zone=st.sampled_from(CITY_ZONES), config=configs)
def test_open_window_and_billing_period_match_the_definition_in_any_zone(moment, zone, config):
    expected = expected_period(moment.astimezone(zone).date(), config)
    window = rules.open_window(moment, zone, config)
    if expected is None:
        assert window is None
        with pytest.raises(RuleError) as refusal:
            rules.billing_period(moment, zone, config)
        assert refusal.value.code == "window_closed"
        return
    assert window.period == expected
    assert rules.billing_period(moment, zone, config) == expected
    # The reading's period is the month its window opened in, whichever month it closes.
    assert rules.period_of(window.opens_on) == window.period
    assert window.opens_at(zone) <= moment < window.closes_at(zone)


@settings(max_examples=200, deadline=None)
@given(moment=moments, config=configs)
def test_the_same_instant_in_another_zone_gets_the_same_window(moment, config):
    for other in (UTC, MOSCOW, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")):
        assert rules.open_window(moment.astimezone(other), MOSCOW, config) == rules.open_window(
            moment, MOSCOW, config
        )


def test_window_of_a_period_runs_from_the_15th_to_the_3rd_of_the_next_month():
    window = rules.window_of_period(date(2026, 11, 20), MOSCOW_WINDOW)
    assert (window.period, window.opens_on, window.closes_on) == (
        date(2026, 11, 1),
        date(2026, 11, 15),
        date(2026, 12, 3),
    )
    december = rules.window_of_period(date(2026, 12, 1), MOSCOW_WINDOW)
    assert december.closes_on == date(2027, 1, 3)


def test_window_within_one_month_closes_in_the_same_month():
    window = rules.window_of_period(date(2026, 12, 1), WindowConfig(start_day=1, end_day=10))
    assert (window.opens_on, window.closes_on) == (date(2026, 12, 1), date(2026, 12, 10))


@pytest.mark.parametrize(("start_day", "end_day"), [(0, 3), (15, 0), (29, 3), (15, 31)])
def test_window_days_must_exist_in_every_month(start_day, end_day):
    with pytest.raises(ValueError, match="between 1 and 28"):
        WindowConfig(start_day=start_day, end_day=end_day)


def test_last_second_of_the_3rd_in_moscow_is_still_open_for_the_previous_month():
    moment = datetime(2026, 12, 3, 23, 59, 59, tzinfo=MOSCOW)
    assert moment == datetime(2026, 12, 3, 20, 59, 59, tzinfo=UTC)
    for given_as in (moment, moment.astimezone(UTC)):
        assert rules.billing_period(given_as, MOSCOW, MOSCOW_WINDOW) == date(2026, 11, 1)


def test_midnight_of_the_4th_in_moscow_is_closed_though_utc_still_says_the_3rd():
    moment = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)
    assert moment == datetime(2026, 12, 4, 0, 0, tzinfo=MOSCOW)
    with pytest.raises(RuleError) as refusal:
        rules.billing_period(moment, MOSCOW, MOSCOW_WINDOW)
    assert refusal.value.code == "window_closed"
    assert "с 15 декабря по 3 января включительно" in str(refusal.value)


def test_last_second_of_the_14th_in_moscow_is_closed():
    with pytest.raises(RuleError) as refusal:
        rules.billing_period(
            datetime(2026, 11, 14, 23, 59, 59, tzinfo=MOSCOW), MOSCOW, MOSCOW_WINDOW
        )
    assert refusal.value.code == "window_closed"
    assert "с 15 ноября по 3 декабря включительно" in str(refusal.value)


def test_midnight_of_the_15th_in_moscow_opens_the_window_while_utc_says_the_14th():
    moment = datetime(2026, 11, 14, 21, 0, tzinfo=UTC)
    assert moment == datetime(2026, 11, 15, 0, 0, tzinfo=MOSCOW)
    assert rules.billing_period(moment, MOSCOW, MOSCOW_WINDOW) == date(2026, 11, 1)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 15, 0, 0, tzinfo=MOSCOW),
        datetime(2026, 12, 31, 23, 59, 59, tzinfo=MOSCOW),
        datetime(2027, 1, 1, 0, 0, tzinfo=MOSCOW),
        datetime(2027, 1, 3, 23, 59, 59, tzinfo=MOSCOW),
        # 2027-01-01 01:00 in Moscow, still 2026 in UTC.
        datetime(2026, 12, 31, 22, 0, tzinfo=UTC),
    ],
)
def test_readings_sent_in_january_belong_to_december_of_the_previous_year(moment):
    assert rules.billing_period(moment, MOSCOW, MOSCOW_WINDOW) == date(2026, 12, 1)


def test_window_closed_in_january_names_the_opening_on_the_15th_of_january():
    with pytest.raises(RuleError) as refusal:
        rules.billing_period(datetime(2027, 1, 4, 0, 0, tzinfo=MOSCOW), MOSCOW, MOSCOW_WINDOW)
    assert "с 15 января по 3 февраля включительно" in str(refusal.value)


@settings(max_examples=300, deadline=None)
@given(moment=moments, zone=st.sampled_from(CITY_ZONES), config=configs)
def test_next_window_is_the_first_to_open_after_the_moment(moment, zone, config):
    today = moment.astimezone(zone).date()
    upcoming = rules.next_window(moment, zone, config)
    assert upcoming == rules.window_of_period(upcoming.period, config)
    assert upcoming.opens_on > today
    assert upcoming.opens_at(zone) > moment
    # No window opens between the moment and the one announced.
    assert rules.window_of_period(previous_month(upcoming.period), config).opens_on <= today
    current = rules.open_window(moment, zone, config)
    if current is not None:
        assert upcoming.period == rules.add_months(current.period, 1)


@settings(max_examples=200, deadline=None)
@given(moment=moments, zone=st.sampled_from(CITY_ZONES), config=configs)
def test_window_closed_names_the_next_opening_and_closing_dates(moment, zone, config):
    if rules.open_window(moment, zone, config) is not None:
        return
    upcoming = rules.next_window(moment, zone, config)
    with pytest.raises(RuleError) as refusal:
        rules.billing_period(moment, zone, config)
    message = str(refusal.value)
    assert f"с {day_month(upcoming.opens_on)} по {day_month(upcoming.closes_on)}" in message


@pytest.mark.parametrize("rule", [rules.open_window, rules.next_window, rules.billing_period])
def test_naive_datetimes_are_refused(rule):
    with pytest.raises(ValueError, match="aware"):
        rule(datetime(2026, 11, 20, 12, 0), MOSCOW, MOSCOW_WINDOW)


# --- Periods ------------------------------------------------------------------------------


@given(st.dates())
def test_a_period_is_the_first_day_of_its_month(day):
    period = rules.period_of(day)
    assert (period.year, period.month, period.day) == (day.year, day.month, 1)


@given(periods, st.integers(min_value=-1200, max_value=1200))
def test_add_months_is_undone_by_subtracting_and_counted_by_months_between(period, months):
    later = rules.add_months(period, months)
    assert later.day == 1
    assert rules.add_months(later, -months) == period
    assert rules.months_between(period, later) == months


@given(periods, st.integers(-600, 600), st.integers(-600, 600))
def test_add_months_is_additive(period, first, second):
    assert rules.add_months(rules.add_months(period, first), second) == rules.add_months(
        period, first + second
    )
    middle = rules.add_months(period, first)
    end = rules.add_months(middle, second)
    assert rules.months_between(period, middle) + rules.months_between(middle, end) == (
        rules.months_between(period, end)
    )


def test_add_months_crosses_the_year_end():
    assert rules.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert rules.add_months(date(2027, 1, 1), -1) == date(2026, 12, 1)
    assert rules.add_months(date(2026, 11, 1), 14) == date(2028, 1, 1)
    assert rules.months_between(date(2026, 12, 1), date(2027, 1, 1)) == 1


def test_period_label_is_the_month_as_people_name_it():
    assert rules.period_label(date(2026, 11, 1)) == "ноябрь 2026"
    assert rules.period_label(date(2027, 1, 1)) == "январь 2027"
