"""The journal's writes: a lesson's marks all or nothing, history, the cut-off, who may."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from gorod.accounts.tests.factories import ChildFactory, UserFactory
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound
from gorod.core.models import AuditEvent
from gorod.notifications.models import Message
from gorod.school import journal_selectors as selectors
from gorod.school import services
from gorod.school.models import (
    Attendance,
    Exemption,
    FinalMark,
    Lesson,
    Mark,
    MarkChange,
)
from gorod.school.services import AbsenceCell, MarkCell
from gorod.school.tests.factories import (
    MOSCOW,
    AssignmentFactory,
    EnrollmentFactory,
    LessonFactory,
    MarkFactory,
    SchoolClassFactory,
    TimetableSlotFactory,
)
from gorod.school.tests.journal_world import AFTER_CUTOFF, LESSON_EVENING, build_world, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


def save(world, cells=(), absences=(), *, actor=None, now=LESSON_EVENING, lesson=None):
    return services.lesson_marks_save(
        actor=actor or world.teacher.user,
        lesson_id=(lesson or world.lesson).pk,
        cells=cells,
        absences=absences,
        now=now,
    )


def nothing_written() -> bool:
    return not (
        Mark.objects.exists()
        or MarkChange.objects.exists()
        or Attendance.objects.exists()
        or AuditEvent.objects.filter(action__startswith="school.")
        .exclude(action__endswith="_read")
        .exists()
    )


def test_a_class_s_marks_saved_at_once_with_weights_history_and_audit(world):
    first, second, third = world.students
    result = save(
        world,
        [
            MarkCell(first.pk, world.answer.pk, 5),
            MarkCell(first.pk, world.test.pk, 4),
            MarkCell(second.pk, world.test.pk, 3),
        ],
        [AbsenceCell(third.pk, True)],
    )
    assert (result.created, result.changed, result.removed, result.absences_added) == (3, 0, 0, 1)
    weights = sorted(Mark.objects.values_list("student_id", "value", "weight"))
    assert weights == sorted([(first.pk, 5, 1), (first.pk, 4, 4), (second.pk, 3, 4)])
    assert all(
        mark.given_by == world.teacher and mark.changed_at is None for mark in Mark.objects.all()
    )
    assert sorted(MarkChange.objects.values_list("old_value", "new_value")) == [
        (None, 3),
        (None, 4),
        (None, 5),
    ]
    assert Attendance.objects.get().student == third
    event = AuditEvent.objects.get(action="school.lesson_marks_save")
    assert event.target_id == str(world.lesson.pk)
    assert event.data["created"] == 3


def test_one_bad_cell_saves_nothing_and_names_the_cell_and_the_student(world):
    first, second, _third = world.students
    with pytest.raises(Invalid) as refused:
        save(
            world,
            [
                MarkCell(first.pk, world.answer.pk, 5),
                MarkCell(second.pk, world.answer.pk, 4),
                MarkCell(second.pk, world.test.pk, 6),
            ],
        )
    assert refused.value.field == "cells[2]"
    assert refused.value.code == "mark_out_of_range"
    assert "Борисова Вера" in str(refused.value.message)
    assert [issue["location"] for issue in refused.value.details["errors"]] == ["cells[2]"]
    assert nothing_written()


def test_every_bad_cell_is_listed(world):
    stranger = ChildFactory()
    with pytest.raises(Invalid) as refused:
        save(
            world,
            [
                MarkCell(world.first.pk, world.answer.pk, 1),
                MarkCell(stranger.pk, world.answer.pk, 5),
                MarkCell(world.first.pk, 999_999, 5),
            ],
        )
    issues = refused.value.details["errors"]
    assert [(issue["location"], issue["type"]) for issue in issues] == [
        ("cells[0]", "mark_out_of_range"),
        ("cells[1]", "student_not_in_lesson"),
        ("cells[2]", "control_form_not_found"),
    ]
    # A student of no class of the teacher's is named by number, not by name.
    assert stranger.last_name not in issues[1]["message"]
    assert nothing_written()


def test_an_edit_keeps_history_and_shows_changed(world):
    first = world.first
    save(world, [MarkCell(first.pk, world.answer.pk, 3)])
    later = LESSON_EVENING + timedelta(hours=1)
    result = save(world, [MarkCell(first.pk, world.answer.pk, 4, expected=3)], now=later)
    assert result.changed == 1
    mark = Mark.objects.get()
    assert mark.value == 4
    assert mark.changed_at == later
    assert list(MarkChange.objects.values_list("old_value", "new_value", "changed_by")) == [
        (None, 3, world.teacher.pk),
        (3, 4, world.teacher.pk),
    ]
    result = save(world, [MarkCell(first.pk, world.answer.pk, None, expected=4)], now=later)
    assert result.removed == 1
    assert not Mark.objects.exists()
    assert MarkChange.objects.last().new_value is None


def test_a_stale_edit_is_a_conflict_naming_the_cell(world):
    first = world.first
    save(world, [MarkCell(first.pk, world.answer.pk, 3)])
    with pytest.raises(Conflict) as refused:
        # The teacher's page still showed the cell empty.
        save(world, [MarkCell(first.pk, world.answer.pk, 5, expected=None)])
    assert refused.value.code == "stale_mark"
    assert refused.value.field == "cells[0]"
    assert "Алексеев Антон" in str(refused.value.message)
    assert Mark.objects.get().value == 3
    assert MarkChange.objects.count() == 1


def test_the_same_value_already_there_is_no_change(world):
    save(world, [MarkCell(world.first.pk, world.answer.pk, 5)])
    result = save(world, [MarkCell(world.first.pk, world.answer.pk, 5)])
    assert result.created == result.changed == 0
    assert MarkChange.objects.count() == 1


def test_after_the_cutoff_a_teacher_is_refused_and_the_head_teacher_allowed(world):
    with pytest.raises(Invalid) as refused:
        save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], now=AFTER_CUTOFF)
    assert refused.value.code == "period_closed"
    assert nothing_written()
    world.teacher.is_head_teacher = True
    world.teacher.save()
    save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], now=AFTER_CUTOFF)
    assert Mark.objects.get().value == 5


def test_within_the_cutoff_days_after_the_period_a_teacher_still_may(world):
    within = datetime(2026, 10, 30, 12, 0, tzinfo=MOSCOW)  # quarter ended 26.10, cut-off 5
    save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], now=within)
    assert Mark.objects.count() == 1


def test_grade_one_gets_no_marks_but_absences(world):
    first_grade = SchoolClassFactory(year=world.school_class.year, grade=1, letter="А")
    assignment = AssignmentFactory(
        teacher=world.teacher, subject=world.maths, school_class=first_grade
    )
    pupil = ChildFactory()
    EnrollmentFactory(student=pupil, school_class=first_grade)
    lesson = LessonFactory(assignment=assignment, date=world.lesson.date, bell=1)
    with pytest.raises(Invalid) as refused:
        save(world, [MarkCell(pupil.pk, world.answer.pk, 5)], lesson=lesson)
    assert refused.value.code == "first_grade_no_marks"
    assert refused.value.field == "cells[0]"
    assert nothing_written()
    save(world, absences=[AbsenceCell(pupil.pk, True)], lesson=lesson)
    assert Attendance.objects.get().student == pupil


def test_an_absent_student_is_not_marked_in_that_lesson(world):
    first = world.first
    with pytest.raises(Invalid) as refused:
        save(world, [MarkCell(first.pk, world.answer.pk, 5)], [AbsenceCell(first.pk, True)])
    assert refused.value.code == "student_absent"
    assert nothing_written()
    save(world, [MarkCell(first.pk, world.answer.pk, 5)])
    with pytest.raises(Invalid) as refused:
        save(world, absences=[AbsenceCell(first.pk, True)])
    assert refused.value.code == "absent_has_mark"
    assert refused.value.field == "absences[0]"
    # Removing the mark and putting the "н" in one save is fine.
    save(
        world,
        [MarkCell(first.pk, world.answer.pk, None, expected=5)],
        [AbsenceCell(first.pk, True)],
    )
    assert not Mark.objects.exists()
    assert Attendance.objects.get().student == first


def test_an_exempt_student_is_not_marked(world):
    Exemption.objects.create(
        student=world.first,
        subject=world.maths,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 9, 30),
        reason="справка",
    )
    with pytest.raises(Invalid) as refused:
        save(world, [MarkCell(world.first.pk, world.answer.pk, 5)])
    assert refused.value.code == "student_exempt"
    assert nothing_written()


def test_a_student_who_left_the_class_before_the_lesson_is_not_marked(world):
    leaver = ChildFactory(last_name="Ушедший")
    EnrollmentFactory(student=leaver, school_class=world.school_class, ends_on=date(2026, 9, 10))
    with pytest.raises(Invalid) as refused:
        save(world, [MarkCell(leaver.pk, world.answer.pk, 5)])
    assert refused.value.code == "student_not_in_lesson"
    assert "Ушедший" in str(refused.value.message)  # was in the class: named
    assert nothing_written()


def test_a_subgroup_lesson_marks_its_own_students_only(world):
    english = AssignmentFactory(
        teacher=world.teacher,
        school_class=world.school_class,
        subject__name="Английский язык",
        subgroup="1",
    )
    english.students.set(world.students[:2])
    lesson = LessonFactory(assignment=english, date=world.lesson.date, bell=4)
    save(world, [MarkCell(world.students[1].pk, world.answer.pk, 4)], lesson=lesson)
    with pytest.raises(Invalid) as refused:
        save(world, [MarkCell(world.students[2].pk, world.answer.pk, 4)], lesson=lesson)
    assert refused.value.code == "student_not_in_lesson"
    assert Mark.objects.count() == 1


@pytest.mark.parametrize("who", ["other_teacher", "student", "guardian", "nobody", "stranger"])
def test_outsiders_find_no_lesson_and_write_nothing(world, who):
    actor = {
        "other_teacher": world.other_teacher.user,
        "student": world.student_user,
        "guardian": world.guardian.user,
        "stranger": UserFactory(),
        "nobody": None,
    }[who]
    if actor is None:
        actor = AnonymousUser()
    with pytest.raises(NotFound):
        save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], actor=actor)
    with pytest.raises(NotFound):
        services.lesson_update(
            actor=actor, lesson_id=world.lesson.pk, topic="x", homework="y", planned_control_id=None
        )
    assert nothing_written()
    assert Lesson.objects.get(pk=world.lesson.pk).topic == ""


def test_the_class_teacher_reads_but_marks_only_own_subjects(world):
    sheet = selectors.lesson_sheet(
        actor=world.class_teacher.user, lesson_id=world.lesson.pk, today=LESSON_EVENING.date()
    )
    assert not sheet.writes
    assert len(sheet.students) == 3
    with pytest.raises(Forbidden):
        save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], actor=world.class_teacher.user)
    assert nothing_written()
    save(
        world,
        [MarkCell(world.first.pk, world.answer.pk, 5)],
        actor=world.class_teacher.user,
        lesson=world.russian_lesson,
    )
    assert Mark.objects.get().lesson == world.russian_lesson


def test_a_teacher_of_the_subject_in_another_class_cannot_mark_here(world):
    other_lesson = LessonFactory(
        assignment=world.other_class.assignments.get(), date=world.lesson.date, bell=1
    )
    with pytest.raises(NotFound):
        save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], lesson=other_lesson)
    assert nothing_written()


def test_a_substitute_gives_the_lesson_and_marks(world):
    world.lesson.substitute = world.other_teacher
    world.lesson.save()
    save(world, [MarkCell(world.first.pk, world.answer.pk, 4)], actor=world.other_teacher.user)
    assert Mark.objects.get().given_by == world.other_teacher


def test_guardians_hear_of_new_marks_once_per_save(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        save(
            world,
            [
                MarkCell(world.first.pk, world.answer.pk, 5),
                MarkCell(world.first.pk, world.test.pk, 4),
                MarkCell(world.students[1].pk, world.test.pk, 4),  # no guardian on file
            ],
        )
    message = Message.objects.get()
    assert message.person == world.guardian
    assert "Математика" in message.subject
    assert "5 (ответ на уроке)" in message.body
    assert "4 (контрольная работа)" in message.body


def test_lesson_update_sets_topic_homework_and_the_announced_test(world):
    lesson = services.lesson_update(
        actor=world.teacher.user,
        lesson_id=world.lesson.pk,
        topic="  Дроби ",
        homework="№ 12, 14",
        planned_control_id=world.test.pk,
    )
    assert (lesson.topic, lesson.homework, lesson.planned_control) == (
        "Дроби",
        "№ 12, 14",
        world.test,
    )
    assert AuditEvent.objects.filter(action="school.lesson_update").count() == 1
    other_school_form = build_world().answer
    with pytest.raises(Invalid):
        services.lesson_update(
            actor=world.teacher.user,
            lesson_id=world.lesson.pk,
            topic="x",
            homework="",
            planned_control_id=other_school_form.pk,
        )


def test_final_mark_set_changes_and_removes(world):
    final = services.final_mark_set(
        actor=world.teacher.user,
        student_id=world.first.pk,
        subject_id=world.maths.pk,
        period_id=world.quarter.pk,
        value=5,
        now=LESSON_EVENING,
    )
    assert final.value == 5
    assert final.period == world.quarter
    services.final_mark_set(
        actor=world.teacher.user,
        student_id=world.first.pk,
        subject_id=world.maths.pk,
        year_id=world.school_class.year_id,
        value=4,
        now=LESSON_EVENING,
    )
    assert FinalMark.objects.count() == 2
    with pytest.raises(Forbidden):
        services.final_mark_set(
            actor=world.teacher.user,
            student_id=world.first.pk,
            subject_id=world.maths.pk,
            period_id=world.quarter.pk,
            value=4,
            now=AFTER_CUTOFF,
        )
    with pytest.raises(NotFound):
        services.final_mark_set(
            actor=world.other_teacher.user,
            student_id=world.first.pk,
            subject_id=world.maths.pk,
            period_id=world.quarter.pk,
            value=2,
            now=LESSON_EVENING,
        )
    services.final_mark_set(
        actor=world.teacher.user,
        student_id=world.first.pk,
        subject_id=world.maths.pk,
        period_id=world.quarter.pk,
        value=None,
        now=LESSON_EVENING,
    )
    assert FinalMark.objects.get().period is None


def test_the_grid_has_averages_and_suggested_marks(world):
    first, second, _third = world.students
    save(world, [MarkCell(first.pk, world.test.pk, 5), MarkCell(second.pk, world.answer.pk, 2)])
    later = LessonFactory(assignment=world.assignment, date=date(2026, 9, 15), bell=1)
    save(world, [MarkCell(first.pk, world.answer.pk, 3)], lesson=later)
    grid = selectors.journal_grid(
        actor=world.teacher.user,
        class_id=world.school_class.pk,
        subject_id=world.maths.pk,
        today=LESSON_EVENING.date(),
    )
    assert grid.period == world.quarter
    assert grid.writes
    assert [lesson.pk for lesson in grid.lessons] == [world.lesson.pk, later.pk]
    rows = {row.student.pk: row for row in grid.rows}
    # 5 w4 + 3 w1 = 23/5 = 4.60: suggests 5 at the default thresholds
    assert str(rows[first.pk].average) == "4.60"
    assert rows[first.pk].suggested == 5
    assert rows[second.pk].suggested == 2
    assert rows[world.students[2].pk].average is None
    with pytest.raises(NotFound):
        selectors.journal_grid(
            actor=world.other_teacher.user,
            class_id=world.school_class.pk,
            subject_id=world.maths.pk,
            today=LESSON_EVENING.date(),
        )


def test_lessons_build_is_idempotent(world, admin_user):
    TimetableSlotFactory(assignment=world.assignment, weekday=1, bell=1)
    TimetableSlotFactory(assignment=world.assignment, weekday=3, bell=2)
    made = services.lessons_build(
        actor=admin_user,
        school_class_id=world.school_class.pk,
        date_from=date(2026, 9, 14),
        date_to=date(2026, 9, 27),
    )
    assert made == 4
    assert (
        services.lessons_build(
            actor=admin_user,
            school_class_id=world.school_class.pk,
            date_from=date(2026, 9, 14),
            date_to=date(2026, 9, 27),
        )
        == 0
    )
    with pytest.raises(Forbidden):
        services.lessons_build(
            actor=world.teacher.user,
            school_class_id=world.school_class.pk,
            date_from=date(2026, 9, 14),
            date_to=date(2026, 9, 27),
        )


# Teacher, savepoint, locked lesson, subgroup, enrollments, students, control forms, marks,
# absences, exemptions, posts, period, the marks' and the history's inserts, audit,
# release: the same for 3 students or 30.
SAVE_MAX_QUERIES = 16


def test_a_class_s_save_costs_the_same_queries_however_many_students(world):
    pupils = [ChildFactory() for _ in range(25)]
    for pupil in pupils:
        EnrollmentFactory(student=pupil, school_class=world.school_class)
    with CaptureQueriesContext(connection) as queries:
        result = save(world, [MarkCell(pupil.pk, world.answer.pk, 4) for pupil in pupils])
    assert result.created == 25
    assert len(queries.captured_queries) <= SAVE_MAX_QUERIES


def test_a_broken_rule_outranks_a_stale_cell(world):
    save(world, [MarkCell(world.first.pk, world.answer.pk, 3)])
    with pytest.raises(Invalid) as refused:
        save(
            world,
            [
                MarkCell(world.first.pk, world.answer.pk, 5),  # stale: the page showed empty
                MarkCell(world.students[1].pk, world.answer.pk, 9),
            ],
        )
    assert refused.value.field == "cells[1]"
    assert [issue["type"] for issue in refused.value.details["errors"]] == [
        "stale_mark",
        "mark_out_of_range",
    ]
    assert Mark.objects.get().value == 3


def test_a_teacher_of_another_subject_in_the_same_class_finds_nothing(world):
    sports = AssignmentFactory(
        school_class=world.school_class, subject__name="Физическая культура"
    ).teacher
    with pytest.raises(NotFound):
        save(world, [MarkCell(world.first.pk, world.answer.pk, 5)], actor=sports.user)
    with pytest.raises(NotFound):
        selectors.lesson_sheet(
            actor=sports.user, lesson_id=world.lesson.pk, today=LESSON_EVENING.date()
        )
    with pytest.raises(NotFound):
        selectors.journal_grid(
            actor=sports.user,
            class_id=world.school_class.pk,
            subject_id=world.maths.pk,
            today=LESSON_EVENING.date(),
        )
    with pytest.raises(NotFound):
        services.final_mark_set(
            actor=sports.user,
            student_id=world.first.pk,
            subject_id=world.maths.pk,
            period_id=world.quarter.pk,
            value=5,
            now=LESSON_EVENING,
        )
    assert nothing_written()
    assert not AuditEvent.objects.filter(action__startswith="school.").exists()


def test_the_factories_make_a_coherent_mark():
    mark = MarkFactory()
    school = mark.lesson.assignment.school_class.year.school
    assert mark.control_form.school == school
    assert mark.given_by == mark.lesson.assignment.teacher
    assert mark.given_by.school == school
    assert mark.student.enrollments.get().school_class == mark.lesson.assignment.school_class
