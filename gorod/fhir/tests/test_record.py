"""The medical record over FHIR: every resource validates (R4B + value sets), searches name
one patient, every look goes through record_open and is logged with channel "fhir"."""

import base64
import hashlib
from urllib.parse import urlsplit

import pytest

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.fhir.tests.test_views import fhir, link, outcome, valid
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.tests.factories import (
    certificate_entry,
    condition_entry,
    diary_reading,
    discharge_entry,
    encounter_entry,
    immunization_entry,
    lab_entry,
    prescription_entry,
    sick_leave_entry,
    study_entry,
)

ICD10 = "urn:oid:1.2.643.5.1.13.13.11.1005"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
TYPES = (
    "Encounter",
    "Condition",
    "Observation",
    "DiagnosticReport",
    "MedicationRequest",
    "Immunization",
    "DocumentReference",
)


@pytest.fixture
def record(clinic):
    patient = clinic.patient
    encounter_entry(patient, role=clinic.therapist, diagnoses=(("J06.9", "main", ""),))
    condition_entry(patient)
    lab_entry(patient)
    study_entry(patient)
    discharge_entry(patient)
    prescription_entry(patient, role=clinic.therapist)
    immunization_entry(patient, role=clinic.therapist)
    certificate_entry(patient, status="ready")
    sick_leave_entry(patient, role=clinic.therapist)
    for kind in ("pulse", "pressure", "sugar", "spo2", "temperature", "weight"):
        diary_reading(patient, kind=kind, value={"spo2": 97, "temperature": 36.6}.get(kind, 72))
    return clinic


def _codings(resource: dict):
    if isinstance(resource, dict):
        if "system" in resource and "code" in resource:
            yield resource
        for value in resource.values():
            yield from _codings(value)
    elif isinstance(resource, list):
        for value in resource:
            yield from _codings(value)


def _search(client, kind: str, patient, **params) -> dict:
    return valid(
        fhir(client.get(f"/fhir/r4/{kind}", {"patient": f"Patient/{patient.pk}", **params}))
    )


def test_every_record_type_searches_and_validates(client, record):
    client.force_login(record.patient.user)
    found = {kind: _search(client, kind, record.patient) for kind in TYPES}
    counts = {kind: bundle["total"] for kind, bundle in found.items()}
    # Condition: the problem, the visit's and the discharge's diagnoses; Observation: three
    # lab results and six diary readings; DiagnosticReport: a lab report and a study.
    assert counts == {
        "Encounter": 1,
        "Condition": 3,
        "Observation": 9,
        "DiagnosticReport": 2,
        "MedicationRequest": 1,
        "Immunization": 1,
        "DocumentReference": 3,
    }
    for bundle in found.values():
        for entry in bundle["entry"]:
            resource = valid(entry["resource"])
            read = valid(fhir(client.get(f"/fhir/r4/{resource['resourceType']}/{resource['id']}")))
            assert read == resource
            for coding in _codings(resource):
                assert coding["system"].startswith(("http", "urn:oid:")), coding
    conditions = [entry["resource"] for entry in found["Condition"]["entry"]]
    assert {c["code"]["coding"][0]["system"] for c in conditions} == {ICD10}
    assert {c["category"][0]["coding"][0]["code"] for c in conditions} == {
        "problem-list-item",
        "encounter-diagnosis",
    }
    observations = {
        entry["resource"]["code"]["coding"][0]["code"]: entry["resource"]
        for entry in found["Observation"]["entry"]
    }
    for code in ("8867-4", "85354-9", "2339-0", "59408-5", "8310-5", "29463-7", "718-7"):
        assert observations[code]["code"]["coding"][0]["system"] == LOINC
    pressure = observations["85354-9"]
    assert [part["code"]["coding"][0]["code"] for part in pressure["component"]] == [
        "8480-6",
        "8462-4",
    ]
    assert pressure["performer"][0]["reference"] == f"Patient/{record.patient.pk}"
    assert pressure["category"][0]["coding"][0]["code"] == "vital-signs"
    assert observations["718-7"]["valueQuantity"]["system"] == UCUM
    assert observations["8310-5"]["valueQuantity"]["code"] == "Cel"
    documents = [entry["resource"] for entry in found["DocumentReference"]["entry"]]
    assert {valid_r4(document)["id"] for document in documents}
    logged = AccessLogEntry.objects.filter(patient_id=record.patient.pk, channel="fhir")
    assert logged.filter(allowed=True).count() >= len(TYPES)


def test_category_and_code_narrow_a_search(client, record):
    client.force_login(record.patient.user)
    labs = _search(client, "Observation", record.patient, category="laboratory")
    assert labs["total"] == 3
    vitals = _search(client, "Condition", record.patient, category="problem-list-item")
    assert vitals["total"] == 1
    pulse = _search(client, "Observation", record.patient, code="http://loinc.org|718-7")
    assert pulse["total"] == 1


def test_everything_for_oneself(client, record):
    client.force_login(record.patient.user)
    bundle = valid(
        fhir(client.get(f"/fhir/r4/Patient/{record.patient.pk}/$everything", {"_count": 100}))
    )
    valid_r4(bundle)
    assert bundle["type"] == "searchset"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[0] == "Patient"
    assert set(kinds) == {"Patient", *TYPES}
    for entry in bundle["entry"]:
        valid(entry["resource"])
    row = AccessLogEntry.objects.filter(patient_id=record.patient.pk).first()
    assert (row.section, row.channel, row.allowed, row.role) == ("everything", "fhir", True, "self")


def test_another_persons_record_is_404_and_logged(client, record):
    stranger = PersonFactory()
    client.force_login(stranger.user)
    response = client.get("/fhir/r4/Encounter", {"patient": record.patient.pk})
    outcome = fhir(response, 404)
    assert outcome["resourceType"] == "OperationOutcome"
    entry_id = record.patient.record_entries.filter(section="encounters").get().pk
    fhir(client.get(f"/fhir/r4/Encounter/{entry_id}"), 404)
    fhir(client.get(f"/fhir/r4/Patient/{record.patient.pk}"), 404)
    denied = AccessLogEntry.objects.filter(
        patient_id=record.patient.pk, channel="fhir", allowed=False, actor_id=stranger.user.pk
    )
    assert denied.count() == 3


def test_anonymous_is_401_and_a_search_needs_a_patient(client, record):
    fhir(client.get("/fhir/r4/Condition", {"patient": record.patient.pk}), 401)
    fhir(client.get(f"/fhir/r4/Patient/{record.patient.pk}"), 401)
    client.force_login(record.patient.user)
    fhir(client.get("/fhir/r4/Condition"), 400)


def test_a_clinician_in_care_reads_the_patient(client, record):
    doctor = record.therapist.practitioner
    doctor.user = UserFactory()
    doctor.save(update_fields=["user"])
    client.force_login(doctor.user)
    patient = valid(fhir(client.get(f"/fhir/r4/Patient/{record.patient.pk}")))
    assert patient["name"][0]["family"] == record.patient.last_name
    row = AccessLogEntry.objects.filter(patient_id=record.patient.pk).first()
    assert (row.role, row.channel, row.allowed) == ("clinician", "fhir", True)


def test_capability_statement_lists_the_record(client, db):
    statement = valid(fhir(client.get("/fhir/r4/metadata")))
    listed = {item["type"]: item for item in statement["rest"][0]["resource"]}
    for kind in TYPES:
        names = {param["name"] for param in listed[kind]["searchParam"]}
        assert {"patient", "subject", "date"} <= names
    assert listed["Patient"]["operation"][0]["name"] == "everything"


def _attachments(value):
    if isinstance(value, dict):
        if "attachment" in value:
            yield value["attachment"]
        for inner in value.values():
            yield from _attachments(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _attachments(inner)


def valid_r4(resource: dict) -> dict:
    for attachment in _attachments(resource):
        if "url" in attachment:
            assert urlsplit(attachment["url"]).scheme in ("http", "https"), attachment
        if "data" in attachment:
            assert attachment["contentType"], attachment
            content = base64.b64decode(attachment["data"], validate=True)
            assert attachment["size"] == len(content)
            digest = base64.b64decode(attachment["hash"])
            assert digest == hashlib.sha1(content, usedforsecurity=False).digest()
    return resource


def test_documents_carry_the_document_itself(client, record):
    client.force_login(record.patient.user)
    found = _search(client, "DocumentReference", record.patient)
    by_type = {
        entry["resource"]["type"]["coding"][0]["code"]: valid_r4(entry["resource"])
        for entry in found["entry"]
    }

    certificate = by_type["certificate"]["content"][0]["attachment"]
    assert certificate["contentType"] == "application/pdf"
    assert base64.b64decode(certificate["data"]).startswith(b"%PDF")
    discharge = by_type["discharge"]["content"][0]["attachment"]
    assert discharge["contentType"] == "text/plain; charset=utf-8"
    summary = record.patient.record_entries.get(section="discharges").discharge
    assert summary.hospital in base64.b64decode(discharge["data"]).decode()
    leave = by_type["sick-leave"]["content"][0]["attachment"]
    leave_number = record.patient.record_entries.get(section="sick_leaves").sick_leave.number
    assert leave_number in base64.b64decode(leave["data"]).decode()
    for document in by_type.values():
        assert "url" not in document["content"][0]["attachment"]


def test_everything_is_paged_with_links(client, record):
    client.force_login(record.patient.user)
    address = f"/fhir/r4/Patient/{record.patient.pk}/$everything"
    whole = fhir(client.get(address, {"_count": 100}))
    total = whole["total"]
    assert total == len(whole["entry"]) == 21

    first = fhir(client.get(address, {"_count": 5}))
    assert len(first["entry"]) == 5
    assert first["total"] == total
    assert first["entry"][0]["resource"]["resourceType"] == "Patient"
    assert link(first, "self").endswith("_count=5")
    seen = [entry["fullUrl"] for entry in first["entry"]]
    page = first
    while link(page, "next"):
        page = valid(fhir(client.get(link(page, "next"))))
        seen += [entry["fullUrl"] for entry in page["entry"]]
    assert seen == [entry["fullUrl"] for entry in whole["entry"]]
    assert link(page, "previous")
    default = fhir(client.get(address))
    assert len(default["entry"]) == 20
    assert link(default, "next")


def test_outcomes_say_what_is_wrong(client, record):
    client.force_login(record.patient.user)
    not_a_date = outcome(client.get("/fhir/r4/Slot?start=notadate"), 400, "invalid")
    assert "notadate" in not_a_date["issue"][0]["diagnostics"]
    assert "Префикс" not in not_a_date["issue"][0]["diagnostics"]
    patient_search = outcome(
        client.get(f"/fhir/r4/Patient?_id={record.patient.pk}"), 400, "not-supported"
    )
    assert "Patient/{id}" in patient_search["issue"][0]["diagnostics"]
    # "+" unencoded in a query string arrives as a space.
    spaced = client.get(f"/fhir/r4/Patient/{record.patient.pk}?_format=application/fhir+json")
    assert fhir(spaced)["resourceType"] == "Patient"


def test_the_security_description_names_the_record(client, db):
    statement = fhir(client.get("/fhir/r4/metadata"))
    security = statement["rest"][0]["security"]["description"]
    assert "Appointment" in security
    assert "медицинская карта" in security
