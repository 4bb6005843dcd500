"""`gorod import clubs [--directions FILE] [--sports FILE]`: the city's organisations of
additional education and its sports sections, with the places where they meet.

Two registers of data.mos.ru (2013, gathered in ../shared/data; gorod.clubs.registers reads
their lines) are imported together:

- the additional education register by direction: one organisation per name and address,
  with the directions it is listed under, and its building as its venue, in the district
  its coordinates fall in;
- the sports sections register: the parent organisations, their venues (in the districts
  the file names), and one programme per sport, age band and sex at an organisation, held
  at every venue that lists it. Sections for adults only are counted, not imported.

Both files are checked whole first, every bad line named with its file and column; then
everything is written in one transaction, or nothing. A re-run adds what is new and leaves
what it finds as it is (from then on an organisation's record is its back office's to
keep), so the same files twice change nothing; nothing is ever deleted.

What is read otherwise than the columns say is reported by line: the two lines of the
direction register whose columns moved (gorod.clubs.registers); organisations that share a
generic full name ("… дом детского творчества", no number) at different addresses, which
are different organisations and get the address added to the name; and a venue the sports
register places in several districts, which is in the one most of its lines name.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rich.progress import Progress

from gorod.clubs.models import Direction, Organisation, Programme, Venue
from gorod.clubs.registers import (
    ORGANISATION_COLUMNS,
    SECTION_COLUMNS,
    ListingRow,
    SectionRow,
    VenueRow,
    parse_listings,
    parse_sections,
)
from gorod.clubs.search import lemmas_of
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.importing import (
    DATA_MOS_RU,
    SHOW_PROBLEMS,
    RowProblem,
    chunks,
    file_facts,
    problems_print,
    progress_shown,
    read_csv,
)

ATTRIBUTION = DATA_MOS_RU
BOUNDARIES_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"
SHARED_DATA = settings.SHARED_DATA_DIR
DIRECTIONS_FILE = SHARED_DATA / "moscow_additional_education_by_direction_2013.csv"
SPORTS_FILE = SHARED_DATA / "moscow_sport_sections_2013.csv"

WRITE_BATCH = 500


def school_year_start(today: date) -> date:
    """When the imported programmes start. The registers give no dates; clubs start with
    the school year on 1 September. Until then it is the coming year's (the one the
    August enrollment fills), from then the year under way: this year's 1 September
    either way."""
    return date(today.year, 9, 1)


VenueKey = tuple[str, str, str]  # the organisation's name, the venue's name and address
ProgrammeKey = tuple[str, str, int, int, str]  # the organisation's name, title, ages, sex


@dataclass
class OrganisationPlan:
    short_name: str
    kind: str = ""
    address: str = ""
    phone: str = ""
    website: str = ""
    directions: set[str] = field(default_factory=set)


@dataclass
class ProgrammePlan:
    activity: str
    # Its venues, in the order of the file (a dict as an ordered set).
    venues: dict[VenueKey, None] = field(default_factory=dict)


@dataclass
class Plan:
    """What both files hold, as organisations, venues and programmes by their keys."""

    organisations: dict[str, OrganisationPlan] = field(default_factory=dict)
    venues: dict[VenueKey, VenueRow] = field(default_factory=dict)
    programmes: dict[ProgrammeKey, ProgrammePlan] = field(default_factory=dict)
    adult_only: int = 0
    # Lines read otherwise than their columns say (the module's docstring), by file.
    listings_read_otherwise: list[RowProblem] = field(default_factory=list)
    sections_read_otherwise: list[RowProblem] = field(default_factory=list)


def listings_planned(plan: Plan, rows: list[ListingRow]) -> list[RowProblem]:
    """Add the direction register's organisations and their buildings to the plan; the
    problems are the lines whose name, with the address that tells it apart, is too long."""
    addresses: dict[str, set[str]] = {}
    for row in rows:
        addresses.setdefault(row.name, set()).add(row.address)
    limit = Organisation._meta.get_field("name").max_length
    problems: list[RowProblem] = []
    for row in rows:
        name = row.name if len(addresses[row.name]) == 1 else f"{row.name} ({row.address})"
        if len(name) > limit:
            problems.append(
                RowProblem(
                    row.line,
                    _(
                        "name: другие организации в файле называются так же, а с адресом "
                        "наименование длиннее %(limit)d знаков"
                    )
                    % {"limit": limit},
                )
            )
            continue
        if name != row.name:
            plan.listings_read_otherwise.append(
                RowProblem(
                    row.line,
                    _(
                        "name: в файле есть другие организации с этим наименованием; "
                        "записано «%(name)s»"
                    )
                    % {"name": name},
                )
            )
        organisation = plan.organisations.setdefault(
            name,
            OrganisationPlan(row.short_name, row.kind, row.address, row.phone, row.website),
        )
        organisation.directions.add(row.direction)
        plan.venues.setdefault((name, row.venue.name, row.venue.address), row.venue)
        if row.repaired:
            plan.listings_read_otherwise.append(RowProblem(row.line, row.repaired))
    return problems


def sections_planned(plan: Plan, rows: list[SectionRow]) -> None:
    """Add the sports register's children's sections to the plan: their organisations,
    venues and programmes; the adults' ones are only counted."""
    # Each venue's rows by the district they name, to settle the venues named in several.
    placed: dict[VenueKey, dict[str, list[SectionRow]]] = {}
    for row in rows:
        if row.ages.children is None:
            plan.adult_only += 1
            continue
        organisation = plan.organisations.setdefault(
            row.organisation,
            OrganisationPlan(short_name=row.organisation, address=row.organisation_address),
        )
        organisation.directions.add(Direction.SPORTS)
        venue_key = (row.organisation, row.venue.name, row.venue.address)
        placed.setdefault(venue_key, {}).setdefault(row.venue.district, []).append(row)
        title = f"{row.sport} ({row.ages.note})" if row.ages.note else row.sport
        age_min, age_max = row.ages.children
        programme = plan.programmes.setdefault(
            (row.organisation, title, age_min, age_max, row.sex), ProgrammePlan(row.sport)
        )
        programme.venues[venue_key] = None
    for venue_key, by_district in placed.items():
        plan.venues[venue_key] = _district_settled(plan, by_district)


def _district_settled(plan: Plan, by_district: dict[str, list[SectionRow]]) -> VenueRow:
    """A venue in the district most of its rows name (on a tie, the first named); the
    rows that name another are reported, once for each other district."""
    chosen = max(by_district, key=lambda district: len(by_district[district]))
    total = sum(len(rows) for rows in by_district.values())
    for district, rows in by_district.items():
        if district != chosen:
            plan.sections_read_otherwise.append(
                RowProblem(
                    rows[0].line,
                    _(
                        "district: место занятий — в районе %(chosen)s (строк с ним: "
                        "%(count)d из %(total)d), а не %(value)s (строки: %(lines)s)"
                    )
                    % {
                        "chosen": chosen,
                        "count": len(by_district[chosen]),
                        "total": total,
                        "value": district,
                        "lines": ", ".join(str(row.line) for row in rows),
                    },
                )
            )
    return by_district[chosen][0].venue


@dataclass
class Tally:
    new: int = 0
    existing: int = 0


@dataclass
class ImportReport:
    organisations: Tally = field(default_factory=Tally)
    venues: Tally = field(default_factory=Tally)
    programmes: Tally = field(default_factory=Tally)
    # Venues added to programmes, new ones' and those already here.
    programme_venues_new: int = 0
    # Sections of the sports register that take adults only: not imported.
    adult_only: int = 0
    # Bad lines by file; when there are any, nothing was written.
    problems: dict[Path, list[RowProblem]] = field(default_factory=dict)
    # Lines read otherwise than their columns say, by file (the module's docstring).
    read_otherwise: dict[Path, list[RowProblem]] = field(default_factory=dict)

    @property
    def changed_nothing(self) -> bool:
        return not (
            self.organisations.new
            or self.venues.new
            or self.programmes.new
            or self.programme_venues_new
        )


def _rows_written(
    model,
    planned: Mapping,
    *,
    owners: Iterable,
    lookup: str,
    columns: tuple[str, ...],
    stored_key: Callable,
    make: Callable,
    tally: Tally,
) -> dict:
    """The ids of the planned rows by their keys in the plan, creating those not stored
    yet. Stored rows are read by `lookup` in `owners`, keyed by `columns` (which
    `stored_key` gives for a plan's key); `make(key, planned)` is a new row."""

    def stored() -> dict[tuple, int]:
        found: dict[tuple, int] = {}
        for chunk in chunks(sorted(set(owners))):
            values = model.objects.filter(**{f"{lookup}__in": chunk}).values_list(*columns, "id")
            found.update((tuple(row[:-1]), row[-1]) for row in values)
        return found

    ids = stored()
    new = [make(key, item) for key, item in planned.items() if stored_key(key) not in ids]
    model.objects.bulk_create(new, batch_size=WRITE_BATCH)
    tally.new, tally.existing = len(new), len(planned) - len(new)
    if new:
        ids = stored()
    return {key: ids[stored_key(key)] for key in planned}


def _organisations_written(plan: Plan, tally: Tally) -> dict[str, int]:
    return _rows_written(
        Organisation,
        plan.organisations,
        owners=plan.organisations,
        lookup="name",
        columns=("name",),
        stored_key=lambda name: (name,),
        make=lambda name, organisation: Organisation(
            name=name,
            short_name=organisation.short_name,
            kind=organisation.kind,
            address=organisation.address,
            phone=organisation.phone,
            website=organisation.website,
            register_directions=[
                value for value in Direction.values if value in organisation.directions
            ],
        ),
        tally=tally,
    )


def _venues_written(plan: Plan, organisations: dict[str, int], tally: Tally) -> dict[VenueKey, int]:
    return _rows_written(
        Venue,
        plan.venues,
        owners=organisations.values(),
        lookup="organisation_id",
        columns=("organisation_id", "name", "address"),
        stored_key=lambda key: (organisations[key[0]], *key[1:]),
        make=lambda key, venue: Venue(
            organisation_id=organisations[key[0]],
            name=venue.name,
            address=venue.address,
            district=venue.district,
            okrug=venue.okrug,
            lat=venue.lat,
            lon=venue.lon,
        ),
        tally=tally,
    )


def _programmes_written(
    plan: Plan, organisations: dict[str, int], tally: Tally
) -> dict[ProgrammeKey, int]:
    """The city's sports sections: free, enrolling all year, in the sports direction."""
    starts_on = school_year_start(clock.local_date())

    def make(key: ProgrammeKey, programme: ProgrammePlan) -> Programme:
        name, title, age_min, age_max, sex = key
        return Programme(
            organisation_id=organisations[name],
            title=title,
            direction=Direction.SPORTS,
            activity=programme.activity,
            age_min=age_min,
            age_max=age_max,
            sex=sex,
            is_free=True,
            enrollment=Programme.Enrollment.ALL_YEAR,
            starts_on=starts_on,
            search_lemmas=lemmas_of(title, programme.activity),
        )

    return _rows_written(
        Programme,
        plan.programmes,
        owners=organisations.values(),
        lookup="organisation_id",
        columns=("organisation_id", "title", "age_min", "age_max", "sex"),
        stored_key=lambda key: (organisations[key[0]], *key[1:]),
        make=make,
        tally=tally,
    )


def _programme_venues_written(
    plan: Plan, programmes: dict[ProgrammeKey, int], venues: dict[VenueKey, int]
) -> int:
    """Link each programme to the venues the file names for it; how many links are new."""
    link = Programme.venues.through
    stored: set[tuple[int, int]] = set()
    for chunk in chunks(sorted(set(programmes.values()))):
        stored.update(
            link.objects.filter(programme_id__in=chunk).values_list("programme_id", "venue_id")
        )
    new = [
        link(programme_id=programmes[key], venue_id=venues[venue_key])
        for key, programme in plan.programmes.items()
        for venue_key in programme.venues
        if (programmes[key], venues[venue_key]) not in stored
    ]
    link.objects.bulk_create(new, batch_size=WRITE_BATCH)
    return len(new)


def clubs_import(
    *, actor, plan: Plan, sources: Mapping[str, object], progress: Progress | None = None
) -> ImportReport:
    """Write the plan in one transaction: what is not stored yet is created, what is stored
    is left as it is; an audit row only when something was written."""
    report = ImportReport(adult_only=plan.adult_only)
    stages = len(plan.organisations) + len(plan.venues) + len(plan.programmes)
    task = progress.add_task(_("Запись"), total=stages) if progress is not None else None

    def advance(count: int) -> None:
        if task is not None:
            progress.advance(task, count)

    with transaction.atomic():
        organisations = _organisations_written(plan, report.organisations)
        advance(len(plan.organisations))
        venues = _venues_written(plan, organisations, report.venues)
        advance(len(plan.venues))
        programmes = _programmes_written(plan, organisations, report.programmes)
        report.programme_venues_new = _programme_venues_written(plan, programmes, venues)
        advance(len(plan.programmes))
        if not report.changed_nothing:
            audit_record(
                actor=actor,
                action="clubs.imported",
                **sources,
                attribution=ATTRIBUTION,
                boundaries=BOUNDARIES_ATTRIBUTION,
                organisations_new=report.organisations.new,
                venues_new=report.venues.new,
                programmes_new=report.programmes.new,
                programme_venues_new=report.programme_venues_new,
                adult_only=report.adult_only,
            )
    return report


def import_clubs(
    *, directions: Path, sports: Path, actor=None, progress: Progress | None = None
) -> ImportReport:
    """Check both files and import them if every line of both is good (no printing: the
    demo's way in)."""
    facts = {path: file_facts(path) for path in (directions, sports)}
    listings, listing_problems = read_csv(
        directions, columns=ORGANISATION_COLUMNS, parse_rows=parse_listings, progress=progress
    )
    sections, section_problems = read_csv(
        sports, columns=SECTION_COLUMNS, parse_rows=parse_sections, progress=progress
    )
    plan = Plan()
    listing_problems += listings_planned(plan, listings)
    sections_planned(plan, sections)
    problems = {
        path: sorted(found, key=lambda problem: problem.line)
        for path, found in ((directions, listing_problems), (sports, section_problems))
        if found
    }
    if problems:
        return ImportReport(problems=problems)
    sources = {
        role: {"file": str(path), "sha256": facts[path][0], "rows": len(rows)}
        for role, path, rows in (("directions", directions, listings), ("sports", sports, sections))
    }
    report = clubs_import(actor=actor, plan=plan, sources=sources, progress=progress)
    report.read_otherwise = {
        path: sorted(found, key=lambda line: line.line)
        for path, found in (
            (directions, plan.listings_read_otherwise),
            (sports, plan.sections_read_otherwise),
        )
        if found
    }
    return report


def _summary(report: ImportReport, *, stdout, style) -> None:
    for what, tally in (
        (_("Организации"), report.organisations),
        (_("Места занятий"), report.venues),
        (_("Программы"), report.programmes),
    ):
        stdout.write(
            style.SUCCESS(
                _("%(what)s: новых %(new)d, уже были %(existing)d.")
                % {"what": what, "new": tally.new, "existing": tally.existing}
            )
        )
    stdout.write(
        style.SUCCESS(
            _("Мест занятий добавлено к программам: %(count)d.")
            % {"count": report.programme_venues_new}
        )
    )
    stdout.write(
        _("Секций только для взрослых (не загружены): %(count)d.") % {"count": report.adult_only}
    )
    if report.changed_nothing:
        stdout.write(style.SUCCESS(_("Ничего не изменилось: всё уже загружено.")))


def import_clubs_files(
    *, directions: Path, sports: Path, stdout, style, actor=None
) -> ImportReport:
    """`gorod import clubs`: import both files, print progress, every bad line, a summary."""
    with progress_shown(stdout) as progress:
        report = import_clubs(directions=directions, sports=sports, actor=actor, progress=progress)
    for path, problems in report.problems.items():
        problems_print(path, problems, stdout=stdout, style=style)
    if report.problems:
        return report
    for path, lines in report.read_otherwise.items():
        for line in lines[:SHOW_PROBLEMS]:
            stdout.write(
                style.WARNING(
                    _("%(path)s:%(line)d: прочитано иначе, чем в столбцах: %(what)s")
                    % {"path": path, "line": line.line, "what": line.message}
                )
            )
    _summary(report, stdout=stdout, style=style)
    stdout.write(
        _("Источник данных: %(source)s; границы районов: %(boundaries)s.")
        % {"source": ATTRIBUTION, "boundaries": BOUNDARIES_ATTRIBUTION}
    )
    return report
