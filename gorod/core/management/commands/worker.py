"""`gorod worker`: run background tasks and enqueue the periodic ones.

Tasks are rows in the database (django-tasks-db); this process takes them one by one.
With the schedule on (the default), a thread also enqueues each periodic task on its
interval. Run exactly one scheduling worker per city (`--no-schedule` on the others):
the tasks are idempotent, so a second scheduler wastes work but breaks nothing.
"""

import logging
import threading
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)


def run_schedule(stop: threading.Event) -> None:
    """Enqueue every periodic task at start and then on its interval, until stopped."""
    tasks = [(import_string(path), minutes * 60) for path, minutes in settings.GOROD_PERIODIC_TASKS]
    due = [0.0] * len(tasks)
    elapsed = 0.0
    tick = min(seconds for _task, seconds in tasks) if tasks else 60
    while not stop.is_set():
        for index, (task, seconds) in enumerate(tasks):
            if elapsed >= due[index]:
                try:
                    task.enqueue()
                except Exception:
                    logger.exception("could not enqueue %s", task.name)
                due[index] = elapsed + seconds
        stop.wait(tick)
        elapsed += tick


class Command(BaseCommand):
    help = "Run background tasks (rollups, reminders) and enqueue the periodic ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Only run tasks; another worker enqueues the periodic ones.",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls when idle."
        )

    def handle(self, *args, no_schedule: bool, interval: float, **options):
        stop = threading.Event()
        if not no_schedule:
            threading.Thread(
                target=run_schedule, args=(stop,), name="schedule", daemon=True
            ).start()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=f"gorod-{uuid.uuid4().hex[:12]}",
            excluded_queue_names=[],
        )
        self.stdout.write("gorod worker: taking background tasks")
        try:
            worker.run()
        finally:
            stop.set()
