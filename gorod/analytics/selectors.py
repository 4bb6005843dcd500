"""Reads of usage analytics. Everything here reads the rollups, never the raw events."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Min, Sum
from django.utils.translation import gettext as _

from gorod.analytics import rules
from gorod.analytics.models import UsageDaily, UsageDay
from gorod.analytics.services import sketch_union_estimate
from gorod.catalog.models import Category, Service
from gorod.core.errors import DomainError

TOP_SERVICES = 10
# The analyst role's permission: the dashboard, its exports and the report endpoints.
ANALYST_PERMISSION = "analytics.view_usagedaily"


def can_view_analytics(user) -> bool:
    return user.has_perm(ANALYST_PERMISSION)


def period_of(first: date, last: date, *, fields: tuple[str, str] = ("from", "to")) -> rules.Period:
    """A reporting period, or a DomainError that a form or the API shows next to the
    field it is about (`fields` names the start and end fields)."""
    field, last_field = fields
    problem = rules.period_problem(first, last)
    if problem == "date_out_of_range":
        raise DomainError(
            problem,
            _("Укажите дату с %(first)s по %(last)s.")
            % {
                "first": rules.FIRST_DAY.strftime("%d.%m.%Y"),
                "last": rules.LAST_DAY.strftime("%d.%m.%Y"),
            },
            field=field if not rules.FIRST_DAY <= first <= rules.LAST_DAY else last_field,
        )
    if problem == "period_reversed":
        raise DomainError(problem, _("Начало периода позже его конца."), field=field)
    if problem == "period_too_long":
        raise DomainError(
            problem,
            _("Период длиннее %(days)d дней.") % {"days": rules.PERIOD_MAX_DAYS},
            field=field,
        )
    return rules.Period(first, last)


def compared_periods(
    first: date, last: date, compare_first: date | None, compare_last: date | None
) -> tuple[rules.Period, rules.Period | None]:
    """A report's period and, when both its dates are given, the comparison period."""
    period = period_of(first, last)
    if (compare_first is None) != (compare_last is None):
        missing = "compare_to" if compare_last is None else "compare_from"
        raise DomainError(
            "comparison_incomplete",
            _("Укажите и начало, и конец периода сравнения."),
            field=missing,
        )
    comparison = None
    if compare_first is not None:
        comparison = period_of(compare_first, compare_last, fields=("compare_from", "compare_to"))
    return period, comparison


def catalog_titles() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """slug → (title, category slug) for every service, published or not (history keeps
    uses of services since unpublished), and category slug → title in display order; the
    titles in the reader's language."""
    services = {
        service.slug: (service.display_title, service.category.slug)
        for service in Service.objects.select_related("category").only(
            "slug", "title", "title_en", "category__slug"
        )
    }
    categories = {
        category.slug: category.display_title
        for category in Category.objects.order_by("position", "slug").only(
            "slug", "title", "title_en"
        )
    }
    return services, categories


def usage_figures_for(
    period: rules.Period, *, top: int = TOP_SERVICES, titles=None
) -> rules.UsageFigures:
    """Figures of one period; `titles` is catalog_titles(), passed in to read it once."""
    days = UsageDay.objects.filter(day__range=(period.first, period.last))
    daily = dict(days.values_list("day", "uses"))
    users = sketch_union_estimate(days.values_list("users_sketch", flat=True))
    by_service = dict(
        UsageDaily.objects.filter(day__range=(period.first, period.last))
        .values("service__slug")
        .annotate(uses=Sum("uses"))
        .order_by()
        .values_list("service__slug", "uses")
    )
    services, categories = titles or catalog_titles()
    return rules.usage_figures(
        period,
        users=users,
        daily=daily,
        by_service=by_service,
        services=services,
        categories=categories,
        top=top,
    )


def usage_by_channel(period: rules.Period) -> dict[str, int]:
    totals = dict.fromkeys(rules.CHANNELS, 0)
    rows = (
        UsageDaily.objects.filter(day__range=(period.first, period.last))
        .values("channel")
        .annotate(uses=Sum("uses"))
        .order_by()
        .values_list("channel", "uses")
    )
    totals.update(rows)
    return totals


@dataclass(frozen=True)
class UsageReport:
    current: rules.UsageFigures
    comparison: rules.UsageFigures | None

    @property
    def daily_average_change(self) -> float | None:
        if self.comparison is None:
            return None
        return rules.relative_change(self.current.daily_average, self.comparison.daily_average)


def usage_report(
    period: rules.Period, comparison: rules.Period | None = None, *, top: int = TOP_SERVICES
) -> UsageReport:
    titles = catalog_titles()
    return UsageReport(
        current=usage_figures_for(period, top=top, titles=titles),
        comparison=usage_figures_for(comparison, top=top, titles=titles) if comparison else None,
    )


def daily_uses(period: rules.Period) -> list[tuple[date, int]]:
    """Uses per day (0 on days without uses) from the portal-wide rollup alone, without
    the sketches and per-service sums a full report reads."""
    rows = dict(
        UsageDay.objects.filter(day__range=(period.first, period.last)).values_list("day", "uses")
    )
    return [(day, rows.get(day, 0)) for day in period.each_day()]


def data_range() -> tuple[date, date] | None:
    """The first and last rolled-up day, for default periods on dashboards."""
    bounds = UsageDay.objects.aggregate(first=Min("day"), last=Max("day"))
    return (bounds["first"], bounds["last"]) if bounds["first"] else None
