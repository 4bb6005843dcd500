from datetime import date

import pytest
from django.utils import translation

from gorod.core import charts


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (11, [0, 5, 10, 15]),
        (99, [0, 20, 40, 60, 80, 100]),
        (1234, [0, 250, 500, 750, 1000, 1250]),
        (2_345_678, [0, 500_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000]),
    ],
)
def test_count_axes_have_round_whole_ticks_covering_the_maximum(high, ticks):
    assert charts.y_ticks(0, high) == ticks


def test_a_fixed_range_keeps_its_ends_and_decimal_steps_are_allowed():
    assert charts.y_ticks(1, 5, count=4) == [1, 2, 3, 4, 5]
    assert charts.y_ticks(0, 1, integer=False) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert charts.nice_step(0.7, integer=True) == 1
    assert charts.nice_step(2.2) == 2.5
    assert charts.nice_step(2.2, integer=True) == 5


def test_axis_labels_are_short_russian_numbers():
    assert charts.short_number(0) == "0"
    assert charts.short_number(750) == "750"
    assert charts.short_number(1250) == "1,25 тыс."
    assert charts.short_number(2_500_000) == "2,5 млн"
    assert charts.short_number(3_000_000_000) == "3 млрд"


def test_short_periods_are_labelled_by_day_long_ones_by_month_quarter_or_year():
    assert charts.x_ticks(date(2025, 3, 1), 3) == [(0, "1 мар"), (1, "2 мар"), (2, "3 мар")]
    assert [index for index, _ in charts.x_ticks(date(2025, 3, 1), 30)] == [0, 7, 14, 21, 28]
    year = charts.x_ticks(date(2025, 1, 1), 365)
    assert year[0] == (0, "янв 2025")
    assert year[1] == (31, "фев")
    assert len(year) == 12
    quarters = charts.x_ticks(date(2025, 1, 15), 600)
    assert [label for _, label in quarters] == ["апр 2025", "июл", "окт", "янв 2026", "апр", "июл"]
    years = charts.x_ticks(date(2020, 1, 25), 3000)
    assert [label for _, label in years][:2] == ["2021", "2022"]
    assert charts.x_ticks(date(2025, 1, 1), 0) == []


def test_line_chart_scales_values_into_the_plot():
    chart = charts.line_chart([("main", [0, 50, 100])], first_day=date(2025, 3, 1))
    (series,) = chart.series
    points = [tuple(map(float, point.split(","))) for point in series.segments[0].split()]
    assert [x for x, _ in points] == [chart.left, (chart.left + chart.right) / 2, chart.right]
    assert points[0][1] == chart.bottom  # 0 on the baseline
    assert points[2][1] == chart.top  # 100 is the top tick
    assert series.area.startswith(f"M{float(chart.left)},{float(chart.bottom)}")
    assert series.area.endswith("Z")
    assert [tick.label for tick in chart.y_ticks] == ["0", "20", "40", "60", "80", "100"]


def test_empty_series_still_draws_an_axis():
    chart = charts.line_chart([("main", [0, 0, 0])], first_day=date(2025, 3, 1))
    assert [tick.label for tick in chart.y_ticks] == ["0", "1"]
    assert chart.series[0].segments
    nothing = charts.line_chart([("main", [])], first_day=date(2025, 3, 1))
    assert nothing.series[0].segments == []
    assert nothing.series[0].dots == []
    assert nothing.x_ticks == []


def test_a_single_point_is_a_dot_in_the_middle():
    chart = charts.line_chart([("main", [5])], first_day=date(2025, 3, 1))
    series = chart.series[0]
    assert series.segments == []
    assert series.area is None
    assert series.dots == [((chart.left + chart.right) / 2, chart.top)]


def test_gaps_split_the_line_and_lone_points_become_dots():
    chart = charts.line_chart(
        [("rating", [4.0, 4.5, None, 3.0, None, 5.0, 4.0])],
        first_day=date(2025, 3, 1),
        y_range=(1, 5),
        area=False,
    )
    series = chart.series[0]
    assert len(series.segments) == 2
    assert len(series.dots) == 1
    assert series.area is None
    assert [tick.label for tick in chart.y_ticks] == ["1", "2", "3", "4", "5"]


def test_comparison_series_shares_the_scale_of_the_main_one():
    chart = charts.line_chart(
        [("main", [10, 10]), ("compare", [20, 20, 20])], first_day=date(2025, 3, 1)
    )
    _main, compare = chart.series
    assert compare.area is None
    assert float(compare.segments[0].split()[0].split(",")[1]) == chart.top
    # The x axis spans the longer series; labels are the main period's days.
    assert len(chart.x_ticks) == 2


def test_bars_scale_to_the_largest_value_and_keep_hidden_rows():
    chart = charts.bar_chart(
        [
            ("Электронная медицинская карта", 200, "200"),
            ("Редкая услуга", None, "меньше 10"),
            ("Дневник", 50, "50"),
            ("x" * 120, 0, "0"),
        ]
    )
    widest = charts.BAR_WIDTH - charts.BAR_VALUE_ROOM
    assert [bar.width for bar in chart.bars] == [widest, 0, widest / 4, 0]
    assert chart.bars[1].value_label == "меньше 10"
    assert chart.bars[3].label.endswith("…")
    assert len(chart.bars[3].label) == charts.BAR_LABEL_CHARS
    assert chart.bars[3].full_label == "x" * 120
    assert chart.height == 4 * charts.BAR_ROW
    assert [bar.y for bar in chart.bars] == [0, 40, 80, 120]


def test_no_bars_at_all():
    chart = charts.bar_chart([])
    assert chart.bars == []
    assert chart.height == charts.BAR_ROW
