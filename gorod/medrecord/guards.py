"""Triggers that keep the medical record honest below the application, on both databases.

- A finalised entry never changes in place: only its lifecycle `status` may move, and
  `superseded_at` may be stamped once, when an amendment replaces it. It is never deleted.
- The details of a finalised entry (protocol, diagnoses, results, ...) take no insert,
  update or delete.
- The access log takes no update and no delete.

The triggers raise an integrity error, which Django raises as `IntegrityError`, so a stray
`save()` from a shell, an admin action or a future code path fails as loudly as a
constraint. Whoever owns the database can still drop a trigger; that act is outside the
application and visible in the schema.
"""

from django.apps import apps

ENTRY_TABLE = "health_entry"
ACCESS_LOG_TABLE = "health_accesslogentry"
# Columns of a finalised entry that may still change.
ENTRY_MUTABLE_COLUMNS = ("status", "superseded_at")
DETAIL_MODELS = (
    "EncounterNote",
    "Diagnosis",
    "Condition",
    "LabReport",
    "Observation",
    "StudyReport",
    "DischargeSummary",
    "Prescription",
    "SickLeave",
    "Immunization",
    "Certificate",
)
FINAL_ENTRY_MESSAGE = "gorod: a finalised record entry is corrected only by an amendment"
ACCESS_LOG_MESSAGE = "gorod: the record access log is append-only"


def _detail_tables() -> list[str]:
    return [apps.get_model("medrecord", name)._meta.db_table for name in DETAIL_MODELS]


def _entry_columns() -> list[str]:
    entry = apps.get_model("medrecord", "Entry")
    return [
        field.column
        for field in entry._meta.concrete_fields
        if field.column not in ENTRY_MUTABLE_COLUMNS
    ]


def _postgresql_install() -> list[str]:
    mutable = " - ".join(f"'{column}'" for column in ENTRY_MUTABLE_COLUMNS)
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION gorod_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.finalised_at IS NOT NULL AND (
                TG_OP = 'DELETE'
                OR (to_jsonb(NEW) - {mutable}) IS DISTINCT FROM (to_jsonb(OLD) - {mutable})
                OR (OLD.superseded_at IS NOT NULL
                    AND NEW.superseded_at IS DISTINCT FROM OLD.superseded_at)
            ) THEN
                RAISE EXCEPTION '{FINAL_ENTRY_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION gorod_entry_detail_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF (TG_OP <> 'INSERT' AND EXISTS (
                    SELECT 1 FROM {ENTRY_TABLE}
                    WHERE id = OLD.entry_id AND finalised_at IS NOT NULL))
               OR (TG_OP <> 'DELETE' AND EXISTS (
                    SELECT 1 FROM {ENTRY_TABLE}
                    WHERE id = NEW.entry_id AND finalised_at IS NOT NULL)) THEN
                RAISE EXCEPTION '{FINAL_ENTRY_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$
        """,  # noqa: S608 (table names are this module's constants)
        f"""
        CREATE OR REPLACE FUNCTION gorod_access_log_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{ACCESS_LOG_MESSAGE}' USING ERRCODE = 'restrict_violation';
        END $$
        """,
        f"""
        CREATE TRIGGER gorod_entry_guard BEFORE UPDATE OR DELETE ON {ENTRY_TABLE}
        FOR EACH ROW EXECUTE FUNCTION gorod_entry_guard()
        """,
        f"""
        CREATE TRIGGER gorod_access_log_guard BEFORE UPDATE OR DELETE ON {ACCESS_LOG_TABLE}
        FOR EACH ROW EXECUTE FUNCTION gorod_access_log_guard()
        """,
    ]
    statements += [
        f"""
        CREATE TRIGGER gorod_entry_detail_guard BEFORE INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION gorod_entry_detail_guard()
        """
        for table in _detail_tables()
    ]
    return statements


def _postgresql_drop() -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS gorod_entry_detail_guard ON {t}" for t in _detail_tables()),
        f"DROP TRIGGER IF EXISTS gorod_access_log_guard ON {ACCESS_LOG_TABLE}",
        f"DROP TRIGGER IF EXISTS gorod_entry_guard ON {ENTRY_TABLE}",
        "DROP FUNCTION IF EXISTS gorod_entry_guard()",
        "DROP FUNCTION IF EXISTS gorod_entry_detail_guard()",
        "DROP FUNCTION IF EXISTS gorod_access_log_guard()",
    ]


def _sqlite_install() -> list[str]:
    changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in _entry_columns())
    final_entry = f"SELECT RAISE(ABORT, '{FINAL_ENTRY_MESSAGE}')"
    statements = [
        f"""
        CREATE TRIGGER IF NOT EXISTS gorod_entry_guard_update BEFORE UPDATE ON {ENTRY_TABLE}
        WHEN OLD.finalised_at IS NOT NULL AND (
            {changed}
            OR (OLD.superseded_at IS NOT NULL AND NEW.superseded_at IS NOT OLD.superseded_at)
        )
        BEGIN {final_entry}; END
        """,
        f"""
        CREATE TRIGGER IF NOT EXISTS gorod_entry_guard_delete BEFORE DELETE ON {ENTRY_TABLE}
        WHEN OLD.finalised_at IS NOT NULL
        BEGIN {final_entry}; END
        """,
        f"""
        CREATE TRIGGER IF NOT EXISTS gorod_access_log_guard_update
        BEFORE UPDATE ON {ACCESS_LOG_TABLE}
        BEGIN SELECT RAISE(ABORT, '{ACCESS_LOG_MESSAGE}'); END
        """,
        f"""
        CREATE TRIGGER IF NOT EXISTS gorod_access_log_guard_delete
        BEFORE DELETE ON {ACCESS_LOG_TABLE}
        BEGIN SELECT RAISE(ABORT, '{ACCESS_LOG_MESSAGE}'); END
        """,
    ]
    final = f"(SELECT finalised_at FROM {ENTRY_TABLE} WHERE id = %s) IS NOT NULL"  # noqa: S608
    for table in _detail_tables():
        statements += [
            f"""
            CREATE TRIGGER IF NOT EXISTS gorod_guard_insert_{table} BEFORE INSERT ON {table}
            WHEN {final % "NEW.entry_id"}
            BEGIN {final_entry}; END
            """,
            f"""
            CREATE TRIGGER IF NOT EXISTS gorod_guard_update_{table} BEFORE UPDATE ON {table}
            WHEN {final % "OLD.entry_id"} OR {final % "NEW.entry_id"}
            BEGIN {final_entry}; END
            """,
            f"""
            CREATE TRIGGER IF NOT EXISTS gorod_guard_delete_{table} BEFORE DELETE ON {table}
            WHEN {final % "OLD.entry_id"}
            BEGIN {final_entry}; END
            """,
        ]
    return statements


def _sqlite_drop() -> list[str]:
    names = [
        "gorod_entry_guard_update",
        "gorod_entry_guard_delete",
        "gorod_access_log_guard_update",
        "gorod_access_log_guard_delete",
    ]
    for table in _detail_tables():
        names += [f"gorod_guard_{verb}_{table}" for verb in ("insert", "update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def install(connection) -> None:
    statements = _postgresql_install() if connection.vendor == "postgresql" else _sqlite_install()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop(connection) -> None:
    """Remove the guards: for a schema change that must rewrite guarded tables."""
    statements = _postgresql_drop() if connection.vendor == "postgresql" else _sqlite_drop()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'gorod_entry_guard'")
        else:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["gorod_entry_guard_update"],
            )
        return cursor.fetchone() is not None
