"""Races run for real: threads, each with its own database connection.

On PostgreSQL the requests truly overlap (the row lock and the unique index decide); on
SQLite the IMMEDIATE transactions queue. The outcome must be the same on both: a
double-clicked submit is one submission and one use; one start key is one draft.
"""

import uuid

import pytest

from gorod.analytics.models import UsageEvent
from gorod.applications.models import Application, Event
from gorod.applications.services import citizen as services
from gorod.core.tests.races import race

THREADS = 8


def _ready_draft(citizen) -> Application:
    application = services.application_start(actor=citizen.user, service_slug="library-card")
    services.application_step_save(
        actor=citizen.user,
        public_id=application.public_id,
        step=0,
        data={"has_card": ["no"], "email": ["a@example.ru"]},
    )
    services.application_step_save(
        actor=citizen.user,
        public_id=application.public_id,
        step=1,
        data={"data_consent": ["yes"], "data_correct": ["yes"]},
    )
    return application


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_submit_is_one_submission_and_one_use(
    transactional_catalog, citizen, definitions, settings
):
    settings.GOROD_USAGE_WRITE = "immediate"
    application = _ready_draft(citizen)

    results = race(
        lambda _index: services.application_submit(
            actor=citizen.user, public_id=application.public_id, channel="web"
        ),
        threads=THREADS,
    )

    assert all(isinstance(result, Application) for result in results), results
    assert {result.status for result in results} == {"submitted"}
    assert Event.objects.filter(application=application, to_status="submitted").count() == 1
    assert UsageEvent.objects.filter(action="submit").count() == 1
    application.refresh_from_db()
    assert UsageEvent.objects.get(action="submit").id == application.use_id


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_with_one_key_make_one_draft(transactional_catalog, citizen, definitions):
    key = uuid.uuid4()

    results = race(
        lambda _index: services.application_start(
            actor=citizen.user, service_slug="library-card", start_key=key
        ),
        threads=THREADS,
    )

    assert all(isinstance(result, Application) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Application.objects.count() == 1
    assert Event.objects.filter(to_status="draft").count() == 1
