"""The sane range of a date or a moment that the portal takes in, one rule for every door.

Python takes years 1 to 9999 and offsets up to ±23:59; PostgreSQL refuses an offset past
±15:59, SQLite's storage (UTC) overflows at the ends of Python's range, and a moment
stored as year 0 (0001-01-01 at +01:00 is 0000-12-31 in UTC) cannot be read back at all.
Nothing a citizen, a doctor or a laboratory records lies outside 1900–2100 or outside the
offsets real time zones use (−12:00 to +14:00), so that is the range: the API's input
types (below), the web forms and the services check it with `moment_refusal` /
`day_refusal`, and readers of rows stored before this rule filter with `SANE_FIRST_MOMENT`
and `SANE_END_MOMENT`. A door with a narrower range of its own (analytics' and feedback's
periods, 2000–2099; the slot board's booking window) keeps it.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from gorod.core.errors import RuleError

SANE_FIRST_DAY = date(1900, 1, 1)
SANE_LAST_DAY = date(2100, 12, 31)
# The same range as instants, for filtering stored rows in SQL.
SANE_FIRST_MOMENT = datetime.combine(SANE_FIRST_DAY, time.min, tzinfo=UTC)
SANE_END_MOMENT = datetime.combine(SANE_LAST_DAY + timedelta(days=1), time.min, tzinfo=UTC)
# The offsets of real time zones: Baker Island (−12:00) to Kiribati's Line Islands (+14:00).
EARLIEST_OFFSET = timedelta(hours=-12)
LATEST_OFFSET = timedelta(hours=14)


def day_refusal(day: date) -> RuleError | None:
    if not SANE_FIRST_DAY <= day <= SANE_LAST_DAY:
        return RuleError(
            "date_out_of_range",
            _("Дата должна быть между %(first)s и %(last)s.")
            % {"first": SANE_FIRST_DAY.isoformat(), "last": SANE_LAST_DAY.isoformat()},
        )
    return None


def moment_refusal(moment: datetime) -> RuleError | None:
    """A moment's offset (when it has one) and its own calendar day must both be sane; the
    day is checked before any conversion, which is what would overflow."""
    offset = moment.utcoffset()
    if offset is not None and not EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
        return RuleError(
            "time_offset_out_of_range",
            _("Смещение часового пояса должно быть от −12:00 до +14:00."),
        )
    return day_refusal(moment.date())


def _checked(refusal):
    def check(value):
        problem = refusal(value)
        if problem is not None:
            raise PydanticCustomError(problem.code, str(problem.message))
        return value

    return AfterValidator(check)


# The API's input types: a value outside the range is a 422 naming the field.
SaneDate = Annotated[date, _checked(day_refusal)]
SaneDateTime = Annotated[datetime, _checked(moment_refusal)]
