"""Reads of the family's diary: the week, the marks by subject with the weighted
averages and the period marks, attendance, the tests ahead, homework files.

Each read takes the `DiaryAccess` that `diary_access.diary_open` returned: the look was
decided and logged before anything of the student's is read. `diary_week`,
`diary_subjects` and `diary_attendance` open and read in one call, for a caller that shows
one of them alone.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.core.clock import local_date
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.school import rules
from gorod.school.diary_access import DiaryAccess, diary_open, visible_lessons
from gorod.school.models import (
    Assignment,
    Attendance,
    Bell,
    Exemption,
    FinalMark,
    HomeworkFile,
    Lesson,
    Mark,
    Period,
    School,
    SchoolYear,
    Subject,
)

# The tests ahead the diary lists: enough for a month of a busy class.
UPCOMING_TESTS_SHOWN = 20
# Dates a page or the API may ask for: a school diary has nothing before 2000, and the
# bounds keep "the week before" and "the week after" inside what `date` can hold.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def period_not_found() -> NotFound:
    return NotFound("period_not_found", _("Такого учебного периода нет."))


def file_not_found() -> NotFound:
    return NotFound("file_not_found", _("Файл не найден."))


# --- the week -------------------------------------------------------------------------


@dataclass(frozen=True)
class DiaryMark:
    value: int
    control_form: str
    weight: int
    comment: str
    given_at: datetime
    changed_at: datetime | None
    lesson_date: date | None = None
    # False for a mark in a lesson the student was exempt from: shown, never averaged.
    counted: bool = True

    @property
    def changed(self) -> bool:
        """Changed after it was given: the diary says «изменена»."""
        return self.changed_at is not None


@dataclass(frozen=True)
class HomeworkAttachment:
    id: int
    name: str
    size: int
    content_type: str


@dataclass
class DiaryLesson:
    lesson_id: int
    day: date
    bell: int
    starts_at: time | None
    ends_at: time | None
    subject: Subject
    room: str
    topic: str
    homework: str
    cancelled: bool
    substitute: str  # the substitute teacher's name, empty when the lesson is the usual one
    planned_control: str  # the announced test ("контрольная работа"), empty when none
    files: list[HomeworkAttachment] = field(default_factory=list)
    marks: list[DiaryMark] = field(default_factory=list)
    absent: bool = False
    excused: bool = False
    exempt: bool = False


@dataclass(frozen=True)
class DiaryDay:
    day: date
    lessons: list[DiaryLesson]
    is_today: bool


@dataclass(frozen=True)
class DiaryWeek:
    student: Person
    monday: date
    saturday: date
    days: list[DiaryDay]
    today: date

    @property
    def previous_monday(self) -> date | None:
        previous = self.monday - timedelta(days=7)
        return previous if previous >= FIRST_DAY else None

    @property
    def next_monday(self) -> date | None:
        following = self.monday + timedelta(days=7)
        return following if following <= LAST_DAY else None

    @property
    def is_current(self) -> bool:
        return self.monday <= self.today <= self.monday + timedelta(days=6)


def clamp_day(day: date) -> date:
    """A date the diary can show a week of (FIRST_DAY…LAST_DAY)."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def _exempt_on(exemptions: list[Exemption], subject_id: int, day: date) -> bool:
    return any(
        exemption.subject_id == subject_id and exemption.starts_on <= day <= exemption.ends_on
        for exemption in exemptions
    )


def _mark_of(mark: Mark, *, lesson_date: date | None = None, counted: bool = True) -> DiaryMark:
    return DiaryMark(
        value=mark.value,
        control_form=mark.control_form.name,
        weight=mark.weight,
        comment=mark.comment,
        given_at=mark.given_at,
        changed_at=mark.changed_at,
        lesson_date=lesson_date,
        counted=counted,
    )


def week_read(access: DiaryAccess, day: date, *, today: date | None = None) -> DiaryWeek:
    """The school week (Monday to Saturday) holding `day`: each day's lessons in bell
    order, with times, room, topic, homework and its files, cancellations and
    substitutes, the student's marks, absences and exemptions. Six statements whatever
    the week holds (bells, lessons, marks, absences, files, exemptions)."""
    today = today or local_date()
    monday, saturday = rules.week_of(clamp_day(day))
    student_id = access.student.pk
    lessons = list(
        visible_lessons(access)
        .filter(date__gte=monday, date__lte=saturday)
        .select_related(
            "assignment__subject", "assignment__school_class__year", "substitute", "planned_control"
        )
        .order_by("date", "bell", "id")
    )
    lesson_ids = [lesson.pk for lesson in lessons]
    by_id: dict[int, DiaryLesson] = {}
    days: dict[date, list[DiaryLesson]] = {monday + timedelta(days=n): [] for n in range(6)}
    if lessons:
        school_ids = {lesson.assignment.school_class.year.school_id for lesson in lessons}
        bells = {
            (bell.school_id, bell.number): bell
            for bell in Bell.objects.filter(school_id__in=school_ids)
        }
        exemptions = list(
            Exemption.objects.filter(
                student_id=student_id, starts_on__lte=saturday, ends_on__gte=monday
            )
        )
        for lesson in lessons:
            assignment = lesson.assignment
            bell = bells.get((assignment.school_class.year.school_id, lesson.bell))
            entry = DiaryLesson(
                lesson_id=lesson.pk,
                day=lesson.date,
                bell=lesson.bell,
                starts_at=bell.starts_at if bell else None,
                ends_at=bell.ends_at if bell else None,
                subject=assignment.subject,
                room=lesson.room,
                topic=lesson.topic,
                homework=lesson.homework,
                cancelled=lesson.cancelled,
                substitute=lesson.substitute.initials_name if lesson.substitute else "",
                planned_control=lesson.planned_control.name if lesson.planned_control else "",
                exempt=_exempt_on(exemptions, assignment.subject_id, lesson.date),
            )
            by_id[lesson.pk] = entry
            days.setdefault(lesson.date, []).append(entry)
        for mark in (
            Mark.objects.filter(student_id=student_id, lesson_id__in=lesson_ids)
            .select_related("control_form")
            .order_by("given_at", "id")
        ):
            by_id[mark.lesson_id].marks.append(_mark_of(mark))
        for lesson_id, excused in Attendance.objects.filter(
            student_id=student_id, lesson_id__in=lesson_ids
        ).values_list("lesson_id", "excused"):
            by_id[lesson_id].absent = True
            by_id[lesson_id].excused = excused
        for attachment in HomeworkFile.objects.filter(lesson_id__in=lesson_ids).order_by("id"):
            by_id[attachment.lesson_id].files.append(
                HomeworkAttachment(
                    attachment.pk, attachment.name, attachment.size, attachment.content_type
                )
            )
    return DiaryWeek(
        student=access.student,
        monday=monday,
        saturday=saturday,
        days=[
            DiaryDay(day, lessons_of_day, day == today)
            for day, lessons_of_day in sorted(days.items())
        ],
        today=today,
    )


def diary_week(*, actor, student_id, day: date, channel: str = "web") -> DiaryWeek:
    """Open (decide and log) and read the week holding `day`."""
    access = diary_open(actor=actor, student_id=student_id, section="week", channel=channel)
    return week_read(access, day)


# --- periods, marks by subject, attendance --------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    """The period a page shows, and the others of the same school year to switch to."""

    year: SchoolYear
    school: School
    period: Period | None  # None: the school has not divided its year; the whole year
    periods: list[Period]
    starts_on: date
    ends_on: date
    class_ids: frozenset[int]  # the student's classes in that year (of those visible)


def _period_choice(access: DiaryAccess, period_id, today: date) -> PeriodChoice:
    """The asked period (one of the student's school years), else the one holding today,
    else the latest begun, else the first of the current year. One statement."""
    years = {
        enrollment.school_class.year_id: enrollment.school_class.year
        for enrollment in access.enrollments
    }
    periods = list(
        Period.objects.filter(year_id__in=list(years)).order_by("year__starts_on", "number")
    )
    if period_id is not None:
        if not valid_id(period_id):
            raise period_not_found()
        chosen = next((period for period in periods if period.pk == period_id), None)
        if chosen is None:
            raise period_not_found()
        year = years[chosen.year_id]
    else:
        year = access.enrollment_on(today).school_class.year
        of_year = [period for period in periods if period.year_id == year.pk]
        holding = [period for period in of_year if period.starts_on <= today <= period.ends_on]
        begun = [period for period in of_year if period.starts_on <= today]
        begun_or_holding = holding or begun
        chosen = begun_or_holding[-1] if begun_or_holding else next(iter(of_year), None)
    return PeriodChoice(
        year=year,
        school=year.school,
        period=chosen,
        periods=[period for period in periods if period.year_id == year.pk],
        starts_on=chosen.starts_on if chosen else year.starts_on,
        ends_on=chosen.ends_on if chosen else year.ends_on,
        class_ids=frozenset(
            enrollment.school_class_id
            for enrollment in access.enrollments
            if enrollment.school_class.year_id == year.pk
        ),
    )


def _thresholds(school: School) -> rules.Thresholds:
    # The school's own thresholds: the columns are filled from the city's default
    # (GOROD_SCHOOL_MARK_THRESHOLDS) when a school is imported, and the school may change them.
    return rules.Thresholds(
        five=school.threshold_5, four=school.threshold_4, three=school.threshold_3
    )


@dataclass(frozen=True)
class DiarySubject:
    subject: Subject
    marks: list[DiaryMark]
    average: Decimal | None
    suggested: int | None
    final_mark: int | None  # the teacher's period mark (the year's when no periods)
    year_mark: int | None


@dataclass(frozen=True)
class DiarySubjects:
    student: Person
    choice: PeriodChoice
    subjects: list[DiarySubject]


def _period_lessons(access: DiaryAccess, choice: PeriodChoice) -> QuerySet[Lesson]:
    return visible_lessons(access).filter(
        date__gte=choice.starts_on,
        date__lte=choice.ends_on,
        assignment__school_class_id__in=choice.class_ids,
    )


def subjects_read(
    access: DiaryAccess, *, period_id=None, today: date | None = None
) -> DiarySubjects:
    """Per subject of the student's classes: the marks of the period, the weighted average
    (rules.weighted_average: a missing mark is not a zero, "н" and "осв." are not marks,
    and a mark in a lesson the student was exempt from counts in no average), the period
    mark it suggests by the school's thresholds, and the teacher's period and year marks.
    Five statements."""
    today = today or local_date()
    choice = _period_choice(access, period_id, today)
    student_id = access.student.pk
    members = Assignment.students.through.objects.filter(assignment_id=OuterRef("pk"))
    subjects = {
        assignment.subject_id: assignment.subject
        for assignment in Assignment.objects.filter(school_class_id__in=choice.class_ids)
        .filter(~Exists(members) | Exists(members.filter(person_id=student_id)))
        .select_related("subject")
    }
    exemptions = list(
        Exemption.objects.filter(
            student_id=student_id, starts_on__lte=choice.ends_on, ends_on__gte=choice.starts_on
        )
    )
    marks: dict[int, list[DiaryMark]] = {}
    for mark in (
        Mark.objects.filter(
            student_id=student_id,
            lesson_id__in=_period_lessons(access, choice).values("pk"),
        )
        .select_related("control_form", "lesson__assignment__subject")
        .order_by("lesson__date", "lesson__bell", "given_at", "id")
    ):
        lesson = mark.lesson
        subject_id = lesson.assignment.subject_id
        subjects.setdefault(subject_id, lesson.assignment.subject)
        counted = not _exempt_on(exemptions, subject_id, lesson.date)
        marks.setdefault(subject_id, []).append(
            _mark_of(mark, lesson_date=lesson.date, counted=counted)
        )
    finals: dict[int, int] = {}
    year_marks: dict[int, int] = {}
    final_filter = Q(period__isnull=True)
    if choice.period is not None:
        final_filter |= Q(period_id=choice.period.pk)
    for subject_id, period, value in FinalMark.objects.filter(
        final_filter, student_id=student_id, year_id=choice.year.pk
    ).values_list("subject_id", "period_id", "value"):
        (year_marks if period is None else finals)[subject_id] = value
    thresholds = _thresholds(choice.school)
    rows = []
    for subject in sorted(subjects.values(), key=lambda subject: subject.name):
        of_subject = marks.get(subject.pk, [])
        average = rules.weighted_average(
            (mark.value, mark.weight) for mark in of_subject if mark.counted
        )
        rows.append(
            DiarySubject(
                subject=subject,
                marks=of_subject,
                average=average,
                suggested=rules.suggested_mark(average, thresholds),
                final_mark=finals.get(subject.pk)
                if choice.period is not None
                else year_marks.get(subject.pk),
                year_mark=year_marks.get(subject.pk),
            )
        )
    return DiarySubjects(student=access.student, choice=choice, subjects=rows)


def diary_subjects(*, actor, student_id, period_id=None, channel: str = "web") -> DiarySubjects:
    """Open (decide and log) and read the marks by subject of a period."""
    access = diary_open(actor=actor, student_id=student_id, section="subjects", channel=channel)
    return subjects_read(access, period_id=period_id)


@dataclass(frozen=True)
class SubjectAttendance:
    subject: Subject
    figures: rules.Attendance


@dataclass(frozen=True)
class DiaryAttendance:
    student: Person
    choice: PeriodChoice
    total: rules.Attendance
    subjects: list[SubjectAttendance]


def attendance_read(
    access: DiaryAccess, *, period_id=None, today: date | None = None, choice=None
) -> DiaryAttendance:
    """Lessons held in the period up to today (a cancelled lesson is not held), the "н"
    among them and how many were excused, in all and per subject (rules.attendance).
    Two statements (three without `choice`)."""
    today = today or local_date()
    choice = choice or _period_choice(access, period_id, today)
    held = _period_lessons(access, choice).filter(cancelled=False, date__lte=today)
    held_by_subject: dict[int, tuple[Subject, int]] = {
        subject_id: (Subject(pk=subject_id, name=name, name_en=name_en), count)
        for subject_id, name, name_en, count in held.order_by()
        .values(
            "assignment__subject_id", "assignment__subject__name", "assignment__subject__name_en"
        )
        .annotate(lessons=Count("id"))
        .values_list(
            "assignment__subject_id",
            "assignment__subject__name",
            "assignment__subject__name_en",
            "lessons",
        )
    }
    absences: dict[int, list[bool]] = {}
    for subject_id, excused in Attendance.objects.filter(
        student_id=access.student.pk, lesson_id__in=held.values("pk")
    ).values_list("lesson__assignment__subject_id", "excused"):
        absences.setdefault(subject_id, []).append(excused)
    subjects = [
        SubjectAttendance(
            subject, rules.attendance(lessons_held=count, absences=absences.get(subject_id, []))
        )
        for subject_id, (subject, count) in held_by_subject.items()
    ]
    subjects.sort(key=lambda row: row.subject.name)
    total = rules.attendance(
        lessons_held=sum(count for _subject, count in held_by_subject.values()),
        absences=[flag for flags in absences.values() for flag in flags],
    )
    return DiaryAttendance(student=access.student, choice=choice, total=total, subjects=subjects)


def diary_attendance(*, actor, student_id, period_id=None, channel: str = "web") -> DiaryAttendance:
    """Open (decide and log) and read the attendance figures of a period."""
    access = diary_open(actor=actor, student_id=student_id, section="attendance", channel=channel)
    return attendance_read(access, period_id=period_id)


@dataclass(frozen=True)
class UpcomingTest:
    day: date
    bell: int
    subject: Subject
    control_form: str
    topic: str


def upcoming_tests(
    access: DiaryAccess, *, today: date | None = None, limit: int = UPCOMING_TESTS_SHOWN
) -> list[UpcomingTest]:
    """The announced tests from today on (a cancelled lesson holds none), soonest first.
    One statement."""
    today = today or local_date()
    lessons = (
        visible_lessons(access)
        .filter(date__gte=today, planned_control__isnull=False, cancelled=False)
        .select_related("assignment__subject", "planned_control")
        .order_by("date", "bell", "id")[:limit]
    )
    return [
        UpcomingTest(
            lesson.date,
            lesson.bell,
            lesson.assignment.subject,
            lesson.planned_control.name,
            lesson.topic,
        )
        for lesson in lessons
    ]


def homework_file_get(access: DiaryAccess, file_id) -> HomeworkFile:
    """A file of homework set in one of the student's lessons; another is "not found"."""
    if not valid_id(file_id):
        raise file_not_found()
    attachment = HomeworkFile.objects.filter(
        pk=file_id, lesson_id__in=visible_lessons(access).values("pk")
    ).first()
    if attachment is None:
        raise file_not_found()
    return attachment
