"""Analytics endpoints: the report figures of `gorod report --json`, for analysts.

Every endpoint needs the permission analytics.view_usagedaily (the analyst role). The
endpoints are listed in the published schema, so a user without it gets a plain 403
`permission_denied` (the web pages answer 404 instead, since there is nothing to tell).
"""

from django.utils.translation import gettext as _
from ninja import Query, Router

from gorod.analytics import reports, rules, selectors
from gorod.analytics.applications_port import applications_figures_for
from gorod.analytics.ratings import rating_figures_for
from gorod.analytics.schemas import (
    ApplicationsQuery,
    ApplicationsReportOut,
    ComparedPeriodQuery,
    RatingsReportOut,
    ReportPeriodQuery,
    UsageDailyOut,
    UsageQuery,
    UsageReportOut,
)
from gorod.core.errors import Forbidden
from gorod.core.schemas import with_problems

router = Router(tags=["analytics"])

PROBLEMS = (400, 401, 403, 422)
ACCESS = (
    " Needs the analyst permission (analytics.view_usagedaily): without it 403 "
    "`permission_denied`. Bad periods are 400 with `period_reversed`, `period_too_long`, "
    "`date_out_of_range` or `comparison_incomplete`; malformed dates are 422."
)


def _check_access(request) -> None:
    if not selectors.can_view_analytics(request.auth):
        raise Forbidden(
            "permission_denied",
            _("Отчёты доступны аналитикам портала."),
        )


def _periods(query: ComparedPeriodQuery) -> tuple[rules.Period, rules.Period | None]:
    return selectors.compared_periods(
        query.first, query.last, query.compare_first, query.compare_last
    )


@router.get(
    "/usage",
    response=with_problems({200: UsageReportOut}, *PROBLEMS),
    exclude_unset=True,
    by_alias=True,
    summary="Usage report of a period",
    description="Uses, daily average, unique users, top services and categories of a "
    "period, read from the daily rollups; with compare_from and compare_to also the "
    "comparison period's totals and the change of the daily average." + ACCESS,
)
def usage(request, query: Query[UsageQuery]):
    _check_access(request)
    period, comparison = _periods(query)
    return reports.usage_report_json(selectors.usage_report(period, comparison, top=query.top))


@router.get(
    "/usage/daily",
    response=with_problems({200: UsageDailyOut}, *PROBLEMS),
    by_alias=True,
    summary="Uses per day of a period",
    description="Every day of the period, days without uses as 0." + ACCESS,
)
def usage_daily(request, query: Query[ReportPeriodQuery]):
    _check_access(request)
    period = selectors.period_of(query.first, query.last)
    return {
        "period": {"from": period.first, "to": period.last, "days": period.days},
        "days": [{"day": day, "uses": uses} for day, uses in selectors.daily_uses(period)],
    }


@router.get(
    "/ratings",
    response=with_problems({200: RatingsReportOut}, *PROBLEMS),
    exclude_unset=True,
    by_alias=True,
    summary="Ratings report of a period",
    description="Number of ratings, average, share of 5 stars, distribution and the same "
    "per service; with a comparison period also its totals and the change of the number "
    "of ratings." + ACCESS,
)
def ratings(request, query: Query[ComparedPeriodQuery]):
    _check_access(request)
    period, comparison = _periods(query)
    return reports.ratings_report_json(
        rating_figures_for(period), rating_figures_for(comparison) if comparison else None
    )


@router.get(
    "/applications",
    response=with_problems({200: ApplicationsReportOut}, *PROBLEMS),
    by_alias=True,
    summary="Applications to departments per service",
    description="The GOV.UK Performance Platform's figures per service and in total: "
    "drafts started, applications sent, completed, rejected and withdrawn in the period "
    "(by the Moscow day of each move in the applications' history), the shares sent of "
    "started and completed of sent, the median and 90th percentile of the working and "
    "calendar days from sending to the decision (nearest rank), the share decided within "
    "the regulation's term, and the channels applications were sent through; services "
    "ordered by applications sent." + ACCESS,
)
def applications(request, query: Query[ApplicationsQuery]):
    _check_access(request)
    period = selectors.period_of(query.first, query.last)
    return reports.applications_report_json(applications_figures_for(period), top=query.top)
