"""The rules of DOMAIN.md "Water and heat meter readings", one rule per test.

Pure functions, no database. The window is checked against a definition written out
here independently of rules.py (`expected_period`), for every day of five years and for
generated instants in any time zone.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from gorod.housing import rules
from gorod.housing.rules import (
    COLD,
    HEAT,
    HIGH_CONSUMPTION,
    HOT,
    ZERO_CONSUMPTION,
    MeterFacts,
    Norms,
    RuleError,
    WindowConfig,
)

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


@pytest.fixture(autouse=True)
def russian():
    # Messages are asserted in Russian; another test may have left English active.
    with translation.override("ru"):
        yield


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


# --- Parsing a value ----------------------------------------------------------------------


def parse(text, integer_digits=5, fraction_digits=3):
    return rules.parse_value(text, integer_digits=integer_digits, fraction_digits=fraction_digits)


def parse_refusal(text, integer_digits=5, fraction_digits=3) -> str:
    with pytest.raises(RuleError) as refusal:
        parse(text, integer_digits, fraction_digits)
    return refusal.value.code


@pytest.mark.parametrize(
    "text",
    ["123,456", "123.456", " 123,456 ", "12 3,45 6", "123\u00a0,456", "1\u202f23.456", "\t123,456"],
)
def test_comma_and_point_are_the_same_separator_and_spaces_are_ignored(text):
    assert parse(text) == Decimal("123.456")


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", Decimal("12")), ("12,5", Decimal("12.5")), (",5", Decimal("0.5")), ("7.", 7)],
)
def test_whole_numbers_and_a_missing_side_of_the_separator_are_read(text, value):
    assert parse(text) == value


@pytest.mark.parametrize("text", ["", "   ", "\u00a0\u202f\u2009", None])
def test_empty_value_is_required(text):
    assert parse_refusal(text) == "value_required"


@pytest.mark.parametrize(
    ("text", "value"), [("\n", None), ("123,456\n", Decimal("123.456")), ("1\u30002,5", 12.5)]
)
def test_any_whitespace_is_ignored(text, value):
    if value is None:
        assert parse_refusal(text) == "value_required"
    else:
        assert parse(text) == value


@pytest.mark.parametrize("text", ["-1", "-0,5", " - 12", "\u22125", "\u20131"])
def test_negative_value_is_refused(text):
    assert parse_refusal(text) == "value_negative"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12a",
        "1e5",
        "1E5",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "0x10",
        ".",
        ",",
        "+",
        "1/2",
        "½",
    ],
)
def test_anything_but_a_decimal_number_is_refused(text):
    assert parse_refusal(text) == "value_not_a_number"


@pytest.mark.parametrize("text", ["1,2,3", "1.2,3", "1..2", "12,345.6"])
def test_two_separators_are_refused_as_such(text):
    with pytest.raises(RuleError) as refusal:
        parse(text)
    assert refusal.value.code == "value_not_a_number"
    assert "только одна запятая" in str(refusal.value)


@pytest.mark.parametrize(
    "text",
    [
        "١٢٣",  # Arabic-Indic
        "۱۲۳",  # Extended Arabic-Indic (Persian)
        "१२३",  # Devanagari
        "１２３",  # fullwidth
        "12٣,5",  # one foreign digit among ASCII ones
        "12²",  # superscript
    ],
)
def test_unicode_digits_other_than_0_to_9_have_their_own_code(text):
    assert parse_refusal(text) == "value_not_ascii_digits"


@pytest.mark.parametrize(
    ("text", "integer_digits"),
    [("123456", 5), ("12345678", 7), ("1" * 40, 7), ("10", 1)],
)
def test_more_integer_digits_than_the_meter_has_are_refused(text, integer_digits):
    with pytest.raises(RuleError) as refusal:
        parse(text, integer_digits=integer_digits)
    assert refusal.value.code == "value_too_many_digits"
    assert f"до запятой у этого счётчика: не больше {integer_digits}" in str(refusal.value)


@pytest.mark.parametrize(
    ("text", "integer_digits", "value"),
    [("99999,999", 5, Decimal("99999.999")), ("9999999", 7, 9999999), ("0" * 40 + "12", 5, 12)],
)
def test_as_many_integer_digits_as_the_meter_has_and_leading_zeros_are_fine(
    text, integer_digits, value
):
    assert parse(text, integer_digits=integer_digits) == value


@pytest.mark.parametrize(("text", "fraction_digits"), [("1,2345", 3), ("1,23", 1), ("5,1", 0)])
def test_more_decimals_than_the_meter_has_are_refused(text, fraction_digits):
    with pytest.raises(RuleError) as refusal:
        parse(text, fraction_digits=fraction_digits)
    assert refusal.value.code == "value_too_many_decimals"
    assert f"после запятой у этого счётчика: не больше {fraction_digits}" in str(refusal.value)


@pytest.mark.parametrize(
    ("text", "fraction_digits", "value"),
    [("1,234000", 3, Decimal("1.234")), ("5,0", 0, 5), ("1,20", 1, Decimal("1.2"))],
)
def test_trailing_zeros_after_the_separator_do_not_count_as_decimals(text, fraction_digits, value):
    assert parse(text, fraction_digits=fraction_digits) == value


@st.composite
def meter_values(draw):
    integer_digits = draw(st.integers(min_value=1, max_value=7))
    fraction_digits = draw(st.integers(min_value=0, max_value=3))
    units = draw(st.integers(min_value=0, max_value=10 ** (integer_digits + fraction_digits) - 1))
    return integer_digits, fraction_digits, Decimal(units).scaleb(-fraction_digits)


@settings(max_examples=300)
@given(meter_values(), st.sampled_from(",."), st.booleans())
def test_any_value_the_drums_can_show_parses_back_to_itself(meter, separator, drum_zeros):
    integer_digits, fraction_digits, value = meter
    whole, _point, fraction = f"{value:f}".partition(".")
    if drum_zeros:
        whole = whole.zfill(integer_digits)
    text = f"{whole}{separator}{fraction}" if fraction else whole
    assert parse(text, integer_digits, fraction_digits) == value


PARSE_CODES = {
    "value_required",
    "value_negative",
    "value_not_ascii_digits",
    "value_not_a_number",
    "value_too_many_digits",
    "value_too_many_decimals",
}


@settings(max_examples=400)
@given(
    st.one_of(st.text(), st.text(alphabet="0123456789,.-+ e\u00a0\u0663", max_size=15)),
    st.integers(min_value=1, max_value=7),
    st.integers(min_value=0, max_value=3),
)
def test_any_text_parses_within_the_meters_digits_or_is_refused_with_a_code(
    text, integer_digits, fraction_digits
):
    # Anything but a RuleError escapes and fails the test.
    try:
        value = parse(text, integer_digits, fraction_digits)
    except RuleError as refusal:
        value, code = None, refusal.code
    if value is None:
        assert code in PARSE_CODES
        return
    assert 0 <= value < 10**integer_digits
    assert value == value.quantize(Decimal(1).scaleb(-fraction_digits))


# --- Accepting a reading ------------------------------------------------------------------

TODAY = date(2026, 11, 20)
ACTIVE = MeterFacts(
    status="active", commissioned_on=date(2024, 1, 15), next_verification_on=date(2030, 1, 15)
)
PREVIOUS = Decimal("12.345")


def refusal_code(meter=ACTIVE, value=Decimal("20"), previous=PREVIOUS, today=TODAY):
    refusal = rules.acceptance_refusal(
        meter=meter, value=value, previous_value=previous, today=today
    )
    return None if refusal is None else refusal.code


@pytest.mark.parametrize("value", [PREVIOUS, Decimal("12.346"), Decimal("99999.999")])
def test_a_value_not_below_the_previous_one_is_accepted(value):
    assert refusal_code(value=value) is None


def test_a_value_below_the_previous_accepted_reading_is_refused():
    refusal = rules.acceptance_refusal(
        meter=ACTIVE, value=Decimal("12.344"), previous_value=PREVIOUS, today=TODAY
    )
    assert refusal.code == "reading_below_previous"
    assert "(12,345)" in str(refusal)


def test_a_first_value_below_the_initial_reading_is_refused():
    """Without an earlier reading the meter's initial value is the previous one."""
    assert refusal_code(value=Decimal("9.999"), previous=Decimal("10.000")) == (
        "reading_below_previous"
    )


@pytest.mark.parametrize("status", ["replaced", "failed"])
def test_a_retired_meter_takes_no_readings(status):
    meter = MeterFacts(status, ACTIVE.commissioned_on, ACTIVE.next_verification_on)
    assert refusal_code(meter=meter) == "meter_not_active"


@pytest.mark.parametrize("commissioned_on", [None, TODAY + timedelta(days=1)])
def test_a_meter_not_yet_commissioned_takes_no_readings(commissioned_on):
    meter = MeterFacts("active", commissioned_on, ACTIVE.next_verification_on)
    assert refusal_code(meter=meter) == "meter_not_commissioned"


def test_a_meter_commissioned_today_takes_readings():
    assert refusal_code(meter=MeterFacts("active", TODAY, ACTIVE.next_verification_on)) is None


def test_a_meter_takes_readings_on_its_verification_date_but_not_the_day_after():
    meter = MeterFacts("active", ACTIVE.commissioned_on, date(2026, 11, 19))
    assert refusal_code(meter=meter, today=date(2026, 11, 19)) is None
    refusal = rules.acceptance_refusal(
        meter=meter, value=Decimal(20), previous_value=PREVIOUS, today=date(2026, 11, 20)
    )
    assert refusal.code == "verification_expired"
    assert "19.11.2026" in str(refusal)


@pytest.mark.parametrize(
    ("meter", "code"),
    [
        (MeterFacts("failed", None, date(2020, 1, 1)), "meter_not_active"),
        (
            MeterFacts("active", TODAY + timedelta(days=1), date(2020, 1, 1)),
            "meter_not_commissioned",
        ),
        (MeterFacts("active", ACTIVE.commissioned_on, date(2020, 1, 1)), "verification_expired"),
    ],
)
def test_the_first_reason_is_given_when_several_apply(meter, code):
    assert refusal_code(meter=meter, value=Decimal(0)) == code


readings = st.one_of(
    st.integers(min_value=0, max_value=40).map(lambda tenths: Decimal(tenths).scaleb(-1)),
    st.decimals(min_value=0, max_value=Decimal("99999.999"), places=3),
)


@settings(max_examples=200)
@given(initial=readings, values=st.lists(readings, min_size=1, max_size=30))
def test_a_value_is_refused_as_below_previous_iff_it_is_below_the_last_accepted(initial, values):
    previous = initial
    accepted = [initial]
    for value in values:
        code = refusal_code(value=value, previous=previous)
        assert (code == "reading_below_previous") == (value < previous)
        assert code in (None, "reading_below_previous")
        if code is None:
            previous = value
            accepted.append(value)
    assert accepted == sorted(accepted)


# --- Warnings -----------------------------------------------------------------------------

NORMS = Norms()


def warnings(
    kind=COLD, consumption=None, kind_consumption=Decimal(1), residents=2, months=1, earlier=()
):
    return rules.consumption_warnings(
        kind=kind,
        consumption=kind_consumption if consumption is None else consumption,
        kind_consumption=kind_consumption,
        residents=residents,
        months=months,
        earlier_consumptions=list(earlier),
        norms=NORMS,
    )


@pytest.mark.parametrize(
    ("kind", "residents", "months", "limit"),
    [
        (COLD, 2, 1, Decimal("41.610")),  # 6.935 × 2 × 3
        (HOT, 2, 1, Decimal("28.470")),  # 4.745 × 2 × 3
        (COLD, 1, 3, Decimal("62.415")),  # a reading after two skipped periods
        (HOT, 0, 1, Decimal("14.235")),  # nobody registered: judged as one person
        (COLD, -1, 0, Decimal("20.805")),
    ],
)
def test_limit_is_the_norm_times_residents_months_and_the_factor(kind, residents, months, limit):
    assert rules.consumption_limit(kind=kind, residents=residents, months=months, norms=NORMS) == (
        limit
    )


def test_heat_has_no_consumption_limit():
    assert rules.consumption_limit(kind=HEAT, residents=2, months=1, norms=NORMS) is None
    assert warnings(kind=HEAT, kind_consumption=Decimal(10**6)) == []


@pytest.mark.parametrize(("kind", "limit"), [(COLD, Decimal("41.610")), (HOT, Decimal("28.470"))])
def test_consumption_exactly_at_the_limit_is_fine_and_just_above_warns(kind, limit):
    assert warnings(kind=kind, kind_consumption=limit) == []
    assert warnings(kind=kind, kind_consumption=limit + Decimal("0.001")) == [HIGH_CONSUMPTION]


def test_the_limit_is_judged_on_all_meters_of_the_kind_together():
    """Two cold meters in one flat share the residents' norm."""
    assert warnings(consumption=Decimal(21), kind_consumption=Decimal(42)) == [HIGH_CONSUMPTION]


def test_norms_and_factor_are_configurable():
    norms = Norms(cold=Decimal(10), hot=Decimal(5), warn_factor=Decimal(2))
    assert rules.consumption_limit(kind=COLD, residents=3, months=1, norms=norms) == 60
    assert rules.consumption_limit(kind=HOT, residents=3, months=1, norms=norms) == 30
    high = rules.consumption_warnings(
        kind=HOT,
        consumption=Decimal("30.001"),
        kind_consumption=Decimal("30.001"),
        residents=3,
        months=1,
        earlier_consumptions=[],
        norms=norms,
    )
    assert high == [HIGH_CONSUMPTION]


@pytest.mark.parametrize(
    ("consumption", "earlier", "expected"),
    [
        (Decimal(0), [Decimal(0), Decimal(0)], [ZERO_CONSUMPTION]),
        (Decimal(0), [Decimal(0), Decimal(0), Decimal(7)], [ZERO_CONSUMPTION]),
        (Decimal(0), [Decimal(0)], []),  # only two periods known
        (Decimal(0), [], []),
        (Decimal(0), [Decimal(0), None], []),  # a period without a reading breaks the streak
        (Decimal(0), [None, Decimal(0)], []),
        (Decimal(0), [Decimal(0), Decimal("0.001")], []),
        (Decimal("0.001"), [Decimal(0), Decimal(0)], []),
    ],
)
def test_zero_consumption_warns_on_the_third_period_in_a_row(consumption, earlier, expected):
    assert warnings(consumption=consumption, kind_consumption=consumption, earlier=earlier) == (
        expected
    )


def test_zero_streak_length_is_configurable():
    def zero_warnings(earlier):
        return rules.consumption_warnings(
            kind=HEAT,
            consumption=Decimal(0),
            kind_consumption=Decimal(0),
            residents=1,
            months=1,
            earlier_consumptions=earlier,
            norms=Norms(zero_periods=4),
        )

    assert zero_warnings([Decimal(0)] * 2) == []
    assert zero_warnings([Decimal(0)] * 3) == [ZERO_CONSUMPTION]


def test_both_warnings_can_apply_at_once():
    """A silent meter beside another cold meter that ran far over the norm."""
    assert warnings(
        consumption=Decimal(0), kind_consumption=Decimal(100), earlier=[Decimal(0)] * 2
    ) == [HIGH_CONSUMPTION, ZERO_CONSUMPTION]


def test_warning_messages_name_the_factor_the_residents_and_the_periods():
    high = rules.warning_message(HIGH_CONSUMPTION, residents=0, norms=NORMS)
    assert "3-кратного норматива" in high
    assert "(жильцов: 1)" in high
    assert "нулевой 3-й месяц подряд" in rules.warning_message(
        ZERO_CONSUMPTION, residents=2, norms=NORMS
    )


def plain(text: str) -> str:
    """Russian groups thousands with a no-break space; the assertions use plain ones."""
    return text.replace("\xa0", " ")


def test_the_high_consumption_warning_says_what_it_computed():
    """The probe: 99 999 against 20.6 warned without saying what it had computed."""
    message = rules.high_consumption_message(
        kind=COLD, consumption=Decimal("99978.4"), residents=3, months=1, norms=NORMS, unit="м³"
    )
    assert plain(message).startswith(
        "Расход 99 978,4 м³ за 1 мес. — 480 550 % от нормы 20,8 м³ для зарегистрированных "
        "жильцов (3)."
    )


def test_the_warning_counts_the_norm_over_the_months_since_the_last_reading():
    message = rules.high_consumption_message(
        kind=HOT, consumption=Decimal(100), residents=0, months=2, norms=NORMS, unit="м³"
    )
    # One resident at least, two months: 2 × 4,745 = 9,49 m³.
    assert "за 2 мес. — 1 054 % от нормы 9,5 м³ для зарегистрированных жильцов (1)" in plain(
        message
    )


# --- Impossible readings ------------------------------------------------------------------


def test_the_probes_reading_is_refused_as_impossible():
    error = rules.impossible_consumption(
        kind=COLD,
        consumption=Decimal("99999") - Decimal("20.6"),
        residents=3,
        months=1,
        norms=NORMS,
        unit="м³",
    )
    assert error.code == "consumption_impossible"
    assert "Расход 99 978,4 м³ за 1 мес." in plain(str(error.message))
    assert "предел 300,0 м³" in plain(str(error.message))
    assert "передано оператору" in str(error.message)


def test_heat_has_a_bound_in_gigacalories():
    assert rules.consumption_bound(kind=HEAT, residents=4, months=2, norms=NORMS) == 20
    assert (
        rules.impossible_consumption(
            kind=HEAT, consumption=Decimal(10), residents=1, months=1, norms=NORMS, unit="Гкал"
        )
        is None
    )


def test_no_meter_passes_more_than_its_flow_allows():
    # A hostel with 500 registered residents still has household meters of DN15.
    assert rules.consumption_bound(kind=COLD, residents=500, months=1, norms=NORMS) == Decimal(1860)


consumptions = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)


@given(
    kind=st.sampled_from([COLD, HOT, HEAT]),
    consumption=consumptions,
    residents=st.integers(0, 999),
    months=st.integers(0, 120),
)
def test_a_reading_is_impossible_exactly_above_the_bound(kind, consumption, residents, months):
    bound = rules.consumption_bound(kind=kind, residents=residents, months=months, norms=NORMS)
    error = rules.impossible_consumption(
        kind=kind,
        consumption=consumption,
        residents=residents,
        months=months,
        norms=NORMS,
        unit="м³",
    )
    assert (error is not None) == (consumption > bound)


@given(kind=st.sampled_from([COLD, HOT]), residents=st.integers(0, 20), months=st.integers(0, 120))
def test_an_apartments_unusual_month_is_confirmed_not_refused(kind, residents, months):
    """Between the warning's limit and the bound lies a month a household can really have
    (a leak, guests): the citizen confirms it instead of being refused. Up to 20 residents:
    a communal apartment; beyond, the meter's own flow is the bound."""
    limit = rules.consumption_limit(kind=kind, residents=residents, months=months, norms=NORMS)
    bound = rules.consumption_bound(kind=kind, residents=residents, months=months, norms=NORMS)
    assert limit * 2 < bound


@given(
    kind=st.sampled_from([COLD, HOT, HEAT]),
    residents=st.integers(0, 999),
    months=st.integers(1, 120),
)
def test_the_bound_grows_with_residents_and_months(kind, residents, months):
    bound = rules.consumption_bound(kind=kind, residents=residents, months=months, norms=NORMS)
    assert bound <= rules.consumption_bound(
        kind=kind, residents=residents + 1, months=months, norms=NORMS
    )
    assert bound < rules.consumption_bound(
        kind=kind, residents=residents, months=months + 1, norms=NORMS
    )


@given(st.decimals(min_value=Decimal("100000"), max_value=10**9, places=3, allow_nan=False))
def test_a_five_digit_drum_shows_no_more_than_99999_999(value):
    with pytest.raises(RuleError) as refusal:
        rules.parse_value(f"{value:f}", integer_digits=5, fraction_digits=3)
    assert refusal.value.code == "value_too_many_digits"


# --- Billing without a reading ------------------------------------------------------------


def basis(periods, recent=(Decimal(10), Decimal(11), Decimal(12)), kind=COLD, residents=2, **kw):
    return rules.no_reading_basis(
        periods_without_reading=periods,
        recent_monthly=list(recent),
        kind=kind,
        residents=residents,
        norms=NORMS,
        **kw,
    )


@pytest.mark.parametrize("periods", [1, 2, 3])
def test_first_three_periods_without_reading_are_billed_at_the_average(periods):
    assert basis(periods) == rules.BillingBasis("average", Decimal("11.000"), periods)


def test_the_average_is_kept_to_litres():
    assert basis(1, recent=[Decimal(1), Decimal(1), Decimal(2)]).volume == Decimal("1.333")


def test_the_average_is_rounded_half_up_as_bills_are():
    assert basis(1, recent=[Decimal(1), Decimal("0.001")]).volume == Decimal("0.501")


@pytest.mark.parametrize(
    ("periods", "kind", "residents", "volume"),
    [
        (4, COLD, 2, Decimal("13.870")),
        (5, HOT, 2, Decimal("9.490")),
        (12, COLD, 0, Decimal("6.935")),
    ],
)
def test_from_the_fourth_period_without_reading_the_norm_applies(periods, kind, residents, volume):
    assert basis(periods, kind=kind, residents=residents) == rules.BillingBasis(
        "norm", volume, periods
    )


def test_without_history_the_norm_applies_at_once():
    assert basis(1, recent=[]) == rules.BillingBasis("norm", Decimal("13.870"), 1)


def test_heat_is_averaged_but_has_no_norm_volume():
    assert basis(2, kind=HEAT).basis == "average"
    assert basis(4, kind=HEAT) == rules.BillingBasis("norm", None, 4)
    assert basis(1, recent=[], kind=HEAT).volume is None


def test_number_of_averaged_periods_is_configurable():
    assert basis(2, average_periods=2).basis == "average"
    assert basis(3, average_periods=2).basis == "norm"


@pytest.mark.parametrize("periods", [0, -1])
def test_a_period_with_a_reading_is_not_billed_without_one(periods):
    with pytest.raises(ValueError, match="billed by the reading"):
        basis(periods)


# --- Verification, payer code, display ----------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "warn_days", "state"),
    [
        (-1, 30, "expired"),
        (0, 30, "due"),
        (30, 30, "due"),
        (31, 30, "ok"),
        (0, 0, "due"),
        (1, 0, "ok"),
    ],
)
def test_verification_state_boundaries(days_left, warn_days, state):
    assert rules.verification_state(TODAY + timedelta(days=days_left), TODAY, warn_days) == state


def test_a_payer_code_of_ten_ascii_digits_is_accepted():
    assert rules.payer_code_problem("0123456789") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123456789",
        "12345678901",
        "12345 67890",
        "123456789a",
        "١٢٣٤٥٦٧٨٩٠",
        "１２３４５６７８９０",
        "123456789²",
    ],
)
def test_a_payer_code_is_ten_ascii_digits_and_nothing_else(text):
    assert rules.payer_code_problem(text).code == "payer_code_invalid"


def test_values_are_shown_with_a_comma_and_three_decimals():
    assert rules.format_value(Decimal("12.5")) == "12,500"
    assert rules.format_value(Decimal("0")) == "0,000"


@pytest.mark.parametrize(("typed", "kept"), [(" 15a ", "15А"), ("15А", "15А"), ("1 2", "12")])
def test_an_apartment_number_is_kept_as_the_payment_document_prints_it(typed, kept):
    assert rules.normalize_apartment(typed) == kept
