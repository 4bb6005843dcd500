from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import ReferralFactory, ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, make_slots
from gorod.clinics.tests.factories import AttachmentFactory, RoleFactory, specialty
from gorod.core.errors import DomainError, NotFound
from gorod.core.problems import status_of


def _book(clinic, slot, *, person=None, **options):
    return booking.appointment_book(
        actor=clinic.patient.user,
        person_id=(person or clinic.patient).pk,
        slot_id=slot.pk,
        channel="web",
        now=NOW,
        **options,
    )


def test_booking_takes_the_slot_and_writes_its_audit_row(clinic):
    result = _book(clinic, clinic.slots[0])
    assert result.created
    appointment = result.appointment
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.start == clinic.slots[0].start
    clinic.slots[0].refresh_from_db()
    assert clinic.slots[0].status == Slot.Status.BUSY


def test_the_same_booking_again_returns_the_first(clinic):
    first = _book(clinic, clinic.slots[0]).appointment
    again = _book(clinic, clinic.slots[0])
    assert not again.created
    assert again.appointment.pk == first.pk


def test_a_taken_slot_is_refused_with_the_nearest_free_ones(clinic):
    other = PersonFactory()
    AttachmentFactory(person=other, organisation=clinic.organisation)
    booking.appointment_book(
        actor=other.user, person_id=other.pk, slot_id=clinic.slots[0].pk, channel="web", now=NOW
    )
    with pytest.raises(DomainError) as refusal:
        _book(clinic, clinic.slots[0])
    assert refusal.value.code == "slot_taken"
    offered = [item["slot_id"] for item in refusal.value.details["alternatives"]]
    assert offered == [slot.pk for slot in clinic.slots[1:6]]


def test_a_second_therapist_appointment_is_refused(clinic):
    _book(clinic, clinic.slots[0])
    with pytest.raises(DomainError) as refusal:
        _book(clinic, clinic.slots[3])
    assert refusal.value.code == "specialty_already_booked"


def test_a_cardiologist_needs_a_referral_which_the_booking_uses(clinic):
    cardiologist = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("cardiologist")
    )
    slots = make_slots(
        ScheduleFactory(role=cardiologist), datetime(2026, 11, 27, 10, tzinfo=MOSCOW), 2
    )
    with pytest.raises(DomainError) as refusal:
        _book(clinic, slots[0])
    assert refusal.value.code == "referral_required"
    referral = ReferralFactory(person=clinic.patient)
    appointment = _book(clinic, slots[0], referral_id=referral.pk).appointment
    assert appointment.referral == referral
    booking.appointment_cancel(
        actor=clinic.patient.user, appointment_id=appointment.pk, channel="web", now=NOW
    )
    # A cancelled appointment gives the referral back.
    assert _book(clinic, slots[1], referral_id=referral.pk).created


def test_a_parent_books_for_a_child_and_a_stranger_is_not_found(clinic):
    pediatrician = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("pediatrician")
    )
    slots = make_slots(
        ScheduleFactory(role=pediatrician), datetime(2026, 11, 27, 10, tzinfo=MOSCOW), 1
    )
    assert _book(clinic, slots[0], person=clinic.child).appointment.person == clinic.child
    with pytest.raises(NotFound):
        _book(clinic, clinic.slots[0], person=PersonFactory())


def test_reschedule_moves_the_appointment_and_frees_the_old_slot(clinic):
    first = _book(clinic, clinic.slots[0]).appointment
    moved = booking.appointment_reschedule(
        actor=clinic.patient.user,
        appointment_id=first.pk,
        slot_id=clinic.slots[4].pk,
        channel="web",
        now=NOW,
    ).appointment
    first.refresh_from_db()
    assert first.status == Appointment.Status.CANCELLED
    assert first.cancellation_reason == Appointment.Reason.RESCHEDULED
    assert moved.rescheduled_from == first
    assert Slot.objects.get(pk=clinic.slots[0].pk).status == Slot.Status.FREE
    assert Slot.objects.get(pk=clinic.slots[4].pk).status == Slot.Status.BUSY


def test_cancel_is_refused_once_the_visit_started(clinic):
    appointment = _book(clinic, clinic.slots[0]).appointment
    with pytest.raises(DomainError) as refusal:
        booking.appointment_cancel(
            actor=clinic.patient.user,
            appointment_id=appointment.pk,
            channel="web",
            now=appointment.start + timedelta(minutes=1),
        )
    assert refusal.value.code == "appointment_started"


def test_a_delegate_books_with_the_appointments_scope_only(clinic):
    delegate = PersonFactory()
    delegation = Delegation.objects.create(
        principal=clinic.patient,
        delegate=delegate,
        scopes=["record"],
        confirmed_at=timezone.now(),
    )

    def book():
        return booking.appointment_book(
            actor=delegate.user,
            person_id=clinic.patient.pk,
            slot_id=clinic.slots[0].pk,
            channel="web",
            now=NOW,
        )

    with pytest.raises(NotFound):
        book()
    Delegation.objects.filter(pk=delegation.pk).update(scopes=["appointments"])
    assert book().appointment.booked_by == delegate.user
    Delegation.objects.filter(pk=delegation.pk).update(revoked_at=timezone.now())
    with pytest.raises(NotFound):
        booking.appointment_cancel(
            actor=delegate.user,
            appointment_id=Appointment.objects.get().pk,
            channel="web",
            now=NOW,
        )


def test_a_guardian_of_a_fifteen_year_old_hears_not_guardian(clinic):
    clinic.child.birth_date = NOW.date().replace(year=NOW.year - 15)
    clinic.child.save()
    with pytest.raises(DomainError) as refusal:
        _book(clinic, clinic.slots[0], person=clinic.child)
    assert refusal.value.code == "not_guardian"
    assert status_of(refusal.value) == 403
