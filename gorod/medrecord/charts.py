"""SVG geometry of the lab results: a value against its reference range, an analyte's trend.

Pure functions from observations to coordinates; the templates draw them (colours from
record.css), server-rendered and without JavaScript. The picture is never the only carrier:
each value is printed with its flag in words and each trend is followed by its table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gorod.core.charts import short_number, y_ticks

RANGE_WIDTH, RANGE_HEIGHT = 160, 24
TREND_WIDTH, TREND_HEIGHT = 320, 120
# The analyte page's chart: narrow enough that a phone scales its labels down little.
LARGE_WIDTH, LARGE_HEIGHT = 480, 220
# Room for the y labels on the left and the date labels below.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 28, 10, 24
MAX_DATE_LABELS = 6


@dataclass(frozen=True)
class RangeBar:
    width: int
    height: int
    band_x: float  # the reference range, drawn as a band on the track
    band_width: float
    marker_x: float  # the value
    outside: bool


def _scale(low: float, high: float, width: float, pad: float = 6):
    span = high - low or 1.0

    def x_of(value: float) -> float:
        return round(pad + (width - 2 * pad) * (value - low) / span, 1)

    return x_of


def range_bar(observation) -> RangeBar | None:
    """Where the value sits against the reference range; None when there is nothing to place
    (a text result, or no numeric range at all)."""
    if observation.value is None or (
        observation.reference_low is None and observation.reference_high is None
    ):
        return None
    value = float(observation.value)
    low = float(observation.reference_low) if observation.reference_low is not None else None
    high = float(observation.reference_high) if observation.reference_high is not None else None
    # The range takes the middle half of the track, so values outside it stay on the bar.
    band_low = low if low is not None else min(0.0, value)
    band_high = high if high is not None else max(band_low * 2 or 1.0, value)
    span = (band_high - band_low) or abs(band_high) or 1.0
    start = min(band_low - span / 2, value)
    end = max(band_high + span / 2, value)
    if low is None:
        start = min(band_low, value)
    x_of = _scale(start, end, RANGE_WIDTH)
    band_x = x_of(band_low)
    return RangeBar(
        width=RANGE_WIDTH,
        height=RANGE_HEIGHT,
        band_x=band_x,
        band_width=round(x_of(band_high) - band_x, 1),
        marker_x=x_of(value),
        outside=(low is not None and value < low) or (high is not None and value > high),
    )


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # "12.03.2026: 5,4"
    outside: bool


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    large: bool
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    line: str
    points: list[Point]
    band_y: float | None  # the reference range of the latest value, as a band
    band_height: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def label_x(self) -> float:
        return self.left - 6

    @property
    def date_y(self) -> float:
        return self.height - 6


def number(value: Decimal) -> str:
    """A stored value as the laboratory wrote it: 5,4 rather than 5,4000."""
    shown = value.normalize()
    # normalize() writes 100 as 1E+2; a whole number is printed whole.
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return formats.number_format(shown, use_l10n=True)


def shown_value(observation) -> str:
    if observation.value is None:
        return observation.value_text
    return number(observation.value)


def shown_range(observation) -> str:
    """The reference range as printed: the laboratory's text, else "3,5–5,5", "до 5", "от 1"."""
    low, high = observation.reference_low, observation.reference_high
    if observation.reference_text:
        return observation.reference_text
    if low is not None and high is not None:
        return f"{number(low)}–{number(high)}"
    if high is not None:
        return _("до %(high)s") % {"high": number(high)}
    if low is not None:
        return _("от %(low)s") % {"low": number(low)}
    return ""


def trend_chart(history: Sequence, *, large: bool = False) -> TrendChart:
    """An analyte's numeric values over time (oldest first), on a time-scaled x axis."""
    width, height = (LARGE_WIDTH, LARGE_HEIGHT) if large else (TREND_WIDTH, TREND_HEIGHT)
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    latest = history[-1]
    values = [float(observation.value) for observation in history]
    bounds = [*values]
    for limit in (latest.reference_low, latest.reference_high):
        if limit is not None:
            bounds.append(float(limit))
    # The axis starts a little below the smallest value, not at zero: a lab value's
    # change matters against its range, not against nothing.
    lowest, highest = min(bounds), max(bounds)
    ticks = y_ticks(lowest * 0.9 if lowest > 0 else lowest, highest * 1.05, count=3, integer=False)
    low_tick, high_tick = ticks[0], ticks[-1]
    moments = [observation.entry.occurred_at.timestamp() for observation in history]
    first, last = moments[0], moments[-1]

    def x_of(moment: float) -> float:
        if last == first:
            return round((left + right) / 2, 1)
        return round(left + (right - left) * (moment - first) / (last - first), 1)

    def y_of(value: float) -> float:
        return round(bottom - (bottom - top) * (value - low_tick) / (high_tick - low_tick), 1)

    points = [
        Point(
            x_of(moment),
            y_of(value),
            f"{formats.date_format(timezone.localtime(observation.entry.occurred_at), 'd.m.Y')}: "
            f"{number(observation.value)}",
            observation.flag in ("H", "L", "A"),
        )
        for moment, value, observation in zip(moments, values, history, strict=True)
    ]
    band_y, band_height = None, 0.0
    if latest.reference_low is not None or latest.reference_high is not None:
        band_top = y_of(float(latest.reference_high)) if latest.reference_high is not None else top
        band_bottom = (
            y_of(float(latest.reference_low)) if latest.reference_low is not None else bottom
        )
        band_y, band_height = band_top, round(band_bottom - band_top, 1)
    step = max(1, -(-len(history) // MAX_DATE_LABELS))
    shown = list(range(0, len(history), step))
    if shown[-1] != len(history) - 1:
        shown.append(len(history) - 1)
    return TrendChart(
        large=large,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        line=" ".join(f"{point.x},{point.y}" for point in points),
        points=points,
        band_y=band_y,
        band_height=band_height,
        y_ticks=[Tick(y_of(value), short_number(value)) for value in ticks],
        x_ticks=[
            Tick(
                points[index].x,
                formats.date_format(timezone.localtime(history[index].entry.occurred_at), "m.Y"),
            )
            for index in (shown if large else sorted({0, len(history) - 1}))
        ],
    )
