"""The citizen's health diary: a reading added or deleted through the record's one door."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.core.audit import audit_record
from gorod.core.clock import city_zone
from gorod.core.errors import DomainError, NotFound
from gorod.core.moments import moment_refusal
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.record import DiaryReading
from gorod.medrecord.selectors.access import RecordAccess
from gorod.medrecord.services.entries import CLOCK_SKEW, DIARY_ROLES, _clean, _patient_side
from gorod.medrecord.services.labs import _decimal


@transaction.atomic
def diary_reading_add(
    *,
    access: RecordAccess,
    kind: str,
    value,
    value_low=None,
    measured_at: datetime,
    note: str = "",
) -> DiaryReading:
    """A home reading, entered by the patient (or a child's guardian)."""
    _patient_side(access, DIARY_ROLES)
    refusal = moment_refusal(measured_at)
    if refusal is not None:
        raise DomainError(refusal.code, refusal.message, field="measured_at")
    if timezone.is_naive(measured_at):
        # A time without a zone is the city's wall clock, as the patient read it.
        measured_at = timezone.make_aware(measured_at, city_zone())
    if kind not in DiaryReading.Kind.values:
        raise DomainError("diary_kind_invalid", _("Выберите показатель."), field="kind")
    number = _decimal(value, field="value", code="diary_value_invalid")
    low = _decimal(value_low, field="value_low", code="diary_value_invalid")
    if number is None:
        raise DomainError("diary_value_required", _("Укажите значение."), field="value")
    refusal = record_rules.diary_reading_refusal(kind, number, low)
    if refusal is not None:
        field = "value_low" if refusal.code == "diary_pressure_order" else "value"
        raise DomainError(refusal.code, refusal.message, field=field)
    if measured_at > timezone.now() + CLOCK_SKEW:
        raise DomainError(
            "diary_in_future", _("Время измерения ещё не наступило."), field="measured_at"
        )
    reading = DiaryReading(
        patient=access.patient,
        kind=kind,
        value=number,
        value_low=low,
        measured_at=measured_at,
        note=note.strip(),
        entered_by=access.actor,
    )
    _clean(reading, exclude=("patient", "entered_by"))
    reading.save()
    audit_record(
        actor=access.actor,
        action="health.diary_reading_add",
        target=reading,
        person=access.patient.pk,
        kind=kind,
    )
    return reading


@transaction.atomic
def diary_reading_delete(*, access: RecordAccess, reading_id: int) -> None:
    """Remove one's own mistaken reading (the diary is the patient's, not the doctor's)."""
    _patient_side(access, DIARY_ROLES)
    deleted, _rows = DiaryReading.objects.filter(pk=reading_id, patient=access.patient).delete()
    if not deleted:
        raise NotFound("diary_reading_not_found", _("Запись дневника не найдена."))
    audit_record(
        actor=access.actor,
        action="health.diary_reading_delete",
        person=access.patient.pk,
        reading=reading_id,
    )
