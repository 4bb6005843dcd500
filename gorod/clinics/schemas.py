"""TODO docstring."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import BaseModel

from gorod.appointments.schemas import (
    ApplicationReason,
    ApplicationStatus,
    ClinicOut,
    Id,
    PersonBriefOut,
)


class AttachableClinicQuery(Schema):
    q: str = Field("", max_length=100, description="Part of the name or the address")
    district: str = Field("", max_length=64, description="An okrug, e.g. «ЦАО»")


class AttachmentClinicsOut(BaseModel):
    current: ClinicOut | None
    clinics: list[ClinicOut]


class AttachmentApplicationIn(Schema):
    person_id: Id
    organisation_id: Id
    reason: ApplicationReason


class AttachmentApplicationOut(BaseModel):
    id: int
    person: PersonBriefOut
    clinic: ClinicOut
    reason: ApplicationReason
    status: ApplicationStatus
    submitted_at: datetime
    decided_at: datetime | None
    decline_reason: str | None
