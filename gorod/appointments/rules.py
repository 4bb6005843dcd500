"""Rules of doctor appointments (DOMAIN.md, "Doctor appointments").

Plain functions of plain values: no ORM, no clock, no settings. The caller passes the
moment, the configured numbers and the facts it read, so each rule is tested directly and
each has a test that fails when the rule is taken out. A refusal is a `RuleError` with a
stable code, which the API sends as problem+json.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from gorod.accounts.rules import ADULT_AGE
from gorod.accounts.rules import age_on as age_on  # a patient's age is an identity rule
from gorod.core.errors import RuleError

# Statuses as stored (FHIR's value sets); see models.Slot.Status and Appointment.Status.
FREE = "free"
BUSY = "busy"
UNAVAILABLE = "busy-unavailable"
BOOKED = "booked"
ARRIVED = "arrived"
FULFILLED = "fulfilled"
CANCELLED = "cancelled"
NOSHOW = "noshow"
ENTERED_IN_ERROR = "entered-in-error"

# Who may move an appointment from one status to another. The patient only cancels;
# the registry marks arrival, the visit and (with the task) no-shows.
APPOINTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    BOOKED: frozenset({ARRIVED, FULFILLED, CANCELLED, NOSHOW, ENTERED_IN_ERROR}),
    ARRIVED: frozenset({FULFILLED, ENTERED_IN_ERROR}),
    FULFILLED: frozenset({ENTERED_IN_ERROR}),
    NOSHOW: frozenset({ARRIVED, ENTERED_IN_ERROR}),
    CANCELLED: frozenset(),
    ENTERED_IN_ERROR: frozenset(),
}

# Who a specialty receives (models.Specialty.Patients) and the age that splits them.
ALL_PATIENTS = "all"
ADULTS = "adults"
CHILDREN = "children"
# A patient's sex as accounts.models.Sex stores it; "" is not known.
FEMALE = "female"
MALE = "male"


@dataclass(frozen=True)
class BookingPolicy:
    """The city's settings for booking (GOROD_HEALTH_*)."""

    horizon_days: int = 14
    # A new day of the horizon opens at this time of the city's day (the 08:00 rush).
    day_opens_at: time = time(8, 0)
    min_notice_minutes: int = 0
    one_per_specialty: bool = True
    direct_specialties: frozenset[str] = frozenset()
    no_show_limit: int | None = None


@dataclass(frozen=True)
class SlotFacts:
    start: datetime
    end: datetime
    status: str
    online: bool
    organisation_id: int
    specialty_id: int
    specialty_code: str
    specialty_patients: str
    specialty_sex: str = ""


@dataclass(frozen=True)
class PatientFacts:
    age: int
    attached_organisation_id: int | None
    sex: str = ""


@dataclass(frozen=True)
class HeldAppointment:
    """One of the patient's appointments that still holds time: booked, not yet over."""

    id: int
    start: datetime
    end: datetime
    specialty_id: int


@dataclass(frozen=True)
class ReferralFacts:
    specialty_id: int
    valid_until: date
    in_use: bool


def slot_refusal(slot: SlotFacts, *, by_registry: bool) -> RuleError | None:
    """The slot itself: free, and within the portal's quota unless the registry books it."""
    if slot.status != FREE:
        return RuleError("slot_taken", _("Это время уже занято. Выберите другое."))
    if not slot.online and not by_registry:
        return RuleError(
            "slot_registry_only",
            _("Это время выдаёт только регистратура поликлиники. Выберите другое."),
        )
    return None


def last_open_day(now: datetime, policy: BookingPolicy) -> date:
    """The last day open for booking at `now` (in the city's time zone).

    With a 14-day horizon the day two weeks ahead opens at 08:00 today; before 08:00 the
    horizon ends a day earlier.
    """
    opened_today = now.timetz().replace(tzinfo=None) >= policy.day_opens_at
    return now.date() + timedelta(days=policy.horizon_days - (0 if opened_today else 1))


def timing_refusal(slot: SlotFacts, *, now: datetime, policy: BookingPolicy) -> RuleError | None:
    """Not in the past, not sooner than the minimum notice, not beyond the horizon.

    `now` is in the city's time zone: days are the city's days.
    """
    if slot.start <= now:
        return RuleError("slot_in_past", _("Это время уже прошло."))
    if slot.start < now + timedelta(minutes=policy.min_notice_minutes):
        return RuleError(
            "too_late_to_book",
            _("Записаться можно не позже чем за %(minutes)s мин до приёма.")
            % {"minutes": policy.min_notice_minutes},
        )
    if slot.start.astimezone(now.tzinfo).date() > last_open_day(now, policy):
        return RuleError(
            "outside_horizon",
            _("Запись открыта на %(days)s дней вперёд.") % {"days": policy.horizon_days},
        )
    return None


def attachment_refusal(slot: SlotFacts, patient: PatientFacts) -> RuleError | None:
    """Self-booking is at the polyclinic the patient is attached to."""
    if patient.attached_organisation_id is None:
        return RuleError(
            "not_attached",
            _("Пациент не прикреплён к поликлинике. Подайте заявление о прикреплении на портале."),
        )
    if patient.attached_organisation_id != slot.organisation_id:
        return RuleError(
            "not_attached",
            _("Записаться можно только в поликлинику, к которой прикреплён пациент."),
        )
    return None


def receives(specialty_patients: str, age: int) -> bool:
    """Whether a specialty sees a patient of this age (models.Specialty.Patients)."""
    if specialty_patients == CHILDREN:
        return age < ADULT_AGE
    if specialty_patients == ADULTS:
        return age >= ADULT_AGE
    return True


def receives_sex(specialty_sex: str, sex: str) -> bool:
    """Whether a specialty sees a patient of this sex (models.Specialty.patient_sex).

    An empty `specialty_sex` sees everyone; an unknown `sex` (empty) is not refused: the
    portal cannot tell, and the clinic will.
    """
    return not specialty_sex or not sex or specialty_sex == sex


def fits_patient(specialty_patients: str, specialty_sex: str, *, age: int, sex: str) -> bool:
    """The specialty sees this patient: their age group and, where it asks, their sex.

    The one rule behind the specialties a patient is offered and the booking's refusal.
    """
    return receives(specialty_patients, age) and receives_sex(specialty_sex, sex)


def audience_refusal(
    specialty_patients: str, age: int, *, specialty_sex: str = "", sex: str = ""
) -> RuleError | None:
    """A paediatrician sees children; a district therapist adults; a gynaecologist women."""
    if not receives(specialty_patients, age):
        if specialty_patients == CHILDREN:
            return RuleError("specialty_not_for_patient", _("Этот врач принимает только детей."))
        return RuleError("specialty_not_for_patient", _("Этот врач принимает только взрослых."))
    if not receives_sex(specialty_sex, sex):
        if specialty_sex == FEMALE:
            return RuleError(
                "specialty_not_for_patient", _("Этот врач принимает только женщин и девочек.")
            )
        return RuleError(
            "specialty_not_for_patient", _("Этот врач принимает только мужчин и мальчиков.")
        )
    return None


def referral_required(specialty_code: str, policy: BookingPolicy) -> bool:
    return specialty_code not in policy.direct_specialties


def referral_refusal(
    slot: SlotFacts, referral: ReferralFacts | None, *, today: date, policy: BookingPolicy
) -> RuleError | None:
    """A specialty outside the direct list needs a valid, unused referral to it."""
    if referral is None:
        if referral_required(slot.specialty_code, policy):
            return RuleError(
                "referral_required",
                _("К этому специалисту записывают по направлению лечащего врача."),
            )
        return None
    if referral.specialty_id != slot.specialty_id:
        return RuleError("referral_wrong_specialty", _("Направление выдано к другому специалисту."))
    if referral.valid_until < today:
        return RuleError(
            "referral_expired",
            _("Срок действия направления истёк %(date)s.")
            % {"date": referral.valid_until.strftime("%d.%m.%Y")},
        )
    if referral.in_use:
        return RuleError(
            "referral_used", _("По этому направлению уже есть запись. Отмените её или перенесите.")
        )
    return None


def specialty_refusal(
    slot: SlotFacts,
    held: Iterable[HeldAppointment],
    *,
    policy: BookingPolicy,
    replacing: int | None = None,
) -> RuleError | None:
    """One booked future appointment per person per specialty (a reschedule replaces it)."""
    if not policy.one_per_specialty:
        return None
    if any(a.specialty_id == slot.specialty_id and a.id != replacing for a in held):
        return RuleError(
            "specialty_already_booked",
            _("У пациента уже есть запись к этому специалисту. Перенесите или отмените её."),
        )
    return None


def overlap_refusal(
    slot: SlotFacts, held: Iterable[HeldAppointment], *, replacing: int | None = None
) -> RuleError | None:
    """No two appointments of one person overlap in time (half-open intervals)."""
    for appointment in held:
        if appointment.id == replacing:
            continue
        if appointment.start < slot.end and slot.start < appointment.end:
            return RuleError(
                "overlapping_appointment",
                _("В это время у пациента уже есть запись к другому врачу."),
            )
    return None


def no_show_refusal(no_shows_in_year: int, *, policy: BookingPolicy) -> RuleError | None:
    """Optional (off by default): after N no-shows in a year, only the registry books."""
    if policy.no_show_limit is not None and no_shows_in_year >= policy.no_show_limit:
        return RuleError(
            "booking_blocked",
            _(
                "Запись через портал приостановлена из-за неявок на приём. "
                "Запишитесь в регистратуре."
            ),
        )
    return None


def booking_refusal(
    slot: SlotFacts,
    patient: PatientFacts,
    *,
    held: Sequence[HeldAppointment],
    referral: ReferralFacts | None,
    no_shows_in_year: int,
    now: datetime,
    today: date,
    policy: BookingPolicy,
    by_registry: bool = False,
    replacing: int | None = None,
) -> RuleError | None:
    """Every booking rule in the order a patient would want to hear them.

    The registry books at any clinic's quota and past the no-show block, but not around the
    attachment, the referral or the patient's own calendar.
    """
    checks = (
        lambda: slot_refusal(slot, by_registry=by_registry),
        lambda: timing_refusal(slot, now=now, policy=policy),
        lambda: attachment_refusal(slot, patient),
        lambda: audience_refusal(
            slot.specialty_patients, patient.age, specialty_sex=slot.specialty_sex, sex=patient.sex
        ),
        lambda: None if by_registry else no_show_refusal(no_shows_in_year, policy=policy),
        lambda: referral_refusal(slot, referral, today=today, policy=policy),
        lambda: specialty_refusal(slot, held, policy=policy, replacing=replacing),
        lambda: overlap_refusal(slot, held, replacing=replacing),
    )
    for check in checks:
        if refusal := check():
            return refusal
    return None


def transition_refusal(current: str, target: str) -> RuleError | None:
    if target not in APPOINTMENT_TRANSITIONS.get(current, frozenset()):
        return RuleError(
            "status_change_not_allowed",
            _("Запись в этом состоянии нельзя перевести в выбранное."),
        )
    return None


def mark_refusal(*, current: str, target: str, start: datetime, now: datetime) -> RuleError | None:
    """The registry's mark: an allowed change; arrival or the visit not before the visit's
    day; a no-show only once the visit has started. `now` is in the city's time zone."""
    if refusal := transition_refusal(current, target):
        return refusal
    if target in (ARRIVED, FULFILLED) and start.astimezone(now.tzinfo).date() > now.date():
        return RuleError(
            "visit_in_future", _("Отметить приход или приём можно только в день приёма.")
        )
    if target == NOSHOW and start > now:
        return RuleError(
            "visit_not_started", _("Неявку можно отметить только после начала приёма.")
        )
    return None


def cancel_refusal(*, status: str, start: datetime, now: datetime) -> RuleError | None:
    """A booked appointment can be cancelled (or moved) until it starts."""
    if status != BOOKED:
        return RuleError("not_cancellable", _("Эту запись уже нельзя отменить."))
    if start <= now:
        return RuleError(
            "appointment_started", _("Приём уже начался: отменить или перенести его нельзя.")
        )
    return None


def no_show_due(*, end: datetime, now: datetime, grace: timedelta) -> bool:
    """A booked appointment with no visit marked becomes a no-show after its end + grace."""
    return now >= end + grace


def reminders_due(
    *, start: datetime, booked_at: datetime, now: datetime, hours_before: Sequence[int]
) -> int | None:
    """Which reminder is due now, as hours before the start, or None.

    Only the latest moment that has passed counts: a task that missed the 24-hour
    reminder sends the 2-hour one, not both. A moment already past when the patient booked
    is skipped: who books for tomorrow morning needs no "tomorrow" reminder.
    """
    due = None
    for hours in sorted(hours_before, reverse=True):
        moment = start - timedelta(hours=hours)
        if booked_at < moment <= now < start:
            due = hours
    return due


@dataclass(frozen=True)
class WorkingPattern:
    weekdays: frozenset[int]
    day_start: time
    day_end: time
    break_start: time | None
    break_end: time | None
    slot_minutes: int
    online_percent: int
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class PlannedSlot:
    start: datetime
    end: datetime
    online: bool


def works_on(pattern: WorkingPattern, day: date) -> bool:
    if day < pattern.valid_from or (pattern.valid_until and day > pattern.valid_until):
        return False
    return day.isoweekday() in pattern.weekdays


def slots_of_day(pattern: WorkingPattern, day: date, tz: ZoneInfo) -> list[PlannedSlot]:
    """The slots a pattern gives on one day, whole slots only, none across the break.

    The portal's quota is spread evenly through the day (with 75 %, every fourth slot
    stays with the registry) rather than giving the registry the evening.
    """
    if not works_on(pattern, day):
        return []
    length = timedelta(minutes=pattern.slot_minutes)
    stretches = [(pattern.day_start, pattern.day_end)]
    if pattern.break_start and pattern.break_end:
        stretches = [(pattern.day_start, pattern.break_start), (pattern.break_end, pattern.day_end)]
    planned = []
    for begin, finish in stretches:
        cursor = datetime.combine(day, begin, tzinfo=tz)
        stop = datetime.combine(day, finish, tzinfo=tz)
        while cursor + length <= stop:
            planned.append((cursor, cursor + length))
            cursor += length
    return [
        PlannedSlot(start, end, online=_within_quota(index, pattern.online_percent))
        for index, (start, end) in enumerate(planned)
    ]


def _within_quota(index: int, percent: int) -> bool:
    """Slot `index` is the portal's when the running share crosses a whole slot there."""
    return (index + 1) * percent // 100 > index * percent // 100
