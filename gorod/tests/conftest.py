"""The small city of world.py, built once per test module that asks for it."""

import pytest

from gorod.tests.world import world_for_module


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with world_for_module(django_db_blocker) as world:
        yield world


@pytest.fixture
def world(db, module_world):
    """The module's world; whatever a test writes is rolled back after it."""
    return module_world
