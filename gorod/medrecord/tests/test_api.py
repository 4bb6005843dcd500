"""The medical record's JSON API: who gets what, logged looks, decimal strings, problems."""

import json
from datetime import date

import pytest
from django.test import Client

from gorod.accounts import services as accounts
from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.tests.factories import PractitionerFactory, RoleFactory
from gorod.medrecord.models.record import AccessLogEntry, Certificate, DiaryReading, Entry
from gorod.medrecord.tests.factories import (
    certificate_entry,
    diary_reading,
    encounter_entry,
    finalise,
    immunization_entry,
    lab_entry,
)

PROBLEM = "application/problem+json"
BASE = "/api/v1/health/record"


@pytest.fixture
def record(clinic, time_machine):
    """The patient's record: a visit, a blood count, a ready certificate, a diary reading."""
    time_machine.move_to(NOW)
    return {
        "encounter": encounter_entry(clinic.patient, role=clinic.therapist),
        "lab": lab_entry(clinic.patient),
        "certificate": certificate_entry(clinic.patient, status="ready"),
        "reading": diary_reading(clinic.patient),
    }


def token_client(user) -> Client:
    _token, plaintext = accounts.api_token_create(actor=user, name="app")
    # A program has no CSRF cookie: the test client's CSRF exemption would hide that.
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def api(clinic, record):
    return token_client(clinic.patient.user)


def post(client, path, body, **headers):
    return client.post(
        f"{BASE}{path}", json.dumps(body), content_type="application/json", **headers
    )


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code
    return body


def last_look() -> AccessLogEntry:
    return AccessLogEntry.objects.order_by("-id").first()


def test_the_timeline_lists_the_record_newest_first(api, clinic, record):
    response = api.get(f"{BASE}/{clinic.patient.pk}/timeline")
    assert response.status_code == 200
    body = response.json()
    ids = {entry["id"] for entry in body["entries"]}
    assert ids == {record["encounter"].pk, record["lab"].pk, record["certificate"].pk}
    assert body["next_cursor"] is None
    visit = next(item for item in body["entries"] if item["id"] == record["encounter"].pk)
    assert visit["section"] == "encounters"
    assert visit["practitioner"]["id"] == clinic.therapist.practitioner_id
    assert visit["url"] == f"{BASE}/{clinic.patient.pk}/encounters/{record['encounter'].pk}"
    look = last_look()
    assert (look.role, look.section, look.channel, look.allowed) == (
        "self",
        "timeline",
        "api",
        True,
    )


def test_a_section_and_the_timeline_filtered_to_it(api, clinic, record):
    section = api.get(f"{BASE}/{clinic.patient.pk}/labs").json()
    assert [entry["id"] for entry in section["entries"]] == [record["lab"].pk]
    filtered = api.get(f"{BASE}/{clinic.patient.pk}/timeline?section=labs").json()
    assert filtered == section
    diary = api.get(f"{BASE}/{clinic.patient.pk}/timeline?section=diary")
    assert_problem(diary, 422, "validation_error")
    assert last_look().section == "labs"


def test_the_timeline_pages_with_a_cursor(api, clinic, record, settings):
    settings.GOROD_HEALTH_TIMELINE_PAGE = 2
    first = api.get(f"{BASE}/{clinic.patient.pk}/timeline").json()
    assert len(first["entries"]) == 2
    assert first["next_cursor"]
    second = api.get(f"{BASE}/{clinic.patient.pk}/timeline?cursor={first['next_cursor']}").json()
    assert len(second["entries"]) == 1
    assert second["next_cursor"] is None


def test_an_encounter_with_its_protocol_and_icd10_diagnoses(api, clinic, record):
    entry = record["encounter"]
    response = api.get(f"{BASE}/{clinic.patient.pk}/encounters/{entry.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["encounter"]["complaints"].startswith("Насморк")
    assert body["diagnoses"] == [
        {
            "code": "J06.9",
            "name": entry.diagnoses.get().icd10.name,
            "kind": "main",
            "comment": "",
        }
    ]
    assert body["amends"] is None
    assert body["amended_by"] is None
    assert body["lab_report"] is None
    look = last_look()
    assert (look.section, look.entry_id) == ("encounters", entry.pk)


def test_a_corrected_entry_names_its_versions(api, clinic, record):
    original = record["encounter"]
    correction = encounter_entry(clinic.patient, role=clinic.therapist, finalised=False)
    Entry.objects.filter(pk=correction.pk).update(
        amends=original, amendment_reason="Уточнён диагноз"
    )
    finalise(correction)
    Entry.objects.filter(pk=original.pk).update(superseded_at=NOW)
    base = f"{BASE}/{clinic.patient.pk}/encounters"
    latest = api.get(f"{base}/{correction.pk}").json()
    assert latest["amends"] == original.pk
    assert latest["amendment_reason"] == "Уточнён диагноз"
    assert_problem(api.get(f"{base}/{original.pk}"), 404, "record_not_found")
    earlier = api.get(f"{base}/{original.pk}?amended_by={correction.pk}").json()
    assert earlier["amended_by"] == correction.pk
    assert earlier["superseded_at"] is not None
    timeline = api.get(f"{BASE}/{clinic.patient.pk}/timeline").json()
    assert original.pk not in {entry["id"] for entry in timeline["entries"]}


def test_lab_values_are_decimal_strings(api, clinic, record):
    body = api.get(f"{BASE}/{clinic.patient.pk}/labs/{record['lab'].pk}").json()
    assert body["lab_report"]["laboratory"].startswith("Лаборатория")
    leucocytes = next(item for item in body["observations"] if item["code"] == "6690-2")
    assert leucocytes["value"] == "11.8"
    assert (leucocytes["reference_low"], leucocytes["reference_high"]) == ("4", "9")
    assert (leucocytes["unit"], leucocytes["flag"]) == ("10^9/л", "H")
    assert body["flagged"] is True


def test_one_analyte_across_reports(api, clinic, record):
    lab_entry(
        clinic.patient,
        occurred_at=NOW.replace(month=10),
        observations=[("718-7", "Гемоглобин", "118.5", "г/л", "120", "160")],
    )
    response = api.get(f"{BASE}/{clinic.patient.pk}/labs/analytes/718-7")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Гемоглобин"
    assert [(point["value"], point["flag"]) for point in body["points"]] == [
        ("118.5", "L"),
        ("142", "N"),
    ]
    assert_problem(
        api.get(f"{BASE}/{clinic.patient.pk}/labs/analytes/nope"), 404, "analyte_not_found"
    )


def test_another_section_or_a_wrong_one_is_not_found(api, clinic, record):
    assert_problem(
        api.get(f"{BASE}/{clinic.patient.pk}/labs/{record['encounter'].pk}"),
        404,
        "record_not_found",
    )
    # A name outside the documented enum is a validation problem naming the path parameter.
    for path in ("gossip", "gossip/1"):
        problem = assert_problem(
            api.get(f"{BASE}/{clinic.patient.pk}/{path}"), 422, "validation_error"
        )
        assert problem["errors"][0]["location"] == "path.section"


def test_the_section_parameter_is_an_enum_of_the_real_sections(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    def section_enum(path: str) -> set[str]:
        parameters = paths[f"{BASE}{path}"]["get"]["parameters"]
        return set(next(p for p in parameters if p["name"] == "section")["schema"]["enum"])

    # /diary and /certificates are routes of their own with other shapes: never a {section}.
    listed = section_enum("/{person_id}/{section}")
    assert not {"diary", "certificates"} & listed
    assert {"encounters", "labs", "sick_leaves"} <= listed
    assert "diary" not in section_enum("/{person_id}/{section}/{entry_id}")


def test_the_diary_is_read_added_to_and_pruned(api, clinic, record):
    listed = api.get(f"{BASE}/{clinic.patient.pk}/diary").json()
    assert listed["count"] == 1
    assert listed["items"][0]["value"] == "72"
    added = post(
        api,
        f"/{clinic.patient.pk}/diary",
        {
            "kind": "pressure",
            "value": "128",
            "value_low": "82.5",
            "measured_at": "2026-11-25T08:30:00+03:00",
            "note": "утром",
        },
    )
    assert added.status_code == 201, added.content
    reading = added.json()
    assert (reading["value"], reading["value_low"]) == ("128", "82.5")
    assert api.get(f"{BASE}/{clinic.patient.pk}/diary?kind=pressure").json()["count"] == 1
    one = api.get(f"{BASE}/{clinic.patient.pk}/diary/{reading['id']}")
    assert one.json() == reading
    deleted = api.delete(f"{BASE}/{clinic.patient.pk}/diary/{reading['id']}")
    assert deleted.status_code == 204
    assert not DiaryReading.objects.filter(pk=reading["id"]).exists()
    assert last_look().section == "diary"


def test_an_implausible_reading_is_a_problem_with_a_stable_code(api, clinic, record):
    body = {"kind": "temperature", "value": "63.6", "measured_at": "2026-11-25T08:30:00+03:00"}
    russian = assert_problem(
        post(api, f"/{clinic.patient.pk}/diary", body), 400, "diary_value_out_of_range"
    )
    english = assert_problem(
        post(api, f"/{clinic.patient.pk}/diary", body, HTTP_ACCEPT_LANGUAGE="en"),
        400,
        "diary_value_out_of_range",
    )
    # The code is the contract; the English message follows once the catalogue has it.
    assert "Значение" in russian["detail"]
    assert english["field"] == russian["field"] == "value"


def test_a_malformed_value_is_a_validation_problem(api, clinic, record):
    body = {"kind": "temperature", "value": "36,6", "measured_at": "2026-11-25T08:30:00+03:00"}
    problem = assert_problem(
        post(api, f"/{clinic.patient.pk}/diary", body), 422, "validation_error"
    )
    assert problem["errors"][0]["location"] == "body.payload.value"
    assert "Запрос" in problem["detail"]
    english = post(api, f"/{clinic.patient.pk}/diary", body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["code"] == "validation_error"
    assert "Запрос" not in english["detail"]
    assert DiaryReading.objects.count() == 1


def test_certificates_are_listed_and_ordered(api, clinic, record):
    listed = api.get(f"{BASE}/{clinic.patient.pk}/certificates").json()
    ready = listed["entries"][0]
    assert ready["certificate"]["pdf_url"].endswith(f"/certificates/{record['certificate'].pk}/pdf")
    ordered = post(
        api, f"/{clinic.patient.pk}/certificates", {"kind": "sport", "purpose": "секция"}
    )
    assert ordered.status_code == 201, ordered.content
    body = ordered.json()
    assert body["status"] == "ordered"
    assert body["certificate"]["kind"] == "sport"
    assert body["certificate"]["ready_by"] == "2026-11-26"
    assert body["certificate"]["pdf_url"] is None
    assert body["rating_token"]
    assert Certificate.objects.filter(entry_id=body["id"], purpose="секция").exists()


def test_a_ready_certificate_downloads_as_pdf_and_is_issued(api, clinic, record):
    entry = record["certificate"]
    response = api.get(f"{BASE}/{clinic.patient.pk}/certificates/{entry.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry.refresh_from_db()
    assert entry.status == "issued"


def test_an_ordered_certificate_has_no_pdf_yet(api, clinic, record):
    entry = certificate_entry(clinic.patient, ready_by=date(2026, 11, 26))
    response = api.get(f"{BASE}/{clinic.patient.pk}/certificates/{entry.pk}/pdf")
    assert_problem(response, 409, "certificate_not_ready")
    cancelled = post(api, f"/{clinic.patient.pk}/certificates/{entry.pk}/cancel", {})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    again = post(api, f"/{clinic.patient.pk}/certificates/{entry.pk}/cancel", {})
    assert_problem(again, 400, "certificate_not_cancellable")


def test_the_access_log_lists_looks_newest_first(api, clinic, record):
    api.get(f"{BASE}/{clinic.patient.pk}/timeline")
    response = api.get(f"{BASE}/{clinic.patient.pk}/access-log?page_size=1")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["pages"] == 2
    (look,) = body["items"]
    assert (look["section"], look["role"], look["channel"], look["allowed"]) == (
        "access_log",
        "self",
        "api",
        True,
    )
    assert_problem(
        api.get(f"{BASE}/{clinic.patient.pk}/access-log?page=9"), 404, "page_out_of_range"
    )


def test_a_guardian_reads_the_childs_record_with_the_session(client, clinic, time_machine):
    time_machine.move_to(NOW)
    shot = immunization_entry(clinic.child)
    client.force_login(clinic.patient.user)
    body = client.get(f"{BASE}/{clinic.child.pk}/immunizations/{shot.pk}").json()
    assert body["immunization"]["target_disease"] == "COVID-19"
    assert client.get(f"{BASE}/{clinic.child.pk}/access-log").status_code == 200
    assert last_look().role == "guardian"


def test_a_session_write_needs_the_csrf_token(clinic, record):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic.patient.user)
    body = {"kind": "pulse", "value": "70", "measured_at": "2026-11-25T08:30:00+03:00"}
    assert_problem(post(client, f"/{clinic.patient.pk}/diary", body), 403, "http_error")
    assert DiaryReading.objects.count() == 1


def delegate_of(principal, scopes: list[str]):
    delegate = PersonFactory()
    Delegation.objects.create(
        principal=principal, delegate=delegate, scopes=scopes, confirmed_at=NOW
    )
    return token_client(delegate.user)


def test_a_delegate_with_the_record_scope_reads_but_not_the_log(clinic, record):
    api = delegate_of(clinic.patient, ["record"])
    assert api.get(f"{BASE}/{clinic.patient.pk}/timeline").status_code == 200
    assert last_look().role == "delegate"
    assert_problem(api.get(f"{BASE}/{clinic.patient.pk}/access-log"), 404, "record_not_found")
    # The diary is read by a delegate, written only by the patient or a guardian.
    assert api.get(f"{BASE}/{clinic.patient.pk}/diary").status_code == 200
    body = {"kind": "pulse", "value": "70", "measured_at": "2026-11-25T08:30:00+03:00"}
    assert_problem(post(api, f"/{clinic.patient.pk}/diary", body), 403, "record_patient_only")
    ordered = post(api, f"/{clinic.patient.pk}/certificates", {"kind": "camp"})
    assert ordered.status_code == 201


def test_a_delegate_without_the_record_scope_is_not_found(clinic, record):
    api = delegate_of(clinic.patient, ["appointments"])
    response = api.get(f"{BASE}/{clinic.patient.pk}/encounters/{record['encounter'].pk}")
    assert_problem(response, 404, "record_not_found")
    look = last_look()
    assert (look.role, look.allowed, look.entry_id) == ("delegate", False, record["encounter"].pk)


def test_a_clinician_in_care_reads_the_record(clinic, record):
    doctor = UserFactory()
    role = RoleFactory(
        practitioner=PractitionerFactory(user=doctor), location=clinic.therapist.location
    )
    visit = encounter_entry(clinic.patient, role=role)
    api = token_client(doctor)
    body = api.get(f"{BASE}/{clinic.patient.pk}/encounters/{visit.pk}").json()
    assert body["practitioner"]["id"] == role.practitioner_id
    assert api.get(f"{BASE}/{clinic.patient.pk}/labs/{record['lab'].pk}").status_code == 200
    assert last_look().role == "clinician"
    # A doctor reads the diary but does not write it, and never the log of looks.
    assert_problem(api.get(f"{BASE}/{clinic.patient.pk}/access-log"), 404, "record_not_found")


def test_a_stranger_is_not_found_and_logged(clinic, record):
    api = token_client(PersonFactory().user)
    for path in ("timeline", "labs", f"labs/{record['lab'].pk}", "diary", "certificates"):
        assert_problem(api.get(f"{BASE}/{clinic.patient.pk}/{path}"), 404, "record_not_found")
    denied = AccessLogEntry.objects.filter(patient_id=clinic.patient.pk, allowed=False)
    assert denied.count() == 5
    assert set(denied.values_list("role", flat=True)) == {"none"}


def test_a_person_who_does_not_exist_is_the_same_not_found(api):
    assert_problem(api.get(f"{BASE}/999999999/timeline"), 404, "record_not_found")
    assert_problem(api.get(f"{BASE}/{2**70}/timeline"), 404, "record_not_found")
    assert last_look().patient_id == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "timeline"),
        ("get", "encounters/1"),
        ("get", "access-log"),
        ("post", "diary"),
        ("post", "certificates"),
        ("delete", "diary/1"),
    ],
)
def test_anonymous_is_401_and_logged(clinic, method, path):
    client = Client(enforce_csrf_checks=True)
    body = {"kind": "pulse", "value": "70", "measured_at": "2026-11-25T08:30:00+03:00"}
    if path == "certificates":
        body = {"kind": "pool"}
    url = f"{BASE}/{clinic.patient.pk}/{path}"
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    assert_problem(response, 401, "not_authenticated")
    look = last_look()
    assert (look.role, look.allowed, look.patient_id) == ("anonymous", False, clinic.patient.pk)
    assert not Entry.objects.exists()
    assert not DiaryReading.objects.exists()


def test_a_bad_token_is_anonymous(clinic):
    client = Client(HTTP_AUTHORIZATION="Bearer gorod_nope_nope")
    assert_problem(client.get(f"{BASE}/{clinic.patient.pk}/timeline"), 401, "not_authenticated")
    assert last_look().role == "anonymous"


def test_the_openapi_document_shows_problems_and_the_pdf(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    record_paths = {path for path in paths if path.startswith(BASE)}
    assert f"{BASE}/{{person_id}}/{{section}}/{{entry_id}}" in record_paths
    # Ten paths of looks, and a doctor's emergency opening.
    assert len(record_paths) == 11
    assert f"{BASE}/emergency-access" in record_paths
    pdf = paths[f"{BASE}/{{person_id}}/certificates/{{entry_id}}/pdf"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
    assert PROBLEM in pdf["409"]["content"]
    assert PROBLEM in paths[f"{BASE}/{{person_id}}/timeline"]["get"]["responses"]["401"]["content"]
