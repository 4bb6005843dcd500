"""The tables of the analytics pages: one definition for the HTML and the CSV export.

A table holds raw values (ints, floats, dates, text) and the kind of each column; the
page prints them for people ("1 234 567", "25,3 %"), the CSV for spreadsheets. On the
public page a count below GOROD_PUBLIC_MIN_COUNT is a `Hidden` value, printed as
"меньше 10" in both, and the figures derived from it (shares, averages) are hidden too.

CSV files are written for Excel as a Russian office opens them: UTF-8 with a byte-order
mark (without it Excel reads Cyrillic as cp1251), semicolon-separated, decimal comma,
dates as YYYY-MM-DD, shares in percent.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import dateformat, formats
from django.utils.translation import gettext as _

from gorod.analytics import rules

TEXT, DATE, COUNT = "text", "date", "count"
DECIMAL, PERCENT, CHANGE = "decimal", "percent", "change"
NUMERIC = {COUNT, DECIMAL, PERCENT, CHANGE}
CSV_DELIMITER = ";"


@dataclass(frozen=True)
class Hidden:
    """A figure withheld from the public: too few to show without identifying anyone."""

    below: int

    def __str__(self) -> str:
        return _("меньше %(count)d") % {"count": self.below}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass(frozen=True)
class Table:
    slug: str  # the export's name: /analytics/export/<slug>.csv
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]

    def html_rows(self) -> list[list[tuple[str, bool]]]:
        """Each cell as (text, numeric) for the template."""
        return [
            [
                (html_value(value, column.kind), column.numeric)
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def html_value(value: object, kind: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, Hidden):
        return str(value)
    if kind == DATE:
        return dateformat.format(value, "j E Y")
    if kind == COUNT:
        return formats.number_format(value, force_grouping=True)
    # number_format cuts decimals off; rounding first prints 15,38 % as 15,4 %.
    if kind == DECIMAL:
        return formats.number_format(round(value, 2), decimal_pos=2, force_grouping=True)
    if kind == PERCENT:
        return f"{formats.number_format(round(value * 100, 1), decimal_pos=1)} %"
    if kind == CHANGE:
        sign = "+" if value > 0 else ("−" if value < 0 else "")
        return f"{sign}{formats.number_format(round(abs(value) * 100, 1), decimal_pos=1)} %"
    return str(value)


def csv_value(value: object, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Hidden):
        return str(value)
    if kind == DATE:
        return value.isoformat()
    if kind == COUNT:
        return str(value)
    if kind == DECIMAL:
        return f"{value:.4f}".replace(".", ",")
    if kind in (PERCENT, CHANGE):
        return f"{value * 100:.2f}".replace(".", ",")
    return str(value)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(
        [
            f"{column.title}, %" if column.kind in (PERCENT, CHANGE) else column.title
            for column in table.columns
        ]
    )
    for row in table.rows:
        writer.writerow(
            [
                csv_value(value, column.kind)
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_filename(table: Table, period: rules.Period, prefix: str = "gorod") -> str:
    return f"{prefix}-{table.slug}-{period.first.isoformat()}_{period.last.isoformat()}.csv"


def public(value: int, min_count: int) -> int | Hidden:
    """A count as the public may see it."""
    return value if value >= min_count else Hidden(min_count)


def public_derived(value, count: int, min_count: int):
    """A figure derived from `count` (a share, an average): withheld with it."""
    return value if count >= min_count else None


def period_label(period: rules.Period) -> str:
    return _("%(first)s — %(last)s") % {
        "first": dateformat.format(period.first, "j E Y"),
        "last": dateformat.format(period.last, "j E Y"),
    }


def day_label(day: date) -> str:
    return dateformat.format(day, "j E Y")
