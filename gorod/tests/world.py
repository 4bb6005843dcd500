"""A small city with one person in every role, for tests that walk the whole API.

A citizen with a child, attached to a polyclinic, with a booked appointment, a record
(a visit, a blood count, a ready certificate, a diary reading) and a flat with two meters;
the therapist who saw them (a doctor with a login, free slots and the appointment); a
registrar posted to the clinic; a housing operator. Each login has a personal API token.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from gorod.accounts import services as accounts
from gorod.accounts.models import Guardianship, Person, User
from gorod.accounts.roles import sync_roles
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.tests.factories import AppointmentFactory, ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, ensure_specialties, make_slots
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import (
    AttachmentFactory,
    LocationFactory,
    PractitionerFactory,
    RoleFactory,
    specialty,
)
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.housing.models import Meter
from gorod.housing.tests.factories import MeterFactory, PremisesLinkFactory
from gorod.medrecord.tests.factories import (
    certificate_entry,
    diary_reading,
    encounter_entry,
    lab_entry,
)

ROLES = ("citizen", "doctor", "registrar", "operator")


@dataclass
class World:
    citizen: Person
    child: Person
    appointment: Appointment
    users: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)
    # The world's own objects by the API's path parameter names.
    ids: dict[str, int] = field(default_factory=dict)

    def authorization(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _in_group(user: User, role: str) -> User:
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def build_world() -> World:
    ensure_specialties()
    sync_roles()
    location = LocationFactory()
    organisation = location.organisation
    doctor = UserFactory()
    therapist = RoleFactory(
        practitioner=PractitionerFactory(user=doctor),
        location=location,
        specialty=specialty("therapist"),
    )
    schedule = ScheduleFactory(role=therapist)
    tomorrow = timezone.localdate() + timedelta(days=1)
    slots = make_slots(schedule, datetime.combine(tomorrow, datetime.min.time(), MOSCOW), 8)

    citizen = PersonFactory()
    child = ChildFactory()
    for person in (citizen, child):
        AttachmentFactory(person=person, organisation=organisation)
    Guardianship.objects.create(guardian=citizen, child=child, kind=Guardianship.Kind.PARENT)

    booked = slots[0]
    Slot.objects.filter(pk=booked.pk).update(status=Slot.Status.BUSY)
    appointment = AppointmentFactory(person=citizen, slot=booked)
    encounter_entry(citizen, role=therapist)
    lab_entry(citizen)
    certificate = certificate_entry(citizen, status="ready")
    reading = diary_reading(citizen)

    premises = PremisesLinkFactory(person=citizen).premises
    meters = [
        MeterFactory(premises=premises, kind=kind, location="ванная")
        for kind in (Meter.Kind.COLD_WATER, Meter.Kind.HOT_WATER)
    ]

    registrar = _in_group(UserFactory(), "registrar")
    RegistrarPost.objects.create(user=registrar, organisation=organisation)
    users = {
        "citizen": citizen.user,
        "doctor": _in_group(doctor, "doctor"),
        "registrar": registrar,
        "operator": _in_group(UserFactory(), "operator"),
    }
    ids = {
        "person_id": citizen.pk,
        "appointment_id": appointment.pk,
        "organisation_id": organisation.pk,
        "entry_id": certificate.pk,
        "reading_id": reading.pk,
        "premises_id": premises.pk,
        "meter_id": meters[0].pk,
    }
    world = World(citizen=citizen, child=child, appointment=appointment, users=users, ids=ids)
    for role, user in users.items():
        world.tokens[role] = accounts.api_token_create(actor=user, name=role)[1]
    return world


@contextmanager
def world_for_module(django_db_blocker) -> Iterator[World]:
    """One world for a test module, rolled back after it."""
    with rolled_back_after_module(django_db_blocker):
        yield build_world()
