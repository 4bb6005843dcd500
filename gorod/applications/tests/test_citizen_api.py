"""The applications API: public definitions and their schema, the citizen's applications
(start, steps, files, submit, answer, withdraw, receive), problem+json with stable codes."""

import json
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from gorod.accounts import services as accounts
from gorod.applications.models import Application, File
from gorod.applications.services import citizen as services
from gorod.applications.services.moves import application_move
from gorod.applications.tests.factories import EXE_BYTES, PNG_BYTES, pdf

BASE = "/api/v1/applications"
PROBLEM = "application/problem+json"


@pytest.fixture
def api(client, citizen, definitions):
    client.force_login(citizen.user)
    return client


def post(client, path, body=None):
    return client.post(f"{BASE}{path}", json.dumps(body or {}), content_type="application/json")


def put(client, path, body):
    return client.put(f"{BASE}{path}", json.dumps(body), content_type="application/json")


def started(client, service="library-card", **body):
    response = post(client, "", {"service": service, "start_key": str(uuid.uuid4()), **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_definitions_are_public_with_their_documents_and_schema(client, definitions):
    listed = client.get(f"{BASE}/definitions").json()
    by_service = {item["service"]: item for item in listed}
    assert set(by_service) == {
        "library-card",
        "sports-school",
        "resident-parking-permit",
        "e-prescriptions",
        "active-citizen",
    }
    assert by_service["library-card"]["kind"] == "form"
    assert by_service["library-card"]["version"] == 1
    forms = client.get(f"{BASE}/definitions", {"kind": "info"}).json()
    assert [item["service"] for item in forms] == ["e-prescriptions"]
    one = client.get(f"{BASE}/definitions/library-card").json()
    assert one["document"]["steps"][0]["fields"][0]["key"] == "has_card"
    missing = client.get(f"{BASE}/definitions/no-such-service")
    assert missing.status_code == 404
    assert missing.json()["code"] == "definition_not_found"
    schema = client.get(f"{BASE}/schema").json()
    assert "FormDefinition" in json.dumps(schema)


def test_the_whole_flow_over_the_api(api, citizen):
    key = str(uuid.uuid4())
    first = post(api, "", {"service": "library-card", "start_key": key})
    again = post(api, "", {"service": "library-card", "start_key": key})
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    draft = first.json()
    assert draft["status"] == "draft"
    assert draft["actions"] == ["edit", "submit", "delete"]

    bad = put(api, f"/{draft['id']}/steps/1", {"answers": {"has_card": True, "email": "nope"}})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith(PROBLEM)
    assert bad.json()["code"] == "answers_invalid"
    assert set(bad.json()["fields"]) == {"old_card", "email"}

    saved = put(
        api,
        f"/{draft['id']}/steps/1",
        {"answers": {"has_card": True, "old_card": "12345", "email": "A@Example.ru"}},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["answers"] == {
        "has_card": True,
        "old_card": "12345",
        "email": "a@example.ru",
    }

    missing = post(api, f"/{draft['id']}/submit")
    assert missing.status_code == 422
    assert set(missing.json()["fields"]) == {"data_consent", "data_correct"}
    put(api, f"/{draft['id']}/steps/2", {"answers": {"data_consent": True, "data_correct": True}})
    sent = post(api, f"/{draft['id']}/submit")
    resent = post(api, f"/{draft['id']}/submit")
    assert sent.status_code == 200
    assert resent.status_code == 200
    assert sent.json()["status"] == "submitted"
    assert sent.json()["number"]
    assert [entry["status"] for entry in resent.json()["timeline"]] == ["draft", "submitted"]

    application = Application.objects.get(public_id=draft["id"])
    for to in ("registered", "in_review", "info_requested"):
        _department(application, to, text="Пришлите фото." if to == "info_requested" else "")
    asked = api.get(f"{BASE}/{draft['id']}").json()
    assert asked["request_text"] == "Пришлите фото."
    assert "answer" in asked["actions"]
    assert asked["due_on"]
    assert isinstance(asked["days_left"], int)

    upload = api.post(
        f"{BASE}/{draft['id']}/files", {"file": pdf("фото.png", PNG_BYTES), "purpose": "answer"}
    )
    assert upload.status_code == 201, upload.content
    answered = post(api, f"/{draft['id']}/answer", {"text": "Отправил фото."})
    assert answered.status_code == 200
    assert answered.json()["status"] == "in_review"

    _department(application, "result_ready", text="Билет № 77-000123.")
    received = post(api, f"/{draft['id']}/receive")
    assert received.json()["status"] == "completed"
    assert received.json()["rating_token"]
    rated = api.post(
        "/api/v1/feedback/ratings",
        json.dumps({"token": received.json()["rating_token"], "stars": 5}),
        content_type="application/json",
    )
    assert rated.status_code == 201, rated.content

    mine = api.get(f"{BASE}/mine").json()
    assert mine["count"] == 1
    assert mine["items"][0]["status"] == "completed"


def _department(application, to, *, text=""):
    application.refresh_from_db()
    with transaction.atomic():
        application_move(
            application, to=to, by="department", actor=None, now=timezone.now(), text=text
        )


def test_uploads_are_refused_by_their_bytes_and_size(api, citizen):
    draft = started(api, "sports-school", subject_id=citizen.child.pk)

    exe = api.post(
        f"{BASE}/{draft['id']}/files", {"file": pdf("a.pdf", EXE_BYTES), "field": "medical"}
    )
    assert exe.status_code == 422
    assert exe.json()["code"] == "file_refused"
    assert exe.json()["field"] == "medical"
    big = api.post(
        f"{BASE}/{draft['id']}/files",
        {"file": pdf("b.pdf", PNG_BYTES + b"\x00" * (1024 * 1024)), "field": "medical"},
    )
    assert big.status_code == 422
    assert "1 МБ" in big.json()["detail"]
    nowhere = api.post(f"{BASE}/{draft['id']}/files", {"file": pdf(), "field": "sport"})
    assert nowhere.status_code == 404
    assert nowhere.json()["code"] == "field_not_found"
    assert not File.objects.exists()

    good = api.post(f"{BASE}/{draft['id']}/files", {"file": pdf(), "field": "medical"})
    assert good.status_code == 201
    assert good.json()["content_type"] == "application/pdf"
    removed = api.delete(f"{BASE}/files/{good.json()['id']}")
    assert removed.status_code == 204
    assert not File.objects.exists()


def test_start_refusals_have_stable_codes(api, citizen, other_citizen):
    not_for_self = post(api, "", {"service": "sports-school"})
    assert not_for_self.status_code == 422
    assert not_for_self.json()["code"] == "not_for_this_person"
    not_mine = post(api, "", {"service": "sports-school", "subject_id": other_citizen.child.pk})
    assert not_mine.status_code == 404
    assert not_mine.json()["code"] == "person_not_found"
    info = post(api, "", {"service": "e-prescriptions"})
    assert info.status_code == 404
    assert info.json()["code"] == "service_not_applicable"
    citizen.child.birth_date = citizen.child.birth_date.replace(year=timezone.now().year - 2)
    citizen.child.save()
    too_young = post(api, "", {"service": "sports-school", "subject_id": citizen.child.pk})
    assert too_young.status_code == 403
    assert too_young.json()["code"] == "not_eligible"
    assert too_young.json()["reasons"]


def test_a_personal_token_works_and_anonymous_is_401(client, citizen, definitions):
    _token, plaintext = accounts.api_token_create(actor=citizen.user, name="app")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    response = client.post(
        BASE, json.dumps({"service": "library-card"}), content_type="application/json", **headers
    )
    assert response.status_code == 201
    assert client.get(f"{BASE}/mine", **headers).json()["count"] == 1
    assert client.get(f"{BASE}/mine").status_code == 401
    assert post(client, "", {"service": "library-card"}).status_code == 401


def test_a_withdrawn_application_can_no_longer_be_withdrawn(api):
    draft = started(api)
    put(api, f"/{draft['id']}/steps/1", {"answers": {"has_card": False, "email": "a@b.ru"}})
    put(api, f"/{draft['id']}/steps/2", {"answers": {"data_consent": True, "data_correct": True}})
    post(api, f"/{draft['id']}/submit")

    assert post(api, f"/{draft['id']}/withdraw").json()["status"] == "withdrawn"
    again = post(api, f"/{draft['id']}/withdraw")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"
    step = put(api, f"/{draft['id']}/steps/1", {"answers": {"has_card": False}})
    assert step.status_code == 409
    assert step.json()["code"] == "not_a_draft"


def test_a_file_downloads_over_the_api_for_its_applicant_only(
    client, citizen, other_citizen, definitions
):
    draft = services.application_start(
        actor=citizen.user, service_slug="sports-school", subject_id=citizen.child.pk
    )
    file = services.application_file_add(
        actor=citizen.user, public_id=draft.public_id, field_key="medical", upload=pdf()
    )
    _token, plaintext = accounts.api_token_create(actor=citizen.user, name="app")

    mine = client.get(f"{BASE}/files/{file.public_id}", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert mine["Content-Disposition"].startswith("attachment;")
    assert mine["X-Content-Type-Options"] == "nosniff"
    client.force_login(other_citizen.user)
    theirs = client.get(f"{BASE}/files/{file.public_id}")
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "file_not_found"
