"""`gorod import meters FILE.csv`: the premises and meters registry of the management companies.

One row per meter (docs/housing.md has the columns). The whole file is checked first and
imported in one transaction, or not at all: a registry half applied would leave some
households without meters they can see on their bill, and the operator gets every bad line
with its reason to fix in one pass.

Re-importing is safe: premises are found by payer code and meters by (kind, serial), so a
second run updates what changed (residents and address; commissioning and verification
dates) and creates nothing twice. Readings are never touched; a meter's identity (its
premises, initial value, installation date, digits) is never rewritten by a file — a file
that disagrees with it is refused, because a new meter goes in through a replacement.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from gorod.core.audit import audit_record
from gorod.core.importing import (
    RowProblem,
    chunks,
    file_facts,
    problems_print,
    read_csv,
    text_field,
)
from gorod.housing import rules
from gorod.housing.models import VALUE_DECIMAL_PLACES, Meter, Premises

COLUMNS = (
    "payer_code",
    "apartment",
    "address",
    "residents",
    "kind",
    "serial",
    "location",
    "installed_on",
    "commissioned_on",
    "initial_value",
    "next_verification_on",
    "integer_digits",
    "fraction_digits",
)
# Dates are ISO only: "01.02.2026" and "02/01/2026" read differently in different offices.
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DEFAULT_INTEGER_DIGITS = 5
DEFAULT_FRACTION_DIGITS = 3
MAX_INTEGER_DIGITS = 7
MAX_RESIDENTS = 999
# Lookups of existing rows go in chunks: SQLite allows a limited number of query parameters.
WRITE_BATCH = 1000


@dataclass(frozen=True)
class RegistryRow:
    """One meter of the registry file, checked."""

    line: int
    payer_code: str
    apartment: str
    address: str
    residents: int
    kind: str
    serial: str
    location: str
    installed_on: date
    commissioned_on: date | None
    initial_value: Decimal
    next_verification_on: date
    integer_digits: int
    fraction_digits: int


@dataclass
class MeterImportReport:
    premises_created: int = 0
    premises_updated: int = 0
    meters_created: int = 0
    meters_updated: int = 0
    meters_unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


# --- Reading and checking the file ----------------------------------------------------


def _date(row: Mapping[str, str], column: str, errors: list[str], *, required=True):
    text = row[column]
    if not text:
        if required:
            errors.append(_("%(column)s: не заполнено") % {"column": column})
        return None
    try:
        if ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors.append(
        _("%(column)s: дата должна быть в виде ГГГГ-ММ-ДД, а не «%(value)s»")
        % {"column": column, "value": text}
    )
    return None


def _whole(row: Mapping[str, str], column: str, errors: list[str], *, low, high, default=None):
    text = row[column]
    if not text and default is not None:
        return default
    if text.isascii() and text.isdigit() and low <= int(text) <= high:
        return int(text)
    errors.append(
        _("%(column)s: нужно целое число от %(low)d до %(high)d, а не «%(value)s»")
        % {"column": column, "low": low, "high": high, "value": text}
    )
    return None


def parse_row(raw: Mapping[str | None, str | None], line: int) -> RegistryRow | list[str]:
    """A checked row, or every reason why the row is bad."""
    if None in raw:
        return [_("полей больше, чем столбцов в заголовке")]
    row = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    errors: list[str] = []
    if problem := rules.payer_code_problem(row["payer_code"]):
        errors.append(f"payer_code: {problem.message}")
    apartment = rules.normalize_apartment(text_field(row, "apartment", errors, limit=10))
    address = text_field(row, "address", errors, limit=255)
    residents = _whole(row, "residents", errors, low=0, high=MAX_RESIDENTS)
    kind = row["kind"]
    if kind not in Meter.UNIT_OF_KIND:
        errors.append(_("kind: нужно cold, hot или heat, а не «%(value)s»") % {"value": kind})
    serial = text_field(row, "serial", errors, limit=32)
    location = text_field(row, "location", errors, limit=64, required=False)
    installed_on = _date(row, "installed_on", errors)
    commissioned_on = _date(row, "commissioned_on", errors, required=False)
    next_verification_on = _date(row, "next_verification_on", errors)
    integer_digits = _whole(
        row,
        "integer_digits",
        errors,
        low=1,
        high=MAX_INTEGER_DIGITS,
        default=DEFAULT_INTEGER_DIGITS,
    )
    fraction_digits = _whole(
        row,
        "fraction_digits",
        errors,
        low=0,
        high=VALUE_DECIMAL_PLACES,
        default=DEFAULT_FRACTION_DIGITS,
    )
    initial_value = None
    if integer_digits is not None and fraction_digits is not None:
        try:
            initial_value = rules.parse_value(
                row["initial_value"],
                integer_digits=integer_digits,
                fraction_digits=fraction_digits,
            )
        except rules.RuleError as error:
            errors.append(f"initial_value: {error.message}")
    if installed_on and commissioned_on and commissioned_on < installed_on:
        errors.append(_("commissioned_on: счётчик введён в эксплуатацию раньше, чем установлен"))
    if installed_on and next_verification_on and next_verification_on <= installed_on:
        errors.append(_("next_verification_on: поверка должна быть позже даты установки"))
    if errors:
        return errors
    return RegistryRow(
        line=line,
        payer_code=row["payer_code"],
        apartment=apartment,
        address=address,
        residents=residents,
        kind=kind,
        serial=serial,
        location=location,
        installed_on=installed_on,
        commissioned_on=commissioned_on,
        initial_value=initial_value,
        next_verification_on=next_verification_on,
        integer_digits=integer_digits,
        fraction_digits=fraction_digits,
    )


def parse_rows(
    records: Iterable[tuple[int, Mapping]],
) -> tuple[list[RegistryRow], list[RowProblem]]:
    """Check every row, and that the rows agree with each other.

    A meter listed twice, or a premises described two ways, is a problem on the later
    line: the file must say one thing about each, or the result would depend on row order.
    """
    rows: list[RegistryRow] = []
    problems: list[RowProblem] = []
    meters_seen: dict[tuple[str, str], int] = {}
    premises_seen: dict[str, RegistryRow] = {}
    for line, raw in records:
        parsed = parse_row(raw, line)
        if isinstance(parsed, list):
            problems.append(RowProblem(line, "; ".join(str(reason) for reason in parsed)))
            continue
        key = (parsed.kind, parsed.serial)
        if key in meters_seen:
            problems.append(
                RowProblem(
                    line,
                    _("счётчик %(kind)s № %(serial)s уже есть в строке %(first)d")
                    % {"kind": parsed.kind, "serial": parsed.serial, "first": meters_seen[key]},
                )
            )
            continue
        meters_seen[key] = line
        first = premises_seen.setdefault(parsed.payer_code, parsed)
        if (first.apartment, first.address, first.residents) != (
            parsed.apartment,
            parsed.address,
            parsed.residents,
        ):
            problems.append(
                RowProblem(
                    line,
                    _(
                        "помещение с кодом плательщика %(code)s в строке %(first)d описано "
                        "иначе (квартира, адрес или число жильцов)"
                    )
                    % {"code": parsed.payer_code, "first": first.line},
                )
            )
            continue
        rows.append(parsed)
    return rows, problems


def read_file(path: Path, *, progress: Progress | None = None):
    """The rows of a registry file and the problems of its bad rows."""
    return read_csv(path, columns=COLUMNS, parse_rows=parse_rows, progress=progress)


# --- Comparing with what is stored, then writing --------------------------------------


def _stored(rows: list[RegistryRow]) -> tuple[dict[str, Premises], dict[tuple[str, str], Meter]]:
    premises: dict[str, Premises] = {}
    for codes in chunks(sorted({row.payer_code for row in rows})):
        premises.update(
            (found.payer_code, found) for found in Premises.objects.filter(payer_code__in=codes)
        )
    wanted = {(row.kind, row.serial) for row in rows}
    meters: dict[tuple[str, str], Meter] = {}
    for serials in chunks(sorted({row.serial for row in rows})):
        for meter in Meter.objects.select_related("premises").filter(serial__in=serials):
            if (meter.kind, meter.serial) in wanted:
                meters[(meter.kind, meter.serial)] = meter
    return premises, meters


def _conflict(row: RegistryRow, premises: Premises | None, meter: Meter | None) -> str | None:
    """Why the row cannot apply to what is stored (None if it can)."""
    if premises is not None and premises.apartment != row.apartment:
        return _(
            "код плательщика %(code)s уже принадлежит квартире %(apartment)s, а не %(row)s"
        ) % {"code": row.payer_code, "apartment": premises.apartment, "row": row.apartment}
    if meter is None:
        return None
    label = str(meter)
    if meter.premises.payer_code != row.payer_code:
        return _("%(meter)s уже установлен в помещении с кодом плательщика %(code)s") % {
            "meter": label,
            "code": meter.premises.payer_code,
        }
    if meter.status != Meter.Status.ACTIVE:
        return _("%(meter)s снят %(date)s; новый счётчик вводится заменой") % {
            "meter": label,
            "date": meter.retired_on.strftime("%d.%m.%Y"),
        }
    differs = [
        column
        for column in ("initial_value", "installed_on", "integer_digits", "fraction_digits")
        if getattr(meter, column) != getattr(row, column)
    ]
    if differs:
        return _(
            "%(meter)s уже в реестре с другими данными (%(columns)s); они не меняются "
            "загрузкой — другой счётчик вводится заменой"
        ) % {"meter": label, "columns": ", ".join(differs)}
    if meter.commissioned_on is not None and row.commissioned_on is None:
        return _("%(meter)s уже введён в эксплуатацию %(date)s; пустая дата его не отменяет") % {
            "meter": label,
            "date": meter.commissioned_on.strftime("%d.%m.%Y"),
        }
    return None


def registry_conflicts(rows: list[RegistryRow], stored=None) -> list[RowProblem]:
    """The rows that cannot apply to what is stored, each with its reason."""
    premises, meters = stored or _stored(rows)
    return [
        RowProblem(row.line, reason)
        for row in rows
        if (
            reason := _conflict(
                row, premises.get(row.payer_code), meters.get((row.kind, row.serial))
            )
        )
    ]


def _premises_of(
    rows: list[RegistryRow], premises: dict[str, Premises]
) -> tuple[list[Premises], list[Premises]]:
    """The premises the rows add and those whose address or residents they change;
    `premises` (by payer code) gains the new ones, for their meters to point at."""
    new_premises, changed_premises = [], []
    for row in rows:
        found = premises.get(row.payer_code)
        if found is None:
            found = Premises(
                payer_code=row.payer_code,
                apartment=row.apartment,
                address=row.address,
                residents=row.residents,
            )
            premises[row.payer_code] = found
            new_premises.append(found)
        elif (found.address, found.residents) != (row.address, row.residents):
            found.address, found.residents = row.address, row.residents
            # Rows of one payer code agree (parse_rows), so this happens once per code.
            changed_premises.append(found)
    return new_premises, changed_premises


def meters_import(
    *, actor, rows: list[RegistryRow], source: Mapping[str, str], progress: Progress | None = None
) -> MeterImportReport:
    """Create or update premises and meters from checked rows, all in one transaction.

    The rows are compared with the registry again inside the transaction: what was
    checked before may have changed since.
    """
    report = MeterImportReport()
    task = progress.add_task(_("Запись"), total=len(rows)) if progress is not None else None
    with transaction.atomic():
        premises, meters = _stored(rows)
        report.problems = registry_conflicts(rows, (premises, meters))
        if report.problems:
            return report
        new_premises, changed_premises = _premises_of(rows, premises)
        Premises.objects.bulk_create(new_premises, batch_size=WRITE_BATCH)
        Premises.objects.bulk_update(
            changed_premises, ["address", "residents"], batch_size=WRITE_BATCH
        )
        report.premises_created, report.premises_updated = len(new_premises), len(changed_premises)
        new_meters, changed_meters = [], []
        for row in rows:
            meter = meters.get((row.kind, row.serial))
            if meter is None:
                new_meters.append(
                    Meter(
                        premises=premises[row.payer_code],
                        kind=row.kind,
                        unit=Meter.UNIT_OF_KIND[row.kind],
                        serial=row.serial,
                        location=row.location,
                        installed_on=row.installed_on,
                        commissioned_on=row.commissioned_on,
                        initial_value=row.initial_value,
                        next_verification_on=row.next_verification_on,
                        integer_digits=row.integer_digits,
                        fraction_digits=row.fraction_digits,
                    )
                )
            elif (meter.commissioned_on, meter.next_verification_on) != (
                row.commissioned_on,
                row.next_verification_on,
            ):
                meter.commissioned_on = row.commissioned_on
                meter.next_verification_on = row.next_verification_on
                changed_meters.append(meter)
            else:
                report.meters_unchanged += 1
        for batch in chunks(new_meters, WRITE_BATCH):
            Meter.objects.bulk_create(batch)
            if task is not None:
                progress.advance(task, len(batch))
        for batch in chunks(changed_meters, WRITE_BATCH):
            Meter.objects.bulk_update(batch, ["commissioned_on", "next_verification_on"])
            if task is not None:
                progress.advance(task, len(batch))
        report.meters_created, report.meters_updated = len(new_meters), len(changed_meters)
        audit_record(
            actor=actor,
            action="housing.meters_imported",
            **source,
            premises_created=report.premises_created,
            premises_updated=report.premises_updated,
            meters_created=report.meters_created,
            meters_updated=report.meters_updated,
            meters_unchanged=report.meters_unchanged,
        )
    return report


# --- The command's face ---------------------------------------------------------------


def import_meters_file(path: Path, *, stdout, style, actor=None) -> MeterImportReport:
    """Check the file, import it if every row is good; print progress and what happened."""
    sha256, _lines = file_facts(path)
    console = Console(file=stdout, highlight=False)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        rows, problems = read_file(path, progress=progress)
        # Every bad line in one pass: those that contradict the registry too.
        problems = sorted([*problems, *registry_conflicts(rows)], key=lambda item: item.line)
        report = (
            MeterImportReport(problems=problems)
            if problems
            else meters_import(
                actor=actor,
                rows=rows,
                source={"file": str(path), "sha256": sha256, "rows": len(rows)},
                progress=progress,
            )
        )
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    stdout.write(
        style.SUCCESS(
            _(
                "Помещения: создано %(premises_created)d, изменено %(premises_updated)d. "
                "Счётчики: создано %(meters_created)d, изменено %(meters_updated)d, "
                "без изменений %(meters_unchanged)d."
            )
            % {
                "premises_created": report.premises_created,
                "premises_updated": report.premises_updated,
                "meters_created": report.meters_created,
                "meters_updated": report.meters_updated,
                "meters_unchanged": report.meters_unchanged,
            }
        )
    )
    return report
