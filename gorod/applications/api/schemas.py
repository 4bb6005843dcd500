"""Shapes of the applications API: definitions, the citizen's applications, their history."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from gorod.core.ids import MAX_ID
from gorod.core.schemas import NO_NUL, Problem

FieldKey = Annotated[str, Field(max_length=40)]
FieldValue = Annotated[str, Field(max_length=4000)]


class CitizenApplicationProblem(Problem):
    """A refused write: `fields` names each bad field of a step (or each missing one at
    submission) with its message; `reasons` says why the applicant may not apply."""

    fields: dict[str, str] | None = None
    reasons: list[str] | None = None


class DefinitionBriefOut(Schema):
    service: str = Field(..., description="The catalog service's slug")
    title: str
    kind: Literal["form", "info", "external"]
    version: int


class DefinitionOut(DefinitionBriefOut):
    document: dict[str, Any] = Field(
        ..., description="The whole definition, as /api/v1/applications/schema describes it"
    )


class DefinitionListQuery(Schema):
    kind: Literal["form", "info", "external"] | None = None


class ApplicationStartIn(Schema):
    service: str = Field(..., max_length=100, pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    subject_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="A child you represent; empty for yourself"
    )
    start_key: uuid.UUID | None = Field(
        None,
        description=(
            "A new UUID for each application you start, the same one when retrying: "
            "a second start with it returns the same draft"
        ),
    )


class ApplicationStepIn(Schema):
    answers: dict[FieldKey, FieldValue | int | bool | list[FieldValue]] = Field(
        ...,
        max_length=100,
        description=(
            "The step's fields by key: text as strings, numbers as strings or integers, "
            "yes/no as true/false, several choices as a list; files are uploaded apart"
        ),
    )


class ApplicationAnswerIn(Schema):
    text: str = Field(
        ..., max_length=4000, pattern=NO_NUL, description="The answer to the department"
    )


class MyApplicationsQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class MyApplicationFileOut(Schema):
    id: uuid.UUID
    purpose: Literal["field", "answer", "result"]
    field: str = Field(..., description="The form field the file belongs to")
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str = Field(
        ...,
        description=(
            "The download page (signed in on the site); programs use "
            "GET /api/v1/applications/files/{id}"
        ),
    )


class MyApplicationEventOut(Schema):
    at: datetime
    status: str
    label: str
    text: str


class MyApplicationBriefOut(Schema):
    id: uuid.UUID
    number: str = Field(..., description="Empty while a draft")
    service: str
    service_title: str
    subject_id: int
    subject_name: str
    status: str
    status_label: str
    created_at: datetime
    submitted_at: datetime | None
    due_on: date | None = Field(..., description="The decision's term")
    days_left: int | None = Field(..., description="Working days to the term; negative: overdue")
    next_action: str


class MyApplicationOut(MyApplicationBriefOut):
    definition_version: int
    department: str
    answers: dict[str, Any]
    step_due_on: date | None
    request_text: str = Field(..., description="What the department asks for, if it does")
    decision_text: str
    actions: list[str] = Field(
        ..., description="What you may do now: edit, submit, delete, answer, withdraw, receive"
    )
    timeline: list[MyApplicationEventOut]
    files: list[MyApplicationFileOut]
    rating_token: str | None = Field(
        ..., description="Once finished: hand it to POST /api/v1/feedback/ratings"
    )


class MyApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[MyApplicationBriefOut]
