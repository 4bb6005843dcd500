from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string

from gorod.appointments.models import Appointment, Slot
from gorod.appointments.tasks import mark_no_shows, open_slots, send_appointment_reminders
from gorod.appointments.tests.factories import AppointmentFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW
from gorod.notifications.models import Message


def test_the_periodic_tasks_named_in_the_settings_exist():
    health = [
        path
        for path, _minutes in settings.GOROD_PERIODIC_TASKS
        if path.startswith(("gorod.appointments.", "gorod.medrecord."))
    ]
    assert sorted(health) == [
        "gorod.appointments.tasks.mark_no_shows",
        "gorod.appointments.tasks.open_slots",
        "gorod.appointments.tasks.send_appointment_reminders",
        "gorod.medrecord.tasks.prepare_due_certificates",
    ]
    for path in health:
        assert callable(import_string(path).enqueue)


@pytest.mark.django_db
def test_the_hourly_task_opens_the_horizons_slots(clinic, time_machine):
    time_machine.move_to(NOW)
    result = open_slots.enqueue()
    # The clinic's therapist works weekdays 08:00–20:00: today after 09:00 and ten more
    # working days to 10 December, around the fixture's eight slots tomorrow.
    assert result.return_value == {
        "through": "2026-12-10",
        "roles": 1,
        "created": 515,
        "reopened": 0,
    }
    assert open_slots.enqueue().return_value["created"] == 0


@pytest.mark.django_db
def test_the_reminder_task_writes_the_due_reminders(clinic, time_machine):
    slot = clinic.slots[0]
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BUSY)
    appointment = AppointmentFactory(person=clinic.patient, slot=slot)
    Appointment.objects.filter(pk=appointment.pk).update(created_at=NOW - timedelta(days=2))
    time_machine.move_to(datetime(2026, 11, 26, 8, 0, tzinfo=MOSCOW))
    result = send_appointment_reminders.enqueue()
    assert result.return_value == {"appointments": 1, "messages": 1}
    assert Message.objects.get().person == clinic.patient


@pytest.mark.django_db
def test_the_no_show_task_marks_past_visits(clinic, time_machine):
    slot = clinic.slots[0]
    AppointmentFactory(slot=slot)
    time_machine.move_to(datetime(2026, 11, 26, 12, 0, tzinfo=MOSCOW))
    assert mark_no_shows.enqueue().return_value == {"no_shows": 1}
    assert Appointment.objects.get().status == Appointment.Status.NOSHOW


@pytest.mark.django_db
def test_the_command_opens_slots_and_says_how_many(clinic, time_machine):
    time_machine.move_to(NOW)
    out = StringIO()
    call_command("health", "open-slots", "--days", "1", stdout=out)
    # Today after 09:00 (39) and tomorrow around the fixture's eight (36).
    assert "новых талонов — 75" in out.getvalue()
    assert "26.11.2026" in out.getvalue()
    assert Slot.objects.filter(role=clinic.therapist).count() == 8 + 75
    out = StringIO()
    call_command("health", "open-slots", stdout=out)
    assert "10.12.2026" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_negative_number_of_days(clinic):
    with pytest.raises(CommandError):
        call_command("health", "open-slots", "--days", "-1", stdout=StringIO())
