"""The demo city's clinics, doctors, slots and appointments.

Clinics are the city's real registry (data.mos.ru, 2013) when ../shared/data holds it,
imported as `gorod import clinics` would; otherwise four invented polyclinics, named
"Демонстрационная …" so nobody mistakes them for real ones. Everything else is invented:
the doctors carry made-up surnames (Примерова, Образцов, Условная…), the citizens are
"Демонстрационный/Демонстрационная" like housing's.

The registry has about 550 buildings; staffing all of them would make the demo slow and
the slot tables huge for nothing. Doctors, schedules and slots go only to the clinics the
demo family is attached to (an adult and a children's polyclinic, chosen by the seed)
and a few more (`EXTRA_CLINICS` of each kind) where the invented citizens are attached;
the other clinics are in the registry without doctors.

- Adult polyclinics: therapists, a GP, an ophthalmologist, a surgeon, an ENT, a
  cardiologist, a neurologist and an endocrinologist; children's: paediatricians and an
  ENT. Each works Monday to Friday, 08:00–20:00 with a break at 13:00; every third has
  the portal's quota at 75 % (the rest of the slots are the registry's).
- Slots are opened by the same service as the hourly task (`slots_open`), for the
  demo's doctors only: the booking horizon ahead, and `HISTORY_DAYS` back for the doctor
  login and the demo citizen's past visits.
- The demo citizen (demo@gorod.local) is attached to the adult clinic, her son Миша
  (under 15) and a 16-year-old daughter to the children's one; the daughter shows the
  refusal "from 15 the patient books alone". Her mother (housing's, found or made)
  delegated appointments to her. She holds a cardiologist's referral ready to book, a
  neurologist's one already used, a booked therapist visit, one for Миша and one for her
  mother, a fulfilled visit and a no-show in the past.
- registrar@gorod.local works at the demo citizen's clinic's desk; doctor@gorod.local is
  its first therapist, with a day of patients: today's earlier visits marked, later ones
  booked, and a week of history.
- Every booking goes through the booking services (`appointment_book` for the family,
  `appointment_book_by_registry` at the desk), so every rule holds; visits in the past
  are booked "as of" a moment before them (`now=`) and marked by the registrar
  (`appointment_mark`). Nothing is written as a raw appointment row.

The same seed, size and moment give the same data (ids aside).
"""

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from gorod.accounts.models import Person, User
from gorod.appointments.models import Appointment, Referral, Slot
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.services import booking
from gorod.clinics.models import (
    Organisation,
    PractitionerRole,
    Specialty,
)
from gorod.core import clock
from gorod.core.errors import DomainError
from gorod.demo.clinics import (
    ADULT_STAFF,
    BOOKED_SHARE,
    HISTORY_DAYS,
    HISTORY_GAPS,
    Clinics,
    Family,
    Invented,
)


def _referral(person: Person, code: str, issued_by: PractitionerRole, today: date) -> Referral:
    specialty = Specialty.objects.get(code=code)
    referral, _created = Referral.objects.get_or_create(
        number=f"ДЕМО-{person.pk}-{code}"[:32],
        defaults={
            "person": person,
            "specialty": specialty,
            "issued_by": issued_by,
            "issued_on": today - timedelta(days=3),
            "valid_until": today + timedelta(days=30),
            "diagnosis": "I10" if code == "cardiologist" else "G44.2",
            "note": _("Демонстрационное направление: выдано вымышленным врачом."),
        },
    )
    return referral


def _free(organisation: Organisation, code: str, *, now: datetime) -> list[Slot]:
    """Free slots of a specialty within the horizon, the registry's own included."""
    return list(
        selectors.free_slots(
            organisation_id=organisation.pk,
            specialty_id=Specialty.objects.get(code=code).pk,
            online_only=False,
            now=now,
        )
    )


def _pick(rng: random.Random, slots: list[Slot]) -> Slot:
    """One of the nearer portal slots, as a citizen would choose."""
    online = [slot for slot in slots if slot.online]
    return rng.choice(online[: max(1, len(online) // 3)])


def _day_at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=clock.city_zone())


def _bookings(
    rng: random.Random,
    *,
    citizen: User,
    family: Family,
    invented: Invented,
    clinics: Clinics,
    registrar: User,
    doctor_role: PractitionerRole,
    now: datetime,
) -> int:
    """The family's bookings through the portal, the desk's for invented people, and history."""
    today = now.date()
    made = 0

    def book(person: Person, slot: Slot, *, channel="web", referral=None, at=None) -> None:
        """The family's bookings: each must pass, or the demo is wrong (it fails whole)."""
        nonlocal made
        booking.appointment_book(
            actor=citizen,
            person_id=person.pk,
            slot_id=slot.pk,
            referral_id=referral.pk if referral else None,
            channel=channel,
            now=at or now,
        )
        made += 1

    def desk(person: Person, slot: Slot, *, at: datetime) -> Appointment | None:
        """A desk booking for an invented patient, who may be refused as anyone would be
        (already booked to that specialty, or busy at that time)."""
        nonlocal made
        try:
            appointment = booking.appointment_book_by_registry(
                actor=registrar, person_id=person.pk, slot_id=slot.pk, now=at
            )
        except DomainError:
            return None
        made += 1
        return appointment

    # History first: a fulfilled therapist visit and a missed ophthalmologist one.
    past = _day_at(_last_workday_before(today - timedelta(days=2)), 7)
    visited = _past_slot(doctor_role, day=past.date())
    if visited is not None:
        book(family.citizen, visited, at=past)
        _mark(registrar, family.citizen, visited, Appointment.Status.FULFILLED, now=now)
    missed_day = _day_at(_last_workday_before(today), 7)
    missed = _past_slot_of(clinics.adult, "ophthalmologist", day=missed_day.date())
    if missed is not None:
        book(family.citizen, missed, channel="mobile", at=missed_day)
        _mark(registrar, family.citizen, missed, Appointment.Status.NOSHOW, now=now)

    # The family's coming visits; the cardiologist's referral is left for her to use.
    _referral(family.citizen, "cardiologist", doctor_role, today)
    neurology = _referral(family.citizen, "neurologist", doctor_role, today)
    book(family.citizen, _pick(rng, _free(clinics.adult, "therapist", now=now)))
    book(
        family.citizen,
        _pick(rng, _free(clinics.adult, "neurologist", now=now)),
        referral=neurology,
    )
    book(
        family.child, _pick(rng, _free(clinics.children, "pediatrician", now=now)), channel="mobile"
    )
    book(family.mother, _pick(rng, _free(clinics.adult, "ophthalmologist", now=now)))

    # The doctor login's days: a week back and today, booked days ahead at the desk; the
    # visits that have begun are marked (a visit or a no-show), the later ones wait.
    for day in _days(today - timedelta(days=HISTORY_DAYS), today):
        booked_at = _day_at(day - timedelta(days=3), 9)
        people = [person for person, clinic in invented.adults if clinic == clinics.adult]
        for slot in _slots_of_day(doctor_role, day):
            if rng.random() < HISTORY_GAPS or not people:
                continue
            person = people.pop(rng.randrange(len(people)))
            appointment = desk(person, slot, at=booked_at)
            if appointment is not None and slot.start < now:
                status = rng.choices(
                    (Appointment.Status.FULFILLED, Appointment.Status.NOSHOW), weights=(85, 15)
                )[0]
                _mark(registrar, person, slot, status, now=now)

    # The desk's bookings for the coming days, at the family's clinic.
    specialties = [
        code for code, _count in ADULT_STAFF if code in settings.GOROD_HEALTH_DIRECT_SPECIALTIES
    ]
    free = {code: _free(clinics.adult, code, now=now) for code in specialties}
    for person, clinic in invented.adults:
        if clinic != clinics.adult or rng.random() >= BOOKED_SHARE:
            continue
        code = rng.choice(specialties)
        if free[code]:
            slot = free[code].pop(rng.randrange(min(len(free[code]), 40)))
            desk(person, slot, at=now)
    return made


def _last_workday_before(day: date) -> date:
    day -= timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _slots_of_day(role: PractitionerRole, day: date) -> list[Slot]:
    start = _day_at(day, 0)
    return list(
        Slot.objects.filter(
            role=role,
            status=Slot.Status.FREE,
            start__gte=start,
            start__lt=start + timedelta(days=1),
        ).order_by("start")
    )


def _past_slot(role: PractitionerRole, *, day: date) -> Slot | None:
    slots = _slots_of_day(role, day)
    return slots[len(slots) // 2] if slots else None


def _past_slot_of(organisation: Organisation, code: str, *, day: date) -> Slot | None:
    role = PractitionerRole.objects.filter(organisation=organisation, specialty__code=code).first()
    return _past_slot(role, day=day) if role is not None else None


def _mark(registrar: User, person: Person, slot: Slot, status: str, *, now: datetime) -> None:
    appointment = Appointment.objects.get(
        slot=slot, person=person, status=Appointment.Status.BOOKED
    )
    booking.appointment_mark(actor=registrar, appointment_id=appointment.pk, status=status, now=now)
