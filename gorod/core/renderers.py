"""The API's one convention for times: the city's wall clock with its offset.

Every moment in /api/v1 reads like "2026-12-06T21:00:00+03:00", whichever app wrote it
and whatever zone the database handed back (UTC on PostgreSQL): a clinic's hour or a meter
reading's time is what a citizen reads, and a client needs no zone table to show it. Whole
seconds: no field of the portal means anything finer. The renderer converts, so schemas
keep plain `datetime` and no endpoint converts by hand. Dates stay plain "YYYY-MM-DD".
"""

from datetime import datetime

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from gorod.core import clock


def city_time(moment: datetime) -> str:
    """An aware moment as the API writes it; a naive one is taken as the city's time."""
    zone = clock.city_zone()
    local = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return local.isoformat(timespec="seconds")


class CityTimeEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            return city_time(o)
        return super().default(o)


class CityTimeRenderer(JSONRenderer):
    encoder_class = CityTimeEncoder
