"""What each FHIR resource type reads: its rows (scoped to the caller), its search
parameters as filters, and how a page of rows becomes resources.

The directory (Organization, Location, Practitioner, PractitionerRole, HealthcareService,
Schedule, Slot) is public, as the city's doctor directory is; a Slot never says who holds
it. Appointment is personal: a signed-in citizen sees their own, their wards' and their
principals' (clinic_selectors.patients_of), a registrar their clinic's; any other id is "not found".
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.appointments import rules
from gorod.appointments.models import Appointment, Schedule, Slot
from gorod.appointments.selectors import booking
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import Location, Organisation, Practitioner, PractitionerRole, Specialty
from gorod.core import clock
from gorod.fhir.resources import booking as resources
from gorod.fhir.search import (
    FhirError,
    SearchParameter,
    any_of,
    numeric_id,
    parse_boolean,
    parse_date,
    parse_references,
    parse_tokens,
    reference_q,
    string_q,
    token_codes,
    unsupported_modifier,
)

STANDARD = "http://hl7.org/fhir/SearchParameter/"


@dataclass(frozen=True)
class Kind:
    """One resource type served: read by id and searched."""

    name: str
    # The caller's rows (actor may be None for public types), ordered for stable paging.
    rows: Callable[[object], QuerySet]
    # A FHIR id → the filter of its row, or None when no row can have that id.
    by_id: Callable[[str], Q | None]
    parameters: dict[str, SearchParameter]
    # A page of rows → resources (may read once more per page, never per row).
    to_fhir: Callable[[list], list[dict]]
    personal: bool = False


def _parameters(kind: str, *declared: tuple) -> dict[str, SearchParameter]:
    found = {}
    for name, type_, to_q, documentation in declared:
        if name == "_id":
            definition = f"{STANDARD}Resource-id"
        elif name in ("family", "given"):
            definition = f"{STANDARD}individual-{name}"
        else:
            definition = f"{STANDARD}{kind}-{name}"
        found[name] = SearchParameter(name, type_, to_q, documentation, definition)
    return found


def _plain(to_filter: Callable[[str, str], Q]):
    """A parameter without modifiers: any modifier is refused."""

    def to_q(name: str, raw: str, modifier: str | None) -> Q:
        if modifier is not None:
            raise unsupported_modifier(name, modifier)
        return to_filter(name, raw)

    return to_q


def _numeric_ids(_name: str, raw: str) -> Q:
    found = [numeric_id(token.code) for token in parse_tokens(raw)]
    return Q(pk__in=[pk for pk in found if pk is not None])


def _ref(name: str, documentation, **fields: str) -> tuple:
    """A reference parameter; `fields` maps each target type to its column."""

    def to_q(parameter: str, raw: str, modifier: str | None) -> Q:
        return reference_q(parameter, raw, fields, modifier)

    return (name, "reference", to_q, documentation)


def _token(column: str, system: str, allowed=None):
    """A coded column: `code`, `system|code`; `:not` excludes the codes."""

    def to_q(name: str, raw: str, modifier: str | None) -> Q:
        if modifier not in (None, "not"):
            raise unsupported_modifier(name, modifier)
        matching = Q(**{f"{column}__in": token_codes(name, raw, system=system, allowed=allowed)})
        return ~matching if modifier == "not" else matching

    return to_q


def _boolean(to_filter: Callable[[bool], Q]):
    return _plain(lambda name, raw: to_filter(parse_boolean(name, raw)))


def _string(*columns: str):
    return lambda name, raw, modifier: string_q(name, raw, columns, modifier)


def _date(column: str):
    return _plain(lambda name, raw: parse_date(name, raw).q(column))


ID = ("_id", "token", _plain(_numeric_ids), gettext_lazy("id ресурса, через запятую"))
ACTIVE = (
    "active",
    "token",
    _boolean(lambda value: Q(active=value)),
    gettext_lazy("true — работает, false — нет"),
)
DATE_DOCUMENTATION = gettext_lazy("Начало приёма; префиксы eq, ne, gt, ge, lt, le, sa, eb")


def _specialty(column: str) -> tuple:
    return (
        "specialty",
        "token",
        _token(column, resources.SPECIALTY_SYSTEM),
        gettext_lazy("Код специальности в справочнике города"),
    )


def _by_numeric_id(resource_id: str) -> Q | None:
    pk = numeric_id(resource_id)
    return None if pk is None else Q(pk=pk)


def _each(mapper):
    return lambda rows: [mapper(row) for row in rows]


ORGANIZATION = Kind(
    name="Organization",
    rows=lambda _actor: Organisation.objects.order_by("name", "id"),
    by_id=_by_numeric_id,
    parameters=_parameters(
        "Organization",
        ID,
        ACTIVE,
        (
            "name",
            "string",
            _string("name"),
            gettext_lazy("Начало слова названия (:contains — часть, :exact — точно)"),
        ),
        (
            "identifier",
            "token",
            _token("registry_code", resources.ORGANISATION_REGISTRY),
            gettext_lazy("Код в городском реестре медицинских организаций"),
        ),
        (
            "type",
            "token",
            _token("kind", resources.ORGANISATION_KIND_SYSTEM, Organisation.Kind.values),
            gettext_lazy("Тип организации"),
        ),
    ),
    to_fhir=_each(resources.organization),
)


def _location_status(name: str, raw: str) -> Q:
    codes = token_codes(
        name,
        raw,
        system="http://hl7.org/fhir/location-status",
        allowed=("active", "suspended", "inactive"),
    )
    return any_of(Q(active=code == "active") for code in codes if code != "suspended")


LOCATION = Kind(
    name="Location",
    rows=lambda _actor: Location.objects.select_related("organisation").order_by(
        "organisation_id", "name", "id"
    ),
    by_id=_by_numeric_id,
    parameters=_parameters(
        "Location",
        ID,
        ("name", "string", _string("name"), gettext_lazy("Начало слова названия")),
        (
            "identifier",
            "token",
            _token("registry_code", resources.LOCATION_REGISTRY),
            gettext_lazy("Код здания в городском реестре"),
        ),
        _ref(
            "organization",
            gettext_lazy("Организация, которой принадлежит здание"),
            Organization="organisation_id",
        ),
        ("status", "token", _plain(_location_status), gettext_lazy("active или inactive")),
    ),
    to_fhir=_each(resources.location),
)

PRACTITIONER = Kind(
    name="Practitioner",
    rows=lambda _actor: Practitioner.objects.order_by(
        "last_name", "first_name", "middle_name", "id"
    ),
    by_id=_by_numeric_id,
    parameters=_parameters(
        "Practitioner",
        ID,
        ACTIVE,
        (
            "name",
            "string",
            _string("last_name", "first_name", "middle_name"),
            gettext_lazy(
                "Каждое слово — начало фамилии, имени или отчества (:contains — часть, "
                ":exact — точно)"
            ),
        ),
        ("family", "string", _string("last_name"), gettext_lazy("Фамилия")),
        ("given", "string", _string("first_name", "middle_name"), gettext_lazy("Имя, отчество")),
    ),
    to_fhir=_each(resources.practitioner),
)

# "<organisation id>-<specialty code>": the id of a HealthcareService.
SERVICE_ID_RE = re.compile(r"^([0-9]{1,19})-([A-Za-z0-9\-.]+)$")


def _service_q(resource_id: str) -> Q | None:
    match = SERVICE_ID_RE.match(resource_id)
    organisation_id = numeric_id(match.group(1)) if match else None
    if organisation_id is None:
        return None
    return Q(organisation_id=organisation_id, specialty__code=match.group(2))


def _services_q(ids) -> Q:
    return any_of(found for found in map(_service_q, ids) if found is not None)


def _service_reference(name: str, raw: str, modifier: str | None) -> Q:
    references = parse_references(name, raw, types=("HealthcareService",), modifier=modifier)
    return _services_q(reference.id for reference in references)


PRACTITIONER_ROLE = Kind(
    name="PractitionerRole",
    rows=lambda _actor: PractitionerRole.objects.select_related(
        "practitioner", "organisation", "location", "specialty"
    ).order_by("organisation_id", "specialty_id", "practitioner_id", "id"),
    by_id=_by_numeric_id,
    parameters=_parameters(
        "PractitionerRole",
        ID,
        ACTIVE,
        _specialty("specialty__code"),
        _ref("practitioner", gettext_lazy("Врач"), Practitioner="practitioner_id"),
        _ref("organization", gettext_lazy("Организация"), Organization="organisation_id"),
        _ref("location", gettext_lazy("Здание"), Location="location_id"),
        (
            "service",
            "reference",
            _service_reference,
            gettext_lazy("Услуга: специальность в организации"),
        ),
    ),
    to_fhir=_each(resources.practitioner_role),
)


def _service_rows(_actor) -> QuerySet:
    return (
        PractitionerRole.objects.values(
            "organisation_id",
            "organisation__name",
            "specialty__code",
            "specialty__name",
            "specialty__patients",
        )
        .annotate(active_roles=Count("id", filter=Q(active=True)))
        .order_by("organisation_id", "specialty__code")
    )


def _services(rows: list[dict]) -> list[dict]:
    """The page's services, with the buildings where each is offered (one more query)."""
    if not rows:
        return []
    pairs = any_of(
        Q(organisation_id=row["organisation_id"], specialty__code=row["specialty__code"])
        for row in rows
    )
    buildings: dict[tuple[int, str], dict[int, str]] = {}
    for organisation_id, code, location_id, name in (
        PractitionerRole.objects.filter(pairs)
        .values_list("organisation_id", "specialty__code", "location_id", "location__name")
        .order_by("location_id")
        .distinct()
    ):
        buildings.setdefault((organisation_id, code), {})[location_id] = name
    policy = booking.booking_policy()
    found = []
    for row in rows:
        key = (row["organisation_id"], row["specialty__code"])
        specialty = Specialty(
            code=key[1], name=row["specialty__name"], patients=row["specialty__patients"]
        )
        service = resources.ServiceRow(
            organisation_id=key[0],
            organisation_name=row["organisation__name"],
            specialty=specialty,
            active=row["active_roles"] > 0,
            referral_required=rules.referral_required(key[1], policy),
            locations=list(buildings.get(key, {}).items()),
        )
        found.append(resources.healthcare_service(service))
    return found


HEALTHCARE_SERVICE = Kind(
    name="HealthcareService",
    rows=_service_rows,
    by_id=_service_q,
    parameters=_parameters(
        "HealthcareService",
        (
            "_id",
            "token",
            _plain(lambda _name, raw: _services_q(token.code for token in parse_tokens(raw))),
            gettext_lazy("id услуги: «id организации-код специальности»"),
        ),
        (
            "active",
            "token",
            _boolean(lambda value: Q(active_roles__gt=0) if value else Q(active_roles=0)),
            gettext_lazy("true — хотя бы один врач этой специальности работает"),
        ),
        _specialty("specialty__code"),
        _ref("organization", gettext_lazy("Организация"), Organization="organisation_id"),
    ),
    to_fhir=_services,
)


def _schedule_active(value: bool) -> Q:
    today = clock.local_now().date()
    active = Q(role__active=True, role__practitioner__active=True) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    return active if value else ~active


def _schedules(rows: list[Schedule]) -> list[dict]:
    today = clock.local_now().date()
    return [resources.schedule(row, today=today) for row in rows]


SCHEDULE = Kind(
    name="Schedule",
    rows=lambda _actor: Schedule.objects.select_related(
        "role__practitioner", "role__location", "role__specialty"
    ).order_by("role_id", "valid_from", "id"),
    by_id=_by_numeric_id,
    parameters=_parameters(
        "Schedule",
        ID,
        _specialty("role__specialty__code"),
        _ref(
            "actor",
            gettext_lazy("Должность врача, врач или здание"),
            PractitionerRole="role_id",
            Practitioner="role__practitioner_id",
            Location="role__location_id",
        ),
        (
            "active",
            "token",
            _boolean(_schedule_active),
            gettext_lazy("true — врач работает и расписание не истекло"),
        ),
    ),
    to_fhir=_schedules,
)

SLOT = Kind(
    name="Slot",
    rows=lambda _actor: Slot.objects.select_related("specialty", "role__practitioner").order_by(
        "start", "id"
    ),
    by_id=_by_numeric_id,
    parameters=_parameters(
        "Slot",
        ID,
        _specialty("specialty__code"),
        _ref("schedule", gettext_lazy("Расписание"), Schedule="schedule_id"),
        ("start", "date", _date("start"), DATE_DOCUMENTATION),
        (
            "status",
            "token",
            _token("status", resources.SLOT_STATUS_SYSTEM, Slot.Status.values),
            gettext_lazy("free, busy, busy-unavailable, busy-tentative, entered-in-error"),
        ),
    ),
    to_fhir=_each(resources.slot),
)


def not_signed_in() -> FhirError:
    return FhirError(
        401,
        "login",
        _("Записи к врачу видны только после входа: сессия портала или персональный токен."),
        headers={"WWW-Authenticate": 'Bearer realm="gorod"'},
    )


def _appointment_rows(actor) -> QuerySet:
    if actor is None or not actor.is_authenticated:
        raise not_signed_in()
    people = [patient.person.pk for patient in clinic_selectors.patients_of(actor)]
    clinics = clinic_selectors.registrar_organisation_ids(actor)
    return (
        Appointment.objects.filter(Q(person_id__in=people) | Q(organisation_id__in=clinics))
        .select_related(
            "person",
            "specialty",
            "referral",
            "slot__role__practitioner",
            "slot__role__location",
            "slot__role__specialty",
        )
        .order_by("start", "id")
    )


APPOINTMENT = Kind(
    name="Appointment",
    rows=_appointment_rows,
    by_id=_by_numeric_id,
    personal=True,
    parameters=_parameters(
        "Appointment",
        ID,
        _specialty("specialty__code"),
        _ref(
            "patient", gettext_lazy("Пациент: вы, ваш ребёнок или доверитель"), Patient="person_id"
        ),
        ("date", "date", _date("start"), DATE_DOCUMENTATION),
        (
            "status",
            "token",
            _token("status", resources.APPOINTMENT_STATUS_SYSTEM, Appointment.Status.values),
            gettext_lazy("Статус записи (AppointmentStatus)"),
        ),
        _ref("practitioner", gettext_lazy("Врач"), Practitioner="slot__role__practitioner_id"),
        _ref("location", gettext_lazy("Здание"), Location="slot__role__location_id"),
        _ref(
            "actor",
            gettext_lazy("Любой участник: пациент, врач, должность врача или здание"),
            Patient="person_id",
            Practitioner="slot__role__practitioner_id",
            PractitionerRole="slot__role_id",
            Location="slot__role__location_id",
        ),
        _ref("slot", gettext_lazy("Талон"), Slot="slot_id"),
    ),
    to_fhir=_each(resources.appointment),
)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        ORGANIZATION,
        LOCATION,
        PRACTITIONER,
        PRACTITIONER_ROLE,
        HEALTHCARE_SERVICE,
        SCHEDULE,
        SLOT,
        APPOINTMENT,
    )
}


def resource_not_found(kind: str, resource_id: str) -> FhirError:
    return FhirError(
        404,
        "not-found",
        _("Ресурс %(type)s/%(id)s не найден.") % {"type": kind, "id": resource_id},
    )


def resource_read(kind: Kind, *, actor, resource_id: str) -> dict:
    """One resource by id; unknown, malformed, or outside the caller's scope: not found."""
    rows = kind.rows(actor)
    found = kind.by_id(resource_id)
    row = rows.filter(found).first() if found is not None else None
    if row is None:
        raise resource_not_found(kind.name, resource_id)
    return kind.to_fhir([row])[0]


@dataclass(frozen=True)
class Page:
    resources: list[dict]
    total: int | None
    has_next: bool


def resource_search(
    kind: Kind, *, actor, filters: list[Q], count: int, offset: int, total: bool
) -> Page:
    rows = kind.rows(actor)
    for found in filters:
        rows = rows.filter(found)
    counted = rows.count() if total else None
    if count == 0:
        return Page([], counted, False)
    page = list(rows[offset : offset + count + 1])
    return Page(kind.to_fhir(page[:count]), counted, len(page) > count)
