"""The school bench's preparation: parents with sessions and tokens, each with a child of
their own in the demo school with a journal like their classmates', the teachers' tokens,
and the plan of saves (bench/school.py runs the load)."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from run import (
    BenchError,
    say,
)

EMAIL_PREFIX = "bench-school-"
TOKEN_NAME = "bench-school"  # noqa: S105 — the tokens' name, not a secret
# The weeks a parent opens: this one and the three before.
RECENT_WEEKS = 4
# Looks sent one at a time after the load, each of which must add exactly one audit row.
MAX_PLAN = 20_000
# The targets on a 2-core machine with PostgreSQL.
SAVE_VALUES = (5, 4, 5, 4, 3, 4, 5, 4, 3, 2, 4, 5)


@dataclass(frozen=True)
class Parent:
    user_id: int
    session: str
    token: str
    child_id: int


@dataclass(frozen=True)
class SaveItem:
    """One save: a lesson, a form of control none of its students has a mark in yet, and
    a mark for every student of the lesson (present, not exempt)."""

    token: str
    lesson_id: int
    form_id: int
    cells: int
    body: str


@dataclass
class Prepared:
    parents: list[Parent]
    weeks: list[dt.date]
    plan: list[SaveItem]
    marks: int  # the bench children's marks written
    final_marks: int
    class_sizes: tuple[int, int]  # fewest and most pupils in a class, with the bench's
    classes: int
    teachers: int
    plan_lessons: int
    setup_s: float = 0.0


def prepare(count_: int, workdir: Path) -> Prepared:
    """`count_` parents, each with a child in the demo school and a year of marks, a
    session and a token; every teacher a token; the plan of saves.

    Written in bulk, not through the services: the setup is not what is measured. Marks go
    in as the demo writes its own (COPY on PostgreSQL), under the same triggers.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from gorod.accounts.models import ApiToken, Guardianship, Person, Sex, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.core import clock
    from gorod.demo.school import DEMO_SUBJECT_TEACHER, year_start
    from gorod.demo.school_rows import insert_rows, statistics_fresh
    from gorod.school.models import (
        Enrollment,
        FinalMark,
        Mark,
        SchoolClass,
        SchoolYear,
        Teacher,
    )

    if User.objects.filter(email__startswith=EMAIL_PREFIX).exists():
        raise BenchError("the benchmark database already holds the school bench's parents")
    found = Teacher.objects.select_related("school").filter(user__email=DEMO_SUBJECT_TEACHER)
    demo_teacher = found.first()
    if demo_teacher is None:
        raise BenchError("no demo school: `gorod demo` wrote no school diary")
    school = demo_teacher.school
    now = clock.local_now(timezone.now())
    today = now.date()
    year = SchoolYear.objects.get(school=school, starts_on=year_start(today))
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rng = random.Random(17)  # noqa: S311 — invented pupils, not a secret
    parents: list[Parent] = []
    with transaction.atomic():
        users = [User(email=f"{EMAIL_PREFIX}parent-{n:05d}@gorod.local") for n in range(count_)]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        grown = Person.objects.bulk_create(
            Person(
                user=user,
                last_name="Нагрузочная",
                first_name="Мама",
                middle_name=f"№ {n}",
                birth_date=dt.date(1978 + n % 15, 1 + n % 12, 1 + n % 28),
                sex=Sex.FEMALE,
            )
            for n, user in enumerate(users)
        )
        placed = [classes[n % len(classes)] for n in range(count_)]
        children = Person.objects.bulk_create(
            Person(
                last_name="Нагрузочный",
                first_name="Ученик",
                middle_name=f"№ {n}",
                # Seven on 1 September of grade 1, as the demo's pupils.
                birth_date=dt.date(year.starts_on.year - school_class.grade - 6, 9, 1)
                - dt.timedelta(days=1 + n % 360),
                sex=Sex.MALE,
            )
            for n, school_class in enumerate(placed)
        )
        Guardianship.objects.bulk_create(
            Guardianship(
                guardian=parent,
                child=child,
                kind=Guardianship.Kind.PARENT,
                verified_at=timezone.now(),
            )
            for parent, child in zip(grown, children, strict=True)
        )
        Enrollment.objects.bulk_create(
            Enrollment(student=child, school_class=school_class, starts_on=year.starts_on)
            for child, school_class in zip(children, placed, strict=True)
        )
        taught = _subgroups(year, children, placed)
        statistics_fresh()
        marks, final_rows = _journal(rng, school, year, children, placed, taught, now)
        names = ("lesson", "student", "control_form", "value", "weight", "comment", "given_by")
        insert_rows(Mark, (*names, "given_at"), marks)
        FinalMark.objects.bulk_create(final_rows, batch_size=2000)
        tokens = []
        for n, (user, child) in enumerate(zip(users, children, strict=True)):
            prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(
                    user=user, name=TOKEN_NAME, prefix=prefix, secret_hash=_hash_secret(secret)
                )
            )
            session = store()
            session[SESSION_KEY] = str(user.pk)
            # The backend a password sign-in ends with (the first, axes, only refuses).
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            parents.append(
                Parent(
                    user.pk, session.session_key, f"{API_TOKEN_PREFIX}_{prefix}_{secret}", child.pk
                )
            )
            if n and n % 100 == 0:
                say(f"sessions for {n}/{count_} parents")
        teacher_tokens = _teacher_tokens(school, tokens)
        ApiToken.objects.bulk_create(tokens)
        # Signed in "just now": the server does not write last_used_at on the first request.
        ApiToken.objects.filter(name=TOKEN_NAME).update(last_used_at=timezone.now())
        statistics_fresh()
    sizes = Counter(
        Enrollment.objects.filter(school_class__year=year).values_list("school_class_id", flat=True)
    )
    plan, plan_lessons = save_plan(school, year, today, teacher_tokens)
    if not plan:
        raise BenchError("no lesson of an open period to save marks for")
    monday = today - dt.timedelta(days=today.isoweekday() - 1)
    weeks = [monday - dt.timedelta(weeks=back) for back in range(RECENT_WEEKS)]
    (workdir / "school_parents.txt").write_text(
        "".join(f"{p.session} {p.child_id}\n" for p in parents), encoding="utf-8"
    )
    (workdir / "school_saves.txt").write_text(
        "".join(f"{item.token} {item.lesson_id} {item.body}\n" for item in plan), encoding="utf-8"
    )
    return Prepared(
        parents=parents,
        weeks=weeks,
        plan=plan,
        marks=len(marks),
        final_marks=len(final_rows),
        class_sizes=(min(sizes.values()), max(sizes.values())),
        classes=len(classes),
        teachers=len(teacher_tokens),
        plan_lessons=plan_lessons,
    )


def _subgroups(year, children, placed) -> dict[int, set[int]]:
    """Put each child in one group of every subject their class learns in groups; the
    assignments each child is taught by (assignment id → child ids)."""
    from gorod.school.models import Assignment

    by_class: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(school_class__year=year).order_by("id"):
        by_class[assignment.school_class_id].append(assignment)
    taught: dict[int, set[int]] = defaultdict(set)
    through = []
    for n, (child, school_class) in enumerate(zip(children, placed, strict=True)):
        groups: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in by_class[school_class.pk]:
            if assignment.subgroup:
                groups[assignment.subject_id].append(assignment)
            else:
                taught[assignment.pk].add(child.pk)
        for items in groups.values():
            chosen = sorted(items, key=lambda item: item.subgroup)[n % len(items)]
            taught[chosen.pk].add(child.pk)
            through.append(Assignment.students.through(assignment_id=chosen.pk, person_id=child.pk))
    Assignment.students.through.objects.bulk_create(through)
    return taught


def _journal(rng, school, year, children, placed, taught, now: dt.datetime):
    """The children's marks of the lessons held (as `gorod.demo.school` gives its pupils':
    the written works, and answers in class up to one to three marks a subject a week; none
    in grade 1) as rows for COPY, and the quarter marks of the quarters over."""
    from gorod.core import clock
    from gorod.demo.school import MARK_VALUES, PROFILES, WEEKLY_MARKS
    from gorod.demo.school_plan import ORAL
    from gorod.demo.school_rows import moment_for_driver
    from gorod.school import rules
    from gorod.school.models import (
        Assignment,
        Bell,
        ControlForm,
        FinalMark,
        Lesson,
        Period,
    )

    today = now.date()
    ends = {bell.number: bell.ends_at for bell in Bell.objects.filter(school=school)}
    forms = {form.pk: form for form in ControlForm.objects.filter(school=school)}
    oral = next(form for form in forms.values() if form.name == ORAL)
    assignments = {
        item.pk: item
        for item in Assignment.objects.filter(school_class__year=year).select_related(
            "school_class"
        )
    }
    first_monday = rules.week_of(year.starts_on)[0]
    weeks: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for lesson_id, assignment_id, day, bell, planned in Lesson.objects.filter(
        assignment__school_class__year=year, cancelled=False, date__lte=today
    ).values_list("id", "assignment_id", "date", "bell", "planned_control_id"):
        if day == today and ends.get(bell, dt.time.max) > now.time():
            continue  # not rung out yet
        stamp = dt.datetime.combine(day, ends.get(bell, dt.time(15)), tzinfo=clock.city_zone())
        weeks[assignment_id][(day - first_monday).days // 7].append(
            (lesson_id, day, planned, stamp)
        )
    shares = [share for share, _weights in PROFILES]
    weekly = list(accumulate(WEEKLY_MARKS))
    periods = list(Period.objects.filter(year=year, ends_on__lt=today))
    rows = []
    # (period, pupil, subject, teacher) -> the (value, weight) of the period's marks
    finals: dict[tuple[int, int, int, int], list[tuple[int, int]]] = defaultdict(list)
    for assignment_id, pupils in taught.items():
        assignment = assignments[assignment_id]
        if not rules.grade_has_marks(assignment.school_class.grade):
            continue
        for pupil in sorted(pupils):
            profile = list(accumulate(rng.choices(PROFILES, weights=shares)[0][1]))
            for lessons in weeks[assignment_id].values():
                wanted = rng.choices((1, 2, 3), cum_weights=weekly)[0]
                written = [lesson for lesson in lessons if lesson[2] is not None]
                answered = rng.sample(lessons, k=min(len(lessons), max(wanted - len(written), 0)))
                for (lesson_id, day, _planned, stamp), form in [
                    *((lesson, forms[lesson[2]]) for lesson in written),
                    *((lesson, oral) for lesson in answered),
                ]:
                    value = rng.choices(MARK_VALUES, cum_weights=profile)[0]
                    rows.append(
                        (
                            lesson_id,
                            pupil,
                            form.pk,
                            value,
                            form.weight,
                            "",
                            assignment.teacher_id,
                            moment_for_driver(stamp),
                        )
                    )
                    for period in periods:
                        if period.starts_on <= day <= period.ends_on:
                            key = (period.pk, pupil, assignment.subject_id, assignment.teacher_id)
                            finals[key].append((value, form.weight))
    thresholds = rules.Thresholds(
        five=school.threshold_5, four=school.threshold_4, three=school.threshold_3
    )
    by_id = {period.pk: period for period in periods}
    final_rows = [
        FinalMark(
            student_id=pupil,
            subject_id=subject_id,
            year_id=year.pk,
            period_id=period_id,
            value=rules.suggested_mark(rules.weighted_average(values), thresholds),
            given_by_id=teacher_id,
            given_at=dt.datetime.combine(
                by_id[period_id].ends_on, dt.time(15), tzinfo=clock.city_zone()
            ),
        )
        for (period_id, pupil, subject_id, teacher_id), values in finals.items()
    ]
    return rows, final_rows


def _teacher_tokens(school, tokens: list) -> dict[int, str]:
    """A personal token for every working teacher of the school (teacher id → token),
    appended to `tokens`; a teacher without a login gets one."""
    from gorod.accounts.models import ApiToken, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.school.models import Teacher

    teachers = list(Teacher.objects.filter(school=school, active=True).order_by("id"))
    new = {
        teacher.pk: User(email=f"{EMAIL_PREFIX}teacher-{teacher.pk:05d}@gorod.local")
        for teacher in teachers
        if teacher.user_id is None
    }
    for user in new.values():
        user.set_unusable_password()
    User.objects.bulk_create(new.values())
    for teacher in teachers:
        if teacher.pk in new:
            teacher.user = new[teacher.pk]
    Teacher.objects.bulk_update([t for t in teachers if t.pk in new], ["user"])
    found = {}
    for teacher in teachers:
        prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        tokens.append(
            ApiToken(
                user_id=teacher.user_id,
                name=TOKEN_NAME,
                prefix=prefix,
                secret_hash=_hash_secret(secret),
            )
        )
        found[teacher.pk] = f"{API_TOKEN_PREFIX}_{prefix}_{secret}"
    return found


def save_plan(school, year, today: dt.date, tokens: dict[int, str]) -> tuple[list[SaveItem], int]:
    """The saves a run sends, in order: each a lesson held in a period still open to its
    teacher and a form of control none of the lesson's students has a mark in, with a
    mark for every student of the lesson (in the class on the date, in the subgroup, not
    absent, not exempt). Each lesson once before any lesson twice, so that consecutive
    saves are different lessons. Returns the plan and how many lessons it spans."""
    from django.conf import settings
    from django.db.models import Q

    from gorod.school import rules
    from gorod.school.models import (
        Assignment,
        Attendance,
        ControlForm,
        Enrollment,
        Exemption,
        Lesson,
        Mark,
        Period,
    )

    open_periods = [
        period
        for period in Period.objects.filter(year=year, starts_on__lte=today)
        if rules.may_change_period(
            period_ends_on=period.ends_on,
            today=today,
            cutoff_days=settings.GOROD_SCHOOL_CHANGE_CUTOFF_DAYS,
            is_head_teacher=False,
        )
    ]
    if not open_periods:
        return [], 0
    within = Q()
    for period in open_periods:
        within |= Q(date__gte=period.starts_on, date__lte=min(period.ends_on, today))
    lessons = list(
        Lesson.objects.filter(within)
        .filter(
            assignment__school_class__year=year,
            assignment__school_class__grade__gte=2,
            cancelled=False,
            assignment__teacher_id__in=list(tokens),
        )
        .values_list(
            "id",
            "date",
            "assignment_id",
            "assignment__school_class_id",
            "assignment__subject_id",
            "assignment__teacher_id",
        )
        .order_by("id")
    )
    ids = [lesson[0] for lesson in lessons]
    used: dict[int, set[int]] = defaultdict(set)
    for lesson_id, form_id in (
        Mark.objects.filter(lesson_id__in=ids)
        .values_list("lesson_id", "control_form_id")
        .distinct()
    ):
        used[lesson_id].add(form_id)
    absent: dict[int, set[int]] = defaultdict(set)
    for lesson_id, student_id in Attendance.objects.filter(lesson_id__in=ids).values_list(
        "lesson_id", "student_id"
    ):
        absent[lesson_id].add(student_id)
    enrolled: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for class_id, student_id, starts, ends in Enrollment.objects.filter(
        school_class__year=year
    ).values_list("school_class_id", "student_id", "starts_on", "ends_on"):
        enrolled[class_id].append((student_id, starts, ends))
    groups: dict[int, set[int]] = defaultdict(set)
    for assignment_id, person_id in Assignment.students.through.objects.filter(
        assignment__school_class__year=year
    ).values_list("assignment_id", "person_id"):
        groups[assignment_id].add(person_id)
    exemptions = list(
        Exemption.objects.values_list("student_id", "subject_id", "starts_on", "ends_on")
    )
    forms = list(
        ControlForm.objects.filter(school=school).order_by("id").values_list("id", flat=True)
    )
    layers: list[list[SaveItem]] = [[] for _form in forms]
    spanned = set()
    for lesson_id, day, assignment_id, class_id, subject_id, teacher_id in lessons:
        students = {
            student
            for student, starts, ends in enrolled[class_id]
            if starts <= day and (ends is None or day <= ends)
        }
        if groups.get(assignment_id):
            students &= groups[assignment_id]
        students -= absent[lesson_id]
        students -= {
            student
            for student, subject, starts, ends in exemptions
            if subject == subject_id and starts <= day <= ends
        }
        if not students:
            continue
        free = [form for form in forms if form not in used[lesson_id]]
        for layer, form in enumerate(free):
            cells = [
                {
                    "student_id": student,
                    "control_form_id": form,
                    "value": SAVE_VALUES[(lesson_id + student * 7 + form) % len(SAVE_VALUES)],
                }
                for student in sorted(students)
            ]
            body = json.dumps({"cells": cells}, separators=(",", ":"))
            layers[layer].append(SaveItem(tokens[teacher_id], lesson_id, form, len(cells), body))
            spanned.add(lesson_id)
    shuffle = random.Random(0)  # noqa: S311 — an order, not a secret
    plan = []
    for layer in layers:
        shuffle.shuffle(layer)
        plan += layer
    return plan[:MAX_PLAN], len(spanned)


# --- load ------------------------------------------------------------------------------
