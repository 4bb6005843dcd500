"""POST /fhir/r4/: a laboratory's DiagnosticReport bundle, stored once, refused with a code."""

import copy
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from fhir.resources.R4B.bundle import Bundle

from gorod.accounts import services as accounts
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.medrecord.models.record import Entry, LabReport, Observation
from gorod.medrecord.services.labs import OMS_POLICY_SYSTEM, lab_report_from_bundle

pytestmark = pytest.mark.django_db

URL = "/fhir/r4/"
POLICY = "7700000000000042"
LAB = "urn:oid:1.2.643.5.1.13.13.12.2.77.7973"


def observation(uuid: str, code: str, name: str, value, unit: str, low, high, flag=None) -> dict:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": name}]},
        "valueQuantity": {"value": value, "unit": unit},
        "referenceRange": [{"low": {"value": low}, "high": {"value": high}}],
    }
    if flag:
        resource["interpretation"] = [{"coding": [{"code": flag}]}]
    return {
        "fullUrl": f"urn:uuid:{uuid}",
        "resource": resource,
        "request": {"method": "POST", "url": "Observation"},
    }


def bundle(subject: dict, identifier: str = "A-1001") -> dict:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:report",
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "identifier": [{"system": LAB, "value": identifier}],
                    "status": "final",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                    "code": "HM",
                                }
                            ]
                        }
                    ],
                    "code": {"text": "Общий анализ крови"},
                    "subject": subject,
                    "effectiveDateTime": "2026-11-20T08:30:00+03:00",
                    "issued": "2026-11-20T14:00:00+03:00",
                    "performer": [{"display": "Лаборатория «Гемотест»"}],
                    "conclusion": "Лейкоцитоз.",
                    "result": [{"reference": "urn:uuid:hb"}, {"reference": "urn:uuid:wbc"}],
                },
                "request": {"method": "POST", "url": "DiagnosticReport"},
            },
            observation("hb", "718-7", "Гемоглобин", 142, "г/л", 120, 160),
            observation("wbc", "6690-2", "Лейкоциты", 11.8, "10^9/л", 4, 9, flag="H"),
        ],
    }


@pytest.fixture
def patient():
    return PersonFactory(oms_policy=POLICY)


@pytest.fixture
def by_policy(patient):
    return bundle({"identifier": {"system": OMS_POLICY_SYSTEM, "value": POLICY}})


def token_of(user) -> str:
    _token, plaintext = accounts.api_token_create(actor=user, name="lab")
    return plaintext


@pytest.fixture
def lab_token():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="laboratory"))
    return token_of(user)


def post(client, data, token=None, content_type="application/fhir+json"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, json.dumps(data), content_type=content_type, **headers)


def code_of(response) -> str:
    return response.json()["issue"][0]["details"]["coding"][0]["code"]


def test_the_test_bundle_is_valid_fhir_r4(by_policy):
    parsed = Bundle.model_validate(by_policy)
    assert [entry.resource.get_resource_type() for entry in parsed.entry] == [
        "DiagnosticReport",
        "Observation",
        "Observation",
    ]


def test_a_bundle_becomes_plain_values():
    data = lab_report_from_bundle(bundle({"reference": "Patient/7"}))
    assert (data.patient_id, data.oms_policy) == (7, "")
    assert (data.lab_system, data.lab_identifier, data.category) == (LAB, "A-1001", "haematology")
    assert data.laboratory == "Лаборатория «Гемотест»"
    assert data.issued_at.isoformat() == "2026-11-20T14:00:00+03:00"
    assert [row["code"] for row in data.observations] == ["718-7", "6690-2"]
    assert data.observations[1]["flag"] == "H"
    assert data.observations[0]["reference_low"] == Decimal(120)


def test_the_first_post_stores_the_report_and_a_repeat_finds_it(
    client, patient, by_policy, lab_token
):
    first = post(client, by_policy, lab_token)
    assert first.status_code == 201, first.content
    location = first.json()["entry"][0]["response"]["location"]
    entry_id = int(location.split("/")[1])
    assert first["Location"].endswith(f"/fhir/r4/DiagnosticReport/{entry_id}")
    entry = Entry.objects.get(pk=entry_id)
    assert entry.patient == patient
    assert entry.section == "labs"
    assert entry.lab_report.lab_identifier == "A-1001"
    values = {row.code: row for row in Observation.objects.filter(entry=entry)}
    assert values["6690-2"].value == Decimal("11.8")
    assert values["6690-2"].flag == "H"
    assert values["718-7"].flag == "N"
    assert entry.flagged

    again = post(client, by_policy, lab_token)
    assert again.status_code == 200
    assert again.json()["entry"][0]["response"]["location"] == location
    assert LabReport.objects.count() == 1


def test_a_patient_reference_by_id_works(client, patient, lab_token):
    response = post(
        client, bundle({"reference": f"Patient/{patient.pk}"}), lab_token, "application/json"
    )
    assert response.status_code == 201
    assert Entry.objects.get().patient == patient


def _broken(data: dict, change) -> dict:
    data = copy.deepcopy(data)
    change(data)
    return data


def _report(data):
    return data["entry"][0]["resource"]


BROKEN = {
    "bundle_invalid": lambda data: data["entry"][1]["resource"].pop("status"),
    "bundle_type_invalid": lambda data: data.update(type="searchset"),
    "report_count_invalid": lambda data: data["entry"].pop(0),
    "lab_identifier_missing": lambda data: _report(data)["identifier"][0].pop("value"),
    "report_status_invalid": lambda data: _report(data).update(status="preliminary"),
    "subject_invalid": lambda data: _report(data).update(subject={"reference": "Group/1"}),
    "laboratory_missing": lambda data: _report(data).pop("performer"),
    "result_reference_unresolved": lambda data: _report(data)["result"].append(
        {"reference": "urn:uuid:missing"}
    ),
    "observations_missing": lambda data: _report(data).pop("result"),
    "observation_unit_missing": lambda data: data["entry"][1]["resource"]["valueQuantity"].pop(
        "unit"
    ),
    "observation_value_missing": lambda data: data["entry"][1]["resource"].pop("valueQuantity"),
    "reference_range_invalid": lambda data: data["entry"][1]["resource"].update(
        referenceRange=[{"low": {"value": 9}, "high": {"value": 1}}]
    ),
}


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_a_broken_bundle_is_refused_with_its_code(client, by_policy, lab_token, code):
    response = post(client, _broken(by_policy, BROKEN[code]), lab_token)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert code_of(response) == code
    assert not LabReport.objects.exists()


def test_an_unknown_patient_is_unprocessable(client, lab_token):
    data = bundle({"identifier": {"system": OMS_POLICY_SYSTEM, "value": "7700000000009999"}})
    response = post(client, data, lab_token)
    assert response.status_code == 422
    assert code_of(response) == "patient_not_found"


def test_not_json_and_not_a_bundle_are_refused(client, lab_token):
    response = client.post(
        URL, "{", content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {lab_token}"
    )
    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "structure"
    response = post(client, {"resourceType": "Patient"}, lab_token)
    assert (response.status_code, code_of(response)) == (400, "bundle_invalid")
    response = post(client, {}, lab_token, content_type="text/plain")
    assert response.status_code == 415


def test_only_a_laboratory_may_post(client, by_policy):
    citizen = token_of(UserFactory())
    response = post(client, by_policy, citizen)
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"
    assert not LabReport.objects.exists()


def test_without_a_token_the_answer_is_401(client, by_policy):
    response = post(client, by_policy)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "Bearer" in response["WWW-Authenticate"]
    assert post(client, by_policy, "gorod_bad_token").status_code == 401


def test_a_session_is_not_enough(client, by_policy):
    """The endpoint takes no CSRF token, so a browser session must not post results."""
    user = UserFactory()
    user.groups.add(Group.objects.get(name="laboratory"))
    client.force_login(user)
    assert post(client, by_policy).status_code == 401


def test_get_is_not_allowed(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
