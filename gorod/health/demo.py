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
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Delegation, Guardianship, Person, Sex, User
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER
from gorod.accounts.services import child_add
from gorod.analytics.services import usage_paused
from gorod.core.errors import DomainError
from gorod.health import rules
from gorod.health.demo_record import record_demo
from gorod.health.importers import import_clinics
from gorod.health.models import (
    Appointment,
    Attachment,
    Location,
    Organisation,
    Practitioner,
    PractitionerRole,
    Referral,
    RegistrarPost,
    Schedule,
    Slot,
    Specialty,
    SupervisorPost,
)
from gorod.health.selectors import booking as selectors
from gorod.health.services import booking, scheduling
from gorod.housing.demo import FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES

# The demo's name lists are keyed by "m" and "f".
SEXES = {"m": Sex.MALE, "f": Sex.FEMALE}

REGISTRY_FILE = (
    Path(settings.PROJECT_DIR).parent / "shared" / "data" / "moscow_medical_organisations_2013.csv"
)
# Invented citizens attached to the staffed clinics (the demo family comes on top).
DEFAULT_PATIENTS = 300
# Staffed clinics of each kind besides the demo family's.
EXTRA_CLINICS = 2
# Days of past slots and visits for the doctor login and the demo citizen.
HISTORY_DAYS = 7
CHILD_SHARE = 0.25
# Share of invented adults at the demo clinic with a visit booked at its desk.
BOOKED_SHARE = 0.4
# Share of the doctor login's past slots nobody booked.
HISTORY_GAPS = 0.5
DEMO_REGISTRAR = "registrar@gorod.local"
DEMO_DOCTOR = "doctor@gorod.local"
DEMO_SUPERVISOR = "supervisor@gorod.local"

ADULT_STAFF = (
    ("therapist", 3),
    ("gp", 1),
    ("ophthalmologist", 1),
    ("surgeon", 1),
    ("ent", 1),
    ("cardiologist", 1),
    ("neurologist", 1),
    ("endocrinologist", 1),
)
CHILDREN_STAFF = (("pediatrician", 3), ("ent", 1))
WORKDAYS = "1,2,3,4,5"
DAY_START, DAY_END = time(8, 0), time(20, 0)
BREAK_START, BREAK_END = time(13, 0), time(14, 0)
REGISTRY_QUOTA = 75

# Invented surnames, masculine and feminine: no real doctor is named.
DOCTOR_SURNAMES = (
    ("Примеров", "Примерова"),
    ("Образцов", "Образцова"),
    ("Условный", "Условная"),
    ("Макетов", "Макетова"),
    ("Пробнов", "Пробнова"),
    ("Учебнов", "Учебнова"),
    ("Вымыслов", "Вымыслова"),
    ("Модельный", "Модельная"),
    ("Шаблонов", "Шаблонова"),
    ("Эскизов", "Эскизова"),
)
INVENTED_CLINICS = (
    # registry code, name, kind, okrug, buildings (code suffix, name suffix, address)
    (
        "demo-1",
        "Демонстрационная городская поликлиника № 1",
        Organisation.Kind.ADULT_POLYCLINIC,
        "ЦАО",
        (
            ("", "", "Москва, ул. Демонстрационная, д. 7", ("55.757300", "37.615200")),
            ("-1", " филиал № 1", "Москва, Примерный пр-д, д. 3", ("55.764100", "37.631800")),
        ),
    ),
    (
        "demo-2",
        "Демонстрационная городская поликлиника № 2",
        Organisation.Kind.ADULT_POLYCLINIC,
        "САО",
        (("", "", "Москва, ул. Условная, д. 12", ("55.835400", "37.528900")),),
    ),
    (
        "demo-3",
        "Демонстрационная детская поликлиника № 1",
        Organisation.Kind.CHILDREN_POLYCLINIC,
        "ЦАО",
        (("", "", "Москва, Образцовый пер., д. 5", ("55.760900", "37.622700")),),
    ),
    (
        "demo-4",
        "Демонстрационная детская поликлиника № 2",
        Organisation.Kind.CHILDREN_POLYCLINIC,
        "САО",
        (("", "", "Москва, Вымышленный б-р, д. 9", ("55.838100", "37.522400")),),
    ),
)


@dataclass(frozen=True)
class HealthDemo:
    seed: int
    # Whether the clinics came from the city's registry file (else invented ones).
    imported: bool
    organisations: int
    staffed: int
    practitioners: int
    slots: int
    patients: int
    appointments: int
    # Logins made now, with their passwords and what to try, for var/demo-credentials.txt.
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Clinics:
    adult: Organisation
    children: Organisation
    others: list[Organisation]

    @property
    def all(self) -> list[Organisation]:
        return [self.adult, self.children, *self.others]


def health_demo(
    *,
    citizen: User,
    seed: int,
    patients: int = DEFAULT_PATIENTS,
    registry: Path | None = REGISTRY_FILE,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HealthDemo:
    """Clinics, doctors, slots, attached citizens and bookings; all or nothing."""
    rng = random.Random(seed)  # noqa: S311 — invented data, not a secret
    now = selectors.local_now(now or timezone.now())
    steps = 6

    def step(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    with transaction.atomic():
        imported = _clinics(registry)
        step(1)
        clinics = _choose(rng, citizen)
        roles = _staff(rng, clinics, today=now.date())
        step(2)
        credentials, registrar, doctor_role = _logins(clinics, roles)
        step(3)
        slots = _open_slots(roles, doctor_role, now=now)
        step(4)
        family = _family(citizen, clinics, now=now)
        invented = _invented(rng, clinics, patients, today=now.date())
        step(5)
        # Invented visits are not uses of the portal: the demo's year of usage is
        # generated on its own (gorod/analytics/demo.py), as housing's readings are not
        # counted either.
        with usage_paused():
            appointments = _bookings(
                rng,
                citizen=citizen,
                family=family,
                invented=invented,
                clinics=clinics,
                registrar=registrar,
                doctor_role=doctor_role,
                now=now,
            )
            # Years of medical records behind the visits (gorod/health/demo_record.py).
            record_demo(
                seed=seed,
                citizen=citizen,
                family=family,
                invented=invented,
                clinics=clinics,
                now=now,
            )
        step(6)
    return HealthDemo(
        seed=seed,
        imported=imported,
        organisations=Organisation.objects.count(),
        staffed=len(clinics.all),
        practitioners=len(roles),
        slots=slots,
        patients=len(invented.adults) + len(invented.children),
        appointments=appointments,
        credentials=credentials,
    )


# --- Clinics --------------------------------------------------------------------------


def _clinics(registry: Path | None) -> bool:
    """The city's registry when the file is there, else the invented polyclinics."""
    if registry is not None and registry.exists():
        report = import_clinics(registry)
        if report.problems:
            first = report.problems[0]
            raise DomainError(
                "demo_registry_invalid",
                _("Реестр %(path)s не загружен: строка %(line)d: %(message)s")
                % {"path": registry, "line": first.line, "message": first.message},
            )
        return True
    for code, name, kind, district, buildings in INVENTED_CLINICS:
        organisation, _created = Organisation.objects.get_or_create(
            registry_code=code, defaults={"name": name, "kind": kind, "district": district}
        )
        for suffix, name_suffix, address, (latitude, longitude) in buildings:
            Location.objects.get_or_create(
                registry_code=code + suffix,
                defaults={
                    "organisation": organisation,
                    "name": name + name_suffix,
                    "address": address,
                    "latitude": Decimal(latitude),
                    "longitude": Decimal(longitude),
                },
            )
    return False


def _choose(rng: random.Random, citizen: User) -> Clinics:
    """The family's clinics (the adult one with branches, if any) and a few more."""
    current = selectors.current_attachment(citizen.person.pk)

    def candidates(kind: str) -> list[Organisation]:
        return list(
            Organisation.objects.filter(kind=kind, active=True)
            .annotate(buildings=Count("locations"))
            .filter(buildings__gt=0)
            .order_by("registry_code")
        )

    adults = candidates(Organisation.Kind.ADULT_POLYCLINIC)
    children = candidates(Organisation.Kind.CHILDREN_POLYCLINIC)
    if not adults or not children:
        raise DomainError(
            "demo_no_polyclinics",
            _(
                "В реестре нет взрослых или детских поликлиник: демонстрационным врачам "
                "негде работать."
            ),
        )
    if current is not None and current.organisation in adults:
        adult = current.organisation
    else:
        adult = rng.choice([clinic for clinic in adults if clinic.buildings > 1] or adults)
    nearby = [clinic for clinic in children if clinic.district == adult.district]
    child_clinic = rng.choice(nearby or children)
    others = rng.sample(
        [clinic for clinic in adults if clinic != adult], min(EXTRA_CLINICS, len(adults) - 1)
    ) + rng.sample(
        [clinic for clinic in children if clinic != child_clinic],
        min(EXTRA_CLINICS, len(children) - 1),
    )
    return Clinics(adult, child_clinic, others)


def _doctor(rng: random.Random) -> Practitioner:
    sex = rng.choice("mf")
    surname = rng.choice(DOCTOR_SURNAMES)[0 if sex == "m" else 1]
    return Practitioner(
        last_name=surname,
        first_name=rng.choice(FIRST_NAMES[sex]),
        middle_name=rng.choice(MIDDLE_NAMES[sex]),
    )


def _staff(rng: random.Random, clinics: Clinics, *, today: date) -> list[PractitionerRole]:
    """Doctors, their roles (spread over the clinic's buildings) and weekday schedules."""
    specialties = {specialty.code: specialty for specialty in Specialty.objects.all()}
    practitioners, roles, schedules = [], [], []
    for clinic in clinics.all:
        plan = ADULT_STAFF if clinic.kind == Organisation.Kind.ADULT_POLYCLINIC else CHILDREN_STAFF
        buildings = list(clinic.locations.order_by("registry_code"))
        room = 100
        for code, count in plan:
            specialty = specialties[code]
            for index in range(count):
                room += 1
                practitioner = _doctor(rng)
                role = PractitionerRole(
                    practitioner=practitioner,
                    organisation=clinic,
                    location=buildings[index % len(buildings)],
                    specialty=specialty,
                    room=str(room),
                )
                practitioners.append(practitioner)
                roles.append(role)
                schedules.append(
                    Schedule(
                        role=role,
                        valid_from=today - timedelta(days=HISTORY_DAYS),
                        weekdays=WORKDAYS,
                        day_start=DAY_START,
                        day_end=DAY_END,
                        break_start=BREAK_START,
                        break_end=BREAK_END,
                        slot_minutes=specialty.slot_minutes,
                        online_percent=REGISTRY_QUOTA if len(roles) % 3 == 0 else 100,
                    )
                )
    Practitioner.objects.bulk_create(practitioners)
    PractitionerRole.objects.bulk_create(roles)
    Schedule.objects.bulk_create(schedules)
    return roles


def _staff_login(
    email: str, group: str, hint: str, credentials: list[tuple[str, str, str]]
) -> User:
    """A staff login in its role's group; a new one's password goes to `credentials`."""
    user = User.objects.filter(email=email).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(email, password, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        credentials.append((email, password, hint))
    return user


def _logins(clinics: Clinics, roles: list[PractitionerRole]):
    """The registrar at the family clinic's desk, its first therapist's login and the
    supervisor who reviews its doctors' emergency looks."""
    credentials: list[tuple[str, str, str]] = []
    registrar = _staff_login(
        DEMO_REGISTRAR,
        "registrar",
        _("стойка регистратуры: день врачей, запись пациентов, расписания: /health/staff/"),
        credentials,
    )
    RegistrarPost.objects.get_or_create(user=registrar, organisation=clinics.adult)
    supervisor = _staff_login(
        DEMO_SUPERVISOR,
        "health_supervisor",
        _("разбор экстренных доступов врачей к медкартам: /health/staff/emergency/reviews/"),
        credentials,
    )
    SupervisorPost.objects.get_or_create(user=supervisor, organisation=clinics.adult)
    doctor_role = next(
        role
        for role in roles
        if role.organisation == clinics.adult and role.specialty.code == "therapist"
    )
    doctor = _staff_login(
        DEMO_DOCTOR,
        "doctor",
        _("приём врача: пациенты дня, протокол приёма, медкарта пациента: /health/staff/doctor/"),
        credentials,
    )
    if not Practitioner.objects.filter(user=doctor).exists():
        Practitioner.objects.filter(pk=doctor_role.practitioner_id).update(user=doctor)
    return credentials, registrar, doctor_role


def _open_slots(roles: list[PractitionerRole], doctor_role: PractitionerRole, *, now) -> int:
    """The horizon for every demo doctor; a week back for the doctor login's clinic.

    The generator skips times before its `now`: run as of a week ago through today, it
    gives the days the history is booked in.
    """
    adult_clinic = doctor_role.organisation_id
    past = scheduling.slots_open(
        now=now - timedelta(days=HISTORY_DAYS),
        through=now.date(),
        role_ids=[role.pk for role in roles if role.organisation_id == adult_clinic],
    )
    ahead = scheduling.slots_open(now=now, role_ids=[role.pk for role in roles])
    return past.created + ahead.created


# --- People ---------------------------------------------------------------------------


@dataclass
class Family:
    citizen: Person
    child: Person
    teen: Person
    mother: Person


def _years_ago(day: date, years: int, days: int = 0) -> date:
    try:
        born = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        born = day.replace(year=day.year - years, day=28)
    return born - timedelta(days=days)


def _attach(person: Person, organisation: Organisation, since: date) -> None:
    if selectors.current_attachment(person.pk) is None:
        Attachment.objects.create(person=person, organisation=organisation, since=since)


def _family(citizen: User, clinics: Clinics, *, now: datetime) -> Family:
    """The demo citizen, a child under 15, a teen over 15 and her mother, all attached."""
    today = now.date()
    me = citizen.person
    age_limit = GUARDIAN_REPRESENTS_UNDER
    guardianships = Guardianship.objects.filter(guardian=me).select_related("child")
    wards = [guardianship.child for guardianship in guardianships.order_by("id")]

    def ward(young: bool, sex: str, first_name: str, middle_name: str, born: date) -> Person:
        for child in wards:
            if (rules.age_on(child.birth_date, today) < age_limit) == young:
                return child
        child = child_add(
            actor=citizen,
            guardian=me,
            last_name=LAST_NAMES[sex],
            first_name=first_name,
            middle_name=middle_name,
            birth_date=born,
            kind=Guardianship.Kind.PARENT,
        ).child
        # The city's registry knows a child's sex; the parent's form does not ask it.
        child.sex = SEXES[sex]
        child.save(update_fields=["sex"])
        return child

    child = ward(True, "m", "Миша", "Андреевич", _years_ago(today, 9, 40))
    teen = ward(False, "f", "Катя", "Андреевна", _years_ago(today, age_limit + 1, 75))
    # Her mother, from the housing demo if it ran; she gave her daughter the right to book.
    mother, _created = Person.objects.get_or_create(
        last_name=LAST_NAMES["f"],
        first_name="Галина",
        middle_name="Петровна",
        birth_date=date(1961, 2, 17),
        user=None,
        defaults={"sex": Sex.FEMALE},
    )
    if not Delegation.objects.filter(principal=mother, delegate=me).exists():
        Delegation.objects.create(
            principal=mother,
            delegate=me,
            scopes=[Delegation.Scope.APPOINTMENTS.value, Delegation.Scope.RECORD.value],
            confirmed_at=now - timedelta(days=30),
        )
    since = _years_ago(today, 3)
    _attach(me, clinics.adult, since)
    _attach(mother, clinics.adult, since)
    _attach(child, clinics.children, since)
    _attach(teen, clinics.children, since)
    return Family(me, child, teen, mother)


@dataclass
class Invented:
    # (person, organisation) of the invented adults and children.
    adults: list[tuple[Person, Organisation]]
    children: list[tuple[Person, Organisation]]


def _invented(rng: random.Random, clinics: Clinics, count: int, *, today: date) -> Invented:
    """Invented citizens attached to the staffed clinics; children with a parent among them.

    Half of the adults go to the demo family's clinic, whose desk and doctor logins show them.
    """
    adult_clinics = [clinics.adult] + [
        clinic for clinic in clinics.others if clinic.kind == Organisation.Kind.ADULT_POLYCLINIC
    ]
    children_clinics = [clinics.children] + [
        clinic for clinic in clinics.others if clinic.kind == Organisation.Kind.CHILDREN_POLYCLINIC
    ]

    def person(youngest: int, oldest: int) -> Person:
        sex = rng.choice("mf")
        return Person(
            last_name=LAST_NAMES[sex],
            first_name=rng.choice(FIRST_NAMES[sex]),
            middle_name=rng.choice(MIDDLE_NAMES[sex]),
            birth_date=_years_ago(today, rng.randint(youngest, oldest), rng.randint(0, 364)),
            sex=SEXES[sex],
        )

    children_count = round(count * CHILD_SHARE)
    adults = [
        (person(19, 85), clinics.adult if rng.random() < 0.5 else rng.choice(adult_clinics))
        for _number in range(count - children_count)
    ]
    children = [(person(0, 13), rng.choice(children_clinics)) for _number in range(children_count)]
    Person.objects.bulk_create([person for person, _clinic in adults + children])
    parents = [person for person, _clinic in adults if rules.age_on(person.birth_date, today) < 50]
    Guardianship.objects.bulk_create(
        [
            Guardianship(
                guardian=rng.choice(parents or [person for person, _clinic in adults]),
                child=child,
                kind=Guardianship.Kind.PARENT,
                verified_at=timezone.now(),
            )
            for child, _clinic in children
        ]
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                person=person,
                organisation=clinic,
                since=today - timedelta(days=rng.randint(30, 5 * 365)),
            )
            for person, clinic in adults + children
        ]
    )
    return Invented(adults, children)


# --- Referrals and bookings -----------------------------------------------------------


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
    return datetime.combine(day, time(hour, 0), tzinfo=selectors.city_zone())


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
