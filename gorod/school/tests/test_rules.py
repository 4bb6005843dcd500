"""The school diary's rules (gorod.school.rules): averages, suggestions, rights, the week."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.school import rules
from gorod.school.rules import TeachingPost, Thresholds, WeeklySlot

CITY = Thresholds.parse("4.60,3.60,2.60")
marks = st.lists(
    st.tuples(st.integers(rules.MARK_MIN, rules.MARK_MAX), st.integers(1, 10)), max_size=40
)


# --- the weighted average -------------------------------------------------------------


def test_the_average_weighs_each_mark_by_its_form():
    # 5 with weight 2 and 3 with weight 1: (10 + 3) / 3 = 4.333…
    assert rules.weighted_average([(5, 2), (3, 1)]) == Decimal("4.33")


def test_the_average_is_rounded_half_up_to_two_decimals():
    # 4·1 + 5·1 + 5·6 = 39 over 8 = 4.875
    assert rules.weighted_average([(4, 1), (5, 1), (5, 6)]) == Decimal("4.88")
    # 3·1 + 4·2 = 11 over 3 = 3.666…
    assert rules.weighted_average([(3, 1), (4, 2)]) == Decimal("3.67")
    # 4·3 + 5·5 = 37 over 8 = 4.625: half up, as a school rounds (not to even, 4.62)
    assert rules.weighted_average([(4, 3), (5, 5)]) == Decimal("4.63")


def test_no_mark_is_no_average_not_a_zero():
    assert rules.weighted_average([]) is None


@given(marks)
def test_the_average_lies_between_the_lowest_and_the_highest_mark(pairs):
    average = rules.weighted_average(pairs)
    if not pairs:
        assert average is None
    else:
        assert min(value for value, _ in pairs) <= average <= max(value for value, _ in pairs)


@given(marks, st.permutations(range(40)))
def test_the_order_of_the_marks_does_not_matter(pairs, order):
    shuffled = [pairs[index] for index in order if index < len(pairs)]
    assert rules.weighted_average(shuffled) == rules.weighted_average(pairs)


@given(marks.filter(bool), st.integers(2, 5))
def test_multiplying_every_weight_changes_nothing(pairs, factor):
    scaled = [(value, weight * factor) for value, weight in pairs]
    assert rules.weighted_average(scaled) == rules.weighted_average(pairs)


# --- the suggested period mark --------------------------------------------------------


@pytest.mark.parametrize(
    ("average", "mark"),
    [
        ("5.00", 5),
        ("4.60", 5),
        ("4.59", 4),
        ("3.60", 4),
        ("3.59", 3),
        ("2.60", 3),
        ("2.59", 2),
        ("2.00", 2),
    ],
)
def test_the_city_s_thresholds_suggest_the_period_mark(average, mark):
    assert rules.suggested_mark(Decimal(average), CITY) == mark


def test_no_average_suggests_nothing():
    assert rules.suggested_mark(None, CITY) is None


def test_a_school_sets_its_own_thresholds():
    strict = Thresholds.parse("4.75,3.75,2.75")
    assert rules.suggested_mark(Decimal("4.70"), strict) == 4
    assert rules.suggested_mark(Decimal("4.70"), CITY) == 5


@pytest.mark.parametrize("text", ["3.60,4.60,2.60", "5.10,3.60,2.60", "4.60,3.60,1.90", "4.6"])
def test_thresholds_out_of_order_or_range_are_refused(text):
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds.parse(text)


@given(marks.filter(bool))
def test_the_suggestion_never_falls_as_the_average_rises(pairs):
    better = [*pairs, (5, 10)]
    assert rules.suggested_mark(rules.weighted_average(better), CITY) >= rules.suggested_mark(
        rules.weighted_average(pairs), CITY
    )


# --- marks and grades -----------------------------------------------------------------


@pytest.mark.parametrize(("value", "valid"), [(1, False), (2, True), (5, True), (6, False)])
def test_a_mark_is_two_to_five(value, valid):
    assert rules.is_mark(value) is valid


def test_the_first_grade_is_taught_without_marks():
    assert not rules.grade_has_marks(1)
    assert all(rules.grade_has_marks(grade) for grade in range(2, 12))


# --- who marks whom -------------------------------------------------------------------

MATHS, RUSSIAN = 1, 2
CLASS_5A, CLASS_5B = 10, 11


def test_a_teacher_marks_the_subject_taught_in_the_student_s_class():
    posts = [TeachingPost(class_id=CLASS_5A, subject_id=MATHS)]
    assert rules.may_mark(posts=posts, class_id=CLASS_5A, subject_id=MATHS, student_id=7)
    assert not rules.may_mark(posts=posts, class_id=CLASS_5B, subject_id=MATHS, student_id=7)
    assert not rules.may_mark(posts=posts, class_id=CLASS_5A, subject_id=RUSSIAN, student_id=7)
    assert not rules.may_mark(posts=[], class_id=CLASS_5A, subject_id=MATHS, student_id=7)


def test_a_subgroup_s_teacher_marks_only_the_subgroup():
    posts = [TeachingPost(class_id=CLASS_5A, subject_id=MATHS, students=frozenset({7, 8}))]
    assert rules.may_mark(posts=posts, class_id=CLASS_5A, subject_id=MATHS, student_id=8)
    assert not rules.may_mark(posts=posts, class_id=CLASS_5A, subject_id=MATHS, student_id=9)


# --- the cut-off for past periods -----------------------------------------------------

QUARTER_ENDS = date(2026, 10, 24)


@pytest.mark.parametrize(
    ("today", "head", "allowed"),
    [
        (QUARTER_ENDS, False, True),
        (QUARTER_ENDS + timedelta(days=5), False, True),
        (QUARTER_ENDS + timedelta(days=6), False, False),
        (QUARTER_ENDS + timedelta(days=60), True, True),
    ],
)
def test_a_past_period_is_changed_by_its_teacher_until_the_cut_off_then_by_the_head(
    today, head, allowed
):
    assert (
        rules.may_change_period(
            period_ends_on=QUARTER_ENDS, today=today, cutoff_days=5, is_head_teacher=head
        )
        is allowed
    )


# --- the timetable and the week -------------------------------------------------------

MONDAY = date(2026, 12, 7)


def test_a_date_has_the_timetable_s_lessons_of_its_weekday_in_bell_order():
    slots = [
        WeeklySlot(key="maths", weekday=1, bell=2, valid_from=date(2026, 9, 1)),
        WeeklySlot(key="russian", weekday=1, bell=1, valid_from=date(2026, 9, 1)),
        WeeklySlot(key="music", weekday=2, bell=1, valid_from=date(2026, 9, 1)),
        WeeklySlot(
            key="old art",
            weekday=1,
            bell=3,
            valid_from=date(2026, 9, 1),
            valid_until=date(2026, 11, 30),
        ),
        WeeklySlot(key="new art", weekday=1, bell=3, valid_from=date(2026, 12, 1)),
    ]
    assert [slot.key for slot in rules.slots_on(slots, MONDAY)] == ["russian", "maths", "new art"]
    assert rules.slots_on(slots, MONDAY + timedelta(days=6)) == []  # Sunday


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_belongs_to_one_school_week_from_monday_to_saturday(day):
    monday, saturday = rules.week_of(day)
    assert monday.isoweekday() == 1
    assert saturday - monday == timedelta(days=5)
    assert monday <= day <= saturday + timedelta(days=1)


# --- attendance -----------------------------------------------------------------------


def test_attendance_counts_lessons_held_and_absences_with_and_without_reason():
    figures = rules.attendance(lessons_held=40, absences=[True, True, False])
    assert (figures.lessons, figures.absent, figures.excused, figures.unexcused) == (40, 3, 2, 1)
    assert figures.present_share == Decimal("92.5")


def test_no_lessons_no_share():
    assert rules.attendance(lessons_held=0, absences=[]).present_share is None


def test_more_absences_than_lessons_is_an_error_in_the_facts():
    with pytest.raises(ValueError, match="more absences"):
        rules.attendance(lessons_held=1, absences=[False, False])
