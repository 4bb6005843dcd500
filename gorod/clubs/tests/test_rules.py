"""The enrollment rules of DOMAIN.md, "Clubs and sports sections", one test at least each."""

from datetime import UTC, date, datetime, time
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.clubs import rules
from gorod.clubs.rules import Meeting

# --- ages on the programme's start date ------------------------------------------------------


def test_age_is_checked_on_the_programme_start_date_not_today():
    # Seven on 1 September only if born by 1 September seven years before.
    assert rules.age_fits(
        birth_date=date(2019, 9, 1), starts_on=date(2026, 9, 1), age_min=7, age_max=10
    )
    assert not rules.age_fits(
        birth_date=date(2019, 9, 2), starts_on=date(2026, 9, 1), age_min=7, age_max=10
    )


def test_both_ends_of_the_age_range_are_included():
    starts = date(2026, 9, 1)
    assert rules.age_fits(birth_date=date(2016, 1, 1), starts_on=starts, age_min=7, age_max=10)
    assert not rules.age_fits(birth_date=date(2015, 8, 31), starts_on=starts, age_min=7, age_max=10)


@given(
    birth=st.dates(min_value=date(2000, 1, 1), max_value=date(2024, 12, 31)),
    starts=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    age_min=st.integers(3, 18),
    span=st.integers(0, 15),
)
def test_age_fits_exactly_when_the_age_on_the_start_date_is_in_range(birth, starts, age_min, span):
    age_max = min(age_min + span, 18)
    age = rules.age_on(birth, starts)
    assert rules.age_fits(birth_date=birth, starts_on=starts, age_min=age_min, age_max=age_max) == (
        age_min <= age <= age_max
    )


# --- the free-programme limit ---------------------------------------------------------------


def test_a_fourth_free_programme_is_refused_with_the_default_three():
    assert rules.free_limit_reached(free_programmes_held=[1, 2, 3], programme_id=4, limit=3)
    assert not rules.free_limit_reached(free_programmes_held=[1, 2], programme_id=4, limit=3)


def test_another_group_of_a_programme_already_held_is_not_another_programme():
    assert not rules.free_limit_reached(free_programmes_held=[1, 2, 3], programme_id=2, limit=3)


@given(
    held=st.lists(st.integers(1, 8), max_size=12), new=st.integers(1, 8), limit=st.integers(0, 6)
)
def test_the_limit_counts_distinct_programmes(held, new, limit):
    reached = rules.free_limit_reached(free_programmes_held=held, programme_id=new, limit=limit)
    assert reached == (new not in set(held) and len(set(held)) >= limit)


# --- one child, one place at a time ----------------------------------------------------------


def at(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


def test_meetings_on_the_same_day_that_overlap_clash():
    chess = [Meeting(0, at(16), at(17, 30))]
    swimming = [Meeting(2, at(15), at(16)), Meeting(0, at(17), at(18))]
    assert rules.meetings_clash(chess, swimming) == Meeting(0, at(17), at(18))


def test_meetings_that_touch_or_fall_on_other_days_do_not_clash():
    chess = [Meeting(0, at(16), at(17))]
    assert rules.meetings_clash(chess, [Meeting(0, at(17), at(18))]) is None
    assert rules.meetings_clash(chess, [Meeting(1, at(16), at(17))]) is None


meetings = st.builds(
    lambda weekday, start, length: Meeting(
        weekday, time(start // 60, start % 60), time((start + length) // 60, (start + length) % 60)
    ),
    st.integers(0, 6),
    st.integers(8 * 60, 20 * 60),
    st.integers(15, 180),
)


@given(first=st.lists(meetings, max_size=5), second=st.lists(meetings, max_size=5))
def test_clashing_is_symmetric(first, second):
    assert (rules.meetings_clash(first, second) is None) == (
        rules.meetings_clash(second, first) is None
    )


@given(meeting=meetings)
def test_a_meeting_clashes_with_itself(meeting):
    assert rules.meetings_clash([meeting], [meeting]) == meeting


# --- the status machine ----------------------------------------------------------------------


def test_the_path_of_the_domain_is_allowed():
    path = [rules.SUBMITTED, rules.REVIEW, rules.TEST, rules.INVITED, rules.ENROLLED]
    for current, target in pairwise(path):
        assert rules.may_move(current, target), (current, target)


@pytest.mark.parametrize("closed", [rules.REJECTED, rules.CANCELLED])
def test_a_closed_application_never_moves_again(closed):
    assert all(not rules.may_move(closed, target) for target in rules.TRANSITIONS)


def test_an_enrolled_child_can_only_leave():
    assert rules.TRANSITIONS[rules.ENROLLED] == {rules.CANCELLED}


def test_a_waiting_child_is_seated_only_through_the_freed_place_statuses():
    assert not rules.may_move(rules.WAITLISTED, rules.ENROLLED)
    assert rules.may_move(rules.WAITLISTED, rules.INVITED)


def test_the_statuses_holding_a_place_are_the_live_ones_minus_the_waiting_list():
    assert {rules.WAITLISTED} == rules.LIVE - rules.HOLDING_PLACE
    assert not (rules.LIVE & rules.CLOSED)
    assert set(rules.TRANSITIONS) == rules.LIVE | rules.CLOSED


def test_a_programme_with_a_test_holds_the_place_for_review_first():
    assert rules.status_on_place(requires_test=True) == rules.SUBMITTED
    assert rules.status_on_place(requires_test=False) == rules.INVITED


# --- the confirmation deadline and the season ----------------------------------------------


def test_the_deadline_counts_working_days_skipping_weekends_and_holidays():
    # Invited on Friday 25 December 2026: the New Year holidays run to 11 January 2027
    # (the 2027 decree), so ten working days end well into January.
    assert rules.confirm_by(date(2026, 12, 4), 10) == date(2026, 12, 18)
    assert rules.confirm_by(date(2026, 12, 25), 10) > date(2027, 1, 11)


def test_an_invitation_lapses_only_after_its_last_day():
    assert not rules.invitation_lapsed(confirm_by=date(2026, 12, 18), today=date(2026, 12, 18))
    assert rules.invitation_lapsed(confirm_by=date(2026, 12, 18), today=date(2026, 12, 19))


def test_a_seasonal_programme_opens_at_its_moment():
    opens = datetime(2026, 8, 15, 5, 0, tzinfo=UTC)
    assert not rules.enrollment_open(
        season_opens_at=opens, now=datetime(2026, 8, 15, 4, 59, tzinfo=UTC)
    )
    assert rules.enrollment_open(season_opens_at=opens, now=opens)
    assert rules.enrollment_open(season_opens_at=None, now=opens)


def test_the_organisation_only_refuses_a_waiting_child_and_only_lets_go_an_enrolled_one():
    assert rules.staff_moves(rules.WAITLISTED) == (rules.REJECTED,)
    assert rules.staff_moves(rules.ENROLLED) == (rules.CANCELLED,)
    assert rules.staff_moves(rules.SUBMITTED) == (rules.REVIEW, rules.INVITED, rules.REJECTED)
    assert rules.staff_moves(rules.CANCELLED) == ()


@pytest.mark.parametrize("status", list(rules.TRANSITIONS))
def test_every_staff_decision_is_a_move_the_machine_allows(status):
    assert all(rules.may_move(status, target) for target in rules.staff_moves(status))
