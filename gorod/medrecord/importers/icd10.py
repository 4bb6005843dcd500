"""`gorod import icd10 FILE.csv`: the Russian ICD-10 reference book (МКБ-10).

The format is the Ministry of Health's НСИ export of OID 1.2.643.5.1.13.13.11.1005 as
kept in ../shared/data (columns id, rec_code, mkb_code, mkb_name, parent_id, addl_code,
actual, date): one row per chapter, block, rubric and subrubric, each pointing at its parent
by the file's own `id`. We keep the code, the name, the parent's code and whether the code
is in force.

- The whole file is checked first and imported in one transaction, or not at all, with
  every bad line named.
- Codes are upserted by code: a re-run changes only what the new version changed. A code
  missing from a newer file is kept (diagnoses of past visits point at it); `actual` comes
  from the file, which marks the codes withdrawn from use.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from rich.progress import Progress

from gorod.core.audit import audit_record
from gorod.core.importing import (
    RowProblem,
    chunks,
    file_facts,
    problems_print,
    progress_shown,
    read_csv,
    text_field,
)
from gorod.medrecord.models.record import Icd10

SOURCE = "НСИ Минздрава России, OID 1.2.643.5.1.13.13.11.1005 (МКБ-10)"
COLUMNS = ("id", "mkb_code", "mkb_name", "parent_id", "actual")
# A chapter (roman numerals), a block "A00-A09", a rubric "J06" or a subrubric "J06.9".
CODE = re.compile(r"^(?:[IVX]+|[A-Z]\d{2}(?:\.\d{1,2})?(?:-[A-Z]\d{2}(?:\.\d{1,2})?)?)$")
ROW_ID = re.compile(r"^\d{1,10}$")
FIELDS = ("name", "parent_code", "actual")
WRITE_BATCH = 500


@dataclass(frozen=True)
class Icd10Row:
    line: int
    row_id: str
    code: str
    name: str
    parent_id: str
    actual: bool


@dataclass
class Icd10ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def parse_row(raw: Mapping[str | None, str | None], line: int) -> Icd10Row | list[str]:
    """A checked row, or every reason why the row is bad."""
    if None in raw:
        return [_("полей больше, чем столбцов в заголовке")]
    row = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    errors: list[str] = []
    if not ROW_ID.match(row["id"]):
        errors.append(
            _("id: нужен номер строки справочника (цифры), а не «%(value)s»") % {"value": row["id"]}
        )
    code = text_field(row, "mkb_code", errors, limit=Icd10._meta.get_field("code").max_length)
    if code and not CODE.match(code):
        errors.append(_("mkb_code: «%(value)s» — не код МКБ-10") % {"value": code})
    name = text_field(row, "mkb_name", errors, limit=Icd10._meta.get_field("name").max_length)
    if row["parent_id"] and not ROW_ID.match(row["parent_id"]):
        errors.append(
            _("parent_id: нужен id строки раздела, а не «%(value)s»") % {"value": row["parent_id"]}
        )
    if row["actual"] not in ("0", "1"):
        errors.append(_("actual: нужно 1 или 0, а не «%(value)s»") % {"value": row["actual"]})
    if errors:
        return errors
    return Icd10Row(line, row["id"], code, name, row["parent_id"], row["actual"] == "1")


def parse_rows(records: Iterable[tuple[int, Mapping]]) -> tuple[list[Icd10Row], list[RowProblem]]:
    """Check every row, then the references: ids and codes unique, parents present."""
    rows: list[Icd10Row] = []
    problems: list[RowProblem] = []
    ids: dict[str, Icd10Row] = {}
    codes: dict[str, int] = {}
    for line, raw in records:
        parsed = parse_row(raw, line)
        if isinstance(parsed, list):
            problems.append(RowProblem(line, "; ".join(str(reason) for reason in parsed)))
            continue
        if parsed.row_id in ids:
            problems.append(
                RowProblem(
                    line,
                    _("id %(id)s уже есть в строке %(first)d")
                    % {"id": parsed.row_id, "first": ids[parsed.row_id].line},
                )
            )
            continue
        if parsed.code in codes:
            problems.append(
                RowProblem(
                    line,
                    _("код %(code)s уже есть в строке %(first)d")
                    % {"code": parsed.code, "first": codes[parsed.code]},
                )
            )
            continue
        ids[parsed.row_id] = parsed
        codes[parsed.code] = line
        rows.append(parsed)
    for row in rows:
        if row.parent_id and row.parent_id not in ids:
            problems.append(
                RowProblem(
                    row.line,
                    _("parent_id: строки с id %(id)s в файле нет") % {"id": row.parent_id},
                )
            )
    return rows, sorted(problems, key=lambda problem: problem.line)


def read_file(path: Path, *, progress: Progress | None = None):
    return read_csv(path, columns=COLUMNS, parse_rows=parse_rows, progress=progress)


def icd10_import(
    *,
    actor,
    rows: list[Icd10Row],
    source: Mapping[str, object],
    progress: Progress | None = None,
) -> Icd10ImportReport:
    """Upsert checked rows by code in one transaction; codes absent from the file stay."""
    by_id = {row.row_id: row for row in rows}
    wanted = {
        row.code: {
            "name": row.name,
            "parent_code": by_id[row.parent_id].code if row.parent_id else "",
            "actual": row.actual,
        }
        for row in rows
    }
    report = Icd10ImportReport()
    task = progress.add_task(_("Запись"), total=len(rows)) if progress is not None else None
    with transaction.atomic():
        new, changed = [], []
        for batch in chunks(list(wanted)):
            stored = Icd10.objects.in_bulk(batch)
            for code in batch:
                values = wanted[code]
                found = stored.get(code)
                if found is None:
                    new.append(Icd10(code=code, **values))
                elif any(getattr(found, name) != values[name] for name in FIELDS):
                    for name in FIELDS:
                        setattr(found, name, values[name])
                    changed.append(found)
            if task is not None:
                progress.advance(task, len(batch))
        Icd10.objects.bulk_create(new, batch_size=WRITE_BATCH)
        Icd10.objects.bulk_update(changed, FIELDS, batch_size=WRITE_BATCH)
        report.created, report.updated = len(new), len(changed)
        report.unchanged = len(rows) - len(new) - len(changed)
        audit_record(
            actor=actor,
            action="health.icd10_imported",
            **source,
            attribution=SOURCE,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    return report


def import_icd10(path: Path, *, actor=None, progress: Progress | None = None) -> Icd10ImportReport:
    """Check the file and import it if every row is good (no printing)."""
    sha256, _lines = file_facts(path)
    rows, problems = read_file(path, progress=progress)
    if problems:
        return Icd10ImportReport(problems=problems)
    return icd10_import(
        actor=actor,
        rows=rows,
        source={"file": str(path), "sha256": sha256, "rows": len(rows)},
        progress=progress,
    )


def import_icd10_file(path: Path, *, stdout, style, actor=None) -> Icd10ImportReport:
    """`gorod import icd10`: import the file, print progress, every bad line and a summary."""
    with progress_shown(stdout) as progress:
        report = import_icd10(path, actor=actor, progress=progress)
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    stdout.write(
        style.SUCCESS(
            _(
                "Коды МКБ-10: создано %(created)d, изменено %(updated)d, "
                "без изменений %(unchanged)d."
            )
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        )
    )
    stdout.write(_("Источник данных: %(source)s.") % {"source": SOURCE})
    return report
