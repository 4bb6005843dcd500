"""`gorod import definitions DIR` and `gorod import mfc FILE`: validate everything, then write.

Definitions: every file is checked against the schema and against the catalog (the service
exists, is not a flagship, and its kind is the definition's) before anything is written; one
mistake anywhere imports nothing. An unchanged file imports as nothing new; a changed one must
raise its `version`, and is stored beside the old version, which the applications already
started under it keep following.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from rich.progress import Progress

from gorod.applications.loader import DefinitionProblem, LoadedDefinition, load_directory
from gorod.applications.models import Definition, Office
from gorod.catalog.models import Service
from gorod.core.audit import audit_record
from gorod.core.importing import RowProblem, read_csv, text_field

OFFICE_COLUMNS = ("code", "name", "address", "phone", "windows")


@dataclass
class DefinitionsReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[DefinitionProblem] = field(default_factory=list)


def definitions_import(
    directory: Path, *, actor=None, progress: Progress | None = None
) -> DefinitionsReport:
    """Import the definition files under `directory`, all or nothing."""
    loaded, problems = load_directory(directory)
    report = DefinitionsReport(problems=problems)
    services = {service.slug: service for service in Service.objects.select_related(None)}
    newest = _newest_versions()
    fresh: list[tuple[LoadedDefinition, Service]] = []
    task = progress.add_task(_("Проверка определений"), total=len(loaded)) if progress else None
    for one in loaded:
        problem, service = _check_against_catalog(one, services, newest)
        if problem is not None:
            report.problems.append(problem)
        elif newest.get(one.definition.service, (0, ""))[1] == one.sha256:
            report.unchanged.append(one.definition.service)
        else:
            fresh.append((one, service))
        if progress:
            progress.advance(task)
    if report.problems:
        return report
    with transaction.atomic():
        Definition.objects.bulk_create(
            [
                Definition(
                    service=service,
                    version=one.definition.version,
                    kind=one.definition.kind,
                    document=one.document,
                    sha256=one.sha256,
                    source_file=one.file,
                )
                for one, service in fresh
            ]
        )
        report.created = [one.definition.service for one, _service in fresh]
        audit_record(
            actor=actor,
            action="applications.definitions_import",
            created=len(report.created),
            unchanged=len(report.unchanged),
        )
    return report


def _newest_versions() -> dict[str, tuple[int, str]]:
    newest: dict[str, tuple[int, str]] = {}
    rows = Definition.objects.order_by("service__slug", "version").values_list(
        "service__slug", "version", "sha256"
    )
    for slug, version, sha256 in rows:
        newest[slug] = (version, sha256)
    return newest


def _check_against_catalog(
    one: LoadedDefinition, services: dict[str, Service], newest: dict[str, tuple[int, str]]
) -> tuple[DefinitionProblem | None, Service | None]:
    definition = one.definition
    service = services.get(definition.service)

    def problem(path: str, message: str):
        return DefinitionProblem(one.file, path, message), service

    if service is None:
        return problem(
            "service", _("услуги «%(slug)s» нет в каталоге") % {"slug": definition.service}
        )
    if service.kind == Service.Kind.FLAGSHIP:
        return problem(
            "service", _("у основной услуги портала свой модуль, определение ей не нужно")
        )
    if service.kind != definition.kind:
        return problem(
            "kind",
            _("в каталоге услуга вида «%(catalog)s», а определение — «%(definition)s»")
            % {"catalog": service.kind, "definition": definition.kind},
        )
    version, sha256 = newest.get(definition.service, (0, ""))
    if sha256 == one.sha256:
        return None, service
    if definition.version == version:
        return problem(
            "version",
            _("определение изменилось, а версия осталась %(version)d: поднимите её до %(next)d")
            % {"version": version, "next": version + 1},
        )
    if definition.version < version:
        return problem(
            "version",
            _("уже загружена версия %(version)d; новая должна быть больше") % {"version": version},
        )
    return None, service


@dataclass
class OfficesReport:
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def offices_import(path: Path, *, actor=None, progress: Progress | None = None) -> OfficesReport:
    """The city's public services centres (data.mos.ru's МФЦ list), all or nothing, by code."""
    report = OfficesReport()

    def parse(records):
        offices = []
        for line, row in records:
            errors: list[str] = []
            code = text_field(row, "code", errors, limit=16)
            name = text_field(row, "name", errors, limit=200)
            address = text_field(row, "address", errors, limit=300)
            phone = text_field(row, "phone", errors, limit=100, required=False)
            windows = (row.get("windows") or "").strip()
            if windows and not windows.isdigit():
                errors.append(_("windows: не число"))
            if errors:
                report.problems.append(RowProblem(line, "; ".join(errors)))
                continue
            offices.append(
                Office(
                    code=code,
                    name=name,
                    address=address,
                    phone=phone,
                    windows=int(windows) if windows else None,
                )
            )
        return offices

    offices = read_csv(path, columns=OFFICE_COLUMNS, parse_rows=parse, progress=progress)
    if report.problems:
        return report
    existing = set(Office.objects.values_list("code", flat=True))
    with transaction.atomic():
        Office.objects.bulk_create(
            offices,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "address", "phone", "windows"],
        )
        audit_record(actor=actor, action="applications.offices_import", rows=len(offices))
    report.created = sum(1 for office in offices if office.code not in existing)
    report.updated = len(offices) - report.created
    return report
