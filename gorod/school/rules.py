"""The school diary's rules: plain functions of plain values (DOMAIN.md, "Electronic school
diary"). No ORM, no clock: the caller passes today and the facts.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

MARK_MIN, MARK_MAX = 2, 5
# Grade 1 is taught without marks.
FIRST_MARKED_GRADE = 2
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Thresholds:
    """The averages at or above which a period mark of 5, 4 and 3 is suggested."""

    five: Decimal
    four: Decimal
    three: Decimal

    @classmethod
    def parse(cls, text: str) -> "Thresholds":
        """From the setting's "4.60,3.60,2.60"; refuses thresholds out of order."""
        parts = text.split(",")
        if len(parts) != 3:
            raise ValueError(f"thresholds are three numbers, for 5, 4 and 3: {text!r}")
        five, four, three = (Decimal(part.strip()) for part in parts)
        thresholds = cls(five=five, four=four, three=three)
        if not (Decimal(MARK_MIN) <= three < four < five <= Decimal(MARK_MAX)):
            raise ValueError(f"thresholds must rise within 2..5: {text!r}")
        return thresholds


def is_mark(value: int) -> bool:
    return MARK_MIN <= value <= MARK_MAX


def grade_has_marks(grade: int) -> bool:
    return grade >= FIRST_MARKED_GRADE


def weighted_average(marks: Iterable[tuple[int, int]]) -> Decimal | None:
    """Σ(mark·weight) / Σ(weight) over (mark, weight) pairs, to two decimals (half up, as a
    school rounds); None without a mark: a missing mark is not a zero."""
    total = weights = 0
    for value, weight in marks:
        total += value * weight
        weights += weight
    if weights == 0:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def suggested_mark(average: Decimal | None, thresholds: Thresholds) -> int | None:
    """The period mark the average suggests; the teacher decides. None without marks."""
    if average is None:
        return None
    if average >= thresholds.five:
        return 5
    if average >= thresholds.four:
        return 4
    if average >= thresholds.three:
        return 3
    return 2


def may_change_period(
    *, period_ends_on: date, today: date, cutoff_days: int, is_head_teacher: bool
) -> bool:
    """A teacher changes marks of a period until `cutoff_days` after it ends; afterwards
    only the head teacher (завуч) may."""
    return is_head_teacher or today <= period_ends_on + timedelta(days=cutoff_days)


@dataclass(frozen=True)
class TeachingPost:
    """One assignment of a teacher: a subject in a class, to some of its students (a
    subgroup) or to all (students empty)."""

    class_id: int
    subject_id: int
    students: frozenset[int] = frozenset()


def may_mark(
    *, posts: Iterable[TeachingPost], class_id: int, subject_id: int, student_id: int
) -> bool:
    """Whether a teacher with these posts marks this student in this subject: the teacher
    teaches the subject in the student's class, to the whole class or to the student's
    subgroup."""
    return any(
        post.class_id == class_id
        and post.subject_id == subject_id
        and (not post.students or student_id in post.students)
        for post in posts
    )


@dataclass(frozen=True)
class WeeklySlot:
    """A lesson of the timetable: weekday 1 (Monday) … 6, valid from one date until another."""

    key: object
    weekday: int
    bell: int
    valid_from: date
    valid_until: date | None = None


def slots_on(slots: Iterable[WeeklySlot], day: date) -> list[WeeklySlot]:
    """The timetable's lessons on a date, in bell order (no lessons on Sunday)."""
    weekday = day.isoweekday()
    return sorted(
        (
            slot
            for slot in slots
            if slot.weekday == weekday
            and slot.valid_from <= day
            and (slot.valid_until is None or day <= slot.valid_until)
        ),
        key=lambda slot: slot.bell,
    )


def week_of(day: date) -> tuple[date, date]:
    """Monday and Saturday of the school week holding `day` (Sunday belongs to the week
    it ends)."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return monday, monday + timedelta(days=5)


@dataclass(frozen=True)
class Attendance:
    lessons: int
    absent: int
    excused: int

    @property
    def unexcused(self) -> int:
        return self.absent - self.excused

    @property
    def present_share(self) -> Decimal | None:
        """The share of lessons attended, in per cent to one decimal; None without lessons."""
        if self.lessons == 0:
            return None
        attended = Decimal(self.lessons - self.absent) * 100 / Decimal(self.lessons)
        return attended.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def attendance(*, lessons_held: int, absences: Iterable[bool]) -> Attendance:
    """Figures over the lessons held (cancelled ones are not lessons); `absences` are the
    "н" of those lessons, each true when excused."""
    flags = list(absences)
    if len(flags) > lessons_held:
        raise ValueError("more absences than lessons")
    return Attendance(lessons=lessons_held, absent=len(flags), excused=sum(flags))
