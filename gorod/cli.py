"""The `gorod` command: Django's management commands under the project's own name.

`gorod serve`, `gorod demo`, `gorod import services FILE`, and every stock command
(`gorod migrate`, `gorod createsuperuser`, …).
"""

import os
import sys

from django.core.management import execute_from_command_line
from django.db import DatabaseError
from django.utils.translation import gettext

# How each database says a table is missing: SQLite in words, PostgreSQL by its SQLSTATE
# (undefined_table), whatever the server's language.
_SQLITE_MISSING_TABLE = "no such table"
_POSTGRES_UNDEFINED_TABLE = "42P01"


def is_missing_table(error: BaseException) -> bool:
    """Whether a database error means the schema is not there yet (migrate was not run)."""
    cause = error.__cause__
    return (
        _SQLITE_MISSING_TABLE in str(error)
        or getattr(cause, "sqlstate", None) == _POSTGRES_UNDEFINED_TABLE
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorod.settings")
    try:
        execute_from_command_line(["gorod", *sys.argv[1:]])
    except DatabaseError as error:
        # Every command that reads the database (imports, reports, the demo) fails the same
        # way on a fresh install; one line saying what to do beats a traceback.
        if not is_missing_table(error):
            raise
        sys.stderr.write(
            gettext("База данных ещё не создана: сначала выполните «gorod migrate».") + "\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
