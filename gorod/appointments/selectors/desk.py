"""Reads of the clinic's staff: the registry's desk and the doctor's day.

Scoped like the citizens' reads: a clinic the registrar is not posted to, its appointment,
schedule or doctor is "not found" for them (404), and a login that is no doctor's has no
day view. Each page is a fixed number of queries whatever the length of the day.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.appointments.models import HOLDS_SLOT, Absence, Appointment, Referral, Schedule, Slot
from gorod.appointments.selectors import booking
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import Organisation, Practitioner, PractitionerRole, Specialty
from gorod.core import clock
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id


def clinic_not_found() -> NotFound:
    return NotFound("organisation_not_found", _("Поликлиника не найдена."))


def registrar_clinics(actor) -> list[Organisation]:
    """The clinics whose desk the actor works at, by name; empty for everyone else."""
    ids = clinic_selectors.registrar_organisation_ids(actor)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "id")) if ids else []


def clinic_for(actor, organisation_id: int) -> Organisation:
    """One of the registrar's clinics, or NotFound (another clinic's desk does not exist)."""
    if not valid_id(organisation_id) or not clinic_selectors.is_registrar_of(
        actor, organisation_id
    ):
        raise clinic_not_found()
    return Organisation.objects.get(pk=organisation_id)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A calendar day of the city, as the aware instants it runs between."""
    start = datetime.combine(day, time(0), tzinfo=clock.city_zone())
    return start, start + timedelta(days=1)


@dataclass
class DayFigures:
    booked: int = 0
    arrived: int = 0
    fulfilled: int = 0
    noshow: int = 0
    free_left: int = 0

    @property
    def total(self) -> int:
        return self.booked + self.arrived + self.fulfilled + self.noshow


def day_figures(organisation_ids: list[int], *, day: date, now: datetime) -> dict[int, DayFigures]:
    """Per clinic: the day's appointments by state and the free slots not yet begun.

    Two grouped counts for however many clinics and appointments.
    """
    start, end = day_bounds(day)
    figures = {organisation_id: DayFigures() for organisation_id in organisation_ids}
    rows = (
        Appointment.objects.filter(
            organisation_id__in=organisation_ids,
            start__gte=start,
            start__lt=end,
            status__in=[
                Appointment.Status.BOOKED,
                Appointment.Status.ARRIVED,
                Appointment.Status.FULFILLED,
                Appointment.Status.NOSHOW,
            ],
        )
        .values_list("organisation_id", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for organisation_id, status, count in rows:
        setattr(figures[organisation_id], status, count)
    free = (
        Slot.objects.filter(
            organisation_id__in=organisation_ids,
            status=Slot.Status.FREE,
            start__gte=max(start, now),
            start__lt=end,
        )
        .values_list("organisation_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    for organisation_id, count in free:
        figures[organisation_id].free_left = count
    return figures


def clinic_roles(organisation_id: int, *, active_only: bool = True) -> QuerySet[PractitionerRole]:
    roles = PractitionerRole.objects.filter(organisation_id=organisation_id).select_related(
        "practitioner", "specialty", "location"
    )
    if active_only:
        roles = roles.filter(active=True)
    return roles.order_by(
        "specialty__name", "practitioner__last_name", "practitioner__first_name", "id"
    )


@dataclass
class DoctorDay:
    """One doctor's role on a day: the appointments in time order and the free slots left."""

    role: PractitionerRole
    appointments: list[Appointment] = field(default_factory=list)
    free: int = 0


def _day_appointments(start: datetime, end: datetime) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(start__gte=start, start__lt=end, status__in=HOLDS_SLOT)
        .select_related("person", "specialty", "referral", "slot__role__location")
        .order_by("start", "id")
    )


def clinic_day(
    organisation_id: int, *, day: date, role_id: int | None = None, now: datetime
) -> list[DoctorDay]:
    """The day of each doctor of a clinic (or of one), with whoever is booked.

    Three queries: the roles, the appointments, the free slots counted per role. A doctor
    with neither appointments nor free slots that day is left out.
    """
    start, end = day_bounds(day)
    roles = clinic_roles(organisation_id, active_only=False)
    if role_id is not None:
        roles = roles.filter(pk=role_id)
    days = {role.pk: DoctorDay(role) for role in roles}
    appointments = _day_appointments(start, end).filter(organisation_id=organisation_id)
    free = Slot.objects.filter(
        organisation_id=organisation_id,
        status=Slot.Status.FREE,
        start__gte=max(start, now),
        start__lt=end,
    )
    if role_id is not None:
        appointments = appointments.filter(slot__role_id=role_id)
        free = free.filter(role_id=role_id)
    for appointment in appointments:
        doctor_day = days.get(appointment.slot.role_id)
        if doctor_day is not None:
            appointment.slot.role = doctor_day.role  # one role object, already loaded
            doctor_day.appointments.append(appointment)
    for role_id_, count in free.values_list("role_id").annotate(count=Count("id")).order_by():
        if role_id_ in days:
            days[role_id_].free = count
    return [
        doctor_day
        for doctor_day in days.values()
        if doctor_day.appointments or doctor_day.free or role_id is not None
    ]


def registry_appointment(actor, appointment_id: int) -> Appointment:
    """An appointment at one of the registrar's clinics; any other is not found."""
    clinics = clinic_selectors.registrar_organisation_ids(actor)
    appointment = (
        Appointment.objects.filter(pk=appointment_id, organisation_id__in=clinics).first()
        if clinics and valid_id(appointment_id)
        else None
    )
    if appointment is None:
        raise booking.appointment_not_found()
    return appointment


def person_get(person_id) -> Person | None:
    return Person.objects.filter(pk=person_id).first() if valid_id(person_id) else None


def patient_by_policy(*, oms_policy: str, birth_date: date) -> Person | None:
    """The person with this OMS policy number, if the birth date matches too.

    Both together are the patient's identity at the desk: a policy number alone (printed
    on many papers) finds nobody.
    """
    return Person.objects.filter(oms_policy=oms_policy, birth_date=birth_date).first()


@dataclass(frozen=True)
class DeskPatient:
    """A patient as the registry sees them before booking."""

    person: Person
    attached_here: bool
    attachment_name: str
    upcoming: list[Appointment]
    referrals: list[Referral]


def desk_patient(person: Person, *, organisation_id: int, now: datetime) -> DeskPatient:
    """The patient's attachment, booked appointments to come and usable referrals."""
    attachment = clinic_selectors.current_attachment(person.pk)
    upcoming = list(
        Appointment.objects.filter(person=person, status=Appointment.Status.BOOKED, end__gt=now)
        .select_related("specialty", "organisation", "slot__role__practitioner")
        .order_by("start", "id")
    )
    in_use = set(
        Appointment.objects.filter(
            person=person, referral__isnull=False, status__in=HOLDS_SLOT
        ).values_list("referral_id", flat=True)
    )
    referrals = [
        referral
        for referral in Referral.objects.filter(
            person=person, valid_until__gte=clock.local_now(now).date()
        )
        .select_related("specialty")
        .order_by("valid_until", "id")
        if referral.pk not in in_use
    ]
    return DeskPatient(
        person=person,
        attached_here=attachment is not None and attachment.organisation_id == organisation_id,
        attachment_name=attachment.organisation.name if attachment else "",
        upcoming=upcoming,
        referrals=referrals,
    )


def clinic_specialties(organisation_id: int) -> QuerySet[Specialty]:
    """The specialties the clinic's working doctors practise, by name."""
    return (
        Specialty.objects.filter(roles__organisation_id=organisation_id, roles__active=True)
        .distinct()
        .order_by("name", "id")
    )


def clinic_schedules(organisation_id: int, *, today: date) -> QuerySet[Schedule]:
    """The schedules in force or to come of the clinic's roles, by doctor."""
    return (
        Schedule.objects.filter(role__organisation_id=organisation_id)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("role__practitioner", "role__specialty", "role__location")
        .order_by("role__practitioner__last_name", "role_id", "valid_from", "id")
    )


def schedule_for(actor, schedule_id: int) -> Schedule:
    """A schedule of one of the registrar's clinics; any other is not found."""
    clinics = clinic_selectors.registrar_organisation_ids(actor)
    schedule = (
        Schedule.objects.filter(pk=schedule_id, role__organisation_id__in=clinics)
        .select_related("role__practitioner", "role__specialty", "role__organisation")
        .first()
        if clinics and valid_id(schedule_id)
        else None
    )
    if schedule is None:
        raise NotFound("schedule_not_found", _("Расписание не найдено."))
    return schedule


def clinic_absences(organisation_id: int, *, now: datetime) -> QuerySet[Absence]:
    """Absences not yet over of the clinic's doctors, soonest first."""
    return (
        Absence.objects.filter(role__organisation_id=organisation_id, ends_at__gt=now)
        .select_related("role__practitioner", "role__specialty")
        .order_by("starts_at", "id")
    )


def practitioner_of(actor) -> Practitioner | None:
    """The doctor whose login this is (working), or None."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return Practitioner.objects.filter(user=actor, active=True).first()


def doctor_day(practitioner: Practitioner, *, day: date) -> list[Appointment]:
    """The doctor's appointments of the day across their roles, in time order."""
    start, end = day_bounds(day)
    return list(
        _day_appointments(start, end)
        .filter(slot__role__practitioner=practitioner)
        .select_related("organisation", "referral__specialty")
    )
