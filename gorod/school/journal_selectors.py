"""Reads of the teacher's journal, scoped to the teacher behind the login.

A teacher sees the classes and subjects they teach (their subgroup's students only) and,
as a class teacher, the whole of their class; a lesson or class outside that is "not
found", whether or not it exists. A substitute sees the lesson they give.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.core.audit import audit_read
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.school import rules
from gorod.school.models import (
    Assignment,
    Attendance,
    ControlForm,
    Enrollment,
    Exemption,
    FinalMark,
    Lesson,
    Mark,
    Period,
    School,
    SchoolClass,
    Subject,
    Teacher,
)


def lesson_not_found() -> NotFound:
    return NotFound("lesson_not_found", _("Урок не найден."))


def journal_not_found() -> NotFound:
    return NotFound("journal_not_found", _("Журнал не найден."))


def period_not_found() -> NotFound:
    return NotFound("period_not_found", _("Учебный период не найден."))


def teacher_of(actor) -> Teacher:
    """The working teacher behind a login; anyone else finds no journal."""
    if not getattr(actor, "is_authenticated", False):
        raise journal_not_found()
    teacher = _working_teacher(actor).select_related("school").first()
    if teacher is None:
        raise journal_not_found()
    return teacher


def is_teacher(actor) -> bool:
    """Whether a login is a working teacher's (the diary then points to the journal)."""
    return _working_teacher(actor).exists()


def _working_teacher(actor):
    """The active teacher behind a login, as a queryset of at most one."""
    return Teacher.objects.filter(user=actor, active=True)


def posts_of(teacher: Teacher) -> list[rules.TeachingPost]:
    """The teacher's assignments as the rules see them (a subgroup lists its students)."""
    posts: dict[int, tuple[int, int, set[int]]] = {}
    rows = Assignment.objects.filter(teacher=teacher).values_list(
        "pk", "school_class_id", "subject_id", "students"
    )
    for assignment_id, class_id, subject_id, student_id in rows:
        post = posts.setdefault(assignment_id, (class_id, subject_id, set()))
        if student_id is not None:
            post[2].add(student_id)
    return [
        rules.TeachingPost(class_id=class_id, subject_id=subject_id, students=frozenset(students))
        for class_id, subject_id, students in posts.values()
    ]


def lesson_for(*, teacher: Teacher, lesson_id: int, lock: bool = False) -> Lesson:
    """A lesson the teacher gives (theirs, or as substitute) or reads as the class teacher.

    `lock` takes the lesson's row lock: every write to a lesson's marks queues behind it,
    so two saves of one lesson compare against each other's result, never a stale read.
    """
    if not valid_id(lesson_id):
        raise lesson_not_found()
    lessons = Lesson.objects.select_related(
        "assignment__school_class__year__school", "assignment__subject", "assignment__teacher"
    ).filter(
        Q(assignment__teacher=teacher)
        | Q(substitute=teacher)
        | Q(assignment__school_class__class_teacher=teacher)
    )
    if lock:
        # `of=("self",)`: lock the lesson only, not the joined class and school rows.
        lessons = lessons.select_for_update(of=("self",))
    lesson = lessons.filter(pk=lesson_id).first()
    if lesson is None:
        raise lesson_not_found()
    return lesson


def gives_lesson(teacher: Teacher, lesson: Lesson) -> bool:
    """The teacher writes the lesson's journal: its assigned teacher or its substitute."""
    return lesson.assignment.teacher_id == teacher.pk or lesson.substitute_id == teacher.pk


def subgroup_ids(assignment: Assignment) -> frozenset[int]:
    """The subgroup's students; empty for a whole-class assignment."""
    return frozenset(assignment.students.values_list("pk", flat=True))


def enrolled_ids(school_class_id: int, starts_on: date, ends_on: date) -> set[int]:
    """Students with an enrollment in the class overlapping [starts_on, ends_on]."""
    return set(
        Enrollment.objects.filter(school_class_id=school_class_id, starts_on__lte=ends_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .values_list("student_id", flat=True)
    )


def lesson_students(lesson: Lesson, subgroup: frozenset[int] | None = None) -> list[Person]:
    """The students of a lesson: in its class on its date and, for a subgroup, in it."""
    if subgroup is None:
        subgroup = subgroup_ids(lesson.assignment)
    ids = enrolled_ids(lesson.assignment.school_class_id, lesson.date, lesson.date)
    if subgroup:
        ids &= subgroup
    return list(Person.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def exempt_ids(subject_id: int, student_ids, day: date) -> set[int]:
    """Students exempt ("осв.") from the subject on the date."""
    return set(
        Exemption.objects.filter(
            subject_id=subject_id, student_id__in=student_ids, starts_on__lte=day, ends_on__gte=day
        ).values_list("student_id", flat=True)
    )


def period_of(school_class: SchoolClass, day: date) -> Period | None:
    return Period.objects.filter(
        year_id=school_class.year_id, starts_on__lte=day, ends_on__gte=day
    ).first()


def period_end_for(school_class: SchoolClass, day: date) -> date:
    """The end of the period holding the date; a date between periods (a holiday) belongs
    to the period before it, and a date before any period to the year."""
    period = period_of(school_class, day)
    if period is not None:
        return period.ends_on
    before = (
        Period.objects.filter(year_id=school_class.year_id, ends_on__lt=day)
        .order_by("-ends_on")
        .first()
    )
    return before.ends_on if before is not None else school_class.year.ends_on


def period_open(teacher: Teacher, school_class: SchoolClass, day: date, today: date) -> bool:
    """Whether the teacher may still change marks of the date's period (the cut-off)."""
    return rules.may_change_period(
        period_ends_on=period_end_for(school_class, day),
        today=today,
        cutoff_days=settings.GOROD_SCHOOL_CHANGE_CUTOFF_DAYS,
        is_head_teacher=teacher.is_head_teacher,
    )


def thresholds_of(school: School) -> rules.Thresholds:
    """The school's own thresholds (the columns are filled from the city's setting)."""
    return rules.Thresholds(
        five=school.threshold_5, four=school.threshold_4, three=school.threshold_3
    )


def control_forms_of(school_id: int) -> list[ControlForm]:
    return list(ControlForm.objects.filter(school_id=school_id))


# --- The teacher's classes -------------------------------------------------------------


@dataclass(frozen=True)
class ClassSubject:
    """One line of the teacher's list: a class and a subject, and what the teacher may do."""

    school_class: SchoolClass
    subject: Subject
    subgroups: tuple[str, ...]
    writes: bool  # teaches it (else reads it as the class teacher)


def teacher_classes(*, actor) -> tuple[Teacher, list[ClassSubject]]:
    """The classes and subjects the teacher teaches, then the rest of their own class's
    subjects, which they read as its class teacher; current and past years alike."""
    teacher = teacher_of(actor)
    assignments = (
        Assignment.objects.select_related("school_class__year", "subject")
        .filter(Q(teacher=teacher) | Q(school_class__class_teacher=teacher))
        .order_by(
            "-school_class__year__starts_on",
            "school_class__grade",
            "school_class__letter",
            "subject__name",
            "subgroup",
        )
    )
    lines: dict[tuple[int, int], ClassSubject] = {}
    for assignment in assignments:
        key = (assignment.school_class_id, assignment.subject_id)
        writes = assignment.teacher_id == teacher.pk
        line = lines.get(key)
        subgroups = (assignment.subgroup,) if writes and assignment.subgroup else ()
        if line is None:
            lines[key] = ClassSubject(
                assignment.school_class, assignment.subject, subgroups, writes
            )
        else:
            lines[key] = ClassSubject(
                line.school_class,
                line.subject,
                line.subgroups + subgroups,
                line.writes or writes,
            )
    return teacher, list(lines.values())


# --- The grid ----------------------------------------------------------------------------


@dataclass
class GridRow:
    student: Person
    # lesson id → the marks of the lesson, in control form order
    marks: dict[int, list[Mark]] = field(default_factory=dict)
    absent: dict[int, Attendance] = field(default_factory=dict)
    exempt: set[int] = field(default_factory=set)  # lesson ids under an exemption
    average: Decimal | None = None
    suggested: int | None = None
    final: FinalMark | None = None


@dataclass
class JournalGrid:
    teacher: Teacher
    school_class: SchoolClass
    subject: Subject
    period: Period
    periods: list[Period]
    lessons: list[Lesson]
    rows: list[GridRow]
    writes: bool  # the teacher teaches this subject here (not only reads as class teacher)


def journal_grid(
    *, actor, class_id: int, subject_id: int, period_id: int | None = None, today: date
) -> JournalGrid:
    """The class × subject × period grid: the students in the class during the period (a
    subgroup teacher's own students only) × the lessons, with the marks, the "н", the
    weighted average and the suggested period mark. Not found outside the teacher's scope.
    """
    teacher = teacher_of(actor)
    if not (valid_id(class_id) and valid_id(subject_id)):
        raise journal_not_found()
    if period_id is not None and not valid_id(period_id):
        raise period_not_found()
    school_class, visible, writes = _grid_assignments(teacher, class_id, subject_id)
    periods = list(Period.objects.filter(year_id=school_class.year_id).order_by("number"))
    if not periods:
        raise journal_not_found()
    period = _grid_period(periods, period_id, today)
    rows = _grid_rows(class_id, period, visible)
    lessons = list(
        Lesson.objects.filter(
            assignment__in=visible, date__gte=period.starts_on, date__lte=period.ends_on
        )
        .select_related("planned_control", "substitute")
        .order_by("date", "bell")
    )
    _fill_rows(rows, lessons, subject_id, period)
    _fill_averages(rows, thresholds_of(school_class.year.school))

    # A teacher's look at the students' marks is a staff read of personal data.
    audit_read(
        actor=actor,
        action="school.journal_read",
        target=school_class,
        subject=subject_id,
        period=period.pk,
        students=len(rows),
    )
    return JournalGrid(
        teacher=teacher,
        school_class=school_class,
        subject=visible[0].subject,
        period=period,
        periods=periods,
        lessons=lessons,
        rows=list(rows.values()),
        writes=writes,
    )


def _grid_assignments(
    teacher: Teacher, class_id: int, subject_id: int
) -> tuple[SchoolClass, list[Assignment], bool]:
    """The class, the subject's assignments in it the teacher sees, and whether the teacher
    teaches one of them. The teacher sees their own assignments, and all of them in the
    class they lead; a class where they do neither is "not found", like one that is not
    there, so that a guessed id tells nothing."""
    school_class = SchoolClass.objects.select_related("year__school").filter(pk=class_id).first()
    assignments = list(
        Assignment.objects.filter(school_class_id=class_id, subject_id=subject_id)
        .select_related("subject")
        .prefetch_related("students")
    )
    if school_class is None or not assignments:
        raise journal_not_found()
    own = [assignment for assignment in assignments if assignment.teacher_id == teacher.pk]
    class_teacher = school_class.class_teacher_id == teacher.pk
    if not own and not class_teacher:
        raise journal_not_found()
    return school_class, assignments if class_teacher else own, bool(own)


def _grid_period(periods: list[Period], period_id: int | None, today: date) -> Period:
    """The period asked for; without one, the period holding today, else the last one
    begun, else the first (the journal opens where the teacher is working)."""
    if period_id is not None:
        period = next((item for item in periods if item.pk == period_id), None)
        if period is None:
            raise period_not_found()
        return period
    begun = [item for item in periods if item.starts_on <= today]
    return next(
        (item for item in periods if item.starts_on <= today <= item.ends_on),
        begun[-1] if begun else periods[0],
    )


def _grid_rows(class_id: int, period: Period, visible: list[Assignment]) -> dict[int, GridRow]:
    """An empty row for each student in the class during the period, by student id."""
    student_ids = enrolled_ids(class_id, period.starts_on, period.ends_on)
    # A subgroup's students only, unless one visible assignment is the whole class's.
    if not any(not assignment.students.all() for assignment in visible):
        student_ids &= {
            student.pk for assignment in visible for student in assignment.students.all()
        }
    students = Person.objects.filter(pk__in=student_ids).order_by("last_name", "first_name", "pk")
    return {student.pk: GridRow(student=student) for student in students}


def _fill_rows(
    rows: dict[int, GridRow], lessons: list[Lesson], subject_id: int, period: Period
) -> None:
    """Put each student's marks, "н", exempt lessons and period mark in their row."""
    _fill_exemptions(rows, lessons, subject_id, period)
    marks = (
        Mark.objects.filter(lesson__in=lessons, student_id__in=rows)
        .select_related("control_form")
        .order_by("lesson_id", "control_form__weight", "control_form_id")
    )
    for mark in marks:
        rows[mark.student_id].marks.setdefault(mark.lesson_id, []).append(mark)
    for absence in Attendance.objects.filter(lesson__in=lessons, student_id__in=rows):
        rows[absence.student_id].absent[absence.lesson_id] = absence
    for final in FinalMark.objects.filter(
        period=period, subject_id=subject_id, student_id__in=rows
    ):
        rows[final.student_id].final = final


def _fill_exemptions(
    rows: dict[int, GridRow], lessons: list[Lesson], subject_id: int, period: Period
) -> None:
    """Mark the lessons each student is exempt from the subject on ("осв.")."""
    exemptions = list(
        Exemption.objects.filter(
            subject_id=subject_id,
            student_id__in=rows,
            starts_on__lte=period.ends_on,
            ends_on__gte=period.starts_on,
        )
    )
    exempt_by_student: dict[int, list[Exemption]] = defaultdict(list)
    for exemption in exemptions:
        exempt_by_student[exemption.student_id].append(exemption)
    lesson_dates = {lesson.pk: lesson.date for lesson in lessons}
    for student_id, items in exempt_by_student.items():
        rows[student_id].exempt = {
            lesson_id
            for lesson_id, day in lesson_dates.items()
            if any(item.starts_on <= day <= item.ends_on for item in items)
        }


def _fill_averages(rows: dict[int, GridRow], thresholds: rules.Thresholds) -> None:
    """Each row's weighted average and the period mark it suggests."""
    for row in rows.values():
        # Lessons under an exemption count in no average.
        counted = (
            (mark.value, mark.weight)
            for lesson_id, lesson_marks in row.marks.items()
            if lesson_id not in row.exempt
            for mark in lesson_marks
        )
        row.average = rules.weighted_average(counted)
        row.suggested = rules.suggested_mark(row.average, thresholds)


# --- One lesson's sheet ------------------------------------------------------------------


@dataclass
class LessonSheet:
    teacher: Teacher
    lesson: Lesson
    students: list[Person]
    control_forms: list[ControlForm]
    # (student id, control form id) → mark
    marks: dict[tuple[int, int], Mark]
    absent: dict[int, Attendance]
    exempt: set[int]
    writes: bool  # the teacher gives this lesson (else reads it as the class teacher)
    period_open: bool  # the lesson's period is still open to this teacher's changes


def lesson_sheet(*, actor, lesson_id: int, today: date) -> LessonSheet:
    """One lesson's students with their marks and "н", for the form that enters them."""
    teacher = teacher_of(actor)
    lesson = lesson_for(teacher=teacher, lesson_id=lesson_id)
    students = lesson_students(lesson)
    student_ids = [student.pk for student in students]
    marks = {
        (mark.student_id, mark.control_form_id): mark for mark in Mark.objects.filter(lesson=lesson)
    }
    audit_read(actor=actor, action="school.lesson_read", target=lesson, students=len(students))
    return LessonSheet(
        teacher=teacher,
        lesson=lesson,
        students=students,
        control_forms=control_forms_of(lesson.assignment.school_class.year.school_id),
        marks=marks,
        absent={
            absence.student_id: absence for absence in Attendance.objects.filter(lesson=lesson)
        },
        exempt=exempt_ids(lesson.assignment.subject_id, student_ids, lesson.date),
        writes=gives_lesson(teacher, lesson),
        period_open=period_open(teacher, lesson.assignment.school_class, lesson.date, today),
    )
