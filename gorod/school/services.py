"""Writes of the teacher's journal: a lesson's marks and "н", its topic and homework, the
period and year marks, and the lessons materialised from the timetable.

A lesson's save is all or nothing. Every cell that would change something is checked
first (a mark 2..5, not in grade 1, the teacher's class and subject, the student in the
class on the date and in the subgroup, not exempt, not absent, the period still open to
this teacher) and the first refusal names its cell; nothing is written then.

What the journal decides (DOMAIN.md: "н" and "осв." are not marks):
- a student marked "н" for a lesson gets no mark for that lesson, in the same save or
  after; remove the "н" first (a late arrival) to mark them;
- a student exempt from the subject on the lesson's date ("осв.") gets no mark for it;
- the head teacher lifts the period cut-off for their own classes and subjects; they do
  not mark other teachers' subjects.

Two teachers saving one lesson at once: the lesson's row lock queues the saves, and each
cell carries the value its teacher saw (`expected`). A save that would overwrite or
remove a mark its teacher did not see is refused with a Conflict naming the cell, so no
mark is lost silently; setting the very value already there is no change.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound
from gorod.school import journal_selectors as selectors
from gorod.school import rules, tasks
from gorod.school.models import (
    Attendance,
    ControlForm,
    FinalMark,
    Lesson,
    Mark,
    MarkChange,
    Period,
    SchoolClass,
    SchoolYear,
    Teacher,
    TimetableSlot,
)


@dataclass(frozen=True)
class MarkCell:
    """One mark of the grid: `value` None removes the mark; `expected` is the value the
    teacher saw in the cell (None: it was empty)."""

    student_id: int
    control_form_id: int
    value: int | None
    expected: int | None = None


@dataclass(frozen=True)
class AbsenceCell:
    """One student's "н" for the lesson: absent or present."""

    student_id: int
    absent: bool


@dataclass(frozen=True)
class LessonSaved:
    lesson: Lesson
    created: int
    changed: int
    removed: int
    absences_added: int
    absences_removed: int


def _person_name(person: Person | None, student_id: int) -> str:
    return person.full_name if person is not None else _("ученик № %(id)s") % {"id": student_id}


def _cutoff_message() -> str:
    return _(
        "Период закрыт: прошло больше %(days)s дн. после его окончания. "
        "Изменить оценки может завуч."
    ) % {"days": settings.GOROD_SCHOOL_CHANGE_CUTOFF_DAYS}


def _writer_of(teacher: Teacher, lesson: Lesson) -> None:
    if not selectors.gives_lesson(teacher, lesson):
        raise Forbidden(
            "not_your_subject",
            _("Оценки по этому предмету ставит учитель предмета; классный руководитель их видит."),
        )


def lesson_marks_save(
    *,
    actor,
    lesson_id: int,
    cells: Sequence[MarkCell] = (),
    absences: Sequence[AbsenceCell] = (),
    now: datetime | None = None,
) -> LessonSaved:
    """Save a lesson's marks and "н" at once, all or nothing (see the module's notes)."""
    now = now or clock.now()
    today = clock.local_date(now)
    teacher = selectors.teacher_of(actor)
    with transaction.atomic():
        lesson = selectors.lesson_for(teacher=teacher, lesson_id=lesson_id, lock=True)
        _writer_of(teacher, lesson)
        if lesson.cancelled and cells:
            raise Conflict("lesson_cancelled", _("Урок отменён: оценки за него не ставятся."))
        result = _save_locked(
            teacher=teacher, lesson=lesson, cells=cells, absences=absences, now=now, today=today
        )
        audit_record(
            actor=actor,
            action="school.lesson_marks_save",
            target=lesson,
            created=result.created,
            changed=result.changed,
            removed=result.removed,
            absences_added=result.absences_added,
            absences_removed=result.absences_removed,
        )
    return result


class _Refusal:
    """Collects the refused cells; all go in `errors`. A broken rule is Invalid, named by
    the first such cell; only a save whose every problem is a stale cell is a Conflict
    (reloading would not fix a broken rule)."""

    def __init__(self) -> None:
        self.issues: list[tuple[str, str, str]] = []

    def add(self, location: str, code: str, message: str) -> None:
        self.issues.append((location, code, message))

    def raise_if_any(self) -> None:
        if not self.issues:
            return
        broken = [issue for issue in self.issues if issue[1] != "stale_mark"]
        location, code, message = (broken or self.issues)[0]
        details = {
            "errors": [
                {"location": where, "message": text, "type": kind}
                for where, kind, text in self.issues
            ]
        }
        if code == "stale_mark":
            raise Conflict(code, message, field=location, details=details)
        raise Invalid(code, message, field=location, details=details)


@dataclass
class _LessonState:
    """What a save of the lesson is checked against, read once under the lesson's lock."""

    lesson: Lesson
    in_lesson: dict[int, Person]  # the lesson's students, by id
    named: dict[int, Person]  # those whose names a refusal may show
    forms: dict[int, ControlForm]
    current: dict[tuple[int, int], Mark]  # (student id, control form id) → mark
    absent_now: dict[int, Attendance]
    exempt: set[int]
    posts: list[rules.TeachingPost]
    period_open: bool

    def who(self, student_id: int) -> str:
        return _person_name(self.named.get(student_id), student_id)


def _lesson_state(
    *,
    teacher: Teacher,
    lesson: Lesson,
    cells: Sequence[MarkCell],
    absences: Sequence[AbsenceCell],
    today: date,
) -> _LessonState:
    assignment = lesson.assignment
    school_class = assignment.school_class
    in_lesson = {student.pk: student for student in selectors.lesson_students(lesson)}
    named = dict(in_lesson)
    others = {cell.student_id for cell in (*cells, *absences)} - set(in_lesson)
    # Names of students outside the lesson only if the teacher's school has them in the
    # class at all (no names of strangers by guessing ids).
    if others:
        in_class_ever = selectors.enrolled_ids(school_class.pk, date.min, date.max)
        named.update(Person.objects.in_bulk(list(others & in_class_ever)))
    posts = selectors.posts_of(teacher)
    # A substitute marks the lesson they give as if it were theirs.
    if lesson.substitute_id == teacher.pk:
        posts.append(
            rules.TeachingPost(
                school_class.pk, assignment.subject_id, selectors.subgroup_ids(assignment)
            )
        )
    return _LessonState(
        lesson=lesson,
        in_lesson=in_lesson,
        named=named,
        forms={form.pk: form for form in selectors.control_forms_of(school_class.year.school_id)},
        current={(mark.student_id, mark.control_form_id): mark for mark in lesson.marks.all()},
        absent_now={absence.student_id: absence for absence in lesson.absences.all()},
        exempt=selectors.exempt_ids(assignment.subject_id, list(in_lesson), lesson.date),
        posts=posts,
        period_open=selectors.period_open(teacher, school_class, lesson.date, today),
    )


def _save_locked(
    *,
    teacher: Teacher,
    lesson: Lesson,
    cells: Sequence[MarkCell],
    absences: Sequence[AbsenceCell],
    now: datetime,
    today: date,
) -> LessonSaved:
    state = _lesson_state(
        teacher=teacher, lesson=lesson, cells=cells, absences=absences, today=today
    )
    refusal = _Refusal()
    # The "н" first: a mark is checked against the lesson's attendance after this save.
    absence_changes, absent_after = _absence_changes(state, absences, refusal)
    mark_changes = _mark_changes(state, cells, absent_after, refusal)
    _refuse_absent_with_marks(state, absence_changes, mark_changes, refusal)
    refusal.raise_if_any()
    return _write(
        teacher=teacher,
        lesson=lesson,
        forms=state.forms,
        mark_changes=mark_changes,
        absence_changes=[cell for _index, cell in absence_changes],
        absent_now=state.absent_now,
        now=now,
    )


def _absence_changes(
    state: _LessonState, absences: Sequence[AbsenceCell], refusal: _Refusal
) -> tuple[list[tuple[int, AbsenceCell]], set[int]]:
    """The "н" cells that change something and may, with their index in the save; and
    the students absent once they are saved."""
    absent_after = set(state.absent_now)
    changes: list[tuple[int, AbsenceCell]] = []
    for index, cell in enumerate(absences):
        where = f"absences[{index}]"
        if cell.absent == (cell.student_id in state.absent_now):
            continue
        if cell.student_id not in state.in_lesson:
            refusal.add(
                where,
                "student_not_in_lesson",
                _not_in_lesson(state.who(cell.student_id), state.lesson),
            )
            continue
        if not state.period_open:
            refusal.add(where, "period_closed", _cutoff_message())
            continue
        changes.append((index, cell))
        (absent_after.add if cell.absent else absent_after.discard)(cell.student_id)
    return changes, absent_after


def _mark_changes(
    state: _LessonState, cells: Sequence[MarkCell], absent_after: set[int], refusal: _Refusal
) -> list[tuple[MarkCell, Mark | None]]:
    """The mark cells that change something and may, each with the mark it replaces."""
    changes: list[tuple[MarkCell, Mark | None]] = []
    seen: set[tuple[int, int]] = set()
    for index, cell in enumerate(cells):
        where = f"cells[{index}]"
        key = (cell.student_id, cell.control_form_id)
        if key in seen:
            refusal.add(where, "duplicate_cell", _("Эта клетка уже есть в сохранении."))
            continue
        seen.add(key)
        existing = state.current.get(key)
        existing_value = existing.value if existing is not None else None
        if cell.value == existing_value:
            continue  # nothing to change, whatever the teacher saw
        name = state.who(cell.student_id)
        problem = _cell_problem(
            cell=cell,
            name=name,
            lesson=state.lesson,
            school_class=state.lesson.assignment.school_class,
            forms=state.forms,
            posts=state.posts,
            in_lesson=state.in_lesson,
            exempt=state.exempt,
            absent_after=absent_after,
            period_open=state.period_open,
        )
        if problem is not None:
            refusal.add(where, *problem)
            continue
        if cell.expected != existing_value:
            form = state.forms[cell.control_form_id]
            refusal.add(where, "stale_mark", _stale_message(name, form, existing_value))
            continue
        changes.append((cell, existing))
    return changes


def _refuse_absent_with_marks(
    state: _LessonState,
    absence_changes: list[tuple[int, AbsenceCell]],
    mark_changes: list[tuple[MarkCell, Mark | None]],
    refusal: _Refusal,
) -> None:
    """A "н" put now on a student who keeps a mark of the lesson from before."""
    removed = {
        (cell.student_id, cell.control_form_id)
        for cell, _existing in mark_changes
        if cell.value is None
    }
    kept_marks = {key[0] for key in state.current if key not in removed}
    for index, cell in absence_changes:
        if cell.absent and cell.student_id in kept_marks:
            refusal.add(
                f"absences[{index}]",
                "absent_has_mark",
                _(
                    "%(student)s: у ученика есть оценка за этот урок; "
                    "уберите её, чтобы поставить «н»."
                )
                % {"student": state.who(cell.student_id)},
            )


def _not_in_lesson(name: str, lesson: Lesson) -> str:
    return _("%(student)s не учится в классе %(class)s (или в подгруппе урока) на %(date)s.") % {
        "student": name,
        "class": lesson.assignment.school_class,
        "date": f"{lesson.date:%d.%m.%Y}",
    }


def _stale_message(name: str, form: ControlForm, value: int | None) -> str:
    now_there = str(value) if value is not None else _("пусто")
    return _(
        "%(student)s, «%(form)s»: оценку только что изменил другой учитель (сейчас: "
        "%(value)s). Обновите страницу и проверьте."
    ) % {"student": name, "form": form.name, "value": now_there}


def _cell_problem(
    *,
    cell: MarkCell,
    name: str,
    lesson: Lesson,
    school_class: SchoolClass,
    forms: dict[int, ControlForm],
    posts: list[rules.TeachingPost],
    in_lesson: dict[int, Person],
    exempt: set[int],
    absent_after: set[int],
    period_open: bool,
) -> tuple[str, str] | None:
    """Why a changing cell may not be saved, as (code, message), or None."""
    if cell.control_form_id not in forms:
        return "control_form_not_found", _("%(student)s: такой формы контроля в школе нет.") % {
            "student": name
        }
    if cell.value is not None and not rules.is_mark(cell.value):
        return "mark_out_of_range", _("%(student)s: оценка — число от 2 до 5, а не %(value)s.") % {
            "student": name,
            "value": cell.value,
        }
    if not rules.grade_has_marks(school_class.grade):
        return "first_grade_no_marks", _("%(student)s: в 1 классе оценки не ставятся.") % {
            "student": name
        }
    if cell.student_id not in in_lesson:
        return "student_not_in_lesson", _not_in_lesson(name, lesson)
    if not rules.may_mark(
        posts=posts,
        class_id=school_class.pk,
        subject_id=lesson.assignment.subject_id,
        student_id=cell.student_id,
    ):
        return "not_your_student", _("%(student)s: вы не ведёте этот предмет у ученика.") % {
            "student": name
        }
    if cell.value is not None and cell.student_id in exempt:
        return "student_exempt", _(
            "%(student)s освобождён(а) от предмета на дату урока («осв.»): оценка не ставится."
        ) % {"student": name}
    if cell.value is not None and cell.student_id in absent_after:
        return "student_absent", _(
            "%(student)s отмечен(а) «н» на этом уроке: отсутствующему оценка не ставится."
        ) % {"student": name}
    if not period_open:
        return "period_closed", _cutoff_message()
    return None


def _write(
    *,
    teacher: Teacher,
    lesson: Lesson,
    forms: dict[int, ControlForm],
    mark_changes: list[tuple[MarkCell, Mark | None]],
    absence_changes: list[AbsenceCell],
    absent_now: dict[int, Attendance],
    now: datetime,
) -> LessonSaved:
    history: list[MarkChange] = []
    fresh: list[Mark] = []
    removed_ids: list[int] = []
    changed = 0
    for cell, existing in mark_changes:
        history.append(
            MarkChange(
                lesson=lesson,
                student_id=cell.student_id,
                control_form_id=cell.control_form_id,
                old_value=existing.value if existing is not None else None,
                new_value=cell.value,
                changed_by=teacher,
                changed_at=now,
            )
        )
        if existing is None:
            form = forms[cell.control_form_id]
            fresh.append(
                Mark(
                    lesson=lesson,
                    student_id=cell.student_id,
                    control_form=form,
                    value=cell.value,
                    weight=form.weight,  # the weight of the day: later changes rewrite nothing
                    given_by=teacher,
                    given_at=now,
                )
            )
        elif cell.value is None:
            removed_ids.append(existing.pk)
        else:
            existing.value = cell.value
            existing.changed_at = now
            existing.save(update_fields=["value", "changed_at"])
            changed += 1
    Mark.objects.filter(pk__in=removed_ids).delete()
    Mark.objects.bulk_create(fresh)
    MarkChange.objects.bulk_create(history)

    added = [cell.student_id for cell in absence_changes if cell.absent]
    gone = [absent_now[cell.student_id].pk for cell in absence_changes if not cell.absent]
    Attendance.objects.bulk_create(
        Attendance(lesson=lesson, student_id=student_id, noted_by=teacher, noted_at=now)
        for student_id in added
    )
    Attendance.objects.filter(pk__in=gone).delete()

    # The families hear of the new marks from the worker (notify.py): one task row here.
    # Robust: the marks are saved by then, and a failed enqueue is logged, not a 500.
    news = [change.pk for change in history if change.new_value is not None]
    if news:
        transaction.on_commit(
            partial(tasks.send_mark_messages.enqueue, lesson.pk, news), robust=True
        )
    return LessonSaved(
        lesson=lesson,
        created=len(fresh),
        changed=changed,
        removed=len(removed_ids),
        absences_added=len(added),
        absences_removed=len(gone),
    )


def lesson_update(
    *,
    actor,
    lesson_id: int,
    topic: str,
    homework: str,
    planned_control_id: int | None,
    now: datetime | None = None,
) -> Lesson:
    """The lesson's topic, homework and the test announced for it. Homework set or changed
    (not cleared) is told to the families of the lesson's students by the worker."""
    teacher = selectors.teacher_of(actor)
    topic, homework = topic.strip(), homework.strip()
    if len(topic) > Lesson._meta.get_field("topic").max_length:
        raise Invalid("topic_too_long", _("Тема — не длиннее 300 знаков."), field="topic")
    if "\x00" in topic or "\x00" in homework:
        raise Invalid("bad_text", _("В тексте недопустимый символ."), field="homework")
    with transaction.atomic():
        lesson = selectors.lesson_for(teacher=teacher, lesson_id=lesson_id, lock=True)
        _writer_of(teacher, lesson)
        school_id = lesson.assignment.school_class.year.school_id
        planned = None
        if planned_control_id is not None:
            planned = ControlForm.objects.filter(pk=planned_control_id, school_id=school_id).first()
            if planned is None:
                raise Invalid(
                    "control_form_not_found",
                    _("Такой формы контроля в школе нет."),
                    field="planned_control",
                )
        homework_is_news = bool(homework) and homework != lesson.homework
        lesson.topic, lesson.homework, lesson.planned_control = topic, homework, planned
        lesson.save(update_fields=["topic", "homework", "planned_control", "updated_at"])
        if homework_is_news:
            transaction.on_commit(
                partial(tasks.send_homework_messages.enqueue, lesson.pk), robust=True
            )
        audit_record(
            actor=actor,
            action="school.lesson_update",
            target=lesson,
            planned_control=planned_control_id,
        )
    return lesson


def final_mark_set(
    *,
    actor,
    student_id: int,
    subject_id: int,
    period_id: int | None = None,
    year_id: int | None = None,
    value: int | None,
    now: datetime | None = None,
) -> FinalMark | None:
    """The teacher's mark for a period (`period_id`) or for the year (`year_id`); None
    removes it. The suggested mark is only shown beside; the teacher decides."""
    now = now or clock.now()
    teacher = selectors.teacher_of(actor)
    if (period_id is None) == (year_id is None):
        raise Invalid("period_or_year", _("Укажите период или учебный год."), field="period")
    if value is not None and not rules.is_mark(value):
        raise Invalid("mark_out_of_range", _("Оценка — число от 2 до 5."), field="value")
    with transaction.atomic():
        period, year = _period_or_year(period_id, year_id)
        span = period if period is not None else year
        starts_on, ends_on = span.starts_on, span.ends_on
        school_class = _class_marked_by(
            teacher, student_id, subject_id, year=year, starts_on=starts_on, ends_on=ends_on
        )
        if not rules.grade_has_marks(school_class.grade):
            raise Invalid(
                "first_grade_no_marks", _("В 1 классе оценки не ставятся."), field="value"
            )
        if not rules.may_change_period(
            period_ends_on=ends_on,
            today=clock.local_date(now),
            cutoff_days=settings.GOROD_SCHOOL_CHANGE_CUTOFF_DAYS,
            is_head_teacher=teacher.is_head_teacher,
        ):
            raise Forbidden("period_closed", _cutoff_message(), field="value")
        existing = (
            FinalMark.objects.select_for_update()
            .filter(student_id=student_id, subject_id=subject_id, year=year, period=period)
            .first()
        )
        old = existing.value if existing is not None else None
        final = _store_final_mark(
            existing,
            value,
            teacher=teacher,
            now=now,
            student_id=student_id,
            subject_id=subject_id,
            year=year,
            period=period,
        )
        audit_record(
            actor=actor,
            action="school.final_mark_set",
            target=final or school_class,
            student=student_id,
            subject=subject_id,
            period=period_id,
            year=year.pk,
            old=old,
            new=value,
        )
    return final


def _period_or_year(period_id: int | None, year_id: int | None) -> tuple[Period | None, SchoolYear]:
    """The period the mark is for with its year, or only the year for a year's mark."""
    if period_id is not None:
        period = Period.objects.select_related("year").filter(pk=period_id).first()
        if period is None:
            raise NotFound("period_not_found", _("Учебный период не найден."))
        return period, period.year
    year = SchoolYear.objects.filter(pk=year_id).first()
    if year is None:
        raise NotFound("period_not_found", _("Учебный год не найден."))
    return None, year


def _class_marked_by(
    teacher: Teacher,
    student_id: int,
    subject_id: int,
    *,
    year: SchoolYear,
    starts_on: date,
    ends_on: date,
) -> SchoolClass:
    """The student's class in the span where the teacher marks them in the subject; a
    student the teacher does not mark is not found, like one who is not there."""
    posts = selectors.posts_of(teacher)
    classes = SchoolClass.objects.filter(
        year=year,
        enrollments__student_id=student_id,
        enrollments__starts_on__lte=ends_on,
    ).exclude(enrollments__ends_on__lt=starts_on)
    school_class = next(
        (
            item
            for item in classes
            if rules.may_mark(
                posts=posts, class_id=item.pk, subject_id=subject_id, student_id=student_id
            )
        ),
        None,
    )
    if school_class is None:
        raise NotFound("student_not_found", _("Ученик не найден в ваших классах."))
    return school_class


def _store_final_mark(
    existing: FinalMark | None,
    value: int | None,
    *,
    teacher: Teacher,
    now: datetime,
    student_id: int,
    subject_id: int,
    year: SchoolYear,
    period: Period | None,
) -> FinalMark | None:
    """Create, change or (value None) remove the mark; the one there after, if any."""
    if value is None:
        if existing is not None:
            existing.delete()
        return None
    if existing is None:
        return FinalMark.objects.create(
            student_id=student_id,
            subject_id=subject_id,
            year=year,
            period=period,
            value=value,
            given_by=teacher,
            given_at=now,
        )
    existing.value, existing.given_by, existing.given_at = value, teacher, now
    existing.save(update_fields=["value", "given_by", "given_at"])
    return existing


def lessons_build(*, actor, school_class_id: int, date_from: date, date_to: date) -> int:
    """Lessons of a class from its timetable for the dates (idempotent): one per slot and
    date, skipping those already there (a moved or cancelled lesson stays as it is).
    Staff only (the demo and the school's office); returns how many were made."""
    if not (getattr(actor, "is_staff", False) or actor is None):
        raise Forbidden("staff_only", _("Уроки из расписания создаёт администрация."))
    if date_to < date_from:
        raise Invalid("bad_dates", _("Конец раньше начала."), field="date_to")
    with transaction.atomic():
        slots = [
            rules.WeeklySlot(
                key=(slot.assignment_id, slot.room),
                weekday=slot.weekday,
                bell=slot.bell,
                valid_from=slot.valid_from,
                valid_until=slot.valid_until,
            )
            for slot in TimetableSlot.objects.filter(assignment__school_class_id=school_class_id)
        ]
        existing = set(
            Lesson.objects.filter(
                assignment__school_class_id=school_class_id, date__range=(date_from, date_to)
            ).values_list("assignment_id", "date", "bell")
        )
        lessons = []
        day = date_from
        while day <= date_to:
            for slot in rules.slots_on(slots, day):
                assignment_id, room = slot.key
                if (assignment_id, day, slot.bell) not in existing:
                    lessons.append(
                        Lesson(assignment_id=assignment_id, date=day, bell=slot.bell, room=room)
                    )
            day += timedelta(days=1)
        Lesson.objects.bulk_create(lessons, ignore_conflicts=True)
        if actor is not None:
            audit_record(
                actor=actor,
                action="school.lessons_build",
                target=SchoolClass.objects.get(pk=school_class_id),
                date_from=date_from.isoformat(),
                date_to=date_to.isoformat(),
                made=len(lessons),
            )
    return len(lessons)
