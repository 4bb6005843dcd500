"""The timeline's first page costs the same few queries for 50 entries as for 500."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gorod.appointments.tests.fixtures import NOW
from gorod.demo.medrecord_family import record_history
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.selectors.access import record_open
from gorod.medrecord.selectors.record import RecordFilters, timeline

# The web page, once the process is warm (the first request of a test also fills caches):
# session and user, the look's decision and its log row, the person switch, the filters'
# choices and the page of entries. The selector alone: one query; the interface allows two.
PAGE_QUERIES = 12
SELECTOR_QUERIES = 2


def history(patient, entries: int, seed: int = 11) -> None:
    # A seed makes the lab reports' identifiers: another history of one patient needs another.
    record_history(patient, years=10, entries=entries, rng=random.Random(seed), now=NOW)


def page_queries(client, patient) -> int:
    url = reverse("record:timeline", kwargs={"person_id": patient.pk})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def selector_queries(patient) -> int:
    access = record_open(
        actor=patient.user, person_id=patient.pk, section="timeline", channel="web"
    )
    with CaptureQueriesContext(connection) as captured:
        page = timeline(access, filters=RecordFilters())
    assert len(page.entries) > 0
    return len(captured.captured_queries)


@pytest.mark.parametrize("entries", [500])
def test_the_first_page_of_a_long_record_is_a_few_queries(
    clinic, client, django_assert_max_num_queries, entries
):
    patient = clinic.patient
    history(patient, entries)
    client.force_login(patient.user)
    url = reverse("record:timeline", kwargs={"person_id": patient.pk})
    client.get(url)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 20
    access = record_open(
        actor=patient.user, person_id=patient.pk, section="timeline", channel="web"
    )
    with django_assert_max_num_queries(SELECTOR_QUERIES):
        page = timeline(access, filters=RecordFilters())
    assert page.next_cursor is not None
    # Every look was logged once: the pages' and the selector's.
    assert AccessLogEntry.objects.filter(patient_id=patient.pk, allowed=True).count() == 3


def test_the_query_count_does_not_grow_with_the_record(clinic, client):
    patient = clinic.patient
    client.force_login(patient.user)
    history(patient, 50)
    page_queries(client, patient)
    page_50, selector_50 = page_queries(client, patient), selector_queries(patient)
    history(patient, 450, seed=12)
    page_500, selector_500 = page_queries(client, patient), selector_queries(patient)
    assert page_500 == page_50
    assert selector_500 == selector_50
