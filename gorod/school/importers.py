"""`gorod import schools [FILE]` and `gorod import subjects [FILE]`: the city's schools and
the subjects of the federal programmes.

Schools come in the format of moscow_schools_2013.csv (data.mos.ru's registers of general
education schools, gathered in ../shared/data): name, short name, address, kind of school,
phone, website and WGS84 coordinates. A school is known by its full name (unique in the
register). Subjects come from school_subjects_fop_2023_hand_compiled.csv (ФОП НОО/ООО/СОО):
one row per subject and level of education; a subject taught at several levels is one
subject, known by its name.

Both imports check the whole file first, name every bad line and column, and write in one
transaction or not at all. A re-run updates what the file changed and says when nothing
did; nothing is deleted (a school missing from a newer file keeps its classes and marks).
A new school gets the city's thresholds of the suggested period mark
(GOROD_SCHOOL_MARK_THRESHOLDS); a known school keeps the thresholds it set itself.

Two columns of the register do not always fit: a few schools list up to nine phone numbers
and two private schools have a "short" name of 150 characters. The phone keeps as many whole
numbers, in the source's order, as fit; the short name is cut at a word with "…" (the full
name is kept whole). Both are reported by line, never silently.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rich.progress import Progress

from gorod.core.audit import audit_record
from gorod.core.importing import (
    DATA_MOS_RU,
    SHOW_PROBLEMS,
    RowProblem,
    chunks,
    coordinate_field,
    file_facts,
    problems_print,
    progress_shown,
    read_csv,
    text_field,
    unique_rows,
)
from gorod.school import rules
from gorod.school.models import School, Subject

ATTRIBUTION = DATA_MOS_RU
SUBJECTS_SOURCE = "ФОП НОО/ООО/СОО (приказы Минпросвещения России № 372, 370, 371 от 18.05.2023)"
SHARED_DATA = settings.SHARED_DATA_DIR
SCHOOLS_FILE = SHARED_DATA / "moscow_schools_2013.csv"
SUBJECTS_FILE = SHARED_DATA / "school_subjects_fop_2023_hand_compiled.csv"

SCHOOL_COLUMNS = ("name", "short_name", "address", "institution_kind", "phone", "website")
COORDINATE_COLUMNS = ("lat", "lon")
SUBJECT_COLUMNS = ("level", "subject", "grades")
LEVELS = ("НОО", "ООО", "СОО")
SCHOOL_FIELDS = ("short_name", "kind", "address", "phone", "website", "lat", "lon")
WRITE_BATCH = 500
# The register separates a school's phone numbers so.
PHONE_SEPARATOR = ";"
ELLIPSIS = "…"


def _width(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class SchoolRow:
    """One school of the register, checked and fitted to the columns."""

    line: int
    name: str
    short_name: str
    kind: str
    address: str
    phone: str
    website: str
    lat: Decimal | None
    lon: Decimal | None
    # What did not fit, as the source has it, for the report (see the module's docstring).
    shortened: tuple[str, ...] = ()


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Lines whose phone or short name was fitted to its column.
    shortened: list[RowProblem] = field(default_factory=list)

    @property
    def changed_nothing(self) -> bool:
        return not self.created and not self.updated


def phones_fitted(text: str, limit: int) -> str | None:
    """As many whole numbers of a "a; b; c" list as fit in `limit` characters; None when
    not even the first one does."""
    kept = ""
    for number in (part.strip() for part in text.split(PHONE_SEPARATOR)):
        if not number:
            continue
        candidate = f"{kept}{PHONE_SEPARATOR} {number}" if kept else number
        if len(candidate) > limit:
            break
        kept = candidate
    return kept or None


def name_fitted(text: str, limit: int) -> str:
    """The text cut at the last whole word that leaves room for "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    if " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(' ,.;:—-«"') + ELLIPSIS


def parse_school(raw: Mapping[str | None, str | None], line: int) -> SchoolRow | list[str]:
    """A checked school, or every reason why its row is bad, each naming the column."""
    if None in raw:
        return [_("полей больше, чем столбцов в заголовке")]
    row = {
        column: (raw.get(column) or "").strip() for column in (*SCHOOL_COLUMNS, *COORDINATE_COLUMNS)
    }
    errors: list[str] = []
    shortened: list[str] = []
    name = text_field(row, "name", errors, limit=_width(School, "name"))
    short_name = text_field(row, "short_name", errors, limit=10**6)
    if len(short_name) > _width(School, "short_name"):
        shortened.append(_("short_name: «%(value)s»") % {"value": short_name})
        short_name = name_fitted(short_name, _width(School, "short_name"))
    kind = text_field(row, "institution_kind", errors, limit=_width(School, "kind"), required=False)
    address = text_field(row, "address", errors, limit=_width(School, "address"))
    website = text_field(row, "website", errors, limit=_width(School, "website"), required=False)
    phone = row["phone"]
    if len(phone) > _width(School, "phone"):
        fitted = phones_fitted(phone, _width(School, "phone"))
        if fitted is None:
            errors.append(
                _("phone: первый номер длиннее %(limit)d знаков")
                % {"limit": _width(School, "phone")}
            )
        else:
            shortened.append(_("phone: «%(value)s»") % {"value": phone})
            phone = fitted
    lat = coordinate_field(row, "lat", errors, bound=90)
    lon = coordinate_field(row, "lon", errors, bound=180)
    if bool(row["lat"]) != bool(row["lon"]):
        errors.append(_("lat, lon: координаты указываются обе или ни одной"))
    if errors:
        return errors
    return SchoolRow(
        line=line,
        name=name,
        short_name=short_name,
        kind=kind,
        address=address,
        phone=phone,
        website=website,
        lat=lat,
        lon=lon,
        shortened=tuple(shortened),
    )


def parse_schools(
    records: Iterable[tuple[int, Mapping]],
) -> tuple[list[SchoolRow], list[RowProblem]]:
    """Check every row; a name repeated in the file is a problem on the later line."""
    return unique_rows(
        records,
        parse_school,
        key=lambda row: row.name,
        repeated=lambda _row, first: (
            _("name: эта школа уже есть в строке %(first)d") % {"first": first}
        ),
    )


def _grades_valid(text: str) -> bool:
    """ "5" or "5-9", within grades 1..11 and rising."""
    parts = text.split("-")
    if len(parts) > 2 or not all(part.isdigit() for part in parts):
        return False
    numbers = [int(part) for part in parts]
    return all(1 <= number <= 11 for number in numbers) and numbers == sorted(numbers)


def parse_subjects(
    records: Iterable[tuple[int, Mapping]],
) -> tuple[list[tuple[int, str]], list[RowProblem]]:
    """The subjects' names, each with the first line naming it; a subject repeated for
    another level is the same subject, not a problem."""
    names: dict[str, int] = {}
    problems: list[RowProblem] = []
    for line, raw in records:
        if None in raw:
            problems.append(RowProblem(line, _("полей больше, чем столбцов в заголовке")))
            continue
        row = {column: (raw.get(column) or "").strip() for column in SUBJECT_COLUMNS}
        errors: list[str] = []
        if row["level"] not in LEVELS:
            errors.append(
                _("level: нужен уровень образования (%(known)s), а не «%(value)s»")
                % {"known": ", ".join(LEVELS), "value": row["level"]}
            )
        name = text_field(row, "subject", errors, limit=_width(Subject, "name"))
        if not _grades_valid(row["grades"]):
            errors.append(
                _("grades: нужны классы от 1 до 11, «5» или «5-9», а не «%(value)s»")
                % {"value": row["grades"]}
            )
        if errors:
            problems.append(RowProblem(line, "; ".join(str(reason) for reason in errors)))
            continue
        names.setdefault(name, line)
    return [(line, name) for name, line in names.items()], problems


def _stored_schools(names: list[str]) -> dict[str, School]:
    stored: dict[str, School] = {}
    for chunk in chunks(sorted(names)):
        stored.update((school.name, school) for school in School.objects.filter(name__in=chunk))
    return stored


def schools_import(
    *,
    actor,
    rows: list[SchoolRow],
    source: Mapping[str, object],
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update the schools of checked rows, in one transaction; an audit row only
    when something was written."""
    report = ImportReport()
    task = progress.add_task(_("Запись"), total=len(rows)) if progress is not None else None
    city = rules.Thresholds.parse(settings.GOROD_SCHOOL_MARK_THRESHOLDS)
    with transaction.atomic():
        stored = _stored_schools([row.name for row in rows])
        new, changed = [], []
        for row in rows:
            values = {name: getattr(row, name) for name in SCHOOL_FIELDS}
            found = stored.get(row.name)
            if found is None:
                new.append(
                    School(
                        name=row.name,
                        threshold_5=city.five,
                        threshold_4=city.four,
                        threshold_3=city.three,
                        **values,
                    )
                )
                continue
            differs = [name for name in SCHOOL_FIELDS if getattr(found, name) != values[name]]
            for name in differs:
                setattr(found, name, values[name])
            if differs:
                changed.append(found)
        for batch in chunks(new, WRITE_BATCH):
            School.objects.bulk_create(batch)
            if task is not None:
                progress.advance(task, len(batch))
        School.objects.bulk_update(changed, SCHOOL_FIELDS, batch_size=WRITE_BATCH)
        if task is not None:
            progress.update(task, completed=len(rows))
        report.created, report.updated = len(new), len(changed)
        report.unchanged = len(rows) - len(new) - len(changed)
        if not report.changed_nothing:
            audit_record(
                actor=actor,
                action="school.schools_imported",
                **source,
                attribution=ATTRIBUTION,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
    report.shortened = [
        RowProblem(row.line, "; ".join(str(item) for item in row.shortened))
        for row in rows
        if row.shortened
    ]
    return report


def import_schools(path: Path, *, actor=None, progress: Progress | None = None) -> ImportReport:
    """Check the file and import it if every row is good (no printing: the demo's way in)."""
    sha256, _lines = file_facts(path)
    rows, problems = read_csv(
        path,
        columns=(*SCHOOL_COLUMNS, *COORDINATE_COLUMNS),
        parse_rows=parse_schools,
        progress=progress,
    )
    if problems:
        return ImportReport(problems=problems)
    return schools_import(
        actor=actor,
        rows=rows,
        source={"file": str(path), "sha256": sha256, "rows": len(rows)},
        progress=progress,
    )


def import_subjects(path: Path, *, actor=None, progress: Progress | None = None) -> ImportReport:
    """Check the file and add the subjects not yet known (a name is all a subject is here;
    its English name is the back office's to fill, so a re-run never touches it)."""
    sha256, _lines = file_facts(path)
    subjects, problems = read_csv(
        path, columns=SUBJECT_COLUMNS, parse_rows=parse_subjects, progress=progress
    )
    if problems:
        return ImportReport(problems=problems)
    with transaction.atomic():
        known = set(Subject.objects.values_list("name", flat=True))
        new = [Subject(name=name) for _line, name in subjects if name not in known]
        Subject.objects.bulk_create(new, batch_size=WRITE_BATCH)
        report = ImportReport(created=len(new), unchanged=len(subjects) - len(new))
        if new:
            audit_record(
                actor=actor,
                action="school.subjects_imported",
                file=str(path),
                sha256=sha256,
                source=SUBJECTS_SOURCE,
                created=report.created,
                unchanged=report.unchanged,
            )
    return report


def _summary(report: ImportReport, *, stdout, style, what: str) -> None:
    if report.changed_nothing:
        stdout.write(
            style.SUCCESS(
                _("%(what)s: ничего не изменилось — все %(count)d уже загружены.")
                % {"what": what, "count": report.unchanged}
            )
        )
        return
    stdout.write(
        style.SUCCESS(
            _("%(what)s: создано %(created)d, изменено %(updated)d, без изменений %(unchanged)d.")
            % {
                "what": what,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
    )


def import_schools_file(path: Path, *, stdout, style, actor=None) -> ImportReport:
    """`gorod import schools`: import the file, print progress, every bad line, a summary."""
    with progress_shown(stdout) as progress:
        report = import_schools(path, actor=actor, progress=progress)
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    for shortened in report.shortened[:SHOW_PROBLEMS]:
        stdout.write(
            style.WARNING(
                _("%(path)s:%(line)d: не помещается в столбец и сокращено: %(what)s")
                % {"path": path, "line": shortened.line, "what": shortened.message}
            )
        )
    _summary(report, stdout=stdout, style=style, what=_("Школы"))
    stdout.write(_("Источник данных: %(source)s.") % {"source": ATTRIBUTION})
    return report


def import_subjects_file(path: Path, *, stdout, style, actor=None) -> ImportReport:
    """`gorod import subjects`: import the file, print progress, every bad line, a summary."""
    with progress_shown(stdout) as progress:
        report = import_subjects(path, actor=actor, progress=progress)
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    _summary(report, stdout=stdout, style=style, what=_("Предметы"))
    stdout.write(_("Источник: %(source)s.") % {"source": SUBJECTS_SOURCE})
    return report
