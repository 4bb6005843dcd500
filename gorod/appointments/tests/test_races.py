"""The 08:00 rush for real: threads with their own connections against the database.

What must hold (issue 5): 200 attempts for 20 slots give 20 appointments and 180
`slot_taken`; one person's 50 attempts at one specialty give one; concurrent reschedules
of one appointment leave exactly one. Run on SQLite and on PostgreSQL (make test).
"""

from collections import Counter
from datetime import datetime

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.models import Guardianship
from gorod.accounts.roles import sync_roles
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, ensure_specialties, make_slots
from gorod.clinics import services as attachment
from gorod.clinics.models import Attachment, AttachmentApplication, RegistrarPost
from gorod.clinics.tests.factories import AttachmentFactory, LocationFactory, RoleFactory, specialty
from gorod.core.models import AuditEvent
from gorod.core.tests.races import race

THREADS = 50


@pytest.fixture
def rush(transactional_catalog):
    """Two therapists' 20 slots tomorrow and 200 citizens attached to their clinic."""
    sync_roles()
    ensure_specialties()
    location = LocationFactory()
    slots = []
    for hour in (10, 14):
        schedule = ScheduleFactory(role=RoleFactory(location=location))
        slots += make_slots(schedule, datetime(2026, 11, 26, hour, tzinfo=MOSCOW), 10)
    # No password: hashing 200 with argon2 would take most of the test's time.
    patients = PersonFactory.create_batch(200, user__password=None)
    for patient in patients:
        AttachmentFactory(person=patient, organisation=location.organisation)
    return slots, patients


def _book(patient, slot):
    return booking.appointment_book(
        actor=patient.user, person_id=patient.pk, slot_id=slot.pk, channel="api", now=NOW
    )


@pytest.mark.django_db(transaction=True)
def test_200_attempts_for_20_slots_give_20_appointments_and_180_slot_taken(rush):
    slots, patients = rush

    outcomes = race(
        lambda index: _book(patients[index], slots[index % len(slots)]),
        threads=THREADS,
        rounds=len(patients) // THREADS,
    )

    booked = [outcome for outcome in outcomes if isinstance(outcome, booking.BookingResult)]
    assert Counter(o if isinstance(o, str) else "booked" for o in outcomes) == {
        "booked": 20,
        "slot_taken": 180,
    }, outcomes
    assert {result.appointment.slot_id for result in booked} == {slot.pk for slot in slots}
    assert Appointment.objects.count() == 20
    assert set(Slot.objects.values_list("status", flat=True)) == {Slot.Status.BUSY}


@pytest.mark.django_db(transaction=True)
def test_fifty_attempts_by_one_person_at_one_specialty_give_one(rush):
    slots, patients = rush
    patient = patients[0]
    own = make_slots(
        ScheduleFactory(role=RoleFactory(location=slots[0].role.location)),
        datetime(2026, 11, 27, 8, tzinfo=MOSCOW),
        THREADS,
    )

    outcomes = race(lambda index: _book(patient, own[index]), threads=THREADS)

    codes = Counter(o if isinstance(o, str) else "booked" for o in outcomes)
    assert codes["booked"] == 1, outcomes
    assert set(codes) <= {"booked", "specialty_already_booked", "overlapping_appointment"}
    assert Appointment.objects.filter(person=patient).count() == 1
    assert Slot.objects.filter(status=Slot.Status.BUSY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_parent_and_a_child_of_their_own_racing_for_one_child_give_one(rush):
    """Two guardians book the same child at once for different slots: one wins."""
    slots, patients = rush
    mother, father, child = patients[0], patients[1], patients[2]
    child.birth_date = child.birth_date.replace(year=2016)
    child.save()
    for guardian in (mother, father):
        Guardianship.objects.create(guardian=guardian, child=child, kind="parent")
    # A paediatrician for the child, since a therapist sees adults only.
    pediatrician = RoleFactory(location=slots[0].role.location, specialty=specialty("pediatrician"))
    child_slots = make_slots(
        ScheduleFactory(role=pediatrician), datetime(2026, 11, 26, 10, tzinfo=MOSCOW), 2
    )

    def book(index):
        guardian = (mother, father)[index % 2]
        return booking.appointment_book(
            actor=guardian.user,
            person_id=child.pk,
            slot_id=child_slots[index % 2].pk,
            channel="web",
            now=NOW,
        )

    outcomes = race(book, threads=2)
    assert sum(isinstance(o, booking.BookingResult) for o in outcomes) == 1, outcomes
    assert Appointment.objects.filter(person=child).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_reschedules_leave_exactly_one_appointment(rush):
    slots, patients = rush
    patient = patients[0]
    first = _book(patient, slots[0]).appointment

    def reschedule(index):
        return booking.appointment_reschedule(
            actor=patient.user,
            appointment_id=first.pk,
            slot_id=slots[1 + index % (len(slots) - 1)].pk,
            channel="web",
            now=NOW,
        )

    outcomes = race(reschedule, threads=20)

    moved = [o for o in outcomes if isinstance(o, booking.BookingResult)]
    assert len(moved) == 1, outcomes
    assert set(o for o in outcomes if isinstance(o, str)) <= {"not_cancellable"}, outcomes
    booked = Appointment.objects.filter(person=patient, status=Appointment.Status.BOOKED)
    assert list(booked) == [moved[0].appointment]
    # The old slot is free again, the new one held, no other slot touched.
    assert Slot.objects.filter(status=Slot.Status.BUSY).get() == moved[0].appointment.slot


@pytest.mark.django_db(transaction=True)
def test_reschedules_racing_a_cancel_never_leave_two(rush):
    slots, patients = rush
    patient = patients[0]
    first = _book(patient, slots[0]).appointment

    def act(index):
        if index % 2:
            return booking.appointment_cancel(
                actor=patient.user, appointment_id=first.pk, channel="web", now=NOW
            )
        return booking.appointment_reschedule(
            actor=patient.user,
            appointment_id=first.pk,
            slot_id=slots[1 + index % (len(slots) - 1)].pk,
            channel="web",
            now=NOW,
        )

    outcomes = race(act, threads=20)

    successes = [o for o in outcomes if not isinstance(o, str)]
    assert len(successes) == 1, outcomes
    booked = Appointment.objects.filter(person=patient, status=Appointment.Status.BOOKED)
    if isinstance(successes[0], booking.BookingResult):
        assert booked.count() == 1
        assert Slot.objects.filter(status=Slot.Status.BUSY).count() == 1
    else:
        assert booked.count() == 0
        assert not Slot.objects.filter(status=Slot.Status.BUSY).exists()


@pytest.mark.django_db(transaction=True)
def test_two_registrars_confirming_one_application_attach_once(transactional_catalog):
    """Issue 13, item 16: of two confirmations at once, one attaches, the other hears
    `application_decided`; the old attachment ends once and one new one starts."""
    sync_roles()
    ensure_specialties()
    old_clinic, new_clinic = LocationFactory().organisation, LocationFactory().organisation
    person = PersonFactory(user__password=None)
    AttachmentFactory(person=person, organisation=old_clinic)
    registrars = []
    for _each in range(2):
        user = UserFactory(password=None)
        user.groups.add(Group.objects.get(name="registrar"))
        RegistrarPost.objects.create(user=user, organisation=new_clinic)
        registrars.append(user)
    application = attachment.attachment_apply(
        actor=person.user,
        person_id=person.pk,
        organisation_id=new_clinic.pk,
        reason="moved",
        now=NOW,
    )

    outcomes = race(
        lambda index: (
            attachment.attachment_decide(
                actor=registrars[index], application_id=application.pk, confirm=True, now=NOW
            ).status
        ),
        threads=2,
    )

    assert sorted(outcomes) == ["application_decided", "confirmed"], outcomes
    assert Attachment.objects.filter(person=person).count() == 2
    current = Attachment.objects.get(person=person, until__isnull=True)
    assert current.organisation == new_clinic
    assert AttachmentApplication.objects.get(pk=application.pk).attachment == current
    assert AuditEvent.objects.filter(action="health.attachment_confirm").count() == 1
