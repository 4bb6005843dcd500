"""Every moment the API writes is the city's wall clock with its offset, in whole seconds,
whichever app wrote it (housing used to write "Z", health "+03:00")."""

import json
import re

from gorod.appointments.tests.fixtures import NOW
from gorod.core.renderers import city_time
from gorod.housing.tests.conftest import IN_WINDOW, household  # noqa: F401  (a fixture)
from gorod.medrecord.tests.factories import diary_reading, encounter_entry

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
CITY_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$")


def _moments(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _moments(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _moments(inner)
    elif isinstance(value, str) and MOMENT.match(value):
        yield value


def test_city_time_converts_and_drops_fractions():
    assert city_time(NOW.replace(microsecond=123456)) == "2026-11-25T09:00:00+03:00"


def test_housing_and_health_write_moments_alike(client, household, clinic, time_machine):  # noqa: F811
    time_machine.move_to(IN_WINDOW)
    client.force_login(household.user)
    submitted = client.post(
        f"/api/v1/housing/premises/{household.premises.pk}/readings",
        json.dumps({"readings": [{"meter_id": household.cold.pk, "value": "12,5"}]}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="times-1",
    )
    assert submitted.status_code == 201, submitted.content
    housing = client.get("/api/v1/housing/premises").json()

    time_machine.move_to(NOW)
    encounter_entry(clinic.patient, role=clinic.therapist)
    diary_reading(clinic.patient)
    client.force_login(clinic.patient.user)
    health = [
        client.get(f"/api/v1/health/record/{clinic.patient.pk}/{path}").json()
        for path in ("timeline", "diary", "access-log")
    ]

    housing_moments = list(_moments(housing))
    health_moments = list(_moments(health))
    assert housing_moments
    assert health_moments
    for moment in housing_moments + health_moments:
        assert CITY_TIME.match(moment), moment
