"""HL7 FHIR R4 over HTTP at /fhir/r4/: read, search and the CapabilityStatement.

Plain Django views answering application/fhir+json. Every refusal is an OperationOutcome
with its HTTP status: 400 for a bad parameter, 401 for Appointment without a session or a
personal token, 404 for an unknown (or someone else's) id or resource type, 405 for
anything but GET, 406 for a format other than JSON. A bug is logged and answered as a 500
OperationOutcome, never as the portal's HTML page.
"""

import json
import logging
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gorod.accounts.services import api_token_authenticate
from gorod.core.errors import NotFound
from gorod.fhir.resources import booking as resources
from gorod.fhir.resources import record as record_resources
from gorod.fhir.search import JSON_FORMATS, FhirError, SearchRequest, numeric_id, parse_search
from gorod.fhir.selectors.booking import (
    KINDS,
    Kind,
    not_signed_in,
    resource_not_found,
    resource_read,
    resource_search,
)
from gorod.fhir.selectors.record import (
    RECORD_KINDS,
    RecordKind,
    entry_id_of,
    patient_id_of,
    record_everything,
    record_row,
    record_search,
    search_patient,
    sources_for,
)
from gorod.medrecord.emergency import emergency_header_grant
from gorod.medrecord.rules import EVERYTHING
from gorod.medrecord.selectors.access import NotSignedIn, RecordAccess, record_also, record_open

logger = logging.getLogger(__name__)

CONTENT_TYPE = f"{resources.MIME_TYPE}; charset=utf-8"
# What a client may ask for in Accept and still get our JSON.
ACCEPTABLE = frozenset(
    {"application/fhir+json", "application/json", "application/json+fhir", "application/*", "*/*"}
)


def fhir_response(body: dict, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(error: FhirError) -> HttpResponse:
    return fhir_response(
        resources.operation_outcome(error.code, error.message, expression=error.expression),
        status=error.status,
        headers=error.headers,
    )


def _check_format(request: HttpRequest) -> None:
    wanted = request.GET.get("_format")
    if wanted is not None:
        # "application/fhir+json" with its "+" unencoded arrives as a space.
        wanted = wanted.strip().replace(" ", "+")
    if wanted is not None and wanted not in JSON_FORMATS:
        raise FhirError(
            406,
            "not-supported",
            _("Сервер отвечает только в JSON (application/fhir+json)."),
            expression="_format",
        )
    accept = request.headers.get("Accept")
    if accept and wanted is None:
        types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
        if not types & ACCEPTABLE:
            raise FhirError(
                406, "not-supported", _("Сервер отвечает только в JSON (application/fhir+json).")
            )


def fhir_endpoint(view):
    """GET only, errors as OperationOutcome. No CSRF check: nothing here writes, and a POST
    should hear 405 in FHIR's format rather than the portal's CSRF page."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise FhirError(
                    405,
                    "not-supported",
                    _("Сервер FHIR только читает: поддерживается GET."),
                    headers={"Allow": "GET, HEAD"},
                )
            _check_format(request)
            return view(request, *args, **kwargs)
        except FhirError as error:
            return outcome_response(error)
        except Exception:
            logger.exception("FHIR request %s failed", request.path)
            return outcome_response(
                FhirError(500, "exception", _("Внутренняя ошибка. Попробуйте ещё раз позже."))
            )

    return wrapper


def caller(request: HttpRequest):
    """The signed-in user: a personal token (`Authorization: Bearer …`) or the session."""
    header = request.headers.get("Authorization")
    if header is None:
        return request.user if request.user.is_authenticated else None
    scheme, _space, token = header.partition(" ")
    usable = scheme.lower() == "bearer" and token and "\x00" not in token
    user = api_token_authenticate(token) if usable else None
    if user is None:
        raise FhirError(
            401,
            "login",
            _("Токен не подошёл: он отозван, неверен или передан не как Bearer."),
            headers={"WWW-Authenticate": 'Bearer realm="gorod", error="invalid_token"'},
        )
    return user


def _kind(resource_type: str) -> Kind:
    kind = KINDS.get(resource_type)
    if resource_type == "Patient":
        # Patient is served, by id: only its search is not (the CapabilityStatement says so).
        raise FhirError(
            400,
            "not-supported",
            _(
                "Поиск Patient не поддерживается: читайте Patient/{id} или "
                "Patient/{id}/$everything."
            ),
        )
    if kind is None:
        raise FhirError(
            404,
            "not-supported",
            _("Тип ресурса %(type)s здесь не обслуживается.") % {"type": resource_type},
        )
    return kind


def _actor(request: HttpRequest, kind: Kind):
    if not kind.personal:
        return None
    actor = caller(request)
    if actor is None:
        raise not_signed_in()
    return actor


def _personal(response: HttpResponse, kind: Kind) -> HttpResponse:
    if kind.personal:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _base(request: HttpRequest) -> str:
    """The server's base URL, ending in "/": http://host/fhir/r4/."""
    metadata = request.build_absolute_uri(reverse("fhir:metadata"))
    return metadata[: -len("metadata")]


@fhir_endpoint
def metadata(request: HttpRequest) -> HttpResponse:
    statement = resources.capability_statement(
        base=_base(request),
        types=[
            (kind.name, list(kind.parameters.values()), kind.personal)
            for kind in (*KINDS.values(), *RECORD_KINDS.values())
        ],
    )
    statement["rest"][0]["resource"].append(
        {
            "type": "Patient",
            "profile": "http://hl7.org/fhir/StructureDefinition/Patient",
            "interaction": [{"code": "read"}],
            "operation": [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ],
            "documentation": _(
                "Медицинская карта: своя, детей до 15 лет, доверителей; врачу — пациентов "
                "на приёме. Каждый просмотр записан в журнал пациента."
            ),
        }
    )
    return fhir_response(statement)


def _open(request: HttpRequest, person_id, section: str, entry_id=None) -> RecordAccess:
    """The record's door for FHIR: 401 without a caller, 404 for a record not to be seen.

    A forged, revoked or garbage token is an anonymous look, logged as the API and the
    pages log one, then refused with the token's own 401.
    """
    token_refused = None
    try:
        actor = caller(request)
    except FhirError as error:
        actor, token_refused = None, error
    if isinstance(person_id, str):
        # A FHIR id as given; one that no row can have is opened (and logged) as id 0.
        person_id = numeric_id(person_id) or 0
    try:
        return record_open(
            actor=actor,
            person_id=person_id,
            section=section,
            channel="fhir",
            emergency_access=emergency_header_grant(request),
            entry_id=entry_id,
        )
    except NotSignedIn as error:
        raise (token_refused or not_signed_in()) from error
    except NotFound as error:
        raise resource_not_found("Patient", str(person_id)) from error


def _record_read(request: HttpRequest, kind: RecordKind, resource_id: str) -> HttpResponse:
    found = record_row(kind, resource_id)
    if found is None:
        if caller(request) is None:
            raise not_signed_in()
        raise resource_not_found(kind.name, resource_id)
    source, row = found
    try:
        _open(request, patient_id_of(source, row), source.section, entry_id_of(source, row))
    except FhirError as error:
        if error.status != 404:
            raise
        raise resource_not_found(kind.name, resource_id) from error
    return _private(fhir_response(source.to_fhir(row)))


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


@fhir_endpoint
def patient_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    access = _open(request, resource_id, EVERYTHING)
    return _private(fhir_response(record_resources.patient(access.patient)))


@fhir_endpoint
def patient_everything(request: HttpRequest, resource_id: str) -> HttpResponse:
    """Patient/{id}/$everything: the Patient and every resource of the record, a page at a
    time (`_count`, `_offset`, as a search; `self`/`next`/`previous` links)."""
    query = parse_search(request.GET.lists(), {})
    access = _open(request, resource_id, EVERYTHING)
    page = record_everything(access, count=query.count, offset=query.offset)
    base = _base(request)
    address = f"{base}Patient/{access.patient.pk}/$everything"
    bundle = resources.searchset(
        base=base,
        resources=page.resources,
        links=_page_links(address, query, has_next=page.has_next),
        total=page.total,
    )
    return _private(fhir_response(bundle))


@fhir_endpoint
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    if resource_type in RECORD_KINDS:
        return _record_read(request, RECORD_KINDS[resource_type], resource_id)
    kind = _kind(resource_type)
    resource = resource_read(kind, actor=_actor(request, kind), resource_id=resource_id)
    return _personal(fhir_response(resource), kind)


@fhir_endpoint
def search(request: HttpRequest, resource_type: str) -> HttpResponse:
    record_kind = RECORD_KINDS.get(resource_type)
    kind = record_kind or _kind(resource_type)
    strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")
    if record_kind is not None:
        # No early sign-in check: `_open` logs the anonymous look at the patient named.
        query = parse_search(request.GET.lists(), kind.parameters, strict=strict)
        person_id, filters = search_patient(record_kind, query.filters)
        # Another person's record (or a guessed id) is "not found", and the look is logged.
        access = _open(request, person_id, record_kind.section)
        record_also(access, [source.section for source in sources_for(record_kind, access)])
        page = record_search(
            record_kind,
            access,
            filters=filters,
            count=query.count,
            offset=query.offset,
            total=query.total,
        )
    else:
        actor = _actor(request, kind)
        query = parse_search(request.GET.lists(), kind.parameters, strict=strict)
        page = resource_search(
            kind,
            actor=actor,
            filters=query.filters,
            count=query.count,
            offset=query.offset,
            total=query.total,
        )
    base = _base(request)
    links = _page_links(f"{base}{kind.name}", query, has_next=page.has_next)
    warnings = [
        resources.issue(
            "not-supported",
            _("Параметр %(name)s не поддерживается и не учтён.") % {"name": name},
            severity="warning",
            expression=name,
        )
        for name in query.ignored
    ]
    bundle = resources.searchset(
        base=base, resources=page.resources, links=links, total=page.total, warnings=warnings
    )
    return _personal(fhir_response(bundle), kind)


def _page_url(address: str, query: SearchRequest, offset: int) -> str:
    """The search as understood (ignored parameters left out), at another offset."""
    parameters = [*query.applied, ("_count", str(query.count))]
    if offset:
        parameters.append(("_offset", str(offset)))
    if not query.total:
        parameters.append(("_total", "none"))
    return f"{address}?{urlencode(parameters)}"


def _page_links(address: str, query: SearchRequest, *, has_next: bool) -> list[tuple[str, str]]:
    links = [("self", _page_url(address, query, query.offset))]
    if query.offset > 0 and query.count:
        links.append(("previous", _page_url(address, query, max(0, query.offset - query.count))))
    if has_next:
        links.append(("next", _page_url(address, query, query.offset + query.count)))
    return links


@fhir_endpoint
def unknown(request: HttpRequest, path: str) -> HttpResponse:
    raise FhirError(
        404, "not-found", _("Такого адреса на сервере FHIR нет: %(path)s") % {"path": request.path}
    )
