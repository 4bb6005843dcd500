"""SVG geometry of every app's charts: pure functions from series to coordinates.

The templates draw what these return (colours come from CSS classes in site.css), so a
chart is server-rendered, works without JavaScript and passes the CSP. Every chart on a
page is followed by a table of the same numbers; the geometry here is only the picture.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import dateformat, formats
from django.utils.translation import gettext as _

LINE_WIDTH = 720
LINE_HEIGHT = 260
# Room for the y-axis labels on the left and the month labels below the plot.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 12, 12, 30
BAR_WIDTH = 720
BAR_ROW = 40  # a label line above each bar, then the bar
BAR_THICKNESS = 14
BAR_VALUE_ROOM = 110  # the value printed after the longest bar
# SVG text does not wrap: longer labels are cut (the table below has them whole).
BAR_LABEL_CHARS = 90
MAX_X_LABELS = 12
X_LABEL_ROOM = 55  # "янв 2025" needs about this much room on the x axis


@dataclass(frozen=True)
class Tick:
    position: float  # x or y in the chart's coordinates
    label: str


@dataclass(frozen=True)
class LineSeries:
    css_class: str
    # Polylines: a gap in the data (None) splits the line instead of drawing it to zero.
    segments: list[str]
    # Lone points between gaps, drawn as dots so that they do not vanish.
    dots: list[tuple[float, float]]
    area: str | None  # the closed path under the line, for the main series


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[LineSeries]

    @property
    def plot_width(self) -> float:
        return self.right - self.left


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    value_label: str
    y: float  # top of the row; the label sits on this line, the bar under it
    width: float
    label_y: float
    bar_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    bars: list[Bar]


def nice_step(raw: float, *, integer: bool = False) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw` (raw > 0); for counts
    only whole steps (no axis at "2,5 uses")."""
    if integer and raw <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if integer and step != int(step):
            continue
        if step >= raw * (1 - 1e-9):
            return step
    raise AssertionError("unreachable: factor 10 always covers raw")


def y_ticks(low: float, high: float, *, count: int = 5, integer: bool = True) -> list[float]:
    """Round tick values from `low` up to at least `high`, about `count` intervals; an
    empty or flat series still gets an axis."""
    if high <= low:
        high = low + 1
    step = nice_step((high - low) / count, integer=integer)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(first + step * len(ticks), 6))
    return ticks


def short_number(value: float) -> str:
    """An axis label: 1 500 000 → "1,5 млн", 12 000 → "12 тыс.", 2.5 → "2,5"."""
    for size, word in ((1e9, _("млрд")), (1e6, _("млн")), (1e3, _("тыс."))):
        if abs(value) >= size:
            return f"{_decimal(value / size)} {word}"
    return _decimal(value)


def _decimal(value: float) -> str:
    # Two decimals at most, and only as many as the value needs: "1,25 тыс.", "2,5", "3".
    rounded = round(value, 2)
    if rounded == int(rounded):
        return formats.number_format(int(rounded), force_grouping=True)
    decimals = 1 if round(rounded, 1) == rounded else 2
    return formats.number_format(rounded, decimal_pos=decimals)


def x_ticks(first: date, days: int, max_labels: int = MAX_X_LABELS) -> list[tuple[int, str]]:
    """(day index, label) pairs for the x axis of `days` days starting at `first`.

    Up to two months: a label a week (or every day or two for a short period), as
    "5 мар"; up to a year: the first day of each month ("мар", the year added in
    January); up to two years: quarters; longer: years.
    """
    if days <= 0:
        return []
    if days <= 62:
        step = 7 if days > 14 else (2 if days > 7 else 1)
        return [
            (index, _day_label(first + timedelta(days=index))) for index in range(0, days, step)
        ]
    starts = [
        (index, first + timedelta(days=index))
        for index in range(days)
        if (first + timedelta(days=index)).day == 1
    ]
    if len(starts) > 3 * max_labels:
        return [(index, str(day.year)) for index, day in starts if day.month == 1]
    if len(starts) > max_labels:
        starts = [(index, day) for index, day in starts if day.month % 3 == 1]
    # The year is named in January and on the first label, so every label can be placed.
    return [
        (index, _month_label(day, with_year=number == 0 or day.month == 1))
        for number, (index, day) in enumerate(starts)
    ]


def _day_label(day: date) -> str:
    return f"{day.day} {dateformat.format(day, 'M').lower()}"


def _month_label(day: date, *, with_year: bool) -> str:
    month = dateformat.format(day, "M").lower()
    return f"{month} {day.year}" if with_year else month


def line_chart(
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    first_day: date,
    y_range: tuple[float, float] | None = None,
    integer: bool = True,
    area: bool = True,
    width: int = LINE_WIDTH,
    height: int = LINE_HEIGHT,
) -> LineChart:
    """A line chart of daily values: `series` is [(css class, values by day index)].

    The first series is the main one (filled beneath when `area`); others, such as the
    comparison period aligned day by day, are lines over it. The x axis is labelled
    with the days of the main series, from `first_day`. `y_range` fixes the axis (the
    average rating lives between 1 and 5); otherwise it runs from 0 to round ticks
    above the largest value.
    """
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    length = max((len(values) for _css, values in series), default=0)
    present = [v for _css, values in series for v in values if v is not None]
    if y_range is not None:
        ticks = y_ticks(y_range[0], y_range[1], count=4, integer=integer)
    else:
        ticks = y_ticks(0, max(present, default=0), integer=integer)
    low, high = ticks[0], ticks[-1]

    def x_of(index: int) -> float:
        if length <= 1:
            return (left + right) / 2
        return left + (right - left) * index / (length - 1)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    drawn = []
    for number, (css_class, values) in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(values):
            if value is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((round(x_of(index), 1), round(y_of(value), 1)))
        runs = [run for run in runs if run]
        segments = [" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1]
        dots = [run[0] for run in runs if len(run) == 1]
        area_path = None
        if area and number == 0 and len(runs) == 1 and len(runs[0]) > 1:
            points = runs[0]
            base = round(y_of(low), 1)
            area_path = (
                f"M{points[0][0]},{base} "
                + " ".join(f"L{x},{y}" for x, y in points)
                + f" L{points[-1][0]},{base} Z"
            )
        drawn.append(LineSeries(css_class, segments, dots, area_path))
    main_days = len(series[0][1]) if series else 0
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=[Tick(round(y_of(value), 1), short_number(value)) for value in ticks],
        x_ticks=[
            Tick(round(x_of(index), 1), label)
            for index, label in x_ticks(first_day, main_days, int((right - left) // X_LABEL_ROOM))
        ],
        series=drawn,
    )


def bar_chart(rows: Sequence[tuple[str, float | None, str]], *, width: int = BAR_WIDTH) -> BarChart:
    """Horizontal bars: `rows` is [(label, value or None when hidden, value as printed)].

    Bars are scaled to the largest value; a hidden or zero value draws no bar but keeps
    its row, so the printed value ("меньше 10") still stands next to the label.
    """
    largest = max((value for _label, value, _text in rows if value), default=0)
    room = width - BAR_VALUE_ROOM
    bars = []
    for index, (label, value, value_label) in enumerate(rows):
        y = index * BAR_ROW
        length = room * value / largest if value and largest else 0.0
        bar_y = y + 20
        bars.append(
            Bar(
                label=_cut(label, BAR_LABEL_CHARS),
                full_label=label,
                value_label=value_label,
                y=y,
                width=round(length, 1),
                label_y=y + 14,
                bar_y=bar_y,
                value_x=round(length + 6, 1),
                value_y=bar_y + BAR_THICKNESS - 2,
            )
        )
    return BarChart(
        width=width, height=max(BAR_ROW, BAR_ROW * len(rows)), bar_height=BAR_THICKNESS, bars=bars
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
