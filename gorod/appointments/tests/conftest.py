"""The API tests' signed-in caller, cardiology and stranger."""

import pytest

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.appointments.models import Slot
from gorod.appointments.tests.factories import (
    AppointmentFactory,
    ReferralFactory,
    ScheduleFactory,
)
from gorod.appointments.tests.fixtures import (
    FRIDAY,
    NOW,
    make_slots,
)
from gorod.clinics.tests.factories import AttachmentFactory, RoleFactory, specialty


@pytest.fixture
def api(client, clinic, time_machine):
    time_machine.move_to(NOW)
    client.force_login(clinic.patient.user)
    return client


@pytest.fixture
def cardiology(clinic):
    """A cardiologist (referral needed) at the clinic's building, three slots on Friday."""
    role = RoleFactory(location=clinic.therapist.location, specialty=specialty("cardiologist"))
    return make_slots(ScheduleFactory(role=role), FRIDAY, 3)


@pytest.fixture
def stranger(clinic):
    """Another family at the same clinic: a parent with a child, a referral, a booking."""
    parent = PersonFactory()
    AttachmentFactory(person=parent, organisation=clinic.organisation)
    child = ChildFactory()
    Guardianship.objects.create(guardian=parent, child=child, kind=Guardianship.Kind.PARENT)
    slot = clinic.slots[7]
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BUSY)
    return {
        "person": parent,
        "child": child,
        "referral": ReferralFactory(person=parent),
        "appointment": AppointmentFactory(person=parent, slot=slot),
    }
