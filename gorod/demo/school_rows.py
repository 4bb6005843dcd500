"""Rows written fast for the demo school: a year of marks and absences is hundreds of
thousands of rows, too many model instances for bulk_create to build in a few seconds.
The database's constraints and triggers hold for these rows as for any."""

from datetime import datetime

from django.db import connection

from gorod.school.models import Assignment, Enrollment, Lesson, SchoolClass

# Rows in one INSERT (fewer where the database takes fewer parameters).
INSERT_ROWS = 1000


def insert_rows(model, names: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples (values in the order of `names`) into a model's table: COPY on
    PostgreSQL, many rows a statement elsewhere."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    per_statement = min(INSERT_ROWS, (connection.features.max_query_params or 10**6) // len(names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows stream in without a statement to parse and bind per chunk.
            with cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 — names from the model
                + ", ".join([row_sql] * len(chunk)),
                [value for row in chunk for value in row],
            )


def statistics_fresh() -> None:
    """Let PostgreSQL's planner see the rows just written: the triggers under every mark
    and absence look up the lesson, its class and the enrollments, and plans made for
    tables that looked empty may scan them for each of a hundred thousand rows."""
    if connection.vendor == "postgresql":
        tables = [model._meta.db_table for model in (Lesson, Assignment, SchoolClass, Enrollment)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(tables))


def moment_for_driver(moment: datetime):
    """A moment as the database's driver takes it (SQLite stores UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)
