"""The demo's clinics, doctors, staff logins and people (families attached to a polyclinic)."""

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Delegation, Guardianship, Person, Sex, User
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER
from gorod.accounts.services import child_add
from gorod.appointments.models import Schedule
from gorod.appointments.services import scheduling
from gorod.clinics import rules as clinic_rules
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.importers import import_clinics
from gorod.clinics.models import (
    Attachment,
    Location,
    Organisation,
    Practitioner,
    PractitionerRole,
    RegistrarPost,
    Specialty,
)
from gorod.core.errors import DomainError
from gorod.demo.housing import FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES
from gorod.medrecord.models.oversight import SupervisorPost

# The demo's name lists are keyed by "m" and "f".
SEXES = {"m": Sex.MALE, "f": Sex.FEMALE}

REGISTRY_FILE = settings.SHARED_DATA_DIR / "moscow_medical_organisations_2013.csv"


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


@dataclass
class Clinics:
    adult: Organisation
    children: Organisation
    others: list[Organisation]

    @property
    def all(self) -> list[Organisation]:
        return [self.adult, self.children, *self.others]


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
    current = clinic_selectors.current_attachment(citizen.person.pk)

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
    if clinic_selectors.current_attachment(person.pk) is None:
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
            if (clinic_rules.age_on(child.birth_date, today) < age_limit) == young:
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
    parents = [
        person for person, _clinic in adults if clinic_rules.age_on(person.birth_date, today) < 50
    ]
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
