"""The demo school: the demo parent's children among invented classmates, marks only where
pupils sat and never in grade 1, the teacher logins, a second run that writes nothing."""

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count, F

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.demo import school as demo_school
from gorod.demo.school_plan import CONTROL_FORMS, PHYSICAL_EDUCATION
from gorod.school import rules
from gorod.school.importers import SCHOOLS_FILE
from gorod.school.models import (
    Assignment,
    Attendance,
    Bell,
    Enrollment,
    Exemption,
    FinalMark,
    Lesson,
    Mark,
    Period,
    School,
    SchoolClass,
    Teacher,
    TimetableSlot,
)

pytestmark = pytest.mark.django_db

# A Friday evening in the second quarter: a quarter is over, the marks of the day are in.
NOW = datetime(2026, 11, 20, 19, 0, tzinfo=ZoneInfo("Europe/Moscow"))
CLASS_SIZE = 4
SON_BORN = date(2015, 9, 1)  # grade 5 in 2026/2027
DAUGHTER_BORN = date(2010, 5, 3)  # grade 10
TODDLER_BORN = date(2023, 2, 1)  # not at school


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo school built once (a small one: four pupils a class) for the module."""
    with rolled_back_after_module(django_db_blocker):
        parent = PersonFactory(user__email="demo@gorod.local")
        children = [
            ChildFactory(first_name=name, birth_date=born)
            for name, born in (("Миша", SON_BORN), ("Катя", DAUGHTER_BORN), ("Лиза", TODDLER_BORN))
        ]
        for child in children:
            Guardianship.objects.create(guardian=parent, child=child, kind="parent")
        made = demo_school.school_demo(citizen=parent.user, seed=7, class_size=CLASS_SIZE, now=NOW)
        yield parent, children, made


# The test that builds schools of its own runs first, before the module's school exists.
def snapshot() -> list[tuple]:
    return list(
        Mark.objects.order_by(
            "lesson__assignment__school_class__grade",
            "lesson__assignment__school_class__letter",
            "lesson__assignment__subject__name",
            "lesson__date",
            "lesson__bell",
            "student__first_name",
            "control_form__name",
        ).values_list(
            "lesson__assignment__school_class__grade",
            "lesson__assignment__subject__name",
            "lesson__date",
            "lesson__bell",
            "lesson__topic",
            "lesson__homework",
            "student__first_name",
            "student__birth_date",
            "control_form__name",
            "value",
            "comment",
        )
    )


def test_the_same_seed_gives_the_same_school(db):
    parent = PersonFactory(user__email="demo@gorod.local")
    early = datetime(2026, 9, 25, 19, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    made = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            demo_school.school_demo(citizen=parent.user, seed=seed, class_size=2, now=early)
            made.append(snapshot())
            transaction.set_rollback(True)

    assert made[0]
    assert made[0] == made[1]
    assert made[0] != made[2]


def test_without_the_register_the_school_is_an_invented_one_named_so(db):
    parent = PersonFactory(user__email="demo@gorod.local")

    made = demo_school.school_demo(
        citizen=parent.user, seed=7, class_size=2, now=NOW, registry=None, subjects=None
    )

    assert not made.imported
    assert School.objects.get().name == demo_school.INVENTED_SCHOOL
    assert made.marks == Mark.objects.count() > 0


def test_the_parent_sees_the_school_age_children_enrolled_among_classmates(demo):
    parent, (son, daughter, toddler), made = demo

    enrolled = Enrollment.objects.filter(student__guardians__guardian=parent)
    classes = {item.student_id: str(item.school_class) for item in enrolled}
    assert classes == {son.pk: "5А", daughter.pk: "10А"}
    assert not Enrollment.objects.filter(student=toddler).exists()
    assert Enrollment.objects.filter(school_class__grade=5, school_class__letter="А").count() == (
        CLASS_SIZE
    )
    assert Mark.objects.filter(student=son).exists()
    assert made.pupils == SchoolClass.objects.count() * CLASS_SIZE


def test_the_school_has_classes_one_to_eleven_with_parallels_bells_and_quarters(demo):
    _parent, _children, made = demo
    school = SchoolClass.objects.first().year.school
    assert made.imported == SCHOOLS_FILE.exists()
    if not made.imported:
        assert school.name == demo_school.INVENTED_SCHOOL
    grades = Counter(SchoolClass.objects.values_list("grade", flat=True))
    assert sorted(grades) == list(range(1, 12))
    assert grades[5] == 2
    assert grades[11] == 1
    assert Bell.objects.filter(school=school).count() == 8
    quarters = list(Period.objects.values_list("starts_on", "ends_on"))
    assert quarters[0] == (date(2026, 9, 1), date(2026, 10, 24))
    assert quarters[3] == (date(2027, 3, 30), date(2027, 5, 26))
    assert sorted(school.control_forms.values_list("name", "weight")) == sorted(
        (name, weight) for name, weight, _test in CONTROL_FORMS
    )
    # Every class has a class teacher and a week of lessons, none on Saturday.
    assert not SchoolClass.objects.filter(class_teacher=None).exists()
    assert TimetableSlot.objects.filter(weekday=6).count() == 0
    assert Teacher.objects.filter(is_head_teacher=True).count() == 1


def test_marks_only_for_pupils_in_the_class_and_none_in_grade_1(demo):
    assert Mark.objects.count() > 0
    assert not Mark.objects.filter(lesson__assignment__school_class__grade=1).exists()
    assert Lesson.objects.filter(assignment__school_class__grade=1).exists()
    # A pupil's mark is in their own class's lesson (the database's trigger holds it too).
    stray = Mark.objects.exclude(
        student__enrollments__school_class=F("lesson__assignment__school_class")
    ).count()
    assert stray == 0
    # A group's lesson marks only the group's pupils.
    for assignment in Assignment.objects.exclude(subgroup="")[:4]:
        group = set(assignment.students.values_list("pk", flat=True))
        marked = set(
            Mark.objects.filter(lesson__assignment=assignment).values_list("student", flat=True)
        )
        assert marked <= group


def test_marks_are_shaped_like_a_journal(demo):
    values = Counter(Mark.objects.values_list("value", flat=True))
    total = sum(values.values())
    assert (values[4] + values[5]) / total > 0.7
    assert 0 < values[2] / total < 0.06
    assert values[3] > values[2]
    # Marks only for lessons held by the demo's clock, none in the days ahead.
    assert not Mark.objects.filter(lesson__date__gt=NOW.date()).exists()
    assert Lesson.objects.filter(date__gt=NOW.date()).exclude(planned_control=None).exists()
    # One to three a week per subject, give or take the written works.
    per_week = (
        Mark.objects.filter(lesson__date__range=(date(2026, 11, 9), date(2026, 11, 14)))
        .values("student", "lesson__assignment")
        .annotate(count=Count("id"))
    )
    counts = Counter(row["count"] for row in per_week)
    assert set(counts) <= {1, 2, 3, 4, 5}
    assert counts[1] + counts[2] + counts[3] > 0.8 * sum(counts.values())
    # A mark carries its form's weight.
    assert not Mark.objects.exclude(weight=F("control_form__weight")).exists()


def test_absences_an_exemption_and_the_first_quarter_marks(demo):
    _parent, (_son, daughter, _toddler), _made = demo
    assert Attendance.objects.exists()
    assert not Mark.objects.filter(lesson__absences__student=F("student")).exists()
    exemption = Exemption.objects.get()
    assert exemption.student == daughter
    assert exemption.subject.name == PHYSICAL_EDUCATION
    assert not Mark.objects.filter(
        student=daughter,
        lesson__assignment__subject__name=PHYSICAL_EDUCATION,
        lesson__date__range=(exemption.starts_on, exemption.ends_on),
    ).exists()
    first_quarter = Period.objects.get(number=1)
    assert FinalMark.objects.filter(period=first_quarter).exists()
    assert not FinalMark.objects.filter(period__number=2).exists()
    assert not FinalMark.objects.filter(student__enrollments__school_class__grade=1).exists()
    assert all(rules.is_mark(value) for value in FinalMark.objects.values_list("value", flat=True))


def test_the_teacher_logins_have_the_teacher_role_and_their_classes(demo):
    _parent, _children, made = demo
    logins = {login: hint for login, _password, hint in made.credentials}
    assert set(logins) == {demo_school.DEMO_SUBJECT_TEACHER, demo_school.DEMO_CLASS_TEACHER}
    assert "предметник" in logins[demo_school.DEMO_SUBJECT_TEACHER]
    assert "классный руководитель" in logins[demo_school.DEMO_CLASS_TEACHER]
    subject_teacher = Teacher.objects.get(user__email=demo_school.DEMO_SUBJECT_TEACHER)
    class_teacher = Teacher.objects.get(user__email=demo_school.DEMO_CLASS_TEACHER)
    for teacher in (subject_teacher, class_teacher):
        assert list(teacher.user.groups.values_list("name", flat=True)) == ["teacher"]
    fifth = SchoolClass.objects.get(grade=5, letter="А")
    assert fifth.class_teacher == class_teacher
    assert Assignment.objects.filter(
        teacher=subject_teacher, school_class=fifth, subject__name="Математика"
    ).exists()


def test_a_second_run_writes_nothing(demo):
    parent, _children, _made = demo
    models = (School, Teacher, Lesson, Mark, Enrollment, Attendance, FinalMark)
    counts = [model.objects.count() for model in models]

    again = demo_school.school_demo(citizen=parent.user, seed=7, class_size=CLASS_SIZE, now=NOW)

    assert again.already
    assert again.credentials == []
    assert [model.objects.count() for model in models] == counts
