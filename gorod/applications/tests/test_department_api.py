"""The department's desk API: the queue, one application, files, transitions, problems."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from gorod.applications.models import Event, File
from gorod.applications.tests.department_world import DECISION, sent_application
from gorod.core.models import AuditEvent

pytest_plugins = ["gorod.applications.tests.department_fixtures"]

BASE = "/api/v1/applications/desk"


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


def _post(client, path, body=None):
    return client.post(f"{BASE}{path}", body or {}, content_type="application/json")


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_the_queue_is_paged_and_filtered(desk, client):
    client.force_login(desk.operator)
    response = client.get(f"{BASE}/queue", {"page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["pages"], len(body["items"])) == (2, 2, 1)
    item = body["items"][0]
    assert item["status"] == "submitted"
    assert item["term"]["due_on"] is not None
    ids = {
        entry["id"]
        for entry in client.get(f"{BASE}/queue", {"service": desk.document.service_id}).json()[
            "items"
        ]
    }
    assert ids == {str(desk.document.public_id)}
    _problem(client.get(f"{BASE}/queue", {"page": 5}), 404, "page_out_of_range")
    _problem(client.get(f"{BASE}/queue", {"status": "draft"}), 422, "validation_error")
    assert AuditEvent.objects.filter(action="application.queue_read", actor=desk.operator).exists()


def test_one_application_with_answers_files_and_history(desk, client):
    client.force_login(desk.operator)
    _post(client, f"/{desk.decision.public_id}/notes", {"text": "Позвонить."})
    response = client.get(f"{BASE}/{desk.decision.public_id}")
    assert response.status_code == 200
    body = response.json()
    answers = {answer["key"]: answer for answer in body["answers"]}
    assert answers["kind"]["value"] == "Повторное"
    assert answers["urgent"]["value"] == "да"
    assert answers["since"]["value"] == "15.01.2026"
    assert len(answers["scan"]["files"]) == 1
    assert body["moves"] == ["registered", "refused_to_accept"]
    assert body["history"][-1]["internal"] is True
    download = body["files"][0]["download"]
    file = client.get(download)
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="application.read", actor=desk.operator).exists()
    assert AuditEvent.objects.filter(action="application.file_read", actor=desk.operator).exists()


def test_transitions_to_a_document_result(desk, client):
    client.force_login(desk.operator)
    public_id = desk.document.public_id
    assert _post(client, f"/{public_id}/register").json()["status"] == "registered"
    assert _post(client, f"/{public_id}/review").json()["status"] == "in_review"
    body = _post(client, f"/{public_id}/request-info", {"text": "Нужна справка."}).json()
    assert body["status"] == "info_requested"
    _problem(_post(client, f"/{public_id}/approve", {"text": "Да"}), 409, "transition_not_allowed")
    body = _post(client, f"/{public_id}/refuse", {"reason": "Нет права.", "appeal": "В суде."})
    assert body.json()["status"] == "refused"
    assert body.json()["decision_text"].startswith("Нет права.")


def test_approve_a_document_and_suspend_and_resume(desk, client):
    client.force_login(desk.operator)
    public_id = desk.document.public_id
    _post(client, f"/{public_id}/register")
    _post(client, f"/{public_id}/review")
    _problem(
        _post(client, f"/{public_id}/suspend", {"reason": "Ждём архив.", "until": "2000-01-01"}),
        422,
        "until_out_of_range",
    )
    _problem(
        _post(client, f"/{public_id}/suspend", {"reason": "Ждём архив.", "until": "2099-01-01"}),
        422,
        "until_out_of_range",
    )
    until = (timezone.localdate() + timedelta(days=10)).isoformat()
    body = _post(client, f"/{public_id}/suspend", {"reason": "Ждём архив.", "until": until}).json()
    assert body["status"] == "suspended"
    assert _post(client, f"/{public_id}/resume").json()["status"] == "in_review"
    body = _post(client, f"/{public_id}/approve", {}).json()
    assert body["status"] == "result_ready"
    assert [file["purpose"] for file in body["files"]] == ["result"]


def test_problems_name_the_field(desk, client):
    client.force_login(desk.operator)
    response = _post(client, f"/{desk.decision.public_id}/refuse-to-accept", {"reason": " "})
    _problem(response, 422, "reason_empty")
    assert response.json()["field"] == "reason"
    _problem(
        _post(client, f"/{desk.decision.public_id}/refuse-to-accept", {"reason": 5}),
        422,
        "validation_error",
    )
    _problem(client.get(f"{BASE}/not-a-uuid"), 404, "not_found")


def test_assignment_through_the_api(desk, client):
    client.force_login(desk.operator)
    public_id = desk.decision.public_id
    assert _post(client, f"/{public_id}/take").json()["assignee"] == desk.operator.email
    client.force_login(desk.colleague)
    _problem(_post(client, f"/{public_id}/register"), 403, "assigned_to_other")
    _problem(
        _post(client, f"/{public_id}/assign", {"assignee_id": desk.colleague.pk}),
        403,
        "assigned_to_other",
    )
    client.force_login(desk.head)
    body = _post(client, f"/{public_id}/assign", {"assignee_id": desk.colleague.pk}).json()
    assert body["assignee"] == desk.colleague.email
    _problem(
        _post(client, f"/{public_id}/assign", {"assignee_id": desk.stranger.pk}),
        404,
        "colleague_not_found",
    )


@pytest.mark.parametrize("who", ["stranger", "viewer", "applicant", "citizen"])
def test_outsiders_get_not_found_everywhere(desk, client, who):
    user = {
        "stranger": lambda: desk.stranger,
        "viewer": lambda: desk.viewer,
        "applicant": lambda: desk.decision.applicant.user,
        "citizen": lambda: sent_application(DECISION).applicant.user,
    }[who]()
    client.force_login(user)
    public_id = desk.decision.public_id
    file = File.objects.get(application=desk.decision)
    assert client.get(f"{BASE}/{public_id}").status_code == 404
    assert client.get(f"{BASE}/files/{file.public_id}").status_code == 404
    assert _post(client, f"/{public_id}/register").status_code == 404
    assert _post(client, f"/{public_id}/notes", {"text": "x"}).status_code == 404
    if who != "stranger":
        _problem(client.get(f"{BASE}/queue"), 404, "desk_not_found")
    else:
        assert client.get(f"{BASE}/queue").json()["count"] == 0
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"
    assert not Event.objects.filter(application=desk.decision, kind=Event.Kind.NOTE).exists()


def test_anonymous_is_unauthenticated(desk):
    client = Client()
    public_id = desk.decision.public_id
    file = File.objects.get(application=desk.decision)
    for response in (
        client.get(f"{BASE}/queue"),
        client.get(f"{BASE}/{public_id}"),
        client.get(f"{BASE}/files/{file.public_id}"),
        _post(client, f"/{public_id}/register"),
    ):
        _problem(response, 401, "not_authenticated")


def test_a_session_write_needs_the_csrf_token(desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.operator)
    response = _post(client, f"/{desk.decision.public_id}/register")
    assert response.status_code in (401, 403)
    desk.decision.refresh_from_db()
    assert desk.decision.status == "submitted"


def test_the_queue_api_keeps_its_query_count(desk, client, django_assert_max_num_queries):
    for _ in range(4):
        sent_application(DECISION)
    client.force_login(desk.operator)
    client.get(f"{BASE}/queue")
    with django_assert_max_num_queries(10):
        response = client.get(f"{BASE}/queue")
    assert response.json()["count"] == 6
