"""schemathesis over the whole API as each kind of signed-in caller.

test_api_schema.py calls anonymously and the health and housing modules each sign in as a
citizen on their own paths; this one walks every operation as a citizen (with a child, an
appointment, a record and a flat), a doctor, a registrar and a housing operator, each with a
personal token. Every answer must be documented: no 500, a body matching the schema,
problem+json for errors. Half of the examples use the world's own ids (the citizen, their
appointment, certificate, diary reading, flat and meter), so that the answers with data are
checked too, not only 404s.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings

from gorod.core.tests.schema_checks import assert_documented_answer
from gorod.tests.world import ROLES

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _on_the_worlds_objects(case, world) -> None:
    """An even generated id becomes the world's own: a deterministic half of the examples."""
    for name, value in (case.path_parameters or {}).items():
        if name in world.ids and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = world.ids[name]


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=6, phases=[Phase.generate], **SETTINGS)
def test_every_role_gets_documented_answers(case, role, world):
    _on_the_worlds_objects(case, world)
    assert_documented_answer(case, world.authorization(role))


# The schema's examples and its edges (schemathesis's coverage phase: every boundary,
# missing and wrong-typed value) are the same requests for every role, and most of them
# end in the same 422; walked once, as the caller with the widest API, they cost a quarter
# of walking them as every role.
@schema.parametrize()
@settings(phases=[Phase.explicit], **SETTINGS)
def test_the_schemas_examples_and_edges_get_documented_answers_for_a_citizen(case, world):
    _on_the_worlds_objects(case, world)
    assert_documented_answer(case, world.authorization("citizen"))
