"""Shapes of the family diary's API (/api/v1/school: children, a student's week, marks by
subject, attendance).

Averages and shares travel as strings with their fixed decimals ("4.33", "75.0"): a JSON
number is a binary float, and a school rounds half up on decimals.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from gorod.core.ids import MAX_ID
from gorod.school.diary_selectors import FIRST_DAY, LAST_DAY

Average = Annotated[str, Field(pattern=r"^[2-5]\.[0-9]{2}$", examples=["4.33"])]
Share = Annotated[str, Field(pattern=r"^[0-9]{1,3}\.[0-9]$", examples=["95.5"])]
MarkValue = Annotated[int, Field(ge=2, le=5)]
# A bell's time on the school's wall clock, "08:30": JSON Schema's "time" format demands
# a UTC offset, which a timetable does not have.
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["08:30"])]
RatingToken = Annotated[
    str | None,
    Field(
        None,
        description=(
            "The receipt of this look (a use of the service): POST it to "
            "/api/v1/feedback/ratings with 1–5 stars to rate the service. Null for a class "
            "teacher's look, which is not a use."
        ),
    ),
]


# --- Input ----------------------------------------------------------------------------


class DiaryWeekQuery(Schema):
    week: date | None = Field(
        None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Any day of the week to show (YYYY-MM-DD); today's week by default",
        examples=["2026-09-14"],
    )


class DiaryPeriodQuery(Schema):
    period: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description=(
            "A period (quarter, trimester, semester) of the student's school years, by id "
            "(listed in the answer as `periods`); the current one by default"
        ),
    )


# --- Output ---------------------------------------------------------------------------


class DiarySchoolClassOut(BaseModel):
    id: int
    name: str = Field(..., examples=["5А"])
    grade: int = Field(..., ge=1, le=11)
    school: str = Field(..., description="The school's short name")


class DiaryChildOut(BaseModel):
    id: int = Field(..., description="The student's person id, for the diary's other endpoints")
    full_name: str
    birth_date: date
    relation: Literal["self", "guardian"] = Field(
        ..., description="self: the caller's own diary; guardian: a child of the caller's"
    )
    school_class: DiarySchoolClassOut | None = Field(
        ..., description="Today's class, else the latest one"
    )


class DiaryChildrenOut(BaseModel):
    children: list[DiaryChildOut]


class DiaryMarkOut(BaseModel):
    value: MarkValue
    control_form: str = Field(..., examples=["контрольная работа"])
    weight: int = Field(..., ge=1, le=10)
    comment: str
    given_at: datetime
    changed: bool = Field(..., description="Changed after it was given («изменена»)")
    changed_at: datetime | None


class DiarySubjectRef(BaseModel):
    id: int
    name: str


class DiaryAttachmentOut(BaseModel):
    id: int
    name: str
    size: int = Field(..., description="Bytes")
    content_type: str
    url: str = Field(..., description="Download it with the same credentials")


class DiaryLessonOut(BaseModel):
    id: int
    bell: int = Field(..., description="Lesson number of the day")
    starts_at: ClockTime | None = Field(
        ..., description="From the school's bells, local time; null if the bell is unset"
    )
    ends_at: ClockTime | None
    subject: DiarySubjectRef
    room: str
    topic: str
    homework: str
    files: list[DiaryAttachmentOut]
    cancelled: bool
    substitute: str = Field(..., description="The substitute teacher's name; empty if none")
    planned_control: str = Field(..., description="The announced test, if any")
    marks: list[DiaryMarkOut]
    absent: bool = Field(..., description="«н»: the student missed the lesson")
    excused: bool = Field(..., description="The absence had a good reason")
    exempt: bool = Field(..., description="«осв.»: exempt from the subject on that day")


class DiaryDayOut(BaseModel):
    date: date
    is_today: bool
    lessons: list[DiaryLessonOut]


class DiaryUpcomingTestOut(BaseModel):
    date: date
    bell: int
    subject: DiarySubjectRef
    control_form: str
    topic: str


class DiaryWeekOut(BaseModel):
    student_id: int
    role: Literal["self", "guardian", "class_teacher"]
    monday: date
    saturday: date
    previous_week: date | None = Field(..., description="Its Monday; null at the calendar's end")
    next_week: date | None
    days: list[DiaryDayOut] = Field(..., description="Monday to Saturday")
    upcoming_tests: list[DiaryUpcomingTestOut]
    rating_token: RatingToken


class DiaryPeriodOut(BaseModel):
    id: int
    kind: Literal["quarter", "trimester", "semester"]
    number: int
    starts_on: date
    ends_on: date


class DiaryThresholdsOut(BaseModel):
    five: Average
    four: Average
    three: Average


class DiarySubjectMarkOut(DiaryMarkOut):
    lesson_date: date
    counted: bool = Field(
        ..., description="False for a mark in a lesson the student was exempt from"
    )


class DiarySubjectOut(BaseModel):
    subject: DiarySubjectRef
    marks: list[DiarySubjectMarkOut]
    average: Average | None = Field(
        ...,
        description=(
            "Σ(mark·weight)/Σ(weight) over the counted marks, two decimals, half up; null "
            "without marks (a missing mark is not a zero, «н» and «осв.» are not marks)"
        ),
    )
    suggested_mark: MarkValue | None = Field(
        ..., description="What the average suggests by the school's thresholds"
    )
    final_mark: MarkValue | None = Field(
        ..., description="The teacher's mark for the period (the year's without periods)"
    )
    year_mark: MarkValue | None


class DiarySubjectsOut(BaseModel):
    student_id: int
    role: Literal["self", "guardian", "class_teacher"]
    period: DiaryPeriodOut | None = Field(..., description="Null: the year is not divided")
    starts_on: date
    ends_on: date
    periods: list[DiaryPeriodOut] = Field(..., description="The periods of the same school year")
    thresholds: DiaryThresholdsOut
    subjects: list[DiarySubjectOut]
    rating_token: RatingToken


class DiaryAttendanceFiguresOut(BaseModel):
    lessons: int = Field(..., description="Lessons held so far (cancelled ones are not)")
    absent: int
    excused: int
    unexcused: int
    present_share: Share | None = Field(..., description="Per cent attended; null without lessons")


class DiarySubjectAttendanceOut(DiaryAttendanceFiguresOut):
    subject: DiarySubjectRef


class DiaryAttendanceOut(BaseModel):
    student_id: int
    role: Literal["self", "guardian", "class_teacher"]
    period: DiaryPeriodOut | None
    starts_on: date
    ends_on: date
    total: DiaryAttendanceFiguresOut
    subjects: list[DiarySubjectAttendanceOut]
    rating_token: RatingToken
