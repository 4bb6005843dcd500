"""Races run for real: threads released at once, each with its own database connection.

On PostgreSQL the work truly overlaps (row locks and unique indexes decide); on SQLite the
IMMEDIATE transactions queue. Tests assert the same outcome on both.
"""

import threading
from collections.abc import Callable

from django.db import connections

from gorod.core.errors import DomainError


def race(work: Callable[[int], object], *, threads: int = 50, rounds: int = 1) -> list:
    """Run `work(index)` for `threads * rounds` indexes in `threads` threads released at once.

    Returns each index's outcome: what `work` returned, a DomainError's code, or the repr of
    any other exception (so the test's assertion shows it). `rounds` > 1 keeps the number
    of connections under the server's limit while more attempts than that compete.
    """
    barrier = threading.Barrier(threads)
    outcomes: list = [None] * (threads * rounds)

    def run(thread: int) -> None:
        try:
            barrier.wait()
            for index in range(thread, threads * rounds, threads):
                try:
                    outcomes[index] = work(index)
                except DomainError as error:
                    outcomes[index] = error.code
                except Exception as error:
                    outcomes[index] = repr(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(thread,)) for thread in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes
