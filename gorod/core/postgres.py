"""A connection to a PostgreSQL server's maintenance database, for tooling.

`make test` asks whether a server answers, `make bench` creates its database; both reach
the server named by a DATABASE_URL before any Django database exists.
"""

import psycopg
from dj_database_url import parse


def connect_maintenance(url: str, *, timeout: int, autocommit: bool = False) -> psycopg.Connection:
    """Connect to the `postgres` database of the server in `url` (raises OperationalError)."""
    config = parse(url)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=timeout,
        autocommit=autocommit,
    )
