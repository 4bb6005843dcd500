"""Shapes of the teacher's journal API (/api/v1/school/journal)."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import BaseModel, StrictBool, StrictInt, StrictStr

from gorod.core.ids import MAX_ID
from gorod.core.schemas import NO_NUL, Problem, ValidationIssue

Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
# Any integer reaches the service, which names the cell of a 6 or a 0 in its refusal;
# the bound only keeps absurd numbers out.
MarkValue = Annotated[StrictInt, Field(ge=-1000, le=1000)]
HOMEWORK_MAX_LENGTH = 10_000

# --- Input -------------------------------------------------------------------------------


class MarkCellIn(Schema):
    student_id: Id
    control_form_id: Id
    value: MarkValue | None = Field(..., description="2..5, or null to remove the mark")
    expected: MarkValue | None = Field(
        None,
        description=(
            "The value the teacher saw in the cell (null: empty). If the cell holds another "
            "value now, the save is refused with 409 stale_mark."
        ),
    )


class AbsenceIn(Schema):
    student_id: Id
    absent: StrictBool


class LessonMarksIn(Schema):
    cells: list[MarkCellIn] = Field(default_factory=list, max_length=2000)
    absences: list[AbsenceIn] = Field(default_factory=list, max_length=200)


class LessonPatchIn(Schema):
    topic: StrictStr | None = Field(None, max_length=300, pattern=NO_NUL)
    homework: StrictStr | None = Field(None, max_length=HOMEWORK_MAX_LENGTH, pattern=NO_NUL)
    planned_control_id: Id | None = Field(
        None, description="The control form announced for the lesson; null for none"
    )


class FinalMarkIn(Schema):
    student_id: Id
    subject_id: Id
    period_id: Id | None = Field(None, description="A period's mark; or give year_id")
    year_id: Id | None = Field(None, description="The year's mark")
    value: MarkValue | None = Field(..., description="2..5, or null to remove")


class GridQuery(Schema):
    period_id: Id | None = None


# --- Output ------------------------------------------------------------------------------


class ClassSubjectOut(BaseModel):
    class_id: int
    class_name: str
    year: str
    subject_id: int
    subject: str
    subgroups: list[str]
    writes: bool = Field(..., description="False: read as the class teacher only")


class ControlFormOut(BaseModel):
    id: int
    name: str
    weight: int
    is_test: bool


class MarkOut(BaseModel):
    control_form_id: int
    value: int
    weight: int
    changed: bool = Field(..., description="Edited after it was first given")


class LessonBriefOut(BaseModel):
    id: int
    date: date
    bell: int
    topic: str
    homework: str
    cancelled: bool
    planned_control_id: int | None


class GridCellOut(BaseModel):
    lesson_id: int
    marks: list[MarkOut]
    absent: bool
    excused: bool
    exempt: bool


class GridRowOut(BaseModel):
    student_id: int
    name: str
    cells: list[GridCellOut] = Field(..., description="Lessons with a mark, a н or an осв.")
    average: str | None = Field(..., description="Weighted average, two decimals")
    suggested: int | None
    final: int | None


class JournalPeriodOut(BaseModel):
    id: int
    number: int
    kind: str
    starts_on: date
    ends_on: date


class GridOut(BaseModel):
    class_id: int
    class_name: str
    subject_id: int
    subject: str
    period: JournalPeriodOut
    periods: list[JournalPeriodOut]
    writes: bool
    lessons: list[LessonBriefOut]
    rows: list[GridRowOut]


class SheetStudentOut(BaseModel):
    student_id: int
    name: str
    absent: bool
    exempt: bool
    marks: list[MarkOut]


class LessonSheetOut(BaseModel):
    lesson: LessonBriefOut
    class_name: str
    subject: str
    writes: bool
    updated_at: datetime
    control_forms: list[ControlFormOut]
    students: list[SheetStudentOut]


class LessonSavedOut(BaseModel):
    lesson_id: int
    created: int
    changed: int
    removed: int
    absences_added: int
    absences_removed: int


class FinalMarkOut(BaseModel):
    student_id: int
    subject_id: int
    period_id: int | None
    value: int | None


class CellProblem(Problem):
    """A refused save: `field` names the first bad cell (cells[3], absences[0]) and
    `errors` lists every one; nothing was saved."""

    errors: list[ValidationIssue] | None = None


class JournalHomeworkFileOut(Schema):
    """A file attached to a lesson's homework (the family downloads it from the diary)."""

    id: int
    lesson_id: int
    name: str = Field(..., description="The teacher's file name, as shown to the family")
    content_type: str = Field(..., description="The type read from the file's bytes")
    size: int = Field(..., description="In bytes")
    uploaded_at: datetime
