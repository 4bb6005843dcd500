import json
from datetime import date, datetime

import pytest
from django.db import connection

from gorod.accounts import services as accounts
from gorod.accounts.models import Delegation, Guardianship, Person, Sex
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.analytics.models import UsageEvent
from gorod.appointments.models import Appointment, Schedule, Slot
from gorod.appointments.tests.factories import (
    AppointmentFactory,
    ReferralFactory,
    ScheduleFactory,
    SlotFactory,
)
from gorod.appointments.tests.fixtures import (
    FRIDAY,
    MOSCOW,
    NOW,
    TOMORROW,
    make_slots,
    staff,
)
from gorod.catalog import snapshot
from gorod.clinics.models import PractitionerRole
from gorod.clinics.tests.factories import AttachmentFactory, LocationFactory, RoleFactory, specialty

PROBLEM = "application/problem+json"
BASE = "/api/v1/health"


def post(client, path, body=None, **headers):
    return client.post(
        f"{BASE}{path}", json.dumps(body or {}), content_type="application/json", **headers
    )


def book(client, person, slot, referral_id=None, **headers):
    body = {"person_id": person.pk, "slot_id": slot.pk}
    if referral_id is not None:
        body["referral_id"] = referral_id
    return post(client, "/appointments", body, **headers)


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code, body
    return body


def slots_of(client, person, **query):
    query = "&".join(f"{name}={value}" for name, value in query.items())
    return client.get(f"{BASE}/people/{person.pk}/slots?{query}")


def therapist_id():
    return specialty("therapist").pk


def test_people_lists_me_first_then_my_child(api, clinic):
    people = api.get(f"{BASE}/people").json()
    assert [(p["id"], p["relation"], p["can_book"]) for p in people] == [
        (clinic.patient.pk, "self", True),
        (clinic.child.pk, "child", True),
    ]
    assert people[0]["name"] == clinic.patient.full_name
    assert people[1]["age"] == 10
    assert people[1]["refusal"] is None


def test_a_child_of_15_is_listed_but_not_bookable(api, clinic):
    teen = ChildFactory(birth_date=date(2010, 1, 1))
    Guardianship.objects.create(guardian=clinic.patient, child=teen, kind="parent")
    [listed] = [p for p in api.get(f"{BASE}/people").json() if p["id"] == teen.pk]
    assert listed["can_book"] is False
    assert listed["refusal"]["code"] == "not_guardian"
    assert listed["refusal"]["message"]


def test_a_principal_who_delegated_appointments_is_listed(api, clinic):
    principal = PersonFactory()
    Delegation.objects.create(
        principal=principal, delegate=clinic.patient, scopes=["appointments"], confirmed_at=NOW
    )
    unconfirmed = PersonFactory()
    Delegation.objects.create(
        principal=unconfirmed, delegate=clinic.patient, scopes=["appointments"]
    )
    people = {p["id"]: p for p in api.get(f"{BASE}/people").json()}
    assert people[principal.pk]["relation"] == "principal"
    assert people[principal.pk]["can_book"] is True
    assert unconfirmed.pk not in people


def test_people_of_someone_without_a_person_record_is_empty(client, db, time_machine):
    time_machine.move_to(NOW)
    client.force_login(UserFactory())
    assert client.get(f"{BASE}/people").json() == []


def test_specialties_with_the_clinic_and_referral_needs(api, clinic):
    staff(clinic, "cardiologist", "pediatrician")
    body = api.get(f"{BASE}/people/{clinic.patient.pk}/specialties").json()
    assert body["clinic"]["id"] == clinic.organisation.pk
    assert body["clinic"]["name"] == clinic.organisation.name
    by_code = {s["code"]: s for s in body["specialties"]}
    assert by_code["therapist"]["needs_referral"] is False
    assert by_code["therapist"]["slot_minutes"] == 15
    assert by_code["cardiologist"]["needs_referral"] is True
    assert "pediatrician" not in by_code


def test_a_childs_specialties_are_a_childs(api, clinic):
    staff(clinic, "pediatrician")
    body = api.get(f"{BASE}/people/{clinic.child.pk}/specialties").json()
    codes = {s["code"] for s in body["specialties"]}
    assert "pediatrician" in codes
    assert "therapist" not in codes


def test_a_person_not_attached_has_no_clinic(api, clinic):
    baby = ChildFactory(birth_date=date(2026, 6, 1))
    Guardianship.objects.create(guardian=clinic.patient, child=baby, kind="parent")
    assert api.get(f"{BASE}/people/{baby.pk}/specialties").json()["clinic"] is None


def test_only_specialties_with_a_working_doctor_are_offered(api, clinic):
    """Issue 13, item 15: no dentist, urologist or gynaecologist at the clinic, no offer."""
    _eye, ent, retired = staff(clinic, "ophthalmologist", "ent", "surgeon")
    PractitionerRole.objects.filter(pk=ent.pk).update(active=False)
    Schedule.objects.filter(role=retired).update(
        valid_from=date(2025, 1, 1), valid_until=date(2026, 11, 1)
    )
    codes = {
        s["code"]
        for s in api.get(f"{BASE}/people/{clinic.patient.pk}/specialties").json()["specialties"]
    }
    assert codes == {"therapist", "ophthalmologist"}


def test_a_gynaecologist_is_offered_to_a_girl_and_not_to_a_boy(api, clinic):
    """Issue 13, item 15: a children's clinic offered a gynaecologist to a boy of 11."""
    staff(clinic, "gynecologist", "pediatrician")
    Person.objects.filter(pk=clinic.child.pk).update(sex=Sex.MALE)
    sister = ChildFactory(sex=Sex.FEMALE)
    Guardianship.objects.create(guardian=clinic.patient, child=sister, kind="parent")
    AttachmentFactory(person=sister, organisation=clinic.organisation)

    def codes(person):
        body = api.get(f"{BASE}/people/{person.pk}/specialties").json()
        return {s["code"] for s in body["specialties"]}

    assert codes(clinic.child) == {"pediatrician"}
    assert codes(sister) == {"pediatrician", "gynecologist"}


def test_a_boy_cannot_book_or_list_a_gynaecologist_directly(api, clinic):
    (gynaecologist,) = staff(clinic, "gynecologist")
    slot = SlotFactory(schedule=gynaecologist.schedules.get(), start=FRIDAY)
    Person.objects.filter(pk=clinic.child.pk).update(sex=Sex.MALE)
    response = book(api, clinic.child, slot)
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "specialty_not_for_patient"
    assert not Appointment.objects.filter(person=clinic.child).exists()
    listed = slots_of(api, clinic.child, specialty=specialty("gynecologist").pk)
    assert listed.status_code == 409
    assert listed.json()["code"] == "specialty_not_for_patient"


def test_one_days_free_slots_with_doctor_and_room(api, clinic):
    Slot.objects.filter(pk=clinic.slots[1].pk).update(status=Slot.Status.BUSY)
    response = slots_of(api, clinic.patient, specialty=therapist_id(), date=TOMORROW)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["clinic"]["id"] == clinic.organisation.pk
    assert body["open_until"] == "2026-12-09"
    ids = [slot["id"] for slot in body["slots"]]
    assert ids == [slot.pk for slot in clinic.slots if slot != clinic.slots[1]]
    first = body["slots"][0]
    practitioner = clinic.therapist.practitioner
    assert first["start"] == "2026-11-26T10:00:00+03:00"
    assert first["end"] == "2026-11-26T10:15:00+03:00"
    assert first["practitioner_id"] == practitioner.pk
    assert first["practitioner"] == practitioner.initials_name
    assert first["location_id"] == clinic.therapist.location_id
    assert first["address"] == clinic.therapist.location.address
    assert first["room"] == "101"


def test_only_the_portals_slots_of_my_clinic_are_listed(api, clinic):
    Slot.objects.filter(pk=clinic.slots[0].pk).update(online=False)
    elsewhere = RoleFactory(specialty=specialty("therapist"))
    make_slots(ScheduleFactory(role=elsewhere), datetime(2026, 11, 26, 10, tzinfo=MOSCOW), 2)
    body = slots_of(api, clinic.patient, specialty=therapist_id(), date=TOMORROW).json()
    assert [slot["id"] for slot in body["slots"]] == [slot.pk for slot in clinic.slots[1:]]


def test_first_available_crosses_days_and_is_limited(api, clinic):
    later = make_slots(clinic.schedule, datetime(2026, 12, 1, 9, tzinfo=MOSCOW), 3)
    body = slots_of(api, clinic.patient, specialty=therapist_id(), first_available="true", limit=3)
    assert [slot["id"] for slot in body.json()["slots"]] == [slot.pk for slot in clinic.slots[:3]]
    from_monday = slots_of(
        api, clinic.patient, specialty=therapist_id(), date="2026-11-30", first_available="true"
    )
    assert [slot["id"] for slot in from_monday.json()["slots"]] == [slot.pk for slot in later]


def test_without_a_date_the_nearest_ones(api, clinic):
    body = slots_of(api, clinic.patient, specialty=therapist_id(), limit=2).json()
    assert [slot["id"] for slot in body["slots"]] == [slot.pk for slot in clinic.slots[:2]]


@pytest.mark.parametrize("day", ["2026-11-24", "2026-12-10", "0001-01-01", "9999-12-31"])
def test_a_day_outside_the_window_has_no_slots(api, clinic, day):
    SlotFactory(schedule=clinic.schedule, start=datetime(2026, 12, 10, 10, tzinfo=MOSCOW))
    response = slots_of(api, clinic.patient, specialty=therapist_id(), date=day)
    assert response.status_code == 200, response.content
    assert response.json()["slots"] == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [("0001-01-01", 8), ("2026-11-24", 8), ("2026-12-10", 0), ("9999-12-31", 0)],
)
def test_the_nearest_from_a_day_outside_the_window(api, clinic, day, expected):
    SlotFactory(schedule=clinic.schedule, start=datetime(2026, 12, 10, 10, tzinfo=MOSCOW))
    response = slots_of(
        api, clinic.patient, specialty=therapist_id(), date=day, first_available="true"
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["slots"]) == expected


def test_slots_for_my_child(api, clinic):
    paediatrician = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("pediatrician")
    )
    slots = make_slots(ScheduleFactory(role=paediatrician), FRIDAY, 2)
    body = slots_of(api, clinic.child, specialty=specialty("pediatrician").pk).json()
    assert [slot["id"] for slot in body["slots"]] == [slot.pk for slot in slots]


def test_a_specialty_that_does_not_see_the_patient(api, clinic):
    # With slots (a therapist for a child) and without (a paediatrician for an adult).
    assert_problem(
        slots_of(api, clinic.child, specialty=therapist_id()), 409, "specialty_not_for_patient"
    )
    assert_problem(
        slots_of(api, clinic.patient, specialty=specialty("pediatrician").pk),
        409,
        "specialty_not_for_patient",
    )


def test_an_unknown_specialty_is_not_found(api, clinic):
    assert_problem(slots_of(api, clinic.patient, specialty=987654), 404, "specialty_not_found")
    response = api.get(f"{BASE}/people/{clinic.patient.pk}/slot-days?specialty=987654")
    assert_problem(response, 404, "specialty_not_found")


def test_slots_of_a_person_not_attached(api, clinic):
    baby = ChildFactory(birth_date=date(2026, 6, 1))
    Guardianship.objects.create(guardian=clinic.patient, child=baby, kind="parent")
    assert_problem(slots_of(api, baby, specialty=therapist_id()), 403, "not_attached")


@pytest.mark.parametrize(
    "query",
    ["", "specialty=a%20b", "specialty=1&limit=501", "specialty=1&date=2026-13-01"],
)
def test_bad_slot_queries_are_refused(api, clinic, query):
    response = api.get(f"{BASE}/people/{clinic.patient.pk}/slots?{query}")
    assert_problem(response, 422, "validation_error")


def test_a_specialty_is_named_by_its_code_or_its_id(api, clinic):
    by_code = slots_of(api, clinic.patient, specialty="therapist", first_available="true")
    by_id = slots_of(api, clinic.patient, specialty=therapist_id(), first_available="true")

    assert by_code.status_code == 200, by_code.content
    assert by_code.json() == by_id.json()
    assert by_code.json()["slots"]
    days = api.get(f"{BASE}/people/{clinic.patient.pk}/slot-days?specialty=therapist")
    assert days.status_code == 200, days.content
    for unknown in ("abc", "0", "99999999999999999999"):
        response = slots_of(api, clinic.patient, specialty=unknown)
        assert_problem(response, 404, "specialty_not_found")
    documented = api.get("/api/v1/openapi.json").json()["paths"][
        f"{BASE}/people/{{person_id}}/slots"
    ]["get"]["parameters"]
    specialty_parameter = next(p for p in documented if p["name"] == "specialty")
    assert "code" in specialty_parameter["description"]


def test_the_slot_list_is_one_attachment_read_and_one_slot_read(
    api, clinic, django_assert_max_num_queries
):
    # More doctors and days do not add queries.
    for _doctor in range(3):
        role = RoleFactory(location=clinic.therapist.location, specialty=specialty("therapist"))
        make_slots(ScheduleFactory(role=role), datetime(2026, 11, 26, 9, tzinfo=MOSCOW), 10)
    therapist = therapist_id()
    # Session, user, person; the attachment; the board: clinic, specialty, slots.
    with django_assert_max_num_queries(7):
        response = slots_of(api, clinic.patient, specialty=therapist, first_available="true")
    assert len(response.json()["slots"]) == 38
    # The board is kept for a moment: the next patient asking pays only for who they are.
    with django_assert_max_num_queries(4):
        again = slots_of(api, clinic.patient, specialty=therapist, first_available="true")
    assert again.json() == response.json()
    # A child adds the guardianship read.
    paediatrician = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("pediatrician")
    )
    make_slots(ScheduleFactory(role=paediatrician), FRIDAY, 5)
    with django_assert_max_num_queries(8):
        response = slots_of(api, clinic.child, specialty=paediatrician.specialty_id)
    assert len(response.json()["slots"]) == 5


def test_the_slot_list_with_a_token_is_as_lean(
    client, clinic, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(NOW)
    _token, plaintext = accounts.api_token_create(actor=clinic.patient.user, name="app")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    client.get(f"{BASE}/people", **headers)  # the token's "last used" is written once
    path = f"{BASE}/people/{clinic.patient.pk}/slots?specialty={therapist_id()}"
    # The token with its user and person; the attachment; the board, kept from a first
    # read (clinic, specialty, slots).
    client.get(path, **headers)
    with django_assert_max_num_queries(2):
        response = client.get(path, **headers)
    assert len(response.json()["slots"]) == 8


def test_days_with_free_slots(api, clinic):
    make_slots(clinic.schedule, datetime(2026, 12, 1, 9, tzinfo=MOSCOW), 3)
    response = api.get(f"{BASE}/people/{clinic.patient.pk}/slot-days?specialty={therapist_id()}")
    assert response.status_code == 200, response.content
    assert response.json()["days"] == [
        {"date": "2026-11-26", "free": 8},
        {"date": "2026-12-01", "free": 3},
    ]


def test_referrals_with_whether_one_is_in_use(api, clinic, cardiology):
    referral = ReferralFactory(person=clinic.patient, diagnosis="I10")
    ReferralFactory(
        person=clinic.patient, valid_until=date(2026, 11, 1), issued_on=date(2026, 10, 1)
    )
    [listed] = api.get(f"{BASE}/people/{clinic.patient.pk}/referrals").json()
    assert listed["id"] == referral.pk
    assert listed["specialty"]["code"] == "cardiologist"
    assert listed["diagnosis"] == "I10"
    assert listed["in_use"] is False
    assert book(api, clinic.patient, cardiology[0], referral_id=referral.pk).status_code == 201
    [listed] = api.get(f"{BASE}/people/{clinic.patient.pk}/referrals").json()
    assert listed["in_use"] is True


def test_book_a_slot(api, clinic):
    response = book(api, clinic.patient, clinic.slots[2])
    assert response.status_code == 201, response.content
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["id"] == appointment.pk
    assert body["created"] is True
    assert body["status"] == "booked"
    assert body["person"] == {"id": clinic.patient.pk, "name": clinic.patient.full_name}
    assert body["start"] == "2026-11-26T10:30:00+03:00"
    assert body["specialty"]["code"] == "therapist"
    assert body["practitioner"]["short_name"] == clinic.therapist.practitioner.initials_name
    assert body["clinic"]["id"] == clinic.organisation.pk
    assert body["location"]["room"] == "101"
    assert body["can_cancel"] is True
    assert body["channel"] == "api"
    assert body["ics_url"] == f"{BASE}/appointments/{appointment.pk}/ics"
    assert body["rating_token"]
    assert appointment.channel == "api"
    assert appointment.booked_by == clinic.patient.user


def test_booking_the_same_slot_again_returns_the_first(api, clinic):
    first = book(api, clinic.patient, clinic.slots[0]).json()
    again = book(api, clinic.patient, clinic.slots[0])
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["created"] is False
    assert again.json()["rating_token"] is None
    assert Appointment.objects.count() == 1


def test_the_mobile_app_is_its_own_channel(api, clinic):
    response = book(api, clinic.patient, clinic.slots[0], HTTP_X_GOROD_CLIENT="mobile")
    assert response.json()["channel"] == "mobile"
    event = UsageEvent.objects.get()
    assert (event.channel, event.action) == ("mobile", "book")


def test_the_rating_token_rates_the_service(api, clinic):
    token = book(api, clinic.patient, clinic.slots[0]).json()["rating_token"]
    rated = api.post(
        "/api/v1/feedback/ratings",
        json.dumps({"token": token, "stars": 5}),
        content_type="application/json",
    )
    assert rated.status_code == 201, rated.content
    assert rated.json()["service"] == "doctor-appointment"


def test_book_for_my_child(api, clinic):
    paediatrician = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("pediatrician")
    )
    [slot] = make_slots(ScheduleFactory(role=paediatrician), FRIDAY, 1)
    response = book(api, clinic.child, slot)
    assert response.status_code == 201, response.content
    assert response.json()["person"]["id"] == clinic.child.pk


def test_a_taken_slot_offers_the_nearest_free_ones(api, clinic, stranger):
    taken = clinic.slots[7]  # the stranger's
    Slot.objects.filter(pk=clinic.slots[0].pk).update(status=Slot.Status.BUSY)
    body = assert_problem(book(api, clinic.patient, clinic.slots[0]), 409, "slot_taken")
    assert body["field"] == "slot"
    offered = [item["slot_id"] for item in body["alternatives"]]
    assert offered == [slot.pk for slot in clinic.slots[1:6]]
    assert body["alternatives"][0]["practitioner"] == clinic.therapist.practitioner.initials_name
    assert taken.pk not in offered


def _cardiology_problem(api, clinic, cardiology, **extra):
    return book(api, clinic.patient, cardiology[0], **extra)


def test_referral_refusals(api, clinic, cardiology, stranger):
    assert_problem(_cardiology_problem(api, clinic, cardiology), 409, "referral_required")
    wrong = ReferralFactory(person=clinic.patient, specialty=specialty("neurologist"))
    assert_problem(
        _cardiology_problem(api, clinic, cardiology, referral_id=wrong.pk),
        409,
        "referral_wrong_specialty",
    )
    expired = ReferralFactory(
        person=clinic.patient, issued_on=date(2026, 10, 1), valid_until=date(2026, 11, 20)
    )
    assert_problem(
        _cardiology_problem(api, clinic, cardiology, referral_id=expired.pk),
        409,
        "referral_expired",
    )
    theirs = stranger["referral"]
    body = assert_problem(
        _cardiology_problem(api, clinic, cardiology, referral_id=theirs.pk),
        404,
        "referral_not_found",
    )
    assert theirs.number not in json.dumps(body, ensure_ascii=False)


def test_a_used_referral_is_refused(api, clinic, cardiology):
    referral = ReferralFactory(person=clinic.patient)
    AppointmentFactory(person=clinic.patient, referral=referral, slot=cardiology[2])
    Slot.objects.filter(pk=cardiology[2].pk).update(status=Slot.Status.BUSY)
    assert_problem(
        _cardiology_problem(api, clinic, cardiology, referral_id=referral.pk), 409, "referral_used"
    )


def test_one_appointment_per_specialty_and_no_overlap(api, clinic, cardiology):
    assert book(api, clinic.patient, clinic.slots[0]).status_code == 201
    assert_problem(book(api, clinic.patient, clinic.slots[3]), 409, "specialty_already_booked")
    at_the_same_time = SlotFactory(
        schedule=ScheduleFactory(
            role=RoleFactory(location=clinic.therapist.location, specialty=specialty("surgeon"))
        ),
        start=clinic.slots[0].start,
    )
    assert_problem(book(api, clinic.patient, at_the_same_time), 409, "overlapping_appointment")


def test_timing_refusals(api, clinic, settings):
    past = SlotFactory(schedule=clinic.schedule, start=datetime(2026, 11, 25, 8, tzinfo=MOSCOW))
    assert_problem(book(api, clinic.patient, past), 409, "slot_in_past")
    far = SlotFactory(schedule=clinic.schedule, start=datetime(2026, 12, 10, 10, tzinfo=MOSCOW))
    assert_problem(book(api, clinic.patient, far), 409, "outside_horizon")
    settings.GOROD_HEALTH_MIN_NOTICE_MINUTES = 120
    soon = SlotFactory(schedule=clinic.schedule, start=datetime(2026, 11, 25, 10, tzinfo=MOSCOW))
    assert_problem(book(api, clinic.patient, soon), 409, "too_late_to_book")


def test_a_registry_only_slot(api, clinic):
    Slot.objects.filter(pk=clinic.slots[0].pk).update(online=False)
    assert_problem(book(api, clinic.patient, clinic.slots[0]), 409, "slot_registry_only")


def test_another_clinics_slot_is_not_attached(api, clinic):
    elsewhere = SlotFactory(
        schedule=ScheduleFactory(role=RoleFactory(location=LocationFactory())),
        start=datetime(2026, 11, 26, 10, tzinfo=MOSCOW),
    )
    assert_problem(book(api, clinic.patient, elsewhere), 403, "not_attached")


def test_a_therapist_is_not_for_a_child(api, clinic):
    assert_problem(book(api, clinic.child, clinic.slots[0]), 409, "specialty_not_for_patient")


def test_the_no_show_block(api, clinic, settings):
    settings.GOROD_HEALTH_NO_SHOW_LIMIT = 1
    missed = SlotFactory(schedule=clinic.schedule, start=datetime(2026, 11, 2, 10, tzinfo=MOSCOW))
    AppointmentFactory(person=clinic.patient, slot=missed, status=Appointment.Status.NOSHOW)
    assert_problem(book(api, clinic.patient, clinic.slots[0]), 409, "booking_blocked")


def test_a_teenager_is_not_booked_by_the_parent(api, clinic):
    teen = ChildFactory(birth_date=date(2010, 1, 1))
    AttachmentFactory(person=teen, organisation=clinic.organisation)
    Guardianship.objects.create(guardian=clinic.patient, child=teen, kind="parent")
    body = assert_problem(book(api, teen, clinic.slots[1]), 403, "not_guardian")
    assert body["field"] == "person"


def test_unknown_or_foreign_people_and_slots(api, clinic, stranger):
    for person in (stranger["person"], stranger["child"]):
        assert_problem(book(api, person, clinic.slots[0]), 404, "person_not_found")
    response = post(api, "/appointments", {"person_id": clinic.patient.pk, "slot_id": 987654})
    assert_problem(response, 404, "slot_not_found")
    assert (
        not Appointment.objects.filter(person__in=[stranger["person"], stranger["child"]])
        .exclude(pk=stranger["appointment"].pk)
        .exists()
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"person_id": 1},
        {"person_id": "1", "slot_id": 1},
        {"person_id": 1, "slot_id": 1.5},
        {"person_id": 1, "slot_id": 2**63},
        {"person_id": 0, "slot_id": 1},
        {"person_id": 1, "slot_id": 1, "referral_id": True},
    ],
)
def test_malformed_bookings_are_refused(api, clinic, body):
    assert_problem(post(api, "/appointments", body), 422, "validation_error")


def test_a_body_that_is_not_json(api, clinic):
    response = api.post(f"{BASE}/appointments", "{", content_type="application/json")
    assert response.status_code in {400, 422}
    assert response["Content-Type"] == PROBLEM


def use_write() -> int:
    """The statements of a use written at once, as the tests write it (production buffers
    it): one INSERT on SQLite; on PostgreSQL a staging table, COPY, INSERT … ON CONFLICT."""
    return 3 if connection.vendor == "postgresql" else 1


def test_a_booking_with_a_token_is_a_budget_of_statements(
    client, clinic, time_machine, django_assert_num_queries
):
    time_machine.move_to(NOW)
    _token, plaintext = accounts.api_token_create(actor=clinic.patient.user, name="app")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    client.get(f"{BASE}/people", **headers)  # the token's "last used" is written once
    snapshot.current()  # the catalog as the process holds it: the use names its service
    # The token with its user and person; the slot with its doctor and building; in the
    # transaction (a savepoint within the test's): the patient's lock, the facts (the
    # attachment, their booked appointments, the replay) in one read, the slot's claim,
    # the appointment, its audit row and the use (buffered in production, written here).
    with django_assert_num_queries(9 + use_write()):
        response = book(client, clinic.patient, clinic.slots[0], **headers)
    assert response.status_code == 201, response.content
    # A retry: the facts find the first appointment, read with what the answer shows.
    with django_assert_num_queries(7):
        again = book(client, clinic.patient, clinic.slots[0], **headers)
    assert again.json()["id"] == response.json()["id"]
