"""The families' messages: new marks and homework, enqueued on commit as one task row with
ids only and composed by the worker; homework only to the guardians of the lesson's own
students; each optional, as the guardian chose."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.notifications.models import DigestItem, Message, TopicPreference
from gorod.school import services, tasks
from gorod.school.models import MarkChange
from gorod.school.services import MarkCell
from gorod.school.tests.factories import AssignmentFactory, EnrollmentFactory, LessonFactory
from gorod.school.tests.journal_world import LESSON_EVENING, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


def guardian_of(child, *, verified: bool = True):
    guardian = PersonFactory()
    Guardianship.objects.create(
        guardian=guardian,
        child=child,
        kind="parent",
        verified_at=timezone.now() if verified else None,
    )
    return guardian


def set_homework(world, homework: str, *, lesson=None, commit):
    with commit(execute=True):
        services.lesson_update(
            actor=world.teacher.user,
            lesson_id=(lesson or world.lesson).pk,
            topic="Дроби",
            homework=homework,
            planned_control_id=None,
        )


def told(topic: str = "school.homework") -> set[int]:
    return set(Message.objects.filter(topic=topic).values_list("person_id", flat=True))


def test_homework_goes_to_the_verified_guardians_of_the_lesson_s_students_only(
    world, django_capture_on_commit_callbacks
):
    second_parent = guardian_of(world.students[1])
    guardian_of(world.students[2], verified=False)
    other_class_student = ChildFactory()
    EnrollmentFactory(student=other_class_student, school_class=world.other_class)
    guardian_of(other_class_student)
    left_before = ChildFactory()
    EnrollmentFactory(
        student=left_before,
        school_class=world.school_class,
        ends_on=world.lesson.date - timedelta(days=1),
    )
    guardian_of(left_before)

    set_homework(world, "№ 12, 14", commit=django_capture_on_commit_callbacks)

    # Not the unverified guardian, the other class's parent, nor one whose child left before.
    assert told() == {world.guardian.pk, second_parent.pk}
    message = Message.objects.get(person=world.guardian)
    assert message.subject == "Домашнее задание: Математика"
    assert message.body == f"{world.first.full_name}, Математика, урок 14.09.2026: № 12, 14"
    assert message.subject_en == "Homework: Математика"
    assert message.link == f"/school/?student={world.first.pk}&week=2026-09-14"


def test_a_subgroup_s_homework_reaches_only_the_subgroup_s_families(
    world, django_capture_on_commit_callbacks
):
    english = AssignmentFactory(
        teacher=world.teacher,
        school_class=world.school_class,
        subject__name="Английский язык",
        subgroup="1",
    )
    english.students.set(world.students[1:])
    lesson = LessonFactory(assignment=english, date=world.lesson.date, bell=4)
    in_subgroup = guardian_of(world.students[1])
    set_homework(world, "Unit 3", lesson=lesson, commit=django_capture_on_commit_callbacks)
    assert told() == {in_subgroup.pk}  # not the first student's guardian


def test_the_same_homework_is_told_once_a_new_text_again_and_a_cleared_one_not(
    world, django_capture_on_commit_callbacks
):
    commit = django_capture_on_commit_callbacks
    set_homework(world, "№ 12", commit=commit)
    set_homework(world, "№ 12", commit=commit)  # saved again unchanged: no task either
    assert Message.objects.filter(topic="school.homework").count() == 1
    set_homework(world, "", commit=commit)
    assert Message.objects.filter(topic="school.homework").count() == 1
    set_homework(world, "№ 12", commit=commit)  # back to a text already told
    assert Message.objects.filter(topic="school.homework").count() == 1
    set_homework(world, "№ 12 и 13", commit=commit)
    assert Message.objects.filter(topic="school.homework").count() == 2


def test_long_homework_is_shortened_in_the_message(world, django_capture_on_commit_callbacks):
    set_homework(world, "Читать " * 100, commit=django_capture_on_commit_callbacks)
    body = Message.objects.get().body
    assert body.endswith("…")
    assert len(body) < 300


def test_the_save_leaves_one_task_row_with_ids_and_composes_nothing(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_marks_save(
            actor=world.teacher.user,
            lesson_id=world.lesson.pk,
            cells=[MarkCell(world.first.pk, world.answer.pk, 5)],
            now=LESSON_EVENING,
        )
    assert not Message.objects.exists()
    row = DBTaskResult.objects.get()
    change = MarkChange.objects.get()
    assert row.task_path == "gorod.school.tasks.send_mark_messages"
    assert row.args_kwargs == {"args": [world.lesson.pk, [change.pk]], "kwargs": {}}
    # What the worker then runs.
    tasks.send_mark_messages.call(*row.args_kwargs["args"])
    assert told("school.marks") == {world.guardian.pk}

    set_homework(world, "№ 12", commit=django_capture_on_commit_callbacks)
    assert not Message.objects.filter(topic="school.homework").exists()
    row = DBTaskResult.objects.get(task_path="gorod.school.tasks.send_homework_messages")
    assert row.args_kwargs == {"args": [world.lesson.pk], "kwargs": {}}


@pytest.mark.parametrize(
    ("delivery", "messages", "held"), [("at_once", 1, 0), ("digest", 0, 1), ("off", 0, 0)]
)
def test_the_guardian_s_choice_decides_how_marks_and_homework_come(
    world, django_capture_on_commit_callbacks, delivery, messages, held
):
    for topic in ("school.marks", "school.homework"):
        TopicPreference.objects.create(person=world.guardian, topic=topic, delivery=delivery)
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_marks_save(
            actor=world.teacher.user,
            lesson_id=world.lesson.pk,
            cells=[MarkCell(world.first.pk, world.answer.pk, 5)],
            now=LESSON_EVENING,
        )
    set_homework(world, "№ 12", commit=django_capture_on_commit_callbacks)
    for topic in ("school.marks", "school.homework"):
        assert Message.objects.filter(topic=topic).count() == messages
        assert DigestItem.objects.filter(topic=topic, person=world.guardian).count() == held
