"""The journal's pages: the teacher's classes, the grid, a lesson's sheet saved in one
POST (plain and htmx), errors next to the bad cell with what was typed kept, and the 404
page for everybody else with nothing written."""

import pytest
from django.urls import reverse

from gorod.accounts.tests.factories import UserFactory
from gorod.core.models import AuditEvent
from gorod.school.models import Attendance, FinalMark, Lesson, Mark, MarkChange
from gorod.school.tests.journal_world import AFTER_CUTOFF, LESSON_EVENING, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]


@pytest.fixture
def evening(time_machine):
    time_machine.move_to(LESSON_EVENING)


def lesson_url(world):
    return reverse("school:journal_lesson", args=[world.lesson.pk])


def grid_url(world):
    return reverse("school:journal_grid", args=[world.school_class.pk, world.maths.pk])


def sheet_data(world, marks=None, seen=None, absent=()):
    """The POST of the lesson's form: every cell, as the browser sends it."""
    marks, seen = marks or {}, seen or {}
    data = {}
    for student in world.students:
        for form in (world.answer, world.test):
            key = (student.pk, form.pk)
            data[f"m-{student.pk}-{form.pk}"] = marks.get(key, "")
            data[f"e-{student.pk}-{form.pk}"] = seen.get(key, "")
        if student.pk in absent:
            data[f"a-{student.pk}"] = "on"
    return data


def nothing_written():
    return not (
        Mark.objects.exists()
        or MarkChange.objects.exists()
        or Attendance.objects.exists()
        or FinalMark.objects.exists()
        or AuditEvent.objects.filter(action__startswith="school.")
        .exclude(action__endswith="_read")
        .exists()
    )


def test_the_classes_page_lists_own_classes_and_the_class_teachers(client, world, evening):
    client.force_login(world.class_teacher.user)
    page = client.get(reverse("school:journal")).content.decode()
    assert "Русский язык" in page
    assert "Математика" in page  # the class teacher reads the class's other subjects
    assert "классный руководитель: просмотр" in page


def test_the_teacher_saves_a_lesson_and_sees_it_in_the_grid(client, world, evening):
    client.force_login(world.teacher.user)
    page = client.get(lesson_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    first, second, third = world.students
    # Each input has its label, the headers have scopes.
    assert f'<label for="id_m-{first.pk}-{world.answer.pk}" class="visually-hidden">' in html
    assert 'scope="row"' in html
    assert 'scope="col"' in html
    response = client.post(
        lesson_url(world),
        sheet_data(
            world,
            marks={(first.pk, world.test.pk): "5", (second.pk, world.answer.pk): "4"},
            absent={third.pk},
        ),
    )
    assert response.status_code == 302
    assert Mark.objects.count() == 2
    assert Attendance.objects.get().student == third
    grid = client.get(grid_url(world)).content.decode()
    assert "5<sub>4</sub>" in grid
    assert "5,00" in grid or "5.00" in grid


def test_a_bad_cell_saves_nothing_and_is_shown_next_to_it_with_what_was_typed(
    client, world, evening
):
    client.force_login(world.teacher.user)
    first, second, _third = world.students
    response = client.post(
        lesson_url(world),
        sheet_data(
            world, marks={(first.pk, world.answer.pk): "5", (second.pk, world.test.pk): "7"}
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    bad = f"m-{second.pk}-{world.test.pk}"
    assert f'id="id_{bad}_error"' in html
    assert "Борисова Вера" in html
    assert f'name="{bad}" id="id_{bad}" value="7"' in html
    # the good cell keeps its typed value too
    assert (
        f'name="m-{first.pk}-{world.answer.pk}" id="id_m-{first.pk}-{world.answer.pk}" value="5"'
        in html
    )
    assert nothing_written()


def test_text_in_a_mark_cell_is_refused_by_the_form(client, world, evening):
    client.force_login(world.teacher.user)
    response = client.post(
        lesson_url(world), sheet_data(world, marks={(world.first.pk, world.answer.pk): "пять"})
    )
    assert response.status_code == 422
    assert "Оценка — число от 2 до 5." in response.content.decode()
    assert nothing_written()


def test_htmx_swaps_the_form_only(client, world, evening):
    client.force_login(world.teacher.user)
    response = client.post(
        lesson_url(world),
        sheet_data(world, marks={(world.first.pk, world.answer.pk): "3"}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="lesson-marks">')
    assert "Сохранено" in html
    # The fresh form carries the saved value as what the teacher has now seen.
    assert f'name="e-{world.first.pk}-{world.answer.pk}" value="3"' in html


def test_a_stale_page_is_refused_with_a_conflict_next_to_the_cell(client, world, evening):
    client.force_login(world.teacher.user)
    key = (world.first.pk, world.answer.pk)
    client.post(lesson_url(world), sheet_data(world, marks={key: "3"}))
    # A second tab opened before that save still shows the cell empty.
    response = client.post(lesson_url(world), sheet_data(world, marks={key: "5"}))
    assert response.status_code == 409
    assert "другой учитель" in response.content.decode()
    assert Mark.objects.get().value == 3


def test_topic_and_homework(client, world, evening):
    client.force_login(world.teacher.user)
    response = client.post(
        reverse("school:journal_lesson_topic", args=[world.lesson.pk]),
        {"topic": "Дроби", "homework": "№ 1", "planned_control": world.test.pk},
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get(pk=world.lesson.pk)
    assert (lesson.topic, lesson.homework, lesson.planned_control) == ("Дроби", "№ 1", world.test)


def test_the_final_mark_form(client, world, evening):
    client.force_login(world.teacher.user)
    url = reverse(
        "school:journal_final_mark",
        args=[world.school_class.pk, world.maths.pk, world.quarter.pk],
    )
    assert client.post(url, {"student": world.first.pk, "value": "4"}).status_code == 302
    assert FinalMark.objects.get().value == 4


def test_after_the_cutoff_the_page_says_so_and_the_save_is_refused(client, world, time_machine):
    time_machine.move_to(AFTER_CUTOFF)
    client.force_login(world.teacher.user)
    assert "Период закрыт" in client.get(lesson_url(world)).content.decode()
    response = client.post(
        lesson_url(world), sheet_data(world, marks={(world.first.pk, world.answer.pk): "5"})
    )
    assert response.status_code == 422
    assert nothing_written()


def test_the_class_teacher_sees_the_lesson_without_inputs(client, world, evening):
    client.force_login(world.class_teacher.user)
    html = client.get(lesson_url(world)).content.decode()
    assert "mark-input" not in html
    response = client.post(
        lesson_url(world), sheet_data(world, marks={(world.first.pk, world.answer.pk): "5"})
    )
    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.parametrize("who", ["other_teacher", "student", "guardian", "citizen"])
def test_outsiders_get_the_404_page_and_write_nothing(client, world, evening, who):
    user = {
        "other_teacher": world.other_teacher.user,
        "student": world.student_user,
        "guardian": world.guardian.user,
        "citizen": UserFactory(),
    }[who]
    client.force_login(user)
    marks = sheet_data(world, marks={(world.first.pk, world.answer.pk): "5"})
    answers = [
        client.get(grid_url(world)),
        client.get(lesson_url(world)),
        client.post(lesson_url(world), marks),
        client.post(reverse("school:journal_lesson_topic", args=[world.lesson.pk]), {"topic": "x"}),
        client.post(
            reverse(
                "school:journal_final_mark",
                args=[world.school_class.pk, world.maths.pk, world.quarter.pk],
            ),
            {"student": world.first.pk, "value": "2"},
        ),
    ]
    assert [answer.status_code for answer in answers] == [404] * 5
    assert nothing_written()
    assert Lesson.objects.get(pk=world.lesson.pk).topic == ""


def test_anonymous_is_sent_to_sign_in_and_writes_nothing(client, world):
    response = client.post(lesson_url(world), sheet_data(world))
    assert response.status_code == 302
    assert "login" in response["Location"] or "signin" in response["Location"]
    assert client.get(reverse("school:journal")).status_code == 302
    assert nothing_written()


def test_huge_ids_are_not_found(client, world, evening):
    client.force_login(world.teacher.user)
    assert client.get(f"/school/journal/lessons/{2**64}/").status_code == 404
    assert client.get(grid_url(world) + "?period=99999999999999999999999").status_code == 404
