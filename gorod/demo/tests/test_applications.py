"""The demo city's long tail: every definition loaded, a staff login per department, the
sample of applications spread over the lifecycle, and the demo citizen's own at each step."""

import pytest

from gorod.accounts.tests.factories import PersonFactory
from gorod.applications.models import Application, Definition, DepartmentPost, Event
from gorod.catalog.models import Service
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.demo import applications as demo


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    with rolled_back_after_module(django_db_blocker):
        citizen = PersonFactory(user__email="demo@gorod.local").user
        yield citizen, demo.applications_demo(citizen_user=citizen, seed=3, count=60)


@pytest.fixture
def city(db, made):
    return made


def test_every_service_definition_is_loaded(city):
    _citizen, made = city
    assert made.definitions == Service.objects.exclude(kind="flagship").count()
    assert Definition.objects.count() == made.definitions


def test_each_department_with_forms_has_staff_with_a_login_to_try(city):
    _citizen, made = city
    departments = Service.objects.filter(kind="form").values("department").distinct().count()
    assert DepartmentPost.objects.count() == departments == made.operators
    logins = {login for login, _password, _hint in made.credentials}
    assert "dtszn@gorod.local" in logins
    assert all("/applications/desk/" in hint for _login, _password, hint in made.credentials)


def test_the_sample_covers_the_lifecycle_and_every_history_is_whole(city):
    _citizen, made = city
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "in_review", "completed"} <= statuses
    assert len(statuses) >= 7
    assert made.applications >= 50
    for application in Application.objects.exclude(status="draft")[:40]:
        moves = list(
            Event.objects.filter(application=application, kind="status").values_list(
                "to_status", flat=True
            )
        )
        assert moves[:2] == ["draft", "submitted"]
        assert moves[-1] == application.status


def test_the_demo_citizen_has_applications_to_look_at(city):
    citizen, made = city
    mine = set(Application.objects.filter(applicant__user=citizen).values_list("status", flat=True))
    assert {"draft", "info_requested"} & mine
    assert len(mine) >= 3
    assert Service.objects.get(slug=made.quick_service).kind == "form"
