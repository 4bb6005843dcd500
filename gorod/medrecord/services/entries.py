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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.appointments.models import Appointment
from gorod.clinics.models import Organisation, Practitioner
from gorod.core.audit import audit_record
from gorod.core.clock import local_now
from gorod.core.errors import Conflict, DomainError, Forbidden
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.record import (
    Diagnosis,
    EncounterNote,
    Entry,
    Icd10,
    LabReport,
    Prescription,
    Section,
)
from gorod.medrecord.selectors.access import RecordAccess

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


def _forbidden(code: str, message) -> Forbidden:
    return Forbidden(code, message)


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


def _today() -> date:
    return local_now().date()


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
    sign: bool = False,
) -> Entry:
    """Write the draft protocol and its diagnoses ((ICD-10 code, kind, comment)).

    With `sign`, the protocol is also signed: saved and signed together or not at all, so
    a refused signature leaves the draft as it was.
    """
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
    if sign:
        entry_finalise(actor=actor, entry=entry)
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


def _repeat_of(stored: Entry, *, actor, patient: Person) -> Entry:
    """The report a laboratory sent before, when this is really that report again.

    The same identifier from another account, or for another patient, is not a repeat: it
    would hand the sender someone else's report id and drop its own results unseen.
    """
    if stored.patient_id != patient.pk or stored.created_by_id != getattr(actor, "pk", None):
        raise Conflict(
            "lab_identifier_conflict",
            _(
                "Результат с таким номером уже получен от другой лаборатории "
                "или для другого пациента."
            ),
        )
    return stored


def _patient_side(access: RecordAccess, roles=PATIENT_ROLES) -> None:
    if access.role not in roles:
        raise _forbidden(
            "record_patient_only",
            _("Это действие доступно пациенту и его представителям."),
        )
