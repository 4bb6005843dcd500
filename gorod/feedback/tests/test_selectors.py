import pytest

from gorod.catalog.models import Department, Service
from gorod.feedback import selectors

pytestmark = pytest.mark.django_db


def test_an_ownership_target_is_a_service_or_a_department(catalog):
    Service.objects.filter(slug="emr").update(is_published=False)
    department = Department.objects.first()
    # An unpublished service has owners too: its history is still rated and read.
    service, none = selectors.ownership_target(service_slug="emr", department_code=None)
    assert (service.slug, none) == ("emr", None)
    assert selectors.ownership_target(service_slug=None, department_code=department.code) == (
        None,
        department,
    )
    assert selectors.ownership_target(service_slug="no-such", department_code=None) == (None, None)
