"""IMS OneRoster 1.2 REST binding, read-only, at /ims/oneroster/: rostering/v1p2/… and
gradebook/v1p2/….

A door of its own (like /fhir/r4/), on a NinjaAPI of its own, answering in the standard's
shapes rather than the portal's problem+json: a list is {"orgs": [...]}, one object
{"org": {...}}; `limit` (1–1000, default 100) and `offset` page a list, with X-Total-Count
and a Link header (first, prev, next, last); `fields` picks the fields of each object;
`sort`/`orderBy` sort the rostering lists. Every refusal is an imsx_StatusInfoDType
(imsx_codeMajor "failure", imsx_severity "error", a code minor): 401 unauthorisedrequest
without a valid personal token, 403 forbidden for anyone but a head teacher (завуч),
404 unknownobject for an id that is not the reader's school's, 400 for a parameter the
server cannot honour.

Only a head teacher's personal API token (`Authorization: Bearer gorod_…`) opens it, and
only for that teacher's school; each answered read is written to the audit log as a staff
read of personal data. The objects come from gorod.school.oneroster (the same rows the CSV
export writes).
"""

import json
import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from gorod.accounts.services import api_token_authenticate
from gorod.core.audit import audit_read
from gorod.core.errors import Forbidden, Unauthenticated
from gorod.school.models import Teacher
from gorod.school.oneroster import rest
from gorod.school.oneroster.access import head_teacher_roster
from gorod.school.oneroster.roster import Roster

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class OneRosterError(Exception):
    def __init__(
        self, status: int, code_minor: str | None, description: str, code_major: str = "failure"
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code_minor = code_minor
        self.description = description
        self.code_major = code_major


def status_info(code_minor: str | None, description: str, code_major: str = "failure") -> dict:
    """imsx_StatusInfoDType of a failed request."""
    info = {
        "imsx_codeMajor": code_major,
        "imsx_severity": "error",
        "imsx_description": description,
    }
    if code_minor is None:
        return info
    return {
        **info,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


def _json(body: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    # Personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


oneroster_api = NinjaAPI(
    title="gorod OneRoster 1.2",
    version="1.2",
    description=(
        "IMS OneRoster 1.2 rostering and gradebook services, read-only, for a school's "
        "head teacher (personal API token as Bearer)."
    ),
    urls_namespace="oneroster",
    docs_url=None,
)


@oneroster_api.exception_handler(OneRosterError)
def _on_refusal(request, error: OneRosterError):
    response = _json(
        status_info(error.code_minor, error.description, error.code_major), error.status
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="gorod"'
    return response


@oneroster_api.exception_handler(Exception)
def _on_bug(request, error: Exception):
    logger.exception("OneRoster request %s failed", request.path)
    return _json(
        status_info("internal_server_error", _("Внутренняя ошибка. Попробуйте позже.")), 500
    )


def head_teacher(request: HttpRequest) -> tuple[Teacher, Roster]:
    """The head teacher whose personal token signs the request, with that school's roster;
    401 without a usable token, 403 for any other user."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token and "\x00" not in token:
        user = api_token_authenticate(token)
    try:
        return head_teacher_roster(actor=user)
    except Unauthenticated as refusal:
        raise OneRosterError(401, "unauthorisedrequest", str(refusal.message)) from refusal
    except Forbidden as refusal:
        raise OneRosterError(403, "forbidden", str(refusal.message)) from refusal


def _collection(service: str, name: str) -> rest.Collection:
    collection = rest.COLLECTIONS.get((service, name))
    if collection is None:
        raise OneRosterError(404, "unknownobject", _("Такого ресурса в OneRoster 1.2 здесь нет."))
    return collection


def _paging(request: HttpRequest) -> tuple[int, int]:
    try:
        limit = int(request.GET.get("limit", DEFAULT_LIMIT))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        limit = offset = -1
    if limit < 1 or offset < 0:
        raise OneRosterError(
            400, "invaliddata", _("limit — целое число от 1, offset — целое число от 0.")
        )
    return min(limit, MAX_LIMIT), offset


def _fields(request: HttpRequest, objects: list[dict]) -> list[dict]:
    wanted = [part.strip() for part in request.GET.get("fields", "").split(",") if part.strip()]
    if not wanted:
        return objects
    known = {"sourcedId", "status", "dateLastModified"}.union(*(obj.keys() for obj in objects))
    unknown = [field for field in wanted if field not in known]
    if unknown and objects:
        raise OneRosterError(
            400,
            "invalid_selection_field",
            _("Неизвестные поля: %(fields)s.") % {"fields": ", ".join(unknown)},
        )
    return [{field: obj[field] for field in wanted if field in obj} for obj in objects]


def _refuse_unsupported(request: HttpRequest, *, sortable: bool) -> None:
    if request.GET.get("filter"):
        raise OneRosterError(
            400, "invalid_filter_field", _("Параметр filter этот сервер не поддерживает.")
        )
    if request.GET.get("sort") and not sortable:
        raise OneRosterError(
            400,
            "invalid_selection_field",
            _("Этот список нельзя сортировать: он отдаётся в порядке уроков."),
        )


def _sorted(request: HttpRequest, rows: list[dict]) -> list[dict]:
    """Sorted by one of the fields the objects and the CSV rows share (title, familyName,
    startDate, …); references cannot be sort keys."""
    field = request.GET.get("sort")
    if not field:
        return rows
    if rows and field not in rows[0]:
        raise OneRosterError(
            400,
            "invalid_selection_field",
            _("Нельзя сортировать по полю %(field)s.") % {"field": field},
        )
    descending = request.GET.get("orderBy") == "desc"
    return sorted(rows, key=lambda row: row.get(field, ""), reverse=descending)


def _link_header(request: HttpRequest, total: int, limit: int, offset: int) -> str:
    def url(at: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(at)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    last = max(0, (total - 1) // limit * limit)
    links = [f'<{url(0)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>; rel="prev"')
    return ", ".join(links)


def _links(request: HttpRequest) -> rest.Links:
    """References point back into this door, wherever gorod/urls.py mounts it."""
    mount = request.path
    for service in (rest.ROSTERING, rest.GRADEBOOK):
        mount = mount.split(f"/{service}/v1p2/")[0]
    return rest.Links(request.build_absolute_uri(f"{mount}/"))


def _list(request: HttpRequest, service: str, name: str) -> HttpResponse:
    teacher, roster = head_teacher(request)
    collection = _collection(service, name)
    limit, offset = _paging(request)
    _refuse_unsupported(request, sortable=collection.rows is not None)
    links = _links(request)
    if collection.rows is not None:
        rows = _sorted(request, rest.all_rows(collection, roster))
        total = len(rows)
        page = collection.json(roster, links, rows[offset : offset + limit])
    else:
        total = rest.count_paged(name, roster)
        page = rest.page_paged(name, roster, links, offset, limit)
    page = _fields(request, page)
    audit_read(
        actor=teacher.user,
        action="school.oneroster.read",
        target=teacher.school,
        service=service,
        collection=name,
        offset=offset,
        returned=len(page),
    )
    response = _json({collection.plural: page})
    response["X-Total-Count"] = str(total)
    response["Link"] = _link_header(request, total, limit, offset)
    return response


def _one(request: HttpRequest, service: str, name: str, sourced_id: str) -> HttpResponse:
    teacher, roster = head_teacher(request)
    collection = _collection(service, name)
    links = _links(request)
    if collection.rows is not None:
        rows = [row for row in rest.all_rows(collection, roster) if row["sourcedId"] == sourced_id]
        found = collection.json(roster, links, rows)[0] if rows else None
    else:
        found = rest.find_paged(name, roster, links, sourced_id)
    if found is None:
        # Nothing shown, nothing to log: another school's id is as unknown as a made-up one.
        raise OneRosterError(404, "unknownobject", _("Объект с таким sourcedId не найден."))
    audit_read(
        actor=teacher.user,
        action="school.oneroster.read",
        target=teacher.school,
        service=service,
        collection=name,
        sourced_id=sourced_id,
    )
    return _json({collection.singular: _fields(request, [found])[0]})


@oneroster_api.get("/rostering/v1p2/{name}", operation_id="rostering_list")
def rostering_list(request, name: str):
    return _list(request, rest.ROSTERING, name)


@oneroster_api.get("/rostering/v1p2/{name}/{sourced_id}", operation_id="rostering_one")
def rostering_one(request, name: str, sourced_id: str):
    return _one(request, rest.ROSTERING, name, sourced_id)


@oneroster_api.get("/gradebook/v1p2/{name}", operation_id="gradebook_list")
def gradebook_list(request, name: str):
    return _list(request, rest.GRADEBOOK, name)


@oneroster_api.get("/gradebook/v1p2/{name}/{sourced_id}", operation_id="gradebook_one")
def gradebook_one(request, name: str, sourced_id: str):
    return _one(request, rest.GRADEBOOK, name, sourced_id)


WRITES = ["POST", "PUT", "PATCH", "DELETE"]


def _read_only() -> HttpResponse:
    """The binding is read-only: any write is refused before anything else is looked at."""
    response = _json(
        status_info(None, _("Сервер OneRoster только читает: поддерживается GET."), "unsupported"),
        405,
    )
    response["Allow"] = "GET"
    return response


@oneroster_api.api_operation(WRITES, "/rostering/v1p2/{name}", include_in_schema=False)
@oneroster_api.api_operation(WRITES, "/gradebook/v1p2/{name}", include_in_schema=False)
def write_list(request, name: str):
    return _read_only()


@oneroster_api.api_operation(WRITES, "/rostering/v1p2/{name}/{sourced_id}", include_in_schema=False)
@oneroster_api.api_operation(WRITES, "/gradebook/v1p2/{name}/{sourced_id}", include_in_schema=False)
def write_one(request, name: str, sourced_id: str):
    return _read_only()


@oneroster_api.get("/{path:remainder}", include_in_schema=False)
def unknown(request, remainder: str):
    """Anything else under /ims/oneroster/ is an unknown object, in the standard's shape."""
    head_teacher(request)
    raise OneRosterError(404, "unknownobject", _("Такого ресурса в OneRoster 1.2 здесь нет."))
