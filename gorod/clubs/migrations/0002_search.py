"""The indexes the search for a group stands on, one kind per database.

A programme's words are matched by the database's full-text index over its dictionary
forms (`Programme.search_lemmas`, written with the row), so no process holds an index of
the city's 135,000 groups:

- PostgreSQL: a GIN index on `to_tsvector('simple', search_lemmas)`. The lemmas are
  already dictionary forms, so the 'simple' configuration (lowercase, no stemming) indexes
  them as they are; queries must spell the same expression for the planner to use it.
  pg_trgm's GIN index on a venue's address finds the venues of a street typed by a parent
  ("near me" by an address) without reading every venue.
- SQLite: an FTS5 table over the same column (external content: the text is not stored
  twice), kept in step with the programmes by triggers.

pg_trgm is a trusted extension: the database's owner, or any role with CREATE on the
database, may install it; where the portal's role may not, a superuser installs it once
beforehand (`CREATE EXTENSION pg_trgm`) and this migration finds it there.

On SQLite, a later migration that rebuilds clubs_programme (Django does for many column
changes) drops these triggers with the old table: it must run SQLITE_TRIGGERS again.
"""

from django.db import migrations

FTS_TABLE = "clubs_programme_fts"

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON clubs_programme BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_lemmas) VALUES (new.id, new.search_lemmas);
    END
    """,
    f"""
    CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON clubs_programme BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_lemmas)
        VALUES ('delete', old.id, old.search_lemmas);
    END
    """,
    f"""
    CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search_lemmas ON clubs_programme BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_lemmas)
        VALUES ('delete', old.id, old.search_lemmas);
        INSERT INTO {FTS_TABLE}(rowid, search_lemmas) VALUES (new.id, new.search_lemmas);
    END
    """,
]
SQLITE_FORWARD = [
    # Diacritics kept: folding them would make "й" an "и" ("мой" and "мои" one word).
    f"""
    CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        search_lemmas,
        content='clubs_programme',
        content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )
    """,
    *SQLITE_TRIGGERS,
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_FORWARD = [
    """
    CREATE INDEX clubs_programme_search ON clubs_programme
    USING gin (to_tsvector('simple', search_lemmas))
    """,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX clubs_venue_address_trigrams ON clubs_venue USING gin (address gin_trgm_ops)",
]
# The extension stays: other tables may have come to use it.
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS clubs_venue_address_trigrams",
    "DROP INDEX IF EXISTS clubs_programme_search",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("clubs", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
