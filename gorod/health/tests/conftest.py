"""A polyclinic with a therapist's free slots, an attached citizen with a child, and a clock.

`NOW` is a Wednesday morning after 08:00 (Moscow), so the 14-day horizon runs to
9 December 2026. Tests pass `now=NOW` to services, or travel there with `time_machine`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps

from gorod.accounts.models import Guardianship, Person
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.health.models import Organisation, PractitionerRole, Schedule, Slot
from gorod.health.tests.factories import (
    AttachmentFactory,
    LocationFactory,
    RoleFactory,
    ScheduleFactory,
    SlotFactory,
    specialty,
)

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW)
TOMORROW = date(2026, 11, 26)


@dataclass
class Clinic:
    organisation: Organisation
    therapist: PractitionerRole
    schedule: Schedule
    # Free therapist slots tomorrow from 10:00, 15 minutes each.
    slots: list[Slot]
    patient: Person
    child: Person

    def slot_at(self, index: int) -> Slot:
        return self.slots[index]


def ensure_specialties() -> None:
    """The specialties of migrations 0002 and 0006, which a transactional test's flush removed."""
    import_module("gorod.health.migrations.0002_specialties").add_specialties(django_apps, None)
    import_module("gorod.health.migrations.0007_specialty_patient_sex").set_patient_sex(
        django_apps, None
    )


def make_slots(schedule: Schedule, first: datetime, count: int) -> list[Slot]:
    length = timedelta(minutes=schedule.slot_minutes)
    return [SlotFactory(schedule=schedule, start=first + index * length) for index in range(count)]


@pytest.fixture
def clinic(db) -> Clinic:
    location = LocationFactory()
    organisation = location.organisation
    therapist = RoleFactory(location=location, specialty=specialty("therapist"))
    schedule = ScheduleFactory(role=therapist)
    first = datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW)
    slots = make_slots(schedule, first, 8)
    patient = PersonFactory()
    AttachmentFactory(person=patient, organisation=organisation)
    child = ChildFactory()
    AttachmentFactory(person=child, organisation=organisation)
    Guardianship.objects.create(guardian=patient, child=child, kind=Guardianship.Kind.PARENT)
    return Clinic(organisation, therapist, schedule, slots, patient, child)


def staff(clinic: Clinic, *codes: str) -> list[PractitionerRole]:
    """A doctor of each specialty at the clinic's building, with a working schedule."""
    roles = [
        RoleFactory(location=clinic.therapist.location, specialty=specialty(code)) for code in codes
    ]
    for role in roles:
        ScheduleFactory(role=role)
    return roles
