"""`gorod import labs FILE.csv`: laboratory results delivered as a table, not over FHIR.

One row per observation; the rows of one report share (lab_system, lab_identifier) and
repeat the report's columns (oms_policy, issued_at, laboratory, category, specimen),
which must agree. Every row goes through the same checks as a FHIR bundle
(`services.labs`), the whole file is checked before anything is written, and it is
stored in one transaction or not at all, every bad line named. A report already stored
(same laboratory identifier) is left as it is, so a file may be loaded twice.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.core.audit import audit_record
from gorod.core.clock import city_zone
from gorod.core.errors import DomainError
from gorod.core.importing import RowProblem, chunks, file_facts, problems_print, read_csv
from gorod.medrecord.models.record import LabReport
from gorod.medrecord.services.labs import (
    CATEGORIES,
    OMS_POLICY,
    LabReportInput,
    checked_text,
    lab_report_receive,
    observation_values,
)

COLUMNS = (
    "lab_system",
    "lab_identifier",
    "oms_policy",
    "issued_at",
    "laboratory",
    "category",
    "specimen",
    "code",
    "name",
    "value",
    "unit",
    "reference_low",
    "reference_high",
    "reference_text",
)
# The columns that describe the report, repeated on each of its rows.
REPORT_COLUMNS = ("oms_policy", "issued_at", "laboratory", "category", "specimen")


@dataclass
class LabImportReport:
    created: int = 0
    already_stored: int = 0
    observations: int = 0
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class _Group:
    line: int
    head: dict
    data: LabReportInput


def _number(text: str, column: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation as error:
        raise DomainError(
            "value_invalid",
            _("%(column)s: не число «%(value)s»") % {"column": column, "value": text},
        ) from error


def _issued_at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise DomainError(
            "issued_at_invalid",
            _("issued_at: нужна дата и время ISO 8601 (2026-11-20T10:30+03:00), а не «%(value)s»")
            % {"value": text},
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=city_zone())


def _report_head(row: Mapping[str, str]) -> LabReportInput:
    if not OMS_POLICY.fullmatch(row["oms_policy"]):
        raise DomainError("oms_policy_invalid", _("oms_policy: нужен номер полиса ОМС из 16 цифр"))
    category = CATEGORIES.get(row["category"] or LabReport.Category.OTHER)
    if category is None:
        raise DomainError(
            "category_invalid",
            _("category: неизвестный вид «%(value)s»; известны: %(known)s")
            % {"value": row["category"], "known": ", ".join(LabReport.Category.values)},
        )
    return LabReportInput(
        lab_system=checked_text(
            row["lab_system"], model=LabReport, column="lab_system", where="lab_system"
        ),
        lab_identifier=checked_text(
            row["lab_identifier"], model=LabReport, column="lab_identifier", where="lab_identifier"
        ),
        laboratory=checked_text(
            row["laboratory"], model=LabReport, column="laboratory", where="laboratory"
        ),
        category=category,
        specimen=checked_text(
            row["specimen"], model=LabReport, column="specimen", where="specimen", required=False
        ),
        issued_at=_issued_at(row["issued_at"]),
        observations=[],
        oms_policy=row["oms_policy"],
    )


def _value(row: Mapping[str, str]) -> tuple[Decimal | None, str]:
    """(number, "") or — for a value that is no number and has no unit — (None, text)."""
    try:
        return _number(row["value"], "value"), ""
    except DomainError:
        # "отрицательно", "не обнаружено": a result in words, measured in nothing.
        if row["unit"]:
            raise
        return None, row["value"]


def _observation(row: Mapping[str, str]) -> dict:
    value, value_text = _value(row)
    return observation_values(
        where="",
        code=row["code"],
        name=row["name"],
        value=value,
        value_text=value_text,
        unit=row["unit"],
        reference_low=_number(row["reference_low"], "reference_low"),
        reference_high=_number(row["reference_high"], "reference_high"),
        reference_text=row["reference_text"],
    )


def parse_rows(records: Iterable[tuple[int, Mapping]]):
    """The reports of the file (by their first line) and the problems of bad lines."""
    groups: dict[tuple[str, str], _Group] = {}
    problems: list[RowProblem] = []
    for line, raw in records:
        if None in raw:
            problems.append(RowProblem(line, _("полей больше, чем столбцов в заголовке")))
            continue
        row = {column: (raw.get(column) or "").strip() for column in COLUMNS}
        try:
            observation = _observation(row)
            key = (row["lab_system"], row["lab_identifier"])
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(line, row, _report_head(row))
            elif differing := [c for c in REPORT_COLUMNS if row[c] != group.head[c]]:
                raise DomainError(
                    "report_columns_differ",
                    _("%(columns)s: не совпадает со строкой %(line)d того же отчёта")
                    % {"columns": ", ".join(differing), "line": group.line},
                )
        except DomainError as error:
            problems.append(RowProblem(line, str(error.message)))
            continue
        group.data.observations.append(observation)
    return list(groups.values()), problems


def _unknown_patients(groups: list[_Group]) -> list[RowProblem]:
    policies = sorted({group.data.oms_policy for group in groups})
    known: set[str] = set()
    for chunk in chunks(policies):
        known.update(
            Person.objects.filter(oms_policy__in=chunk).values_list("oms_policy", flat=True)
        )
    return [
        RowProblem(group.line, _("oms_policy: пациента с таким полисом нет"))
        for group in groups
        if group.data.oms_policy not in known
    ]


def import_labs(path: Path, *, actor=None) -> LabImportReport:
    """Check the file and store its reports if every line is good (no printing)."""
    sha256, _lines = file_facts(path)
    groups, problems = read_csv(path, columns=COLUMNS, parse_rows=parse_rows)
    problems = sorted([*problems, *_unknown_patients(groups)], key=lambda item: item.line)
    if problems:
        return LabImportReport(problems=problems)
    report = LabImportReport()
    with transaction.atomic():
        for group in groups:
            try:
                _entry, created = lab_report_receive(actor=actor, data=group.data)
            except DomainError as error:
                # Found only now (a patient removed since the check): nothing is kept.
                transaction.set_rollback(True)
                return LabImportReport(problems=[RowProblem(group.line, str(error.message))])
            if created:
                report.created += 1
                report.observations += len(group.data.observations)
            else:
                report.already_stored += 1
        audit_record(
            actor=actor,
            action="health.labs_imported",
            file=str(path),
            sha256=sha256,
            reports_created=report.created,
            reports_already_stored=report.already_stored,
        )
    return report


def import_labs_file(path: Path, *, stdout, style, actor=None) -> LabImportReport:
    """`gorod import labs`: import the file, print every bad line and a summary."""
    report = import_labs(path, actor=actor)
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    stdout.write(
        style.SUCCESS(
            _(
                "Анализы: загружено отчётов %(created)d (показателей %(observations)d), "
                "уже были загружены раньше %(already)d."
            )
            % {
                "created": report.created,
                "observations": report.observations,
                "already": report.already_stored,
            }
        )
    )
    return report
