"""Objects a test module builds once and its tests only read, in the module's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction


@contextmanager
def connection_kept_between_requests() -> Iterator[None]:
    """Requests made through the WSGI application (schemathesis) would close the connection
    at their end, and with it the test's transaction; Django's test client keeps it the
    same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def rolled_back_after_module(django_db_blocker) -> Iterator[None]:
    """A transaction for what a module-scoped fixture builds, rolled back after the module;
    each test's own transaction (the `db` fixture) nests in it as a savepoint, so tests
    still undo their writes. For non-transactional tests only: a flush would end it.
    """
    with (
        connection_kept_between_requests(),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)
