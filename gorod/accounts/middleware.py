"""The session's user, remembered by the process for a short while (auth_cache)."""

from django.contrib import auth
from django.contrib.auth import middleware
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from gorod.accounts import auth_cache


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    """Django's, except that a session's user is read from the database only when this
    process has not verified the same sign-in lately.

    The key is what Django's `get_user` checks: the user id, the backend and the session's
    hash of the password, so a password change (a new hash, and a new revocation version)
    still signs the other sessions out. The session itself is still read every request:
    signing out deletes it, so it ends at once.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user_of(request))


def _user_of(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _session_user(request)
    return request._cached_user


def _session_user(request):
    session = request.session
    try:
        key = (
            "session",
            session[auth.SESSION_KEY],
            session[auth.BACKEND_SESSION_KEY],
            session[auth.HASH_SESSION_KEY],
        )
    except KeyError:  # nobody signed in (or a session Django will refuse): as Django does
        return auth.get_user(request)
    user = auth_cache.shared.user(key, lambda: _verified_user(request))
    return user or AnonymousUser()


def _verified_user(request):
    user = auth.get_user(request)
    return user if user.is_authenticated else None
