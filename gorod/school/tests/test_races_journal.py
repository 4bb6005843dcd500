"""Saves of one lesson at once, for real: threads with their own database connections.

On PostgreSQL the saves truly overlap and the lesson's row lock queues them; on SQLite the
IMMEDIATE transactions queue. Either way no mark is lost silently: saves of different
cells all land, saves of the same cell leave one value and refuse the others with
`stale_mark`, and the history has one row per mark that was written.
Run on PostgreSQL with DATABASE_URL=postgres://… (make test does).
"""

from collections import Counter

import pytest

from gorod.accounts.tests.factories import ChildFactory
from gorod.core.tests.races import race
from gorod.school import services
from gorod.school.models import Mark, MarkChange
from gorod.school.services import MarkCell
from gorod.school.tests.factories import EnrollmentFactory, MarkFactory
from gorod.school.tests.journal_world import LESSON_EVENING, build_world

THREADS = 20


@pytest.fixture
def lesson_world(transactional_catalog):
    world = build_world()
    # The mathematics teacher is away; a colleague substitutes and marks the same lesson.
    world.lesson.substitute = world.other_teacher
    world.lesson.save()
    return world


def save(world, actor, cells):
    return services.lesson_marks_save(
        actor=actor, lesson_id=world.lesson.pk, cells=cells, now=LESSON_EVENING
    )


@pytest.mark.django_db(transaction=True)
def test_two_teachers_marking_different_students_at_once_keep_both(lesson_world):
    world = lesson_world
    first, second = world.students[:2]
    plans = [
        (world.teacher.user, MarkCell(first.pk, world.answer.pk, 5)),
        (world.other_teacher.user, MarkCell(second.pk, world.answer.pk, 4)),
    ] * 5  # five rounds of the same pair: saves of unchanged cells are no change

    def work(index):
        actor, cell = plans[index]
        return save(world, actor, [cell]).created

    results = race(work, threads=len(plans))
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 2
    assert sorted(Mark.objects.values_list("student_id", "value")) == sorted(
        [(first.pk, 5), (second.pk, 4)]
    )
    assert MarkChange.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_class_of_saves_at_once_loses_no_mark(lesson_world):
    world = lesson_world
    students = [ChildFactory() for _ in range(THREADS)]
    for student in students:
        EnrollmentFactory(student=student, school_class=world.school_class)

    def work(index):
        actor = world.teacher.user if index % 2 else world.other_teacher.user
        return save(world, actor, [MarkCell(students[index].pk, world.test.pk, 2 + index % 4)])

    results = race(work, threads=THREADS)
    assert all(not isinstance(result, str) for result in results), results
    marks = dict(Mark.objects.values_list("student_id", "value"))
    assert marks == {student.pk: 2 + index % 4 for index, student in enumerate(students)}
    assert MarkChange.objects.count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_different_values_in_one_empty_cell_leave_one_and_refuse_the_rest(lesson_world):
    world = lesson_world
    first = world.first

    def work(index):
        actor = world.teacher.user if index % 2 else world.other_teacher.user
        # 2, 3, 4, 5, 2, 3, …: the same value twice is no change, another value is stale.
        save(world, actor, [MarkCell(first.pk, world.answer.pk, 2 + index % 4)])
        return 2 + index % 4

    results = race(work, threads=THREADS)
    written = Mark.objects.get(student=first)
    saved = [result for result in results if isinstance(result, int)]
    refused = [result for result in results if not isinstance(result, int)]
    assert set(refused) <= {"stale_mark"}, refused
    # Whoever saved wrote the value now in the cell; nobody's value vanished unnoticed.
    assert set(saved) == {written.value}
    assert len(refused) == THREADS - saved.count(written.value)
    assert list(MarkChange.objects.values_list("old_value", "new_value")) == [(None, written.value)]


@pytest.mark.django_db(transaction=True)
def test_edits_of_one_mark_at_once_apply_one_and_refuse_the_others(lesson_world):
    world = lesson_world
    MarkFactory(lesson=world.lesson, student=world.first, control_form=world.answer, value=3)

    def work(index):
        actor = world.teacher.user if index % 2 else world.other_teacher.user
        value = 4 if index % 2 else 5
        save(world, actor, [MarkCell(world.first.pk, world.answer.pk, value, expected=3)])
        return value

    results = race(work, threads=THREADS)
    outcome = Counter(results)
    mark = Mark.objects.get()
    # The first save applies; those with the same value find nothing to change; the
    # others saw 3, which is no longer there: refused, not silently overwritten.
    assert outcome["stale_mark"] == THREADS // 2
    assert outcome[mark.value] == THREADS // 2
    assert mark.changed_at is not None
    assert list(MarkChange.objects.values_list("old_value", "new_value")) == [(3, mark.value)]
