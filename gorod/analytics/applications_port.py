"""The figures of applications to departments that analytics reports beside usage.

Applications are a domain app, above analytics (they record their submissions as uses), so
analytics does not import them: gorod.applications hands its selector over when its app is
ready (ApplicationsConfig.ready → `applications_provide`), as feedback does with ratings
(ratings.py). The dashboard, the reports API and `gorod report applications` ask through
here. The function is set once per process at start-up, alike in every process.
"""

from collections.abc import Callable
from dataclasses import dataclass

from gorod.analytics.rules import ApplicationsFigures, Period


@dataclass(frozen=True)
class ApplicationsSource:
    # Period → rules.ApplicationsFigures, read from the applications' status history.
    figures_for: Callable[[Period], ApplicationsFigures]


_source: list[ApplicationsSource] = []


def applications_provide(source: ApplicationsSource) -> None:
    _source[:] = [source]


def applications_figures_for(period: Period) -> ApplicationsFigures:
    if not _source:
        raise LookupError("no applications source: gorod.applications is not in INSTALLED_APPS")
    return _source[0].figures_for(period)
