"""The arithmetic of the applications' figures: percentiles by nearest rank, rates, totals."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gorod.analytics import rules

DAYS = st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=200)
PERCENT = st.integers(min_value=1, max_value=100)
MARCH = rules.Period(date(2025, 3, 1), date(2025, 3, 31))


@given(DAYS, PERCENT)
def test_nearest_rank_is_a_value_with_enough_below_it_and_not_too_many(values, percent):
    result = rules.nearest_rank(values, percent)
    assert result in values
    at_most = sum(value <= result for value in values)
    below = sum(value < result for value in values)
    # At least `percent` % are not above it, and fewer than `percent` % are below it.
    assert at_most * 100 >= percent * len(values)
    assert below * 100 < percent * len(values)


@given(DAYS, PERCENT, PERCENT)
def test_a_higher_percentile_is_never_lower(values, low, high):
    low, high = sorted((low, high))
    assert rules.nearest_rank(values, low) <= rules.nearest_rank(values, high)


@given(DAYS, PERCENT)
def test_the_order_of_the_values_does_not_matter(values, percent):
    assert rules.nearest_rank(values, percent) == rules.nearest_rank(values[::-1], percent)


def test_worked_examples():
    assert rules.nearest_rank([1, 3, 8], 50) == 3
    assert rules.nearest_rank([1, 3, 8], 90) == 8
    # Of an even count the median is the lower middle value: half are decided within it.
    assert rules.nearest_rank([4, 1, 3, 2], 50) == 2
    assert rules.nearest_rank(list(range(1, 11)), 90) == 9
    assert rules.nearest_rank(list(range(1, 11)), 100) == 10
    assert rules.nearest_rank([7], 90) == 7
    assert rules.nearest_rank([], 50) is None
    with pytest.raises(ValueError, match="percentile"):
        rules.nearest_rank([1], 0)


def test_rates_without_a_denominator_are_unknown_not_zero():
    row = rules.service_performance("s", "S", rules.ApplicationFlows(), [], {})
    assert row.submitted_of_started is None
    assert row.completed_of_submitted is None
    assert row.within_term_share is None
    assert row.median_working_days is None
    assert row.digital_take_up is None


def test_digital_take_up_is_known_only_with_the_offline_count():
    assert rules.digital_take_up(30, None) is None
    assert rules.digital_take_up(30, 10) == 0.75
    assert rules.digital_take_up(0, 0) is None
    flows = rules.ApplicationFlows(submitted=30)
    assert (
        rules.service_performance("s", "S", flows, [], {}, offline_submitted=10).digital_take_up
        == 0.75
    )


FLOWS = st.builds(
    rules.ApplicationFlows,
    **{name: st.integers(0, 50) for name in rules.ApplicationFlows.__dataclass_fields__},
)
DECISIONS = st.lists(
    st.builds(
        rules.Decided,
        working_days=st.integers(0, 60),
        calendar_days=st.integers(0, 90),
        on_time=st.none() | st.booleans(),
    ),
    max_size=6,
)
SERVICES = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.tuples(FLOWS, DECISIONS), max_size=4
)


# Nested strategies: generating them is slow on a loaded shared machine, not the test.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(SERVICES)
def test_the_total_adds_up_the_services(services):
    figures = rules.applications_figures(
        MARCH,
        flows={slug: flows for slug, (flows, _decisions) in services.items()},
        decisions={slug: decisions for slug, (_flows, decisions) in services.items()},
        channels={slug: {"web": flows.submitted} for slug, (flows, _d) in services.items()},
        titles={},
    )
    total = figures.total
    assert total.flows.submitted == sum(row.flows.submitted for row in figures.services)
    assert total.flows.started == sum(row.flows.started for row in figures.services)
    assert total.decided == sum(row.decided for row in figures.services)
    assert total.within_term == sum(row.within_term for row in figures.services)
    assert total.channels.get("web", 0) == total.flows.submitted
    every = [d.working_days for _flows, decisions in services.values() for d in decisions]
    assert total.p90_working_days == rules.nearest_rank(every, 90)
    ranked = [(-row.flows.submitted, -row.decided, row.slug) for row in figures.services]
    assert ranked == sorted(ranked)
    # A service's title falls back to its slug.
    assert all(row.title == row.slug for row in figures.services)


@given(FLOWS, DECISIONS)
def test_shares_stay_between_nothing_and_everything(flows, decisions):
    flows = rules.ApplicationFlows(
        **{
            **flows.__dict__,
            "started_then_submitted": min(flows.started_then_submitted, flows.started),
            "submitted_then_completed": min(flows.submitted_then_completed, flows.submitted),
        }
    )
    row = rules.service_performance("s", "S", flows, decisions, {})
    for value in (row.submitted_of_started, row.completed_of_submitted, row.within_term_share):
        assert value is None or 0 <= value <= 1
    assert row.within_term <= row.with_term <= row.decided == len(decisions)
    assert row.rejected == flows.refused + flows.refused_to_accept
