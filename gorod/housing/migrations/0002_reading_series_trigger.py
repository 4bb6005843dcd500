"""Accepted readings never decrease along a meter's series: a trigger on each database.

The rule spans rows (a reading against the meter's other accepted readings and its
initial value), which a CHECK constraint cannot express. Services lock the meter and
check first, with a clear message; this is the floor under any other code path.
"""

from django.db import migrations

# A row breaks the series when an accepted reading of an earlier period is larger, one of
# a later period is smaller, or the value is below the meter's initial reading.
BREAKS_SERIES = """
    NEW.status = 'accepted' AND (
        EXISTS (
            SELECT 1 FROM housing_reading AS other
            WHERE other.meter_id = NEW.meter_id
              AND other.status = 'accepted'
              AND other.id <> NEW.id
              AND ((other.period < NEW.period AND other.value > NEW.value)
                OR (other.period > NEW.period AND other.value < NEW.value))
        )
        OR NEW.value < (SELECT initial_value FROM housing_meter WHERE id = NEW.meter_id)
    )
"""

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER housing_reading_series_{event.lower()}
    BEFORE {event} ON housing_reading
    WHEN {BREAKS_SERIES}
    BEGIN SELECT RAISE(ABORT, 'reading_series_decreases'); END
    """
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS housing_reading_series_insert",
    "DROP TRIGGER IF EXISTS housing_reading_series_update",
]
POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION housing_reading_series_check() RETURNS trigger AS $$
    BEGIN
        IF {BREAKS_SERIES} THEN
            RAISE EXCEPTION 'reading_series_decreases' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER housing_reading_series BEFORE INSERT OR UPDATE ON housing_reading
    FOR EACH ROW EXECUTE FUNCTION housing_reading_series_check()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS housing_reading_series ON housing_reading",
    "DROP FUNCTION IF EXISTS housing_reading_series_check()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("housing", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
