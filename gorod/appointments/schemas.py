"""Shapes of the doctor-appointments API.

Times are sent in the city's zone with their offset ("2026-11-26T10:00:00+03:00"): a
clinic's hour is what the patient needs to read. Ids in bodies are strict integers (a
string or a float is a validation error naming the field).
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from gorod.appointments.models import Appointment
from gorod.clinics.schemas import (
    ClinicOut,
    Id,
    PersonBriefOut,
)
from gorod.core.ids import MAX_ID
from gorod.core.schemas import Problem

# For fields named `date`, whose own name would shadow the type inside the class.
Day = date

# A day of a large clinic has a few hundred slots of one specialty.
SLOT_LIMIT_MAX = 500
SLOT_LIMIT_DEFAULT = 100

# FHIR's AppointmentStatus as the model stores it, and why an appointment was cancelled.
AppointmentStatus = Literal[tuple(Appointment.Status.values)]
CancellationReason = Literal[tuple(Appointment.Reason.values)]


# A specialty as a query names it: its code from /specialties, or (as clients written
# before codes do) its numeric id.
SpecialtyKey = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        examples=["therapist"],
        description=(
            "A specialty's `code` from /specialties (therapist, ophthalmologist…); "
            "its numeric `id` is accepted too"
        ),
    ),
]


class SlotQuery(Schema):
    specialty: SpecialtyKey
    date: Day | None = Field(
        None, description="One day's free slots (Moscow time); without it, the nearest ones"
    )
    first_available: bool = Field(
        False,
        description="The nearest free slots from `date` on (or from now), across days",
    )
    limit: int = Field(SLOT_LIMIT_DEFAULT, ge=1, le=SLOT_LIMIT_MAX)


class SpecialtyQuery(Schema):
    specialty: SpecialtyKey


class AppointmentListQuery(Schema):
    when: Literal["upcoming", "past"] | None = Field(
        None,
        description=(
            "upcoming: booked and not yet over, soonest first; past: the rest (over, "
            "cancelled, missed), newest first; absent: all, newest first"
        ),
    )
    person_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only this person's (me, my child, my principal)"
    )
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class BookingIn(Schema):
    person_id: Id = Field(..., description="Whom for: an id from /people")
    slot_id: Id
    referral_id: Id | None = Field(
        None, description="Required for a specialty with needs_referral (from /referrals)"
    )


class RescheduleIn(Schema):
    slot_id: Id = Field(..., description="A free slot of the same specialty")


class RefusalOut(BaseModel):
    code: str = Field(..., examples=["not_guardian"])
    message: str


class BookablePersonOut(BaseModel):
    id: int
    name: str
    birth_date: date
    age: int
    relation: Literal["self", "child", "principal"] = Field(
        ..., description="child: I am the guardian; principal: they delegated to me"
    )
    can_book: bool
    refusal: RefusalOut | None = Field(
        ..., description="Why I cannot book for this person (can_book false)"
    )


class SpecialtyOut(BaseModel):
    id: int
    code: str = Field(..., examples=["therapist"])
    name: str
    slot_minutes: int
    needs_referral: bool


class SpecialtiesOut(BaseModel):
    clinic: ClinicOut | None = Field(
        ..., description="The clinic the person is attached to; null: not attached"
    )
    specialties: list[SpecialtyOut] = Field(..., description="Those that see a patient this age")


class SlotOut(BaseModel):
    id: int
    start: datetime
    end: datetime
    practitioner_id: int
    practitioner: str = Field(..., examples=["Смирнова А. П."])
    location_id: int
    location: str
    address: str
    room: str


class SlotsOut(BaseModel):
    clinic: ClinicOut
    open_until: date = Field(..., description="The last day open for booking now")
    slots: list[SlotOut]


class SlotDayOut(BaseModel):
    date: Day
    free: int


class SlotDaysOut(BaseModel):
    clinic: ClinicOut
    open_until: date
    days: list[SlotDayOut] = Field(..., description="Days with free slots, soonest first")


class SpecialtyBriefOut(BaseModel):
    id: int
    code: str
    name: str


class ReferralOut(BaseModel):
    id: int
    number: str
    specialty: SpecialtyBriefOut
    issued_on: date
    valid_until: date
    diagnosis: str
    note: str
    in_use: bool = Field(..., description="An appointment holds it (cancel it to use it again)")


class PractitionerOut(BaseModel):
    id: int
    name: str
    short_name: str = Field(..., examples=["Смирнова А. П."])


class LocationOut(BaseModel):
    id: int
    name: str
    address: str
    room: str


class AppointmentOut(BaseModel):
    id: int
    status: AppointmentStatus
    person: PersonBriefOut
    start: datetime
    end: datetime
    specialty: SpecialtyBriefOut
    practitioner: PractitionerOut
    clinic: ClinicOut
    location: LocationOut
    slot_id: int
    referral_id: int | None
    channel: str
    booked_at: datetime
    can_cancel: bool = Field(..., description="Booked and not started: cancel or reschedule")
    cancelled_at: datetime | None
    cancellation_reason: CancellationReason | None
    rescheduled_from_id: int | None
    ics_url: str = Field(..., description="The appointment as an iCalendar file")


class BookedOut(AppointmentOut):
    created: bool = Field(..., description="False: this slot was already booked for this person")
    rating_token: str | None = Field(
        None,
        description=(
            "The receipt of this use: POST it to /api/v1/feedback/ratings with 1–5 stars to "
            "rate the service. Absent on a replay."
        ),
    )


class AppointmentPage(BaseModel):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[AppointmentOut]


class AlternativeOut(Schema):
    slot_id: int
    start: datetime
    end: datetime
    practitioner: str


class BookingProblem(Problem):
    """A refused booking; with `slot_taken`, the nearest free slots to choose from."""

    alternatives: list[AlternativeOut] | None = Field(
        None, description="With slot_taken: the nearest free slots of the same specialty"
    )
