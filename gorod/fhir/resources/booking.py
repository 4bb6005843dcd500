"""Our rows as HL7 FHIR R4 resources: plain dicts, built per request.

No FHIR model classes at run time (the tests validate every shape with fhir.resources' R4B
models); each function takes rows already loaded with what it needs and touches no database.
A FHIR id is our primary key as a string, except HealthcareService, which has no table: it
is one specialty at one organisation, id "<organisation id>-<specialty code>".

Codes of our own live in the city's local code systems under `CODE_SYSTEM_BASE`, with their
Russian names as displays (the code system's language), whatever the request's language.
Statuses are FHIR's own value sets, stored as they are (models.Slot.Status,
models.Appointment.Status).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from gorod.appointments.models import Appointment, Schedule, Slot
from gorod.clinics.models import Location, Organisation, Practitioner, PractitionerRole, Specialty
from gorod.core.clock import city_zone

FHIR_VERSION = "4.0.1"
MIME_TYPE = "application/fhir+json"
# The city's namespace for its own code systems and identifiers.
BASE_URL = "https://gorod.example/fhir"
CODE_SYSTEM_BASE = f"{BASE_URL}/CodeSystem"
SPECIALTY_SYSTEM = f"{CODE_SYSTEM_BASE}/specialty"
ORGANISATION_KIND_SYSTEM = f"{CODE_SYSTEM_BASE}/organisation-kind"
CANCELLATION_REASON_SYSTEM = f"{CODE_SYSTEM_BASE}/appointment-cancellation-reason"
SERVICE_CHARACTERISTIC_SYSTEM = f"{CODE_SYSTEM_BASE}/service-characteristic"
SPECIALTY_PATIENTS_SYSTEM = f"{CODE_SYSTEM_BASE}/specialty-patients"
ORGANISATION_REGISTRY = f"{BASE_URL}/sid/medical-organisation"
LOCATION_REGISTRY = f"{BASE_URL}/sid/medical-organisation-building"
REFERRAL_NUMBER = f"{BASE_URL}/sid/referral"
# FHIR's own code systems.
SLOT_STATUS_SYSTEM = "http://hl7.org/fhir/slotstatus"
APPOINTMENT_STATUS_SYSTEM = "http://hl7.org/fhir/appointmentstatus"
ORGANIZATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
PRACTITIONER_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/practitioner-role"
PARTICIPANT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ISSUE_TYPE_SYSTEM = "http://hl7.org/fhir/issue-type"

REFERRAL_REQUIRED = "referral-required"
# A patient who has not confirmed yet; everyone else in an appointment has accepted it.
NEEDS_ACTION_STATUSES = frozenset({"proposed", "pending", "waitlist"})
# app-4: a cancellation reason only on cancelled and no-show appointments.
REASON_STATUSES = frozenset({"cancelled", "noshow"})


def instant(moment: datetime) -> str:
    """An aware moment in the city's time, to the second: 2026-11-26T10:00:00+03:00."""
    return moment.astimezone(city_zone()).isoformat(timespec="seconds")


def last_updated(moment: datetime) -> str:
    return moment.astimezone(city_zone()).isoformat(timespec="milliseconds")


def _russian(label) -> str:
    """A model's choice label in Russian: a code system's display does not follow the reader."""
    with translation.override("ru"):
        return str(label)


def reference(resource_type: str, resource_id, display: str | None = None) -> dict:
    found = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        found["display"] = display
    return found


def coding(system: str, code: str, display: str) -> dict:
    return {"system": system, "code": code, "display": display}


def concept(system: str, code: str, display: str) -> dict:
    return {"coding": [coding(system, code, display)], "text": display}


def specialty_concept(specialty: Specialty) -> dict:
    return concept(SPECIALTY_SYSTEM, specialty.code, specialty.name)


def healthcare_service_id(organisation_id: int, specialty_code: str) -> str:
    return f"{organisation_id}-{specialty_code}"


def _telecom(phone: str) -> list[dict]:
    return [{"system": "phone", "value": phone, "use": "work"}] if phone else []


def _decimal(value: Decimal) -> float:
    """A coordinate as a JSON number. Six decimals print back exactly: a float's repr is
    the shortest text that reads back as the same float."""
    return float(value)


def _without_empty(resource: dict) -> dict:
    """FHIR forbids empty arrays and strings: leave such elements out."""
    return {key: value for key, value in resource.items() if value not in ([], "", None)}


def organization(organisation: Organisation) -> dict:
    kind = _russian(organisation.get_kind_display())
    return _without_empty(
        {
            "resourceType": "Organization",
            "id": str(organisation.pk),
            "identifier": [{"system": ORGANISATION_REGISTRY, "value": organisation.registry_code}],
            "active": organisation.active,
            "type": [
                {
                    "coding": [
                        coding(ORGANIZATION_TYPE_SYSTEM, "prov", "Healthcare Provider"),
                        coding(ORGANISATION_KIND_SYSTEM, organisation.kind, kind),
                    ],
                    "text": kind,
                }
            ],
            "name": organisation.name,
            "telecom": _telecom(organisation.phone),
            "address": (
                [{"use": "work", "district": organisation.district}]
                if organisation.district
                else []
            ),
        }
    )


def location(building: Location) -> dict:
    """A building of a clinic; needs `organisation` loaded."""
    resource = {
        "resourceType": "Location",
        "id": str(building.pk),
        "identifier": [{"system": LOCATION_REGISTRY, "value": building.registry_code}],
        "status": "active" if building.active else "inactive",
        "name": building.name,
        "mode": "instance",
        "telecom": _telecom(building.phone),
        "address": {"use": "work", "type": "physical", "text": building.address},
        "managingOrganization": reference(
            "Organization", building.organisation_id, building.organisation.name
        ),
    }
    if building.latitude is not None and building.longitude is not None:
        resource["position"] = {
            "latitude": _decimal(building.latitude),
            "longitude": _decimal(building.longitude),
        }
    return _without_empty(resource)


def practitioner(doctor: Practitioner) -> dict:
    given = [part for part in (doctor.first_name, doctor.middle_name) if part]
    return {
        "resourceType": "Practitioner",
        "id": str(doctor.pk),
        "active": doctor.active,
        "name": [
            _without_empty(
                {
                    "use": "official",
                    "text": doctor.full_name,
                    "family": doctor.last_name,
                    "given": given,
                }
            )
        ],
    }


def _role_display(role: PractitionerRole) -> str:
    return f"{role.practitioner.initials_name}, {role.specialty.name}"


def practitioner_role(role: PractitionerRole) -> dict:
    """Needs practitioner, organisation, location and specialty loaded."""
    location_display = role.location.name
    if role.room:
        location_display = _("%(building)s, кабинет %(room)s") % {
            "building": role.location.name,
            "room": role.room,
        }
    return {
        "resourceType": "PractitionerRole",
        "id": str(role.pk),
        "active": role.active,
        "practitioner": reference(
            "Practitioner", role.practitioner_id, role.practitioner.full_name
        ),
        "organization": reference("Organization", role.organisation_id, role.organisation.name),
        "code": [concept(PRACTITIONER_ROLE_SYSTEM, "doctor", "Doctor")],
        "specialty": [specialty_concept(role.specialty)],
        "location": [reference("Location", role.location_id, location_display)],
        "healthcareService": [
            reference(
                "HealthcareService",
                healthcare_service_id(role.organisation_id, role.specialty.code),
                role.specialty.name,
            )
        ],
    }


@dataclass(frozen=True)
class ServiceRow:
    """A specialty offered at an organisation: what a HealthcareService is made of."""

    organisation_id: int
    organisation_name: str
    specialty: Specialty
    active: bool
    referral_required: bool
    locations: list[tuple[int, str]]


def healthcare_service(row: ServiceRow) -> dict:
    specialty = row.specialty
    resource = {
        "resourceType": "HealthcareService",
        "id": healthcare_service_id(row.organisation_id, specialty.code),
        "active": row.active,
        "providedBy": reference("Organization", row.organisation_id, row.organisation_name),
        "specialty": [specialty_concept(specialty)],
        "location": [reference("Location", pk, name) for pk, name in row.locations],
        "name": specialty.name,
        "appointmentRequired": True,
    }
    if specialty.patients != Specialty.Patients.ALL:
        resource["eligibility"] = [
            {
                "code": concept(
                    SPECIALTY_PATIENTS_SYSTEM,
                    specialty.patients,
                    _russian(specialty.get_patients_display()),
                )
            }
        ]
    if row.referral_required:
        resource["characteristic"] = [
            concept(SERVICE_CHARACTERISTIC_SYSTEM, REFERRAL_REQUIRED, "Запись по направлению")
        ]
    return _without_empty(resource)


WEEKDAY_NAMES = {
    1: pgettext_lazy("weekday", "пн"),
    2: pgettext_lazy("weekday", "вт"),
    3: pgettext_lazy("weekday", "ср"),
    4: pgettext_lazy("weekday", "чт"),
    5: pgettext_lazy("weekday", "пт"),
    6: pgettext_lazy("weekday", "сб"),
    7: pgettext_lazy("weekday", "вс"),
}


def schedule(plan: Schedule, *, today: date) -> dict:
    """Needs role with its practitioner, location and specialty loaded.

    Active while the doctor works in the role and the pattern has not expired.
    """
    role = plan.role
    days = ", ".join(str(WEEKDAY_NAMES[day]) for day in sorted(plan.weekday_numbers))
    comment = _("%(days)s: %(start)s–%(end)s, приём по %(minutes)s мин.") % {
        "days": days,
        "start": f"{plan.day_start:%H:%M}",
        "end": f"{plan.day_end:%H:%M}",
        "minutes": plan.slot_minutes,
    }
    if plan.break_start and plan.break_end:
        comment += " " + _("Перерыв %(start)s–%(end)s.") % {
            "start": f"{plan.break_start:%H:%M}",
            "end": f"{plan.break_end:%H:%M}",
        }
    horizon = {"start": plan.valid_from.isoformat()}
    if plan.valid_until:
        horizon["end"] = plan.valid_until.isoformat()
    return {
        "resourceType": "Schedule",
        "id": str(plan.pk),
        "meta": {"lastUpdated": last_updated(plan.updated_at)},
        "active": role.active
        and role.practitioner.active
        and (plan.valid_until is None or plan.valid_until >= today),
        "specialty": [specialty_concept(role.specialty)],
        "actor": [
            reference("PractitionerRole", role.pk, _role_display(role)),
            reference("Practitioner", role.practitioner_id, role.practitioner.full_name),
            reference("Location", role.location_id, role.location.name),
        ],
        "planningHorizon": horizon,
        "comment": comment,
    }


def slot(time: Slot) -> dict:
    """A slot, never its patient. Needs specialty and role's practitioner loaded."""
    resource = {
        "resourceType": "Slot",
        "id": str(time.pk),
        "meta": {"lastUpdated": last_updated(time.updated_at)},
        "specialty": [specialty_concept(time.specialty)],
        "schedule": reference(
            "Schedule",
            time.schedule_id,
            f"{time.role.practitioner.initials_name}, {time.specialty.name}",
        ),
        "status": time.status,
        "start": instant(time.start),
        "end": instant(time.end),
    }
    if not time.online:
        resource["comment"] = _("Запись только через регистратуру.")
    return resource


def appointment(visit: Appointment) -> dict:
    """Needs person, specialty, referral and the slot's role with its practitioner and
    location loaded. The patient appears as a reference with a name, nothing more."""
    role = visit.slot.role
    status = visit.status
    patient_status = "needs-action" if status in NEEDS_ACTION_STATUSES else "accepted"
    resource = {
        "resourceType": "Appointment",
        "id": str(visit.pk),
        "meta": {"lastUpdated": last_updated(visit.updated_at)},
        "status": status,
        "specialty": [specialty_concept(visit.specialty)],
        "start": instant(visit.start),
        "end": instant(visit.end),
        "minutesDuration": round((visit.end - visit.start).total_seconds() / 60),
        "slot": [reference("Slot", visit.slot_id)],
        "created": instant(visit.created_at),
        "participant": [
            _participant("Patient", visit.person_id, visit.person.full_name, patient_status),
            _participant(
                "PractitionerRole", role.pk, _role_display(role), "accepted", primary=True
            ),
            _participant(
                "Practitioner", role.practitioner_id, role.practitioner.full_name, "accepted"
            ),
            _participant("Location", role.location_id, role.location.name, "accepted"),
            _participant(
                "HealthcareService",
                healthcare_service_id(visit.organisation_id, visit.specialty.code),
                visit.specialty.name,
                "accepted",
            ),
        ],
    }
    if status in REASON_STATUSES and visit.cancellation_reason:
        reason = _russian(visit.get_cancellation_reason_display())
        resource["cancelationReason"] = concept(
            CANCELLATION_REASON_SYSTEM, visit.cancellation_reason, reason
        )
    if visit.referral_id is not None:
        number = visit.referral.number
        resource["basedOn"] = [
            {
                "type": "ServiceRequest",
                "identifier": {"system": REFERRAL_NUMBER, "value": number},
                "display": _("Направление № %(number)s") % {"number": number},
            }
        ]
    return resource


def _participant(
    resource_type: str, resource_id, display: str, status: str, *, primary: bool = False
) -> dict:
    found = {
        "actor": reference(resource_type, resource_id, display),
        "required": "required",
        "status": status,
    }
    if primary:
        found["type"] = [concept(PARTICIPANT_TYPE_SYSTEM, "PPRF", "primary performer")]
    return found


def operation_outcome(code: str, message: str, *, severity="error", expression=None) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [issue(code, message, severity, expression)],
    }


def issue(code: str, message: str, severity: str = "error", expression: str | None = None) -> dict:
    found = {"severity": severity, "code": code, "diagnostics": message}
    if expression:
        found["expression"] = [expression]
    return found


def searchset(
    *,
    base: str,
    resources: list[dict],
    links: list[tuple[str, str]],
    total: int | None,
    warnings: list[dict] = (),
) -> dict:
    """A search's Bundle: the page's matches, paging links and an outcome entry for what the
    server ignored."""
    entries = [
        {
            "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": "match"},
        }
        for resource in resources
    ]
    if warnings:
        entries.append(
            {
                "resource": {"resourceType": "OperationOutcome", "issue": list(warnings)},
                "search": {"mode": "outcome"},
            }
        )
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links],
        "entry": entries,
    }
    return _without_empty(bundle)


# The day this server's capabilities last changed (CapabilityStatement.date).
CAPABILITY_DATE = "2026-11-25"


def capability_statement(*, base: str, types: list[tuple[str, list, bool]]) -> dict:
    """What the server does: for each (type, search parameters, personal) read and search."""
    return {
        "resourceType": "CapabilityStatement",
        "id": "gorod",
        "url": f"{base}metadata",
        "name": "GorodHealth",
        "title": _("Запись к врачу: справочник поликлиник, расписания и записи"),
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "gorod",
        "kind": "instance",
        "software": {"name": "gorod"},
        "implementation": {"description": _("Портал города: запись к врачу"), "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": [MIME_TYPE, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": _(
                    "Справочник (Organization, Location, Practitioner, PractitionerRole, "
                    "HealthcareService, Schedule, Slot) открыт всем. Appointment — только "
                    "после входа: свои записи, записи детей и доверителей; регистратору — "
                    "записи его поликлиники. Медицинская карта (Patient, Patient/{id}/"
                    "$everything, Encounter, Condition, Observation, DiagnosticReport, "
                    "MedicationRequest, Immunization, DocumentReference) — только после "
                    "входа: своя, детей до 15 лет, доверителей; врачу — пациентов на приёме. "
                    "Страницы: _count (до 100), _offset, _total=none; $everything тоже."
                ),
                "security": {
                    "description": _(
                        "Appointment и медицинская карта: сессия портала или персональный "
                        "токен (Authorization: Bearer …) из профиля; каждый просмотр карты "
                        "записан в журнал пациента. Результаты анализов (POST Bundle) "
                        "передаёт только лаборатория по своему токену."
                    )
                },
                "resource": [
                    {
                        "type": name,
                        "profile": f"http://hl7.org/fhir/StructureDefinition/{name}",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [_search_param(parameter) for parameter in parameters],
                        **(
                            {"documentation": _("Только после входа; чужие записи не видны.")}
                            if personal
                            else {}
                        ),
                    }
                    for name, parameters, personal in types
                ],
            }
        ],
    }


def _search_param(parameter) -> dict:
    found = {"name": parameter.name, "type": parameter.type}
    if parameter.definition:
        found["definition"] = parameter.definition
    if parameter.documentation:
        found["documentation"] = str(parameter.documentation)
    return found
