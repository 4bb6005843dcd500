"""Shapes of the attachment endpoints: the clinics a person may apply to, the applications."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, StrictInt

from gorod.clinics.models import AttachmentApplication
from gorod.core.ids import MAX_ID

Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


class ClinicOut(BaseModel):
    id: int
    name: str
    district: str
    phone: str


class PersonBriefOut(BaseModel):
    id: int
    name: str


ApplicationStatus = Literal[tuple(AttachmentApplication.Status.values)]


ApplicationReason = Literal[tuple(AttachmentApplication.Reason.values)]


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
