"""Usage events leave the request through an in-process buffer, written in batches.

A request pays for appending a tuple to a list; a daemon thread writes the buffer through
the importers' writer (gorod.analytics.bulk: COPY on PostgreSQL, executemany on SQLite)
every `GOROD_USAGE_FLUSH_SECONDS` or as soon as `GOROD_USAGE_BATCH` events wait (the ORM's
bulk_create cost the thread about 90 µs an event, the raw writer 12: BENCHMARKS.md). A
clean exit (granian's workers, management commands) flushes what is left. A crash (SIGKILL, power
loss) loses at most what waited in the buffer: no more than one flush interval of events,
and never more than `GOROD_USAGE_BUFFER_MAX` (docs/analytics.md).

Each process has its own buffer and thread, created lazily and re-created after a fork.
"""

import logging
import os
import threading
from multiprocessing.util import Finalize

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from gorod.analytics.bulk import event_writer

logger = logging.getLogger(__name__)


class UsageRecorder:
    def __init__(self) -> None:
        self._pending: list = []
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._closed = False
        self.dropped = 0

    def add(self, row: tuple) -> None:
        with self._condition:
            if self._pid != os.getpid():
                self._after_fork()
            if self._thread is None or not self._thread.is_alive():
                self._start()
            self._pending.append(row)
            overflow = len(self._pending) - settings.GOROD_USAGE_BUFFER_MAX
            if overflow > 0:
                # The database has been unreachable for a long while: keep memory bounded
                # and say how much was lost rather than grow until the worker dies.
                del self._pending[:overflow]
                self.dropped += overflow
                logger.error("usage buffer full: dropped %d events so far", self.dropped)
            if len(self._pending) >= settings.GOROD_USAGE_BATCH:
                self._condition.notify()

    def flush(self) -> int:
        """Write everything buffered now, in the calling thread; returns how many."""
        with self._condition:
            batch, self._pending = self._pending, []
        if not batch:
            return 0

        try:
            with transaction.atomic():
                event_writer().write(batch)
        except Exception:
            logger.exception("usage flush failed; %d events kept for the next try", len(batch))
            with self._condition:
                self._pending[:0] = batch
            close_old_connections()
            return 0
        return len(batch)

    def close(self) -> None:
        """Stop the writer thread and flush the rest (at process exit, tests)."""
        with self._condition:
            self._closed = True
            self._condition.notify()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        self._thread = None
        self.flush()
        connection.close()

    def _start(self) -> None:
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                with self._condition:
                    if not self._closed and len(self._pending) < settings.GOROD_USAGE_BATCH:
                        self._condition.wait(timeout=settings.GOROD_USAGE_FLUSH_SECONDS)
                    closed = self._closed
                self.flush()
                if closed:
                    return
        finally:
            connection.close()

    def _after_fork(self) -> None:
        # The parent's events are the parent's to write; its thread did not survive the fork.
        self._pending = []
        self._thread = None
        self._pid = os.getpid()


recorder = UsageRecorder()
# multiprocessing's exit hook rather than atexit: granian's workers are multiprocessing
# children, which leave through os._exit (skipping atexit) after running these; in a plain
# process (management commands) multiprocessing runs them from atexit itself.
Finalize(None, recorder.close, exitpriority=10)
