"""Shapes of the clubs API (/api/v1/clubs): the public search, the family's applications
and the organisation's desk."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, StrictInt, StrictStr

from gorod.clubs import rules
from gorod.clubs.models import (
    GROUP_CAPACITY_MAX,
    Application,
    ApplicationEvent,
    Direction,
    Programme,
)
from gorod.core.ids import MAX_ID
from gorod.core.schemas import NO_NUL

Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
StatusName = Literal[tuple(Application.Status.values)]
Decision = Literal[tuple(str(status) for status in rules.STAFF_DECISIONS)]
CauseName = Literal[tuple(ApplicationEvent.Cause.values)]
DirectionName = Literal[tuple(Direction.values)]
SexName = Literal[tuple(Programme.Sex.values)]

# --- the group, as everybody sees it ------------------------------------------------------


class ClubSessionOut(BaseModel):
    weekday: int = Field(..., description="0 = Monday … 6 = Sunday")
    weekday_label: str
    starts_at: str = Field(..., examples=["16:00"], description="Moscow time, HH:MM")
    ends_at: str = Field(..., examples=["17:30"])


class ClubVenueOut(BaseModel):
    id: int
    name: str
    address: str
    district: str
    okrug: str
    lat: float | None
    lon: float | None


class ClubProgrammeOut(BaseModel):
    id: int
    title: str
    direction: DirectionName
    direction_label: str
    activity: str
    age_min: int = Field(..., description="Full years on starts_on, inclusive")
    age_max: int
    sex: SexName = Field(..., description="Empty: boys and girls")
    is_free: bool
    price_month: str | None = Field(None, description="Roubles a month, a decimal string")
    enrollment: Literal["all_year", "season"]
    season_opens_at: datetime | None
    requires_test: bool
    starts_on: date


class ClubOrganisationOut(BaseModel):
    id: int
    name: str
    short_name: str
    phone: str
    website: str


class ClubGroupOut(BaseModel):
    id: int
    name: str
    teacher_name: str
    programme: ClubProgrammeOut
    organisation: ClubOrganisationOut
    venue: ClubVenueOut
    schedule: list[ClubSessionOut]
    capacity: int
    free_places: int
    active: bool = Field(..., description="False: the group takes no applications now")
    distance_km: float | None = Field(
        None, description="From the point searched from (lat, lon); null without one"
    )
    url: str = Field(..., description="The group's page on the portal")


class ClubGroupDetailOut(ClubGroupOut):
    description: str
    waiting: int = Field(..., description="Children on the waiting list")


class ClubGroupPage(BaseModel):
    count: int
    page: int
    page_size: int
    pages: int
    notes: list[str] = Field(
        ..., description="How the words were understood: a layout fixed, a typo corrected"
    )
    items: list[ClubGroupOut]


class ClubDistrictOut(BaseModel):
    name: str
    groups: int = Field(..., description="Groups taking applications with a venue there")


# --- the family -----------------------------------------------------------------------------


class ClubApplicationIn(Schema):
    child_id: Id = Field(..., description="One of your children (see /clubs/children)")
    group_id: Id


class ClubChildBrief(BaseModel):
    id: int
    full_name: str
    birth_date: date


class ClubGroupBrief(BaseModel):
    id: int
    name: str
    programme: str
    organisation: str
    address: str
    schedule: list[ClubSessionOut]


class ClubApplicationOut(BaseModel):
    id: int
    number: str = Field(..., examples=["2026-0000123"])
    status: StatusName
    status_label: str
    child: ClubChildBrief
    group: ClubGroupBrief
    submitted_at: datetime
    status_changed_at: datetime
    confirm_by: date | None = Field(
        None, description="Invited: the last day to confirm in person with documents"
    )
    accepted_at: datetime | None = Field(None, description="When the family accepted")
    position: int | None = Field(
        None, description="Place on the waiting list (1 = seated next); null unless waitlisted"
    )
    reason: str = Field(..., description="The organisation's words on its last decision")


class ClubApplicationList(BaseModel):
    items: list[ClubApplicationOut]


class ClubEventOut(BaseModel):
    status: StatusName
    status_label: str
    at: datetime
    cause: CauseName
    cause_label: str
    reason: str


class ClubApplicationDetailOut(ClubApplicationOut):
    history: list[ClubEventOut]


class ClubChildOut(BaseModel):
    id: int
    full_name: str
    birth_date: date
    age: int = Field(..., description="Full years today")


class ClubChildrenOut(BaseModel):
    children: list[ClubChildOut]


# --- the organisation's desk ----------------------------------------------------------------


class ClubDeskGroupOut(BaseModel):
    id: int
    name: str
    programme_id: int
    programme: str
    organisation_id: int
    teacher_name: str
    active: bool
    venue: ClubVenueOut
    schedule: list[ClubSessionOut]
    capacity: int
    taken: int
    free_places: int
    deciding: int = Field(..., description="Submitted, under review or invited to a test")
    invited: int
    enrolled: int
    waiting: int
    confirm_soonest: date | None = Field(
        None, description="The soonest last day to confirm among the invitations"
    )
    overdue: bool = Field(..., description="That day has passed")


class ClubDeskGroupsOut(BaseModel):
    items: list[ClubDeskGroupOut]


class ClubRepresentativeOut(BaseModel):
    full_name: str
    phone: str | None
    email: str | None


class ClubDeskApplicationOut(BaseModel):
    id: int
    number: str
    status: StatusName
    status_label: str
    child: ClubChildBrief
    representative: ClubRepresentativeOut
    submitted_at: datetime
    confirm_by: date | None
    overdue: bool = Field(..., description="Invited, and the last day to confirm has passed")
    accepted_at: datetime | None
    position: int | None = Field(None, description="Place on the waiting list")
    reason: str
    moves: list[Decision] = Field(..., description="The decisions open from this status")


class ClubDeskQueueOut(BaseModel):
    group: ClubDeskGroupOut
    applications: list[ClubDeskApplicationOut] = Field(
        ...,
        description=(
            "Live applications: to decide on (in the order they came), invited (soonest "
            "deadline first), enrolled (by name), then the waiting list in its order"
        ),
    )


class ClubMoveIn(Schema):
    status: Decision
    reason: StrictStr = Field("", max_length=500, pattern=NO_NUL, description="Required to reject")


class ClubCapacityIn(Schema):
    capacity: Annotated[StrictInt, Field(ge=1, le=GROUP_CAPACITY_MAX)]


# --- rows into these shapes -----------------------------------------------------------------


def sessions_out(sessions) -> list[dict]:
    return [
        {
            "weekday": session.weekday,
            "weekday_label": session.get_weekday_display(),
            "starts_at": f"{session.starts_at:%H:%M}",
            "ends_at": f"{session.ends_at:%H:%M}",
        }
        for session in sessions
    ]


def venue_out(venue) -> dict:
    return {
        "id": venue.pk,
        "name": venue.name,
        "address": venue.address,
        "district": venue.district,
        "okrug": venue.okrug,
        "lat": None if venue.lat is None else float(venue.lat),
        "lon": None if venue.lon is None else float(venue.lon),
    }


def child_brief(child) -> dict:
    return {"id": child.pk, "full_name": child.full_name, "birth_date": child.birth_date}
