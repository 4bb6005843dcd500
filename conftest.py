"""Fixtures shared by every app's tests."""

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache

from gorod.catalog import snapshot

# Browser fixtures (Playwright, one Chromium per test session) for every app's page tests;
# the polyclinic every health app's tests start from (`clinic`).
pytest_plugins = ["gorod.web.tests.browser", "gorod.appointments.tests.fixtures"]

CATALOG_FIXTURE = Path(__file__).parent / "gorod" / "catalog" / "fixtures" / "services.csv"


class _Quiet:
    def write(self, *_args, **_kwargs) -> None:
        pass


class _NoStyle:
    def __getattr__(self, _name):
        return str


def load_catalog() -> None:
    """The ten categories (a data migration) and the project's catalog, if missing.

    Transactional tests flush every table afterwards, migration data included, so the
    fixture re-creates what it needs instead of trusting the migration's rows.
    """
    from gorod.catalog.importers import import_services_file
    from gorod.catalog.models import Category, Service

    if not Category.objects.exists():
        import_module("gorod.catalog.migrations.0002_the_ten_categories").create_categories(
            django_apps, None
        )
    if not Service.objects.exists():
        import_services_file(CATALOG_FIXTURE, stdout=_Quiet(), style=_NoStyle())
    snapshot.invalidate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the catalog once; each test's rollback leaves it in place."""
    with django_db_blocker.unblock():
        load_catalog()


@pytest.fixture(autouse=True)
def _synchronous_side_work(settings):
    """Usage events written inside the test's transaction, tasks run where enqueued: what
    a test asserts on is in the database when the call returns. The buffered writer and
    the worker have tests of their own that switch these back."""
    settings.GOROD_USAGE_WRITE = "immediate"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _small_demo_city(monkeypatch):
    """`gorod demo` in a test invents a handful of households and patients, not thousands:
    the tests check what the demo holds, not how much of it there is."""
    monkeypatch.setattr("gorod.demo.housing.DEFAULT_HOUSEHOLDS", 5)
    monkeypatch.setattr("gorod.demo.health.DEFAULT_PATIENTS", 20)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Ids repeat between tests (each rolls back), so one test's cached lists and counters
    must not answer the next one."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_catalog_snapshot():
    # The in-memory snapshot outlives a test's transaction; make every test re-check.
    snapshot.discard()
    yield
    snapshot.discard()


@pytest.fixture
def catalog(db):
    """The full project catalog (469 services), reloaded if a flush removed it."""
    load_catalog()


@pytest.fixture
def transactional_catalog(transactional_db):
    load_catalog()


@pytest.fixture(autouse=True)
def _record_guards_allow_flush(request):
    """SQLite empties the tables after a transactional test with DELETE, which the medical
    record's triggers refuse (PostgreSQL truncates, which row triggers don't see). Around
    such a test the SQLite guards are lifted for the flush and put back for the next test.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if not transactional:
        yield
        return
    # Set up before this fixture, so its flush runs after this fixture's teardown.
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from gorod.medrecord import guards

    if connection.vendor != "sqlite":
        yield
        return
    guards.install(connection)
    yield
    guards.drop(connection)


@pytest.fixture(autouse=True)
def _record_guards_in_place(request):
    """A test after a transactional one finds the SQLite guards that it lifted put back."""
    if "db" not in request.fixturenames and request.node.get_closest_marker("django_db") is None:
        return
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from gorod.medrecord import guards

    if connection.vendor == "sqlite" and not guards.installed(connection):
        guards.install(connection)
