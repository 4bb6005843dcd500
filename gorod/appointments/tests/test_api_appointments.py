"""The booking API: my appointments, reschedule and cancel, the .ics file, authentication and
the schema."""

from datetime import date, datetime

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from icalendar import Calendar

from conftest import load_catalog
from gorod.accounts import services as accounts
from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.tests.factories import (
    AppointmentFactory,
    ReferralFactory,
    ScheduleFactory,
    SlotFactory,
)
from gorod.appointments.tests.fixtures import MOSCOW, NOW, ensure_specialties, make_slots
from gorod.appointments.tests.test_api import (
    BASE,
    PROBLEM,
    assert_problem,
    book,
    post,
    therapist_id,
)
from gorod.clinics.tests.factories import AttachmentFactory, LocationFactory, RoleFactory, specialty
from gorod.core.tests.schema_checks import assert_documented_answer


@pytest.fixture
def booked(api, clinic):
    """My therapist appointment tomorrow at 10:00 and my child's past visit."""
    mine = Appointment.objects.get(pk=book(api, clinic.patient, clinic.slots[0]).json()["id"])
    visit = SlotFactory(schedule=clinic.schedule, start=datetime(2026, 11, 2, 10, tzinfo=MOSCOW))
    childs = AppointmentFactory(person=clinic.child, slot=visit, status="fulfilled")
    return mine, childs


def test_my_and_my_childs_appointments(api, clinic, booked, stranger):
    mine, childs = booked
    body = api.get(f"{BASE}/appointments").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [mine.pk, childs.pk]
    upcoming = api.get(f"{BASE}/appointments?when=upcoming").json()["items"]
    assert [item["id"] for item in upcoming] == [mine.pk]
    past = api.get(f"{BASE}/appointments?when=past").json()["items"]
    assert [item["id"] for item in past] == [childs.pk]
    assert past[0]["can_cancel"] is False
    only_child = api.get(f"{BASE}/appointments?person_id={clinic.child.pk}").json()["items"]
    assert [item["id"] for item in only_child] == [childs.pk]


def test_the_list_filtered_by_someone_elses_person_is_not_found(api, booked, stranger):
    for person in (stranger["person"], stranger["child"]):
        response = api.get(f"{BASE}/appointments?person_id={person.pk}")
        assert_problem(response, 404, "person_not_found")


def test_a_page_past_the_last(api, booked):
    assert_problem(api.get(f"{BASE}/appointments?page=2"), 404, "page_out_of_range")


def test_the_list_does_not_grow_in_queries(api, clinic, booked, django_assert_max_num_queries):
    for slot in clinic.slots[2:6]:
        AppointmentFactory(
            person=clinic.child,
            slot=slot,
            status="cancelled",
            cancellation_reason="patient",
            cancelled_at=NOW,
        )
    with django_assert_max_num_queries(8):
        body = api.get(f"{BASE}/appointments").json()
    assert body["count"] == 6


def test_one_appointment(api, booked):
    _mine, childs = booked
    body = api.get(f"{BASE}/appointments/{childs.pk}").json()
    assert body["status"] == "fulfilled"
    assert body["person"]["id"] == childs.person_id


def test_someone_elses_appointment_is_not_found_everywhere(api, booked, stranger, clinic):
    theirs = stranger["appointment"].pk
    for response in (
        api.get(f"{BASE}/appointments/{theirs}"),
        api.get(f"{BASE}/appointments/{theirs}/ics"),
        post(api, f"/appointments/{theirs}/cancel"),
        post(api, f"/appointments/{theirs}/reschedule", {"slot_id": clinic.slots[5].pk}),
    ):
        body = assert_problem(response, 404, "appointment_not_found")
        assert stranger["person"].last_name not in body["detail"]
    stranger["appointment"].refresh_from_db()
    assert stranger["appointment"].status == "booked"
    for path in ("specialties", "referrals", f"slots?specialty={therapist_id()}"):
        for person in (stranger["person"], stranger["child"]):
            response = api.get(f"{BASE}/people/{person.pk}/{path}")
            assert_problem(response, 404, "person_not_found")


@pytest.mark.parametrize("appointment_id", ["0", "-1", "abc", str(2**63)])
def test_impossible_ids_in_the_path_are_refused(api, appointment_id):
    response = api.get(f"{BASE}/appointments/{appointment_id}")
    assert response.status_code in {404, 422}
    assert response["Content-Type"] == PROBLEM


def test_reschedule(api, clinic, booked):
    mine, _ = booked
    response = post(api, f"/appointments/{mine.pk}/reschedule", {"slot_id": clinic.slots[4].pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rescheduled_from_id"] == mine.pk
    assert body["slot_id"] == clinic.slots[4].pk
    assert body["start"] == "2026-11-26T11:00:00+03:00"
    assert body["rating_token"]
    mine.refresh_from_db()
    assert (mine.status, mine.cancellation_reason) == ("cancelled", "rescheduled")
    old = api.get(f"{BASE}/appointments/{mine.pk}").json()
    assert old["cancellation_reason"] == "rescheduled"
    assert Slot.objects.get(pk=clinic.slots[0].pk).status == Slot.Status.FREE


def test_reschedule_refusals_leave_the_appointment(api, clinic, booked, cardiology, stranger):
    mine, childs = booked
    path = f"/appointments/{mine.pk}/reschedule"
    taken = clinic.slots[3]
    Slot.objects.filter(pk=taken.pk).update(status=Slot.Status.BUSY)
    AppointmentFactory(person=stranger["child"], slot=taken)
    body = assert_problem(post(api, path, {"slot_id": taken.pk}), 409, "slot_taken")
    assert [item["slot_id"] for item in body["alternatives"]] == [
        slot.pk for slot in clinic.slots[4:7]
    ]
    assert_problem(
        post(api, path, {"slot_id": cardiology[0].pk}), 409, "reschedule_other_specialty"
    )
    assert_problem(post(api, path, {"slot_id": 987654}), 404, "slot_not_found")
    assert_problem(post(api, path, {"slot_id": "x"}), 422, "validation_error")
    past_visit = f"/appointments/{childs.pk}/reschedule"
    assert_problem(post(api, past_visit, {"slot_id": clinic.slots[5].pk}), 409, "not_cancellable")
    mine.refresh_from_db()
    assert mine.status == "booked"


def test_cancel(api, clinic, booked):
    mine, _ = booked
    response = post(api, f"/appointments/{mine.pk}/cancel")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["cancellation_reason"] == "patient"
    assert body["can_cancel"] is False
    assert body["cancelled_at"]
    assert Slot.objects.get(pk=clinic.slots[0].pk).status == Slot.Status.FREE
    assert_problem(post(api, f"/appointments/{mine.pk}/cancel"), 409, "not_cancellable")


def test_no_cancel_or_reschedule_once_started(api, clinic, booked, time_machine):
    mine, _ = booked
    time_machine.move_to(datetime(2026, 11, 26, 10, 5, tzinfo=MOSCOW))
    api.force_login(clinic.patient.user)
    assert_problem(post(api, f"/appointments/{mine.pk}/cancel"), 409, "appointment_started")
    response = post(api, f"/appointments/{mine.pk}/reschedule", {"slot_id": clinic.slots[5].pk})
    assert_problem(response, 409, "appointment_started")


def test_the_parent_of_a_teenager_cannot_cancel_the_teenagers_booking(api, clinic):
    teen = ChildFactory(birth_date=date(2010, 1, 1))
    Guardianship.objects.create(guardian=clinic.patient, child=teen, kind="parent")
    appointment = AppointmentFactory(person=teen, slot=clinic.slots[6])
    # The parent sees it, but from 15 the teenager decides.
    assert api.get(f"{BASE}/appointments/{appointment.pk}").status_code == 200
    assert_problem(post(api, f"/appointments/{appointment.pk}/cancel"), 403, "not_guardian")


def test_the_ics_of_an_appointment(api, booked):
    mine, _ = booked
    response = api.get(f"{BASE}/appointments/{mine.pk}/ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="appointment-{mine.pk}-20261126-1000.ics"'
    )
    [event] = Calendar.from_ical(response.content).events
    assert event["UID"] == f"appointment-{mine.pk}@gorod"
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert event.start == datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/people"),
        ("get", "/people/1/specialties"),
        ("get", "/people/1/slots?specialty=1"),
        ("get", "/people/1/slot-days?specialty=1"),
        ("get", "/people/1/referrals"),
        ("post", "/appointments"),
        ("get", "/appointments"),
        ("get", "/appointments/1"),
        ("post", "/appointments/1/reschedule"),
        ("post", "/appointments/1/cancel"),
        ("get", "/appointments/1/ics"),
    ],
)
def test_anonymous_callers_get_401(client, db, method, path):
    response = getattr(client, method)(f"{BASE}{path}", content_type="application/json")
    assert_problem(response, 401, "not_authenticated")


def test_a_session_write_without_the_csrf_token_is_refused(clinic, time_machine):
    time_machine.move_to(NOW)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic.patient.user)
    assert client.get(f"{BASE}/people").status_code == 200
    assert_problem(book(client, clinic.patient, clinic.slots[0]), 403, "http_error")
    assert not Appointment.objects.exists()


def test_a_write_with_a_personal_token(clinic, time_machine):
    time_machine.move_to(NOW)
    _token, plaintext = accounts.api_token_create(actor=clinic.patient.user, name="app")
    # A program has no CSRF cookie: the test client's CSRF exemption would hide that.
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert book(client, clinic.patient, clinic.slots[0]).status_code == 201
    appointment = Appointment.objects.get()
    assert post(client, f"/appointments/{appointment.pk}/cancel").status_code == 200


def test_codes_do_not_depend_on_the_language(api, clinic, cardiology):
    russian = book(api, clinic.patient, cardiology[0]).json()
    english = book(api, clinic.patient, cardiology[0], HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["code"] == russian["code"] == "referral_required"
    assert english["detail"]
    assert english["field"] == russian["field"] == "referral"


def test_the_openapi_document_lists_every_endpoint(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    # The record's endpoints are the record API's (test_record_api.py).
    health = {
        path for path in paths if path.startswith(BASE) and not path.startswith(f"{BASE}/record/")
    }
    assert health == {
        f"{BASE}/people",
        f"{BASE}/people/{{person_id}}/specialties",
        f"{BASE}/people/{{person_id}}/slots",
        f"{BASE}/people/{{person_id}}/slot-days",
        f"{BASE}/people/{{person_id}}/referrals",
        f"{BASE}/clinics/{{organisation_id}}/slots",
        f"{BASE}/appointments",
        f"{BASE}/appointments/{{appointment_id}}",
        f"{BASE}/appointments/{{appointment_id}}/reschedule",
        f"{BASE}/appointments/{{appointment_id}}/cancel",
        f"{BASE}/appointments/{{appointment_id}}/ics",
        f"{BASE}/people/{{person_id}}/attachable-clinics",
        f"{BASE}/attachment-applications",
        f"{BASE}/attachment-applications/{{application_id}}/withdraw",
    }
    ics = paths[f"{BASE}/appointments/{{appointment_id}}/ics"]["get"]["responses"]["200"]
    assert "text/calendar" in ics["content"]
    booking = paths[f"{BASE}/appointments"]["post"]["responses"]["409"]
    assert PROBLEM in booking["content"]


# The project-wide schema test calls anonymously; this one signs in with a personal token,
# so that the answers a citizen gets (not only 401) are checked against the schema.
health_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application()
).include(path_regex="^/api/v1/health/")


@pytest.fixture
def token_header(wsgi_db, time_machine):
    load_catalog()
    ensure_specialties()
    time_machine.move_to(NOW)
    # Small ids, which generated requests hit: people 1.., slots, appointments.
    location = LocationFactory()
    role = RoleFactory(location=location, specialty=specialty("therapist"))
    patient = PersonFactory()
    AttachmentFactory(person=patient, organisation=location.organisation)
    slots = make_slots(ScheduleFactory(role=role), datetime(2026, 11, 26, 10, tzinfo=MOSCOW), 5)
    Slot.objects.filter(pk=slots[0].pk).update(status=Slot.Status.BUSY)
    AppointmentFactory(person=patient, slot=slots[0])
    ReferralFactory(person=patient)
    _token, plaintext = accounts.api_token_create(actor=patient.user, name="schema")
    return {"Authorization": f"Bearer {plaintext}"}


@health_schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_signed_in_answers_conform_to_the_schema(case, token_header):
    assert_documented_answer(case, token_header)
