"""Rows of the medical record for tests: entries with their details, finalised or draft.

Plain helpers, not the services: a test of a page or of the API needs a record to show, not
the doctor's workflow (test_record_services.py tests that). Each helper writes the details
first and then sets `finalised_at`, as the guards require (a finalised entry's details take
no insert). Defaults sit the entry a day before the suite's NOW (conftest.py).

Names here are stable: other test modules import them.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from itertools import count

from gorod.accounts.models import Person
from gorod.appointments.tests.fixtures import NOW, health_models
from gorod.clinics.models import PractitionerRole
from gorod.clinics.tests.factories import RoleFactory
from gorod.medrecord.models.record import (
    Certificate,
    Condition,
    Diagnosis,
    DiaryReading,
    DischargeSummary,
    EncounterNote,
    Entry,
    Icd10,
    Immunization,
    LabReport,
    Observation,
    Prescription,
    Section,
    SickLeave,
    StudyReport,
)
from gorod.medrecord.rules import observation_flag

YESTERDAY = NOW - timedelta(days=1)
_numbers = count(1)

# Results of a complete blood count: (code, name, value, unit, low, high).
BLOOD_COUNT = [
    ("718-7", "Гемоглобин", "142", "г/л", "120", "160"),
    ("6690-2", "Лейкоциты", "11.8", "10^9/л", "4", "9"),
    ("777-3", "Тромбоциты", "250", "10^9/л", "150", "400"),
]


def ensure_icd10_common() -> None:
    """The common ICD-10 codes of migration 0005, which a transactional test's flush removed."""
    import_module("gorod.health.migrations.0005_icd10_common").load_common(health_models, None)


def icd10(code: str) -> Icd10:
    """A code of the common list (loaded when a flush removed it)."""
    if not Icd10.objects.filter(pk=code).exists():
        ensure_icd10_common()
    return Icd10.objects.get(pk=code)


def _envelope(
    patient: Person,
    section: str,
    *,
    title: str,
    occurred_at: datetime | None,
    role: PractitionerRole | None = None,
    **fields,
) -> Entry:
    occurred_at = occurred_at or YESTERDAY
    if role is not None:
        fields.setdefault("organisation", role.organisation)
        fields.setdefault("practitioner", role.practitioner)
        fields.setdefault("specialty", role.specialty)
    fields.setdefault("source", Entry.Source.CLINICIAN)
    return Entry.objects.create(
        patient=patient,
        section=section,
        occurred_at=occurred_at,
        title=title,
        created_at=min(occurred_at, fields.pop("created_at", occurred_at)),
        **fields,
    )


def finalise(entry: Entry, *, by=None, at: datetime | None = None) -> Entry:
    """Sign a draft written by these helpers (details are in place by now)."""
    entry.finalised_at = at or entry.created_at
    entry.finalised_by = by
    Entry.objects.filter(pk=entry.pk).update(
        finalised_at=entry.finalised_at, finalised_by=entry.finalised_by
    )
    return entry


def _done(entry: Entry, finalised: bool) -> Entry:
    return finalise(entry) if finalised else entry


def encounter_entry(
    patient: Person,
    *,
    role: PractitionerRole | None = None,
    occurred_at: datetime | None = None,
    diagnoses: list[tuple[str, str, str]] | tuple = (("J06.9", "main", ""),),
    complaints: str = "Насморк, першение в горле, температура 37,5 °C второй день.",
    anamnesis: str = "Заболела остро после контакта с больным ОРВИ.",
    examination: str = "Зев гиперемирован, дыхание везикулярное, хрипов нет.",
    recommendations: str = "Обильное питьё, полоскание горла, явка при ухудшении.",
    appointment=None,
    finalised: bool = True,
    status: str | None = None,
) -> Entry:
    """A visit protocol with ICD-10 diagnoses ((code, kind, comment)); the doctor is `role`."""
    role = role or (appointment.slot.role if appointment is not None else RoleFactory())
    coded = [(icd10(code), kind, comment) for code, kind, comment in diagnoses]
    main = next((code for code, kind, _comment in coded if kind == "main"), None)
    entry = _envelope(
        patient,
        Section.ENCOUNTERS,
        title=f"Приём: {role.specialty.name}",
        summary=f"{main.code} {main.name}" if main else "",
        occurred_at=occurred_at or (appointment.start if appointment is not None else None),
        role=role,
        appointment=appointment,
        status=status or ("finished" if finalised else "in-progress"),
    )
    EncounterNote.objects.create(
        entry=entry,
        complaints=complaints,
        anamnesis=anamnesis,
        examination=examination,
        recommendations=recommendations,
    )
    for code, kind, comment in coded:
        Diagnosis.objects.create(entry=entry, icd10=code, kind=kind, comment=comment)
    return _done(entry, finalised)


def lab_entry(
    patient: Person,
    *,
    observations: list[tuple] | list[dict] | None = None,
    occurred_at: datetime | None = None,
    lab_system: str = "test-lis",
    lab_identifier: str | None = None,
    laboratory: str = "Лаборатория Городской клинической больницы № 1",
    category: str = LabReport.Category.HAEMATOLOGY,
    title: str = "Общий анализ крови",
    conclusion: str = "",
    organisation=None,
    finalised: bool = True,
) -> Entry:
    """A lab report; observations as BLOOD_COUNT-style tuples or dicts of Observation fields.

    A flag is computed from the range when not given, and the entry is flagged when any
    result is outside it.
    """
    rows = []
    for position, item in enumerate(BLOOD_COUNT if observations is None else observations):
        if not isinstance(item, dict):
            code, name, value, unit, low, high = item
            item = {
                "code": code,
                "name": name,
                "value": value,
                "unit": unit,
                "reference_low": low,
                "reference_high": high,
            }
        values = {
            key: Decimal(str(item[key])) if item.get(key) is not None else None
            for key in ("value", "reference_low", "reference_high")
        }
        flag = item.get("flag") or observation_flag(
            values["value"], values["reference_low"], values["reference_high"]
        )
        rows.append(
            {
                **{k: v for k, v in item.items() if k not in values},
                **values,
                "flag": flag,
                "position": position,
            }
        )
    abnormal = sum(row["flag"] in ("H", "L", "A") for row in rows)
    entry = _envelope(
        patient,
        Section.LABS,
        title=title,
        summary=f"{abnormal} показателя вне нормы" if abnormal else "Все показатели в норме",
        flagged=bool(abnormal),
        occurred_at=occurred_at,
        source=Entry.Source.LABORATORY,
        organisation=organisation,
        status="final",
    )
    LabReport.objects.create(
        entry=entry,
        lab_system=lab_system,
        lab_identifier=lab_identifier or f"T-{next(_numbers):06d}",
        laboratory=laboratory,
        category=category,
        specimen="venous blood",
        conclusion=conclusion,
    )
    Observation.objects.bulk_create(Observation(entry=entry, **row) for row in rows)
    return _done(entry, finalised)


def immunization_entry(
    patient: Person,
    *,
    vaccine: str = "Гам-КОВИД-Вак (Спутник V)",
    target_disease: str = "COVID-19",
    dose_number: int = 1,
    lot_number: str = "I-120921",
    site: str = "левое плечо",
    occurred_at: datetime | None = None,
    role: PractitionerRole | None = None,
    finalised: bool = True,
) -> Entry:
    entry = _envelope(
        patient,
        Section.IMMUNIZATIONS,
        title=f"Прививка: {target_disease}",
        summary=f"{vaccine}, доза {dose_number}",
        occurred_at=occurred_at,
        role=role,
        status="completed",
    )
    Immunization.objects.create(
        entry=entry,
        vaccine=vaccine,
        target_disease=target_disease,
        dose_number=dose_number,
        lot_number=lot_number,
        site=site,
    )
    return _done(entry, finalised)


def prescription_entry(
    patient: Person,
    *,
    drug: str = "Амлодипин",
    dosage_form: str = "таблетки 5 мг",
    dose: str = "1 таблетка",
    schedule: str = "1 раз в день утром",
    duration_days: int | None = 30,
    valid_until: date | None = None,
    number: str | None = None,
    preferential: bool = False,
    occurred_at: datetime | None = None,
    role: PractitionerRole | None = None,
    finalised: bool = True,
) -> Entry:
    entry = _envelope(
        patient,
        Section.PRESCRIPTIONS,
        title=f"Рецепт: {drug}",
        summary=f"{dose}, {schedule}",
        occurred_at=occurred_at,
        role=role,
        status="active",
    )
    Prescription.objects.create(
        entry=entry,
        drug=drug,
        dosage_form=dosage_form,
        dose=dose,
        schedule=schedule,
        duration_days=duration_days,
        valid_until=valid_until or (entry.occurred_at.date() + timedelta(days=60)),
        number=number or f"T-2026-{next(_numbers):08d}",
        preferential=preferential,
    )
    return _done(entry, finalised)


def certificate_entry(
    patient: Person,
    *,
    kind: str = Certificate.Kind.POOL,
    purpose: str = "",
    status: str = "ordered",
    ready_by: date | None = None,
    pdf: bytes | None = None,
    occurred_at: datetime | None = None,
    organisation=None,
) -> Entry:
    """A certificate ordered online; "ready" and "issued" ones are finalised with a PDF."""
    done = status in ("ready", "issued")
    entry = _envelope(
        patient,
        Section.CERTIFICATES,
        title=f"Справка {Certificate.Kind(kind).label}",
        occurred_at=occurred_at,
        source=Entry.Source.PATIENT,
        organisation=organisation,
        status=status,
    )
    Certificate.objects.create(
        entry=entry,
        kind=kind,
        purpose=purpose,
        number=f"T-{next(_numbers):08d}",
        ready_by=ready_by or (entry.occurred_at.date() + timedelta(days=1)),
        pdf=pdf if pdf is not None else (b"%PDF-1.7 test certificate\n%%EOF\n" if done else None),
    )
    return _done(entry, done)


def sick_leave_entry(
    patient: Person,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    number: str | None = None,
    employer: str = "ООО «Ромашка»",
    status: str = "open",
    role: PractitionerRole | None = None,
    finalised: bool = True,
) -> Entry:
    starts_on = starts_on or YESTERDAY.date()
    ends_on = ends_on or starts_on + timedelta(days=6)
    number = number or f"9{next(_numbers):011d}"
    entry = _envelope(
        patient,
        Section.SICK_LEAVES,
        title=f"Больничный лист № {number}",
        summary=f"{starts_on:%d.%m.%Y} – {ends_on:%d.%m.%Y}",
        occurred_at=datetime.combine(starts_on, NOW.timetz()),
        role=role,
        status=status,
    )
    SickLeave.objects.create(
        entry=entry, number=number, starts_on=starts_on, ends_on=ends_on, employer=employer
    )
    return _done(entry, finalised)


def condition_entry(
    patient: Person,
    *,
    code: str = "I10",
    clinical_status: str = Condition.ClinicalStatus.ACTIVE,
    onset_on: date | None = date(2019, 3, 1),
    note: str = "",
    role: PractitionerRole | None = None,
    finalised: bool = True,
) -> Entry:
    diagnosis = icd10(code)
    entry = _envelope(
        patient,
        Section.CONDITIONS,
        title=diagnosis.name,
        summary=f"{diagnosis.code} {diagnosis.name}",
        occurred_at=None,
        role=role,
        status=clinical_status,
    )
    Condition.objects.create(
        entry=entry, icd10=diagnosis, clinical_status=clinical_status, onset_on=onset_on, note=note
    )
    return _done(entry, finalised)


def study_entry(
    patient: Person,
    *,
    modality: str = StudyReport.Modality.FLUOROGRAPHY,
    body_site: str = "органы грудной клетки",
    conclusion: str = "Патологических изменений не выявлено.",
    occurred_at: datetime | None = None,
    role: PractitionerRole | None = None,
    finalised: bool = True,
) -> Entry:
    entry = _envelope(
        patient,
        Section.STUDIES,
        title=f"{StudyReport.Modality(modality).label}: {body_site}",
        summary=conclusion[:500],
        occurred_at=occurred_at,
        role=role,
        status="final",
    )
    StudyReport.objects.create(
        entry=entry, modality=modality, body_site=body_site, conclusion=conclusion
    )
    return _done(entry, finalised)


def discharge_entry(
    patient: Person,
    *,
    hospital: str = "ГКБ № 1 им. Н. И. Пирогова",
    department: str = "Терапевтическое отделение",
    admitted_on: date = date(2026, 10, 1),
    discharged_on: date = date(2026, 10, 10),
    diagnoses: list[tuple[str, str, str]] | tuple = (("J18.9", "main", ""),),
    finalised: bool = True,
) -> Entry:
    entry = _envelope(
        patient,
        Section.DISCHARGES,
        title=f"Выписка: {hospital}",
        summary=f"{admitted_on:%d.%m.%Y} – {discharged_on:%d.%m.%Y}",
        occurred_at=datetime.combine(discharged_on, NOW.timetz()),
        status="final",
    )
    DischargeSummary.objects.create(
        entry=entry,
        hospital=hospital,
        department=department,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        treatment="Антибактериальная терапия.",
        outcome="Выздоровление",
    )
    for code, kind, comment in diagnoses:
        Diagnosis.objects.create(entry=entry, icd10=icd10(code), kind=kind, comment=comment)
    return _done(entry, finalised)


def diary_reading(
    patient: Person,
    *,
    kind: str = DiaryReading.Kind.PULSE,
    value: Decimal | int | str = 72,
    value_low: Decimal | int | str | None = None,
    measured_at: datetime | None = None,
    note: str = "",
) -> DiaryReading:
    if kind == DiaryReading.Kind.PRESSURE and value_low is None:
        value, value_low = (value if value != 72 else 128), 82
    return DiaryReading.objects.create(
        patient=patient,
        kind=kind,
        value=Decimal(str(value)),
        value_low=Decimal(str(value_low)) if value_low is not None else None,
        measured_at=measured_at or YESTERDAY,
        note=note,
        entered_by=patient.user,
    )
