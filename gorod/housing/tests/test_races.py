"""Races run for real: 50 threads, each with its own database connection.

On PostgreSQL the submissions truly overlap (row locks and the unique index decide); on
SQLite the IMMEDIATE transactions queue. The outcome must be the same on both.
"""

from collections import Counter

import pytest

from gorod.core.tests.races import race
from gorod.housing import services
from gorod.housing.models import Reading, Submission
from gorod.housing.tests.conftest import IN_WINDOW

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_retries_of_one_submission_make_one_reading(transactional_catalog, household):
    def submit(_index):
        return services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={household.cold.pk: "12,345", household.hot.pk: "11"},
            idempotency_key="one-click-fifty-retries",
            channel="api",
            now=IN_WINDOW,
        )

    results = race(submit, threads=THREADS)
    assert all(not isinstance(result, str) for result in results), results
    assert Counter(result.replayed for result in results) == {True: THREADS - 1, False: 1}
    assert Submission.objects.count() == 1
    assert Reading.objects.count() == 2
    reading_ids = {tuple(sorted(r.pk for r in result.readings)) for result in results}
    assert len(reading_ids) == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_different_values_leave_one_accepted_reading_and_a_whole_history(
    transactional_catalog, household, time_machine
):
    time_machine.move_to(IN_WINDOW, tick=True)

    def submit(index):
        return services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={household.cold.pk: f"{20 + index},5"},
            idempotency_key=f"racer-{index}",
            channel="api",
        )

    results = race(submit, threads=THREADS)
    assert all(not isinstance(result, str) for result in results), results
    # Ids are drawn under the meter's lock, so they give the order of writing.
    versions = list(Reading.objects.filter(meter=household.cold).order_by("id"))
    assert len(versions) == THREADS
    assert [version.status for version in versions] == [Reading.Status.SUPERSEDED] * (
        THREADS - 1
    ) + [Reading.Status.ACCEPTED]
    # Every version was compared with the same past, and each was replaced after it was
    # written and before its successor was replaced: a sequence, not a tangle.
    assert {version.previous_value for version in versions} == {household.cold.initial_value}
    replaced_at = [version.superseded_at for version in versions[:-1]]
    assert replaced_at == sorted(replaced_at)
    assert all(version.superseded_at >= version.submitted_at for version in versions[:-1])
    assert {version.value for version in versions} == {
        result.readings[0].value for result in results
    }
