from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.services.upkeep import appointment_reminders_send, no_shows_mark
from gorod.appointments.tests.factories import AppointmentFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW
from gorod.core.models import AuditEvent
from gorod.notifications.models import Message

BOOKED_EARLY = NOW - timedelta(days=3)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MOSCOW)


def visit(clinic, index: int = 0, *, person=None, booked_at=BOOKED_EARLY, status="booked"):
    """An appointment in the clinic's slot `index` (tomorrow from 10:00, 15 minutes each)."""
    slot = clinic.slots[index]
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BUSY)
    appointment = AppointmentFactory(
        person=person or PersonFactory(user__password=None), slot=slot, status=status
    )
    Appointment.objects.filter(pk=appointment.pk).update(created_at=booked_at)
    appointment.refresh_from_db()
    return appointment


def test_the_day_before_brings_the_24_hour_reminder(clinic):
    appointment = visit(clinic, person=clinic.patient)

    assert appointment_reminders_send(now=at(25, 9, 59)).messages == 0
    sent = appointment_reminders_send(now=at(25, 10))

    assert (sent.appointments, sent.messages) == (1, 1)
    message = Message.objects.get()
    assert message.person == clinic.patient
    assert message.key == f"health.reminder:{appointment.pk}:24h:{clinic.patient.pk}"
    role = clinic.therapist
    for part in (
        "26.11.2026 10:00",
        role.practitioner.full_name,
        role.specialty.name,
        role.location.address,
        f"кабинет {role.room}",
        clinic.patient.full_name,
    ):
        assert part in message.body
    assert "26.11.2026 10:00" in message.subject
    assert message.link == reverse("health:appointments")


def test_two_hours_before_brings_the_second_reminder_once(clinic):
    appointment = visit(clinic, person=clinic.patient)
    appointment_reminders_send(now=at(25, 10))

    assert appointment_reminders_send(now=at(26, 8)).messages == 1
    assert appointment_reminders_send(now=at(26, 8, 10)).messages == 0
    assert sorted(Message.objects.values_list("key", flat=True)) == [
        f"health.reminder:{appointment.pk}:24h:{clinic.patient.pk}",
        f"health.reminder:{appointment.pk}:2h:{clinic.patient.pk}",
    ]


def test_a_missed_day_before_sends_only_the_latest_reminder(clinic):
    visit(clinic, person=clinic.patient)
    appointment_reminders_send(now=at(26, 8, 30))
    assert [key.split(":")[2] for key in Message.objects.values_list("key", flat=True)] == ["2h"]


def test_who_booked_for_tomorrow_morning_gets_no_day_before_reminder(clinic):
    visit(clinic, person=clinic.patient, booked_at=at(25, 12))
    assert appointment_reminders_send(now=at(25, 12, 30)).appointments == 0
    assert appointment_reminders_send(now=at(26, 8)).messages == 1


def test_a_childs_reminder_goes_to_the_parent(clinic):
    visit(clinic, person=clinic.child)
    appointment_reminders_send(now=at(26, 8))
    message = Message.objects.get()
    assert message.person == clinic.patient
    assert clinic.child.full_name in message.body


def test_no_reminder_for_a_cancelled_or_started_visit(clinic):
    cancelled = visit(clinic, 0)
    Appointment.objects.filter(pk=cancelled.pk).update(
        status="cancelled", cancelled_at=NOW, cancellation_reason="patient"
    )
    visit(clinic, 1)
    # 10:15 has started; the 10:00 one is cancelled.
    assert appointment_reminders_send(now=at(26, 10, 15)).messages == 0


def test_reminders_read_the_same_few_queries_for_any_number_of_visits(clinic):
    def queries(count: int) -> int:
        for index in range(count):
            visit(clinic, index)
        with CaptureQueriesContext(connection) as captured:
            assert appointment_reminders_send(now=at(25, 12)).messages == count
        Appointment.objects.all().delete()
        return len(captured)

    assert queries(1) == queries(8) <= 8


def test_an_unattended_visit_becomes_a_no_show_after_the_grace(clinic, settings):
    settings.GOROD_HEALTH_NO_SHOW_GRACE_MINUTES = 60
    appointment = visit(clinic, 0)  # 10:00–10:15 tomorrow

    assert no_shows_mark(now=at(26, 11, 14)).count == 0
    marked = no_shows_mark(now=at(26, 11, 15))

    assert marked.appointments == [appointment.pk]
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NOSHOW
    # A no-show still holds its slot.
    assert Slot.objects.get(pk=appointment.slot_id).status == Slot.Status.BUSY
    event = AuditEvent.objects.get(action="health.no_shows_mark")
    assert (event.actor, event.data["appointments"], event.data["count"]) == (
        None,
        [appointment.pk],
        1,
    )
    assert no_shows_mark(now=at(26, 12)).count == 0
    assert AuditEvent.objects.filter(action="health.no_shows_mark").count() == 1


def test_a_visit_marked_by_the_registry_is_left_alone(clinic):
    visit(clinic, 0, status="arrived")
    visit(clinic, 1, status="fulfilled")
    assert no_shows_mark(now=at(27, 0)).count == 0
    assert not AuditEvent.objects.filter(action="health.no_shows_mark").exists()


def test_no_shows_are_marked_in_batches(clinic, monkeypatch):
    monkeypatch.setattr("gorod.appointments.services.upkeep.NO_SHOW_BATCH", 2)
    visits = [visit(clinic, index) for index in range(5)]
    assert sorted(no_shows_mark(now=at(27, 0)).appointments) == [v.pk for v in visits]
    assert AuditEvent.objects.filter(action="health.no_shows_mark").count() == 3


@pytest.mark.parametrize("grace", [0, 30])
def test_the_grace_is_a_setting(clinic, settings, grace):
    settings.GOROD_HEALTH_NO_SHOW_GRACE_MINUTES = grace
    visit(clinic, 0)
    end = at(26, 10, 15)
    assert no_shows_mark(now=end + timedelta(minutes=grace) - timedelta(seconds=1)).count == 0
    assert no_shows_mark(now=end + timedelta(minutes=grace)).count == 1
