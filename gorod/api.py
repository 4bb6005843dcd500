"""The HTTP API at /api/v1: one NinjaAPI, one router per domain, errors as problem+json."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gorod.accounts.api import router as accounts_router
from gorod.accounts.auth import authenticated
from gorod.analytics.api import router as analytics_router
from gorod.applications.api.citizen import router as applications_router
from gorod.applications.api.department import router as applications_desk_router
from gorod.appointments.api import router as appointments_router
from gorod.catalog.api import router as catalog_router
from gorod.clinics.api import router as clinics_router
from gorod.clubs.api import router as clubs_router
from gorod.core.errors import DomainError
from gorod.core.problems import PROBLEM_CONTENT_TYPE, problem_response, status_of
from gorod.core.renderers import CityTimeRenderer
from gorod.feedback.api import router as feedback_router
from gorod.housing.api import router as housing_router
from gorod.medrecord.api.record import router as record_router
from gorod.school.api import router as school_router


class GorodAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Document error bodies as problem+json, which is what the handlers below send."""
        schema = super().get_openapi_schema(**kwargs)
        for path in schema["paths"].values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


api = GorodAPI(
    title="gorod API",
    version="1",
    description=(
        "API of the gorod city services portal. Errors are RFC 9457 problem+json documents "
        "with a stable `code`. Send `Accept-Language: en` for English messages."
    ),
    urls_namespace="api",
    renderer=CityTimeRenderer(),
)


@api.exception_handler(DomainError)
def on_domain_error(request, error: DomainError):
    extensions = {"field": error.field} if error.field else {}
    extensions.update(error.details)
    return problem_response(
        request, status=status_of(error), code=error.code, detail=error.message, **extensions
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, error: ValidationError):
    errors = [
        {
            "location": ".".join(str(part) for part in item.get("loc", ())),
            "message": item.get("msg", ""),
            "type": item.get("type", ""),
        }
        for item in error.errors
    ]
    return problem_response(
        request,
        status=422,
        code="validation_error",
        detail=_("Запрос не прошёл проверку: исправьте поля, перечисленные в errors."),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, error: AuthenticationError):
    return problem_response(
        request,
        status=401,
        code="not_authenticated",
        detail=_("Войдите на портал или передайте персональный токен в заголовке Authorization."),
    )


@api.exception_handler(HttpError)
def on_http_error(request, error: HttpError):
    return problem_response(
        request, status=error.status_code, code="http_error", detail=error.message
    )


@api.exception_handler(Http404)
def on_not_found(request, error: Http404):
    return problem_response(request, status=404, code="not_found", detail=_("Не найдено."))


@api.get("/ping", auth=None, tags=["system"], summary="Liveness check")
def ping(request):
    """The cheapest endpoint through the API stack; a baseline for benchmarks."""
    return {"status": "ok"}


api.add_router("/", catalog_router)
api.add_router("/me", accounts_router, auth=authenticated)
api.add_router("/analytics", analytics_router, auth=authenticated)
# The department's desk; before the citizen's /applications routes, so that "desk" is never
# read as an application's id.
api.add_router("/applications/desk", applications_desk_router, auth=authenticated)
api.add_router("/feedback", feedback_router)
# Public definitions and the citizen's applications: each operation names its auth.
api.add_router("/applications", applications_router)
api.add_router("/housing", housing_router, auth=authenticated)
api.add_router("/school", school_router, auth=authenticated)
# Public search, the family's applications and the organisation's desk: each part names
# its auth.
api.add_router("/clubs", clubs_router)
# The record's router authenticates itself: an anonymous look is refused *and logged*.
api.add_router("/health/record", record_router)
# Booking and attachment share the /health prefix and its tag, as before the split.
api.add_router("/health", appointments_router, auth=authenticated)
api.add_router("/health", clinics_router, auth=authenticated)
