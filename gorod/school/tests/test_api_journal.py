"""The journal over the API: the teacher's classes, the grid, a lesson's marks all or
nothing (422 naming the cell, 409 on a stale edit), the lesson's topic and homework, and
404 for everybody else with nothing written."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from conftest import load_catalog
from gorod.accounts import services as accounts
from gorod.accounts.tests.factories import UserFactory
from gorod.core.models import AuditEvent
from gorod.core.tests.schema_checks import assert_documented_answer
from gorod.school.models import Attendance, FinalMark, Lesson, Mark, MarkChange
from gorod.school.tests.journal_world import LESSON_EVENING, build_world, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

BASE = "/api/v1/school/journal"


@pytest.fixture
def evening(time_machine):
    time_machine.move_to(LESSON_EVENING)


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def send(client, method, path, body):
    return getattr(client, method)(
        path, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru"
    )


def marks_url(world):
    return f"{BASE}/lessons/{world.lesson.pk}/marks"


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


def test_the_teacher_lists_classes_reads_the_grid_and_saves_marks(client, world, evening):
    as_user(client, world.teacher.user)
    classes = client.get(f"{BASE}/classes").json()
    assert [(line["class_name"], line["subject"], line["writes"]) for line in classes] == [
        ("5А", "Математика", True)
    ]
    first, second, third = world.students
    response = send(
        client,
        "put",
        marks_url(world),
        {
            "cells": [
                {"student_id": first.pk, "control_form_id": world.test.pk, "value": 5},
                {"student_id": second.pk, "control_form_id": world.answer.pk, "value": 3},
            ],
            "absences": [{"student_id": third.pk, "absent": True}],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert response.json()["absences_added"] == 1
    grid = client.get(f"{BASE}/classes/{world.school_class.pk}/subjects/{world.maths.pk}").json()
    assert grid["period"]["number"] == 1
    rows = {row["student_id"]: row for row in grid["rows"]}
    assert rows[first.pk]["average"] == "5.00"
    assert rows[first.pk]["suggested"] == 5
    assert rows[third.pk]["cells"][0]["absent"] is True
    assert AuditEvent.objects.filter(action="school.journal_read").count() == 1


def test_one_bad_cell_is_a_422_naming_it_and_nothing_is_saved(client, world, evening):
    as_user(client, world.teacher.user)
    first, second, _third = world.students
    response = send(
        client,
        "post",
        marks_url(world),
        {
            "cells": [
                {"student_id": first.pk, "control_form_id": world.answer.pk, "value": 5},
                {"student_id": second.pk, "control_form_id": world.answer.pk, "value": 7},
            ]
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "mark_out_of_range"
    assert problem["field"] == "cells[1]"
    assert "Борисова Вера" in problem["detail"]
    assert problem["errors"][0]["location"] == "cells[1]"
    assert nothing_written()


def test_a_stale_edit_is_a_409(client, world, evening):
    as_user(client, world.teacher.user)
    cell = {"student_id": world.first.pk, "control_form_id": world.answer.pk, "value": 3}
    assert send(client, "put", marks_url(world), {"cells": [cell]}).status_code == 200
    stale = send(client, "put", marks_url(world), {"cells": [{**cell, "value": 4}]})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_mark"
    assert stale.json()["field"] == "cells[0]"
    fresh = send(client, "put", marks_url(world), {"cells": [{**cell, "value": 4, "expected": 3}]})
    assert fresh.status_code == 200
    assert Mark.objects.get().changed_at is not None
    detail = client.get(f"{BASE}/lessons/{world.lesson.pk}").json()
    marks = {row["student_id"]: row["marks"] for row in detail["students"]}
    assert marks[world.first.pk] == [
        {"control_form_id": world.answer.pk, "value": 4, "weight": 1, "changed": True}
    ]


def test_patch_sets_topic_and_homework_and_refuses_nul(client, world, evening):
    as_user(client, world.teacher.user)
    url = f"{BASE}/lessons/{world.lesson.pk}"
    response = send(client, "patch", url, {"homework": "№ 5", "planned_control_id": world.test.pk})
    assert response.status_code == 200, response.content
    lesson = Lesson.objects.get(pk=world.lesson.pk)
    assert (lesson.homework, lesson.planned_control_id, lesson.topic) == ("№ 5", world.test.pk, "")
    refused = send(client, "patch", url, {"topic": "a\u0000b"})
    assert refused.status_code == 422
    assert Lesson.objects.get(pk=world.lesson.pk).topic == ""


def test_final_mark_put(client, world, evening):
    as_user(client, world.teacher.user)
    body = {
        "student_id": world.first.pk,
        "subject_id": world.maths.pk,
        "period_id": world.quarter.pk,
        "value": 4,
    }
    response = send(client, "put", f"{BASE}/final-marks", body)
    assert response.status_code == 200, response.content
    assert FinalMark.objects.get().value == 4


@pytest.mark.parametrize("who", ["other_teacher", "student", "guardian", "citizen"])
def test_outsiders_get_404_everywhere_and_write_nothing(client, world, evening, who):
    user = {
        "other_teacher": world.other_teacher.user,
        "student": world.student_user,
        "guardian": world.guardian.user,
        "citizen": UserFactory(),
    }[who]
    as_user(client, user)
    cell = {"student_id": world.first.pk, "control_form_id": world.answer.pk, "value": 5}
    grid_url = f"{BASE}/classes/{world.school_class.pk}/subjects/{world.maths.pk}"
    answers = [
        client.get(grid_url),
        client.get(f"{BASE}/lessons/{world.lesson.pk}"),
        send(client, "put", marks_url(world), {"cells": [cell]}),
        send(client, "patch", f"{BASE}/lessons/{world.lesson.pk}", {"topic": "x"}),
        send(
            client,
            "put",
            f"{BASE}/final-marks",
            {**cell, "subject_id": world.maths.pk, "period_id": world.quarter.pk},
        ),
    ]
    assert [answer.status_code for answer in answers] == [404] * 5
    if who != "other_teacher":
        assert client.get(f"{BASE}/classes").status_code == 404
    assert nothing_written()
    assert not AuditEvent.objects.filter(action__endswith="_read").exists()


def test_anonymous_is_401_and_writes_nothing(client, world):
    cell = {"student_id": world.first.pk, "control_form_id": world.answer.pk, "value": 5}
    assert client.get(f"{BASE}/classes").status_code == 401
    assert send(client, "put", marks_url(world), {"cells": [cell]}).status_code == 401
    assert nothing_written()


def test_the_class_teacher_reads_the_subject_but_a_write_is_403(client, world, evening):
    as_user(client, world.class_teacher.user)
    grid = client.get(f"{BASE}/classes/{world.school_class.pk}/subjects/{world.maths.pk}")
    assert grid.status_code == 200
    assert grid.json()["writes"] is False
    cell = {"student_id": world.first.pk, "control_form_id": world.answer.pk, "value": 5}
    refused = send(client, "put", marks_url(world), {"cells": [cell]})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_your_subject"
    assert nothing_written()


def test_ids_past_bigint_are_not_found_or_refused(client, world, evening):
    as_user(client, world.teacher.user)
    assert client.get(f"{BASE}/lessons/{2**63}").status_code in (404, 422)
    cell = {"student_id": 2**63, "control_form_id": world.answer.pk, "value": 5}
    assert send(client, "put", marks_url(world), {"cells": [cell]}).status_code == 422
    assert nothing_written()


# --- The schema, signed in as the teacher ------------------------------------------------

# The project-wide schema test calls anonymously; this one calls with the teacher's token,
# so the answers a teacher gets (grids, refusals naming cells) are checked against it.
journal_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application()
).include(path_regex="^/api/v1/school/journal")


@pytest.fixture
def teacher_token(wsgi_db, time_machine, private_files):
    # The generated calls upload homework files: they go to this test's own folder.
    load_catalog()
    world = build_world()
    time_machine.move_to(LESSON_EVENING)
    _token, plaintext = accounts.api_token_create(actor=world.teacher.user, name="schema")
    return {"Authorization": f"Bearer {plaintext}"}


@journal_schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_signed_in_answers_conform_to_the_schema(case, teacher_token):
    assert_documented_answer(case, teacher_token)
