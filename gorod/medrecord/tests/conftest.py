"""The record services' tests' doctor and booked appointment."""

import pytest

from gorod.accounts.tests.factories import UserFactory
from gorod.appointments.tests.factories import AppointmentFactory


@pytest.fixture
def doctor(clinic):
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save()
    return practitioner.user


@pytest.fixture
def appointment(clinic):
    return AppointmentFactory(person=clinic.patient, slot=clinic.slot_at(0))
