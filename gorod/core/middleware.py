"""Middleware of our own."""

import re

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from gorod.core.errors import NotFound
from gorod.core.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"
# The versioned API whose request bodies are JSON only.
JSON_API_PREFIX = "/api/v1/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The bodies that are not JSON: a document uploaded to an application, and a file a teacher
# attaches to a lesson's homework, as multipart/form-data. Like any write they need the
# session's CSRF token or a personal token.
MULTIPART_API_PATHS = re.compile(
    r"^/api/v1/(applications/[0-9a-fA-F-]{36}|school/journal/lessons/[0-9]{1,19})/files$"
)


def is_json_media_type(content_type: str) -> bool:
    """application/json or any structured-syntax `+json` type (application/fhir+json, …)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _has_body(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 1  # unparseable: treat as a body, so its type is checked
    return length > 0 or "HTTP_TRANSFER_ENCODING" in request.META


class JsonRequestBodyMiddleware:
    """The API reads request bodies as JSON whatever their declared type; refuse the others.

    Ninja parses a text/plain, form or XML body as JSON when it happens to be JSON, so a
    cross-site "simple" request (text/plain needs no CORS preflight) could reach an endpoint;
    a client must say application/json (or a +json type) or hear 415.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in BODY_METHODS
            and request.path.startswith(JSON_API_PREFIX)
            and _has_body(request)
            and not is_json_media_type(request.META.get("CONTENT_TYPE", ""))
            and not _is_upload(request)
        ):
            return problem_response(
                request,
                status=415,
                code="unsupported_media_type",
                detail=_("Тело запроса должно быть в JSON: Content-Type: application/json."),
            )
        return self.get_response(request)


def _is_upload(request) -> bool:
    media_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    return media_type == "multipart/form-data" and bool(MULTIPART_API_PATHS.match(request.path))


class PrivateResponseMiddleware:
    """What a signed-in person receives is theirs alone: no cache may keep it.

    A response to a request made with a session or an Authorization header may hold personal
    or medical data (the record, /me, appointments, .ics files); without Cache-Control a
    shared or kiosk browser, or a proxy, would keep it. A view that chose its own
    Cache-Control keeps it; anonymous pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_authenticated(request):
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie", "Authorization"))
        elif request.path.startswith(API_PREFIX):
            # An anonymous answer must not be served from a cache to a caller with a token.
            patch_vary_headers(response, ("Authorization",))
        return response


def _is_authenticated(request) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    # Without a session cookie nobody is signed in: spare the session lookup.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class ApiProblemMiddleware:
    """Every error under /api/ is problem+json, also those Django or Ninja answer themselves.

    Ninja's 405 and Django's CSRF 403 are plain HTML; an API client should not have to parse
    two error formats.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            return response
        problem = problem_response(request, **_describe(response.status_code))
        if allow := response.get("Allow"):
            problem["Allow"] = allow
        return problem


def _describe(status: int) -> dict:
    if status == 405:
        return {
            "status": 405,
            "code": "method_not_allowed",
            "detail": _("Этот метод HTTP здесь не поддерживается: смотрите заголовок Allow."),
        }
    if status == 403:
        return {
            "status": 403,
            "code": "forbidden",
            "detail": _(
                "Запрос отклонён. Для запросов из браузера нужен CSRF-токен, "
                "для программ — персональный токен в заголовке Authorization."
            ),
        }
    if status == 404:
        return {"status": 404, "code": "not_found", "detail": _("Не найдено.")}
    return {"status": status, "code": "http_error", "detail": _("Запрос не выполнен.")}


class NotFoundPageMiddleware:
    """A NotFound that leaves a view is the 404 page: no view converts it by hand.

    Selectors answer "not found" for what is outside the actor's scope (another person's
    meter, an unpublished service); a page simply lets it through. The API's handler has
    already answered a NotFound as problem+json with its code, so only pages (and plain
    views under /api/, whose 404 is problem+json too) come here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            # Django answers an Http404 raised here with handler404, as one from the view.
            raise Http404(exception.message) from exception
        return None
