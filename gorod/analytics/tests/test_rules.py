from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.analytics import rules

MOSCOW = ZoneInfo("Europe/Moscow")


def test_person_key_is_keyed_and_namespaced():
    key = rules.person_key(b"secret", "user", 42)
    assert len(key) == rules.PERSON_KEY_BYTES
    assert key == rules.person_key(b"secret", "user", 42)
    assert key != rules.person_key(b"other secret", "user", 42)
    assert key != rules.person_key(b"secret", "import", 42)
    assert b"42" not in key


def test_a_moscow_day_starts_at_21_utc_the_evening_before():
    start, end = rules.day_bounds(date(2025, 1, 1), MOSCOW)
    assert start.astimezone(UTC) == datetime(2024, 12, 31, 21, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_every_instant_lies_in_exactly_its_own_local_day(naive):
    moment = naive.replace(tzinfo=UTC)
    day = rules.local_day(moment, MOSCOW)
    start, end = rules.day_bounds(day, MOSCOW)
    assert start <= moment < end


def test_imported_event_id_depends_on_the_instant_not_its_spelling():
    moscow = datetime.fromisoformat("2025-01-01T10:00:00+03:00")
    utc = datetime.fromisoformat("2025-01-01T07:00:00Z")
    first = rules.imported_event_id(moscow, "emr", "u1", "web", 0)
    assert first == rules.imported_event_id(utc, "emr", "u1", "web", 0)
    assert first != rules.imported_event_id(moscow, "emr", "u1", "web", 1)
    assert first != rules.imported_event_id(moscow, "emr", "u2", "web", 0)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["2025-01-01T10:00:00+03:00", "emr", "u1"], "wrong_field_count"),
        (["2025-01-01 10:00", "emr", "u1", "web"], "bad_timestamp"),
        (["вчера", "emr", "u1", "web"], "bad_timestamp"),
        (["2025-01-01T10:00:00+03:00", "no-such", "u1", "web"], "unknown_service"),
        (["2025-01-01T10:00:00+03:00", "emr", "u1", "fax"], "unknown_channel"),
    ],
)
def test_bad_usage_rows_name_their_reason(row, reason):
    assert rules.parse_usage_row(row, {"emr": 1}) == reason


def test_a_good_usage_row_parses_with_anonymous_user():
    parsed = rules.parse_usage_row([" 2025-01-01T10:00:00+03:00 ", "emr", "", "kiosk"], {"emr": 7})
    assert parsed == rules.ImportedUse(
        datetime(2025, 1, 1, 7, tzinfo=UTC), service_id=7, user="", channel="kiosk"
    )


def test_period_arithmetic_and_problems():
    period = rules.Period(date(2024, 2, 28), date(2024, 3, 1))
    assert period.days == 3  # a leap year
    assert list(period.each_day())[1] == date(2024, 2, 29)
    assert rules.period_problem(date(2025, 2, 1), date(2025, 1, 1)) == "period_reversed"
    assert rules.period_problem(date(2000, 1, 1), date(2025, 1, 1)) == "period_too_long"
    assert rules.period_problem(date(2025, 1, 1), date(2025, 1, 1)) is None


def test_relative_change():
    assert rules.relative_change(4, 3) == pytest.approx(1 / 3)
    assert rules.relative_change(1, 2) == -0.5
    assert rules.relative_change(5, 0) is None


def test_usage_figures_are_exact():
    period = rules.Period(date(2025, 1, 1), date(2025, 1, 4))
    services = {
        "emr": ("ЭМК", "health"),
        "diary": ("Дневник", "education"),
        "meters": ("Счётчики", "housing"),
        "quiet": ("Тихая", "health"),
    }
    figures = rules.usage_figures(
        period,
        users=5,
        daily={date(2025, 1, 1): 6, date(2025, 1, 3): 4},
        by_service={"emr": 5, "diary": 3, "meters": 2, "quiet": 0},
        services=services,
        categories={"health": "Здоровье", "education": "Образование", "housing": "ЖКХ"},
        top=2,
    )
    assert figures.uses == 10
    assert figures.daily_average == 2.5
    assert figures.daily == [
        (date(2025, 1, 1), 6),
        (date(2025, 1, 2), 0),
        (date(2025, 1, 3), 4),
        (date(2025, 1, 4), 0),
    ]
    assert [(row.slug, row.uses, row.share) for row in figures.top_services] == [
        ("emr", 5, 0.5),
        ("diary", 3, 0.3),
    ]
    assert [(row.slug, row.uses, row.share) for row in figures.categories] == [
        ("health", 5, 0.5),
        ("education", 3, 0.3),
        ("housing", 2, 0.2),
    ]


def test_top_list_ties_are_broken_by_slug():
    figures = rules.usage_figures(
        rules.Period(date(2025, 1, 1), date(2025, 1, 1)),
        users=0,
        daily={},
        by_service={"b": 1, "a": 1, "c": 2},
        services={slug: (slug.upper(), "x") for slug in "abc"},
        categories={"x": "X"},
        top=10,
    )
    assert [row.slug for row in figures.top_services] == ["c", "a", "b"]
