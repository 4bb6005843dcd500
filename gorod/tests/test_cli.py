"""The `gorod` command before `gorod migrate`: one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from gorod.cli import is_missing_table

SERVICES_CSV = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "services.csv"
RUN_MIGRATE = "База данных ещё не создана: сначала выполните «gorod migrate»."


@pytest.mark.django_db
def test_a_missing_table_is_recognised_on_this_database():
    # The real error of the database under test: SQLite's words, PostgreSQL's SQLSTATE.
    with (
        pytest.raises(DatabaseError) as raised,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM gorod_table_that_migrate_never_made")
    assert is_missing_table(raised.value)


def test_other_database_errors_are_not_taken_for_a_missing_schema():
    assert not is_missing_table(DatabaseError("could not connect to server"))
    assert not is_missing_table(DatabaseError('database "gorod" does not exist'))


@pytest.mark.parametrize(
    "arguments",
    [
        ["import", "services", str(SERVICES_CSV)],
        ["report", "usage", "--from", "2025-01-01", "--to", "2025-01-31"],
        ["demo", "--no-usage"],
    ],
    ids=lambda arguments: " ".join(arguments[:2]),
)
def test_commands_before_migrate_say_to_run_migrate(arguments, tmp_path):
    # One wrapper (gorod/cli.py) serves every command; an import, a report and the demo.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["GOROD_VAR_DIR"] = str(tmp_path)  # a fresh SQLite database, never migrated
    finished = subprocess.run(  # noqa: S603 — our own interpreter and entry point
        [sys.executable, "-m", "gorod.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1
    assert finished.stderr.strip() == RUN_MIGRATE
    assert "Traceback" not in finished.stdout + finished.stderr
