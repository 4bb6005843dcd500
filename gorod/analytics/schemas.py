"""API schemas of the analytics reports: the shapes reports.py builds, documented.

The endpoints return reports.usage_report_json / ratings_report_json unchanged, so the
`gorod report --json` command and the API always agree; these models describe them.
"""

from datetime import date

from ninja import Field, Schema
from pydantic import BaseModel

from gorod.analytics.selectors import TOP_SERVICES

MAX_TOP = 100


class ReportPeriodQuery(Schema):
    first: date = Field(..., alias="from", description="First day (Moscow), YYYY-MM-DD")
    last: date = Field(..., alias="to", description="Last day, inclusive")


class ComparedPeriodQuery(ReportPeriodQuery):
    compare_first: date | None = Field(
        None, alias="compare_from", description="First day of the comparison period"
    )
    compare_last: date | None = Field(
        None, alias="compare_to", description="Last day of the comparison period"
    )


class UsageQuery(ComparedPeriodQuery):
    top: int = Field(TOP_SERVICES, ge=1, le=MAX_TOP, description="How many services to rank")


class PeriodOut(BaseModel):
    from_: date = Field(..., alias="from")
    to: date
    days: int

    model_config = {"populate_by_name": True}


class UsageTotalsOut(BaseModel):
    period: PeriodOut
    uses: int
    daily_average: float
    unique_users: int = Field(..., description="Estimated (HyperLogLog, ±1 %) beyond 1000")


class ServiceUsesOut(BaseModel):
    slug: str
    title: str
    category: str = Field(..., description="Category slug")
    uses: int
    share: float = Field(..., description="Share of the period's uses, 0–1")


class CategoryUsesOut(BaseModel):
    slug: str
    title: str
    uses: int
    share: float


class UsageReportOut(UsageTotalsOut):
    top_services: list[ServiceUsesOut]
    categories: list[CategoryUsesOut]
    comparison: UsageTotalsOut | None = Field(
        None, description="Only when a comparison period was asked for"
    )
    daily_average_change: float | None = Field(
        None,
        description="Relative change of the daily average against the comparison period "
        "(0.12 = +12 %); present with a comparison, null when that period had no uses",
    )


class DayUsesOut(BaseModel):
    day: date
    uses: int


class UsageDailyOut(BaseModel):
    period: PeriodOut
    days: list[DayUsesOut]


class RatingTotalsOut(BaseModel):
    period: PeriodOut
    count: int
    average: float | None = Field(..., description="Null without ratings")
    excellent_share: float | None = Field(..., description="Share of 5 stars, 0–1")
    distribution: dict[str, int] = Field(..., description='Ratings by stars, "1" … "5"')


class ServiceRatingsOut(BaseModel):
    slug: str
    title: str
    count: int
    average: float | None
    excellent_share: float | None


class RatingsReportOut(RatingTotalsOut):
    services: list[ServiceRatingsOut]
    comparison: RatingTotalsOut | None = Field(
        None, description="Only when a comparison period was asked for"
    )
    count_change: float | None = Field(
        None,
        description="Relative change of the number of ratings against the comparison "
        "period; present with a comparison, null when that period had none",
    )
