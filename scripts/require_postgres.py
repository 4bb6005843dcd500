"""Exit 0 if PostgreSQL answers at the URL, 3 if not (skip), 1 if not and CI requires it.

`make test` runs the database and end-to-end tests on PostgreSQL when one is reachable. On a
laptop without it that run is skipped with a clear line (and the end-to-end tests run on
SQLite instead); in CI (CI=true) it is required.
"""

import os
import sys

import psycopg

from gorod.core.postgres import connect_maintenance

SKIP = 3


def main(url: str) -> int:
    try:
        connect_maintenance(url, timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI", "").lower() == "true":
            print(
                f"PostgreSQL is required in CI but unreachable at {url}: {error}", file=sys.stderr
            )
            return 1
        print(f"== tests on PostgreSQL SKIPPED: nothing answers at {url} ({error}) ==")
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
