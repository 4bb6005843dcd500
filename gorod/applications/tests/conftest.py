"""Generic fixtures of the applications tests (citizen side and department side alike)."""

import pytest

from gorod.applications.tests import factories


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads go to a folder of the test's own, never to var/."""
    storages = {**settings.STORAGES}
    storages["private"] = {
        **storages["private"],
        "OPTIONS": {**storages["private"]["OPTIONS"], "location": str(tmp_path / "private")},
    }
    settings.STORAGES = storages


@pytest.fixture
def definitions(db):
    """The test definitions (tests/definitions/), imported: by service slug."""
    return factories.definitions_load()


@pytest.fixture
def citizen(db):
    return factories.citizen_make()


@pytest.fixture
def other_citizen(db):
    return factories.citizen_make()


@pytest.fixture
def offices(db):
    return factories.offices_make()
