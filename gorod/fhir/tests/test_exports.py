"""The citizen's downloads of the whole record: FHIR JSON and a signed PDF."""

import io

import pytest
from pypdf import PdfReader

from gorod.accounts.tests.factories import PersonFactory
from gorod.fhir.tests.test_views import valid
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.tests.factories import encounter_entry, lab_entry


@pytest.fixture
def record(clinic):
    encounter_entry(clinic.patient, role=clinic.therapist)
    lab_entry(clinic.patient)
    return clinic


def test_json_export_is_the_record_bundle(client, record):
    client.force_login(record.patient.user)
    response = client.get(f"/health/record/{record.patient.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith("attachment;")
    bundle = valid(response.json())
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Encounter", "Condition", "Observation", "DiagnosticReport"} <= kinds
    row = AccessLogEntry.objects.filter(patient_id=record.patient.pk).first()
    assert (row.section, row.channel, row.allowed) == ("everything", "web", True)


def test_pdf_export_prints_the_record(client, record):
    client.force_login(record.patient.user)
    response = client.get(f"/health/record/{record.patient.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert record.patient.last_name in text


def test_a_guardian_exports_the_childs_record(client, record):
    client.force_login(record.patient.user)
    assert client.get(f"/health/record/{record.child.pk}/export.json").status_code == 200


def test_anonymous_signs_in_and_a_stranger_gets_404(client, record):
    response = client.get(f"/health/record/{record.patient.pk}/export.json")
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(PersonFactory().user)
    assert client.get(f"/health/record/{record.patient.pk}/export.pdf").status_code == 404
    assert AccessLogEntry.objects.filter(patient_id=record.patient.pk, allowed=False).count() == 2
