"""A mark or an absence only for a student in the lesson's class on the lesson's date, and
no mark in the first grade: a trigger on each database.

The rule spans four tables (the mark, its lesson, the lesson's assignment and class, the
student's enrollments), which a CHECK constraint cannot express. The journal's services
check first, with a message naming the cell; this is the floor under any other code path.
"""

from django.db import migrations

# The student had an enrollment in the lesson's class covering the lesson's date.
ENROLLED = """
    EXISTS (
        SELECT 1 FROM school_lesson AS lesson
        JOIN school_assignment AS assignment ON assignment.id = lesson.assignment_id
        JOIN school_enrollment AS enrollment
          ON enrollment.school_class_id = assignment.school_class_id
        WHERE lesson.id = NEW.lesson_id
          AND enrollment.student_id = NEW.student_id
          AND enrollment.starts_on <= lesson.date
          AND (enrollment.ends_on IS NULL OR enrollment.ends_on >= lesson.date)
    )
"""
FIRST_GRADE = """
    EXISTS (
        SELECT 1 FROM school_lesson AS lesson
        JOIN school_assignment AS assignment ON assignment.id = lesson.assignment_id
        JOIN school_schoolclass AS class ON class.id = assignment.school_class_id
        WHERE lesson.id = NEW.lesson_id AND class.grade = 1
    )
"""
# (table, what the trigger refuses, the condition under which it refuses)
GUARDS = [
    ("school_mark", "mark_student_not_in_class", f"NOT {ENROLLED}"),
    ("school_mark", "mark_in_first_grade", FIRST_GRADE),
    ("school_attendance", "absence_student_not_in_class", f"NOT {ENROLLED}"),
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {code}_{event.lower()} BEFORE {event} ON {table}
    WHEN {condition}
    BEGIN SELECT RAISE(ABORT, '{code}'); END
    """
    for table, code, condition in GUARDS
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {code}_{event.lower()}"
    for _table, code, _condition in GUARDS
    for event in ("INSERT", "UPDATE")
]
POSTGRES_FORWARD = [
    statement
    for table, code, condition in GUARDS
    for statement in (
        f"""
        CREATE FUNCTION {code}_check() RETURNS trigger AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{code}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE TRIGGER {code} BEFORE INSERT OR UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {code}_check()
        """,
    )
]
POSTGRES_BACKWARD = [
    statement
    for table, code, _condition in GUARDS
    for statement in (
        f"DROP TRIGGER IF EXISTS {code} ON {table}",
        f"DROP FUNCTION IF EXISTS {code}_check()",
    )
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("school", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
