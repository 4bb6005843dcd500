"""Middleware of our own."""

from django.utils.translation import gettext as _

from gorod.core.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"


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
