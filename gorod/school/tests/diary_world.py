"""One school for the family diary's tests, seen on Wednesday 16 September 2026.

Class 5А (class teacher Классова) holds Петя, a child of the parent Мама, and Глеб, a
student with a login of his own; class 5Б (class teacher Бэшкина) holds Петин brother
Коля and Света, the child of another parent. A mathematics teacher teaches 5А without
leading it. The week of 14 September has mathematics, Russian, physical education and an
English lesson of the other language group; Петя has marks of 5 (weight 2) and 3 (weight 1)
in mathematics, 4 in Russian, an "н" in Russian and an exemption from physical education
(with a mark of 2 given in it, which no average may count).

Factories the shared file (factories.py) does not have yet are here: bells, absences,
exemptions, period marks, homework files.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

import factory
import pytest
from django.utils import timezone

from gorod.accounts.models import Guardianship, Person, User
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.school.models import (
    Assignment,
    Attendance,
    Bell,
    ControlForm,
    Exemption,
    FinalMark,
    HomeworkFile,
    Lesson,
    Period,
    School,
    SchoolClass,
    Subject,
    Teacher,
)
from gorod.school.tests.factories import (
    MOSCOW,
    AssignmentFactory,
    ControlFormFactory,
    EnrollmentFactory,
    LessonFactory,
    MarkFactory,
    PeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeacherFactory,
)

MONDAY = date(2026, 9, 14)
TUESDAY = date(2026, 9, 15)
TODAY = date(2026, 9, 16)
NEXT_MONDAY = date(2026, 9, 21)
NOW = datetime(2026, 9, 16, 19, 0, tzinfo=MOSCOW)
BELLS = {
    1: (time(8, 30), time(9, 15)),
    2: (time(9, 25), time(10, 10)),
    3: (time(10, 25), time(11, 10)),
}


# Test modules import `diary_world_fixture` (the fixture `diary_world`).


class BellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bell

    school = factory.SubFactory(SchoolFactory)
    number = 1
    starts_at = time(8, 30)
    ends_at = time(9, 15)


class AbsenceFactory(factory.django.DjangoModelFactory):
    """An "н"; the student must be enrolled in the lesson's class (the trigger checks)."""

    class Meta:
        model = Attendance

    lesson = factory.SubFactory(LessonFactory)
    student = factory.SubFactory(ChildFactory)
    excused = False
    noted_by = factory.SelfAttribute("lesson.assignment.teacher")
    noted_at = datetime(2026, 9, 14, 10, 0, tzinfo=MOSCOW)


class ExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exemption

    student = factory.SubFactory(ChildFactory)
    subject = factory.SubFactory(SubjectFactory)
    starts_on = date(2026, 9, 1)
    ends_on = date(2026, 9, 30)
    reason = "справка из поликлиники"


class FinalMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinalMark

    student = factory.SubFactory(ChildFactory)
    subject = factory.SubFactory(SubjectFactory)
    period = factory.SubFactory(PeriodFactory)
    year = factory.SelfAttribute("period.year")
    value = 4
    given_by = factory.SubFactory(TeacherFactory)
    given_at = datetime(2026, 10, 26, 15, 0, tzinfo=MOSCOW)


class HomeworkFileFactory(factory.django.DjangoModelFactory):
    """A file's row; the file itself is written only by the test that downloads it."""

    class Meta:
        model = HomeworkFile

    lesson = factory.SubFactory(LessonFactory)
    name = "задачи.pdf"
    content_type = "application/pdf"
    size = 1234
    file = "school/homework/2026/09/tasks.pdf"


@dataclass
class DiaryWorld:
    school: School
    quarter: Period
    second_quarter: Period
    class_a: SchoolClass
    class_b: SchoolClass
    maths: Subject
    russian: Subject
    sport: Subject
    english: Subject
    class_teacher: Teacher  # leads 5А, teaches Russian there
    other_class_teacher: Teacher  # leads 5Б
    maths_teacher: Teacher  # teaches 5А, leads nothing
    answer: ControlForm  # weight 1
    test: ControlForm  # weight 2
    parent: Person
    child: Person  # in 5А
    sibling: Person  # Петин brother, in 5Б
    classmate: Person  # in 5А, signs in himself
    other_parent: Person
    other_child: Person  # in 5Б
    maths_monday: Lesson
    maths_tuesday: Lesson  # cancelled
    russian_monday: Lesson
    russian_tuesday: Lesson  # given by a substitute
    sport_monday: Lesson
    english_other_group: Lesson
    maths_test_ahead: Lesson
    homework_file: HomeworkFile

    @property
    def parent_user(self) -> User:
        return self.parent.user


def build_diary_world() -> DiaryWorld:
    school = SchoolFactory()
    for number, (starts_at, ends_at) in BELLS.items():
        BellFactory(school=school, number=number, starts_at=starts_at, ends_at=ends_at)
    year = SchoolYearFactory(school=school)
    quarter = PeriodFactory(year=year, number=1)
    second_quarter = PeriodFactory(
        year=year, number=2, starts_on=date(2026, 11, 5), ends_on=date(2026, 12, 27)
    )
    maths = SubjectFactory(name="Математика")
    russian = SubjectFactory(name="Русский язык")
    sport = SubjectFactory(name="Физическая культура")
    english = SubjectFactory(name="Английский язык")
    class_teacher = TeacherFactory(school=school, last_name="Классова")
    other_class_teacher = TeacherFactory(school=school, last_name="Бэшкина")
    maths_teacher = TeacherFactory(school=school, last_name="Математикова")
    substitute = TeacherFactory(school=school, last_name="Заменова", first_name="Ольга")
    class_a = SchoolClassFactory(year=year, grade=5, letter="А", class_teacher=class_teacher)
    class_b = SchoolClassFactory(year=year, grade=5, letter="Б", class_teacher=other_class_teacher)
    families = _enrol_families(class_a, class_b)
    answer = ControlFormFactory(school=school, name="ответ на уроке", weight=1)
    test = ControlFormFactory(school=school, name="контрольная работа", weight=2, is_test=True)

    world = DiaryWorld(
        school=school,
        quarter=quarter,
        second_quarter=second_quarter,
        class_a=class_a,
        class_b=class_b,
        maths=maths,
        russian=russian,
        sport=sport,
        english=english,
        class_teacher=class_teacher,
        other_class_teacher=other_class_teacher,
        maths_teacher=maths_teacher,
        answer=answer,
        test=test,
        **families,
        **_plan_the_week(
            class_a=class_a,
            class_b=class_b,
            maths=maths,
            russian=russian,
            sport=sport,
            english=english,
            maths_teacher=maths_teacher,
            substitute=substitute,
            classmate=families["classmate"],
            test=test,
        ),
    )
    _mark_the_week(world)
    return world


def _enrol_families(class_a: SchoolClass, class_b: SchoolClass) -> dict[str, Person]:
    """The children in their classes and the parents with their verified guardianships, by
    the world's field names."""
    parent = PersonFactory(last_name="Мамина", first_name="Мама")
    child = ChildFactory(last_name="Мамин", first_name="Петя", birth_date=date(2015, 2, 1))
    sibling = ChildFactory(last_name="Мамин", first_name="Коля", birth_date=date(2015, 2, 1))
    classmate_user = UserFactory()
    classmate = ChildFactory(last_name="Вовк", first_name="Глеб", user=classmate_user)
    other_parent = PersonFactory(last_name="Чужая")
    other_child = ChildFactory(last_name="Чужая", first_name="Света")
    for student, school_class in (
        (child, class_a),
        (classmate, class_a),
        (sibling, class_b),
        (other_child, class_b),
    ):
        EnrollmentFactory(student=student, school_class=school_class)
    for guardian, ward in ((parent, child), (parent, sibling), (other_parent, other_child)):
        Guardianship.objects.create(
            guardian=guardian, child=ward, kind="parent", verified_at=timezone.now()
        )
    return {
        "parent": parent,
        "child": child,
        "sibling": sibling,
        "classmate": classmate,
        "other_parent": other_parent,
        "other_child": other_child,
    }


def _plan_the_week(
    *,
    class_a: SchoolClass,
    class_b: SchoolClass,
    maths: Subject,
    russian: Subject,
    sport: Subject,
    english: Subject,
    maths_teacher: Teacher,
    substitute: Teacher,
    classmate: Person,
    test: ControlForm,
) -> dict[str, Lesson | HomeworkFile]:
    """Who teaches what and the lessons of the week (and one ahead), with the homework's
    file, by the world's field names. Each class teacher teaches in their own class."""
    maths_a = AssignmentFactory(teacher=maths_teacher, subject=maths, school_class=class_a)
    russian_a = AssignmentFactory(
        teacher=class_a.class_teacher, subject=russian, school_class=class_a
    )
    sport_a = AssignmentFactory(teacher=class_a.class_teacher, subject=sport, school_class=class_a)
    # The other language group of 5А: Глеб is in it, Петя is not.
    english_group: Assignment = AssignmentFactory(
        teacher=maths_teacher, subject=english, school_class=class_a, subgroup="2"
    )
    english_group.students.add(classmate)
    maths_b = AssignmentFactory(teacher=class_b.class_teacher, subject=maths, school_class=class_b)

    maths_monday = LessonFactory(
        assignment=maths_a,
        date=MONDAY,
        bell=1,
        room="204",
        topic="Натуральные числа",
        homework="№ 12, 14 на с. 8",
    )
    russian_monday = LessonFactory(assignment=russian_a, date=MONDAY, bell=2, topic="Корень слова")
    sport_monday = LessonFactory(assignment=sport_a, date=MONDAY, bell=3)
    english_other_group = LessonFactory(
        assignment=english_group, date=MONDAY, bell=4, topic="Present Simple"
    )
    maths_tuesday = LessonFactory(assignment=maths_a, date=TUESDAY, bell=2, cancelled=True)
    russian_tuesday = LessonFactory(
        assignment=russian_a, date=TUESDAY, bell=1, substitute=substitute, topic="Суффиксы"
    )
    maths_test_ahead = LessonFactory(
        assignment=maths_a, date=NEXT_MONDAY, bell=1, planned_control=test, topic="Проверочная"
    )
    LessonFactory(assignment=maths_b, date=MONDAY, bell=1, topic="Урок 5Б")
    return {
        "maths_monday": maths_monday,
        "maths_tuesday": maths_tuesday,
        "russian_monday": russian_monday,
        "russian_tuesday": russian_tuesday,
        "sport_monday": sport_monday,
        "english_other_group": english_other_group,
        "maths_test_ahead": maths_test_ahead,
        "homework_file": HomeworkFileFactory(lesson=maths_monday),
    }


def _mark_the_week(world: DiaryWorld) -> None:
    """Петя's and Глеб's marks, Петя's "н" in Russian and his exemption from sport."""
    MarkFactory(
        lesson=world.maths_monday,
        student=world.child,
        control_form=world.test,
        value=5,
        comment="Отличная работа",
        changed_at=datetime(2026, 9, 15, 9, 0, tzinfo=MOSCOW),
    )
    MarkFactory(lesson=world.maths_monday, student=world.child, control_form=world.answer, value=3)
    MarkFactory(
        lesson=world.russian_tuesday, student=world.child, control_form=world.answer, value=4
    )
    MarkFactory(
        lesson=world.maths_monday, student=world.classmate, control_form=world.answer, value=2
    )
    # Given by mistake while Петя was exempt: shown, counted in no average.
    MarkFactory(lesson=world.sport_monday, student=world.child, control_form=world.answer, value=2)
    AbsenceFactory(lesson=world.russian_monday, student=world.child, excused=True)
    ExemptionFactory(student=world.child, subject=world.sport)


@pytest.fixture(name="diary_world")
def diary_world_fixture(db, catalog, time_machine) -> DiaryWorld:
    """The school, with the clock on Wednesday evening and the catalog loaded (a family's
    look counts a use of the catalog's "school-diary" service)."""
    time_machine.move_to(NOW)
    return build_diary_world()
