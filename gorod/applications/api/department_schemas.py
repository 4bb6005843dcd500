"""Shapes of the department's desk API (/api/v1/applications/desk)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictStr

from gorod.applications import rules
from gorod.core.ids import MAX_ID
from gorod.core.schemas import NO_NUL

TEXT = Field(..., max_length=rules.TEXTAREA_MAX_LENGTH * 2, pattern=NO_NUL)
OpenStatus = Literal["submitted", "registered", "in_review", "info_requested", "suspended"]


class DeskQueueQuery(Schema):
    department: int | None = Field(None, ge=1, le=MAX_ID, description="One of my departments")
    status: OpenStatus | None = None
    assigned: Literal["me", "none"] | None = Field(
        None, description="me: assigned to me; none: to no one"
    )
    service: int | None = Field(None, ge=1, le=MAX_ID, description="A service's id")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


# --- Input ----------------------------------------------------------------------------------


class DeskReasonIn(Schema):
    reason: StrictStr = TEXT


class DeskTextIn(Schema):
    text: StrictStr = TEXT


class DeskSuspendIn(Schema):
    reason: StrictStr = TEXT
    until: date = Field(..., description="The day the suspension ends (after today)")


class DeskApproveIn(Schema):
    text: StrictStr = Field(
        "",
        max_length=rules.TEXTAREA_MAX_LENGTH * 2,
        pattern=NO_NUL,
        description="The decision (`decision`), the document's text (`document`, optional), "
        "what to bring (`in_person`)",
    )
    office_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="For a result collected at an МФЦ: which one"
    )


class DeskRefuseIn(Schema):
    reason: StrictStr = TEXT
    appeal: StrictStr = Field(
        ..., max_length=rules.TEXTAREA_MAX_LENGTH * 2, pattern=NO_NUL, description="How to appeal"
    )


class DeskAssignIn(Schema):
    assignee_id: int | None = Field(
        ..., ge=1, le=MAX_ID, description="A user with a post in the department; null: no one"
    )


# --- Output ---------------------------------------------------------------------------------


class DeskCountdownOut(Schema):
    due_on: date | None
    working_days_left: int | None = Field(None, description="Negative when overdue")
    overdue: bool
    paused: bool = Field(..., description="The term stands while the applicant is asked")


class DeskQueueItemOut(Schema):
    id: str = Field(..., description="The application's public id (UUID)")
    number: str
    service: str
    service_id: int
    department: str
    status: str
    status_label: str
    applicant: str
    submitted_at: datetime | None
    assignee: str | None
    term: DeskCountdownOut


class DeskQueueOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[DeskQueueItemOut]


class DeskAnswerOut(Schema):
    key: str
    label: str
    type: str
    value: str
    files: list[str] = Field(default_factory=list, description="File ids")


class DeskFileOut(Schema):
    id: str
    purpose: str
    field_key: str
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download: str = Field(..., description="Where the department's staff download it")


class DeskHistoryOut(Schema):
    at: datetime
    kind: str
    status: str
    label: str
    text: str
    actor: str
    internal: bool = Field(..., description="A staff note: never shown to the applicant")


class DeskApplicationOut(Schema):
    id: str
    number: str
    service: str
    service_id: int
    department: str
    status: str
    status_label: str
    applicant: str
    applicant_birth_date: date
    subject: str
    subject_birth_date: date
    submitted_at: datetime | None
    registered_at: datetime | None
    decided_at: datetime | None
    assignee: str | None
    decision_text: str
    definition_version: int
    outcome_kind: str
    term: DeskCountdownOut
    answers: list[DeskAnswerOut]
    files: list[DeskFileOut]
    history: list[DeskHistoryOut]
    moves: list[str] = Field(..., description="The statuses the department may move it to now")


class DeskNoteOut(Schema):
    at: datetime
    text: str
