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


# Enough for every form service of the catalog.
MAX_APPLICATION_SERVICES = 1000


class ApplicationsQuery(ReportPeriodQuery):
    top: int | None = Field(
        None,
        ge=1,
        le=MAX_APPLICATION_SERVICES,
        description="How many services, most applications sent first; all by default",
    )


class ApplicationFiguresOut(BaseModel):
    started: int = Field(..., description="Drafts started in the period")
    submitted: int = Field(..., description="Applications sent in the period")
    completed: int = Field(..., description="Applications completed (service given) in the period")
    rejected: int = Field(..., description="refused_to_accept + refused")
    refused_to_accept: int = Field(..., description="Documents refused (before registration)")
    refused: int = Field(..., description="Service refused")
    withdrawn: int = Field(..., description="Withdrawn by the applicant in the period")
    decided: int = Field(..., description="Decisions (result ready, refused) in the period")
    submitted_of_started: float | None = Field(
        ...,
        description="GOV.UK's completion rate: of the drafts started in the period, the "
        "share sent by now, 0–1; null without drafts",
    )
    completed_of_submitted: float | None = Field(
        ...,
        description="Of the applications sent in the period, the share completed by now, 0–1",
    )
    median_working_days: int | None = Field(
        ...,
        description="Decisions of the period: working days from sending to the decision, "
        "median by nearest rank (the lower middle of an even count)",
    )
    p90_working_days: int | None = Field(..., description="The 90th percentile, nearest rank")
    median_calendar_days: int | None
    p90_calendar_days: int | None
    within_term: int = Field(..., description="Decisions on or before the regulation's term")
    with_term: int = Field(
        ..., description="Decisions with a term (registered applications); the share's base"
    )
    within_term_share: float | None
    digital_take_up: float | None = Field(
        ...,
        description="Online ÷ all applications; null (unknown): the portal does not see "
        "applications made on paper. `channels` splits the online ones",
    )
    channels: dict[str, int] = Field(
        ...,
        description="Applications sent in the period by channel (web, mobile, api, kiosk; "
        "unknown when the submission's use was not recorded)",
    )


class ServiceApplicationsOut(ApplicationFiguresOut):
    slug: str
    title: str


class ApplicationsReportOut(BaseModel):
    period: PeriodOut
    total: ApplicationFiguresOut
    services: list[ServiceApplicationsOut]
