from datetime import date

import pytest

from gorod.analytics import selectors
from gorod.analytics.rules import Period
from gorod.core.errors import DomainError

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
FEBRUARY = (date(2026, 2, 1), date(2026, 2, 28))


def test_a_period_without_comparison():
    assert selectors.compared_periods(*MARCH, None, None) == (Period(*MARCH), None)


def test_a_period_with_its_comparison():
    assert selectors.compared_periods(*MARCH, *FEBRUARY) == (Period(*MARCH), Period(*FEBRUARY))


@pytest.mark.parametrize(
    ("compare_first", "compare_last", "field"),
    [(FEBRUARY[0], None, "compare_to"), (None, FEBRUARY[1], "compare_from")],
)
def test_a_comparison_needs_both_ends(compare_first, compare_last, field):
    with pytest.raises(DomainError) as refused:
        selectors.compared_periods(*MARCH, compare_first, compare_last)
    assert (refused.value.code, refused.value.field) == ("comparison_incomplete", field)


def test_a_reversed_comparison_names_its_own_field():
    with pytest.raises(DomainError) as refused:
        selectors.compared_periods(*MARCH, FEBRUARY[1], FEBRUARY[0])
    assert (refused.value.code, refused.value.field) == ("period_reversed", "compare_from")
