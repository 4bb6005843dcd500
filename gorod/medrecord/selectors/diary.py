"""Reads of the health diary, the same for the record's pages and its API.

The access (`RecordAccess`) was opened for the diary section by the caller; every read is
scoped to its patient, so another person's reading is "not found".
"""

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.medrecord.models.record import DiaryReading
from gorod.medrecord.selectors.access import RecordAccess


def diary_readings(
    access: RecordAccess, *, kind: str | None = None, since: datetime | None = None
) -> QuerySet[DiaryReading]:
    """The patient's home readings, newest first; of one kind, or since a moment, if asked."""
    readings = DiaryReading.objects.filter(patient=access.patient)
    if kind is not None:
        readings = readings.filter(kind=kind)
    if since is not None:
        readings = readings.filter(measured_at__gte=since)
    return readings.order_by("-measured_at", "-id")


def diary_reading_get(access: RecordAccess, reading_id: int) -> DiaryReading:
    reading = (
        DiaryReading.objects.filter(patient=access.patient, pk=reading_id).first()
        if valid_id(reading_id)
        else None
    )
    if reading is None:
        raise NotFound("diary_reading_not_found", _("Такой записи в дневнике нет."))
    return reading
