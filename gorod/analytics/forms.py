"""The period filters of the analytics pages, and their defaults.

The dashboard and the open-data page are GET forms, so every view of them is a link that
can be shared; a query without any period field shows the default period.
"""

import calendar
from datetime import date, timedelta

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.analytics import rules, selectors
from gorod.core.errors import DomainError

DEFAULT_DAYS = 30
# A year earlier, on the same days of the week: demand differs between a Monday and a
# Sunday more than between two years' same week, so 52 weeks compare better than 365 days.
YEAR_EARLIER = timedelta(weeks=52)


def last_days(data_range: tuple[date, date] | None, today: date, days: int) -> rules.Period:
    """The last `days` rolled-up days (fewer if the data is younger); before any rollup,
    the days up to today, which are empty but make a valid form."""
    if data_range is None:
        return rules.Period(today - timedelta(days=days - 1), today)
    first, last = data_range
    return rules.Period(max(first, last - timedelta(days=days - 1)), last)


def last_full_month(data_range: tuple[date, date] | None, today: date) -> rules.Period:
    """The last calendar month that the rollups cover to its end (the month of the last
    rolled-up day if that is the month's last day, else the month before)."""
    last = data_range[1] if data_range else today
    if last.day != calendar.monthrange(last.year, last.month)[1]:
        last = last.replace(day=1) - timedelta(days=1)
    return rules.Period(last.replace(day=1), last)


def year_to_date(period: rules.Period, data_first: date | None) -> rules.Period | None:
    """From January 1st (or the first day with data, if later) to the end of `period`;
    None if that is `period` itself, whose figures would only repeat."""
    first = period.last.replace(month=1, day=1)
    if data_first is not None and first < data_first <= period.first:
        first = data_first
    return None if first >= period.first else rules.Period(first, period.last)


class Compare(models.TextChoices):
    PREVIOUS = "previous", gettext_lazy("предыдущим периодом той же длины")
    YEAR = "year", gettext_lazy("тем же периодом год назад (52 недели)")
    CUSTOM = "custom", gettext_lazy("своими датами (ниже)")
    NONE = "none", gettext_lazy("не сравнивать")


def comparison_of(period: rules.Period, compare: str) -> rules.Period | None:
    if compare == Compare.PREVIOUS:
        return rules.Period(
            period.first - timedelta(days=period.days), period.first - timedelta(days=1)
        )
    if compare == Compare.YEAR:
        return rules.Period(period.first - YEAR_EARLIER, period.last - YEAR_EARLIER)
    return None


def _date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={
                "type": "date",
                "min": rules.FIRST_DAY.isoformat(),
                "max": rules.LAST_DAY.isoformat(),
            },
        ),
    )


class PeriodForm(forms.Form):
    """A reporting period: `from` and `to` (keywords in Python, so added in __init__)."""

    period_fields = ("from", "to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {
            "from": _date_field(gettext_lazy("Начало периода")),
            "to": _date_field(gettext_lazy("Конец периода")),
        }
        # Declared fields (the comparison) come after the period.
        self.fields = {**fields, **self.fields}

    @classmethod
    def from_query(cls, query, defaults: dict[str, str]):
        """Bound to the query string, or to `defaults` when it names no period field (the
        first visit), so both are validated the same way."""
        if not any(name in query for name in cls.base_fields.keys() | set(cls.period_fields)):
            return cls(defaults)
        return cls(query)

    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first and last:
            try:
                data["period"] = selectors.period_of(first, last)
            except DomainError as error:
                self.add_error(error.field, str(error.message))
        return data

    @property
    def period(self) -> rules.Period:
        return self.cleaned_data["period"]


class DashboardForm(PeriodForm):
    # Optional so that a link with dates alone compares with the period just before.
    compare = forms.ChoiceField(
        label=gettext_lazy("Сравнить с"), choices=Compare.choices, required=False
    )
    compare_from = _date_field(
        gettext_lazy("Начало периода сравнения"),
        required=False,
    )
    compare_to = _date_field(
        gettext_lazy("Конец периода сравнения"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if "period" not in data:
            return data
        compare = data["compare"] = data.get("compare") or Compare.PREVIOUS
        if compare == Compare.CUSTOM:
            first, last = data.get("compare_from"), data.get("compare_to")
            for name, value in (("compare_from", first), ("compare_to", last)):
                if value is None and name not in self.errors:
                    self.add_error(name, _("Укажите дату, чтобы сравнить со своими датами."))
            if first and last:
                try:
                    data["comparison"] = selectors.period_of(
                        first, last, fields=("compare_from", "compare_to")
                    )
                except DomainError as error:
                    self.add_error(error.field, str(error.message))
        elif compare:
            data["comparison"] = comparison_of(data["period"], compare)
        return data

    @property
    def comparison(self) -> rules.Period | None:
        return self.cleaned_data.get("comparison")
