"""The department side's fixtures (see department_world.py for what they make)."""

import pytest

from gorod.applications.services.imports import definitions_import
from gorod.applications.tests.department_world import (
    DECISION,
    DOCUMENT,
    HEALTH,
    ZAGS,
    Desk,
    sent_application,
    staff,
    viewer,
    write_definitions,
)


@pytest.fixture
def desk_definitions(catalog, tmp_path):
    report = definitions_import(write_definitions(tmp_path / "definitions"))
    assert not report.problems, report.problems
    return report


@pytest.fixture
def desk(desk_definitions) -> Desk:
    return Desk(
        operator=staff(HEALTH),
        colleague=staff(HEALTH),
        head=staff(HEALTH, head=True),
        stranger=staff(ZAGS),
        viewer=viewer(),
        decision=sent_application(DECISION, with_file=True),
        document=sent_application(DOCUMENT),
    )
