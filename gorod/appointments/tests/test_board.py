"""The clinic's free-slot board: public, kept for a moment, rebuilt by every change."""

import pytest
from django.conf import settings
from django.test import Client

from gorod.appointments.models import Slot
from gorod.appointments.services import booking
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.tests.factories import specialty

BASE = "/api/v1/health/clinics"


@pytest.fixture
def anonymous(time_machine):
    time_machine.move_to(NOW, tick=False)
    return Client()


def board_ids(client, clinic, **query):
    response = client.get(
        f"{BASE}/{clinic.organisation.pk}/slots",
        {"specialty": specialty("therapist").pk, **query},
    )
    assert response.status_code == 200, response.content
    return [slot["id"] for slot in response.json()["slots"]]


def test_the_board_needs_no_sign_in_and_shows_no_one(anonymous, clinic):
    response = anonymous.get(
        f"{BASE}/{clinic.organisation.pk}/slots",
        {"specialty": specialty("therapist").pk, "date": "2026-11-26"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [slot["id"] for slot in body["slots"]] == [slot.pk for slot in clinic.slots]
    assert body["clinic"]["name"] == clinic.organisation.name
    assert clinic.patient.last_name not in response.content.decode()


def test_a_booking_takes_its_slot_off_the_board_at_once(anonymous, clinic):
    assert board_ids(anonymous, clinic) == [slot.pk for slot in clinic.slots]
    booking.appointment_book(
        actor=clinic.patient.user,
        person_id=clinic.patient.pk,
        slot_id=clinic.slots[0].pk,
        channel="web",
    )
    assert board_ids(anonymous, clinic) == [slot.pk for slot in clinic.slots[1:]]


def test_a_change_outside_the_services_shows_within_the_board_s_moment(
    anonymous, clinic, time_machine
):
    board_ids(anonymous, clinic)
    # A row changed behind the services' back (no version bump) is seen only once the
    # kept list expires: the staleness the board allows, and no more.
    Slot.objects.filter(pk=clinic.slots[0].pk).update(status=Slot.Status.BUSY)
    assert board_ids(anonymous, clinic)[0] == clinic.slots[0].pk
    time_machine.shift(settings.GOROD_HEALTH_BOARD_SECONDS + 1)
    assert board_ids(anonymous, clinic)[0] == clinic.slots[1].pk


def test_an_unknown_clinic_or_specialty_is_404(anonymous, clinic):
    missing = anonymous.get(f"{BASE}/999999/slots", {"specialty": specialty("therapist").pk})
    assert missing.status_code == 404
    assert missing.json()["code"] == "specialty_not_found"
    unknown = anonymous.get(f"{BASE}/{clinic.organisation.pk}/slots", {"specialty": 999999})
    assert unknown.status_code == 404
