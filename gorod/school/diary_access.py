"""Who may open whose diary, and the log of every look.

Who reads what (DOMAIN.md, "Electronic school diary"):
- a student (the Person behind the signed-in account) their own diary;
- a parent or guardian the children linked to them by `accounts.Guardianship`, the same
  link the medical record and the appointments use for "my children". Unlike the medical
  record there is no age limit: the limit of 15 there comes from the law on medical care
  (323-ФЗ), while a school reports to the parents until the child leaves it;
- the class teacher (классный руководитель) the students of the classes they lead, read
  only, and only the lessons of those classes.
Nobody else, and a student id outside the reader's reach is "not found", never
"forbidden", so ids reveal nothing. No delegation scope covers the diary (the scopes are
the appointments and the medical record), so a delegation opens nothing here.

Every look goes through `diary_open`, which decides and writes the audit row of the read
(`audit_read`: who looked at whose school data, as whom, which section) and, for a look by
the family, counts a use of the "school-diary" service. The reads (diary_selectors) take
the `DiaryAccess` it returns, so no read of a child's marks skips the log; a page or an
endpoint opens once and reads what it shows.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gorod.accounts.models import Guardianship, Person
from gorod.analytics.services import usage_record
from gorod.core.audit import audit_read
from gorod.core.clock import local_date
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.school.models import Assignment, Enrollment, Lesson, SchoolClass

SERVICE_SLUG = "school-diary"
AUDIT_ACTION = "school.diary_read"
FAMILY_ROLES = frozenset({"self", "guardian"})
ROLES = ("self", "guardian", "class_teacher")
SECTIONS = ("week", "subjects", "attendance", "file")
PERSON_FIELDS = ("id", "user_id", "last_name", "first_name", "middle_name", "birth_date")


def student_not_found() -> NotFound:
    return NotFound("student_not_found", _("Дневник ученика не найден."))


# --- who reads whose diary ------------------------------------------------------------


@dataclass(frozen=True)
class DiaryStudent:
    """A student in the reader's switch: the reader or a child of theirs."""

    person: Person
    relation: str  # "self" or "guardian"
    school_class: SchoolClass | None  # the class today, else the latest one


@dataclass(frozen=True)
class DiaryAccess:
    """An allowed, logged look at one student's diary, as one role."""

    actor: object
    student: Person
    role: str
    # The student's enrollments the reader sees (a class teacher: those in their classes),
    # with class, year and school loaded, oldest first.
    enrollments: tuple[Enrollment, ...]
    # The use counted for a family's look (None for a class teacher's): the rating
    # offered on the page names it.
    use_id: uuid.UUID | None

    @property
    def is_family(self) -> bool:
        return self.role in FAMILY_ROLES

    def enrollment_on(self, day: date) -> Enrollment:
        """The enrollment covering `day`, else the latest that began before it, else the
        first (a look in the summer shows the year just ended)."""
        covering = [
            enrollment
            for enrollment in self.enrollments
            if enrollment.starts_on <= day
            and (enrollment.ends_on is None or day <= enrollment.ends_on)
        ]
        if covering:
            return covering[-1]
        begun = [enrollment for enrollment in self.enrollments if enrollment.starts_on <= day]
        return (begun or list(self.enrollments))[-1]


def _current_class(enrollments: list[Enrollment], day: date) -> SchoolClass | None:
    if not enrollments:
        return None
    covering = [
        enrollment
        for enrollment in enrollments
        if enrollment.starts_on <= day and (enrollment.ends_on is None or day <= enrollment.ends_on)
    ]
    return (covering or enrollments)[-1].school_class


def children_of(*, actor, day: date | None = None) -> list[DiaryStudent]:
    """The diaries the reader opens as family: their own if they are a student, then
    their children who are (or were) enrolled in a school, eldest first. Two statements."""
    if not getattr(actor, "is_authenticated", False):
        return []
    day = day or local_date()
    wards = Guardianship.objects.filter(guardian__user_id=actor.pk).values("child_id")
    people = list(
        Person.objects.filter(Q(user_id=actor.pk) | Q(pk__in=wards))
        .filter(Exists(Enrollment.objects.filter(student_id=OuterRef("pk"))))
        .only(*PERSON_FIELDS)
        .order_by("birth_date", "id")
    )
    if not people:
        return []
    enrollments: dict[int, list[Enrollment]] = {person.pk: [] for person in people}
    for enrollment in (
        Enrollment.objects.filter(student_id__in=list(enrollments))
        .select_related("school_class__year__school")
        .order_by("starts_on", "id")
    ):
        enrollments[enrollment.student_id].append(enrollment)
    students = [
        DiaryStudent(
            person,
            "self" if person.user_id == actor.pk else "guardian",
            _current_class(enrollments[person.pk], day),
        )
        for person in people
    ]
    # The reader's own diary first, then the children eldest first.
    return sorted(students, key=lambda student: student.relation != "self")


@dataclass(frozen=True)
class ClassRoster:
    """A class the reader leads, with its students today, for the class teacher's way in."""

    school_class: SchoolClass
    students: list[Person]


def led_classes(*, actor, day: date | None = None) -> list[ClassRoster]:
    """The classes the reader leads as an active class teacher and the students enrolled
    in them on `day` (today), by class and name. One statement; listing names opens no
    diary and writes nothing."""
    if not getattr(actor, "is_authenticated", False):
        return []
    day = day or local_date()
    rosters: dict[int, ClassRoster] = {}
    for enrollment in (
        Enrollment.objects.filter(
            school_class__class_teacher__user_id=actor.pk,
            school_class__class_teacher__active=True,
            starts_on__lte=day,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("student", "school_class__year__school")
        .order_by(
            "school_class__grade",
            "school_class__letter",
            "student__last_name",
            "student__first_name",
            "student_id",
        )
    ):
        roster = rosters.setdefault(
            enrollment.school_class_id, ClassRoster(enrollment.school_class, [])
        )
        roster.students.append(enrollment.student)
    return list(rosters.values())


def _reader_role(actor, student_id: int) -> tuple[Person, str] | None:
    """The student and what the reader is to them, in one statement; None for nobody."""
    student = (
        Person.objects.filter(pk=student_id)
        .annotate(
            reader_is_guardian=Exists(
                Guardianship.objects.filter(child_id=OuterRef("pk"), guardian__user_id=actor.pk)
            ),
            reader_leads_class=Exists(
                Enrollment.objects.filter(
                    student_id=OuterRef("pk"),
                    school_class__class_teacher__user_id=actor.pk,
                    school_class__class_teacher__active=True,
                )
            ),
        )
        .only(*PERSON_FIELDS)
        .first()
    )
    if student is None:
        return None
    if student.user_id == actor.pk:
        return student, "self"
    if student.reader_is_guardian:
        return student, "guardian"
    if student.reader_leads_class:
        return student, "class_teacher"
    return None


def diary_open(*, actor, student_id, section: str, channel: str) -> DiaryAccess:
    """Decide whether `actor` may read this student's diary, and log the look.

    A refusal writes nothing and is "not found". An allowed look writes one audit row
    (every read of a child's school data is recorded) and, for the family, counts one use
    of the service.
    """
    if section not in SECTIONS:
        raise ValueError(f"unknown diary section {section!r}")
    if not getattr(actor, "is_authenticated", False) or not valid_id(student_id):
        raise student_not_found()
    found = _reader_role(actor, student_id)
    if found is None:
        raise student_not_found()
    student, role = found
    enrollments = Enrollment.objects.filter(student_id=student.pk)
    if role == "class_teacher":
        enrollments = enrollments.filter(
            school_class__class_teacher__user_id=actor.pk,
            school_class__class_teacher__active=True,
        )
    enrolled = tuple(
        enrollments.select_related("school_class__year__school").order_by("starts_on", "id")
    )
    if not enrolled:
        # A child of the reader who is in no school has no diary to show.
        raise student_not_found()
    audit_read(
        actor=actor,
        action=AUDIT_ACTION,
        target=student,
        section=section,
        role=role,
        channel=channel,
    )
    use_id = None
    if role in FAMILY_ROLES:
        use_id = usage_record(service=SERVICE_SLUG, actor=actor, action="open", channel=channel)
    return DiaryAccess(actor, student, role, enrolled, use_id)


def visible_lessons(access: DiaryAccess) -> QuerySet[Lesson]:
    """The lessons of the student's classes while enrolled in them, of the whole class or
    of the student's own subgroup (a language group of the other half is not theirs)."""
    in_class = Q()
    for enrollment in access.enrollments:
        span = Q(assignment__school_class_id=enrollment.school_class_id)
        span &= Q(date__gte=enrollment.starts_on)
        if enrollment.ends_on is not None:
            span &= Q(date__lte=enrollment.ends_on)
        in_class |= span
    members = Assignment.students.through.objects.filter(assignment_id=OuterRef("assignment_id"))
    whole_class = ~Exists(members)
    own_group = Exists(members.filter(person_id=access.student.pk))
    return Lesson.objects.filter(in_class).filter(whole_class | own_group)
