"""`gorod analytics rollup|import`: maintain usage figures by hand or from cron."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress

from gorod.analytics.importers import import_usage_file
from gorod.analytics.ratings import rating_rollup
from gorod.analytics.rules import Period, period_problem
from gorod.analytics.services import usage_rollup
from gorod.core.errors import DomainError


class Command(BaseCommand):
    help = "Usage analytics: roll up daily figures, import historical events."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        rollup = actions.add_parser("rollup", help="Recompute daily rollups (usage, ratings).")
        rollup.add_argument("--from", dest="first", type=date.fromisoformat)
        rollup.add_argument("--to", dest="last", type=date.fromisoformat)
        imports = actions.add_parser("import", help="Import a CSV of historical events.")
        imports.add_argument("file", type=Path)

    def handle(self, *args, action: str, **options):
        if action == "import":
            self._import(options["file"])
        else:
            self._rollup(options.get("first"), options.get("last"))

    def _import(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(_("Нет такого файла: %(path)s") % {"path": path})
        try:
            report = import_usage_file(path, stdout=self.stdout, style=self.style)
        except DomainError as error:
            raise CommandError(f"{path}: {error.message}") from error
        if report.header_problem:
            raise CommandError(report.header_problem)

    def _rollup(self, first: date | None, last: date | None) -> None:
        days = None
        if first or last:
            if not (first and last) or period_problem(first, last):
                raise CommandError(_("Укажите --from и --to, начало не позже конца."))
            days = list(Period(first, last).each_day())
        console = Console(file=self.stdout, highlight=False)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(_("Пересчёт дней"), total=len(days) if days else None)
            usage = usage_rollup(days=days, progress=lambda _day: progress.advance(task))
            ratings = rating_rollup(days=days)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Пересчитано дней: обращения — %(usage)d (%(events)d событий), "
                    "оценки — %(ratings)d."
                )
                % {"usage": len(usage.days), "events": usage.events, "ratings": len(ratings.days)}
            )
        )
