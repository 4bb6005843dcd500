"""Count the rows of every table, run `migrate` with this tree, count again: nothing may be lost.

Usage: python scripts/check_migration_keeps_rows.py DATABASE_URL

Prepare the database first with the code it is to be migrated from, e.g. for the split of
the health app (ADR in docs/decisions/):

    git worktree add /tmp/gorod-old 667a8a1
    DATABASE_URL=postgres://… PYTHONPATH=/tmp/gorod-old gorod migrate
    DATABASE_URL=postgres://… PYTHONPATH=/tmp/gorod-old gorod demo --usage-scale 0.01

then run this script from the new tree. It prints each table's count before and after and
exits 1 when a table lost rows or disappeared (a new table, or more rows, is fine).
"""

import os
import subprocess
import sys

import django


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        found = {}
        for table in tables:
            # The names come from the database itself, quoted: no outside input.
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
            found[table] = cursor.fetchone()[0]
    return found


def main(url: str) -> int:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorod.settings")
    django.setup()
    before = counts()
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input", "-v", "1"],
        check=True,
        env=os.environ | {"DATABASE_URL": url},
    )
    after = counts()
    lost = False
    print(f"{'table':<44} {'before':>9} {'after':>9}")
    for table in sorted(before.keys() | after.keys()):
        old, new = before.get(table), after.get(table)
        mark = ""
        if old is not None and (new is None or new < old):
            lost, mark = True, "  LOST"
        shown = ["-" if count is None else count for count in (old, new)]
        print(f"{table:<44} {shown[0]:>9} {shown[1]:>9}{mark}")
    print("rows lost" if lost else "no table lost a row")
    return 1 if lost else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
