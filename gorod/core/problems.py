"""RFC 9457 problem details: the one shape of every API error.

`type` is a URN built from the stable `code`, so clients can branch on either; `detail` is
the human message in the request's language (Russian unless the client asks otherwise).
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from gorod.core import errors

PROBLEM_CONTENT_TYPE = "application/problem+json"

STATUS_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


# The one place a domain error's kind becomes an HTTP status, for the API and the pages.
STATUS_OF_KIND: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.Invalid: 422,
    errors.Conflict: 409,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.Gone: 410,
    errors.Throttled: 429,
}


def status_of(error: errors.DomainError) -> int:
    """The HTTP status of a domain error: by its kind, 400 for a plain DomainError."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF_KIND:
            return STATUS_OF_KIND[kind]
    return 400


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    detail: str,
    **extensions: Any,
) -> JsonResponse:
    body = {
        "type": f"urn:gorod:problem:{code}",
        "title": STATUS_TITLES.get(status, "Error"),
        "status": status,
        "detail": str(detail),
        "code": code,
        **extensions,
    }
    if request is not None:
        body["instance"] = request.path
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def not_found_problem(request: HttpRequest) -> JsonResponse:
    return problem_response(
        request, status=404, code="not_found", detail=_("Такого адреса в API нет.")
    )


def server_error_problem(request: HttpRequest) -> JsonResponse:
    return problem_response(
        request,
        status=500,
        code="internal_error",
        detail=_("Внутренняя ошибка. Мы уже знаем о ней; попробуйте ещё раз позже."),
    )
