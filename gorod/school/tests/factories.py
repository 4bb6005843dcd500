"""Factories for the school diary's models.

Defaults make one coherent school: a year 2026/2027 from 1 September to 31 May, its first
quarter (1 September – 26 October), a class 5А, a teacher with a login. A lesson's
assignment, a mark's lesson and student are built in the same school unless given.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from gorod.accounts.tests.factories import ChildFactory, UserFactory
from gorod.school.models import (
    Assignment,
    ControlForm,
    Enrollment,
    Lesson,
    Mark,
    Period,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    Teacher,
    TimetableSlot,
)

MOSCOW = ZoneInfo("Europe/Moscow")
YEAR_STARTS = date(2026, 9, 1)
YEAR_ENDS = date(2027, 5, 31)
FIRST_QUARTER_ENDS = date(2026, 10, 26)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"ГБОУ Школа № {1000 + n}")
    short_name = factory.Sequence(lambda n: f"Школа № {1000 + n}")
    threshold_5 = Decimal("4.60")
    threshold_4 = Decimal("3.60")
    threshold_3 = Decimal("2.60")


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolYear

    school = factory.SubFactory(SchoolFactory)
    starts_on = YEAR_STARTS
    ends_on = YEAR_ENDS


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    year = factory.SubFactory(SchoolYearFactory)
    kind = Period.Kind.QUARTER
    number = 1
    starts_on = YEAR_STARTS
    ends_on = FIRST_QUARTER_ENDS


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Предмет {n}")


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory)
    last_name = "Смирнова"
    first_name = factory.Sequence(lambda n: f"Анна{n}")
    middle_name = "Сергеевна"


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    year = factory.SubFactory(SchoolYearFactory)
    grade = 5
    letter = factory.Sequence(
        lambda n: "АБВГДЕЖЗИКЛМНОПРСТУФ"[n % 20] + ("" if n < 20 else str(n // 20 % 10))
    )
    class_teacher = None


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    student = factory.SubFactory(ChildFactory)
    school_class = factory.SubFactory(SchoolClassFactory)
    starts_on = YEAR_STARTS
    ends_on = None


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    school_class = factory.SubFactory(SchoolClassFactory)
    teacher = factory.SubFactory(
        TeacherFactory, school=factory.SelfAttribute("..school_class.year.school")
    )
    subject = factory.SubFactory(SubjectFactory)
    subgroup = ""


class TimetableSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimetableSlot

    assignment = factory.SubFactory(AssignmentFactory)
    weekday = 1
    bell = 1
    valid_from = YEAR_STARTS
    valid_until = None


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    assignment = factory.SubFactory(AssignmentFactory)
    date = date(2026, 9, 14)  # a Monday of the first quarter
    bell = factory.Sequence(lambda n: n % 8 + 1)


class ControlFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlForm
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = "ответ на уроке"
    weight = 1


class MarkFactory(factory.django.DjangoModelFactory):
    """A mark. Without a student, a new one is enrolled in the lesson's class; a student
    given must already be enrolled there on the lesson's date (the trigger checks)."""

    class Meta:
        model = Mark

    lesson = factory.SubFactory(LessonFactory)
    student = factory.LazyAttribute(
        lambda mark: EnrollmentFactory(school_class=mark.lesson.assignment.school_class).student
    )
    control_form = factory.SubFactory(
        ControlFormFactory,
        school=factory.SelfAttribute("..lesson.assignment.school_class.year.school"),
    )
    value = 5
    weight = factory.SelfAttribute("control_form.weight")
    given_by = factory.SelfAttribute("lesson.assignment.teacher")
    given_at = datetime(2026, 9, 14, 10, 0, tzinfo=MOSCOW)
