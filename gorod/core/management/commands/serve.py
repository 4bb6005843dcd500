"""`gorod serve`: the production-shaped server (granian, WSGI) for this project."""

import os
import shutil
import sys

from django.core.management.base import BaseCommand

DEFAULT_WORKERS = 2
# Granian's default is hundreds of blocking threads, each holding its own persistent DB
# connection: that exhausts PostgreSQL's max_connections and turns load into 500s.
DEFAULT_BLOCKING_THREADS = 4


class Command(BaseCommand):
    help = "Serve gorod with granian (WSGI)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GOROD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GOROD_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GOROD_WORKERS", DEFAULT_WORKERS))
        )
        parser.add_argument(
            "--blocking-threads",
            type=int,
            default=int(os.environ.get("GOROD_BLOCKING_THREADS", DEFAULT_BLOCKING_THREADS)),
        )
        parser.add_argument("--access-log", action="store_true")

    def handle(self, *args, host, port, workers, blocking_threads, access_log, **options):
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or "granian"
        command = [
            granian,
            "--interface", "wsgi",
            "--host", host,
            "--port", str(port),
            "--workers", str(workers),
            "--blocking-threads", str(blocking_threads),
            "--no-ws",
            "--access-log" if access_log else "--no-access-log",
            "gorod.wsgi:application",
        ]  # fmt: skip
        self.stdout.write(
            f"gorod on http://{host}:{port}/  ({workers} workers × {blocking_threads} threads)"
        )
        os.execv(command[0], command)  # noqa: S606 — replaces this process with the server
