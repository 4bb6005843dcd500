"""FHIR R4 at /fhir/r4/: every resource type and Bundle validated with fhir.resources (R4B
models), plus the checks the library does not make: required value sets (it knows them,
as `enum_values`, but accepts any code) and Appointment's invariants app-2, app-3, app-4."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from pydantic import BaseModel

from gorod.accounts import services as accounts
from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.tests.factories import AppointmentFactory, ReferralFactory, ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, make_slots
from gorod.clinics.models import RegistrarPost, Specialty
from gorod.clinics.tests.factories import RoleFactory, specialty
from gorod.fhir.resources import booking as resources
from gorod.fhir.search import FHIR_ID_RE
from gorod.fhir.selectors.record import RECORD_KINDS

BASE = "/fhir/r4"
FHIR_JSON = "application/fhir+json; charset=utf-8"

# HL7 FHIR R4 value sets, as the specification lists them (not taken from our code).
SLOT_STATUSES = {"busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"}
APPOINTMENT_STATUSES = {
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
}


# Elements whose `enum_values` in fhir.resources are not a closed value set: a
# CapabilityStatement's format is "xml | json | ttl | mime type", any MIME type.
OPEN_CODES = frozenset({"format", "patchFormat"})


def value_set_violations(model: BaseModel, path: str = "") -> list[str]:
    """Every coded element whose code is outside its required value set.

    fhir.resources records the codes of each required binding (`enum_values`) but does not
    enforce them; this walks the validated model and does.
    """
    found = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        allowed = None if name in OPEN_CODES else (info.json_schema_extra or {}).get("enum_values")
        for item in value if isinstance(value, list) else [value]:
            if allowed and isinstance(item, str) and item not in allowed:
                found.append(f"{path}{name}={item!r}")
            if isinstance(item, BaseModel):
                found.extend(value_set_violations(item, f"{path}{name}."))
    return found


def app_2(appointment: dict) -> bool:
    """Either start and end are specified, or neither."""
    return ("start" in appointment) == ("end" in appointment)


def app_3(appointment: dict) -> bool:
    """Only proposed, cancelled or waitlist appointments may lack start and end."""
    return ("start" in appointment and "end" in appointment) or appointment["status"] in (
        "proposed",
        "cancelled",
        "waitlist",
    )


def app_4(appointment: dict) -> bool:
    """A cancellation reason only on cancelled and no-show appointments."""
    return "cancelationReason" not in appointment or appointment["status"] in (
        "cancelled",
        "noshow",
    )


def valid(resource: dict) -> dict:
    """Validate with the R4B model of its type, then our own checks; returns the resource."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert value_set_violations(model) == [], resource
    inner = [entry["resource"] for entry in resource.get("entry", [])]
    for found in [resource, *inner]:
        if found["resourceType"] == "Appointment":
            assert app_2(found), found
            assert app_3(found), found
            assert app_4(found), found
        if found["resourceType"] == "Slot":
            assert found["status"] in SLOT_STATUSES
    return resource


def fhir(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == FHIR_JSON
    return valid(response.json())


def outcome(response, status: int, code: str) -> dict:
    body = fhir(response, status)
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code, body
    assert body["issue"][0]["severity"] == "error"
    return body


def ids(bundle: dict, resource_type: str | None = None) -> list[str]:
    return [
        entry["resource"]["id"]
        for entry in bundle.get("entry", [])
        if entry["search"]["mode"] == "match"
        and (resource_type is None or entry["resource"]["resourceType"] == resource_type)
    ]


def link(bundle: dict, relation: str) -> str | None:
    return next((item["url"] for item in bundle["link"] if item["relation"] == relation), None)


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Users here never log in with a password: spare each test argon2's deliberate cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    clinic: object
    cardiologist: object
    mine: Appointment
    childs: Appointment
    strangers: Appointment
    elsewhere: Appointment


@pytest.fixture
def world(clinic) -> World:
    """The clinic with a cardiologist too, the patient's and the child's appointments, and
    two strangers' (one at the same clinic, one at another)."""
    location = clinic.therapist.location
    location.latitude, location.longitude = Decimal("55.766500"), Decimal("37.632100")
    location.save()
    cardiologist = RoleFactory(location=location, specialty=specialty("cardiologist"), room="214")
    cardiology = make_slots(
        ScheduleFactory(role=cardiologist), datetime(2026, 11, 27, 10, tzinfo=MOSCOW), 3
    )
    referral = ReferralFactory(person=clinic.patient)
    mine = AppointmentFactory(person=clinic.patient, slot=cardiology[0], referral=referral)
    Slot.objects.filter(pk=cardiology[0].pk).update(status=Slot.Status.BUSY)
    childs = AppointmentFactory(
        person=clinic.child,
        slot=cardiology[1],
        status=Appointment.Status.CANCELLED,
        cancellation_reason=Appointment.Reason.DOCTOR_ABSENT,
        cancelled_at=NOW,
    )
    strangers = AppointmentFactory(person=PersonFactory(last_name="Чужая"), slot=clinic.slots[7])
    Slot.objects.filter(pk=clinic.slots[7].pk).update(status=Slot.Status.BUSY)
    elsewhere = AppointmentFactory(
        person=PersonFactory(),
        slot__start=datetime(2026, 11, 20, 10, tzinfo=MOSCOW),
        status=Appointment.Status.NOSHOW,
        slot__schedule__role__practitioner__last_name="Орлов",
        slot__schedule__role__practitioner__first_name="Олег",
        slot__schedule__role__practitioner__middle_name="Игоревич",
    )
    return World(clinic, cardiologist, mine, childs, strangers, elsewhere)


@pytest.fixture
def citizen(client, world):
    client.force_login(world.clinic.patient.user)
    return client


@pytest.fixture
def registrar(client, world):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="registrar"))
    RegistrarPost.objects.create(user=user, organisation=world.clinic.organisation)
    client.force_login(user)
    return client


def test_the_models_statuses_are_fhirs_value_sets():
    assert set(Slot.Status.values) == SLOT_STATUSES
    assert set(Appointment.Status.values) == APPOINTMENT_STATUSES
    slot_model = get_fhir_model_class("Slot")
    appointment_model = get_fhir_model_class("Appointment")
    assert set(slot_model.model_fields["status"].json_schema_extra["enum_values"]) == SLOT_STATUSES
    assert (
        set(appointment_model.model_fields["status"].json_schema_extra["enum_values"])
        == APPOINTMENT_STATUSES
    )


def test_the_checks_catch_what_the_library_lets_through():
    slot = {
        "resourceType": "Slot",
        "schedule": {"reference": "Schedule/1"},
        "status": "taken",
        "start": "2026-11-26T10:00:00+03:00",
        "end": "2026-11-26T10:15:00+03:00",
    }
    model = get_fhir_model_class("Slot").model_validate(slot)  # the library accepts it
    assert value_set_violations(model) == ["status='taken'"]
    booked = {"resourceType": "Appointment", "status": "booked", "participant": []}
    assert app_2(booked)
    assert not app_3(booked)
    assert not app_2({**booked, "start": "2026-11-26T10:00:00+03:00"})
    assert app_3({**booked, "status": "cancelled"})
    reason = {"text": "врач отсутствует"}
    assert not app_4({**booked, "cancelationReason": reason})
    assert app_4({**booked, "status": "noshow", "cancelationReason": reason})


def test_specialty_codes_make_valid_fhir_ids(db):
    for code in Specialty.objects.values_list("code", flat=True):
        assert FHIR_ID_RE.match(resources.healthcare_service_id(10**18, code)), code


def test_every_directory_type_reads_and_validates(client, world):
    clinic = world.clinic
    organisation = fhir(client.get(f"{BASE}/Organization/{clinic.organisation.pk}"))
    assert organisation["name"] == clinic.organisation.name
    assert organisation["identifier"][0]["value"] == clinic.organisation.registry_code
    location = fhir(client.get(f"{BASE}/Location/{clinic.therapist.location_id}"))
    assert location["position"] == {"latitude": 55.7665, "longitude": 37.6321}
    assert location["managingOrganization"]["reference"] == f"Organization/{clinic.organisation.pk}"
    doctor = fhir(client.get(f"{BASE}/Practitioner/{clinic.therapist.practitioner_id}"))
    assert doctor["name"][0]["family"] == "Смирнова"
    assert doctor["name"][0]["given"][1] == "Петровна"
    role = fhir(client.get(f"{BASE}/PractitionerRole/{world.cardiologist.pk}"))
    assert role["specialty"][0]["coding"][0] == {
        "system": resources.SPECIALTY_SYSTEM,
        "code": "cardiologist",
        "display": "Кардиолог",
    }
    assert role["location"][0]["display"].endswith("214")
    service_id = f"{clinic.organisation.pk}-cardiologist"
    assert role["healthcareService"][0]["reference"] == f"HealthcareService/{service_id}"
    service = fhir(client.get(f"{BASE}/HealthcareService/{service_id}"))
    assert service["providedBy"]["reference"] == f"Organization/{clinic.organisation.pk}"
    assert service["characteristic"][0]["coding"][0]["code"] == "referral-required"
    assert service["location"] == [
        {"reference": f"Location/{clinic.therapist.location_id}", "display": location["name"]}
    ]
    therapy = fhir(client.get(f"{BASE}/HealthcareService/{clinic.organisation.pk}-therapist"))
    assert "characteristic" not in therapy
    assert therapy["eligibility"][0]["code"]["coding"][0]["code"] == "adults"
    schedule = fhir(client.get(f"{BASE}/Schedule/{clinic.schedule.pk}"))
    assert [actor["reference"].split("/")[0] for actor in schedule["actor"]] == [
        "PractitionerRole",
        "Practitioner",
        "Location",
    ]
    assert schedule["active"] is True
    slot = fhir(client.get(f"{BASE}/Slot/{clinic.slots[0].pk}"))
    assert slot["status"] == "free"
    assert slot["start"] == "2026-11-26T10:00:00+03:00"
    assert slot["end"] == "2026-11-26T10:15:00+03:00"
    assert slot["schedule"]["reference"] == f"Schedule/{clinic.schedule.pk}"


def test_a_booked_slot_says_busy_and_nothing_about_who(client, world):
    response = client.get(f"{BASE}/Slot/{world.clinic.slots[7].pk}")
    slot = fhir(response)
    assert slot["status"] == "busy"
    text = response.content.decode()
    assert "Patient" not in text
    assert "Чужая" not in text
    assert "Appointment" not in text


def test_appointments_read_validates_with_the_invariants(citizen, world):
    mine = fhir(citizen.get(f"{BASE}/Appointment/{world.mine.pk}"))
    assert mine["status"] == "booked"
    assert "cancelationReason" not in mine
    patient = mine["participant"][0]["actor"]
    assert patient == {
        "reference": f"Patient/{world.clinic.patient.pk}",
        "display": world.clinic.patient.full_name,
    }
    assert mine["basedOn"][0]["identifier"]["value"] == world.mine.referral.number
    assert mine["slot"] == [{"reference": f"Slot/{world.mine.slot_id}"}]
    assert mine["minutesDuration"] == 24
    childs = fhir(citizen.get(f"{BASE}/Appointment/{world.childs.pk}"))
    assert childs["status"] == "cancelled"
    assert childs["cancelationReason"]["coding"][0] == {
        "system": resources.CANCELLATION_REASON_SYSTEM,
        "code": "doctor_absent",
        "display": "врач отсутствует",
    }
    # Only the patient's name: no birth date, policy or other personal data.
    assert "1985" not in str(mine)
    assert "birth" not in str(mine)


def test_capability_statement(client, db):
    response = client.get(f"{BASE}/metadata")
    statement = fhir(response)
    assert statement["fhirVersion"] == "4.0.1"
    served = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}
    assert set(served) == {*SERVED, *RECORD_KINDS, "Patient"}
    slot_parameters = {parameter["name"] for parameter in served["Slot"]["searchParam"]}
    assert {"schedule", "start", "status"} <= slot_parameters
    appointment_parameters = {p["name"] for p in served["Appointment"]["searchParam"]}
    assert {"patient", "date"} <= appointment_parameters
    assert statement["implementation"]["url"] == "http://testserver/fhir/r4/"


SERVED = (
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "HealthcareService",
    "Schedule",
    "Slot",
    "Appointment",
)


def test_every_type_searches_into_a_valid_bundle(citizen, world):
    for resource_type in SERVED:
        bundle = fhir(citizen.get(f"{BASE}/{resource_type}"))
        assert bundle["type"] == "searchset"
        assert bundle["total"] == len(ids(bundle)) > 0, resource_type
        assert link(bundle, "self").startswith(f"http://testserver{BASE}/{resource_type}?")
        for entry in bundle["entry"]:
            assert entry["fullUrl"] == (
                f"http://testserver{BASE}/{resource_type}/{entry['resource']['id']}"
            )


def test_slots_by_schedule_start_and_status(client, world):
    clinic = world.clinic
    schedule = f"schedule=Schedule/{clinic.schedule.pk}"
    every = [str(slot.pk) for slot in clinic.slots]
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}"))) == every
    assert ids(fhir(client.get(f"{BASE}/Slot?schedule={clinic.schedule.pk}"))) == every
    free = ids(fhir(client.get(f"{BASE}/Slot?{schedule}&status=free")))
    assert free == every[:7]
    busy = ids(fhir(client.get(f"{BASE}/Slot?{schedule}&status=busy,busy-tentative")))
    assert busy == every[7:]
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&status:not=free"))) == every[7:]
    system = f"status={resources.SLOT_STATUS_SYSTEM}|busy"
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&{system}"))) == every[7:]
    # 10:00, 10:15, … 11:45; [10:30, 11:00) is two slots.
    window = "start=ge2026-11-26T10:30:00%2B03:00&start=lt2026-11-26T11:00:00%2B03:00"
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&{window}"))) == every[2:4]
    # A "+" sent unencoded arrives as a space and still means the zone.
    unencoded = "start=ge2026-11-26T10:30:00+03:00&start=lt2026-11-26T11:00"
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&{unencoded}"))) == every[2:4]
    utc = "start=gt2026-11-26T08:30:00Z"  # 11:30 Moscow: the minute ends 11:31
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&{utc}"))) == every[7:]
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&start=2026-11-26"))) == every
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&start=2026-11"))) == every
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&start=2026-11-27"))) == []
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&start=le2026-11-26T10:15"))) == every[:2]
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&start=ne2026-11-26T10:00"))) == every[1:]
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&start=eb2026-11-26T10:15:00"))) == every[:1]
    assert ids(fhir(client.get(f"{BASE}/Slot?{schedule}&specialty=cardiologist"))) == []


def test_slot_paging_follows_next_links_to_the_end(client, world):
    schedule = world.clinic.schedule.pk
    url = f"{BASE}/Slot?schedule=Schedule/{schedule}&_count=3"
    seen, pages = [], 0
    while url:
        bundle = fhir(client.get(url))
        assert bundle["total"] == 8
        assert len(ids(bundle)) <= 3
        seen += ids(bundle)
        pages += 1
        url = relative(link(bundle, "next")) if link(bundle, "next") else None
    assert seen == [str(slot.pk) for slot in world.clinic.slots]
    assert pages == 3
    query = dict(parse_qsl(urlsplit(link(bundle, "self")).query))
    assert query == {"schedule": f"Schedule/{schedule}", "_count": "3", "_offset": "6"}
    assert link(bundle, "previous").endswith("_count=3&_offset=3")
    only_total = fhir(client.get(f"{BASE}/Slot?schedule={schedule}&_count=0"))
    assert only_total["total"] == 8
    assert "entry" not in only_total
    no_total = fhir(client.get(f"{BASE}/Slot?schedule={schedule}&_total=none&_count=2"))
    assert "total" not in no_total
    assert link(no_total, "next").endswith("_offset=2&_total=none")
    past_the_end = fhir(client.get(f"{BASE}/Slot?schedule={schedule}&_offset=100"))
    assert ids(past_the_end) == []
    assert link(past_the_end, "next") is None
    capped = fhir(client.get(f"{BASE}/Slot?_count=100000"))
    assert "_count=100" in link(capped, "self")


def test_unknown_parameters_are_reported_or_refused_when_strict(client, world):
    bundle = fhir(client.get(f"{BASE}/Slot?statsu=free&_sort=start"))
    assert len(ids(bundle)) == 12  # the filter was not applied
    warning = bundle["entry"][-1]
    assert warning["search"]["mode"] == "outcome"
    assert [issue["expression"] for issue in warning["resource"]["issue"]] == [
        ["statsu"],
        ["_sort"],
    ]
    assert "statsu" not in link(bundle, "self")
    strict = client.get(f"{BASE}/Slot?statsu=free", HTTP_PREFER="handling=strict")
    outcome(strict, 400, "invalid")


@pytest.mark.parametrize(
    "query",
    [
        "start=xx2026-11-26",
        "start=ap2026-11-26",
        "start=2026-13-01",
        "start=2026-02-30",
        "start=26.11.2026",
        "start=2026-11-26T25:00",
        "start=2026-11-26T10:00%2B15:00",
        "start=9999-12-31",
        "status=taken",
        "status:exact=free",
        "start:missing=true",
        "schedule=Patient/1",
        "schedule:Patient=1",
        "schedule=Schedule/a_b",
        "_count=-1",
        "_count=abc",
        "_count=１０",
        "_offset=1.5",
        "_total=some",
        "specialty:text=кардио",
    ],
)
def test_bad_parameters_are_400_outcomes(client, db, query):
    body = outcome(client.get(f"{BASE}/Slot?{query}"), 400, "invalid")
    assert body["issue"][0]["diagnostics"]
    assert body["issue"][0]["expression"][0].split(":")[0] == query.split("=")[0].split(":")[0]


def test_a_query_string_stays_a_small_statement(client, world):
    # The clinic's schedule among 98 others (ids are not reset between tests on PostgreSQL).
    many_ids = ",".join(
        [str(world.clinic.schedule.pk), *(str(world.clinic.schedule.pk + n) for n in range(1, 99))]
    )
    assert len(ids(fhir(client.get(f"{BASE}/Slot?schedule={many_ids}&_count=100")))) == 12
    actors = ",".join(f"Practitioner/{number}" for number in range(1, 100))
    fhir(client.get(f"{BASE}/Schedule?actor={actors}"))
    for query in (
        "schedule=" + ",".join(["1"] * 101),
        "&".join(["status=free"] * 31),
        "status=free%00",
    ):
        outcome(client.get(f"{BASE}/Slot?{query}"), 400, "invalid")
    words = "+".join(["а"] * 11)
    outcome(client.get(f"{BASE}/Practitioner?name={words}"), 400, "invalid")
    outcome(client.get(f"{BASE}/Practitioner?name=%00"), 400, "invalid")


def test_well_formed_values_matching_nothing_give_an_empty_bundle(client, world):
    for query in (
        "schedule=999999",
        "schedule=Schedule/99999999999999999999999",
        "_id=abc",
        "status=http://example.org/other|free",
        "specialty=no-such-specialty",
    ):
        bundle = fhir(client.get(f"{BASE}/Slot?{query}"))
        assert bundle["total"] == 0, query
        assert ids(bundle) == [], query


def test_directory_searches(client, world):
    clinic = world.clinic
    organisation, location = clinic.organisation.pk, clinic.therapist.location_id
    other = world.elsewhere.organisation_id
    roles = ids(fhir(client.get(f"{BASE}/PractitionerRole?organization={organisation}")))
    assert roles == [str(clinic.therapist.pk), str(world.cardiologist.pk)]
    cardiology = f"{BASE}/PractitionerRole?organization=Organization/{organisation}"
    cardiology += f"&specialty={resources.SPECIALTY_SYSTEM}|cardiologist"
    assert ids(fhir(client.get(cardiology))) == [str(world.cardiologist.pk)]
    service = f"HealthcareService/{organisation}-therapist"
    assert ids(fhir(client.get(f"{BASE}/PractitionerRole?service={service}"))) == [
        str(clinic.therapist.pk)
    ]
    assert ids(fhir(client.get(f"{BASE}/Location?organization={organisation}"))) == [str(location)]
    assert ids(fhir(client.get(f"{BASE}/HealthcareService?organization={organisation}"))) == [
        f"{organisation}-cardiologist",
        f"{organisation}-therapist",
    ]
    assert ids(fhir(client.get(f"{BASE}/HealthcareService?specialty=therapist"))) == [
        f"{organisation}-therapist",
        f"{other}-therapist",
    ]
    by_id = f"{BASE}/HealthcareService?_id={other}-therapist,{organisation}-therapist,x-y"
    assert len(ids(fhir(client.get(by_id)))) == 2
    schedules = f"{BASE}/Schedule?actor=PractitionerRole/{world.cardiologist.pk}"
    assert len(ids(fhir(client.get(schedules)))) == 1
    by_doctor = f"{BASE}/Schedule?actor=Practitioner/{clinic.therapist.practitioner_id}"
    assert ids(fhir(client.get(by_doctor))) == [str(clinic.schedule.pk)]
    by_building = ids(fhir(client.get(f"{BASE}/Schedule?actor:Location={location}")))
    assert len(by_building) == 2
    assert ids(fhir(client.get(f"{BASE}/Schedule?active=false"))) == []
    assert ids(
        fhir(client.get(f"{BASE}/Organization?identifier={clinic.organisation.registry_code}"))
    ) == [str(organisation)]


def test_closed_organisations_say_so(client, world):
    world.elsewhere.organisation.active = False
    world.elsewhere.organisation.save()
    bundle = fhir(client.get(f"{BASE}/Organization?active=false"))
    assert ids(bundle) == [str(world.elsewhere.organisation_id)]
    assert bundle["entry"][0]["resource"]["active"] is False
    head = client.head(f"{BASE}/Organization/{world.elsewhere.organisation_id}")
    assert head.status_code == 200


def test_practitioners_by_name_in_any_case_on_either_database(client, world):
    world.cardiologist.practitioner.last_name = "Ёлкина"
    world.cardiologist.practitioner.save()
    therapist = str(world.clinic.therapist.practitioner_id)
    cardiologist = str(world.cardiologist.practitioner_id)
    for query, expected in (
        ("name=смирн", [therapist]),
        ("name=СМИРНОВА", [therapist]),
        ("name=Смирнова Петровна", [therapist]),
        ("name=петровна", [cardiologist, therapist]),
        ("name=смирнова ёлкина", []),
        ("name=смирнова,ёлкина", [cardiologist, therapist]),
        ("name:contains=мирн", [therapist]),
        ("name:exact=смирнова", []),
        ("name:exact=Смирнова", [therapist]),
        ("family=петровна", []),
        ("given=петровна", [cardiologist, therapist]),
    ):
        bundle = fhir(client.get(f"{BASE}/Practitioner?{query}"))
        assert sorted(ids(bundle)) == sorted(expected), query


def test_appointments_need_a_signed_in_caller(client, world):
    for url in (f"{BASE}/Appointment", f"{BASE}/Appointment/{world.mine.pk}"):
        response = client.get(url)
        outcome(response, 401, "login")
        assert response["WWW-Authenticate"].startswith("Bearer")
    forged = client.get(f"{BASE}/Appointment", HTTP_AUTHORIZATION="Bearer gorod_abc_def")
    outcome(forged, 401, "login")
    basic = client.get(f"{BASE}/Appointment", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    outcome(basic, 401, "login")
    # The directory does not care about a bad token.
    fhir(client.get(f"{BASE}/Slot", HTTP_AUTHORIZATION="Bearer nonsense"))


def test_a_citizen_sees_their_own_and_their_childs_only(citizen, world):
    response = citizen.get(f"{BASE}/Appointment")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    bundle = fhir(response)
    assert ids(bundle) == [str(world.mine.pk), str(world.childs.pk)]
    for stranger in (world.strangers, world.elsewhere):
        outcome(citizen.get(f"{BASE}/Appointment/{stranger.pk}"), 404, "not-found")
        by_patient = f"{BASE}/Appointment?patient=Patient/{stranger.person_id}"
        assert ids(fhir(citizen.get(by_patient))) == []
        assert ids(fhir(citizen.get(f"{BASE}/Appointment?_id={stranger.pk}"))) == []
    assert "Чужая" not in citizen.get(f"{BASE}/Appointment?_count=100").content.decode()


def test_appointments_by_patient_date_and_status(citizen, world):
    patient, child = world.clinic.patient.pk, world.clinic.child.pk
    assert ids(fhir(citizen.get(f"{BASE}/Appointment?patient={child}"))) == [str(world.childs.pk)]
    both = f"{BASE}/Appointment?patient=Patient/{patient},Patient/{child}&date=2026-11-27"
    assert ids(fhir(citizen.get(both))) == [str(world.mine.pk), str(world.childs.pk)]
    assert ids(fhir(citizen.get(f"{BASE}/Appointment?date=lt2026-11-27"))) == []
    later = f"{BASE}/Appointment?date=ge2026-11-27T10:10&status=cancelled"
    assert ids(fhir(citizen.get(later))) == [str(world.childs.pk)]
    doctor = world.cardiologist.practitioner_id
    assert len(ids(fhir(citizen.get(f"{BASE}/Appointment?practitioner={doctor}")))) == 2
    assert ids(fhir(citizen.get(f"{BASE}/Appointment?actor=Patient/{patient}"))) == [
        str(world.mine.pk)
    ]
    outcome(citizen.get(f"{BASE}/Appointment?patient=Slot/1"), 400, "invalid")
    outcome(citizen.get(f"{BASE}/Appointment?date=tomorrow"), 400, "invalid")


def test_a_personal_token_works_without_a_session(client, world):
    _token, plaintext = accounts.api_token_create(actor=world.clinic.patient.user, name="emr")
    response = client.get(f"{BASE}/Appointment", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert ids(fhir(response)) == [str(world.mine.pk), str(world.childs.pk)]


def test_a_registrar_sees_their_clinics_appointments(registrar, world):
    bundle = fhir(registrar.get(f"{BASE}/Appointment?_count=100"))
    assert ids(bundle) == [str(world.strangers.pk), str(world.mine.pk), str(world.childs.pk)]
    outcome(registrar.get(f"{BASE}/Appointment/{world.elsewhere.pk}"), 404, "not-found")


def test_someone_without_patients_or_clinics_sees_nothing(client, world):
    client.force_login(UserFactory())
    assert ids(fhir(client.get(f"{BASE}/Appointment"))) == []
    outcome(client.get(f"{BASE}/Appointment/{world.mine.pk}"), 404, "not-found")


def test_a_no_show_keeps_its_reason_rules(client, world):
    client.force_login(world.elsewhere.person.user)
    noshow = fhir(client.get(f"{BASE}/Appointment/{world.elsewhere.pk}"))
    assert noshow["status"] == "noshow"
    assert "cancelationReason" not in noshow


@pytest.mark.parametrize(
    "path",
    [
        "/Slot/999999",
        "/Slot/abc",
        "/Slot/99999999999999999999999",
        "/Slot/0",
        "/HealthcareService/1-nothing",
        "/HealthcareService/therapist",
        "/HealthcareService/99999999999999999999999-therapist",
        "/Practitioner/1.5",
    ],
)
def test_unknown_ids_are_404_outcomes(client, db, path):
    outcome(client.get(f"{BASE}{path}"), 404, "not-found")


def test_unknown_types_and_addresses_are_404_outcomes(client, db):
    outcome(client.get(f"{BASE}/Claim/1"), 404, "not-supported")
    outcome(client.get(f"{BASE}/Claim"), 404, "not-supported")
    outcome(client.get(f"{BASE}/Slot/1/_history/1"), 404, "not-found")
    # The base takes a laboratory's POST of a Bundle and nothing else.
    outcome(client.get(f"{BASE}/"), 405, "not-supported")


def test_only_get_and_json(client, world):
    response = client.post(f"{BASE}/Slot", {"status": "free"})
    outcome(response, 405, "not-supported")
    assert response["Allow"] == "GET, HEAD"
    outcome(client.delete(f"{BASE}/Slot/{world.clinic.slots[0].pk}"), 405, "not-supported")
    outcome(client.get(f"{BASE}/Slot?_format=xml"), 406, "not-supported")
    outcome(
        client.get(f"{BASE}/metadata", HTTP_ACCEPT="application/fhir+xml"), 406, "not-supported"
    )
    fhir(client.get(f"{BASE}/metadata?_format=json"))
    fhir(client.get(f"{BASE}/metadata", HTTP_ACCEPT="text/html,application/xml;q=0.9,*/*;q=0.8"))


def test_an_unexpected_failure_is_a_500_outcome(client, db, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(resources, "capability_statement", broken)
    outcome(client.get(f"{BASE}/metadata"), 500, "exception")


@pytest.mark.parametrize("extra", [0, 40])
def test_directory_pages_take_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries, extra
):
    make_slots(world.clinic.schedule, datetime(2026, 11, 30, 10, tzinfo=MOSCOW), extra)
    for _index in range(extra // 10):
        ScheduleFactory(role=RoleFactory(specialty=specialty("surgeon")))
    for resource_type in SERVED:
        if resource_type in ("HealthcareService", "Appointment"):
            continue
        with django_assert_max_num_queries(2):  # the page and its count
            fhir(client.get(f"{BASE}/{resource_type}?_count=50"))
    with django_assert_max_num_queries(3):  # … and the services' buildings
        fhir(client.get(f"{BASE}/HealthcareService?_count=50"))


@pytest.mark.parametrize("extra", [0, 20])
def test_appointment_pages_take_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries, extra
):
    patient = world.clinic.patient
    for index in range(extra):
        child = ChildFactory()
        Guardianship.objects.create(guardian=patient, child=child, kind=Guardianship.Kind.PARENT)
        AppointmentFactory(person=child, slot__start=timezone.now() + timedelta(days=index + 1))
    client.force_login(patient.user)
    with django_assert_max_num_queries(10):
        bundle = fhir(client.get(f"{BASE}/Appointment?_count=50"))
    assert len(ids(bundle)) == 2 + extra
