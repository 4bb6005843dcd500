"""`gorod report usage|ratings --from D --to D [--compare-from D --compare-to D] [--json]`,
`gorod report applications --from D --to D [--top N] [--json]`."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gorod.analytics import reports, selectors
from gorod.analytics.applications_port import applications_figures_for
from gorod.analytics.ratings import rating_figures_for
from gorod.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Usage and ratings figures for a period, from the daily rollups; applications to "
        "departments per service, from their history."
    )

    def add_arguments(self, parser):
        parser.add_argument("subject", choices=["usage", "ratings", "applications"])
        parser.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
        parser.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
        parser.add_argument("--compare-from", dest="compare_first", type=date.fromisoformat)
        parser.add_argument("--compare-to", dest="compare_last", type=date.fromisoformat)
        parser.add_argument(
            "--top",
            type=int,
            help=f"How many services (usage: {selectors.TOP_SERVICES}; applications: all).",
        )
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args, subject, first, last, compare_first, compare_last, top, **options):
        if (compare_first is None) != (compare_last is None):
            raise CommandError("--compare-from and --compare-to go together")
        try:
            period = selectors.period_of(first, last)
            comparison = (
                selectors.period_of(
                    compare_first, compare_last, fields=("compare_from", "compare_to")
                )
                if compare_first
                else None
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        if top is not None and top < 1:
            raise CommandError("--top is at least 1")
        if subject == "applications":
            self._applications(period, top=top, as_json=options["json"])
            return
        if subject == "usage":
            report = selectors.usage_report(period, comparison, top=top or selectors.TOP_SERVICES)
            if options["json"]:
                self._json(reports.usage_report_json(report))
                return
            ratings = rating_figures_for(period)
            ratings_comparison = rating_figures_for(comparison) if comparison else None
            self.stdout.write(reports.usage_summary_ru(report, ratings, ratings_comparison))
            return
        ratings = rating_figures_for(period)
        ratings_comparison = rating_figures_for(comparison) if comparison else None
        if options["json"]:
            self._json(reports.ratings_report_json(ratings, ratings_comparison))
            return
        self.stdout.write(reports.ratings_summary_ru(ratings, ratings_comparison))

    def _applications(self, period, *, top: int | None, as_json: bool) -> None:
        figures = applications_figures_for(period)
        if as_json:
            self._json(reports.applications_report_json(figures, top=top))
            return
        self.stdout.write(reports.applications_summary_ru(figures))
        self.stdout.write("")
        self.stdout.write(reports.applications_table_text(figures, top=top))

    def _json(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
