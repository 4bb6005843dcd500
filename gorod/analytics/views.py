"""Analytics pages: the analysts' dashboard, the public open-data page, their CSV exports.

Thin views over the selectors, which read the daily rollups only: a year answers from
about 365 rows per portal-wide figure, never from the events. Each page's figures are
read once per request into a `*Figures` object whose properties run only the queries
the requested page or table needs.
"""

from collections.abc import Callable
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gorod.analytics import rules, selectors
from gorod.analytics import tables as t
from gorod.analytics.applications_port import applications_figures_for
from gorod.analytics.applications_tables import (
    applications_channels_table,
    applications_context,
    applications_table,
)
from gorod.analytics.forms import (
    DEFAULT_DAYS,
    Compare,
    DashboardForm,
    PeriodForm,
    last_days,
    last_full_month,
    year_to_date,
)
from gorod.analytics.models import Channel
from gorod.analytics.ratings import rating_figures_for
from gorod.analytics.services import analytics_zone
from gorod.analytics.tables import Column
from gorod.core import charts

# The page shows the leaders; the CSV export of the same table lists every service.
DASHBOARD_TOP = 10
RATED_SERVICES_SHOWN = 20
PUBLIC_TOP = 10
# Large enough to rank every service in the catalog (the selectors take a `top`).
EVERY_SERVICE = 100_000
# Charts are drawn at the size they are shown on a desktop (text at its natural size) and
# shrink with the screen: the main series across the page, the others in half a row.
WIDE = 960
HALF = 540


def _require_analyst(request) -> None:
    # Not "forbidden": without the permission the dashboard does not exist for you.
    if not selectors.can_view_analytics(request.user):
        raise Http404


def _today() -> date:
    return timezone.now().astimezone(analytics_zone()).date()


def _csv_response(table: t.Table, period: rules.Period, prefix: str) -> HttpResponse:
    response = HttpResponse(t.csv_bytes(table), content_type="text/csv; charset=utf-8")
    filename = t.csv_filename(table, period, prefix)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _headline(report: selectors.UsageReport, ratings, ratings_previous) -> list:
    """(label, value, note) of the figures at the top of the dashboard; notes compare
    with the comparison period."""
    current, previous = report.current, report.comparison

    def count(value) -> str:
        return t.html_value(value, t.COUNT)

    def change(value: float | None) -> str:
        if previous is None:
            return ""
        if value is None:
            return _("в период сравнения данных нет")
        return _("%(change)s к периоду сравнения") % {"change": t.html_value(value, t.CHANGE)}

    ratings_change = None
    if ratings_previous is not None:
        ratings_change = rules.relative_change(ratings.count, ratings_previous.count)
    return [
        (
            _("Обращений"),
            count(current.uses),
            _("в период сравнения: %(uses)s") % {"uses": count(previous.uses)} if previous else "",
        ),
        (
            _("В среднем в день"),
            count(round(current.daily_average)),
            change(report.daily_average_change),
        ),
        (_("Уникальных пользователей"), count(current.users), ""),
        (_("Оценок"), count(ratings.count), change(ratings_change)),
        (_("Средняя оценка"), t.html_value(ratings.average, t.DECIMAL), ""),
        (_("Доля «отлично»"), t.html_value(ratings.excellent_share, t.PERCENT), ""),
    ]


def _bars_desc(rows: list[tuple[str, object]]) -> str:
    """The first few bars in words, for the chart's <desc> (the table has them all)."""
    shown = "; ".join(f"{label} — {value}" for label, value in rows[:3])
    if len(rows) > 3:
        shown += "; …"
    return shown or _("Нет данных за период.")


def _line_desc(values: list[int | None], kind: str = t.COUNT) -> str:
    present = [value for value in values if value is not None]
    if not present:
        return _("Нет данных за период.")
    return _("От %(low)s до %(high)s в день.") % {
        "low": t.html_value(min(present), kind),
        "high": t.html_value(max(present), kind),
    }


# ---- The analysts' dashboard ---------------------------------------------------------


class DashboardFigures:
    def __init__(self, period: rules.Period, comparison: rules.Period | None):
        self.period = period
        self.comparison = comparison

    @cached_property
    def report(self) -> selectors.UsageReport:
        # Every service is ranked (the same queries as the top ten) so that the services'
        # export is complete and each service finds its figure in the comparison period.
        return selectors.usage_report(self.period, self.comparison, top=EVERY_SERVICE)

    @cached_property
    def channels(self) -> dict[str, int]:
        return selectors.usage_by_channel(self.period)

    @cached_property
    def ratings(self):
        return rating_figures_for(self.period)

    @cached_property
    def ratings_comparison(self):
        return rating_figures_for(self.comparison) if self.comparison else None

    @cached_property
    def applications(self) -> rules.ApplicationsFigures:
        return applications_figures_for(self.period)

    @cached_property
    def category_titles(self) -> dict[str, str]:
        return {row.slug: row.title for row in self.report.current.categories}

    # -- tables: the same rows on the page and in the CSV

    def daily_table(self) -> t.Table:
        columns = [Column(_("День"), t.DATE), Column(_("Обращений"), t.COUNT)]
        current = self.report.current.daily
        rows = [[day, uses] for day, uses in current]
        if self.report.comparison is not None:
            columns += [
                Column(_("День периода сравнения"), t.DATE),
                Column(_("Обращений в период сравнения"), t.COUNT),
            ]
            previous = self.report.comparison.daily
            for index, row in enumerate(rows):
                row.extend(previous[index] if index < len(previous) else (None, None))
            # A longer comparison period keeps its extra days, against empty cells.
            rows.extend([None, None, day, uses] for day, uses in previous[len(current) :])
        return t.Table("daily", _("Обращения по дням"), columns, rows)

    def channels_table(self) -> t.Table:
        total = sum(self.channels.values())
        return t.Table(
            "channels",
            _("Обращения по каналам"),
            [Column(_("Канал")), *_count_share_columns()],
            [
                [Channel(channel).label, uses, rules.share(uses, total)]
                for channel, uses in self.channels.items()
            ],
        )

    def services_table(self, *, limit: int | None = None) -> t.Table:
        current = self.report.current.top_services[:limit]
        columns = [Column(_("Услуга")), Column(_("Категория")), *_count_share_columns()]
        comparison = self.report.comparison
        previous = {row.slug: row.uses for row in comparison.top_services} if comparison else {}
        if comparison is not None:
            columns += _comparison_columns(_("Обращений"))
        rows = []
        for row in current:
            cells = [row.title, self.category_titles.get(row.category, ""), row.uses, row.share]
            if comparison is not None:
                before = previous.get(row.slug, 0)
                cells += [before, rules.relative_change(row.uses, before)]
            rows.append(cells)
        return t.Table("services", _("Услуги по числу обращений"), columns, rows)

    def categories_table(self) -> t.Table:
        columns = [Column(_("Категория")), *_count_share_columns()]
        comparison = self.report.comparison
        previous = {row.slug: row.uses for row in comparison.categories} if comparison else {}
        if comparison is not None:
            columns += _comparison_columns(_("Обращений"))
        rows = []
        for row in self.report.current.categories:
            cells = [row.title, row.uses, row.share]
            if comparison is not None:
                before = previous.get(row.slug, 0)
                cells += [before, rules.relative_change(row.uses, before)]
            rows.append(cells)
        return t.Table("categories", _("Обращения по категориям"), columns, rows)

    def ratings_daily_table(self) -> t.Table:
        return t.Table(
            "ratings-daily",
            _("Оценки по дням"),
            [
                Column(_("День"), t.DATE),
                Column(_("Оценок"), t.COUNT),
                Column(_("Средняя оценка"), t.DECIMAL),
            ],
            [[day, count, average] for day, count, average in self.ratings.daily],
        )

    def ratings_distribution_table(self) -> t.Table:
        columns = [Column(_("Оценка")), *_count_share_columns(_("Оценок"))]
        previous = self.ratings_comparison
        if previous is not None:
            columns += _comparison_columns(_("Оценок"))
        rows = []
        for stars in sorted(self.ratings.distribution, reverse=True):
            count = self.ratings.distribution[stars]
            cells = [stars_label(stars), count, rules.share(count, self.ratings.count)]
            if previous is not None:
                before = previous.distribution.get(stars, 0)
                cells += [before, rules.relative_change(count, before)]
            rows.append(cells)
        return t.Table("ratings-distribution", _("Распределение оценок"), columns, rows)

    def ratings_services_table(self, *, limit: int | None = None) -> t.Table:
        columns = [
            Column(_("Услуга")),
            Column(_("Оценок"), t.COUNT),
            Column(_("Средняя оценка"), t.DECIMAL),
            Column(_("Доля «отлично»"), t.PERCENT),
        ]
        previous = self.ratings_comparison
        before_by_slug = {row.slug: row.count for row in previous.by_service} if previous else {}
        if previous is not None:
            columns += _comparison_columns(_("Оценок"))
        rows = []
        for row in self.ratings.by_service[:limit]:
            cells = [row.title, row.count, row.average, row.excellent_share]
            if previous is not None:
                before = before_by_slug.get(row.slug, 0)
                cells += [before, rules.relative_change(row.count, before)]
            rows.append(cells)
        return t.Table("ratings-services", _("Оценки по услугам"), columns, rows)

    def tables(self) -> dict[str, Callable[[], t.Table]]:
        return {
            "daily": self.daily_table,
            "channels": self.channels_table,
            "services": self.services_table,
            "categories": self.categories_table,
            "ratings-daily": self.ratings_daily_table,
            "ratings-distribution": self.ratings_distribution_table,
            "ratings-services": self.ratings_services_table,
            "applications": lambda: applications_table(self.applications),
            "applications-channels": lambda: applications_channels_table(self.applications),
        }


def _count_share_columns(title: str | None = None) -> list[t.Column]:
    return [Column(title or _("Обращений"), t.COUNT), Column(_("Доля"), t.PERCENT)]


def _comparison_columns(title: str) -> list[t.Column]:
    return [
        Column(_("%(what)s в период сравнения") % {"what": title}, t.COUNT),
        Column(_("Изменение"), t.CHANGE),
    ]


def stars_label(stars: int) -> str:
    labels = {5: _("5 — отлично"), 4: _("4 — хорошо"), 3: _("3"), 2: _("2"), 1: _("1 — плохо")}
    return labels[stars]


def _dashboard_form(request) -> DashboardForm:
    default = last_days(selectors.data_range(), _today(), DEFAULT_DAYS)
    return DashboardForm.from_query(
        request.GET,
        {"from": default.first, "to": default.last, "compare": Compare.PREVIOUS},
    )


def _dashboard_query(form: DashboardForm) -> str:
    """The checked period as a query string, for the export links."""
    data = form.cleaned_data
    params = {"from": data["from"], "to": data["to"], "compare": data["compare"]}
    if data["compare"] == Compare.CUSTOM:
        params |= {"compare_from": data["compare_from"], "compare_to": data["compare_to"]}
    return urlencode(params)


@require_safe
def dashboard(request):
    _require_analyst(request)
    form = _dashboard_form(request)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    figures = DashboardFigures(form.period, form.comparison)
    report, ratings = figures.report, figures.ratings
    current, previous = report.current, report.comparison
    ratings_previous = figures.ratings_comparison
    top = current.top_services[:DASHBOARD_TOP]
    channels = figures.channels_table()
    categories = figures.categories_table()
    distribution = figures.ratings_distribution_table()
    daily_series = [("chart-series-main", [uses for _day, uses in current.daily])]
    if previous is not None:
        daily_series.append(("chart-series-compare", [uses for _day, uses in previous.daily]))
    context = {
        "form": form,
        "query": _dashboard_query(form),
        "period": form.period,
        "comparison": form.comparison,
        "period_label": t.period_label(form.period),
        "comparison_label": t.period_label(form.comparison) if form.comparison else "",
        "current": current,
        "previous": previous,
        "headline": _headline(report, ratings, ratings_previous),
        "ratings": ratings,
        "ratings_previous": ratings_previous,
        "daily_chart": charts.line_chart(daily_series, first_day=form.period.first, width=WIDE),
        "daily_desc": _line_desc([uses for _day, uses in current.daily]),
        "daily_table": figures.daily_table(),
        "channels_chart": _bars_of(channels, value=1, width=HALF),
        "channels_table": channels,
        "services_chart": charts.bar_chart(
            [(row.title, row.uses, t.html_value(row.uses, t.COUNT)) for row in top]
        ),
        "services_desc": _bars_desc([(row.title, t.html_value(row.uses, t.COUNT)) for row in top]),
        "services_table": figures.services_table(limit=DASHBOARD_TOP),
        "categories_chart": _bars_of(categories, value=1, width=HALF),
        "categories_table": categories,
        "ratings_count_chart": charts.line_chart(
            [("chart-series-main", [count for _day, count, _avg in ratings.daily])],
            first_day=form.period.first,
            width=HALF,
        ),
        "ratings_count_desc": _line_desc([count for _day, count, _avg in ratings.daily]),
        "ratings_average_chart": charts.line_chart(
            [("chart-series-rating", [average for _day, _count, average in ratings.daily])],
            first_day=form.period.first,
            y_range=(1, 5),
            area=False,
            width=HALF,
        ),
        "ratings_average_desc": _line_desc(
            [average for _day, _count, average in ratings.daily], t.DECIMAL
        ),
        "ratings_daily_table": figures.ratings_daily_table(),
        "distribution_chart": _bars_of(distribution, value=1),
        "distribution_table": distribution,
        "ratings_services_table": figures.ratings_services_table(limit=RATED_SERVICES_SHOWN),
        "rated_services": len(ratings.by_service),
        "rated_services_shown": RATED_SERVICES_SHOWN,
    }
    context |= applications_context(figures.applications, limit=DASHBOARD_TOP, width=HALF)
    context["channels_desc"] = _bars_desc(_labelled(channels, 1))
    context["categories_desc"] = _bars_desc(_labelled(categories, 1))
    context["distribution_desc"] = _bars_desc(_labelled(distribution, 1))
    return render(request, "analytics/dashboard.html", context)


def _bars_of(table: t.Table, *, value: int, width: int = charts.BAR_WIDTH) -> charts.BarChart:
    """Bars of a table's first column against its column `value`."""
    kind = table.columns[value].kind
    return charts.bar_chart(
        [
            (
                str(row[0]),
                None if isinstance(row[value], t.Hidden) else row[value],
                t.html_value(row[value], kind),
            )
            for row in table.rows
        ],
        width=width,
    )


def _labelled(table: t.Table, value: int) -> list[tuple[str, str]]:
    kind = table.columns[value].kind
    return [(str(row[0]), t.html_value(row[value], kind)) for row in table.rows]


@require_safe
def dashboard_export(request, table: str):
    _require_analyst(request)
    form = _dashboard_form(request)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    figures = DashboardFigures(form.period, form.comparison)
    build = figures.tables().get(table)
    if build is None:
        raise Http404
    return _csv_response(build(), form.period, "gorod")


# ---- The public open-data page -------------------------------------------------------


class OpenDataFigures:
    """City-wide figures for everyone: counts below the threshold are withheld."""

    def __init__(self, period: rules.Period, data_range: tuple[date, date] | None):
        self.period = period
        self.year = year_to_date(period, data_range[0] if data_range else None)
        self.min_count = settings.GOROD_PUBLIC_MIN_COUNT

    @cached_property
    def report(self) -> selectors.UsageReport:
        return selectors.usage_report(self.period, top=PUBLIC_TOP)

    @cached_property
    def year_report(self) -> selectors.UsageReport | None:
        # Totals only: the year's list of services would only be thrown away.
        return selectors.usage_report(self.year, top=0) if self.year else None

    @cached_property
    def ratings(self):
        return rating_figures_for(self.period)

    @cached_property
    def year_ratings(self):
        return rating_figures_for(self.year) if self.year else None

    def _public(self, value: int) -> int | t.Hidden:
        return t.public(value, self.min_count)

    def _derived(self, value, count: int):
        return t.public_derived(value, count, self.min_count)

    def totals_table(self) -> t.Table:
        """One row per period: the chosen one and, unless it starts the year, the year to
        its end."""
        periods = [(self.period, self.report.current, self.ratings)]
        if self.year:
            periods.append((self.year, self.year_report.current, self.year_ratings))
        rows = [
            [
                t.period_label(period),
                self._public(usage.uses),
                self._derived(round(usage.daily_average), usage.uses),
                self._public(usage.users),
                self._public(ratings.count),
                self._derived(ratings.average, ratings.count),
                self._derived(ratings.excellent_share, ratings.count),
            ]
            for period, usage, ratings in periods
        ]
        return t.Table(
            "totals",
            _("Итоги по городу"),
            [
                Column(_("Период")),
                Column(_("Обращений"), t.COUNT),
                Column(_("В среднем в день"), t.COUNT),
                Column(_("Уникальных пользователей"), t.COUNT),
                Column(_("Оценок"), t.COUNT),
                Column(_("Средняя оценка"), t.DECIMAL),
                Column(_("Доля «отлично»"), t.PERCENT),
            ],
            rows,
        )

    def daily_table(self) -> t.Table:
        return t.Table(
            "daily",
            _("Обращения по дням"),
            [Column(_("День"), t.DATE), Column(_("Обращений"), t.COUNT)],
            [[day, self._public(uses)] for day, uses in self.report.current.daily],
        )

    def services_table(self) -> t.Table:
        rated = {row.slug: row for row in self.ratings.by_service}
        rows = []
        for row in self.report.current.top_services:
            rating = rated.get(row.slug)
            count = rating.count if rating else 0
            rows.append(
                [
                    row.title,
                    self._public(row.uses),
                    self._derived(row.share, row.uses),
                    self._public(count),
                    self._derived(rating.average, count) if rating else None,
                    self._derived(rating.excellent_share, count) if rating else None,
                ]
            )
        return t.Table(
            "services",
            _("Самые востребованные услуги"),
            [
                Column(_("Услуга")),
                Column(_("Обращений"), t.COUNT),
                Column(_("Доля"), t.PERCENT),
                Column(_("Оценок"), t.COUNT),
                Column(_("Средняя оценка"), t.DECIMAL),
                Column(_("Доля «отлично»"), t.PERCENT),
            ],
            rows,
        )

    def categories_table(self) -> t.Table:
        return t.Table(
            "categories",
            _("Обращения по категориям"),
            [Column(_("Категория")), *_count_share_columns()],
            [
                [row.title, self._public(row.uses), self._derived(row.share, row.uses)]
                for row in self.report.current.categories
            ],
        )

    def tables(self) -> dict[str, Callable[[], t.Table]]:
        return {
            "totals": self.totals_table,
            "daily": self.daily_table,
            "services": self.services_table,
            "categories": self.categories_table,
        }


def _open_data_form(request, data_range) -> PeriodForm:
    default = last_full_month(data_range, _today())
    return PeriodForm.from_query(request.GET, {"from": default.first, "to": default.last})


@require_safe
def open_data(request):
    data_range = selectors.data_range()
    form = _open_data_form(request, data_range)
    if not form.is_valid():
        return render(request, "analytics/open_data.html", {"form": form}, status=400)
    figures = OpenDataFigures(form.period, data_range)
    daily = figures.daily_table()
    services = figures.services_table()
    daily_values = [None if isinstance(uses, t.Hidden) else uses for _day, uses in daily.rows]
    totals = figures.totals_table()
    # The chosen period's row of the totals, as the figures at the top of the page.
    headline = [
        (column.title, text)
        for column, (text, _numeric) in zip(
            totals.columns[1:], totals.html_rows()[0][1:], strict=True
        )
    ]
    return render(
        request,
        "analytics/open_data.html",
        {
            "form": form,
            "query": urlencode({"from": form.period.first, "to": form.period.last}),
            "period_label": t.period_label(form.period),
            "min_count": figures.min_count,
            "totals_table": totals,
            "headline": headline,
            "daily_chart": charts.line_chart(
                [("chart-series-main", daily_values)], first_day=form.period.first, width=WIDE
            ),
            "daily_desc": _line_desc(daily_values),
            "daily_table": daily,
            "services_chart": _bars_of(services, value=1),
            "services_desc": _bars_desc(_labelled(services, 1)),
            "services_table": services,
            "categories_table": figures.categories_table(),
        },
    )


@require_safe
def open_data_export(request, table: str):
    data_range = selectors.data_range()
    form = _open_data_form(request, data_range)
    if not form.is_valid():
        return render(request, "analytics/open_data.html", {"form": form}, status=400)
    build = OpenDataFigures(form.period, data_range).tables().get(table)
    if build is None:
        raise Http404
    return _csv_response(build(), form.period, "gorod-open-data")
