"""What the database itself holds of the diary's rules, whatever code path writes."""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction

from gorod.accounts.tests.factories import ChildFactory
from gorod.school.models import Attendance, FinalMark, Mark
from gorod.school.tests.factories import (
    MOSCOW,
    ControlFormFactory,
    EnrollmentFactory,
    LessonFactory,
    PeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    SubjectFactory,
    TeacherFactory,
)

pytestmark = pytest.mark.django_db

GIVEN_AT = datetime(2026, 9, 14, 10, tzinfo=MOSCOW)


@pytest.fixture
def lesson():
    return LessonFactory(date=date(2026, 9, 14))


def enrolled(lesson, **dates):
    return EnrollmentFactory(school_class=lesson.assignment.school_class, **dates).student


def mark(lesson, student, *, value=5, form=None):
    form = form or ControlFormFactory(school=lesson.assignment.school_class.year.school)
    return Mark.objects.create(
        lesson=lesson,
        student=student,
        control_form=form,
        value=value,
        weight=form.weight,
        given_by=lesson.assignment.teacher,
        given_at=GIVEN_AT,
    )


def refused(write) -> bool:
    """Whether the database refused the write (and nothing of it stayed)."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_a_student_enrolled_on_the_lesson_s_date_gets_a_mark(lesson):
    student = enrolled(lesson)
    mark(lesson, student)
    assert Mark.objects.filter(student=student).count() == 1


def test_no_mark_for_a_student_of_another_class(lesson):
    stranger = EnrollmentFactory(school_class=SchoolClassFactory()).student
    assert refused(lambda: mark(lesson, stranger))
    assert refused(lambda: mark(lesson, ChildFactory()))
    assert not Mark.objects.exists()


def test_no_mark_before_the_student_joined_or_after_they_left(lesson):
    joined_later = enrolled(lesson, starts_on=date(2026, 9, 15))
    left_before = enrolled(lesson, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 13))
    on_the_last_day = enrolled(lesson, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 14))
    assert refused(lambda: mark(lesson, joined_later))
    assert refused(lambda: mark(lesson, left_before))
    mark(lesson, on_the_last_day)
    assert list(Mark.objects.values_list("student", flat=True)) == [on_the_last_day.pk]


def test_a_mark_cannot_be_moved_to_a_student_outside_the_class(lesson):
    given = mark(lesson, enrolled(lesson))
    given.student = ChildFactory()
    assert refused(given.save)


def test_no_mark_in_the_first_grade():
    first_grade = LessonFactory(assignment__school_class__grade=1)
    student = enrolled(first_grade)
    assert refused(lambda: mark(first_grade, student))


@pytest.mark.parametrize("value", [1, 6, 0])
def test_a_mark_is_two_to_five(lesson, value):
    student = enrolled(lesson)
    assert refused(lambda: mark(lesson, student, value=value))


def test_one_mark_per_student_form_and_lesson_but_several_forms_in_a_lesson(lesson):
    student = enrolled(lesson)
    school = lesson.assignment.school_class.year.school
    answer = ControlFormFactory(school=school, name="ответ на уроке", weight=1)
    test = ControlFormFactory(school=school, name="проверочная работа", weight=3)
    mark(lesson, student, form=answer)
    mark(lesson, student, form=test)
    assert refused(lambda: mark(lesson, student, form=answer))
    assert Mark.objects.filter(student=student).count() == 2


def test_an_absence_only_for_a_student_of_the_class_once_per_lesson(lesson):
    student = enrolled(lesson)

    def absent(who):
        return Attendance.objects.create(
            lesson=lesson, student=who, noted_by=lesson.assignment.teacher, noted_at=GIVEN_AT
        )

    absent(student)
    assert refused(lambda: absent(student))
    assert refused(lambda: absent(ChildFactory()))


def test_one_period_mark_and_one_year_mark_per_student_and_subject():
    period = PeriodFactory()
    student, subject = ChildFactory(), SubjectFactory()
    teacher = TeacherFactory(school=period.year.school)

    def final(value, period_of_it, *, of=subject):
        return FinalMark.objects.create(
            student=student,
            subject=of,
            year=period.year,
            period=period_of_it,
            value=value,
            given_by=teacher,
            given_at=GIVEN_AT,
        )

    final(5, period)
    final(4, None)
    assert refused(lambda: final(4, period))
    assert refused(lambda: final(5, None))
    assert refused(lambda: final(6, period, of=SubjectFactory()))


def test_a_school_s_thresholds_rise_from_three_to_five():
    assert refused(lambda: SchoolFactory(threshold_5="3.50", threshold_4="4.00"))
    assert refused(lambda: SchoolFactory(threshold_3="1.50"))


def test_a_class_letter_is_unique_in_its_grade_and_year():
    first = SchoolClassFactory(grade=5, letter="А")
    assert refused(lambda: SchoolClassFactory(year=first.year, grade=5, letter="А"))
    assert refused(lambda: SchoolClassFactory(year=first.year, grade=12, letter="В"))
