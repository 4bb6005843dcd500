from datetime import datetime, timedelta

import pytest
import vobject
from icalendar import Calendar

from gorod.appointments.calendar import appointment_ics, ics_filename
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.tests.factories import AppointmentFactory, ReferralFactory
from gorod.appointments.tests.fixtures import MOSCOW
from gorod.clinics.tests.factories import specialty

CRLF = b"\r\n"


@pytest.fixture
def appointment(clinic):
    clinic.organisation.phone = "+7 495 000-00-00"
    clinic.organisation.save()
    clinic.therapist.room = "214"
    clinic.therapist.save()
    slot = clinic.slots[0]
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BUSY)
    return AppointmentFactory(person=clinic.patient, slot=slot)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_the_file_is_a_published_calendar_with_the_moscow_zone(appointment):
    calendar = parse(appointment_ics(appointment))
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert "gorod" in calendar["PRODID"]
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/Moscow"
    # The VTIMEZONE's own rules give +03:00 on the day, not only the TZID's name.
    assert zone.to_tz().utcoffset(datetime(2026, 11, 26, 10, 0)) == timedelta(hours=3)


def test_the_event_is_at_the_clinics_hour_under_a_stable_uid(appointment, clinic):
    data = appointment_ics(appointment)
    assert b"DTSTART;TZID=Europe/Moscow:20261126T100000" in data
    assert b"DTEND;TZID=Europe/Moscow:20261126T101500" in data
    [event] = parse(data).events
    assert event["UID"] == f"appointment-{appointment.pk}@gorod"
    assert event.start == datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW)
    assert event.start.tzinfo.key == "Europe/Moscow"
    assert event.end - event.start == timedelta(minutes=15)
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTAMP") == appointment.updated_at.replace(microsecond=0)
    # The same appointment in the same state is the same file.
    assert appointment_ics(appointment) == data


def test_what_where_and_what_to_bring(appointment, clinic):
    [event] = parse(appointment_ics(appointment)).events
    doctor = clinic.therapist.practitioner.initials_name
    assert event["SUMMARY"] == f"Приём: Участковый терапевт — {doctor}"
    location = str(event["LOCATION"])
    assert clinic.organisation.name in location
    assert "Даев переулок, дом 3" in location
    assert "кабинет 214" in location
    description = str(event["DESCRIPTION"])
    assert clinic.patient.full_name in description
    assert "полис ОМС" in description
    assert "+7 495 000-00-00" in description


def test_a_reminder_two_hours_before(appointment):
    [event] = parse(appointment_ics(appointment)).events
    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert timedelta(hours=-2) == alarm.TRIGGER


def test_a_referral_is_named_among_what_to_bring(clinic):
    referral = ReferralFactory(person=clinic.patient, specialty=specialty("therapist"))
    appointment = AppointmentFactory(person=clinic.patient, slot=clinic.slots[1], referral=referral)
    [event] = parse(appointment_ics(appointment)).events
    assert f"направление № {referral.number}" in str(event["DESCRIPTION"])


def test_a_cancelled_appointment_cancels_the_event(appointment):
    Appointment.objects.filter(pk=appointment.pk).update(
        status=Appointment.Status.CANCELLED,
        cancellation_reason=Appointment.Reason.PATIENT,
        cancelled_at=appointment.start - timedelta(days=1),
    )
    appointment.refresh_from_db()
    [event] = parse(appointment_ics(appointment)).events
    assert event["UID"] == f"appointment-{appointment.pk}@gorod"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert event.walk("VALARM") == []
    assert str(event["DESCRIPTION"]).startswith("Запись отменена.")


def test_the_file_name_is_ascii_with_the_local_start(appointment):
    name = ics_filename(appointment)
    assert name == f"appointment-{appointment.pk}-20261126-1000.ics"
    assert name.isascii()


def test_the_text_follows_rfc_5545_lines(appointment):
    """What a strict reader needs: CRLF lines of at most 75 octets, folded without
    splitting a UTF-8 character, and every BEGIN closed by its END."""
    data = appointment_ics(appointment)
    assert data.endswith(CRLF)
    lines = data.split(CRLF)[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    for line in lines:
        line.decode("utf-8")  # a fold inside a character would not decode
    unfolded = data.replace(CRLF + b" ", b"").decode("utf-8").split("\r\n")[:-1]
    stack = []
    for line in unfolded:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack.pop() == value
    assert stack == []
    assert unfolded[0] == "BEGIN:VCALENDAR"
    assert unfolded.index("BEGIN:VTIMEZONE") < unfolded.index("BEGIN:VEVENT")


def test_a_second_parser_reads_the_same_time(appointment):
    parsed = vobject.readOne(appointment_ics(appointment).decode("utf-8"))
    assert parsed.vevent.dtstart.value == datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW)
    assert parsed.vevent.uid.value == f"appointment-{appointment.pk}@gorod"
