"""Fixtures of the feedback tests: citizens with a recorded use, service owners."""

import pytest

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.services import usage_record
from gorod.catalog.models import Service
from gorod.feedback import selectors, services

INFO_SERVICE = "e-prescriptions"  # an information service of ДЗМ
OTHER_SERVICE = "pharmacy-search"  # another department's
SAME_DEPARTMENT_SERVICE = "sick-leave"  # ДЗМ too


@pytest.fixture(autouse=True)
def _immediate_usage(settings):
    # Uses are written at once, inside the test's transaction, not by the buffer thread.
    settings.GOROD_USAGE_WRITE = "immediate"


@pytest.fixture
def service(catalog):
    return Service.objects.select_related("department").get(slug=INFO_SERVICE)


@pytest.fixture
def other_service(catalog):
    return Service.objects.get(slug=OTHER_SERVICE)


@pytest.fixture
def citizen(db):
    return UserFactory()


def use_token(user, service) -> str:
    """Record a use of the service by the user and return its rating receipt."""
    use_id = usage_record(service=service, actor=user, action="open", channel="web")
    return selectors.rating_invitation(actor=user, service=service, use_id=use_id)


def rate(user, service, stars: int, comment: str = ""):
    return services.rating_create(
        actor=user, token=use_token(user, service), stars=stars, comment=comment
    )


@pytest.fixture
def owner(service):
    user = UserFactory()
    services.service_ownership_grant(actor=None, user=user, service=service)
    return user


@pytest.fixture
def department_owner(service):
    user = UserFactory()
    services.service_ownership_grant(actor=None, user=user, department=service.department)
    return user
