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
from gorod.appointments.models import Schedule, Slot
from gorod.appointments.tests.factories import ScheduleFactory, SlotFactory
from gorod.clinics.models import Organisation, PractitionerRole
from gorod.clinics.tests.factories import AttachmentFactory, LocationFactory, RoleFactory, specialty

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW)
TOMORROW = date(2026, 11, 26)
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=MOSCOW)


class HealthModels:
    """The `apps` health's data migrations take when a test runs them again after a flush:
    they ask for ("health", name), and the model now lives in one of the apps health became."""

    def get_model(self, _app_label: str, name: str):
        for label in ("clinics", "appointments", "medrecord"):
            try:
                return django_apps.get_model(label, name)
            except LookupError:
                continue
        raise LookupError(name)


health_models = HealthModels()


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
    import_module("gorod.health.migrations.0002_specialties").add_specialties(health_models, None)
    import_module("gorod.health.migrations.0007_specialty_patient_sex").set_patient_sex(
        health_models, None
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
