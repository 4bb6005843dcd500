"""The medical record over FHIR: Patient, its record's resources, searches by patient.

Unlike the directory, every read here goes through the record's one door,
`selectors.access.record_open(channel="fhir")`: it decides, writes the access-log row and
answers "not found" for a record the caller may not see. So a search names exactly one
patient (`patient=` or `subject=`), and a read by id first finds whose record the row is in.

One resource type may gather several sources: a Condition is a problem on the list or a
diagnosis of a visit or a discharge; an Observation is a lab result or the patient's own
diary reading; a DocumentReference is a discharge, a certificate or a sick leave. The look
is logged under the type's main section; the other sources are included when the same
role may read theirs (`RecordAccess.allows`), so a registrar sees certificates only.

Ids: an entry's primary key for what is an entry; "dx-<id>" for a diagnosis, "diary-<id>"
for a diary reading, a lab result's own primary key for a lab Observation.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.core.clock import city_zone
from gorod.fhir.resources import record as build
from gorod.fhir.search import (
    NO_MATCH,
    SearchParameter,
    invalid,
    numeric_id,
    parse_date,
    parse_references,
    token_codes,
    unsupported_modifier,
)
from gorod.medrecord.models.record import Diagnosis, DiaryReading, Entry, Observation, Section
from gorod.medrecord.selectors.access import RecordAccess
from gorod.medrecord.selectors.record import VISIBLE

STANDARD = "http://hl7.org/fhir/SearchParameter/"


def _entries(section: str, *related: str, extra: Q | None = None) -> Callable[[], QuerySet]:
    def rows() -> QuerySet:
        return (
            Entry.objects.filter(VISIBLE, extra or Q(), section=section)
            .select_related("organisation", "practitioner", "specialty", "patient", *related)
            .order_by("-occurred_at", "-id")
        )

    return rows


def _encounter_rows() -> QuerySet:
    return _entries(Section.ENCOUNTERS, "encounter")().prefetch_related(
        Prefetch("diagnoses", Diagnosis.objects.select_related("icd10"))
    )


def _diagnosis_rows() -> QuerySet:
    return (
        Diagnosis.objects.filter(
            entry__in=Entry.objects.filter(
                VISIBLE, section__in=(Section.ENCOUNTERS, Section.DISCHARGES)
            )
        )
        .select_related("icd10", "entry__practitioner", "entry__patient")
        .order_by("-entry__occurred_at", "-id")
    )


def _lab_observation_rows() -> QuerySet:
    return (
        Observation.objects.filter(entry__in=Entry.objects.filter(VISIBLE, section=Section.LABS))
        .select_related("entry__patient", "entry__lab_report")
        .order_by("-entry__occurred_at", "entry_id", "position", "id")
    )


def _diary_rows() -> QuerySet:
    return DiaryReading.objects.select_related("patient").order_by("-measured_at", "-id")


def _lab_report_rows() -> QuerySet:
    return _entries(Section.LABS, "lab_report")().prefetch_related("observations")


@dataclass(frozen=True)
class Source:
    """One kind of row a resource type is made of."""

    section: str
    # Every visible row of this source, any patient's, newest first; filtered by patient.
    rows: Callable[[], QuerySet]
    to_fhir: Callable[[object], dict]
    patient: str = "patient_id"
    date: str = "occurred_at"
    # The row's entry id for the access log, or None (a diary reading is not an entry).
    entry: str | None = "pk"
    prefix: str = ""
    category: str = ""
    # The column the `code` token searches, for types that have one.
    code: str | None = None

    def when(self, row) -> datetime:
        value = row
        for part in self.date.split("__"):
            value = getattr(value, part)
        return value

    def row_id(self, resource_id: str) -> int | None:
        if not resource_id.startswith(self.prefix):
            return None
        rest = resource_id[len(self.prefix) :]
        if not self.prefix and not rest.isdigit():
            return None
        return numeric_id(rest)

    def of_patient(self, person_id: int) -> QuerySet:
        return self.rows().filter(**{self.patient: person_id})


@dataclass(frozen=True)
class RecordKind:
    name: str
    # The section the look is logged under; the sources' other sections ride along.
    section: str
    sources: tuple[Source, ...]
    parameters: dict[str, SearchParameter]
    personal: bool = True


@dataclass(frozen=True)
class PatientRef:
    person_id: str


def _patient(name: str, raw: str, modifier: str | None) -> PatientRef:
    references = parse_references(name, raw, types=("Patient",), modifier=modifier)
    if len({reference.id for reference in references}) != 1:
        raise invalid(name, _("Поиск по карте — ровно по одному пациенту."))
    return PatientRef(references[0].id)


def _date(name: str, raw: str, modifier: str | None):
    if modifier is not None:
        raise unsupported_modifier(name, modifier)
    found = parse_date(name, raw)
    return lambda source: found.q(source.date)


def _category(system: str, allowed: tuple[str, ...]):
    def to_q(name: str, raw: str, modifier: str | None):
        if modifier is not None:
            raise unsupported_modifier(name, modifier)
        codes = set(token_codes(name, raw, system=system, allowed=allowed))
        return lambda source: Q() if source.category in codes else NO_MATCH

    return to_q


def _code(name: str, raw: str, modifier: str | None):
    if modifier is not None:
        raise unsupported_modifier(name, modifier)
    codes = [token.split("|")[-1] for token in raw.split(",")]
    return lambda source: Q(**{f"{source.code}__in": codes}) if source.code else NO_MATCH


def _ids(name: str, raw: str, modifier: str | None):
    if modifier is not None:
        raise unsupported_modifier(name, modifier)
    wanted = raw.split(",")

    def to_q(source: Source) -> Q:
        pks = [pk for pk in map(source.row_id, wanted) if pk is not None]
        return Q(pk__in=pks)

    return to_q


def _parameters(kind: str, *extra: tuple) -> dict[str, SearchParameter]:
    declared = [
        ("_id", "token", _ids, gettext_lazy("id ресурса, через запятую"), "Resource-id"),
        (
            "patient",
            "reference",
            _patient,
            gettext_lazy("Пациент (обязателен один из patient, subject): Patient/id или id"),
            "clinical-patient" if kind != "Immunization" else "Immunization-patient",
        ),
        ("subject", "reference", _patient, gettext_lazy("То же, что patient"), f"{kind}-subject"),
        (
            "date",
            "date",
            _date,
            gettext_lazy("Дата; префиксы eq, ne, gt, ge, lt, le, sa, eb"),
            "clinical-date",
        ),
        *extra,
    ]
    return {
        name: SearchParameter(name, type_, to_q, documentation, f"{STANDARD}{definition}")
        for name, type_, to_q, documentation, definition in declared
    }


def _category_parameter(kind: str, system: str, codes: tuple[str, ...]) -> tuple:
    return (
        "category",
        "token",
        _category(system, codes),
        gettext_lazy("Категория: %(codes)s") % {"codes": ", ".join(codes)},
        f"{kind}-category",
    )


ENCOUNTER = RecordKind(
    name="Encounter",
    section=Section.ENCOUNTERS,
    sources=(Source(Section.ENCOUNTERS, _encounter_rows, build.encounter),),
    parameters=_parameters("Encounter"),
)
CONDITION = RecordKind(
    name="Condition",
    section=Section.CONDITIONS,
    sources=(
        Source(
            Section.CONDITIONS,
            _entries(Section.CONDITIONS, "condition__icd10"),
            build.problem,
            category=build.PROBLEM_LIST,
        ),
        Source(
            Section.ENCOUNTERS,
            lambda: _diagnosis_rows().filter(entry__section=Section.ENCOUNTERS),
            build.diagnosis,
            patient="entry__patient_id",
            date="entry__occurred_at",
            entry="entry_id",
            prefix="dx-",
            category=build.ENCOUNTER_DIAGNOSIS,
        ),
        Source(
            Section.DISCHARGES,
            lambda: _diagnosis_rows().filter(entry__section=Section.DISCHARGES),
            build.diagnosis,
            patient="entry__patient_id",
            date="entry__occurred_at",
            entry="entry_id",
            prefix="dx-",
            category=build.ENCOUNTER_DIAGNOSIS,
        ),
    ),
    parameters=_parameters(
        "Condition",
        _category_parameter(
            "Condition",
            build.CONDITION_CATEGORY_SYSTEM,
            (build.PROBLEM_LIST, build.ENCOUNTER_DIAGNOSIS),
        ),
    ),
)
OBSERVATION = RecordKind(
    name="Observation",
    section=Section.LABS,
    sources=(
        Source(
            Section.LABS,
            _lab_observation_rows,
            build.lab_observation,
            patient="entry__patient_id",
            date="entry__occurred_at",
            entry="entry_id",
            category="laboratory",
            code="code",
        ),
        Source(
            Section.DIARY,
            _diary_rows,
            build.diary_observation,
            date="measured_at",
            entry=None,
            prefix="diary-",
            category="vital-signs",
            code="kind",
        ),
    ),
    parameters=_parameters(
        "Observation",
        _category_parameter(
            "Observation", build.OBSERVATION_CATEGORY_SYSTEM, ("laboratory", "vital-signs")
        ),
        (
            "code",
            "token",
            _code,
            gettext_lazy("Код показателя (LOINC или код лаборатории); дневник: pulse, pressure…"),
            "clinical-code",
        ),
    ),
)
DIAGNOSTIC_REPORT = RecordKind(
    name="DiagnosticReport",
    section=Section.LABS,
    sources=(
        Source(Section.LABS, _lab_report_rows, build.lab_report, category="LAB"),
        Source(Section.STUDIES, _entries(Section.STUDIES, "study"), build.study_report),
    ),
    parameters=_parameters("DiagnosticReport"),
)
MEDICATION_REQUEST = RecordKind(
    name="MedicationRequest",
    section=Section.PRESCRIPTIONS,
    sources=(
        Source(
            Section.PRESCRIPTIONS,
            _entries(Section.PRESCRIPTIONS, "prescription"),
            build.medication_request,
        ),
    ),
    parameters=_parameters("MedicationRequest"),
)
IMMUNIZATION = RecordKind(
    name="Immunization",
    section=Section.IMMUNIZATIONS,
    sources=(
        Source(
            Section.IMMUNIZATIONS,
            _entries(Section.IMMUNIZATIONS, "immunization"),
            build.immunization,
        ),
    ),
    parameters=_parameters("Immunization"),
)
DOCUMENT_REFERENCE = RecordKind(
    name="DocumentReference",
    # A registrar prepares certificates: the look they may take is logged under that section.
    section=Section.CERTIFICATES,
    sources=(
        Source(
            Section.CERTIFICATES,
            _entries(Section.CERTIFICATES, "certificate", extra=Q(certificate__pdf__isnull=False)),
            build.certificate_document,
        ),
        Source(
            Section.DISCHARGES,
            lambda: _entries(Section.DISCHARGES, "discharge")().prefetch_related(
                Prefetch("diagnoses", Diagnosis.objects.select_related("icd10"))
            ),
            build.discharge_document,
        ),
        Source(
            Section.SICK_LEAVES,
            _entries(Section.SICK_LEAVES, "sick_leave"),
            build.sick_leave_document,
        ),
    ),
    parameters=_parameters("DocumentReference"),
)

RECORD_KINDS: dict[str, RecordKind] = {
    kind.name: kind
    for kind in (
        ENCOUNTER,
        CONDITION,
        OBSERVATION,
        DIAGNOSTIC_REPORT,
        MEDICATION_REQUEST,
        IMMUNIZATION,
        DOCUMENT_REFERENCE,
    )
}


def search_patient(kind: RecordKind, filters: list) -> tuple[str, list]:
    """The one patient a search names, and the other filters."""
    patients = {found.person_id for found in filters if isinstance(found, PatientRef)}
    if len(patients) != 1:
        raise invalid(
            "patient",
            _("Укажите одного пациента: patient=Patient/id (или subject=…)."),
        )
    return patients.pop(), [found for found in filters if not isinstance(found, PatientRef)]


def sources_for(kind: RecordKind, access: RecordAccess) -> list[Source]:
    return [source for source in kind.sources if access.allows(source.section)]


@dataclass(frozen=True)
class RecordPage:
    resources: list[dict]
    total: int | None
    has_next: bool


def record_search(
    kind: RecordKind, access: RecordAccess, *, filters: list, count: int, offset: int, total: bool
) -> RecordPage:
    """One page of the patient's resources of `kind`, newest first across its sources."""
    wanted = offset + count + 1
    streams, counted = [], 0
    for source in sources_for(kind, access):
        rows = source.of_patient(access.patient.pk)
        for found in filters:
            rows = rows.filter(found(source))
        if total:
            counted += rows.count()
        if count:
            streams.append([(source.when(row), source, row) for row in rows[:wanted]])
    merged = heapq.merge(*streams, key=lambda item: item[0], reverse=True)
    page = list(merged)[offset:wanted]
    return RecordPage(
        [source.to_fhir(row) for _when, source, row in page[:count]],
        counted if total else None,
        len(page) > count,
    )


def record_row(kind: RecordKind, resource_id: str) -> tuple[Source, object] | None:
    """The row behind a record resource's id, whoever's it is (the caller then opens it)."""
    for source in kind.sources:
        pk = source.row_id(resource_id)
        if pk is None:
            continue
        row = source.rows().filter(pk=pk).first()
        if row is not None:
            return source, row
    return None


def entry_id_of(source: Source, row) -> int | None:
    return None if source.entry is None else getattr(row, source.entry)


def patient_id_of(source: Source, row) -> int:
    value = row
    for part in source.patient.removesuffix("_id").split("__"):
        value = getattr(value, part)
    return value.pk


def record_resources(access: RecordAccess) -> list[dict]:
    """Every resource of the patient's record the access covers, type by type."""
    found = []
    for kind in RECORD_KINDS.values():
        for source in sources_for(kind, access):
            found.extend(source.to_fhir(row) for row in source.of_patient(access.patient.pk))
    return found


def record_everything(access: RecordAccess, *, count: int, offset: int) -> RecordPage:
    """A page of `Patient/{id}/$everything`: the Patient first, then each type's resources
    in the order `record_resources` gives them. Each source is counted, and only the rows
    that fall on the page are read."""
    sources = [source for kind in RECORD_KINDS.values() for source in sources_for(kind, access)]
    rows_of = [source.of_patient(access.patient.pk) for source in sources]
    sizes = [rows.count() for rows in rows_of]
    total = 1 + sum(sizes)
    stop = offset + count
    resources = [build.patient(access.patient)] if offset == 0 and count else []
    position = 1
    for source, rows, size in zip(sources, rows_of, sizes, strict=True):
        first, last = max(offset, position), min(stop, position + size)
        if first < last:
            resources.extend(
                source.to_fhir(row) for row in rows[first - position : last - position]
            )
        position += size
    return RecordPage(resources, total, stop < total)


def record_bundle(access: RecordAccess, *, base: str = "") -> dict:
    """The whole record as a searchset Bundle: the Patient first, then each resource.

    Used by `Patient/{id}/$everything` and the citizen's JSON download; `base` (the FHIR
    server's address) makes full URLs, left out when the caller has none to give.
    """
    resources = [build.patient(access.patient), *record_resources(access)]
    entries = []
    for resource in resources:
        entry = {"resource": resource, "search": {"mode": "match"}}
        if base:
            entry = {"fullUrl": f"{base}{resource['resourceType']}/{resource['id']}", **entry}
        entries.append(entry)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": build.instant(datetime.now(city_zone())),
        "total": len(resources),
        "entry": entries,
    }
