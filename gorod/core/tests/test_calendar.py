"""The production calendar: the government's moves of days off; terms in working days."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gorod.core.calendar import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)


def test_new_year_holidays_and_their_moves_in_2026():
    # Decree of the Government of the Russian Federation for 2026: 3 and 4 January moved
    # to 9 January and 31 December.
    assert not is_working_day(date(2026, 1, 9))
    assert not is_working_day(date(2026, 12, 31))
    assert is_working_day(date(2026, 1, 12))


def test_a_saturday_worked_is_a_working_day():
    # 2027: Saturday 20 February is worked, and Monday 22 February is the day off instead.
    assert is_working_day(date(2027, 2, 20))
    assert not is_working_day(date(2027, 2, 22))


def test_a_term_runs_from_the_day_after():
    # Registered on Friday 4 December 2026: five working days are Monday 7 … Friday 11.
    assert add_working_days(date(2026, 12, 4), 5) == date(2026, 12, 11)
    assert add_working_days(date(2026, 12, 4), 0) == date(2026, 12, 4)


def test_a_term_over_the_new_year_waits_for_the_holidays():
    assert add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 11)
    assert next_working_day(date(2026, 12, 30)) == date(2027, 1, 11)


def test_the_citys_own_day_off(settings):
    settings.GOROD_EXTRA_DAYS_OFF = frozenset({date(2026, 12, 8)})
    assert not is_working_day(date(2026, 12, 8))
    assert add_working_days(date(2026, 12, 7), 1) == date(2026, 12, 9)


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@given(start=days, term=st.integers(min_value=0, max_value=60))
def test_counting_back_the_days_of_a_term_gives_the_term(start, term):
    end = add_working_days(start, term)
    assert working_days_between(start, end) == term
    assert term == 0 or is_working_day(end)


@given(start=days, first=st.integers(0, 30), second=st.integers(0, 30))
def test_two_terms_in_a_row_are_one_term(start, first, second):
    assert add_working_days(add_working_days(start, first), second) == add_working_days(
        start, first + second
    )
