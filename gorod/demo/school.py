"""The school part of `gorod demo`: one school with a year of journals.

The school is the first of the city's register (../shared/data/moscow_schools_2013.csv,
imported as `gorod import schools` does) when the file is there, else an invented one
named «Демонстрационная школа № 1». Everything inside it is invented and shaped like a real
Moscow school (gorod/demo/school_plan.py): classes 1–11 (А and Б up to grade 9), the weekly
hours of the federal curricula, a bell schedule, teachers, a timetable, quarters, lessons
from 1 September up to the demo's today with topics and homework (and two weeks ahead,
planned, with the tests announced), marks weighted by the school's forms of control (most
pupils 4–5, some 3s, a few 2s; none in grade 1), a few absences, a pupil exempt from PE,
and the quarter marks of the quarters already over. The demo citizen's school-age
children are in the А classes of their grades among invented classmates; two logins open
the journal: the mathematics teacher and the class teacher of the demo son's class.

Idempotent: a second run finds the demo's teachers and writes nothing. Deterministic: the
same seed and day give the same school.
"""

import csv
import random
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gorod.accounts.models import Guardianship, Person, Sex, User
from gorod.core import clock
from gorod.core.errors import DomainError
from gorod.demo.accounts import FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES
from gorod.demo.school_plan import (
    BELLS,
    COMMENTS,
    CONTROL_FORMS,
    CURRICULUM,
    EXAM,
    GENERAL_HOMEWORK,
    GENERAL_TOPICS,
    HOLIDAYS,
    HOMEWORK,
    INDEPENDENT,
    NO_HOMEWORK,
    ORAL,
    PHYSICAL_EDUCATION,
    PRIMARY_CLASS_TEACHER_SUBJECTS,
    QUARTERS,
    SPECIALISMS,
    SPLIT_SUBJECTS,
    TEACHER_SURNAMES,
    TEST,
    TOPICS,
)
from gorod.demo.school_plan import CHECK as CHECK_WORK
from gorod.demo.school_rows import insert_rows, moment_for_driver, statistics_fresh
from gorod.school import rules
from gorod.school.importers import SCHOOLS_FILE, SUBJECTS_FILE, import_schools, import_subjects
from gorod.school.models import (
    Assignment,
    Attendance,
    Bell,
    ControlForm,
    Enrollment,
    Exemption,
    FinalMark,
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
from gorod.school.services import lessons_build

INVENTED_SCHOOL = "Демонстрационная школа № 1"
DEMO_SUBJECT_TEACHER = "teacher@gorod.local"
DEMO_CLASS_TEACHER = "classteacher@gorod.local"
# Pupils in a class (the demo family's children among them); Moscow's classes hold 25–30.
DEFAULT_CLASS_SIZE = 25
# Grades with a class Б besides А (the senior grades have one class each).
PARALLEL_GRADES = range(1, 10)
# The demo son's class and the subject of the demo subject teacher in it.
DEMO_CLASS = (5, "А")
DEMO_SUBJECT = "Математика"
# A teacher's weekly hours (the rate is 18, most teach more).
TEACHER_HOURS = 24
WEEKDAYS = 5
# Weeks of lessons in a school year (34, less the holidays' share of a quarter's edges).
YEAR_WEEKS = 33
# A pupil's marks: (share of pupils, weights of 5, 4, 3, 2).
PROFILES = (
    (25, (60, 35, 5, 0)),
    (45, (30, 55, 14, 1)),
    (22, (12, 48, 35, 5)),
    (8, (5, 30, 50, 15)),
)
MARK_VALUES = (5, 4, 3, 2)
# Marks a pupil gets in a subject in a week: 1, 2 or 3 (weights).
WEEKLY_MARKS = (50, 35, 15)
COMMENT_SHARE = 0.06
HOMEWORK_SHARE = 0.8
# Pupils who fall ill once in the autumn (excused days), and lessons skipped otherwise.
SICK_SHARE = 0.3
SKIPPED_SHARE = 0.002
# Subjects with the all-Russian tests (ВПР) in April.
VPR_SUBJECTS = frozenset({"Русский язык", "Математика", "Алгебра", "История", "Биология"})
WRITE_BATCH = 2000

SUBJECT_TEACHER_TRY = gettext_lazy(
    "учитель-предметник (математика в 5А и других классах): журнал, оценки всему классу "
    "за урок, тема и домашнее задание: /school/journal/"
)
CLASS_TEACHER_TRY = gettext_lazy(
    "классный руководитель 5А (и учитель русского языка и литературы): журнал класса и "
    "успеваемость: /school/journal/"
)


@dataclass(frozen=True)
class SchoolDemo:
    school: str
    # Whether the school is the city's register's (else the invented one).
    imported: bool
    classes: int = 0
    pupils: int = 0
    teachers: int = 0
    lessons: int = 0
    marks: int = 0
    absences: int = 0
    # Nothing written: the demo's teachers were already there.
    already: bool = False
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


def school_demo(
    *,
    citizen: User,
    seed: int,
    class_size: int = DEFAULT_CLASS_SIZE,
    registry: Path | None = SCHOOLS_FILE,
    subjects: Path | None = SUBJECTS_FILE,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SchoolDemo:
    """The demo school and its year up to `now` (the demo's clock); all or nothing."""
    found = Teacher.objects.select_related("school").filter(user__email=DEMO_SUBJECT_TEACHER)
    if teacher := found.first():
        return SchoolDemo(
            school=teacher.school.short_name,
            imported=teacher.school.name != INVENTED_SCHOOL,
            already=True,
        )
    rng = random.Random(seed)  # noqa: S311 — invented data, not a secret
    now = clock.local_now(now or timezone.now())
    steps = 6

    def step(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    with transaction.atomic():
        school, imported = _school(registry, subjects)
        year, periods = _year(school, year_start(now.date()))
        forms = _forms_and_bells(school)
        family = [
            guardianship.child
            for guardianship in Guardianship.objects.filter(guardian__user=citizen)
            .select_related("child")
            .order_by("id")
        ]
        step(1)
        built = _build(rng, school, year, family, class_size)
        step(2)
        _timetable(rng, built, year.starts_on)
        lessons = _lessons(built, year, periods, until=rules.week_of(now.date())[1] + timedelta(14))
        step(3)
        _journal(rng, built, lessons, forms, year.starts_on, today=now.date())
        step(4)
        held = [lesson for lesson in lessons if _held(lesson, now)]
        statistics_fresh()
        absent = _absences(rng, built, held, year.starts_on, now)
        exempt = _exemption(built, family, year.starts_on)
        step(5)
        marks = _marks(rng, built, held, forms, absent, exempt, year.starts_on)
        _final_marks(built, periods, marks, school, today=now.date())
        step(6)
    return SchoolDemo(
        school=school.short_name,
        imported=imported,
        classes=len(built.classes),
        pupils=sum(len(pupils) for pupils in built.pupils.values()),
        teachers=len(built.teachers),
        lessons=len(lessons),
        marks=len(marks),
        absences=len(absent),
        credentials=built.credentials,
    )


def _school(registry: Path | None, subjects: Path | None) -> tuple[School, bool]:
    """The register's first school when the file is there (imported whole, as `gorod
    import schools` does), else the invented one; the programmes' subjects likewise."""
    if subjects is not None and subjects.exists():
        _checked(import_subjects(subjects), subjects)
    needed = {name for plan in CURRICULUM.values() for name, _hours in plan}
    known = set(Subject.objects.filter(name__in=needed).values_list("name", flat=True))
    Subject.objects.bulk_create([Subject(name=name) for name in sorted(needed - known)])
    if registry is not None and registry.exists():
        _checked(import_schools(registry), registry)
        with registry.open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.DictReader(handle))["name"].strip()
        return School.objects.get(name=first), True
    city = rules.Thresholds.parse(settings.GOROD_SCHOOL_MARK_THRESHOLDS)
    school, _created = School.objects.get_or_create(
        name=INVENTED_SCHOOL,
        defaults={
            "short_name": INVENTED_SCHOOL,
            "kind": "Средняя общеобразовательная школа",
            "address": "Москва, ул. Демонстрационная, д. 1",
            "threshold_5": city.five,
            "threshold_4": city.four,
            "threshold_3": city.three,
        },
    )
    return school, False


def _checked(report, path: Path) -> None:
    if report.problems:
        first = report.problems[0]
        raise DomainError("demo_school_file", f"{path}:{first.line}: {first.message}")


def year_start(today: date) -> date:
    """1 September of the school year holding `today` (the summer belongs to the year just
    ended)."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _on(starts: date, month: int, day: int) -> date:
    """The date of (month, day) in the school year from `starts`."""
    return date(starts.year + (month < 9), month, day)


def _year(school: School, starts: date) -> tuple[SchoolYear, list[Period]]:
    year = SchoolYear.objects.create(school=school, starts_on=starts, ends_on=_on(starts, 5, 31))
    periods = [
        Period(
            year=year,
            kind=Period.Kind.QUARTER,
            number=number,
            starts_on=_on(starts, *first),
            ends_on=_on(starts, *last),
        )
        for number, (first, last) in enumerate(QUARTERS, start=1)
    ]
    Period.objects.bulk_create(periods)
    return year, periods


def _forms_and_bells(school: School) -> dict[str, ControlForm]:
    Bell.objects.bulk_create(
        [
            Bell(school=school, number=number, starts_at=starts, ends_at=ends)
            for number, (starts, ends) in enumerate(BELLS, start=1)
        ],
        ignore_conflicts=True,
    )
    for name, weight, is_test in CONTROL_FORMS:
        ControlForm.objects.get_or_create(
            school=school, name=name, defaults={"weight": weight, "is_test": is_test}
        )
    return {form.name: form for form in ControlForm.objects.filter(school=school)}


def _grade_of(birth: date, starts: date) -> int | None:
    """The grade of a child born on `birth` in the year from `starts`: grade 1 at seven."""
    age = starts.year - birth.year - ((starts.month, starts.day) < (birth.month, birth.day))
    return age - 6 if 1 <= age - 6 <= 11 else None


@dataclass
class Built:
    classes: list[SchoolClass]
    pupils: dict[int, list[Person]]  # class id -> its pupils
    teachers: list[Teacher]
    # (class id, subject name) -> its assignments (two for a subject taught in groups)
    assignments: dict[tuple[int, str], list[Assignment]]
    # assignment id -> the pupil ids it teaches
    taught: dict[int, set[int]]
    credentials: list[tuple[str, str, str]]

    def assignment(self, assignment_id: int) -> tuple[Assignment, str]:
        return self._by_id[assignment_id]

    def __post_init__(self):
        self._by_id = {
            assignment.pk: (assignment, name)
            for (_class_id, name), items in self.assignments.items()
            for assignment in items
        }


def _build(rng, school, year, family, class_size) -> Built:
    classes = [
        SchoolClass(year=year, grade=grade, letter=letter)
        for grade in range(1, 12)
        for letter in ("А", "Б")
        if letter == "А" or grade in PARALLEL_GRADES
    ]
    SchoolClass.objects.bulk_create(classes)
    pupils = _pupils(rng, classes, family, class_size, year.starts_on)
    teachers, teaches, leads = _staff(rng, school, classes)
    for school_class in classes:
        school_class.class_teacher = teachers[leads[school_class.pk]]
    SchoolClass.objects.bulk_update(classes, ["class_teacher"])
    subjects = {subject.name: subject for subject in Subject.objects.all()}
    assignments: dict[tuple[int, str], list[Assignment]] = {}
    for school_class in classes:
        for name, _hours in CURRICULUM[school_class.grade]:
            chosen = teaches[(school_class.pk, name)]
            assignments[(school_class.pk, name)] = [
                Assignment(
                    teacher=teachers[index],
                    subject=subjects[name],
                    school_class=school_class,
                    subgroup=str(number) if len(chosen) > 1 else "",
                )
                for number, index in enumerate(chosen, start=1)
            ]
    Assignment.objects.bulk_create([item for items in assignments.values() for item in items])
    taught: dict[int, set[int]] = {}
    through = []
    for (class_id, _name), items in assignments.items():
        members = [pupil.pk for pupil in pupils[class_id]]
        if len(items) == 1:
            taught[items[0].pk] = set(members)
            continue
        # The class list split in halves, as groups are made.
        half = (len(members) + 1) // 2
        for assignment, group in zip(items, (members[:half], members[half:]), strict=True):
            taught[assignment.pk] = set(group)
            through += [
                Assignment.students.through(assignment_id=assignment.pk, person_id=pupil)
                for pupil in group
            ]
    Assignment.students.through.objects.bulk_create(through)
    demo_class = next(c for c in classes if (c.grade, c.letter) == DEMO_CLASS)
    credentials = _logins(
        subject_teacher=assignments[(demo_class.pk, DEMO_SUBJECT)][0].teacher,
        class_teacher=demo_class.class_teacher,
    )
    return Built(classes, pupils, teachers, assignments, taught, credentials)


def _pupils(rng, classes, family, class_size, starts) -> dict[int, list[Person]]:
    """Invented pupils filling each class to `class_size`; the family's school-age
    children first, in the А class of their grade."""
    pupils: dict[int, list[Person]] = {school_class.pk: [] for school_class in classes}
    first_classes = {c.grade: c for c in classes if c.letter == "А"}
    for child in family:
        grade = _grade_of(child.birth_date, starts)
        if grade is not None:
            pupils[first_classes[grade].pk].append(child)
    new = []
    for school_class in classes:
        for _number in range(class_size - len(pupils[school_class.pk])):
            sex = rng.choice("mf")
            # Seven on 1 September of grade 1: born within the year before that.
            youngest = date(starts.year - school_class.grade - 6, 9, 1)
            person = Person(
                last_name=LAST_NAMES[sex],
                first_name=rng.choice(FIRST_NAMES[sex]),
                middle_name=rng.choice(MIDDLE_NAMES[sex]),
                birth_date=youngest - timedelta(days=rng.randint(1, 364)),
                sex=Sex.MALE if sex == "m" else Sex.FEMALE,
            )
            pupils[school_class.pk].append(person)
            new.append(person)
    Person.objects.bulk_create(new)
    Enrollment.objects.bulk_create(
        [
            Enrollment(student=pupil, school_class_id=class_id, starts_on=starts)
            for class_id, members in pupils.items()
            for pupil in members
        ]
    )
    return pupils


def _staff(rng, school, classes):
    """Teachers enough for the classes' hours: a class teacher for each primary class and
    subject teachers by specialism, the least loaded taking the next class. Returns the
    teachers, who teaches (class id, subject) as indexes into them (two for a subject
    taught in groups), and who leads each class."""
    teachers: list[Teacher] = []
    surnames = list(TEACHER_SURNAMES)
    rng.shuffle(surnames)

    def hire() -> int:
        sex = rng.choice("mfff")  # Most teachers are women.
        pair = surnames[len(teachers) % len(surnames)]
        teachers.append(
            Teacher(
                school=school,
                last_name=pair[0 if sex == "m" else 1],
                first_name=rng.choice(FIRST_NAMES[sex]),
                middle_name=rng.choice(MIDDLE_NAMES[sex]),
            )
        )
        return len(teachers) - 1

    teaches: dict[tuple[int, str], list[int]] = {}
    leads: dict[int, int] = {}
    for school_class in classes:
        if school_class.grade <= 4:
            leads[school_class.pk] = own = hire()
            for name, _hours in CURRICULUM[school_class.grade]:
                if name in PRIMARY_CLASS_TEACHER_SUBJECTS:
                    teaches[(school_class.pk, name)] = [own]
    for names in SPECIALISMS.values():
        needs = []
        for school_class in classes:
            items = [
                (name, hours, 2 if name in SPLIT_SUBJECTS else 1)
                for name, hours in CURRICULUM[school_class.grade]
                if name in names and (school_class.pk, name) not in teaches
            ]
            if items:
                needs.append((school_class, items))
        total = sum(hours * groups for _class, items in needs for _name, hours, groups in items)
        if not total:
            continue
        groups_needed = max(groups for _class, items in needs for *_rest, groups in items)
        staff = [hire() for _number in range(max(-(-total // TEACHER_HOURS), groups_needed))]
        load = dict.fromkeys(staff, 0)
        for school_class, items in needs:
            ordered = sorted(staff, key=lambda index: (load[index], index))
            for name, hours, groups in items:
                teaches[(school_class.pk, name)] = ordered[:groups]
                for index in ordered[:groups]:
                    load[index] += hours
    # A senior class is led by its Russian teacher (the demo son's first), else by another
    # of its teachers who leads no class yet.
    seniors = sorted(
        (c for c in classes if c.grade > 4), key=lambda c: (c.grade, c.letter) != DEMO_CLASS
    )
    for school_class in seniors:
        mine = [teaches[(school_class.pk, name)][0] for name, _h in CURRICULUM[school_class.grade]]
        free = [index for index in mine if index not in leads.values()]
        leads[school_class.pk] = (free or mine)[0]
    head = next(index for index in range(len(teachers)) if index not in leads.values())
    teachers[head].is_head_teacher = True
    Teacher.objects.bulk_create(teachers)
    return teachers, teaches, leads


def _logins(*, subject_teacher: Teacher, class_teacher: Teacher) -> list[tuple[str, str, str]]:
    """The two teacher logins, with the teacher role, as (login, password, what to try)."""
    role = Group.objects.get(name="teacher")
    credentials = []
    for login, teacher, hint in (
        (DEMO_SUBJECT_TEACHER, subject_teacher, SUBJECT_TEACHER_TRY),
        (DEMO_CLASS_TEACHER, class_teacher, CLASS_TEACHER_TRY),
    ):
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(login, password)
        user.groups.add(role)
        teacher.user = user
        teacher.save(update_fields=["user"])
        credentials.append((login, password, str(hint)))
    return credentials


def _timetable(rng, built: Built, starts: date) -> None:
    """A week for each class: a subject's lessons spread over the days, each day's order
    chosen so that a teacher is not in two rooms at one bell where it can be helped."""
    busy: set[tuple[int, int, int]] = set()  # (teacher id, weekday, bell)
    rooms = {teacher.pk: str(101 + number) for number, teacher in enumerate(built.teachers)}
    slots = []
    for school_class in built.classes:
        units = [
            name
            for name, hours in sorted(CURRICULUM[school_class.grade], key=lambda item: -item[1])
            for _hour in range(hours)
        ]
        days: list[list[str]] = [[] for _day in range(WEEKDAYS)]
        for number, name in enumerate(units):
            days[number % WEEKDAYS].append(name)
        for weekday, names in enumerate(days, start=1):
            rng.shuffle(names)
            for bell in range(1, len(names) + 1):
                chosen = next(
                    (
                        name
                        for name in names
                        if not any(
                            (item.teacher_id, weekday, bell) in busy
                            for item in built.assignments[(school_class.pk, name)]
                        )
                    ),
                    names[0],
                )
                names.remove(chosen)
                for item in built.assignments[(school_class.pk, chosen)]:
                    busy.add((item.teacher_id, weekday, bell))
                    slots.append(
                        TimetableSlot(
                            assignment=item,
                            weekday=weekday,
                            bell=bell,
                            valid_from=starts,
                            room=rooms[item.teacher_id],
                        )
                    )
    TimetableSlot.objects.bulk_create(slots, batch_size=WRITE_BATCH)


def _lessons(built: Built, year: SchoolYear, periods: list[Period], *, until: date):
    """The lessons of the quarters up to `until`, built from the timetable by the journal's
    own service; none on a public holiday."""
    for school_class in built.classes:
        for period in periods:
            if period.starts_on <= until:
                lessons_build(
                    actor=None,
                    school_class_id=school_class.pk,
                    date_from=period.starts_on,
                    date_to=min(period.ends_on, until),
                )
    in_year = Lesson.objects.filter(assignment__school_class__year=year)
    in_year.filter(date__in=[_on(year.starts_on, *day) for day in HOLIDAYS]).delete()
    return list(in_year.order_by("assignment_id", "date", "bell"))


def _week(day: date, starts: date) -> int:
    return (day - rules.week_of(starts)[0]).days // 7


def _written_form(lessons_of_week: list[Lesson], lesson: Lesson, week: int, name: str):
    """The written work of a lesson, if any: a test every fourth week at the week's last
    lesson, a check in between at its first, an independent work every other week in the
    middle; the ВПР in mid-April. `week` is the subject's own count (see _journal), so a
    class does not write every test in the same week."""
    if name in NO_HOMEWORK:
        return None
    if name in VPR_SUBJECTS and lesson.date.month == 4 and 14 <= lesson.date.day <= 20:
        return EXAM if lesson is lessons_of_week[0] else None
    if week % 4 == 3 and lesson is lessons_of_week[-1]:
        return TEST
    if week % 4 == 1 and lesson is lessons_of_week[0]:
        return CHECK_WORK
    middle = lessons_of_week[len(lessons_of_week) // 2]
    if week % 2 == 0 and len(lessons_of_week) > 1 and lesson is middle:
        return INDEPENDENT
    return None


def _journal(rng, built: Built, lessons: list[Lesson], forms, starts: date, *, today: date):
    """Topics in the order of the subject's programme, homework for the lessons given, and
    the tests announced (planned_control), written in one pass."""
    by_assignment: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_assignment[lesson.assignment_id].append(lesson)
    for assignment_id, own in by_assignment.items():
        assignment, name = built.assignment(assignment_id)
        grade = assignment.school_class.grade
        topics = TOPICS.get(name, GENERAL_TOPICS)
        hours = dict(CURRICULUM[grade])[name]
        weeks: dict[int, list[Lesson]] = defaultdict(list)
        for lesson in own:
            weeks[_week(lesson.date, starts)].append(lesson)
        # The programme's topics spread over the year's weeks of lessons.
        per_topic = max(hours * YEAR_WEEKS // len(topics), 1)
        # The subject's place in the week of tests: its tests fall in another week than
        # the class's other subjects' where four weeks allow.
        shift = [subject for subject, _hours in CURRICULUM[grade]].index(name)
        for number, lesson in enumerate(own):
            lesson.topic = topics[min(number // per_topic, len(topics) - 1)]
            week = _week(lesson.date, starts)
            written = grade >= 2 and _written_form(weeks[week], lesson, week + shift, name)
            lesson.written = written or None
            if written and written != INDEPENDENT:
                lesson.planned_control = forms[written]
            given = lesson.date <= today
            if given and grade >= 2 and name not in NO_HOMEWORK and rng.random() < HOMEWORK_SHARE:
                template = rng.choice(HOMEWORK.get(name, GENERAL_HOMEWORK))
                first = rng.randint(3, 180)
                lesson.homework = template.format(n=first, m=first + rng.randint(1, 6))
    _lessons_fill(lessons)


def _lessons_fill(lessons: list[Lesson]) -> None:
    """Write the lessons' topics, homework and announced tests: one statement run for
    every row (bulk_update's CASE over a year of lessons costs seconds on its own)."""
    table = Lesson._meta.db_table
    columns = [Lesson._meta.get_field(name).column for name in ("topic", "homework")]
    planned = Lesson._meta.get_field("planned_control").column
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {columns[0]} = %s, {columns[1]} = %s, {planned} = %s "  # noqa: S608 — names from the model
            "WHERE id = %s",
            [
                (lesson.topic, lesson.homework, lesson.planned_control_id, lesson.pk)
                for lesson in lessons
            ],
        )


def _ended(lesson: Lesson) -> datetime:
    """When a lesson's bell rang the end, on the city's clock."""
    ends = BELLS[lesson.bell - 1][1]
    return datetime.combine(lesson.date, ends, tzinfo=clock.city_zone())


def _held(lesson: Lesson, now: datetime) -> bool:
    return not lesson.cancelled and _ended(lesson) <= now


def _absences(rng, built: Built, held: list[Lesson], starts: date, now: datetime):
    """A few pupils ill for some days (excused), now and then a lesson skipped. Returns
    the (lesson id, pupil id) pairs."""
    ill: dict[int, tuple[date, date]] = {}
    span = max((now.date() - starts).days, 1)
    for members in built.pupils.values():
        for pupil in members:
            if rng.random() < SICK_SHARE:
                first = starts + timedelta(days=rng.randint(0, span))
                ill[pupil.pk] = (first, first + timedelta(days=rng.randint(1, 6)))
    rows = []
    for lesson in held:
        assignment, _name = built.assignment(lesson.assignment_id)
        for pupil in sorted(built.taught[assignment.pk]):
            spell = ill.get(pupil)
            sick = spell is not None and spell[0] <= lesson.date <= spell[1]
            if sick or rng.random() < SKIPPED_SHARE:
                rows.append(
                    (
                        lesson.pk,
                        pupil,
                        sick,
                        assignment.teacher_id,
                        moment_for_driver(_ended(lesson)),
                    )
                )
    insert_rows(Attendance, ("lesson", "student", "excused", "noted_by", "noted_at"), rows)
    return {(lesson_id, pupil) for lesson_id, pupil, *_rest in rows}


def _exemption(built: Built, family: list[Person], starts: date):
    """PE exemption on a doctor's note for a month: the demo family's teenager when she is
    at school, else a pupil of 7А. Returns (pupil id, from, to)."""
    enrolled = {pupil.pk for members in built.pupils.values() for pupil in members}
    teens = [
        child
        for child in family
        if child.pk in enrolled and _grade_of(child.birth_date, starts) > DEMO_CLASS[0]
    ]
    if teens:
        pupil = teens[-1]
    else:
        seventh = next(c for c in built.classes if (c.grade, c.letter) == (7, "А"))
        pupil = built.pupils[seventh.pk][0]
    first, last = starts + timedelta(days=20), starts + timedelta(days=50)
    Exemption.objects.create(
        student=pupil,
        subject=Subject.objects.get(name=PHYSICAL_EDUCATION),
        starts_on=first,
        ends_on=last,
        reason="Справка врача (освобождение от физической культуры на месяц)",
    )
    return pupil.pk, first, last


# A mark as the journal holds it: (lesson, pupil id, form, value).
Given = tuple[Lesson, int, ControlForm, int]


def _marks(rng, built: Built, held: list[Lesson], forms, absent, exempt, starts: date):
    """The marks of the lessons held: the written works for all present, and answers in
    class up to one to three marks a pupil a week; none in grade 1."""
    shares = [share for share, _weights in PROFILES]
    # Cumulative weights, computed once: rng.choices would sum them for every mark.
    profile = {
        pupil.pk: list(accumulate(rng.choices(PROFILES, weights=shares)[0][1]))
        for members in built.pupils.values()
        for pupil in members
    }
    weekly = list(accumulate(WEEKLY_MARKS))
    weeks: dict[tuple[int, int], list[Lesson]] = defaultdict(list)
    for lesson in held:
        weeks[(lesson.assignment_id, _week(lesson.date, starts))].append(lesson)
        lesson.stamp = moment_for_driver(_ended(lesson))
    exempt_pupil, exempt_from, exempt_to = exempt
    given: list[Given] = []
    rows = []
    for (assignment_id, _week_number), lessons in weeks.items():
        assignment, name = built.assignment(assignment_id)
        if not rules.grade_has_marks(assignment.school_class.grade):
            continue
        teacher_id = assignment.teacher_id
        for pupil in sorted(built.taught[assignment_id]):
            present = [
                lesson
                for lesson in lessons
                if (lesson.pk, pupil) not in absent
                and not (
                    pupil == exempt_pupil
                    and name == PHYSICAL_EDUCATION
                    and exempt_from <= lesson.date <= exempt_to
                )
            ]
            if not present:
                continue
            wanted = rng.choices((1, 2, 3), cum_weights=weekly)[0]
            written = [lesson for lesson in present if lesson.written]
            answered = rng.sample(present, k=min(len(present), max(wanted - len(written), 0)))
            for lesson, form in [
                *((lesson, forms[lesson.written]) for lesson in written),
                *((lesson, forms[ORAL]) for lesson in answered),
            ]:
                value = rng.choices(MARK_VALUES, cum_weights=profile[pupil])[0]
                comment = ""
                if value in COMMENTS and rng.random() < COMMENT_SHARE:
                    comment = rng.choice(COMMENTS[value])
                given.append((lesson, pupil, form, value))
                rows.append(
                    (
                        lesson.pk,
                        pupil,
                        form.pk,
                        value,
                        form.weight,
                        comment,
                        teacher_id,
                        lesson.stamp,
                    )
                )
    names = ("lesson", "student", "control_form", "value", "weight", "comment", "given_by")
    insert_rows(Mark, (*names, "given_at"), rows)
    return given


def _final_marks(built, periods, given: list[Given], school: School, *, today: date):
    """The quarter marks of the quarters over: what the averages suggest, as most teachers
    give."""
    thresholds = rules.Thresholds(
        five=school.threshold_5, four=school.threshold_4, three=school.threshold_3
    )
    over = [period for period in periods if period.ends_on < today]
    quarter_of: dict[date, int] = {}
    for number, period in enumerate(over):
        day = period.starts_on
        while day <= period.ends_on:
            quarter_of[day] = number
            day += timedelta(days=1)
    pairs: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    for lesson, pupil, form, value in given:
        number = quarter_of.get(lesson.date)
        if number is not None:
            pairs[(number, lesson.assignment_id, pupil)].append((value, form.weight))
    final = []
    for (number, assignment_id, pupil), values in pairs.items():
        assignment, _name = built.assignment(assignment_id)
        period = over[number]
        final.append(
            FinalMark(
                student_id=pupil,
                subject_id=assignment.subject_id,
                year_id=period.year_id,
                period=period,
                value=rules.suggested_mark(rules.weighted_average(values), thresholds),
                given_by_id=assignment.teacher_id,
                given_at=datetime.combine(period.ends_on, BELLS[-1][1], tzinfo=clock.city_zone()),
            )
        )
    FinalMark.objects.bulk_create(final, batch_size=WRITE_BATCH)
