"""Dates from outside the sane range (1900–2100, offsets −12:00 to +14:00) are refused at
every door, a row stored before that rule does not break any reader, and a crafted timeline
cursor starts from the top instead of failing."""

import base64
from datetime import date, datetime, timedelta, timezone

import pytest
from django.db import connection

from gorod.appointments.tests.fixtures import NOW
from gorod.core.errors import DomainError
from gorod.core.moments import day_refusal, moment_refusal
from gorod.fhir.tests.test_views import fhir
from gorod.medrecord.models.record import DiaryReading
from gorod.medrecord.services.labs import lab_report_store
from gorod.medrecord.tests.factories import diary_reading, encounter_entry, lab_entry
from gorod.medrecord.tests.test_api import BASE, assert_problem, post, token_client

# Each was a 500 or a stored row no reader could load (issue 13, item 7).
INSANE_MOMENTS = [
    "2026-11-25T08:00:00+23:59",
    "2026-11-25T08:00:00-16:00",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "1899-12-31T23:00:00+03:00",
]


@pytest.fixture
def patient(clinic, time_machine):
    time_machine.move_to(NOW, tick=False)
    diary_reading(clinic.patient)
    encounter_entry(clinic.patient, role=clinic.therapist)
    lab_entry(clinic.patient)
    return clinic.patient


def test_the_rule_takes_real_zones_and_the_two_centuries():
    assert moment_refusal(datetime(2026, 11, 25, tzinfo=timezone(timedelta(hours=14)))) is None
    assert moment_refusal(datetime(2026, 11, 25, tzinfo=timezone(timedelta(hours=-12)))) is None
    assert moment_refusal(datetime(2026, 11, 25)) is None
    assert moment_refusal(datetime(2026, 11, 25, tzinfo=timezone(timedelta(hours=15)))).code == (
        "time_offset_out_of_range"
    )
    assert moment_refusal(datetime(1, 1, 1)).code == "date_out_of_range"
    assert day_refusal(date(1900, 1, 1)) is None
    assert day_refusal(date(2100, 12, 31)) is None
    assert day_refusal(date(2101, 1, 1)).code == "date_out_of_range"


@pytest.mark.parametrize("moment", INSANE_MOMENTS)
def test_the_api_refuses_an_insane_measured_at_and_stores_nothing(patient, moment):
    api = token_client(patient.user)
    body = {"kind": "pulse", "value": "70", "measured_at": moment}

    problem = assert_problem(post(api, f"/{patient.pk}/diary", body), 422, "validation_error")

    assert problem["errors"][0]["location"] == "body.payload.measured_at"
    assert DiaryReading.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "2101-01-01T00:00"])
def test_the_web_form_refuses_an_insane_measured_at(client, patient, moment):
    client.force_login(patient.user)

    response = client.post(
        f"/health/record/{patient.pk}/diary/",
        {"kind": "pulse", "value": "70", "measured_at": moment},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["measured_at"] == [
        "Дата должна быть между 1900-01-01 и 2100-12-31."
    ]
    assert DiaryReading.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize(
    "query",
    [
        "timeline?since=0001-01-01",
        "timeline?until=9999-12-31",
        "labs?since=0001-01-01",
        "certificates?until=9999-12-31",
    ],
)
def test_timeline_days_outside_the_range_are_refused(patient, query):
    api = token_client(patient.user)
    assert_problem(api.get(f"{BASE}/{patient.pk}/{query}"), 422, "validation_error")


def _store_year_zero(reading: DiaryReading) -> None:
    """What a POST of 0001-01-01T00:00:00+01:00 stored before the rule: year 0 in UTC."""
    if connection.vendor == "postgresql":
        moment = "0001-01-01 00:00:00+01"
    else:
        moment = "0000-12-31 23:00:00"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE health_diaryreading SET measured_at = %s WHERE id = %s", [moment, reading.pk]
        )


def test_every_reader_survives_a_stored_year_zero_reading(client, patient):
    broken = diary_reading(patient, kind="weight", value=80)
    _store_year_zero(broken)
    api = token_client(patient.user)
    client.force_login(patient.user)

    listed = api.get(f"{BASE}/{patient.pk}/diary")
    assert listed.status_code == 200, listed.content
    assert [item["kind"] for item in listed.json()["items"]] == ["pulse"]
    assert_problem(
        api.get(f"{BASE}/{patient.pk}/diary/{broken.pk}"), 404, "diary_reading_not_found"
    )
    assert client.get(f"/health/record/{patient.pk}/diary/").status_code == 200
    everything = fhir(client.get(f"/fhir/r4/Patient/{patient.pk}/$everything"))
    assert everything["resourceType"] == "Bundle"
    observations = fhir(client.get("/fhir/r4/Observation", {"patient": f"Patient/{patient.pk}"}))
    assert observations["resourceType"] == "Bundle"
    assert client.get(f"/health/record/{patient.pk}/export.json").status_code == 200
    assert client.get(f"/health/record/{patient.pk}/export.pdf").status_code == 200
    # The patient still sees the count of their readings without the broken one.
    assert patient.diary.count() == 1


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


CRAFTED_CURSORS = [
    _cursor("2026-11-25T08:00:00+25:00|5"),
    _cursor("0001-01-01T00:00:00+01:00|5"),
    _cursor("9999-12-31T23:59:59-01:00|5"),
    _cursor("2026-11-25T08:00:00|5"),
    _cursor(f"2026-11-25T08:00:00+03:00|{2**64}"),
    "not base64 at all!",
]


@pytest.mark.parametrize("cursor", CRAFTED_CURSORS)
def test_a_crafted_cursor_starts_from_the_top(client, patient, cursor):
    api = token_client(patient.user)
    first = api.get(f"{BASE}/{patient.pk}/timeline").json()

    for path in ("timeline", "labs", "certificates"):
        response = api.get(f"{BASE}/{patient.pk}/{path}", {"cursor": cursor})
        assert response.status_code == 200, (path, response.content)
    assert api.get(f"{BASE}/{patient.pk}/timeline", {"cursor": cursor}).json() == first
    client.force_login(patient.user)
    assert client.get(f"/health/record/{patient.pk}/", {"cursor": cursor}).status_code == 200
    assert client.get(f"/health/record/{patient.pk}/labs/", {"cursor": cursor}).status_code == 200


def test_a_lab_report_with_an_insane_date_is_refused(patient):
    with pytest.raises(DomainError) as refused:
        lab_report_store(
            actor=patient.user,
            patient=patient,
            lab_system="urn:lab",
            lab_identifier="R-1",
            laboratory="Лаборатория",
            category="hematology",
            specimen="кровь",
            issued_at=datetime.fromisoformat("0001-01-01T00:00:00+01:00"),
            observations=[{"code": "718-7", "name": "Гемоглобин", "value": "140", "unit": "г/л"}],
        )
    assert (refused.value.code, refused.value.field) == ("date_out_of_range", "issued")
