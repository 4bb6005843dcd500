"""Background work of usage analytics, run by `gorod worker`."""

from django_tasks import task

from gorod.analytics.ratings import rating_rollup
from gorod.analytics.services import usage_rollup


@task()
def rollup_recent_days() -> dict:
    """Roll up what changed since the last run: usage (days_to_roll) and ratings."""
    usage = usage_rollup()
    ratings = rating_rollup()
    return {
        "usage_days": [day.isoformat() for day in usage.days],
        "rating_days": [day.isoformat() for day in ratings.days],
    }
