"""The diary's messages to families: new marks, and homework set or changed.

Composed by the worker (tasks.py), not in the teacher's request: a save leaves only ids
on commit, and the words are made here from the rows. Both topics are optional (the
citizen may take them once a day or not at all), registered when the app starts
(apps.py). Only verified guardians hear of a child.
"""

import hashlib
from collections import defaultdict
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.accounts.models import Guardianship, Person
from gorod.notifications.services import Draft, in_every_language, messages_enqueue
from gorod.notifications.topics import OptionalTopic
from gorod.school import journal_selectors as selectors
from gorod.school.models import Lesson, MarkChange

MARKS = OptionalTopic(
    code="school.marks",
    label=gettext_lazy("Оценки в электронном дневнике"),
    description=gettext_lazy("Новые и исправленные оценки ваших детей с формой контроля."),
)
HOMEWORK = OptionalTopic(
    code="school.homework",
    label=gettext_lazy("Домашние задания"),
    description=gettext_lazy("Задание, которое учитель задал или изменил на уроке ваших детей."),
)
# The message carries the homework's beginning; the diary has the whole of it.
HOMEWORK_SHOWN_CHARS = 200


def _guardians_of(child_ids) -> dict[int, list[int]]:
    """Child id → the ids of their verified guardians (a child without one is left out)."""
    guardians: dict[int, list[int]] = defaultdict(list)
    for guardian_id, child_id in Guardianship.objects.filter(
        child_id__in=child_ids, verified_at__isnull=False
    ).values_list("guardian_id", "child_id"):
        guardians[child_id].append(guardian_id)
    return guardians


def _week_link(student_id: int, day: date) -> str:
    """The child's diary at the week of the lesson."""
    query = urlencode({"student": student_id, "week": day.isoformat()})
    return f"{reverse('school:diary')}?{query}"


def _lesson(lesson_id: int) -> Lesson | None:
    return Lesson.objects.select_related("assignment__subject").filter(pk=lesson_id).first()


def marks_notify(*, lesson_id: int, change_ids: list[int]) -> int:
    """One message per child of the save to each verified guardian: the new and changed
    marks (the save's history rows `change_ids`). Returns how many are new."""
    lesson = _lesson(lesson_id)
    if lesson is None:
        return 0
    by_student: dict[int, list[MarkChange]] = defaultdict(list)
    for change in (
        MarkChange.objects.filter(pk__in=change_ids, lesson=lesson, new_value__isnull=False)
        .select_related("control_form")
        .order_by("pk")
    ):
        by_student[change.student_id].append(change)
    guardians = _guardians_of(list(by_student))
    children = Person.objects.in_bulk(list(guardians))
    subject = lesson.assignment.subject
    drafts = []
    for child_id, guardian_ids in guardians.items():
        changes = by_student[child_id]
        child = children[child_id]

        def compose(changes=changes, child=child) -> tuple[str, str]:
            marks = ", ".join(
                f"{change.new_value} ({change.control_form.name})" for change in changes
            )
            return _("Новые оценки: %(subject)s") % {"subject": subject.name}, _(
                "%(child)s, %(subject)s, урок %(date)s: %(marks)s."
            ) % {
                "child": child.full_name,
                "subject": subject.name,
                "date": f"{lesson.date:%d.%m.%Y}",
                "marks": marks,
            }

        texts = in_every_language(compose)
        last_change = max(change.pk for change in changes)
        link = _week_link(child_id, lesson.date)
        drafts.extend(
            Draft(guardian_id, f"{MARKS.code}:{last_change}:{guardian_id}", texts, link)
            for guardian_id in guardian_ids
        )
    return messages_enqueue(topic=MARKS.code, drafts=drafts) if drafts else 0


def homework_notify(*, lesson_id: int) -> int:
    """The lesson's homework as it stands now, to the verified guardians of the students
    who attend the lesson (in its class on its date and, for a subgroup, in it). Keyed by
    the text: the same homework saved again tells nobody twice. Returns how many are new."""
    lesson = _lesson(lesson_id)
    if lesson is None or not lesson.homework:
        return 0
    students = {student.pk: student for student in selectors.lesson_students(lesson)}
    guardians = _guardians_of(list(students))
    subject = lesson.assignment.subject
    shown = Truncator(lesson.homework).chars(HOMEWORK_SHOWN_CHARS)
    text_key = hashlib.sha256(lesson.homework.encode()).hexdigest()[:16]
    drafts = []
    for child_id, guardian_ids in guardians.items():
        child = students[child_id]

        def compose(child=child) -> tuple[str, str]:
            return _("Домашнее задание: %(subject)s") % {"subject": subject.name}, _(
                "%(child)s, %(subject)s, урок %(date)s: %(homework)s"
            ) % {
                "child": child.full_name,
                "subject": subject.name,
                "date": f"{lesson.date:%d.%m.%Y}",
                "homework": shown,
            }

        texts = in_every_language(compose)
        link = _week_link(child_id, lesson.date)
        drafts.extend(
            Draft(
                guardian_id,
                f"{HOMEWORK.code}:{lesson.pk}:{text_key}:{child_id}:{guardian_id}",
                texts,
                link,
            )
            for guardian_id in guardian_ids
        )
    return messages_enqueue(topic=HOMEWORK.code, drafts=drafts) if drafts else 0
