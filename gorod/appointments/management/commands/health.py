"""`gorod health open-slots [--days N]`: generate doctors' slots from their schedules."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress

from gorod.appointments.services.scheduling import slots_open
from gorod.core.clock import local_now

MAX_DAYS = 366


class Command(BaseCommand):
    help = "Doctor appointments: open slots from the schedules."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        opening = actions.add_parser(
            "open-slots",
            help="Generate slots from every working doctor's schedules (idempotent): by "
            "default to the day after the last day open for booking.",
        )
        opening.add_argument(
            "--days",
            type=int,
            help="Generate up to this many days after today instead.",
        )

    def handle(self, *args, action: str, days: int | None = None, **options):
        through = None
        if days is not None:
            if not 0 <= days <= MAX_DAYS:
                raise CommandError(_("--days: от 0 до %(max)d дней.") % {"max": MAX_DAYS})
            through = local_now().date() + timedelta(days=days)
        console = Console(file=self.stdout, highlight=False)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(_("Талоны по расписаниям врачей"), total=None)
            opened = slots_open(
                through=through,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Талоны открыты по %(through)s: врачей — %(roles)d, новых талонов — "
                    "%(created)d, открыто снова — %(reopened)d."
                )
                % {
                    "through": opened.through.strftime("%d.%m.%Y"),
                    "roles": opened.roles,
                    "created": opened.created,
                    "reopened": opened.reopened,
                }
            )
        )
