"""The family diary over the API (/api/v1/school): children, the week, marks by subject,
attendance, homework files; problem+json refusals that write nothing."""

import json
from decimal import Decimal

import pytest
import schemathesis
from django.core import signing
from django.core.files.base import ContentFile
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from gorod.accounts import services as accounts
from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.models import UsageEvent
from gorod.core.models import AuditEvent
from gorod.core.tests.schema_checks import assert_documented_answer
from gorod.feedback.selectors import USE_TOKEN_SALT
from gorod.school.diary_access import AUDIT_ACTION
from gorod.school.tests.diary_world import (
    NEXT_MONDAY,
    DiaryWorld,
    FinalMarkFactory,
    diary_world_fixture,  # noqa: F401 (the fixture diary_world)
)
from gorod.school.tests.factories import PeriodFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/school"
PROBLEM = "application/problem+json"
# Session and user; deciding (2), the audit row, the use (the catalog snapshot's three
# freshness checks and the write tests make in the request: one statement on SQLite,
# three on PostgreSQL); the week (6) and the tests ahead. However many lessons and marks.
WEEK_MAX_QUERIES = 18
# As the week, with the periods, subjects, marks, exemptions and period marks (5).
SUBJECTS_MAX_QUERIES = 16


def log_counts() -> tuple[int, int]:
    return AuditEvent.objects.filter(action=AUDIT_ACTION).count(), UsageEvent.objects.count()


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code, body
    return body


@pytest.fixture
def parent_api(client, diary_world: DiaryWorld):
    client.force_login(diary_world.parent_user)
    return client


def test_children(parent_api, diary_world: DiaryWorld):
    response = parent_api.get(f"{BASE}/children")
    assert response.status_code == 200
    children = response.json()["children"]
    assert [(c["id"], c["relation"], c["school_class"]["name"]) for c in children] == [
        (diary_world.child.pk, "guardian", "5А"),
        (diary_world.sibling.pk, "guardian", "5Б"),
    ]
    assert children[0]["school_class"]["school"] == diary_world.school.short_name
    assert log_counts() == (0, 0)  # a list of names is not a look at a diary


def test_children_of_someone_without_any(client, diary_world: DiaryWorld):
    client.force_login(UserFactory())
    assert client.get(f"{BASE}/children").json() == {"children": []}


def test_the_week(parent_api, diary_world: DiaryWorld, django_assert_max_num_queries):
    with django_assert_max_num_queries(WEEK_MAX_QUERIES):
        response = parent_api.get(
            f"{BASE}/students/{diary_world.child.pk}/diary", {"week": "2026-09-15"}
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["monday"], body["saturday"]) == ("2026-09-14", "2026-09-19")
    assert (body["previous_week"], body["next_week"]) == ("2026-09-07", "2026-09-21")
    assert body["role"] == "guardian"
    assert [day["is_today"] for day in body["days"]] == [False, False, True, False, False, False]
    maths, russian, sport = body["days"][0]["lessons"]
    assert (maths["bell"], maths["starts_at"], maths["subject"]["name"]) == (
        1,
        "08:30",
        "Математика",
    )
    assert maths["homework"] == "№ 12, 14 на с. 8"
    assert maths["files"][0]["url"] == (
        f"{BASE}/students/{diary_world.child.pk}/files/{diary_world.homework_file.pk}"
    )
    assert [(m["value"], m["weight"], m["control_form"], m["changed"]) for m in maths["marks"]] == [
        (5, 2, "контрольная работа", True),
        (3, 1, "ответ на уроке", False),
    ]
    assert (russian["absent"], russian["excused"]) == (True, True)
    assert sport["exempt"] is True
    tuesday = body["days"][1]["lessons"]
    assert [(t["cancelled"], t["substitute"]) for t in tuesday] == [
        (False, "Заменова О.С."),
        (True, ""),
    ]
    assert [(t["date"], t["control_form"]) for t in body["upcoming_tests"]] == [
        (NEXT_MONDAY.isoformat(), "контрольная работа")
    ]
    # The receipt of this look, to rate the service with.
    receipt = signing.loads(body["rating_token"], salt=USE_TOKEN_SALT)
    assert receipt["service"] == "school-diary"
    assert receipt["use"] == str(UsageEvent.objects.get().pk)


def test_the_week_by_default_is_todays(parent_api, diary_world: DiaryWorld):
    body = parent_api.get(f"{BASE}/students/{diary_world.sibling.pk}/diary").json()
    assert body["monday"] == "2026-09-14"
    assert [lesson["topic"] for lesson in body["days"][0]["lessons"]] == ["Урок 5Б"]


def test_a_personal_token_works(client, diary_world: DiaryWorld):
    _token, plaintext = accounts.api_token_create(actor=diary_world.parent_user, name="app")
    response = client.get(
        f"{BASE}/students/{diary_world.child.pk}/attendance",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 200
    assert log_counts() == (1, 1)
    assert UsageEvent.objects.get().channel == "api"


def test_subjects_with_hand_computed_averages(
    parent_api, diary_world: DiaryWorld, django_assert_max_num_queries
):
    FinalMarkFactory(
        student=diary_world.child,
        subject=diary_world.maths,
        period=diary_world.quarter,
        value=5,
        given_by=diary_world.maths_teacher,
    )
    with django_assert_max_num_queries(SUBJECTS_MAX_QUERIES):
        response = parent_api.get(f"{BASE}/students/{diary_world.child.pk}/subjects")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"]["number"] == 1
    assert [p["number"] for p in body["periods"]] == [1, 2]
    assert body["thresholds"] == {"five": "4.60", "four": "3.60", "three": "2.60"}
    rows = {row["subject"]["name"]: row for row in body["subjects"]}
    # (5·2 + 3·1) / 3 = 4.33; the "н" in Russian is no zero; the exempt 2 is not counted.
    assert (rows["Математика"]["average"], rows["Математика"]["suggested_mark"]) == ("4.33", 4)
    assert rows["Математика"]["final_mark"] == 5
    assert rows["Русский язык"]["average"] == "4.00"
    assert rows["Физическая культура"]["average"] is None
    assert [m["counted"] for m in rows["Физическая культура"]["marks"]] == [False]
    assert Decimal(rows["Математика"]["average"]) == (Decimal(5 * 2 + 3 * 1) / 3).quantize(
        Decimal("0.01")
    )


def test_another_period(parent_api, diary_world: DiaryWorld):
    response = parent_api.get(
        f"{BASE}/students/{diary_world.child.pk}/subjects",
        {"period": diary_world.second_quarter.pk},
    )
    body = response.json()
    assert body["period"]["id"] == diary_world.second_quarter.pk
    assert all(row["marks"] == [] and row["average"] is None for row in body["subjects"])


def test_attendance(parent_api, diary_world: DiaryWorld):
    body = parent_api.get(f"{BASE}/students/{diary_world.child.pk}/attendance").json()
    assert body["total"] == {
        "lessons": 4,
        "absent": 1,
        "excused": 1,
        "unexcused": 0,
        "present_share": "75.0",
    }
    russian = next(row for row in body["subjects"] if row["subject"]["name"] == "Русский язык")
    assert (russian["lessons"], russian["absent"], russian["present_share"]) == (2, 1, "50.0")


def test_a_homework_file(parent_api, diary_world: DiaryWorld, private_files):
    attachment = diary_world.homework_file
    attachment.file.save("tasks.pdf", ContentFile(b"%PDF-1.4 tasks"), save=True)
    response = parent_api.get(f"{BASE}/students/{diary_world.child.pk}/files/{attachment.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 tasks"
    assert_problem(
        parent_api.get(f"{BASE}/students/{diary_world.sibling.pk}/files/{attachment.pk}"),
        404,
        "file_not_found",
    )


def test_a_class_teacher_reads_without_a_rating_token(client, diary_world: DiaryWorld):
    client.force_login(diary_world.class_teacher.user)
    body = client.get(f"{BASE}/students/{diary_world.classmate.pk}/diary").json()
    assert (body["role"], body["rating_token"]) == ("class_teacher", None)
    assert log_counts() == (1, 0)


def test_one_look_one_audit_row(parent_api, diary_world: DiaryWorld):
    parent_api.get(f"{BASE}/students/{diary_world.child.pk}/subjects")
    audit = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert audit.data == {"section": "subjects", "role": "guardian", "channel": "api"}
    assert UsageEvent.objects.count() == 1


# --- refusals -------------------------------------------------------------------------

ENDPOINTS = ("diary", "subjects", "attendance")


@pytest.mark.parametrize("endpoint", ["/children", *(f"/students/1/{e}" for e in ENDPOINTS)])
def test_anonymous_callers_get_401(client, diary_world: DiaryWorld, endpoint):
    assert_problem(client.get(f"{BASE}{endpoint}"), 401, "not_authenticated")
    assert log_counts() == (0, 0)


@pytest.mark.parametrize(
    "reader", ["other_parent", "other_class_teacher", "maths_teacher", "classmate"]
)
def test_nobody_else_reads_the_childs_diary(client, diary_world: DiaryWorld, reader):
    client.force_login(getattr(diary_world, reader).user)
    for endpoint in ENDPOINTS:
        response = client.get(f"{BASE}/students/{diary_world.child.pk}/{endpoint}")
        assert_problem(response, 404, "student_not_found")
    response = client.get(
        f"{BASE}/students/{diary_world.child.pk}/files/{diary_world.homework_file.pk}"
    )
    assert_problem(response, 404, "student_not_found")
    assert log_counts() == (0, 0)


def test_a_student_id_that_names_nobody(parent_api, diary_world: DiaryWorld):
    assert_problem(parent_api.get(f"{BASE}/students/999999/diary"), 404, "student_not_found")
    for bad in ("0", "abc", str(2**63)):
        assert_problem(parent_api.get(f"{BASE}/students/{bad}/diary"), 422, "validation_error")
    assert log_counts() == (0, 0)


@pytest.mark.parametrize("week", ["2026-13-01", "вчера", "0000-01-01", "1999-12-31", "9" * 40])
def test_a_bad_week_is_422(parent_api, diary_world: DiaryWorld, week):
    response = parent_api.get(f"{BASE}/students/{diary_world.child.pk}/diary", {"week": week})
    assert_problem(response, 422, "validation_error")
    assert log_counts() == (0, 0)


def test_the_calendars_last_week(parent_api, diary_world: DiaryWorld):
    body = parent_api.get(
        f"{BASE}/students/{diary_world.child.pk}/diary", {"week": "2099-12-31"}
    ).json()
    assert body["next_week"] is None


def test_a_period_of_another_school_is_not_found(parent_api, diary_world: DiaryWorld):
    stranger = PeriodFactory()
    for endpoint in ("subjects", "attendance"):
        response = parent_api.get(
            f"{BASE}/students/{diary_world.child.pk}/{endpoint}", {"period": stranger.pk}
        )
        assert_problem(response, 404, "period_not_found")
    assert_problem(
        parent_api.get(f"{BASE}/students/{diary_world.child.pk}/subjects", {"period": "x"}),
        422,
        "validation_error",
    )


def test_the_english_messages(parent_api, diary_world: DiaryWorld):
    response = parent_api.get(f"{BASE}/students/999999/diary", HTTP_ACCEPT_LANGUAGE="en")
    assert_problem(response, 404, "student_not_found")


def test_a_look_can_be_rated(parent_api, diary_world: DiaryWorld):
    body = parent_api.get(f"{BASE}/students/{diary_world.child.pk}/diary").json()
    rated = parent_api.post(
        "/api/v1/feedback/ratings",
        json.dumps({"token": body["rating_token"], "stars": 5, "comment": "Всё видно"}),
        content_type="application/json",
    )
    assert rated.status_code == 201, rated.content
    assert rated.json()["service"] == "school-diary"


# --- The schema, signed in ------------------------------------------------------------

# The family diary's endpoints only (the journal's have their own tests), called with a
# parent's personal token: the answers a parent gets are checked against the schema.
diary_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application()
).include(path_regex="^/api/v1/school/(children|students/)")


@pytest.fixture
def token_header(wsgi_db, diary_world: DiaryWorld):
    _token, plaintext = accounts.api_token_create(actor=diary_world.parent_user, name="schema")
    return {"Authorization": f"Bearer {plaintext}"}


@diary_schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_signed_in_answers_conform_to_the_schema(case, token_header):
    response = assert_documented_answer(case, token_header)
    assert response.status_code != 403, response.text
