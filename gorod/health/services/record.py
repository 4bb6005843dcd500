"""Writing the medical record: doctors' entries, lab reports, certificates, the health diary.

Every change is one transaction with its audit row. Two rules shape the code:
- a finalised entry never changes in place (the triggers of migration 0004 refuse it), so
  each service writes the details first and sets `finalised_at` last, in the same
  transaction; a correction is an amendment (`entry_amendment_start` → edit → finalise),
  which stamps the original's `superseded_at` and leaves its words alone;
- lifecycle moves (a certificate ordered → ready → issued, a sick leave open → closed, a
  visit in progress → finished) are conditional updates from the states a move allows, so
  two clicks or two nodes move a row once.
Doctors' services take the user (`actor`) and check that the user is the signing doctor;
the citizen's services take the `RecordAccess` the one door (selectors/access.py) returned.
"""

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER, age_on
from gorod.analytics.services import usage_record
from gorod.core.audit import audit_record
from gorod.core.errors import DomainError, NotFound
from gorod.core.moments import moment_refusal
from gorod.health import record_rules
from gorod.health.models import (
    Appointment,
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
    Organisation,
    Practitioner,
    Prescription,
    Section,
    SickLeave,
    StudyReport,
)
from gorod.health.selectors.access import RecordAccess
from gorod.health.selectors.booking import (
    city_zone,
    current_attachment,
    is_registrar_of,
    local_now,
    recipients_of,
)
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

CERTIFICATES_SERVICE = "medical-certificates"
CERTIFICATE_TOPIC = "health.certificate"
# Lifecycle moves: the target status and the statuses it may come from.
ENCOUNTER_MOVES = {"finished": {"in-progress"}}
CERTIFICATE_MOVES = {"ready": {"ordered"}, "issued": {"ready"}, "cancelled": {"ordered"}}
SICK_LEAVE_MOVES = {"closed": {"open"}}
# A generated number collides rarely; this many tries make a failure practically impossible.
NUMBER_TRIES = 5
# Readings stamped a little ahead of the server's clock (a phone's clock) are accepted.
CLOCK_SKEW = timedelta(minutes=5)
PATIENT_ROLES = ("self", "guardian", "delegate")
DIARY_ROLES = ("self", "guardian")


# --- Shared checks --------------------------------------------------------------------


def _forbidden(code: str, message) -> DomainError:
    return DomainError(code, message, status=403)


def _doctor_of(actor) -> Practitioner:
    """The doctor the signed-in user is; a user who is no doctor writes no record."""
    practitioner = (
        Practitioner.objects.filter(user_id=actor.pk, active=True).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if practitioner is None:
        raise _forbidden("not_a_practitioner", _("Записи в медицинскую карту вносит врач."))
    return practitioner


def _signing_doctor(actor, practitioner: Practitioner) -> Practitioner:
    """A doctor signs only as themselves."""
    if _doctor_of(actor).pk != practitioner.pk:
        raise _forbidden(
            "not_the_practitioner", _("Подписать запись может только врач, который её вносит.")
        )
    return practitioner


def _check_author(actor, entry: Entry) -> None:
    """Only the entry's doctor (or, for an entry without one, its author) edits or amends it."""
    author = entry.practitioner.user_id if entry.practitioner_id else entry.created_by_id
    if not getattr(actor, "is_authenticated", False) or author != actor.pk:
        raise _forbidden("entry_not_yours", _("Эту запись может изменить только её автор."))


def _locked(entry: Entry) -> Entry:
    """The entry re-read under a row lock: the state to decide on, not the caller's copy."""
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("practitioner")
        .get(pk=entry.pk)
    )


def _draft(actor, entry: Entry, *, section: str | None = None) -> Entry:
    entry = _locked(entry)
    if section is not None and entry.section != section:
        raise DomainError("entry_wrong_section", _("Это запись другого раздела карты."))
    _check_author(actor, entry)
    if entry.finalised_at is not None:
        raise DomainError(
            "entry_final", _("Запись уже подписана: исправить её можно только исправлением.")
        )
    return entry


def _clean(instance: models.Model, *, exclude: tuple[str, ...] = ("entry",)) -> None:
    """The model's own validation as a refusal next to the first wrong field."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            "record_invalid", " ".join(messages), field=None if field == "__all__" else field
        ) from error


def _moved(entry: Entry, to: str, moves: dict[str, set[str]], **changes) -> bool:
    """Move the status if the row is still in a state the move allows; whether it moved."""
    moved = Entry.objects.filter(pk=entry.pk, status__in=moves[to]).update(status=to, **changes)
    if moved:
        entry.status = to
        for name, value in changes.items():
            setattr(entry, name, value)
    return bool(moved)


def _numbered(make, prefix: str, *, digits: int):
    """Call `make(number)` with a fresh random number, again on a (rare) collision."""
    for _attempt in range(NUMBER_TRIES):
        number = f"{prefix}{secrets.randbelow(10**digits):0{digits}d}"
        try:
            with transaction.atomic():
                return make(number)
        except IntegrityError:
            continue
    raise DomainError("number_unavailable", _("Не удалось выдать номер: попробуйте ещё раз."))


def _new_entry(
    *,
    actor,
    patient: Person,
    section: str,
    occurred_at: datetime,
    title: str,
    summary: str = "",
    status: str = "",
    organisation: Organisation | None = None,
    practitioner: Practitioner | None = None,
    source: str = Entry.Source.CLINICIAN,
    **fields,
) -> Entry:
    return Entry.objects.create(
        patient=patient,
        section=section,
        occurred_at=occurred_at,
        title=title[:255],
        summary=summary[:500],
        status=status,
        organisation=organisation,
        practitioner=practitioner,
        specialty=fields.pop("specialty", None),
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )


def _finalise(entry: Entry, *, actor, now: datetime | None = None, **changes) -> Entry:
    """Sign the draft (details are written by now) and retire the version it amends."""
    now = now or timezone.now()
    signer = actor if getattr(actor, "is_authenticated", False) else None
    signed = Entry.objects.filter(pk=entry.pk, finalised_at__isnull=True).update(
        finalised_at=now, finalised_by=signer, **changes
    )
    if not signed:
        raise DomainError("entry_final", _("Запись уже подписана."))
    entry.finalised_at, entry.finalised_by = now, signer
    for name, value in changes.items():
        setattr(entry, name, value)
    if entry.amends_id is not None:
        retired = Entry.objects.filter(pk=entry.amends_id, superseded_at__isnull=True).update(
            superseded_at=now
        )
        if not retired:
            raise DomainError(
                "entry_superseded", _("Исправляемая версия уже заменена другим исправлением.")
            )
    return entry


def _icd10_codes(codes: list[str], *, field: str) -> dict[str, Icd10]:
    found = Icd10.objects.in_bulk(codes)
    for code in codes:
        if code not in found or not found[code].actual:
            raise DomainError(
                "icd10_unknown",
                _("Кода %(code)s нет среди действующих кодов МКБ-10.") % {"code": code},
                field=field,
            )
    return found


def _diagnoses_write(entry: Entry, diagnoses: list[tuple[str, str, str]]) -> None:
    """Replace a draft's diagnoses: codes in force, each once, at most one main."""
    codes = [code.strip().upper() for code, _kind, _comment in diagnoses]
    if len(set(codes)) != len(codes):
        raise DomainError(
            "diagnosis_repeated", _("Один код МКБ-10 указан дважды."), field="diagnoses"
        )
    kinds = [kind for _code, kind, _comment in diagnoses]
    if any(kind not in Diagnosis.Kind.values for kind in kinds):
        raise DomainError(
            "diagnosis_kind_invalid", _("Неизвестный вид диагноза."), field="diagnoses"
        )
    if kinds.count(Diagnosis.Kind.MAIN) > 1:
        raise DomainError(
            "diagnosis_main_repeated",
            _("Основной диагноз может быть только один."),
            field="diagnoses",
        )
    found = _icd10_codes(codes, field="diagnoses")
    Diagnosis.objects.filter(entry=entry).delete()
    Diagnosis.objects.bulk_create(
        Diagnosis(entry=entry, icd10=found[code], kind=kind, comment=comment.strip()[:255])
        for code, (_code, kind, comment) in zip(codes, diagnoses, strict=True)
    )


def _main_diagnosis(entry: Entry) -> Diagnosis | None:
    return entry.diagnoses.select_related("icd10").filter(kind=Diagnosis.Kind.MAIN).first()


# --- Encounters and amendments --------------------------------------------------------


def encounter_open(*, actor, appointment: Appointment) -> Entry:
    """The visit's protocol draft, opened by the appointment's doctor; once per appointment."""
    practitioner = _doctor_of(actor)
    role = appointment.slot.role
    if role.practitioner_id != practitioner.pk:
        raise _forbidden(
            "not_the_practitioner", _("Протокол приёма ведёт врач, к которому записан пациент.")
        )
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.ENTERED_IN_ERROR):
        raise DomainError("appointment_cancelled", _("Запись к врачу отменена."))
    existing = Entry.objects.filter(appointment=appointment, amends__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = _new_entry(
                actor=actor,
                patient=appointment.person,
                section=Section.ENCOUNTERS,
                occurred_at=appointment.start,
                title=_("Приём: %(specialty)s") % {"specialty": appointment.specialty.name},
                status="in-progress",
                organisation=appointment.organisation,
                practitioner=practitioner,
                specialty=appointment.specialty,
                appointment=appointment,
            )
            EncounterNote.objects.create(entry=entry)
            audit_record(
                actor=actor,
                action="health.encounter_open",
                target=entry,
                appointment=appointment.pk,
                person=appointment.person_id,
            )
    except IntegrityError:
        # The same doctor opened it in another tab a moment ago.
        return Entry.objects.get(appointment=appointment, amends__isnull=True)
    return entry


@transaction.atomic
def encounter_record(
    *,
    actor,
    entry: Entry,
    complaints: str,
    anamnesis: str,
    examination: str,
    recommendations: str,
    diagnoses: list[tuple[str, str, str]],
) -> Entry:
    """Write the draft protocol and its diagnoses ((ICD-10 code, kind, comment))."""
    entry = _draft(actor, entry, section=Section.ENCOUNTERS)
    note = EncounterNote(
        entry=entry,
        complaints=complaints.strip(),
        anamnesis=anamnesis.strip(),
        examination=examination.strip(),
        recommendations=recommendations.strip(),
    )
    _clean(note)
    note.save()
    _diagnoses_write(entry, diagnoses)
    audit_record(
        actor=actor,
        action="health.encounter_record",
        target=entry,
        diagnoses=[code for code, _kind, _comment in diagnoses],
    )
    return entry


@transaction.atomic
def entry_finalise(*, actor, entry: Entry) -> Entry:
    """Sign a draft: an encounter needs its main diagnosis, which becomes its summary."""
    entry = _draft(actor, entry)
    changes = {}
    if entry.section in (Section.ENCOUNTERS, Section.DISCHARGES):
        main = _main_diagnosis(entry)
        if main is None:
            raise DomainError(
                "diagnosis_main_required", _("Укажите основной диагноз."), field="diagnoses"
            )
        changes["summary"] = f"{main.icd10.code} {main.icd10.name}"[:500]
    if entry.section == Section.ENCOUNTERS:
        if entry.status not in ENCOUNTER_MOVES["finished"] | {"finished"}:
            raise DomainError("entry_status_invalid", _("Приём уже закрыт."))
        changes["status"] = "finished"
    _finalise(entry, actor=actor, **changes)
    audit_record(
        actor=actor,
        action=f"health.{entry.section}_finalise",
        target=entry,
        amends=entry.amends_id,
    )
    return entry


def _copy_detail(instance: models.Model, entry: Entry) -> None:
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.name != "entry"
    }
    if isinstance(instance, LabReport):
        # The laboratory's identifier names the original report, not the correction.
        values["lab_identifier"] = None
    if isinstance(instance, Prescription):
        # An e-prescription's number is the original's; a corrected one gets its own.
        values["number"] = None
    type(instance).objects.create(entry=entry, **values)


ONE_DETAIL = (
    "encounter",
    "condition",
    "lab_report",
    "study",
    "discharge",
    "prescription",
    "sick_leave",
    "immunization",
    "certificate",
)


@transaction.atomic
def entry_amendment_start(*, actor, entry: Entry, reason: str) -> Entry:
    """A draft copy of the current version, details and all, to correct and sign.

    The author's draft already open for this version is returned rather than a second.
    """
    entry = _locked(entry)
    _check_author(actor, entry)
    refusal = record_rules.amendment_refusal(
        finalised=entry.finalised_at is not None,
        superseded=entry.superseded_at is not None,
        reason=reason,
    )
    if refusal is not None:
        raise DomainError(refusal.code, refusal.message, field="reason")
    if entry.section == Section.CERTIFICATES:
        raise DomainError(
            "certificate_not_amendable", _("Справку не исправляют: закажите новую."), field=None
        )
    draft = Entry.objects.filter(amends=entry).first()
    if draft is not None:
        return draft
    amendment = _new_entry(
        actor=actor,
        patient=entry.patient,
        section=entry.section,
        occurred_at=entry.occurred_at,
        title=entry.title,
        summary=entry.summary,
        status=entry.status,
        organisation=entry.organisation,
        practitioner=entry.practitioner,
        specialty=entry.specialty,
        appointment=entry.appointment,
        source=entry.source,
        flagged=entry.flagged,
        amends=entry,
        amendment_reason=reason.strip()[:500],
    )
    for name in ONE_DETAIL:
        # A missing one-to-one detail raises an AttributeError subclass: None here.
        detail = getattr(entry, name, None)
        if detail is not None:
            _copy_detail(detail, amendment)
    for row in [*entry.diagnoses.all(), *entry.observations.all()]:
        _copy_detail(row, amendment)
    audit_record(
        actor=actor,
        action="health.entry_amendment_start",
        target=amendment,
        amends=entry.pk,
        reason=amendment.amendment_reason,
    )
    return amendment


# --- Doctors' other entries: written and signed at once -------------------------------


def _signed_entry(actor, *, detail: models.Model, action: str, **entry_fields) -> Entry:
    """Validate the detail, write entry and detail, sign, audit: one transaction."""
    _clean(detail)
    entry = _new_entry(actor=actor, **entry_fields)
    detail.entry = entry
    detail.save()
    _finalise(entry, actor=actor)
    audit_record(actor=actor, action=action, target=entry, person=entry.patient_id)
    return entry


def _today() -> date:
    return local_now().date()


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


# --- Laboratory reports ---------------------------------------------------------------


def _decimal(value, *, field: str, code: str = "observation_value_invalid") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise DomainError(
            code,
            _("%(field)s: нужно число, а не «%(value)s»") % {"field": field, "value": value},
            field=field,
        )
    return number


def _observation(item: dict, position: int) -> Observation:
    value = _decimal(item.get("value"), field="value")
    low = _decimal(item.get("reference_low"), field="reference_low")
    high = _decimal(item.get("reference_high"), field="reference_high")
    flag = item.get("flag") or record_rules.observation_flag(value, low, high)
    observation = Observation(
        position=position,
        code=str(item.get("code") or "").strip(),
        name=str(item.get("name") or "").strip(),
        value=value,
        value_text=str(item.get("value_text") or "").strip(),
        unit=str(item.get("unit") or "").strip(),
        reference_low=low,
        reference_high=high,
        reference_text=str(item.get("reference_text") or "").strip(),
        flag=flag,
        status=item.get("status") or Observation.Status.FINAL,
    )
    if value is None and not observation.value_text:
        raise DomainError(
            "observation_value_missing",
            _("У показателя «%(name)s» нет значения.") % {"name": observation.name},
            field="value",
        )
    if low is not None and high is not None and high < low:
        raise DomainError(
            "observation_range_invalid",
            _("У показателя «%(name)s» верхняя граница нормы ниже нижней.")
            % {"name": observation.name},
            field="reference_high",
        )
    # The model leaves `value` non-blank; a text result without a number is checked above.
    _clean(observation, exclude=("entry", "value"))
    return observation


def lab_summary(observations: list[Observation]) -> tuple[str, bool]:
    """("Вне нормы: 2 из 5", flagged) or ("Все показатели в норме", False)."""
    abnormal = sum(observation.flag in ("H", "L", "A") for observation in observations)
    if not abnormal:
        return _("Все показатели в норме"), False
    return (
        _("Вне нормы: %(abnormal)d из %(total)d")
        % {"abnormal": abnormal, "total": len(observations)},
        True,
    )


def lab_report_store(
    *,
    actor,
    patient: Person,
    lab_system: str,
    lab_identifier: str,
    laboratory: str,
    category: str,
    specimen: str,
    issued_at: datetime,
    observations: list[dict],
    conclusion: str = "",
    organisation: Organisation | None = None,
    title: str = "",
) -> tuple[Entry, bool]:
    """Store a laboratory's report once: the same (system, identifier) again returns it.

    Returns (entry, created). The results' flags come from their reference ranges when the
    laboratory sends none; the entry is flagged when any result is outside its range.
    """
    refusal = moment_refusal(issued_at)
    if refusal is not None:
        raise DomainError(refusal.code, refusal.message, field="issued")
    lab_system, lab_identifier = lab_system.strip(), lab_identifier.strip()
    stored = (
        Entry.objects.filter(
            lab_report__lab_system=lab_system, lab_report__lab_identifier=lab_identifier
        )
        .order_by("pk")
        .first()
    )
    if stored is not None:
        return _repeat_of(stored, actor=actor, patient=patient), False
    if not observations:
        raise DomainError("lab_report_empty", _("В результате нет ни одного показателя."))
    rows = [_observation(item, position) for position, item in enumerate(observations)]
    report = LabReport(
        lab_system=lab_system,
        lab_identifier=lab_identifier,
        laboratory=laboratory.strip(),
        category=category,
        specimen=specimen.strip(),
        conclusion=conclusion.strip(),
    )
    _clean(report)
    summary, flagged = lab_summary(rows)
    try:
        with transaction.atomic():
            entry = _new_entry(
                actor=actor,
                patient=patient,
                section=Section.LABS,
                occurred_at=issued_at,
                title=title.strip() or report.get_category_display().capitalize(),
                summary=summary,
                status="final",
                organisation=organisation,
                source=Entry.Source.LABORATORY,
                flagged=flagged,
            )
            report.entry = entry
            report.save()
            for row in rows:
                row.entry = entry
            Observation.objects.bulk_create(rows)
            _finalise(entry, actor=actor)
            audit_record(
                actor=actor,
                action="health.lab_report_store",
                target=entry,
                person=patient.pk,
                lab_system=report.lab_system,
                lab_identifier=report.lab_identifier,
                observations=len(rows),
            )
    except IntegrityError:
        # The same report arrived twice at once: the other request stored it.
        entry = Entry.objects.get(
            lab_report__lab_system=lab_system, lab_report__lab_identifier=lab_identifier
        )
        return _repeat_of(entry, actor=actor, patient=patient), False
    return entry, True


# --- Certificates ---------------------------------------------------------------------


def _patient_side(access: RecordAccess, roles=PATIENT_ROLES) -> None:
    if access.role not in roles:
        raise _forbidden(
            "record_patient_only",
            _("Это действие доступно пациенту и его представителям."),
        )


def _certificate_of(access: RecordAccess, entry: Entry) -> Entry:
    entry = _locked(entry)
    if entry.patient_id != access.patient.pk or entry.section != Section.CERTIFICATES:
        raise NotFound("record_not_found", _("Справка не найдена."))
    return entry


@transaction.atomic
def certificate_order(*, access: RecordAccess, kind: str, purpose: str = "") -> Entry:
    """Order a certificate from the patient's clinic: ready by the next working day."""
    _patient_side(access)
    if kind not in Certificate.Kind.values:
        raise DomainError("certificate_kind_invalid", _("Выберите вид справки."), field="kind")
    patient = access.patient
    attachment = current_attachment(patient.pk)
    if attachment is None:
        raise DomainError(
            "certificate_no_attachment",
            _("Справку готовит поликлиника прикрепления, а прикрепления нет."),
        )
    if Entry.objects.filter(
        patient=patient, section=Section.CERTIFICATES, status="ordered", certificate__kind=kind
    ).exists():
        raise DomainError(
            "certificate_already_ordered",
            _("Такая справка уже заказана и готовится."),
            field="kind",
        )
    today = _today()
    ready_by = record_rules.next_working_day(today, settings.GOROD_HEALTH_EXTRA_DAYS_OFF)
    label = Certificate.Kind(kind).label
    organisation = attachment.organisation
    prefix = f"{organisation.registry_code[:6]}-С{today.year}-"

    def make(number: str) -> Entry:
        entry = _new_entry(
            actor=access.actor,
            patient=patient,
            section=Section.CERTIFICATES,
            occurred_at=timezone.now(),
            title=_("Справка %(kind)s") % {"kind": label},
            summary=_("Будет готова %(date)s") % {"date": f"{ready_by:%d.%m.%Y}"},
            status="ordered",
            organisation=organisation,
            source=Entry.Source.PATIENT,
        )
        detail = Certificate(
            entry=entry, kind=kind, purpose=purpose.strip(), number=number, ready_by=ready_by
        )
        _clean(detail)
        detail.save()
        return entry

    entry = _numbered(make, prefix, digits=8)
    audit_record(
        actor=access.actor,
        action="health.certificate_order",
        target=entry,
        person=patient.pk,
        kind=kind,
        role=access.role,
    )
    # The use this order counts as: the page and the API offer to rate it.
    entry.use_id = usage_record(
        service=CERTIFICATES_SERVICE, actor=access.actor, action="submit", channel=access.channel
    )
    return entry


def _ready_drafts(entry: Entry) -> list[Draft]:
    certificate = entry.certificate

    def compose() -> tuple[str, str]:
        values = {
            "patient": entry.patient.full_name,
            "kind": certificate.get_kind_display(),
            "number": certificate.number,
        }
        return _("Справка %(kind)s готова") % values, _(
            "%(patient)s: справка %(kind)s № %(number)s готова. Её можно скачать с "
            "электронной подписью в медицинской карте, раздел «Справки»."
        ) % values

    texts = in_every_language(compose)
    link = reverse("record:certificates", args=[entry.patient_id])
    return [
        Draft(
            person_id=person_id,
            key=f"{CERTIFICATE_TOPIC}:{entry.pk}:ready:{person_id}",
            texts=texts,
            link=link,
        )
        for person_id in _record_recipients(entry.patient)
    ]


def _record_recipients(patient: Person) -> list[int]:
    """Who may hear of a record's news: the patient with a login, else the guardians while
    the child is under 15 — from 15 the record is the teen's own (record_rules)."""
    if patient.user_id is None and not _represented_by_guardians(patient):
        return []
    return recipients_of(patient)


def _represented_by_guardians(patient: Person) -> bool:
    return age_on(patient.birth_date, _today()) < GUARDIAN_REPRESENTS_UNDER


@transaction.atomic
def certificate_prepare(*, actor, entry: Entry) -> Entry:
    """Render and sign the PDF, store it, sign the entry: the certificate is ready.

    `actor` is a registrar of the patient's clinic, or None for the hourly task.
    """
    from gorod.health import documents

    entry = _locked(entry)
    if entry.section != Section.CERTIFICATES:
        raise DomainError("entry_wrong_section", _("Это запись другого раздела карты."))
    if actor is not None and not is_registrar_of(actor, entry.organisation_id):
        raise _forbidden(
            "certificate_not_your_clinic", _("Справку готовит регистратура поликлиники пациента.")
        )
    if entry.status != "ordered" or entry.finalised_at is not None:
        raise DomainError("certificate_not_ordered", _("Справка уже готова или отменена."))
    pdf = documents.certificate_pdf(entry)
    Certificate.objects.filter(entry=entry).update(pdf=pdf)
    now = timezone.now()
    _finalise(entry, actor=actor, now=now, summary=_("Готова, можно скачать"))
    if not _moved(entry, "ready", CERTIFICATE_MOVES):
        raise DomainError("certificate_not_ordered", _("Справка уже готова или отменена."))
    messages_enqueue(topic=CERTIFICATE_TOPIC, drafts=_ready_drafts(entry))
    audit_record(actor=actor, action="health.certificate_prepare", target=entry, size=len(pdf))
    return entry


def certificates_prepare_due(*, now: datetime | None = None) -> int:
    """Prepare every ordered certificate whose day has come; how many became ready.

    Each in its own transaction: one that a registrar prepared meanwhile is skipped.
    """
    today = local_now(now).date()
    due = Entry.objects.filter(
        section=Section.CERTIFICATES,
        status="ordered",
        finalised_at__isnull=True,
        certificate__ready_by__lte=today,
    ).order_by("pk")
    prepared = 0
    for entry in due.iterator():
        try:
            certificate_prepare(actor=None, entry=entry)
        except DomainError:
            continue
        prepared += 1
    return prepared


@transaction.atomic
def certificate_mark_issued(*, access: RecordAccess, entry: Entry) -> Entry:
    """The first download by the patient's side issues a ready certificate (idempotent)."""
    _patient_side(access)
    entry = _certificate_of(access, entry)
    if entry.status == "issued":
        return entry
    if not _moved(entry, "issued", CERTIFICATE_MOVES):
        raise DomainError("certificate_not_ready", _("Справка ещё не готова."))
    audit_record(
        actor=access.actor, action="health.certificate_issue", target=entry, role=access.role
    )
    usage_record(
        service=CERTIFICATES_SERVICE, actor=access.actor, action="download", channel=access.channel
    )
    return entry


@transaction.atomic
def certificate_cancel(*, access: RecordAccess, entry: Entry) -> Entry:
    """The patient's side withdraws an order the clinic has not prepared yet."""
    _patient_side(access)
    entry = _certificate_of(access, entry)
    if not _moved(entry, "cancelled", CERTIFICATE_MOVES, summary=_("Заказ отменён")):
        raise DomainError(
            "certificate_not_cancellable", _("Отменить можно только заказанную справку.")
        )
    audit_record(
        actor=access.actor, action="health.certificate_cancel", target=entry, role=access.role
    )
    usage_record(
        service=CERTIFICATES_SERVICE, actor=access.actor, action="cancel", channel=access.channel
    )
    return entry


# --- Health diary ---------------------------------------------------------------------


@transaction.atomic
def diary_reading_add(
    *,
    access: RecordAccess,
    kind: str,
    value,
    value_low=None,
    measured_at: datetime,
    note: str = "",
) -> DiaryReading:
    """A home reading, entered by the patient (or a child's guardian)."""
    _patient_side(access, DIARY_ROLES)
    refusal = moment_refusal(measured_at)
    if refusal is not None:
        raise DomainError(refusal.code, refusal.message, field="measured_at")
    if timezone.is_naive(measured_at):
        # A time without a zone is the city's wall clock, as the patient read it.
        measured_at = timezone.make_aware(measured_at, city_zone())
    if kind not in DiaryReading.Kind.values:
        raise DomainError("diary_kind_invalid", _("Выберите показатель."), field="kind")
    number = _decimal(value, field="value", code="diary_value_invalid")
    low = _decimal(value_low, field="value_low", code="diary_value_invalid")
    if number is None:
        raise DomainError("diary_value_required", _("Укажите значение."), field="value")
    refusal = record_rules.diary_reading_refusal(kind, number, low)
    if refusal is not None:
        field = "value_low" if refusal.code == "diary_pressure_order" else "value"
        raise DomainError(refusal.code, refusal.message, field=field)
    if measured_at > timezone.now() + CLOCK_SKEW:
        raise DomainError(
            "diary_in_future", _("Время измерения ещё не наступило."), field="measured_at"
        )
    reading = DiaryReading(
        patient=access.patient,
        kind=kind,
        value=number,
        value_low=low,
        measured_at=measured_at,
        note=note.strip(),
        entered_by=access.actor,
    )
    _clean(reading, exclude=("patient", "entered_by"))
    reading.save()
    audit_record(
        actor=access.actor,
        action="health.diary_reading_add",
        target=reading,
        person=access.patient.pk,
        kind=kind,
    )
    return reading


@transaction.atomic
def diary_reading_delete(*, access: RecordAccess, reading_id: int) -> None:
    """Remove one's own mistaken reading (the diary is the patient's, not the doctor's)."""
    _patient_side(access, DIARY_ROLES)
    deleted, _rows = DiaryReading.objects.filter(pk=reading_id, patient=access.patient).delete()
    if not deleted:
        raise NotFound("diary_reading_not_found", _("Запись дневника не найдена."))
    audit_record(
        actor=access.actor,
        action="health.diary_reading_delete",
        person=access.patient.pk,
        reading=reading_id,
    )


def _repeat_of(stored: Entry, *, actor, patient: Person) -> Entry:
    """The report a laboratory sent before, when this is really that report again.

    The same identifier from another account, or for another patient, is not a repeat: it
    would hand the sender someone else's report id and drop its own results unseen.
    """
    if stored.patient_id != patient.pk or stored.created_by_id != getattr(actor, "pk", None):
        raise DomainError(
            "lab_identifier_conflict",
            _(
                "Результат с таким номером уже получен от другой лаборатории "
                "или для другого пациента."
            ),
            status=409,
        )
    return stored
