"""Doctors' entries written and signed at once: prescriptions, sick leaves, immunizations,
conditions, studies and discharge summaries, each with its audit row in one transaction."""

from datetime import date, datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.clinics.models import Organisation, Practitioner
from gorod.core.audit import audit_record
from gorod.core.errors import DomainError
from gorod.medrecord.models.record import (
    Condition,
    DischargeSummary,
    Entry,
    Immunization,
    Prescription,
    Section,
    SickLeave,
    StudyReport,
)
from gorod.medrecord.services.entries import (
    CLOCK_SKEW,
    SICK_LEAVE_MOVES,
    _check_author,
    _clean,
    _diagnoses_write,
    _finalise,
    _icd10_codes,
    _locked,
    _main_diagnosis,
    _moved,
    _new_entry,
    _numbered,
    _signing_doctor,
    _today,
    entry_amendment_start,
)


def _signed_entry(actor, *, detail: models.Model, action: str, **entry_fields) -> Entry:
    """Validate the detail, write entry and detail, sign, audit: one transaction."""
    _clean(detail)
    entry = _new_entry(actor=actor, **entry_fields)
    detail.entry = entry
    detail.save()
    _finalise(entry, actor=actor)
    audit_record(actor=actor, action=action, target=entry, person=entry.patient_id)
    return entry


def prescription_write(
    *,
    actor,
    patient: Person,
    organisation: Organisation,
    practitioner: Practitioner,
    drug: str,
    dosage_form: str,
    dose: str,
    schedule: str,
    duration_days: int | None,
    valid_until: date,
    preferential: bool = False,
    encounter: Entry | None = None,
) -> Entry:
    """An e-prescription with its number ("<clinic>-<year>-<8 digits>"), signed."""
    _signing_doctor(actor, practitioner)
    if valid_until < _today():
        raise DomainError(
            "prescription_expired", _("Срок действия рецепта уже истёк."), field="valid_until"
        )
    if duration_days is not None and duration_days < 1:
        raise DomainError(
            "prescription_duration_invalid",
            _("Курс — не меньше одного дня."),
            field="duration_days",
        )
    if encounter is not None and encounter.patient_id != patient.pk:
        raise DomainError("encounter_other_patient", _("Приём другого пациента."))
    prefix = f"{organisation.registry_code[:6]}-{_today().year}-"

    def make(number: str) -> Entry:
        detail = Prescription(
            drug=drug.strip(),
            dosage_form=dosage_form.strip(),
            dose=dose.strip(),
            schedule=schedule.strip(),
            duration_days=duration_days,
            valid_until=valid_until,
            number=number,
            preferential=preferential,
        )
        return _signed_entry(
            actor,
            detail=detail,
            action="health.prescription_write",
            patient=patient,
            section=Section.PRESCRIPTIONS,
            occurred_at=timezone.now(),
            title=_("Рецепт: %(drug)s") % {"drug": detail.drug},
            summary=f"{detail.dose}, {detail.schedule}",
            status="active",
            organisation=organisation,
            practitioner=practitioner,
            specialty=encounter.specialty if encounter is not None else None,
        )

    with transaction.atomic():
        return _numbered(make, prefix, digits=8)


def _sick_leave_summary(starts_on: date, ends_on: date) -> str:
    return f"{starts_on:%d.%m.%Y} – {ends_on:%d.%m.%Y}"


def sick_leave_open(
    *,
    actor,
    patient: Person,
    organisation: Organisation,
    practitioner: Practitioner,
    starts_on: date,
    ends_on: date,
    employer: str = "",
    cared_for: str = "",
) -> Entry:
    """An electronic sick leave (ЭЛН, a 12-digit number), open until closed."""
    _signing_doctor(actor, practitioner)
    if ends_on < starts_on:
        raise DomainError(
            "sick_leave_dates", _("Дата окончания раньше даты начала."), field="ends_on"
        )

    def make(number: str) -> Entry:
        return _signed_entry(
            actor,
            detail=SickLeave(
                number=number,
                starts_on=starts_on,
                ends_on=ends_on,
                employer=employer.strip(),
                cared_for=cared_for.strip(),
            ),
            action="health.sick_leave_open",
            patient=patient,
            section=Section.SICK_LEAVES,
            occurred_at=timezone.now(),
            title=_("Больничный лист № %(number)s") % {"number": number},
            summary=_sick_leave_summary(starts_on, ends_on),
            status="open",
            organisation=organisation,
            practitioner=practitioner,
        )

    with transaction.atomic():
        # The number is not unique in the table (an extension repeats it); a clash is
        # practically impossible with eleven random digits, and harmless to the record.
        return _numbered(make, "9", digits=11)


@transaction.atomic
def sick_leave_extend(*, actor, entry: Entry, ends_on: date, reason: str) -> Entry:
    """Prolong an open sick leave: a signed amendment with the same number, later end."""
    original = _locked(entry)
    if original.section != Section.SICK_LEAVES:
        raise DomainError("entry_wrong_section", _("Это запись другого раздела карты."))
    if original.status != "open":
        raise DomainError("sick_leave_closed", _("Больничный лист уже закрыт."))
    if ends_on <= original.sick_leave.ends_on:
        raise DomainError(
            "sick_leave_not_longer",
            _("Новая дата окончания должна быть позже %(date)s.")
            % {"date": f"{original.sick_leave.ends_on:%d.%m.%Y}"},
            field="ends_on",
        )
    amendment = entry_amendment_start(actor=actor, entry=original, reason=reason)
    SickLeave.objects.filter(entry=amendment).update(ends_on=ends_on)
    _finalise(
        amendment,
        actor=actor,
        summary=_sick_leave_summary(original.sick_leave.starts_on, ends_on),
    )
    audit_record(
        actor=actor,
        action="health.sick_leave_extend",
        target=amendment,
        amends=original.pk,
        ends_on=ends_on.isoformat(),
    )
    return amendment


@transaction.atomic
def sick_leave_close(*, actor, entry: Entry) -> Entry:
    """Close the current version of an open sick leave."""
    entry = _locked(entry)
    _check_author(actor, entry)
    if entry.section != Section.SICK_LEAVES or entry.superseded_at is not None:
        raise DomainError("entry_superseded", _("Закрыть можно только последнюю версию."))
    if not _moved(entry, "closed", SICK_LEAVE_MOVES):
        raise DomainError("sick_leave_closed", _("Больничный лист уже закрыт."))
    audit_record(actor=actor, action="health.sick_leave_close", target=entry)
    return entry


@transaction.atomic
def immunization_record(
    *,
    actor,
    patient: Person,
    organisation: Organisation,
    practitioner: Practitioner,
    occurred_at: datetime,
    vaccine: str,
    target_disease: str,
    dose_number: int,
    lot_number: str = "",
    site: str = "",
) -> Entry:
    _signing_doctor(actor, practitioner)
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise DomainError(
            "immunization_in_future",
            _("Прививка не может быть сделана в будущем."),
            field="occurred_at",
        )
    detail = Immunization(
        vaccine=vaccine.strip(),
        target_disease=target_disease.strip(),
        dose_number=dose_number,
        lot_number=lot_number.strip(),
        site=site.strip(),
    )
    if dose_number < 1:
        raise DomainError("immunization_dose_invalid", _("Номер дозы — от 1."), field="dose_number")
    return _signed_entry(
        actor,
        detail=detail,
        action="health.immunization_record",
        patient=patient,
        section=Section.IMMUNIZATIONS,
        occurred_at=occurred_at,
        title=_("Прививка: %(disease)s") % {"disease": detail.target_disease},
        summary=_("%(vaccine)s, доза %(dose)d") % {"vaccine": detail.vaccine, "dose": dose_number},
        status="completed",
        organisation=organisation,
        practitioner=practitioner,
    )


@transaction.atomic
def condition_record(
    *,
    actor,
    patient: Person,
    organisation: Organisation,
    practitioner: Practitioner,
    icd10_code: str,
    clinical_status: str,
    onset_on: date | None = None,
    abated_on: date | None = None,
    note: str = "",
) -> Entry:
    """A problem on the patient's list (a chronic or past illness), coded by ICD-10."""
    _signing_doctor(actor, practitioner)
    code = icd10_code.strip().upper()
    icd10 = _icd10_codes([code], field="icd10_code")[code]
    if abated_on is not None and onset_on is not None and abated_on < onset_on:
        raise DomainError(
            "condition_dates", _("Дата окончания раньше начала заболевания."), field="abated_on"
        )
    return _signed_entry(
        actor,
        detail=Condition(
            icd10=icd10,
            clinical_status=clinical_status,
            onset_on=onset_on,
            abated_on=abated_on,
            note=note.strip(),
        ),
        action="health.condition_record",
        patient=patient,
        section=Section.CONDITIONS,
        occurred_at=timezone.now(),
        title=icd10.name,
        summary=f"{icd10.code} {icd10.name}",
        status=clinical_status,
        organisation=organisation,
        practitioner=practitioner,
    )


@transaction.atomic
def study_record(
    *,
    actor,
    patient: Person,
    organisation: Organisation,
    practitioner: Practitioner,
    occurred_at: datetime,
    modality: str,
    body_site: str,
    description: str,
    conclusion: str,
    attachment=None,
) -> Entry:
    """An imaging or instrumental study with its conclusion (and the file, if any)."""
    _signing_doctor(actor, practitioner)
    if not conclusion.strip():
        raise DomainError(
            "study_conclusion_required", _("Напишите заключение."), field="conclusion"
        )
    detail = StudyReport(
        modality=modality,
        body_site=body_site.strip(),
        description=description.strip(),
        conclusion=conclusion.strip(),
    )
    if attachment is not None:
        detail.attachment = attachment
    return _signed_entry(
        actor,
        detail=detail,
        action="health.study_record",
        patient=patient,
        section=Section.STUDIES,
        occurred_at=occurred_at,
        title=f"{detail.get_modality_display()}: {detail.body_site}".rstrip(": "),
        summary=detail.conclusion,
        status="final",
        organisation=organisation,
        practitioner=practitioner,
    )


@transaction.atomic
def discharge_record(
    *,
    actor,
    patient: Person,
    organisation: Organisation,
    practitioner: Practitioner,
    hospital: str,
    department: str,
    admitted_on: date,
    discharged_on: date,
    diagnoses: list[tuple[str, str, str]],
    treatment: str = "",
    outcome: str = "",
    recommendations: str = "",
) -> Entry:
    """A hospital's discharge summary with its diagnoses; the main one is its summary."""
    _signing_doctor(actor, practitioner)
    if discharged_on < admitted_on:
        raise DomainError(
            "discharge_dates", _("Дата выписки раньше даты поступления."), field="discharged_on"
        )
    detail = DischargeSummary(
        hospital=hospital.strip(),
        department=department.strip(),
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        treatment=treatment.strip(),
        outcome=outcome.strip(),
        recommendations=recommendations.strip(),
    )
    _clean(detail)
    entry = _new_entry(
        actor=actor,
        patient=patient,
        section=Section.DISCHARGES,
        occurred_at=timezone.now(),
        title=_("Выписка: %(hospital)s") % {"hospital": detail.hospital},
        status="final",
        organisation=organisation,
        practitioner=practitioner,
    )
    detail.entry = entry
    detail.save()
    _diagnoses_write(entry, diagnoses)
    main = _main_diagnosis(entry)
    if main is None:
        raise DomainError(
            "diagnosis_main_required", _("Укажите основной диагноз."), field="diagnoses"
        )
    _finalise(entry, actor=actor, summary=f"{main.icd10.code} {main.icd10.name}"[:500])
    audit_record(actor=actor, action="health.discharge_record", target=entry, person=patient.pk)
    return entry
