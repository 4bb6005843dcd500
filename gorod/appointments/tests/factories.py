"""Factories of schedules, slots, referrals and appointments."""

from datetime import date, time, timedelta

import factory

from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.models import Appointment, Referral, Schedule, Slot
from gorod.clinics.tests.factories import RoleFactory, specialty


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    role = factory.SubFactory(RoleFactory)
    valid_from = date(2026, 1, 1)
    weekdays = "1,2,3,4,5"
    day_start = time(8, 0)
    day_end = time(20, 0)
    break_start = time(13, 0)
    break_end = time(14, 0)
    slot_minutes = factory.LazyAttribute(lambda schedule: schedule.role.specialty.slot_minutes)


class SlotFactory(factory.django.DjangoModelFactory):
    """A free slot of `schedule` starting at `start` (aware), as long as the schedule says."""

    class Meta:
        model = Slot

    schedule = factory.SubFactory(ScheduleFactory)
    role = factory.LazyAttribute(lambda slot: slot.schedule.role)
    organisation = factory.LazyAttribute(lambda slot: slot.role.organisation)
    specialty = factory.LazyAttribute(lambda slot: slot.role.specialty)
    end = factory.LazyAttribute(
        lambda slot: slot.start + timedelta(minutes=slot.schedule.slot_minutes)
    )


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    specialty = factory.LazyFunction(lambda: specialty("cardiologist"))
    number = factory.Sequence(lambda n: f"77-{n:08d}")
    issued_on = date(2026, 11, 1)
    valid_until = date(2026, 12, 31)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment in `slot`, whose status it sets to busy."""

    class Meta:
        model = Appointment

    person = factory.SubFactory(PersonFactory)
    slot = factory.SubFactory(SlotFactory, status=Slot.Status.BUSY)
    organisation = factory.LazyAttribute(lambda appointment: appointment.slot.organisation)
    specialty = factory.LazyAttribute(lambda appointment: appointment.slot.specialty)
    start = factory.LazyAttribute(lambda appointment: appointment.slot.start)
    end = factory.LazyAttribute(lambda appointment: appointment.slot.end)
    channel = "web"
