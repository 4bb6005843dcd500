"""`gorod import clinics FILE.csv`: the city's registry of medical organisations.

The format is that of data.mos.ru's medical datasets as gathered in
moscow_medical_organisations_2013.csv (docs/health.md has the columns): one row per
building, with its dataset, category, code within the dataset, name, address, okrug,
phone and WGS84 coordinates. The data is the city's open data: the source is named
(`ATTRIBUTION`) in the audit record, the summary and the pages, and nothing is
"corrected" — a postcode typo in the source stays as the source has it.

- Each row is a Location. A row named "… филиал № N" (or "… филиал") is a branch of the
  organisation named without that suffix in the same dataset; a row "… филиал ГБУЗ
  «Детская городская поликлиника № 19 …»" is a branch of the row named with the same
  quoted name. The main building is a Location of its organisation too. A branch whose
  main row is missing from the file makes an organisation of the name without the
  suffix, coded by its first branch.
- Source codes repeat across datasets (each dataset numbers its own rows), so registry
  codes are "<dataset>-<code>": "503-147".
- The whole file is checked first and imported in one transaction, or not at all, with
  every bad line named; a re-run updates names, addresses, phones and coordinates, and
  never deletes: a clinic missing from a newer file keeps its doctors and appointments.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from rich.progress import Progress

from gorod.clinics.models import Location, Organisation
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

ATTRIBUTION = DATA_MOS_RU
COLUMNS = (
    "source_dataset_id",
    "category",
    "source_code",
    "name",
    "address",
    "adm_okrug",
    "phone",
    "lat",
    "lon",
)
# The datasets' category titles, as data.mos.ru names them.
KINDS = {
    "Городские поликлиники (взрослые)": Organisation.Kind.ADULT_POLYCLINIC,
    "Детские поликлиники": Organisation.Kind.CHILDREN_POLYCLINIC,
    "Больницы": Organisation.Kind.HOSPITAL,
    "Стоматологические поликлиники": Organisation.Kind.DENTAL,
    "Детские стоматологические поликлиники": Organisation.Kind.CHILDREN_DENTAL,
    "Женские консультации": Organisation.Kind.WOMENS_CONSULTATION,
    "Консультативно-диагностические центры": Organisation.Kind.DIAGNOSTIC_CENTRE,
}
# "Городская поликлиника № 5 филиал № 1", "Городская поликлиника № 195 филиал".
BRANCH_SUFFIX = re.compile(r"^(?P<main>.+?)\s+филиал(?:\s*№\s*\d+)?$", re.IGNORECASE)
# "ДГП № 43 - филиал ГБУЗ «Детская городская поликлиника № 19 ДЗМ»": the quoted name.
BRANCH_OF_QUOTED = re.compile(r"филиал\w*\s[^«]*«(?P<main>[^»]+)»", re.IGNORECASE)
QUOTED = re.compile(r"«(?P<name>[^»]+)»")
DATASET = re.compile(r"^[0-9]{1,10}$")
WRITE_BATCH = 500

ORGANISATION_FIELDS = ("name", "kind", "district", "phone")
LOCATION_FIELDS = ("name", "address", "latitude", "longitude", "phone")


def _width(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class ClinicRow:
    """One building of the registry file, checked."""

    line: int
    dataset: str
    code: str
    kind: str
    name: str
    address: str
    # The okrug as the source writes it; blank when it does not fit the column.
    district: str
    phone: str
    latitude: Decimal | None
    longitude: Decimal | None
    # The source's okrug when it was too long to keep (reported, not stored).
    district_dropped: str = ""

    @property
    def registry_code(self) -> str:
        return f"{self.dataset}-{self.code}"


@dataclass
class OrganisationPlan:
    """An organisation of the file and its buildings, main building first when present."""

    registry_code: str
    name: str
    kind: str
    district: str
    phone: str
    locations: list[ClinicRow] = field(default_factory=list)


@dataclass
class ClinicImportReport:
    organisations_created: int = 0
    organisations_updated: int = 0
    organisations_unchanged: int = 0
    locations_created: int = 0
    locations_updated: int = 0
    locations_unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Lines whose okrug did not fit the column (kept in the address; see ClinicRow).
    districts_dropped: list[RowProblem] = field(default_factory=list)


def parse_row(raw: Mapping[str | None, str | None], line: int) -> ClinicRow | list[str]:
    """A checked row, or every reason why the row is bad."""
    if None in raw:
        return [_("полей больше, чем столбцов в заголовке")]
    row = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    errors: list[str] = []
    dataset = row["source_dataset_id"]
    if not DATASET.match(dataset):
        errors.append(
            _("source_dataset_id: нужен номер набора данных (цифры), а не «%(value)s»")
            % {"value": dataset}
        )
    code = row["source_code"]
    code_limit = _width(Location, "registry_code") - len(dataset) - 1
    if not code:
        errors.append(_("source_code: не заполнено"))
    elif len(code) > code_limit or any(char.isspace() for char in code):
        errors.append(
            _("source_code: нужен код без пробелов не длиннее %(limit)d знаков, а не «%(value)s»")
            % {"limit": max(code_limit, 1), "value": code}
        )
    kind = KINDS.get(row["category"])
    if kind is None:
        errors.append(
            _("category: неизвестная категория «%(value)s»; известны: %(known)s")
            % {"value": row["category"], "known": "; ".join(KINDS)}
        )
    name = text_field(row, "name", errors, limit=_width(Location, "name"))
    address = text_field(row, "address", errors, limit=_width(Location, "address"))
    phone = text_field(row, "phone", errors, limit=_width(Location, "phone"), required=False)
    latitude = coordinate_field(row, "lat", errors, bound=90)
    longitude = coordinate_field(row, "lon", errors, bound=180)
    if bool(row["lat"]) != bool(row["lon"]):
        errors.append(_("lat, lon: координаты указываются обе или ни одной"))
    if errors:
        return errors
    district = row["adm_okrug"]
    fits = len(district) <= _width(Organisation, "district")
    return ClinicRow(
        line=line,
        dataset=dataset,
        code=code,
        kind=kind,
        name=name,
        address=address,
        district=district if fits else "",
        phone=phone,
        latitude=latitude,
        longitude=longitude,
        district_dropped="" if fits else district,
    )


def parse_rows(
    records: Iterable[tuple[int, Mapping]],
) -> tuple[list[ClinicRow], list[RowProblem]]:
    """Check every row; a code repeated within a dataset is a problem on the later line."""
    return unique_rows(
        records,
        parse_row,
        key=lambda row: row.registry_code,
        repeated=lambda row, first: (
            _("код %(code)s набора %(dataset)s уже есть в строке %(first)d")
            % {"code": row.code, "dataset": row.dataset, "first": first}
        ),
    )


def read_file(path: Path, *, progress: Progress | None = None):
    """The rows of a registry file and the problems of its bad rows."""
    return read_csv(path, columns=COLUMNS, parse_rows=parse_rows, progress=progress)


def _main_name(row: ClinicRow, quoted_mains: Mapping[tuple[str, str], ClinicRow]):
    """(main row or None, the organisation's name) when the row names itself a branch."""
    if match := BRANCH_SUFFIX.match(row.name):
        return None, match["main"]
    if (match := BRANCH_OF_QUOTED.search(row.name)) and (
        main := quoted_mains.get((row.dataset, match["main"].strip()))
    ):
        return main, main.name
    return None, None


def group_rows(rows: list[ClinicRow]) -> list[OrganisationPlan]:
    """The organisations of the file, in the order of their first row, each with its buildings.

    Branches are matched within their own dataset only: a children's polyclinic and an
    adult one may carry the same number.
    """
    is_branch = {row.registry_code: "филиал" in row.name.lower() for row in rows}
    mains: dict[tuple[str, str], ClinicRow] = {}
    quoted_mains: dict[tuple[str, str], ClinicRow] = {}
    for row in rows:
        if is_branch[row.registry_code]:
            continue
        mains.setdefault((row.dataset, row.name), row)
        if match := QUOTED.search(row.name):
            quoted_mains.setdefault((row.dataset, match["name"].strip()), row)
    plans: dict[tuple[str, str], OrganisationPlan] = {}

    def plan_of(row: ClinicRow, name: str) -> OrganisationPlan:
        return plans.setdefault(
            (row.dataset, name),
            OrganisationPlan(
                registry_code=row.registry_code,
                name=name,
                kind=row.kind,
                district=row.district,
                phone=row.phone,
            ),
        )

    for row in rows:
        main, name = _main_name(row, quoted_mains) if is_branch[row.registry_code] else (None, None)
        # Rows of one name in one dataset are buildings of one organisation: the first leads.
        name = name or row.name
        main = main or mains.get((row.dataset, name))
        # The main row's organisation is made from the main row, whatever came first.
        plan = plan_of(main or row, name)
        if row is main:
            plan.locations.insert(0, row)
        else:
            plan.locations.append(row)
    return list(plans.values())


def _stored(plans: list[OrganisationPlan]):
    organisations: dict[str, Organisation] = {}
    for codes in chunks(sorted(plan.registry_code for plan in plans)):
        organisations.update(
            (found.registry_code, found)
            for found in Organisation.objects.filter(registry_code__in=codes)
        )
    locations: dict[str, Location] = {}
    codes = sorted(row.registry_code for plan in plans for row in plan.locations)
    for chunk in chunks(codes):
        locations.update(
            (found.registry_code, found)
            for found in Location.objects.select_related("organisation").filter(
                registry_code__in=chunk
            )
        )
    return organisations, locations


def registry_conflicts(plans: list[OrganisationPlan], stored=None) -> list[RowProblem]:
    """Buildings the file puts in another organisation than the stored one.

    A building's doctors, slots and appointments belong to its organisation: moving it
    is the registry's decision for the back office, not a side effect of a file.
    """
    _organisations, locations = stored or _stored(plans)
    problems = []
    for plan in plans:
        for row in plan.locations:
            found = locations.get(row.registry_code)
            if found is not None and found.organisation.registry_code != plan.registry_code:
                problems.append(
                    RowProblem(
                        row.line,
                        _(
                            "здание %(code)s уже принадлежит организации %(stored)s "
                            "(%(stored_name)s), а по файлу — %(file)s (%(file_name)s); "
                            "загрузка не переносит здания между организациями"
                        )
                        % {
                            "code": row.registry_code,
                            "stored": found.organisation.registry_code,
                            "stored_name": found.organisation.name,
                            "file": plan.registry_code,
                            "file_name": plan.name,
                        },
                    )
                )
    return sorted(problems, key=lambda problem: problem.line)


def _apply(row, values: dict, fields: tuple[str, ...]) -> bool:
    """Set the fields that differ; whether any did."""
    changed = False
    for name in fields:
        if getattr(row, name) != values[name]:
            setattr(row, name, values[name])
            changed = True
    return changed


def clinics_import(
    *,
    actor,
    plans: list[OrganisationPlan],
    source: Mapping[str, object],
    progress: Progress | None = None,
) -> ClinicImportReport:
    """Create or update organisations and buildings from checked plans, in one transaction.

    The plans are compared with the registry again inside the transaction: what was
    checked before may have changed since.
    """
    report = ClinicImportReport()
    total = sum(len(plan.locations) for plan in plans)
    task = progress.add_task(_("Запись"), total=total) if progress is not None else None
    with transaction.atomic():
        organisations, locations = _stored(plans)
        report.problems = registry_conflicts(plans, (organisations, locations))
        if report.problems:
            return report
        new, changed = [], []
        for plan in plans:
            values = {name: getattr(plan, name) for name in ORGANISATION_FIELDS}
            found = organisations.get(plan.registry_code)
            if found is None:
                found = Organisation(registry_code=plan.registry_code, **values)
                organisations[plan.registry_code] = found
                new.append(found)
            elif _apply(found, values, ORGANISATION_FIELDS):
                changed.append(found)
        Organisation.objects.bulk_create(new, batch_size=WRITE_BATCH)
        Organisation.objects.bulk_update(changed, ORGANISATION_FIELDS, batch_size=WRITE_BATCH)
        report.organisations_created, report.organisations_updated = len(new), len(changed)
        report.organisations_unchanged = len(plans) - len(new) - len(changed)
        new, changed = [], []
        for plan in plans:
            for row in plan.locations:
                values = {
                    "name": row.name,
                    "address": row.address,
                    "latitude": row.latitude,
                    "longitude": row.longitude,
                    "phone": row.phone,
                }
                found = locations.get(row.registry_code)
                if found is None:
                    new.append(
                        Location(
                            organisation=organisations[plan.registry_code],
                            registry_code=row.registry_code,
                            **values,
                        )
                    )
                elif _apply(found, values, LOCATION_FIELDS):
                    changed.append(found)
        for batch in chunks(new, WRITE_BATCH):
            Location.objects.bulk_create(batch)
            if task is not None:
                progress.advance(task, len(batch))
        Location.objects.bulk_update(changed, LOCATION_FIELDS, batch_size=WRITE_BATCH)
        if task is not None:
            progress.update(task, completed=total)
        report.locations_created, report.locations_updated = len(new), len(changed)
        report.locations_unchanged = total - len(new) - len(changed)
        audit_record(
            actor=actor,
            action="health.clinics_imported",
            **source,
            attribution=ATTRIBUTION,
            organisations_created=report.organisations_created,
            organisations_updated=report.organisations_updated,
            organisations_unchanged=report.organisations_unchanged,
            locations_created=report.locations_created,
            locations_updated=report.locations_updated,
            locations_unchanged=report.locations_unchanged,
        )
    return report


def import_clinics(
    path: Path, *, actor=None, progress: Progress | None = None
) -> ClinicImportReport:
    """Check the file and import it if every row is good (no printing: the demo's way in)."""
    sha256, _lines = file_facts(path)
    rows, problems = read_file(path, progress=progress)
    plans = group_rows(rows)
    # Every bad line in one pass: those that contradict the registry too.
    problems = sorted([*problems, *registry_conflicts(plans)], key=lambda item: item.line)
    if problems:
        return ClinicImportReport(problems=problems)
    report = clinics_import(
        actor=actor,
        plans=plans,
        source={"file": str(path), "sha256": sha256, "rows": len(rows)},
        progress=progress,
    )
    report.districts_dropped = [
        RowProblem(row.line, row.district_dropped) for row in rows if row.district_dropped
    ]
    return report


def import_clinics_file(path: Path, *, stdout, style, actor=None) -> ClinicImportReport:
    """`gorod import clinics`: import the file, print progress, every bad line and a summary."""
    with progress_shown(stdout) as progress:
        report = import_clinics(path, actor=actor, progress=progress)
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    width = _width(Organisation, "district")
    for dropped in report.districts_dropped[:SHOW_PROBLEMS]:
        stdout.write(
            style.WARNING(
                _(
                    "%(path)s:%(line)d: округ «%(value)s» длиннее %(width)d знаков и не "
                    "записан; адрес сохранён полностью"
                )
                % {"path": path, "line": dropped.line, "value": dropped.message, "width": width}
            )
        )
    stdout.write(
        style.SUCCESS(
            _(
                "Организации: создано %(organisations_created)d, изменено "
                "%(organisations_updated)d, без изменений %(organisations_unchanged)d. "
                "Здания: создано %(locations_created)d, изменено %(locations_updated)d, "
                "без изменений %(locations_unchanged)d."
            )
            % {
                "organisations_created": report.organisations_created,
                "organisations_updated": report.organisations_updated,
                "organisations_unchanged": report.organisations_unchanged,
                "locations_created": report.locations_created,
                "locations_updated": report.locations_updated,
                "locations_unchanged": report.locations_unchanged,
            }
        )
    )
    stdout.write(_("Источник данных: %(source)s.") % {"source": ATTRIBUTION})
    return report
