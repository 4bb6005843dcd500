"""Property-based API testing: schemathesis generates requests from our OpenAPI schema.

Every generated request, valid or garbage, must get a documented response: no 500s, a body
that matches the schema, problem+json for errors.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Loading the schema needs no database: it is served from the route table.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _catalog(wsgi_db, catalog):
    """Every operation against the whole catalog; what a call writes is rolled back with
    the test's transaction."""


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text
    # A schema-valid request can still break a rule the schema cannot say: a date outside
    # the sane 1900–2100 range (core.moments), a cursor that is not ours.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
    if response.status_code >= 400:
        headers = {name.lower(): value for name, value in response.headers.items()}
        content_type = headers["content-type"]
        if isinstance(content_type, list):
            content_type = content_type[0]
        assert content_type.startswith("application/problem+json")
