from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

from gorod.core.schemas import NO_NUL

# A receipt is ~150 characters; anything far longer is not one and is not worth verifying.
TOKEN_MAX_LENGTH = 1000
# Large enough to reach the service's own "too long" message with the real length,
# small enough that a body cannot be used to make the server count megabytes.
TEXT_MAX_LENGTH = 100_000


class RatingIn(Schema):
    token: str = Field(
        ...,
        max_length=TOKEN_MAX_LENGTH,
        description="The use's receipt (`rating_token`) from the answer that recorded the use",
    )
    stars: int = Field(..., description="1 to 5")
    comment: str = Field("", max_length=TEXT_MAX_LENGTH, description="Up to 1,000 characters")


class RatingPatch(Schema):
    stars: int | None = Field(None, description="1 to 5; omitted: unchanged")
    comment: str | None = Field(None, max_length=TEXT_MAX_LENGTH, description="omitted: unchanged")


class RatingOut(BaseModel):
    id: int
    service: str = Field(..., description="Service slug")
    stars: int
    comment: str
    created_at: datetime
    updated_at: datetime
    editable_until: datetime
    answer: str
    answered_at: datetime | None


class StarsShareOut(BaseModel):
    stars: int
    count: int
    percent: int


class SummaryOut(BaseModel):
    service: str
    shown: bool = Field(..., description="False while the service has too few ratings to show")
    min_count: int = Field(..., description="Ratings needed before figures are shown")
    count: int | None = None
    average: Decimal | None = Field(None, description="Mean stars, one decimal")
    distribution: list[StarsShareOut] | None = None


class OwnerCommentsQuery(Schema):
    service: str | None = Field(None, max_length=100, description="Service slug")
    stars: int | None = Field(None, ge=1, le=5)
    topic: Literal["bug", "idea", "praise", "question", "other"] | None = None
    first: date | None = Field(None, description="First Moscow day, inclusive")
    last: date | None = Field(None, description="Last Moscow day, inclusive")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class OwnerCommentOut(BaseModel):
    id: int
    service: str
    stars: int
    comment: str
    created_at: datetime
    source: Literal["portal", "import"]
    topic: str
    idea_status: str
    answer: str
    answered_at: datetime | None


class OwnerCommentPage(BaseModel):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[OwnerCommentOut]


class AnswerIn(Schema):
    text: str = Field(..., max_length=TEXT_MAX_LENGTH, pattern=NO_NUL)


class TagIn(Schema):
    topic: str = Field("", max_length=16, description="bug, idea, praise, question, other or ''")
    idea_status: str = Field("", max_length=16, description="new, planned, done (ideas only)")


class AsksQuery(Schema):
    service: str = Field(..., max_length=100)
    first: date | None = None
    last: date | None = None


class PhraseOut(BaseModel):
    text: str
    count: int


class AsksOut(BaseModel):
    service: str
    first: date
    last: date
    comments: int
    phrases: list[PhraseOut]
