"""Races run for real: threads with their own database connections."""

import threading

import pytest

from gorod.accounts.tests.factories import UserFactory
from gorod.catalog.models import Service
from gorod.core.errors import DomainError
from gorod.feedback import services
from gorod.feedback.models import Rating, RatingSummary
from gorod.feedback.tests.conftest import INFO_SERVICE, use_token

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_use_make_one_rating(transactional_catalog, settings):
    settings.GOROD_USAGE_WRITE = "immediate"
    service = Service.objects.get(slug=INFO_SERVICE)
    citizen = UserFactory()
    token = use_token(citizen, service)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def rate(stars: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.rating_create(actor=citizen, token=token, stars=stars)
            outcomes.append("created")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(1 + index % 5,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_rated"] * (THREADS - 1) + ["created"]
    assert Rating.objects.count() == 1
    summary = RatingSummary.objects.get(pk=service.pk)
    assert summary.count == 1
    assert summary.counts[Rating.objects.get().stars] == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_ratings_of_a_service_keep_the_summary_exact(
    transactional_catalog, settings
):
    settings.GOROD_USAGE_WRITE = "immediate"
    service = Service.objects.get(slug=INFO_SERVICE)
    citizens = [UserFactory() for _ in range(THREADS)]
    tokens = [use_token(citizen, service) for citizen in citizens]
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def rate(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.rating_create(actor=citizens[index], token=tokens[index], stars=5)
        except Exception as error:  # collected and asserted below: any failure counts
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    summary = RatingSummary.objects.get(pk=service.pk)
    assert (summary.count, summary.c5) == (THREADS, THREADS)
