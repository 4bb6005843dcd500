"""The processing time's working days: the production calendar's count, walked once."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gorod.applications.selectors.performance import working_days_counter
from gorod.core.calendar import working_days_between

# Around New Year's long holidays and May's, where the count differs most from weekdays.
DAYS = st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 5, 31))


@given(st.lists(DAYS, min_size=1, max_size=6))
def test_the_counter_agrees_with_the_calendar_on_every_pair(days):
    between = working_days_counter(days)
    for first in days:
        for last in days:
            assert between(first, last) == working_days_between(first, last)


def test_new_years_holidays_are_not_working_days():
    between = working_days_counter([date(2024, 12, 28), date(2025, 1, 13)])
    # After 28 December 2024: 30 and 31 December and 1–8 January are off (the decree for
    # 2025); only 9, 10 and 13 January are working days.
    assert between(date(2024, 12, 28), date(2025, 1, 13)) == 3
