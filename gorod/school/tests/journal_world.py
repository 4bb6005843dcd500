"""One school for the journal's tests: class 5А with three students, a mathematics teacher,
the class teacher (who teaches Russian), a teacher of 5Б, a lesson of mathematics on
Monday 14 September 2026, two control forms, and a guardian of the first student.

`LESSON_EVENING` is that lesson's evening; `AFTER_CUTOFF` is well past the first quarter's
end and its cut-off.
"""

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django.utils import timezone

from gorod.accounts.models import Guardianship, Person, User
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.school.models import (
    Assignment,
    ControlForm,
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
    PeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeacherFactory,
)

LESSON_DAY = date(2026, 9, 14)
LESSON_EVENING = datetime(2026, 9, 14, 18, 0, tzinfo=MOSCOW)
AFTER_CUTOFF = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)


@dataclass
class World:
    school: School
    quarter: Period
    second_quarter: Period
    school_class: SchoolClass
    other_class: SchoolClass
    maths: Subject
    russian: Subject
    teacher: Teacher  # mathematics in 5А
    class_teacher: Teacher  # of 5А, teaches Russian there
    other_teacher: Teacher  # mathematics in 5Б
    assignment: Assignment
    lesson: Lesson
    russian_lesson: Lesson
    answer: ControlForm  # weight 1
    test: ControlForm  # weight 4
    students: list[Person]
    guardian: Person
    student_user: User

    @property
    def first(self) -> Person:
        return self.students[0]


def build_world() -> World:
    school = SchoolFactory()
    year = SchoolYearFactory(school=school)
    quarter = PeriodFactory(year=year, number=1)
    second_quarter = PeriodFactory(
        year=year, number=2, starts_on=date(2026, 11, 5), ends_on=date(2026, 12, 27)
    )
    maths = SubjectFactory(name="Математика")
    russian = SubjectFactory(name="Русский язык")
    class_teacher = TeacherFactory(school=school, last_name="Классная")
    school_class = SchoolClassFactory(year=year, grade=5, letter="А", class_teacher=class_teacher)
    other_class = SchoolClassFactory(year=year, grade=5, letter="Б")
    teacher = TeacherFactory(school=school, last_name="Математикова")
    other_teacher = TeacherFactory(school=school, last_name="Другая")
    assignment = AssignmentFactory(teacher=teacher, subject=maths, school_class=school_class)
    AssignmentFactory(teacher=other_teacher, subject=maths, school_class=other_class)
    russian_assignment = AssignmentFactory(
        teacher=class_teacher, subject=russian, school_class=school_class
    )
    students = [
        ChildFactory(last_name=last_name, first_name=first_name)
        for last_name, first_name in (("Алексеев", "Антон"), ("Борисова", "Вера"), ("Вовк", "Глеб"))
    ]
    for student in students:
        EnrollmentFactory(student=student, school_class=school_class)
    student_user = UserFactory()
    students[2].user = student_user
    students[2].save(update_fields=["user"])
    guardian = PersonFactory(last_name="Алексеева")
    Guardianship.objects.create(
        guardian=guardian, child=students[0], kind="parent", verified_at=timezone.now()
    )
    return World(
        school=school,
        quarter=quarter,
        second_quarter=second_quarter,
        school_class=school_class,
        other_class=other_class,
        maths=maths,
        russian=russian,
        teacher=teacher,
        class_teacher=class_teacher,
        other_teacher=other_teacher,
        assignment=assignment,
        lesson=LessonFactory(assignment=assignment, date=LESSON_DAY, bell=2),
        russian_lesson=LessonFactory(assignment=russian_assignment, date=LESSON_DAY, bell=3),
        answer=ControlFormFactory(school=school, name="ответ на уроке", weight=1),
        test=ControlFormFactory(school=school, name="контрольная работа", weight=4, is_test=True),
        students=students,
        guardian=guardian,
        student_user=student_user,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()
