"""`gorod feedback import FILE.csv` and `gorod feedback rollup`: historical ratings and
the daily rollup that reports read."""

from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gorod.accounts import selectors as accounts
from gorod.core.errors import DomainError
from gorod.feedback import selectors, services
from gorod.feedback.rules import RATINGS_IMPORT_HEADER


class Command(BaseCommand):
    help = "Ratings: import historical ratings from CSV, recompute the daily rollup."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser(
            "import",
            help=f"Load ratings from a CSV file with the header {','.join(RATINGS_IMPORT_HEADER)}",
        )
        importing.add_argument("file", type=Path)
        rollup = actions.add_parser(
            "rollup",
            help="Recompute the daily rollup: the feedback window and days marked by imports, "
            "or the days from --first to --last",
        )
        rollup.add_argument("--first", type=date.fromisoformat, help="YYYY-MM-DD")
        rollup.add_argument("--last", type=date.fromisoformat, help="YYYY-MM-DD")
        owner = actions.add_parser(
            "owner", help="Make a staff member the owner of a service's or department's ratings"
        )
        owner.add_argument("login", help="the staff member's e-mail or phone")
        target = owner.add_mutually_exclusive_group(required=True)
        target.add_argument("--service", help="catalog slug")
        target.add_argument("--department", help="department code")

    def handle(self, *args, action: str, **options):
        if action == "import":
            self._import(options["file"])
        elif action == "owner":
            self._owner(options["login"], options["service"], options["department"])
        else:
            self._rollup(options["first"], options["last"])

    def _owner(self, login: str, service_slug: str | None, department_code: str | None) -> None:
        user = accounts.staff_member_by_login(login)
        if user is None:
            raise CommandError(f"No staff member with the login {login}")
        service, department = selectors.ownership_target(
            service_slug=service_slug, department_code=department_code
        )
        if service is None and department is None:
            raise CommandError(f"No such service or department: {service_slug or department_code}")
        services.service_ownership_grant(
            actor=None, user=user, service=service, department=department
        )
        self.stdout.write(
            self.style.SUCCESS(f"{login} now owns the ratings of {service or department}")
        )

    def _console(self) -> Console:
        return Console(file=self.stdout, highlight=False, soft_wrap=True)

    def _import(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        console = self._console()
        progress = Progress(
            TextColumn("[bold]ratings"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        task = progress.add_task("import", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            with progress:
                report = services.ratings_import(actor=None, path=path, progress=advance)
        except DomainError as error:
            raise CommandError(f"{path}: {error.message}") from error
        except KeyboardInterrupt:
            self.stdout.write(
                self.style.ERROR(
                    f"{path}: interrupted. Rows of finished batches are in; the import run "
                    "stays 'running'. Run the same command again to complete it: nothing "
                    "is counted twice."
                )
            )
            raise
        for run in report.resumed:
            self.stdout.write(
                self.style.WARNING(
                    f"An earlier run of this file (started {run.started_at:%Y-%m-%d %H:%M}, "
                    f"{run.imported} rows loaded) did not finish; this run completes it."
                )
            )
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"{path}:{problem.line}: {problem.message}"))
        if report.rejected > len(report.problems):
            self.stdout.write(
                self.style.ERROR(f"… and {report.rejected - len(report.problems)} more bad rows")
            )
        self.stdout.write(
            f"ratings: {report.lines_read} rows read, {report.imported} imported, "
            f"{report.duplicates} already present, {report.rejected} rejected"
        )
        if report.rejected:
            raise CommandError(
                f"{path}: {report.rejected} bad row(s) were not imported; the other rows "
                "were. Fix the rows above and import the file again: rows already imported "
                "are not counted twice."
            )
        self.stdout.write(self.style.SUCCESS("Import complete. Run `gorod feedback rollup`."))

    def _rollup(self, first: date | None, last: date | None) -> None:
        days = None
        if first is not None or last is not None:
            if first is None or last is None or first > last:
                raise CommandError("Give both --first and --last, the first not after the last.")
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        report = services.rating_rollup(days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"rating rollup: {len(report.days)} day(s), {report.ratings} ratings"
            )
        )
