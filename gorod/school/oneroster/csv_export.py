"""The OneRoster 1.2 CSV bulk export of one school: a zip of CSV files and manifest.csv.

As the CSV binding (1.2.1, sections 2.2 and 3.1) requires: the files sit at the zip's
root, compressed with DEFLATE; UTF-8; RFC 4180 quoting (a field with a comma, a quote or
a line break is quoted, a quote doubled) with no carriage return inside a field; the
header row in the table's order; status and dateLastModified empty (bulk mode); a file
with no data rows is not written and is "absent" in the manifest, as is every file gorod
has no data for.

demographics.csv holds the students' birth dates and sex — personal data the other files
do not need. It is written only when the caller passes `with_demographics=True`;
otherwise the manifest says "absent".
"""

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable
from contextlib import contextmanager
from typing import BinaryIO

from django.db import connection, transaction

from gorod.school.models import School
from gorod.school.oneroster import spec
from gorod.school.oneroster.roster import Roster

SYSTEM_NAME = "gorod"
SYSTEM_CODE = "gorod-school"
# Marks go out in slices: a year of a large school is hundreds of thousands of rows.
RESULTS_CHUNK = 5000


def _clean(value: str) -> str:
    # "carriage-returns are not permitted within a field": a line break stays, as LF.
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _write_csv(bundle: zipfile.ZipFile, name: str, rows: Iterable[dict[str, str]]) -> int:
    """Write NAME.csv into the zip as the rows come (a year of marks never sits in memory
    whole); a file without data rows is not written at all. Returns the row count."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:  # "Files that contain no data rows are NOT permitted."
        return 0
    header = spec.HEADERS[name]
    count = 0
    with (
        bundle.open(f"{name}.csv", "w") as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        for row in itertools.chain([first], rows):
            # Bulk mode: "the CSV files MUST NOT contain values in the dateLastModified
            # and status fields".
            values = {**row, "status": "", "dateLastModified": ""}
            writer.writerow([_clean(values[column]) for column in header])
            count += 1
    return count


def _all_results(roster: Roster) -> Iterable[dict[str, str]]:
    marks = roster.marks()
    offset = 0
    while True:
        chunk = roster.results(marks[offset : offset + RESULTS_CHUNK])
        yield from chunk
        if len(chunk) < RESULTS_CHUNK:
            return
        offset += RESULTS_CHUNK


@contextmanager
def _snapshot():
    """One view of the school for the whole export: a mark given while the files are being
    written must not appear in results.csv without its lineItem (a bulk set "must be
    semantically complete"). PostgreSQL reads it all in one REPEATABLE READ transaction;
    SQLite's transaction is a snapshot already. Inside a caller's transaction (tests), the
    caller's isolation stands."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_export(
    school: School, target: BinaryIO, *, with_demographics: bool = False
) -> dict[str, int]:
    """Write the zip to a binary file; returns, per data file, its row count (0: absent)."""
    roster = Roster(school)
    sources = {
        "academicSessions": roster.academic_sessions,
        "categories": roster.categories,
        "classes": roster.classes_rows,
        "courses": roster.courses,
        "enrollments": roster.enrollments_rows,
        "lineItems": roster.line_items,
        "orgs": roster.orgs,
        "results": lambda: _all_results(roster),
        "roles": roster.roles,
        "users": roster.users,
    }
    if with_demographics:
        sources["demographics"] = roster.demographics
    counts = dict.fromkeys(spec.DATA_FILES, 0)
    with _snapshot(), zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, rows in sources.items():
            counts[name] = _write_csv(bundle, name, rows())
        bundle.writestr("manifest.csv", manifest_bytes(counts))
    return counts


def export_school(school: School, *, with_demographics: bool = False) -> tuple[bytes, dict]:
    """The zip's bytes and the row counts (see write_export)."""
    archive = io.BytesIO()
    counts = write_export(school, archive, with_demographics=with_demographics)
    return archive.getvalue(), counts


def manifest_bytes(counts: dict[str, int]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.MANIFEST_HEADER)
    writer.writerow(["manifest.version", spec.MANIFEST_VERSION])
    writer.writerow(["oneroster.version", spec.ONEROSTER_VERSION])
    for name in spec.DATA_FILES:
        writer.writerow([f"file.{name}", "bulk" if counts.get(name) else "absent"])
    writer.writerow(["source.systemName", SYSTEM_NAME])
    writer.writerow(["source.systemCode", SYSTEM_CODE])
    return buffer.getvalue().encode("utf-8")
