from datetime import date, time, timedelta

import factory

from gorod.accounts.tests.factories import PersonFactory
from gorod.health.models import (
    Appointment,
    Attachment,
    Location,
    Organisation,
    Practitioner,
    PractitionerRole,
    Referral,
    Schedule,
    Slot,
    Specialty,
)


def specialty(code: str) -> Specialty:
    """A specialty the data migration created (therapist, pediatrician, cardiologist, …)."""
    return Specialty.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    registry_code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Городская поликлиника № {n + 1}")
    kind = Organisation.Kind.ADULT_POLYCLINIC
    district = "ЦАО"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    registry_code = factory.Sequence(lambda n: f"L{n:05d}")
    name = factory.LazyAttribute(lambda location: location.organisation.name)
    address = "Москва, Даев переулок, дом 3"


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    last_name = "Смирнова"
    first_name = factory.Sequence(lambda n: f"Анна{n}")
    middle_name = "Петровна"


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PractitionerRole

    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    organisation = factory.LazyAttribute(lambda role: role.location.organisation)
    specialty = factory.LazyFunction(lambda: specialty("therapist"))
    room = "101"


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


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    since = date(2020, 1, 1)


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
