"""Every write of booking: book, reschedule, cancel, mark the visit; each one transaction.

How a booking stays correct under the 08:00 rush (ADR 0006):
- the patient's row is locked first, so one person's bookings queue: the overlap and
  one-per-specialty checks read a calendar no concurrent booking of theirs can change;
- the slot is claimed by a conditional update (free → busy); of two patients racing for
  one slot the second updates no row and hears `slot_taken`, with the nearest free ones;
- the partial unique indexes (one appointment per slot, one booked per specialty, one live
  appointment per referral) hold whatever a bug lets slip.
Locks are taken in one order everywhere: person, then slots in primary-key order.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.analytics.services import usage_record
from gorod.appointments import rules
from gorod.appointments.models import REGISTRY_CHANNEL, Appointment, Referral, Slot
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.selectors import desk as desk_selectors
from gorod.appointments.selectors.board import board_touched
from gorod.clinics import rules as clinic_rules
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.services import lock_person
from gorod.core import clock
from gorod.core.audit import audit_read, audit_record
from gorod.core.errors import Conflict, DomainError, Forbidden, NotFound
from gorod.core.ids import valid_id


@dataclass(frozen=True)
class BookingResult:
    # With what a page or an answer shows of it: the slot's doctor, building and clinic.
    appointment: Appointment
    created: bool
    # The use counted for analytics, which the rating form names; None on a replay.
    use_id: object | None


def _refusal(
    error: rules.RuleError, *, kind: type[DomainError] = Conflict, field: str | None = None
):
    return kind(error.code, error.message, field=field)


def _slot_taken(slot: Slot, *, now: datetime) -> DomainError:
    """`slot_taken` with the nearest free slots, read after the failed transaction."""
    alternatives = selectors.alternatives_to(slot, now=now)
    return Conflict(
        "slot_taken",
        _("Это время уже занято. Выберите другое."),
        field="slot",
        details={
            "alternatives": [
                {
                    "slot_id": other.pk,
                    "start": other.start.isoformat(),
                    "end": other.end.isoformat(),
                    "practitioner": other.role.practitioner.initials_name,
                }
                for other in alternatives
            ]
        },
    )


def _slot_facts(slot: Slot) -> rules.SlotFacts:
    return rules.SlotFacts(
        start=slot.start,
        end=slot.end,
        status=slot.status,
        online=slot.online,
        organisation_id=slot.organisation_id,
        specialty_id=slot.specialty_id,
        specialty_code=slot.specialty.code,
        specialty_patients=slot.specialty.patients,
        specialty_sex=slot.specialty.patient_sex,
    )


def _city_day(moment: datetime):
    return moment.astimezone(clock.city_zone()).date()


def _claim(slot: Slot) -> bool:
    """Free → busy, only if still free: the one statement that decides a race."""
    claimed = Slot.objects.filter(pk=slot.pk, status=Slot.Status.FREE).update(
        status=Slot.Status.BUSY, updated_at=timezone.now()
    )
    if claimed:
        board_touched(slot.organisation_id, slot.specialty_id, _city_day(slot.start))
    return bool(claimed)


def _release(appointment: Appointment, *, now: datetime) -> None:
    """Busy → free for a future slot; a slot closed by an absence stays closed."""
    if Slot.objects.filter(pk=appointment.slot_id, status=Slot.Status.BUSY, start__gt=now).update(
        status=Slot.Status.FREE, updated_at=now
    ):
        board_touched(
            appointment.organisation_id, appointment.specialty_id, _city_day(appointment.start)
        )


def _facts(
    *, patient: Person, slot: Slot, referral: Referral | None, now: datetime, by_registry: bool
) -> selectors.BookingFacts:
    """The booking's facts, read once under the patient's lock."""
    return selectors.booking_facts(
        patient.pk,
        slot_id=slot.pk,
        referral_id=referral.pk if referral is not None else None,
        now=now,
        # The registry is not held by the no-show block: nothing to count for it.
        count_no_shows=selectors.booking_policy().no_show_limit is not None and not by_registry,
    )


def _referral_facts(
    referral: Referral | None, facts: selectors.BookingFacts, *, replacing: Appointment | None
):
    if referral is None:
        return None
    in_use = facts.referral_in_use
    if replacing is not None and replacing.referral_id == referral.pk:
        in_use = False  # the appointment being moved gives it to the new one
    return rules.ReferralFacts(
        specialty_id=referral.specialty_id, valid_until=referral.valid_until, in_use=in_use
    )


def _check_booking(
    *,
    slot: Slot,
    patient: Person,
    facts: selectors.BookingFacts,
    referral: Referral | None,
    now: datetime,
    by_registry: bool,
    replacing: Appointment | None = None,
) -> None:
    policy = selectors.booking_policy()
    local = clock.local_now(now)
    refusal = rules.booking_refusal(
        _slot_facts(slot),
        rules.PatientFacts(
            age=clinic_rules.age_on(patient.birth_date, local.date()),
            attached_organisation_id=facts.attached_organisation_id,
            sex=patient.sex,
        ),
        held=facts.held,
        referral=_referral_facts(referral, facts, replacing=replacing),
        no_shows_in_year=facts.no_shows_in_year,
        now=local,
        today=local.date(),
        policy=policy,
        by_registry=by_registry,
        replacing=replacing.pk if replacing else None,
    )
    if refusal is not None:
        field = "referral" if refusal.code.startswith("referral") else "slot"
        kind = Forbidden if refusal.code == "not_attached" else Conflict
        raise _refusal(refusal, field=field, kind=kind)


def _book(
    *,
    actor,
    slot: Slot,
    patient: Person,
    referral: Referral | None,
    channel: str,
    now: datetime,
    facts: selectors.BookingFacts | None = None,
    replacing: Appointment | None = None,
) -> Appointment | None:
    """Check the rules, claim the slot and write the appointment; None if the slot was taken.

    Runs inside the caller's transaction, after the patient's row is locked (and with the
    facts the caller read under the lock, if it did). A reschedule (`replacing`) cancels
    the old appointment only once the new slot is held.
    """
    by_registry = channel == REGISTRY_CHANNEL
    if facts is None:
        facts = _facts(
            patient=patient, slot=slot, referral=referral, now=now, by_registry=by_registry
        )
    try:
        _check_booking(
            slot=slot,
            patient=patient,
            facts=facts,
            referral=referral,
            now=now,
            by_registry=by_registry,
            replacing=replacing,
        )
    except DomainError as error:
        if error.code == "slot_taken":
            return None
        raise
    if not _claim(slot):
        return None
    if replacing is not None:
        _cancel_row(replacing, actor=actor, reason=Appointment.Reason.RESCHEDULED, now=now)
    try:
        # No savepoint: a failed insert ends the booking, and the caller's transaction
        # with it (the Conflict leaves its atomic block, which rolls back).
        appointment = Appointment.objects.create(
            person=patient,
            slot=slot,
            organisation=slot.organisation,
            specialty=slot.specialty,
            start=slot.start,
            end=slot.end,
            booked_by=actor if getattr(actor, "is_authenticated", False) else None,
            channel=channel,
            referral=referral,
            rescheduled_from=replacing,
        )
    except IntegrityError as error:
        # The rules above read under the patient's lock, so only a bug gets here; the
        # index that held names the rule.
        raise Conflict(
            "booking_conflict",
            _("Запись не сохранена: она противоречит другой записи. Обновите страницу."),
        ) from error
    audit_record(
        actor=actor,
        action="health.appointment_reschedule" if replacing else "health.appointment_book",
        target=appointment,
        person=patient.pk,
        slot=slot.pk,
        referral=referral.pk if referral else None,
        channel=channel,
        from_appointment=replacing.pk if replacing else None,
    )
    return appointment


def _use(actor, *, action: str, channel: str):
    """Count the citizen's use; the registry's desk is not a use of the portal."""
    if channel == REGISTRY_CHANNEL:
        return None
    return usage_record(service=selectors.SERVICE_SLUG, actor=actor, action=action, channel=channel)


def appointment_book(
    *,
    actor,
    person_id: int,
    slot_id: int,
    referral_id: int | None = None,
    channel: str,
    now: datetime | None = None,
) -> BookingResult:
    """Book a slot for the actor, their child under 15 or their principal.

    Booking the same slot for the same patient again returns the first appointment, so a
    client that lost the answer may retry. The registry books with channel "registry"
    for any patient of its clinic (`appointment_book_by_registry`).
    """
    now = now or timezone.now()
    patient = clinic_selectors.bookable_patient_for(actor, person_id)
    slot = selectors.slot_get(slot_id)
    referral = selectors.referral_for(patient, referral_id) if referral_id is not None else None
    with transaction.atomic():
        lock_person(patient.person.pk)
        facts = _facts(
            patient=patient.person,
            slot=slot,
            referral=referral,
            now=now,
            by_registry=channel == REGISTRY_CHANNEL,
        )
        if facts.replay_id is not None:
            return BookingResult(selectors.appointment_shown(facts.replay_id), False, None)
        appointment = _book(
            actor=actor,
            slot=slot,
            patient=patient.person,
            referral=referral,
            channel=channel,
            now=now,
            facts=facts,
        )
        if appointment is not None:
            return BookingResult(appointment, True, _use(actor, action="book", channel=channel))
    raise _slot_taken(slot, now=now)


def appointment_book_by_registry(
    *,
    actor,
    person_id: int,
    slot_id: int,
    referral_id: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """A registrar books on a patient's behalf at the desk (channel "registry").

    The registry may give the slots kept out of the portal's quota and is not held by the
    no-show block; the attachment, the referral and the patient's calendar still apply.
    """
    now = now or timezone.now()
    slot = selectors.slot_get(slot_id)
    _require_registrar(actor, organisation_id=slot.organisation_id)
    patient = Person.objects.filter(pk=person_id).first() if valid_id(person_id) else None
    if patient is None:
        raise clinic_selectors.person_not_found()
    referral = None
    if referral_id is not None:
        referral = Referral.objects.filter(pk=referral_id, person=patient).first()
        if referral is None:
            raise NotFound("referral_not_found", _("Направление не найдено."), field="referral")
    with transaction.atomic():
        lock_person(patient.pk)
        appointment = _book(
            actor=actor,
            slot=slot,
            patient=patient,
            referral=referral,
            channel=REGISTRY_CHANNEL,
            now=now,
        )
        if appointment is not None:
            return appointment
    raise _slot_taken(slot, now=now)


def appointment_reschedule(
    *, actor, appointment_id: int, slot_id: int, channel: str, now: datetime | None = None
) -> BookingResult:
    """Move an appointment to another slot of the same specialty, atomically.

    The new slot is claimed before the old one is let go, in one transaction: a refusal
    (taken, too far, overlapping) leaves the patient with the appointment they had.
    """
    now = now or timezone.now()
    current = selectors.appointment_for(actor, appointment_id)
    clinic_selectors.bookable_patient_for(actor, current.person_id)
    slot = selectors.slot_get(slot_id)
    with transaction.atomic():
        lock_person(current.person_id)
        # Read again under the lock: a concurrent reschedule or cancel may have won.
        current = Appointment.objects.select_related("referral", "person").get(pk=current.pk)
        if refusal := rules.cancel_refusal(status=current.status, start=current.start, now=now):
            raise _refusal(refusal)
        if slot.specialty_id != current.specialty_id:
            raise Conflict(
                "reschedule_other_specialty",
                _("Перенести запись можно только к врачу той же специальности."),
                field="slot",
            )
        moved = _book(
            actor=actor,
            slot=slot,
            patient=current.person,
            referral=current.referral,
            channel=channel,
            now=now,
            replacing=current,
        )
        if moved is not None:
            return BookingResult(moved, True, _use(actor, action="reschedule", channel=channel))
    raise _slot_taken(slot, now=now)


def _cancel_row(appointment: Appointment, *, actor, reason: str, now: datetime) -> None:
    """Booked → cancelled, only if still booked; then the slot goes back on offer."""
    changed = Appointment.objects.filter(
        pk=appointment.pk, status=Appointment.Status.BOOKED
    ).update(
        status=Appointment.Status.CANCELLED,
        cancellation_reason=reason,
        cancelled_at=now,
        cancelled_by=actor if getattr(actor, "is_authenticated", False) else None,
        updated_at=now,
    )
    if not changed:
        raise Conflict("not_cancellable", _("Эту запись уже нельзя отменить."))
    _release(appointment, now=now)


def appointment_cancel(
    *, actor, appointment_id: int, channel: str, now: datetime | None = None
) -> Appointment:
    """The patient (or their parent or delegate) cancels a booked appointment before it starts."""
    now = now or timezone.now()
    appointment = selectors.appointment_for(actor, appointment_id)
    clinic_selectors.bookable_patient_for(actor, appointment.person_id)
    if refusal := rules.cancel_refusal(status=appointment.status, start=appointment.start, now=now):
        raise _refusal(refusal)
    with transaction.atomic():
        _cancel_row(appointment, actor=actor, reason=Appointment.Reason.PATIENT, now=now)
        audit_record(
            actor=actor,
            action="health.appointment_cancel",
            target=appointment,
            person=appointment.person_id,
            slot=appointment.slot_id,
        )
        _use(actor, action="cancel", channel=channel)
    appointment.refresh_from_db()
    return appointment


def patient_look_up(
    *, actor, organisation_id: int, oms_policy: str, birth_date: date
) -> Person | None:
    """The registry finds a patient by policy number and birth date at a clinic's desk.

    Who looked up whom is recorded, found or not: a policy number is a key to a person's
    medical appointments.
    """
    person = desk_selectors.patient_by_policy(oms_policy=oms_policy, birth_date=birth_date)
    audit_read(
        actor=actor,
        action="health.patient_lookup",
        target=person,
        organisation=organisation_id,
        found=person is not None,
    )
    return person


def _require_registrar(actor, *, organisation_id: int) -> None:
    """A registrar works at the desks of the clinics they are posted to, no other."""
    if not clinic_selectors.is_registrar_of(actor, organisation_id):
        raise Forbidden(
            "not_a_registrar",
            _("Это действие доступно только регистратуре этой поликлиники."),
        )


def appointment_mark(
    *, actor, appointment_id: int, status: str, now: datetime | None = None
) -> Appointment:
    """The registry marks arrival, the visit, a no-show or an entry made in error."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.filter(pk=appointment_id).first() if valid_id(appointment_id) else None
    )
    if appointment is None:
        raise selectors.appointment_not_found()
    _require_registrar(actor, organisation_id=appointment.organisation_id)
    if refusal := rules.mark_refusal(
        current=appointment.status,
        target=status,
        start=appointment.start,
        now=clock.local_now(now),
    ):
        raise _refusal(refusal, field="status")
    with transaction.atomic():
        fields = {"status": status, "updated_at": now}
        if status == Appointment.Status.ARRIVED:
            fields["arrived_at"] = now
        changed = Appointment.objects.filter(pk=appointment.pk, status=appointment.status).update(
            **fields
        )
        if not changed:
            raise Conflict(
                "status_changed",
                _("Статус записи только что изменился. Обновите страницу."),
            )
        if status == Appointment.Status.ENTERED_IN_ERROR:
            _release(appointment, now=now)
        audit_record(
            actor=actor,
            action="health.appointment_mark",
            target=appointment,
            status_from=appointment.status,
            status_to=status,
        )
    appointment.refresh_from_db()
    return appointment
