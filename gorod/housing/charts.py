"""A meter's monthly consumption as the bar chart of every app draws it (gorod.core.charts).

The chart is only the picture: the meter page prints the same numbers in a table, which is
what a screen reader reads.
"""

from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _

from gorod.core import charts
from gorod.housing.rules import format_value
from gorod.housing.selectors import HistoryRow

# Narrower than the dashboards' charts: it shares the page with the table, and on a phone
# a narrower drawing is scaled down less, so its labels stay readable.
CONSUMPTION_CHART_WIDTH = 480


def consumption_chart(history: Sequence[HistoryRow], *, unit: str) -> charts.BarChart:
    """A bar a month, in the table's order; a month without a reading keeps its row."""
    rows = []
    for row in history:
        month = formats.date_format(row.period, "F Y")
        if row.consumption is None:
            rows.append((month, None, _("нет показания")))
        else:
            # Floats only place the bars; the printed value is the exact Decimal.
            printed = f"{format_value(row.consumption)} {unit}"
            rows.append((month, float(row.consumption), printed))
    return charts.bar_chart(rows, width=CONSUMPTION_CHART_WIDTH)
