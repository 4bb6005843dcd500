"""Shapes of the meter-readings API.

Meter values travel as strings both ways: a JSON number is a binary float, and 123.456
may arrive as 123.45599999999999. Inputs are strict (a number, null or a list where a
string is expected is a validation error naming the field); outputs carry three decimals.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, StrictBool, StrictInt, StrictStr

from gorod.core.ids import MAX_ID
from gorod.core.schemas import NO_NUL, Problem, ValidationIssue

# Long enough for the service's own "too many digits" message on a 40-digit number,
# short enough that nobody makes the server parse megabytes as one reading.
VALUE_MAX_LENGTH = 100
REASON_MAX_LENGTH = 10_000
# Years before 1000 are not billing periods, and year 0 is not a date at all.
PERIOD_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"

Value = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{3}$", examples=["12.345"])]
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2026-11"])]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


# --- Input ----------------------------------------------------------------------------


class LinkIn(Schema):
    payer_code: StrictStr = Field(
        ..., max_length=100, description="The payer code from the ЕПД (10 digits)"
    )
    apartment: StrictStr = Field(
        ..., max_length=100, pattern=NO_NUL, description="Apartment number"
    )
    role: StrictStr = Field(
        ..., max_length=100, description="owner, tenant or registered", examples=["owner"]
    )


class ReadingIn(Schema):
    meter_id: Id
    value: StrictStr = Field(
        ...,
        max_length=VALUE_MAX_LENGTH,
        description='A string, "123,456" or "123.456"; a JSON number is refused',
        examples=["123,456"],
    )


class SubmissionIn(Schema):
    readings: list[ReadingIn] = Field(
        ..., description="One entry per meter of the premises, each meter at most once"
    )
    confirm_warnings: StrictBool = Field(
        False,
        description="Send again with true after a 422 consumption_needs_confirmation",
    )


class CorrectionIn(Schema):
    value: StrictStr = Field(..., max_length=VALUE_MAX_LENGTH, examples=["123,456"])
    reason: StrictStr = Field(..., max_length=REASON_MAX_LENGTH, pattern=NO_NUL)


class PeriodQuery(Schema):
    period: str = Field(..., pattern=PERIOD_PATTERN, description="YYYY-MM")

    @property
    def first_day(self) -> date:
        return date(int(self.period[:4]), int(self.period[5:]), 1)


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


# --- Output ---------------------------------------------------------------------------


class WindowOut(BaseModel):
    open: bool = Field(..., description="Readings are accepted right now")
    period: Period = Field(..., description="The open window's period, or the next one's")
    opens_on: date
    closes_on: date = Field(..., description="Last day, inclusive (Moscow time)")


class ReadingBriefOut(BaseModel):
    id: int
    period: Period
    value: Value
    submitted_at: datetime


Kind = Literal["cold", "hot", "heat"]
Unit = Literal["m3", "gcal"]
MeterStatus = Literal["active", "replaced", "failed"]
Verification = Literal["ok", "due", "expired"]


class MeterFieldsOut(BaseModel):
    id: int
    kind: Kind
    unit: Unit
    serial: str
    location: str
    status: MeterStatus
    next_verification_on: date
    verification: Verification = Field(..., description="due: within 30 days")
    integer_digits: int
    fraction_digits: int


class MeterOut(MeterFieldsOut):
    accepts_readings: bool
    previous_value: Value = Field(..., description="What this period's reading is compared with")
    last_reading: ReadingBriefOut | None
    current_reading: ReadingBriefOut | None = Field(
        ..., description="The accepted reading of the window's period"
    )


class PremisesOut(BaseModel):
    id: int
    address: str
    apartment: str
    payer_code: str
    residents: int
    role: Literal["owner", "tenant", "registered"]
    meters: list[MeterOut]


class MyPremisesOut(BaseModel):
    window: WindowOut
    premises: list[PremisesOut]


class ReadingOut(BaseModel):
    id: int
    meter_id: int
    period: Period
    value: Value
    previous_value: Value
    consumption: Value
    warnings: list[str] = Field(..., description="high_consumption, zero_consumption")
    status: Literal["accepted", "superseded", "rejected"]


class SubmissionOut(BaseModel):
    submission_id: int
    period: Period
    replayed: bool = Field(..., description="True: this key was seen before, nothing written")
    readings: list[ReadingOut]
    rating_token: str | None = Field(
        None,
        description=(
            "The receipt of this use: POST it to /api/v1/feedback/ratings with 1–5 stars to "
            "rate the service. Absent on a replay."
        ),
    )


class ReadingVersionOut(ReadingOut):
    source: Literal["citizen", "operator", "correction"]
    channel: str
    submitted_at: datetime
    superseded_at: datetime | None
    rejection_reason: str


class HistoryRowOut(BaseModel):
    period: Period
    value: Value | None = Field(..., description="null: no accepted reading that period")
    consumption: Value | None


class MeterDetailOut(MeterFieldsOut):
    premises_id: int
    installed_on: date
    commissioned_on: date | None
    history: list[HistoryRowOut] = Field(..., description="12 periods, newest first")


class CorrectionOut(BaseModel):
    id: int
    reading_id: int
    meter_id: int
    period: Period
    value: Value = Field(..., description="The reading as it was accepted")
    requested_value: Value
    reason: str
    status: Literal["open", "accepted", "rejected"]
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str
    settled_period: Period | None = Field(..., description="The bill that carries the fix")


class CorrectionPage(BaseModel):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[CorrectionOut]


# --- Problems of a submission ---------------------------------------------------------


class MeterIssue(Schema):
    meter_id: int
    meter: str | None = Field(..., description="The meter as its owner knows it")
    code: str
    message: str


class SubmissionProblem(Problem):
    """A refused submission names every meter and why; nothing of it was saved."""

    errors: list[MeterIssue | ValidationIssue] | None = None
    warnings: list[MeterIssue] | None = Field(
        None, description="With consumption_needs_confirmation: what to confirm"
    )


# --- Link requests --------------------------------------------------------------------

LinkStatus = Literal["pending", "confirmed", "declined", "expired"]


class LinkRequestOut(BaseModel):
    """A request to link a premises; it links nobody until an owner or operator confirms."""

    id: int
    status: LinkStatus
    role: Literal["owner", "tenant", "registered"]
    premises: str = Field(..., description="The address and apartment")
    requested_by: str = Field(..., description="The name of the person asking")
    created_at: datetime
    expires_at: datetime = Field(..., description="A pending request expires then")


class LinkRequestsOut(BaseModel):
    mine: list[LinkRequestOut] = Field(..., description="My requests waiting for an answer")
    to_confirm: list[LinkRequestOut] = Field(
        ..., description="Requests to link premises I own, waiting for my answer"
    )


class LinkDecisionIn(Schema):
    confirm: StrictBool = Field(..., description="true: confirm, false: decline")
