"""What every schemathesis test of the API asserts of a signed-in call."""

from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

PROBLEM = "application/problem+json"


def assert_documented_answer(case, headers: dict[str, str]):
    """Call with a personal token: no 500, no 401, errors as problem+json, all as documented."""
    # A made-up session cookie would be checked for CSRF; the token is the credential.
    case.cookies = {}
    response = case.call(headers=headers)
    assert response.status_code < 500, response.text
    assert response.status_code != 401, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith(PROBLEM), response.text
    case.validate_response(
        response,
        excluded_checks=[
            # The token is ours, not the made-up credentials the check believes it sent.
            ignored_auth,
            # A well-formed request can still be refused by a rule or by scope (404 for what
            # the caller may not see, 409 slot_taken, …); unknown query parameters are
            # ignored, as HTTP allows.
            positive_data_acceptance,
            negative_data_rejection,
        ],
    )
    return response
