"""The ratings that analytics reports beside usage: a period's figures and the daily rollup.

Ratings are feedback's, and feedback stands above analytics (it builds on analytics'
periods, import runs and usage records), so analytics does not import it: feedback hands
its two functions over when its app is ready (FeedbackConfig.ready → `ratings_provide`).
The dashboard, the reports API, `gorod report`, `gorod analytics rollup` and the rollup
task ask through here. The functions are set once per process at start-up, alike in every
process, so nothing here needs sharing between processes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from gorod.analytics.rules import Period


@dataclass(frozen=True)
class RatingsSource:
    # Period → feedback.rules.RatingFigures, from the daily rollup.
    figures_for: Callable
    # (*, days=None, progress=None) → a report with the `days` it rolled up.
    rollup: Callable


_source: list[RatingsSource] = []


def ratings_provide(source: RatingsSource) -> None:
    _source[:] = [source]


def _provided() -> RatingsSource:
    if not _source:
        raise LookupError("no ratings source: gorod.feedback is not in INSTALLED_APPS")
    return _source[0]


def rating_figures_for(period: Period):
    return _provided().figures_for(period)


def rating_rollup(**kwargs):
    return _provided().rollup(**kwargs)
