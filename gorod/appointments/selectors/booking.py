"""Reads of booking: whom the actor books for, the free slots they see, their appointments.

Scoped to the actor: a person the actor may not act for, another family's appointment or
referral is "not found" (404), never "forbidden", so ids reveal nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, F, FilteredRelation, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.appointments import rules
from gorod.appointments.models import HOLDS_SLOT, Appointment, Referral, Schedule, Slot
from gorod.clinics.models import Attachment, PractitionerRole, Specialty
from gorod.clinics.selectors import Patient, patients_of
from gorod.core.clock import city_zone, local_now
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id

SERVICE_SLUG = "doctor-appointment"


def booking_policy() -> rules.BookingPolicy:
    """The city's booking settings as the rules take them."""
    return rules.BookingPolicy(
        horizon_days=settings.GOROD_HEALTH_HORIZON_DAYS,
        day_opens_at=time.fromisoformat(settings.GOROD_HEALTH_DAY_OPENS_AT),
        min_notice_minutes=settings.GOROD_HEALTH_MIN_NOTICE_MINUTES,
        one_per_specialty=settings.GOROD_HEALTH_ONE_PER_SPECIALTY,
        direct_specialties=settings.GOROD_HEALTH_DIRECT_SPECIALTIES,
        no_show_limit=settings.GOROD_HEALTH_NO_SHOW_LIMIT,
    )


def specialties_with_doctors(organisation_id: int, *, today: date) -> QuerySet[Specialty]:
    """The specialties a clinic has a working doctor of: an active role of an active doctor
    with a schedule that has not ended. Others would only ever show «нет мест»."""
    staffed = PractitionerRole.objects.filter(
        specialty=OuterRef("pk"),
        organisation_id=organisation_id,
        active=True,
        practitioner__active=True,
    ).filter(
        Exists(
            Schedule.objects.filter(role=OuterRef("pk")).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=today)
            )
        )
    )
    return Specialty.objects.filter(Exists(staffed))


def specialty_fits(specialty: Specialty, patient: Patient) -> bool:
    return rules.fits_patient(
        specialty.patients, specialty.patient_sex, age=patient.age_today, sex=patient.person.sex
    )


def specialties_for(patient: Patient, *, organisation_id: int) -> list[Specialty]:
    """What a patient is offered at their clinic: specialties it has doctors of and that
    see this patient (age, and sex where the specialty asks), each marked with whether it
    needs a referral. The booking service refuses the others (`specialty_not_for_patient`).
    """
    policy = booking_policy()
    chosen = []
    for specialty in specialties_with_doctors(organisation_id, today=local_now().date()):
        if specialty_fits(specialty, patient):
            specialty.needs_referral = rules.referral_required(specialty.code, policy)
            chosen.append(specialty)
    return chosen


def specialty_get(specialty_id: int) -> Specialty:
    specialty = (
        Specialty.objects.filter(pk=specialty_id).first() if valid_id(specialty_id) else None
    )
    if specialty is None:
        raise NotFound("specialty_not_found", _("Специальность не найдена."))
    return specialty


def bookable_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """From now to the end of the last open day, in the city's time zone."""
    now = local_now(now)
    last_day = rules.last_open_day(now, booking_policy())
    return now, datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=city_zone())


def open_until(window_end: datetime) -> date:
    """The last open day of a bookable window."""
    return (window_end - timedelta(days=1)).date()


def free_slots(
    *,
    organisation_id: int,
    specialty_id: int,
    day: date | None = None,
    after: datetime | None = None,
    limit: int | None = None,
    online_only: bool = True,
    now: datetime | None = None,
) -> QuerySet[Slot]:
    """Free slots of a specialty at a clinic within the horizon, soonest first.

    With `day`, only that day's; with `after`, only later ones (the alternatives offered
    when a chosen slot was taken). One index range scan (slot_free_by_specialty).
    """
    start, end = bookable_window(now)
    if after is not None:
        start = max(start, after)
    if day is not None:
        day_start = datetime.combine(day, time(0), tzinfo=city_zone())
        start, end = max(start, day_start), min(end, day_start + timedelta(days=1))
    slots = (
        Slot.objects.filter(
            organisation_id=organisation_id,
            specialty_id=specialty_id,
            status=Slot.Status.FREE,
            start__gt=start,
            start__lt=end,
        )
        .select_related("role__practitioner", "role__location")
        .order_by("start", "id")
    )
    if online_only:
        slots = slots.filter(online=True)
    return slots[:limit] if limit else slots


def alternatives_to(slot: Slot, *, now: datetime | None = None) -> list[Slot]:
    """The nearest free slots of the same specialty and clinic after a refused one."""
    return list(
        free_slots(
            organisation_id=slot.organisation_id,
            specialty_id=slot.specialty_id,
            after=max(slot.start, local_now(now)),
            limit=settings.GOROD_HEALTH_ALTERNATIVES,
            now=now,
        )
    )


def slot_get(slot_id: int) -> Slot:
    """A slot with what a booking's answer shows of it (its doctor, building, clinic)."""
    slot = (
        Slot.objects.filter(pk=slot_id)
        .select_related("specialty", "organisation", "role__practitioner", "role__location")
        .first()
        if valid_id(slot_id)
        else None
    )
    if slot is None:
        raise NotFound("slot_not_found", _("Такого времени приёма нет."), field="slot")
    return slot


def appointment_not_found() -> NotFound:
    return NotFound("appointment_not_found", _("Запись не найдена."))


# What a page or an answer shows of an appointment, read in the same query.
APPOINTMENT_DETAILS = (
    "person",
    "specialty",
    "organisation",
    "slot__role__practitioner",
    "slot__role__location",
    "referral",
)


def appointments_of(actor, *, person_ids: list[int] | None = None) -> QuerySet[Appointment]:
    """Appointments of the people the actor may see, newest first within each state."""
    visible = [patient.person.pk for patient in patients_of(actor)]
    if person_ids is not None:
        visible = [person_id for person_id in visible if person_id in person_ids]
    return (
        Appointment.objects.filter(person_id__in=visible)
        .select_related(*APPOINTMENT_DETAILS)
        .order_by("-start", "-id")
    )


def appointment_shown(appointment_id: int) -> Appointment:
    """An appointment a service has just written for the actor, with what its page shows."""
    return Appointment.objects.select_related(*APPOINTMENT_DETAILS).get(pk=appointment_id)


def upcoming_of(actor, *, now: datetime | None = None) -> QuerySet[Appointment]:
    return (
        appointments_of(actor)
        .filter(status=Appointment.Status.BOOKED, end__gt=now or timezone.now())
        .order_by("start", "id")
    )


def appointment_for(actor, appointment_id: int) -> Appointment:
    appointment = (
        appointments_of(actor).filter(pk=appointment_id).first()
        if valid_id(appointment_id)
        else None
    )
    if appointment is None:
        raise appointment_not_found()
    return appointment


def referrals_of(patient: Patient, *, today: date | None = None) -> QuerySet[Referral]:
    """A patient's referrals still valid, each with whether a live appointment uses it."""
    today = today or local_now().date()
    return (
        Referral.objects.filter(person=patient.person, valid_until__gte=today)
        .select_related("specialty")
        .order_by("valid_until", "id")
    )


def _holding(referral_id: int) -> QuerySet[Appointment]:
    """The appointments that use up a referral: a live one, or one that took place."""
    return Appointment.objects.filter(referral_id=referral_id, status__in=HOLDS_SLOT)


def referral_in_use(referral_id: int) -> bool:
    return _holding(referral_id).exists()


def referral_for(patient: Patient, referral_id: int) -> Referral:
    referral = (
        Referral.objects.filter(pk=referral_id, person=patient.person).first()
        if valid_id(referral_id)
        else None
    )
    if referral is None:
        raise NotFound("referral_not_found", _("Направление не найдено."), field="referral")
    return referral


# What the booking rules read of each of the patient's booked appointments.
BOOKED_COLUMNS = ("id", "start", "end", "specialty_id", "slot_id")


@dataclass(frozen=True)
class BookingFacts:
    """What a booking of one slot for one patient is checked against."""

    attached_organisation_id: int | None
    # The patient's booked appointments not yet over.
    held: list[rules.HeldAppointment]
    # The patient's own booked appointment of this slot: a retried request gets it back.
    replay_id: int | None
    referral_in_use: bool
    no_shows_in_year: int


def booking_facts(
    person_id: int,
    *,
    slot_id: int,
    referral_id: int | None,
    now: datetime,
    count_no_shows: bool,
) -> BookingFacts:
    """The facts of a booking in one statement, read under the patient's lock.

    The person's row joined with their booked appointments that are not over yet or are
    of this slot (one row each, or one row of nulls), and the current attachment, the
    referral's use and the year's no-shows as subqueries of it. Read after the lock, in a
    statement of its own: a statement's snapshot is taken before it waits for a lock.
    """
    booked = Q(appointments__status=Appointment.Status.BOOKED) & (
        Q(appointments__end__gt=now) | Q(appointments__slot_id=slot_id)
    )
    subqueries = {
        # One current attachment at most (attachment_one_current): nothing to sort.
        "attached": Subquery(
            Attachment.objects.filter(person=OuterRef("pk"), until__isnull=True)
            .order_by()
            .values("organisation_id")[:1]
        )
    }
    if referral_id is not None:
        subqueries["referral_in_use"] = Exists(_holding(referral_id))
    if count_no_shows:
        no_shows = Appointment.objects.filter(
            person=OuterRef("pk"),
            status=Appointment.Status.NOSHOW,
            start__gte=now - timedelta(days=365),
        )
        # COUNT without GROUP BY: one row, 0 when there are none.
        subqueries["no_shows"] = Subquery(
            no_shows.order_by().annotate(count=Func(F("pk"), function="COUNT")).values("count")
        )
    rows = list(
        Person.objects.filter(pk=person_id)
        .annotate(booked=FilteredRelation("appointments", condition=booked), **subqueries)
        .order_by("booked__start", "booked__id")
        .values(*subqueries, *(f"booked__{name}" for name in BOOKED_COLUMNS))
    )
    booked_rows = [row for row in rows if row["booked__id"] is not None]
    first = rows[0]  # the person's, locked: it is there
    return BookingFacts(
        attached_organisation_id=first["attached"],
        held=[
            rules.HeldAppointment(
                id=row["booked__id"],
                start=row["booked__start"],
                end=row["booked__end"],
                specialty_id=row["booked__specialty_id"],
            )
            for row in booked_rows
            if row["booked__end"] > now
        ],
        replay_id=next(
            (row["booked__id"] for row in booked_rows if row["booked__slot_id"] == slot_id), None
        ),
        referral_in_use=bool(first.get("referral_in_use")),
        no_shows_in_year=first.get("no_shows") or 0,
    )
