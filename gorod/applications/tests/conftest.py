"""Generic fixtures of the applications tests (citizen side and department side alike)."""

import pytest

from gorod.applications.tests import factories


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
