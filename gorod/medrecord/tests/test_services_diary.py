"""The record's services: each happy path, each refusal, the audit row, amendments, labs,
certificates (ordered → ready → issued, by the next working day) and the health diary.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from gorod.accounts.tests.factories import UserFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW
from gorod.core.errors import NotFound
from gorod.core.models import AuditEvent
from gorod.medrecord.models.record import DiaryReading
from gorod.medrecord.services import diary as diary_services
from gorod.medrecord.tests.test_services_encounters import access, audited, refusal


def test_a_diary_reading_is_added_and_deleted(clinic, time_machine):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    reading = diary_services.diary_reading_add(
        access=mine, kind="pressure", value="128", value_low=82, measured_at=NOW, note="утром"
    )
    assert (reading.value, reading.value_low, reading.entered_by) == (
        Decimal(128),
        Decimal(82),
        clinic.patient.user,
    )
    assert audited("health.diary_reading_add", reading).data["kind"] == "pressure"
    child = diary_services.diary_reading_add(
        access=access(clinic.child, role="guardian", actor=clinic.patient.user),
        kind="temperature",
        value="37,2",
        measured_at=NOW,
    )
    assert child.patient == clinic.child

    with pytest.raises(NotFound):
        diary_services.diary_reading_delete(access=mine, reading_id=child.pk)
    diary_services.diary_reading_delete(access=mine, reading_id=reading.pk)
    assert not DiaryReading.objects.filter(pk=reading.pk).exists()
    assert AuditEvent.objects.filter(action="health.diary_reading_delete").count() == 1


def test_the_diarys_refusals(clinic, time_machine):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    delegate = access(clinic.patient, role="delegate", actor=UserFactory())
    refusal(
        "record_patient_only",
        diary_services.diary_reading_add,
        access=delegate,
        kind="pulse",
        value=70,
        measured_at=NOW,
    )
    refusal(
        "diary_kind_invalid",
        diary_services.diary_reading_add,
        access=mine,
        kind="mood",
        value=5,
        measured_at=NOW,
    )
    refusal(
        "diary_value_out_of_range",
        diary_services.diary_reading_add,
        access=mine,
        kind="pulse",
        value=700,
        measured_at=NOW,
    )
    refusal(
        "diary_pressure_incomplete",
        diary_services.diary_reading_add,
        access=mine,
        kind="pressure",
        value=120,
        measured_at=NOW,
    )
    error = refusal(
        "diary_pressure_order",
        diary_services.diary_reading_add,
        access=mine,
        kind="pressure",
        value=80,
        value_low=120,
        measured_at=NOW,
    )
    assert error.field == "value_low"
    refusal(
        "diary_value_invalid",
        diary_services.diary_reading_add,
        access=mine,
        kind="pulse",
        value="abc",
        measured_at=NOW,
    )
    refusal(
        "diary_in_future",
        diary_services.diary_reading_add,
        access=mine,
        kind="pulse",
        value=70,
        measured_at=NOW + timedelta(hours=1),
    )
    assert not DiaryReading.objects.exists()


def test_a_diary_time_without_a_zone_is_moscow_time(clinic, time_machine):
    time_machine.move_to(NOW)
    reading = diary_services.diary_reading_add(
        access=access(clinic.patient),
        kind="pulse",
        value="72",
        measured_at=datetime(2026, 11, 25, 8, 30),
    )
    assert reading.measured_at == datetime(2026, 11, 25, 8, 30, tzinfo=MOSCOW)
