"""The clinic's free-slot board: public, kept for a moment, rebuilt by every change."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.test import Client

from gorod.appointments.models import Slot
from gorod.appointments.selectors import board
from gorod.appointments.services import booking
from gorod.appointments.tests.fixtures import NOW, TOMORROW
from gorod.clinics.tests.factories import specialty
from gorod.core.cache import versions_bump

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


@pytest.fixture
def round_trips(monkeypatch):
    """The round trips to Redis: every one sends its commands in one packed write."""
    sent = []
    send = redis.connection.Connection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        sent.append(command)
        return send(connection, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)
    return sent


def test_a_booking_s_bump_is_one_round_trip_to_redis(
    redis_cache, clinic, round_trips, django_capture_on_commit_callbacks
):
    cache.get("connected")  # the connection's handshake is not the bump's
    round_trips.clear()
    with django_capture_on_commit_callbacks(execute=True):
        board.board_touched(clinic.organisation.pk, specialty("therapist").pk, TOMORROW)
        assert len(round_trips) == 1  # the day's and the nearest boards' versions together
    assert len(round_trips) == 2  # and again after commit


def test_a_bump_in_redis_moves_every_version_on_and_makes_missing_ones(redis_cache):
    cache.set("version:b", 5, timeout=None)
    versions_bump(cache, ["version:a", "version:b"])
    versions_bump(cache, ["version:a", "version:b"])
    assert cache.get_many(["version:a", "version:b"]) == {"version:a": 2, "version:b": 7}
    client = cache._cache.get_client(write=True)
    assert client.ttl(cache.make_key("version:a")) == -1  # kept until evicted


def test_the_redis_cache_keeps_one_client_per_pool(redis_cache):
    cache.set("kept", 1)
    client = cache._cache.get_client(write=True)
    cache.get("kept")
    assert cache._cache.get_client(write=True) is client


def test_a_booking_through_one_process_s_cache_rebuilds_another_s_board(
    redis_cache, anonymous, clinic, monkeypatch
):
    # Two processes: two cache backends, each with its own connection pool and client,
    # on the one Redis.
    reader, writer = caches.create_connection("default"), caches.create_connection("default")
    monkeypatch.setattr(board, "cache", reader)
    assert board_ids(anonymous, clinic) == [slot.pk for slot in clinic.slots]
    monkeypatch.setattr(board, "cache", writer)
    booking.appointment_book(
        actor=clinic.patient.user,
        person_id=clinic.patient.pk,
        slot_id=clinic.slots[0].pk,
        channel="web",
    )
    monkeypatch.setattr(board, "cache", reader)
    assert board_ids(anonymous, clinic) == [slot.pk for slot in clinic.slots[1:]]
