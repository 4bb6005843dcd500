"""The family diary's reads: who may open whose diary and the log of every look
(gorod.school.diary_access), what the week, the subjects, attendance and the tests ahead
show (gorod.school.diary_selectors)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from gorod.analytics.models import UsageEvent
from gorod.core.errors import NotFound
from gorod.core.models import AuditEvent
from gorod.school import diary_access
from gorod.school import diary_selectors as diary
from gorod.school.models import Enrollment
from gorod.school.tests.diary_world import (
    MONDAY,
    NEXT_MONDAY,
    TODAY,
    TUESDAY,
    DiaryWorld,
    FinalMarkFactory,
    diary_world_fixture,  # noqa: F401 (the fixture diary_world)
)
from gorod.school.tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    MarkFactory,
    PeriodFactory,
)

pytestmark = pytest.mark.django_db


def open_as(user, student, section="week"):
    return diary_access.diary_open(
        actor=user, student_id=student.pk, section=section, channel="web"
    )


def log_counts() -> tuple[int, int]:
    return (
        AuditEvent.objects.filter(action=diary_access.AUDIT_ACTION).count(),
        UsageEvent.objects.count(),
    )


# --- who may read ---------------------------------------------------------------------


def test_a_parent_reads_each_linked_child(diary_world: DiaryWorld):
    for child in (diary_world.child, diary_world.sibling):
        access = open_as(diary_world.parent_user, child)
        assert access.student == child
        assert access.role == "guardian"


def test_a_student_reads_their_own_diary(diary_world: DiaryWorld):
    access = open_as(diary_world.classmate.user, diary_world.classmate)
    assert access.role == "self"


def test_the_class_teacher_reads_the_whole_class(diary_world: DiaryWorld):
    for student in (diary_world.child, diary_world.classmate):
        access = open_as(diary_world.class_teacher.user, student)
        assert access.role == "class_teacher"
        assert access.use_id is None  # a teacher's look is not a family's use


def test_a_class_teacher_who_has_left_reads_nothing(diary_world: DiaryWorld):
    diary_world.class_teacher.active = False
    diary_world.class_teacher.save()
    with pytest.raises(NotFound):
        open_as(diary_world.class_teacher.user, diary_world.child)


def readers_without_right(world: DiaryWorld):
    """(reader, student) pairs of the authorization matrix that must read nothing."""
    return [
        ("parent of another child", world.other_parent.user, world.child),
        ("teacher of another class", world.other_class_teacher.user, world.child),
        ("subject teacher, not leading the class", world.maths_teacher.user, world.child),
        ("student of the same class", world.classmate.user, world.child),
        ("parent, a classmate of the child", world.parent_user, world.classmate),
        ("anonymous", None, world.child),
    ]


def test_nobody_else_reads_and_nothing_is_written(diary_world: DiaryWorld):
    before = log_counts()
    for label, user, student in readers_without_right(diary_world):
        with pytest.raises(NotFound) as refused:
            open_as(user or AnonymousUser(), student)
        assert refused.value.code == "student_not_found", label
    assert log_counts() == before


@pytest.mark.parametrize("student_id", [0, -1, 2**63, "1", None, 10**6])
def test_odd_ids_are_not_found(diary_world: DiaryWorld, student_id):
    with pytest.raises(NotFound):
        diary_access.diary_open(
            actor=diary_world.parent_user, student_id=student_id, section="week", channel="web"
        )
    assert log_counts() == (0, 0)


def test_a_child_in_no_school_has_no_diary(diary_world: DiaryWorld):
    Enrollment.objects.filter(student=diary_world.sibling).delete()
    with pytest.raises(NotFound):
        open_as(diary_world.parent_user, diary_world.sibling)
    assert log_counts() == (0, 0)


def test_a_look_writes_one_audit_row_and_one_use(diary_world: DiaryWorld):
    access = open_as(diary_world.parent_user, diary_world.child, "subjects")
    audit = AuditEvent.objects.get(action=diary_access.AUDIT_ACTION)
    assert audit.actor == diary_world.parent_user
    assert (audit.target_type, audit.target_id) == ("accounts.person", str(diary_world.child.pk))
    assert audit.data == {"section": "subjects", "role": "guardian", "channel": "web"}
    use = UsageEvent.objects.get()
    assert use.pk == access.use_id
    assert (use.service.slug, use.action, use.channel) == ("school-diary", "open", "web")


def test_a_class_teachers_look_is_audited_but_not_counted_as_a_use(diary_world: DiaryWorld):
    open_as(diary_world.class_teacher.user, diary_world.child)
    assert log_counts() == (1, 0)


def test_the_class_teacher_sees_only_the_lessons_of_their_class(diary_world: DiaryWorld):
    # Петя moves to 5Б in October: the class teacher of 5А keeps seeing September only.
    Enrollment.objects.filter(student=diary_world.child).update(ends_on=date(2026, 9, 30))
    EnrollmentFactory(
        student=diary_world.child, school_class=diary_world.class_b, starts_on=date(2026, 10, 1)
    )
    october = LessonFactory(
        assignment=diary_world.class_b.assignments.get(), date=date(2026, 10, 5), bell=1
    )
    access = open_as(diary_world.class_teacher.user, diary_world.child)
    assert [e.school_class for e in access.enrollments] == [diary_world.class_a]
    week = diary.week_read(access, october.date)
    assert all(not day.lessons for day in week.days)
    family = diary.week_read(open_as(diary_world.parent_user, diary_world.child), october.date)
    assert [lesson.lesson_id for day in family.days for lesson in day.lessons] == [october.pk]


# --- the switch -----------------------------------------------------------------------


def test_children_of_a_parent(diary_world: DiaryWorld, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        students = diary_access.children_of(actor=diary_world.parent_user, day=TODAY)
    assert [(s.person, s.relation, s.school_class) for s in students] == [
        (diary_world.child, "guardian", diary_world.class_a),
        (diary_world.sibling, "guardian", diary_world.class_b),
    ]


def test_children_of_a_student_is_themself(diary_world: DiaryWorld):
    students = diary_access.children_of(actor=diary_world.classmate.user, day=TODAY)
    assert [(s.person, s.relation) for s in students] == [(diary_world.classmate, "self")]


def test_children_of_a_teacher_without_children_is_empty(diary_world: DiaryWorld):
    assert diary_access.children_of(actor=diary_world.class_teacher.user) == []


def test_led_classes(diary_world: DiaryWorld, django_assert_num_queries):
    with django_assert_num_queries(1):
        rosters = diary_access.led_classes(actor=diary_world.class_teacher.user, day=TODAY)
    assert [(r.school_class, r.students) for r in rosters] == [
        (diary_world.class_a, [diary_world.classmate, diary_world.child])
    ]
    assert diary_access.led_classes(actor=diary_world.maths_teacher.user, day=TODAY) == []
    assert diary_access.led_classes(actor=diary_world.parent_user, day=TODAY) == []


# --- the week -------------------------------------------------------------------------


def test_the_week(diary_world: DiaryWorld, django_assert_max_num_queries):
    access = open_as(diary_world.parent_user, diary_world.child)
    with django_assert_max_num_queries(6):
        week = diary.week_read(access, TODAY)
    assert (week.monday, week.saturday) == (MONDAY, date(2026, 9, 19))
    assert [day.day for day in week.days] == [date(2026, 9, d) for d in range(14, 20)]
    assert [day.is_today for day in week.days] == [False, False, True, False, False, False]
    monday, tuesday = week.days[0].lessons, week.days[1].lessons
    # Bell order; the other language group's English is not Петин.
    assert [(lesson.bell, lesson.subject.name) for lesson in monday] == [
        (1, "Математика"),
        (2, "Русский язык"),
        (3, "Физическая культура"),
    ]
    maths = monday[0]
    assert (maths.starts_at.isoformat(), maths.ends_at.isoformat()) == ("08:30:00", "09:15:00")
    assert (maths.room, maths.topic, maths.homework) == (
        "204",
        "Натуральные числа",
        "№ 12, 14 на с. 8",
    )
    assert [f.name for f in maths.files] == ["задачи.pdf"]
    assert [(m.value, m.control_form, m.weight, m.comment, m.changed) for m in maths.marks] == [
        (5, "контрольная работа", 2, "Отличная работа", True),
        (3, "ответ на уроке", 1, "", False),
    ]
    russian = monday[1]
    assert (russian.absent, russian.excused, russian.marks) == (True, True, [])
    sport = monday[2]
    assert sport.exempt
    assert not maths.exempt
    assert [(lesson.bell, lesson.cancelled, lesson.substitute) for lesson in tuesday] == [
        (1, False, "Заменова О.С."),
        (2, True, ""),
    ]
    assert all(not day.lessons for day in week.days[2:])
    # Nobody else's marks: Глеб's 2 in the same lesson is not on Петин page.
    assert all(m.value != 2 for m in maths.marks)


def test_a_week_without_lessons_costs_one_statement(
    diary_world: DiaryWorld, django_assert_num_queries
):
    access = open_as(diary_world.parent_user, diary_world.child)
    with django_assert_num_queries(1):
        week = diary.week_read(access, date(2026, 12, 30))
    assert week.monday == date(2026, 12, 28)


def test_the_week_statements_do_not_grow_with_lessons(
    diary_world: DiaryWorld, django_assert_max_num_queries
):
    assignment = diary_world.maths_monday.assignment
    for day in range(14, 20):
        for bell in (5, 6, 7):
            lesson = LessonFactory(assignment=assignment, date=date(2026, 9, day), bell=bell)
            MarkFactory(lesson=lesson, student=diary_world.child, control_form=diary_world.answer)
    access = open_as(diary_world.parent_user, diary_world.child)
    with django_assert_max_num_queries(6):
        week = diary.week_read(access, MONDAY)
    assert sum(len(day.lessons) for day in week.days) == 5 + 18


def test_the_week_links_stay_within_the_calendar(diary_world: DiaryWorld):
    access = open_as(diary_world.parent_user, diary_world.child)
    assert diary.week_read(access, date(1, 1, 1)).previous_monday is None
    assert diary.week_read(access, date(9999, 12, 31)).next_monday is None
    week = diary.week_read(access, TODAY)
    assert (week.previous_monday, week.next_monday) == (date(2026, 9, 7), NEXT_MONDAY)


# Deciding (2), the audit row, the use (the catalog snapshot's three freshness checks,
# which a warm process mostly skips, and the write tests make in the request: one
# statement on SQLite, three on PostgreSQL), the week (6).
OPEN_AND_WEEK_MAX_QUERIES = 15


def test_diary_week_opens_and_reads(diary_world: DiaryWorld, django_assert_max_num_queries):
    with django_assert_max_num_queries(OPEN_AND_WEEK_MAX_QUERIES):
        week = diary.diary_week(
            actor=diary_world.parent_user, student_id=diary_world.child.pk, day=TUESDAY
        )
    assert week.student == diary_world.child
    assert log_counts() == (1, 1)


# --- marks by subject -----------------------------------------------------------------


def test_weighted_averages_by_hand(diary_world: DiaryWorld, django_assert_max_num_queries):
    access = open_as(diary_world.parent_user, diary_world.child, "subjects")
    with django_assert_max_num_queries(5):
        result = diary.subjects_read(access)
    assert result.choice.period == diary_world.quarter
    rows = {row.subject.name: row for row in result.subjects}
    # The other group's English is not Петин subject.
    assert list(rows) == ["Математика", "Русский язык", "Физическая культура"]
    # 5 with weight 2 and 3 with weight 1: (10 + 3) / 3 = 4.333… → 4.33, suggesting 4.
    maths = rows["Математика"]
    assert maths.average == Decimal("4.33")
    assert maths.suggested == 4
    assert [(m.value, m.weight, m.lesson_date) for m in maths.marks] == [
        (5, 2, MONDAY),
        (3, 1, MONDAY),
    ]
    # The "н" in Russian is not a zero: 4 alone.
    assert rows["Русский язык"].average == Decimal("4.00")
    # The 2 given in physical education during the exemption is shown, not averaged.
    sport = rows["Физическая культура"]
    assert [(m.value, m.counted) for m in sport.marks] == [(2, False)]
    assert (sport.average, sport.suggested) == (None, None)


def test_a_subject_without_marks_has_no_average(diary_world: DiaryWorld):
    access = open_as(diary_world.parent_user, diary_world.sibling, "subjects")
    rows = diary.subjects_read(access).subjects
    assert [(row.subject.name, row.marks, row.average, row.suggested) for row in rows] == [
        ("Математика", [], None, None)
    ]


def test_the_suggestion_follows_the_schools_thresholds(diary_world: DiaryWorld):
    school = diary_world.school
    school.threshold_5, school.threshold_4, school.threshold_3 = (
        Decimal("4.30"),
        Decimal("3.50"),
        Decimal("2.50"),
    )
    school.save()
    access = open_as(diary_world.parent_user, diary_world.child, "subjects")
    maths = next(r for r in diary.subjects_read(access).subjects if r.subject == diary_world.maths)
    assert (maths.average, maths.suggested) == (Decimal("4.33"), 5)


def test_the_teachers_period_and_year_marks_beside_the_suggestion(diary_world: DiaryWorld):
    FinalMarkFactory(
        student=diary_world.child,
        subject=diary_world.maths,
        period=diary_world.quarter,
        value=5,
        given_by=diary_world.maths_teacher,
    )
    FinalMarkFactory(
        student=diary_world.child,
        subject=diary_world.maths,
        period=diary_world.second_quarter,
        value=3,
        given_by=diary_world.maths_teacher,
    )
    access = open_as(diary_world.parent_user, diary_world.child, "subjects")
    maths = next(r for r in diary.subjects_read(access).subjects if r.subject == diary_world.maths)
    assert (maths.suggested, maths.final_mark, maths.year_mark) == (4, 5, None)


def test_another_period_and_periods_of_nobody(diary_world: DiaryWorld):
    access = open_as(diary_world.parent_user, diary_world.child, "subjects")
    second = diary.subjects_read(access, period_id=diary_world.second_quarter.pk)
    assert second.choice.period == diary_world.second_quarter
    assert all(row.marks == [] for row in second.subjects)
    assert [p.number for p in second.choice.periods] == [1, 2]
    stranger = PeriodFactory()  # a period of another school
    for period_id in (stranger.pk, 0, 2**63, "x"):
        with pytest.raises(NotFound):
            diary.subjects_read(access, period_id=period_id)


def test_between_periods_the_latest_begun_is_shown(diary_world: DiaryWorld):
    access = open_as(diary_world.parent_user, diary_world.child, "subjects")
    choice = diary.subjects_read(access, today=date(2026, 11, 1)).choice
    assert choice.period == diary_world.quarter


# --- attendance and tests ahead -------------------------------------------------------


def test_attendance(diary_world: DiaryWorld, django_assert_max_num_queries):
    access = open_as(diary_world.parent_user, diary_world.child, "attendance")
    with django_assert_max_num_queries(3):
        result = diary.attendance_read(access)
    # Held up to today: maths Monday (Tuesday's was cancelled), Russian Monday and Tuesday,
    # physical education Monday; the next Monday's test is ahead.
    assert (result.total.lessons, result.total.absent, result.total.excused) == (4, 1, 1)
    assert result.total.present_share == Decimal("75.0")
    by_subject = {row.subject.name: row.figures for row in result.subjects}
    assert by_subject["Русский язык"].lessons == 2
    assert by_subject["Русский язык"].absent == 1
    assert by_subject["Математика"].absent == 0


def test_upcoming_tests(diary_world: DiaryWorld, django_assert_max_num_queries):
    access = open_as(diary_world.parent_user, diary_world.child)
    with django_assert_max_num_queries(1):
        tests = diary.upcoming_tests(access)
    assert [(t.day, t.subject.name, t.control_form) for t in tests] == [
        (NEXT_MONDAY, "Математика", "контрольная работа")
    ]
    assert diary.upcoming_tests(access, today=date(2026, 9, 22)) == []


def test_a_homework_file_only_of_the_students_lessons(diary_world: DiaryWorld):
    access = open_as(diary_world.parent_user, diary_world.child, "file")
    assert (
        diary.homework_file_get(access, diary_world.homework_file.pk) == diary_world.homework_file
    )
    other = open_as(diary_world.other_parent.user, diary_world.other_child, "file")
    with pytest.raises(NotFound):
        diary.homework_file_get(other, diary_world.homework_file.pk)


def test_the_one_call_reads_log_their_section(diary_world: DiaryWorld):
    actor, student_id = diary_world.parent_user, diary_world.child.pk
    subjects = diary.diary_subjects(actor=actor, student_id=student_id, channel="mobile")
    attendance = diary.diary_attendance(actor=actor, student_id=student_id, channel="mobile")
    assert subjects.subjects[0].average == Decimal("4.33")
    assert attendance.total.lessons == 4
    sections = list(
        AuditEvent.objects.filter(action=diary_access.AUDIT_ACTION)
        .order_by("id")
        .values_list("data__section", flat=True)
    )
    assert sections == ["subjects", "attendance"]
    assert set(UsageEvent.objects.values_list("channel", flat=True)) == {"mobile"}
    with pytest.raises(NotFound):
        diary.diary_subjects(actor=diary_world.other_parent.user, student_id=student_id)
    assert log_counts() == (2, 2)
