"""The medical record timeline's statement budget: the page and the API cost a fixed,
exact number of SQL statements, for the patient and for a guardian reading a child, however
long the record.

A change that adds a statement to the portal's most used read fails here first: raise the
number only with the reason in the commit."""

import json
import random
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from gorod.accounts import services as accounts
from gorod.appointments.tests.fixtures import NOW
from gorod.demo.medrecord_family import record_history
from gorod.medrecord.api.record import RENDERER
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.schemas import TimelineOut
from gorod.medrecord.tests.factories import certificate_entry, encounter_entry, lab_entry

# The web page (tests keep sessions in the database): the session, the user, the reader's
# facts, the look's log row, the person switch, the page of entries.
PAGE_STATEMENTS = 6
# With a filter in the query the form is built: its specialties and organisations.
FILTERED_PAGE_STATEMENTS = PAGE_STATEMENTS + 2
# The API: the token, the reader's facts, the look's log row, the page of entries.
API_STATEMENTS = 4


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(params=["self", "guardian"])
def reading(request, clinic):
    """(the reader's user, the patient read) with a long record."""
    patient = clinic.patient if request.param == "self" else clinic.child
    record_history(patient, years=5, entries=120, rng=random.Random(5), now=NOW)
    certificate_entry(patient, status="ready")
    return clinic.patient.user, patient


def looks(patient) -> int:
    return AccessLogEntry.objects.filter(patient_id=patient.pk, allowed=True).count()


def test_the_page_costs_its_budget(reading, client, django_assert_num_queries):
    user, patient = reading
    client.force_login(user)
    url = reverse("record:timeline", kwargs={"person_id": patient.pk})
    client.get(url)  # the process warms up: the catalog snapshot the navigation reads

    with django_assert_num_queries(PAGE_STATEMENTS):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 20
    with django_assert_num_queries(FILTERED_PAGE_STATEMENTS):
        assert client.get(url, {"section": "encounters"}).status_code == 200
    assert looks(patient) == 3


def test_the_api_costs_its_budget(reading, django_assert_num_queries):
    user, patient = reading
    _token, plaintext = accounts.api_token_create(actor=user, name="app")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    url = f"/api/v1/health/record/{patient.pk}/timeline"
    api.get(url)  # the token's first use stamps it

    with django_assert_num_queries(API_STATEMENTS):
        response = api.get(url)
    assert response.status_code == 200
    assert len(response.json()["entries"]) == 20
    with django_assert_num_queries(API_STATEMENTS):
        assert api.get(f"{url}?cursor={response.json()['next_cursor']}").status_code == 200
    assert looks(patient) == 3


def test_the_closed_filter_box_fetches_its_form(clinic, client):
    encounter_entry(clinic.patient, role=clinic.therapist, occurred_at=NOW - timedelta(days=3))
    client.force_login(clinic.patient.user)
    url = reverse("record:timeline", kwargs={"person_id": clinic.patient.pk})

    page = client.get(url).content.decode()
    assert "<select" not in page
    assert f'href="{url}?filters=1"' in page

    # Without JavaScript the link opens the page with the form; htmx fetches the form alone.
    with_form = client.get(url, {"filters": "1"}).content.decode()
    assert 'name="specialty"' in with_form
    assert "<details" in with_form
    assert " open>" in with_form
    form = client.get(url, {"filters": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert form.startswith("<form")
    assert "<html" not in form
    assert clinic.therapist.specialty.name in form


def test_the_api_page_is_what_its_schema_validates_it_to(clinic, client):
    for days in range(3):
        encounter_entry(clinic.patient, role=clinic.therapist, occurred_at=NOW - timedelta(days))
    lab_entry(clinic.patient)
    certificate_entry(clinic.patient, status="ready")
    _token, plaintext = accounts.api_token_create(actor=clinic.patient.user, name="app")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    body = api.get(f"/api/v1/health/record/{clinic.patient.pk}/timeline").json()

    assert len(body["entries"]) == 5
    # What Ninja would have answered: the schema's dump through the API's renderer.
    validated = TimelineOut.model_validate(body).model_dump()
    assert json.loads(RENDERER.render(None, validated, response_status=200)) == body
