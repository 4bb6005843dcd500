"""How API callers authenticate: the browser's session (with Django's CSRF check), or a
personal token for programs. Routers that need a signed-in caller use `authenticated`."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from gorod.accounts.services import api_token_authenticate


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer gorod_<prefix>_<secret>` with a token from the profile page."""

    openapi_description = "Personal API token created on the profile page."

    def authenticate(self, request: HttpRequest, token: str):
        return api_token_authenticate(token)


# The token first: SessionAuth refuses a request without a CSRF token outright, which would
# stop a program that sends a token and no session from being tried as one.
authenticated = [PersonalTokenAuth(), SessionAuth()]
