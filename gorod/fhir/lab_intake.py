"""POST /fhir/r4/: a laboratory system delivers one DiagnosticReport with its Observations.

Only a personal token of an account in the "laboratory" role may post (a session cannot:
the endpoint takes no CSRF token). The bundle is checked against the FHIR R4B models,
then by `services.labs`; a refusal is an OperationOutcome whose issue carries our stable
code in `details`. The first delivery answers 201, a repeat of the same identifier 200
with the same report: laboratories resend after a timeout, and nothing is stored twice.
"""

import json
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gorod.core.errors import DomainError
from gorod.core.problems import status_of
from gorod.fhir.resources import booking as resources
from gorod.fhir.search import FhirError
from gorod.fhir.views import caller, fhir_response, outcome_response
from gorod.medrecord.services.labs import lab_report_from_bundle, lab_report_receive

PERMISSION = "medrecord.add_labreport"


CONTENT_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir"})
ERROR_CODES = f"{resources.CODE_SYSTEM_BASE}/lab-intake-error"


def _refusal(error: DomainError) -> HttpResponse:
    body = resources.operation_outcome(
        "invalid" if status_of(error) == 400 else "processing",
        str(error.message),
        expression=error.field,
    )
    body["issue"][0]["details"] = {"coding": [{"system": ERROR_CODES, "code": error.code}]}
    return fhir_response(body, status=status_of(error))


def _laboratory(request: HttpRequest):
    if "Authorization" not in request.headers:
        raise FhirError(
            401,
            "login",
            _("Нужен персональный токен лаборатории: Authorization: Bearer …"),
            headers={"WWW-Authenticate": 'Bearer realm="gorod"'},
        )
    actor = caller(request)
    if not actor.has_perm(PERMISSION):
        raise FhirError(403, "forbidden", _("Результаты анализов передаёт только лаборатория."))
    return actor


def _body(request: HttpRequest):
    content_type = request.content_type.lower()
    if content_type not in CONTENT_TYPES:
        raise FhirError(415, "not-supported", _("Тело запроса — JSON (application/fhir+json)."))
    try:
        # Decimals stay exact: 5.10 mmol/l is not 5.0999999.
        return json.loads(request.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise FhirError(400, "structure", _("Тело запроса не читается как JSON.")) from error


@csrf_exempt
def bundle_post(request: HttpRequest) -> HttpResponse:
    try:
        if request.method != "POST":
            raise FhirError(
                405,
                "not-supported",
                _("По этому адресу лаборатория передаёт Bundle методом POST."),
                headers={"Allow": "POST"},
            )
        actor = _laboratory(request)
        data = lab_report_from_bundle(_body(request))
        entry, created = lab_report_receive(actor=actor, data=data)
    except FhirError as error:
        return outcome_response(error)
    except DomainError as error:
        return _refusal(error)
    location = f"DiagnosticReport/{entry.pk}"
    status = "201 Created" if created else "200 OK"
    body = {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [{"response": {"status": status, "location": location}}],
    }
    return fhir_response(
        body,
        status=201 if created else 200,
        headers={"Location": request.build_absolute_uri(location)},
    )
