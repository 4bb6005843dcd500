"""The 08:00 rush of doctor appointments, a part of `make bench` (`bench/run.py --only health`).

At 08:00 a new day of the booking horizon opens and thousands of signed-in citizens list
the same few doctors' free slots and book them. Here four bench polyclinics, each with two
district therapists, two GPs and an ophthalmologist working Monday to Saturday,
08:00–20:00 with a break at 13:00, get the horizon's slots from the scheduling service
(`slots_open`, as the hourly task opens them): about 10,000 slots. 2,000 citizens (by
default), each attached to one of the clinics and holding a personal API token, are
written straight into the benchmark's database (after `gorod demo`, whose clinics and
patients fill the tables around them). Then wrk (bench/rush_mix.lua) loads the production
server over loopback, each request as a citizen picked at random:

- *mix*: the rush, 80 % listing a day's free slots and 20 % booking;
- *book*: bookings only, each of a slot of the citizen's clinic and specialty as set up:
  half of them one of the soonest few (what most people want, so bookings race for them),
  the others any. One already taken answers 409 `slot_taken` (with the nearest free ones),
  counted apart from the bookings;
- *list*: `GET /api/v1/health/clinics/{id}/slots?specialty=&date=` (the citizen's clinic's
  board, kept for two seconds; the token is sent as a signed-in app would) for a specialty and a
  day of the horizon picked at random.

Why these numbers: 20 doctors × about 12 working days × 36–46 slots give about 10,000
slots, some 500 per clinic, specialty and day-group a citizen books in; a 4 s run books at
most a few thousand, so a booking finds a free slot most of the time and meets a taken one
often enough that the race is really run. Each citizen books each of the three specialties
at most once per run (the script deals (citizen, specialty) tickets, and puts one
citizen's specialties on different days, so no booking is refused as a second one in the
specialty or an overlap): 6,000 tickets a run. After each run the bench checks the
database (below), then cancels the run's appointments as their patients would, so every
run starts from the same free slots.

Each kind runs right after a short /healthz run, and its rps is reported as a ratio to
that neighbour, as in the rest of the bench. Every answer must be a listing (200), a
booking (201) or `slot_taken` (409); anything else fails the run. After every run the
database must hold: no slot with two appointments that hold it, every busy bench slot with
exactly one booked appointment and every booked one's slot busy, no person with two booked
appointments in one specialty or two that overlap, and at least as many new appointments
as wrk counted 201 answers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from housing import Costs, _statement, post
from run import (
    BENCH_DIR,
    BenchError,
    CpuMeter,
    Endpoint,
    Row,
    Server,
    Wrk,
    WrkResult,
    _load_note,
    code_version,
    command_line,
    django_setup,
    fetch,
    free_port,
    load_summary,
    say,
    script_counts,
)

from gorod.appointments import rules
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.services import booking as services

SCRIPT = BENCH_DIR / "rush_mix.lua"
HEALTH_API = "/api/v1/health"
BOOK_API = f"{HEALTH_API}/appointments"
CITIZENS = 2000
CLINICS = 4
# Doctors of each clinic: (specialty code, how many). The order is the script's K.
STAFF = (("therapist", 2), ("gp", 2), ("ophthalmologist", 1))
WEEKDAYS = "1,2,3,4,5,6"
HOURS = (dt.time(8), dt.time(20))
BREAK = (dt.time(13), dt.time(14))
# One citizen's specialties fall on different days: day number modulo this.
DAY_GROUPS = 3
# The targets on a 2-core machine with PostgreSQL.
TARGET_LIST_RPS = 1000
TARGET_BOOKINGS = 300
TARGET_P99_MS = 250
# Calls of each kind timed in this process after the load (a tenth with --quick).
COST_CALLS = 500
# Registry codes of the bench's clinics; the demo's and the registry's never start so.
REGISTRY_PREFIX = "BENCH-RUSH-"
EMAIL_PREFIX = "bench-health-"

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")
KINDS = {
    "mix": Endpoint(
        "mix",
        f"{HEALTH_API}/clinics/{{id}}/slots + {BOOK_API}",
        "80 % list a day's free slots, 20 % book one",
        counted_errors=True,
    ),
    "book": Endpoint(
        "book",
        f"POST {BOOK_API}",
        "book a slot picked at random (taken ones: 409 slot_taken)",
        counted_errors=True,
    ),
    "list": Endpoint(
        "list",
        f"GET {HEALTH_API}/clinics/{{id}}/slots?specialty=&date=",
        "a day's free slots of a specialty at my clinic",
    ),
}
# What rush_mix.lua counts, as the tables name it.
COUNTED = {"booked": "bookings/s", "taken": "slot_taken/s", "listed": "listings/s"}


@dataclass
class Citizen:
    token: str
    person_id: int
    clinic: int  # index into Plan.organisations


@dataclass
class Plan:
    """What the setup wrote: the script's plan file holds the same."""

    organisations: list[int]
    specialties: list[int]  # ids, in STAFF order
    days: list[dt.date]  # listed: today to the last open day
    citizens: list[Citizen]
    # Bookable slot ids (tomorrow to the last open day) by (clinic, specialty, day group).
    slots: dict[tuple[int, int, int], list[int]]
    doctors: int
    opened: int  # slots slots_open created


@dataclass
class HealthResult:
    plan: Plan
    setup_s: float
    rows: dict[str, Row]
    # Per run of each kind: what rush_mix.lua counted.
    counts: dict[str, list[dict[str, int]]]
    stored: int  # appointments of the bench's citizens the database holds after the load
    answered: int  # 201 answers counted (wrk and the first check)
    checks: int  # times the database was checked
    costs: Costs
    rows_listed: float  # slots a day's listing shows on average

    def per_second(self, kind: str, name: str) -> float:
        return statistics.median(
            counts.get(name, 0) / run.seconds
            for counts, run in zip(self.counts[kind], self.rows[kind].runs, strict=True)
        )


def day_group(day: dt.date, first: dt.date) -> int:
    return (day - first).days % DAY_GROUPS


def ticket_group(citizen: int, specialty: int) -> int:
    """The day group citizen number `citizen` books specialty number `specialty` in."""
    return (specialty - citizen) % DAY_GROUPS


# --- setup ---------------------------------------------------------------------------


def prepare_clinics() -> tuple[list[int], list[int], list[int]]:
    """Four polyclinics with a building, doctors, their roles and schedules.

    Written in bulk: the setup is not what is measured. Returns the organisations, the
    specialties (STAFF order) and the roles.
    """
    from django.db import transaction

    from gorod.appointments.models import Schedule
    from gorod.clinics.models import (
        Location,
        Organisation,
        Practitioner,
        PractitionerRole,
        Specialty,
    )

    if Organisation.objects.filter(registry_code__startswith=REGISTRY_PREFIX).exists():
        raise BenchError("the benchmark database already holds the rush bench's clinics")
    codes = [code for code, _count in STAFF]
    by_code = dict(Specialty.objects.filter(code__in=codes).values_list("code", "pk"))
    if len(by_code) != len(codes):
        raise BenchError(f"specialties missing from the database: {set(codes) - set(by_code)}")
    today = selectors.local_now().date()
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                registry_code=f"{REGISTRY_PREFIX}{n + 1}",
                name=f"Нагрузочная городская поликлиника № {n + 1}",
                kind=Organisation.Kind.ADULT_POLYCLINIC,
                district="ЦАО",
                phone="+7 495 000-00-00",
            )
            for n in range(CLINICS)
        )
        locations = Location.objects.bulk_create(
            Location(
                organisation=organisation,
                registry_code=f"{REGISTRY_PREFIX}{n + 1}-1",
                name=organisation.name,
                address=f"Москва, Нагрузочная ул., д. {n + 1}",
            )
            for n, organisation in enumerate(organisations)
        )
        posts = [
            (organisation, location, code, number)
            for organisation, location in zip(organisations, locations, strict=True)
            for code, count in STAFF
            for number in range(count)
        ]
        doctors = Practitioner.objects.bulk_create(
            Practitioner(last_name="Нагрузочный", first_name="Врач", middle_name=f"№ {n + 1}")
            for n in range(len(posts))
        )
        roles = PractitionerRole.objects.bulk_create(
            PractitionerRole(
                practitioner=doctor,
                organisation=organisation,
                location=location,
                specialty_id=by_code[code],
                room=str(100 + n),
            )
            for n, (doctor, (organisation, location, code, _number)) in enumerate(
                zip(doctors, posts, strict=True)
            )
        )
        minutes = dict(Specialty.objects.filter(code__in=codes).values_list("code", "slot_minutes"))
        Schedule.objects.bulk_create(
            Schedule(
                role=role,
                valid_from=today,
                weekdays=WEEKDAYS,
                day_start=HOURS[0],
                day_end=HOURS[1],
                break_start=BREAK[0],
                break_end=BREAK[1],
                slot_minutes=minutes[code],
                online_percent=100,
            )
            for role, (_organisation, _location, code, _number) in zip(roles, posts, strict=True)
        )
    return (
        [organisation.pk for organisation in organisations],
        [by_code[code] for code in codes],
        [role.pk for role in roles],
    )


def prepare_citizens(count: int, organisations: list[int]) -> list[Citizen]:
    """`count` adults, each attached to a clinic in turn, with a personal API token.

    Tokens are stored as `api_token_create` stores them (the hash of the secret), so the
    server authenticates them as it would any other.
    """
    from django.db import transaction
    from django.utils import timezone

    from gorod.accounts.models import ApiToken, Person, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.clinics.models import Attachment

    if User.objects.filter(email__startswith=EMAIL_PREFIX).exists():
        raise BenchError("the benchmark database already holds the rush bench's citizens")
    citizens = []
    with transaction.atomic():
        users = [User(email=f"{EMAIL_PREFIX}{n:05d}@gorod.local") for n in range(count)]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        people = Person.objects.bulk_create(
            Person(
                user=user,
                last_name="Нагрузочная",
                first_name="Пациентка",
                middle_name=f"№ {n}",
                birth_date=dt.date(1970 + n % 30, n % 12 + 1, n % 28 + 1),
            )
            for n, user in enumerate(users)
        )
        Attachment.objects.bulk_create(
            Attachment(
                person=person,
                organisation_id=organisations[n % len(organisations)],
                since=dt.date(2020, 1, 1),
            )
            for n, person in enumerate(people)
        )
        tokens = []
        for n, (user, person) in enumerate(zip(users, people, strict=True)):
            prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(user=user, name="bench", prefix=prefix, secret_hash=_hash_secret(secret))
            )
            citizens.append(
                Citizen(f"{API_TOKEN_PREFIX}_{prefix}_{secret}", person.pk, n % len(organisations))
            )
        ApiToken.objects.bulk_create(tokens)
        # Signed in "just now": the server does not write last_used_at on the first request.
        ApiToken.objects.filter(user__in=users).update(last_used_at=timezone.now())
    return citizens


def prepare(count: int, path: Path) -> Plan:
    """The clinics, their slots for the horizon and the citizens; the script's plan file."""
    from gorod.appointments.models import Slot
    from gorod.appointments.services.scheduling import slots_open

    organisations, specialties, roles = prepare_clinics()
    now = selectors.local_now()
    opened = slots_open(now=now, role_ids=roles)
    last_day = rules.last_open_day(now, selectors.booking_policy())
    today = now.date()
    tomorrow = today + dt.timedelta(days=1)
    days = [today + dt.timedelta(days=n) for n in range((last_day - today).days + 1)]
    clinic_of = {pk: n for n, pk in enumerate(organisations)}
    specialty_of = {pk: n for n, pk in enumerate(specialties)}
    zone = selectors.city_zone()
    slots: dict[tuple[int, int, int], list[int]] = {}
    for pk, organisation_id, specialty_id, start in (
        Slot.objects.filter(role_id__in=roles, status=Slot.Status.FREE, online=True, start__gte=now)
        .order_by("start", "pk")
        .values_list("pk", "organisation_id", "specialty_id", "start")
    ):
        day = start.astimezone(zone).date()
        if tomorrow <= day <= last_day:
            key = (clinic_of[organisation_id], specialty_of[specialty_id], day_group(day, tomorrow))
            slots.setdefault(key, []).append(pk)
    citizens = prepare_citizens(count, organisations)
    plan = Plan(organisations, specialties, days, citizens, slots, len(roles), opened.created)
    lines = [f"specialty {k + 1} {pk}" for k, pk in enumerate(specialties)]
    lines += [f"day {n + 1} {day.isoformat()}" for n, day in enumerate(days)]
    lines += [
        f"citizen {c.token} {c.person_id} {c.clinic + 1} {organisations[c.clinic]}"
        for c in citizens
    ]
    lines += [
        f"slot {pk} {clinic + 1} {k + 1} {group}"
        for (clinic, k, group), ids in sorted(slots.items())
        for pk in ids
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plan


def tickets(plan: Plan):
    """(citizen, slot id) bookings the rules accept, one per citizen and specialty, as long
    as no one else books: for the in-process timing, where nothing runs concurrently."""
    used: set[int] = set()
    for number, citizen in enumerate(plan.citizens):
        for k in range(len(plan.specialties)):
            pool = plan.slots.get((citizen.clinic, k, ticket_group(number, k)), [])
            free = next((pk for pk in pool if pk not in used), None)
            if free is not None:
                used.add(free)
                yield citizen, free


# --- checks --------------------------------------------------------------------------


def check_database(plan: Plan) -> None:
    """The invariants a rush must not break, read from the database after a run."""
    from django.db.models import Count, Q

    from gorod.appointments.models import HOLDS_SLOT, Appointment, Slot

    booked = Appointment.Status.BOOKED
    problems = []
    doubled = (
        Appointment.objects.filter(status__in=HOLDS_SLOT)
        .values("slot_id")
        .annotate(holders=Count("id"))
        .filter(holders__gt=1)
        .count()
    )
    if doubled:
        problems.append(f"{doubled} slot(s) held by more than one appointment")
    unbooked = (
        Slot.objects.filter(organisation_id__in=plan.organisations, status=Slot.Status.BUSY)
        .annotate(booked=Count("appointments", filter=Q(appointments__status=booked)))
        .exclude(booked=1)
        .count()
    )
    if unbooked:
        problems.append(f"{unbooked} busy slot(s) without exactly one booked appointment")
    ours = Appointment.objects.filter(organisation_id__in=plan.organisations, status=booked)
    stray = ours.exclude(slot__status=Slot.Status.BUSY).count()
    if stray:
        problems.append(f"{stray} booked appointment(s) whose slot is not busy")
    twice = (
        Appointment.objects.filter(status=booked)
        .values("person_id", "specialty_id")
        .annotate(appointments=Count("id"))
        .filter(appointments__gt=1)
        .count()
    )
    if twice:
        problems.append(f"{twice} person(s) with two booked appointments in one specialty")
    overlaps, last = 0, (None, None)
    for person_id, start, end in ours.order_by("person_id", "start").values_list(
        "person_id", "start", "end"
    ):
        if last[0] == person_id and start < last[1]:
            overlaps += 1
        last = (person_id, end)
    if overlaps:
        problems.append(f"{overlaps} booked appointment(s) overlapping another of their patient")
    if problems:
        raise BenchError("the database after the rush: " + "; ".join(problems))


def release(plan: Plan) -> int:
    """Cancel the bench's booked appointments as their patients would, freeing the slots."""
    from django.db import transaction
    from django.utils import timezone

    from gorod.appointments.models import Appointment, Slot

    now = timezone.now()
    with transaction.atomic():
        cancelled = Appointment.objects.filter(
            organisation_id__in=plan.organisations, status=Appointment.Status.BOOKED
        ).update(
            status=Appointment.Status.CANCELLED,
            cancellation_reason=Appointment.Reason.PATIENT,
            cancelled_at=now,
            updated_at=now,
        )
        Slot.objects.filter(organisation_id__in=plan.organisations, status=Slot.Status.BUSY).update(
            status=Slot.Status.FREE, updated_at=now
        )
    return cancelled


def wait_until_idle(meter: CpuMeter, *, quiet_s: float = 0.5, timeout_s: float = 60) -> None:
    """Until the server has answered what wrk left in flight (its processes idle for
    `quiet_s`): a booking still queued when the bench cancels a run's appointments would
    stay booked into the next run. On SQLite the queue on the write lock takes seconds."""
    idle_ticks = max(2, round(meter.ticks * quiet_s * 0.04))  # under 4 % of one CPU
    deadline = time.monotonic() + timeout_s
    last = meter._server_ticks()
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        ticks = meter._server_ticks()
        if ticks - last <= idle_ticks:
            return
        last = ticks
    raise BenchError(f"the server was still busy {timeout_s:.0f} s after wrk ended")


def stored_appointments(plan: Plan) -> int:
    from gorod.appointments.models import Appointment

    return Appointment.objects.filter(organisation_id__in=plan.organisations).count()


def slots_path(citizen: Citizen, plan: Plan, day: dt.date, k: int = 0) -> str:
    """The citizen's clinic's board, as a page or an app refreshes it at 08:00."""
    return (
        f"{HEALTH_API}/clinics/{plan.organisations[citizen.clinic]}/slots"
        f"?specialty={plan.specialties[k]}&date={day.isoformat()}"
    )


def check_answers(base: str, plan: Plan) -> float:
    """A listing shows slots, a booking is 201, the same slot for another citizen is 409
    slot_taken with alternatives, and the first citizen's retry is 200 with the first
    appointment. Requests carry the personal token and nothing else, as a program's would.
    Returns the slots a day's listing shows on average (therapists, every day listed)."""
    citizen, slot_id = next(tickets(plan))
    rival = next(
        other for other in plan.citizens if other.clinic == citizen.clinic and other is not citizen
    )
    shown = []
    for day in plan.days:
        path = slots_path(citizen, plan, day)
        status, body = fetch(base + path, headers={"Authorization": f"Bearer {citizen.token}"})
        if status != 200:
            raise BenchError(f"GET {path} answered {status}:\n{body[:500]!r}")
        shown.append(len(json.loads(body)["slots"]))
    if not any(shown):
        raise BenchError(f"no free slot listed on any day of the horizon for {plan.days}")
    answers = []
    for who, expected in ((citizen, 201), (rival, 409), (citizen, 200)):
        status, body = post(
            base + BOOK_API,
            {"person_id": who.person_id, "slot_id": slot_id},
            {"Authorization": f"Bearer {who.token}"},
        )
        if status != expected:
            raise BenchError(f"POST {BOOK_API} answered {status}, not {expected}:\n{body[:500]!r}")
        answers.append(json.loads(body))
    booked, taken, replay = answers
    if taken.get("code") != "slot_taken" or not taken.get("alternatives"):
        raise BenchError(f"a slot booked twice: not slot_taken with alternatives:\n{taken}")
    if replay["id"] != booked["id"] or replay["created"] is not False:
        raise BenchError(f"a retried booking did not give the first appointment back:\n{replay}")
    return statistics.fmean(shown)


# --- load ----------------------------------------------------------------------------


class RushWrk(Wrk):
    """wrk with bench/rush_mix.lua for the rush's kinds, plain for /healthz."""

    def __init__(self, *args, plan_file: Path, workdir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_file = plan_file
        self.workdir = workdir

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        # wrk's options as for any endpoint, the script and its arguments instead of a URL.
        command = super().command(endpoint, seconds)
        if endpoint.name not in KINDS:
            return command
        return [
            *command[:-1],
            "-s", str(SCRIPT),
            self.base,
            "--", str(self.plan_file), endpoint.name, str(self.threads), str(self.results_path),
        ]  # fmt: skip

    @property
    def results_path(self) -> Path:
        return self.workdir / "rush_mix_results.txt"

    def counted(self, endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, dict]:
        """A run and what the script counted; any answer but 200, 201 or 409 slot_taken
        fails it, and so does a deck of tickets that ran out."""
        self.results_path.unlink(missing_ok=True)
        result = self.run(endpoint, seconds, label)
        counts = script_counts(self.results_path, "rush_mix.lua")
        if counts.get("errors", 0) or counts.get("replays", 0):
            raise BenchError(
                f"{endpoint.name}: {counts.get('errors', 0)} answers neither a listing, a "
                f"booking nor slot_taken, {counts.get('replays', 0)} replays"
            )
        if counts.get("exhausted", 0):
            raise BenchError(
                f"{endpoint.name}: the booking tickets ran out ({counts['exhausted']} times); "
                f"the server books faster than {CITIZENS:,} citizens × {len(STAFF)} "
                "specialties a run: raise CITIZENS in bench/health.py"
            )
        return result, counts


# --- in-process costs ----------------------------------------------------------------


def request_costs(plan: Plan, calls: int) -> Costs:
    """CPU per call of the whole request (Django's test client: the full middleware stack,
    no network) and of the selector or service inside, and the statements each sends."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gorod.accounts.models import ApiToken
    from gorod.accounts.services import api_token_authenticate
    from gorod.analytics.recorder import recorder
    from gorod.appointments.selectors.board import SLOT_COLUMNS

    # Every token used within the minute, as in the load: a token's first use after a
    # minute writes last_used_at, which would show up in one call's statements by chance.
    ApiToken.objects.filter(user__email__startswith=EMAIL_PREFIX).update(
        last_used_at=timezone.now()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    deck = tickets(plan)
    first, taken_slot = next(deck)
    rival = next(c for c in plan.citizens if c.clinic == first.clinic and c is not first)
    day = plan.days[min(2, len(plan.days) - 1)]
    organisation_id = plan.organisations[first.clinic]
    list_path = slots_path(first, plan, day)
    needed = 2 * (calls + max(1, calls // 10)) + 2

    def auth(citizen: Citizen) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {citizen.token}"}

    def book_request(citizen: Citizen, slot_id: int, expected: int):
        response = client.post(
            BOOK_API,
            json.dumps({"person_id": citizen.person_id, "slot_id": slot_id}),
            content_type="application/json",
            **auth(citizen),
        )
        if response.status_code != expected:
            raise BenchError(f"in-process POST {BOOK_API}: {response.status_code}, not {expected}")

    def listing():
        response = client.get(list_path, **auth(first))
        if response.status_code != 200:
            raise BenchError(f"in-process GET {list_path}: {response.status_code}")

    # Bookings the rules accept, and for the service the user behind each token, read
    # before the clock starts.
    requests = iter([next(deck) for _ in range(needed // 2)])
    service_calls = iter(
        [
            (api_token_authenticate(citizen.token), citizen.person_id, slot_id)
            for citizen, slot_id in (next(deck) for _ in range(needed // 2))
        ]
    )
    book_request(first, taken_slot, 201)

    def book():
        book_request(*next(requests), 201)

    def book_service():
        user, person_id, slot_id = next(service_calls)
        services.appointment_book(actor=user, person_id=person_id, slot_id=slot_id, channel="api")

    cases = {
        "GET /healthz (whole request)": lambda: client.get("/healthz"),
        f"GET {HEALTH_API}/clinics/{{id}}/slots?date= (whole request)": listing,
        "↳ api_token_authenticate": lambda: api_token_authenticate(first.token),
        "↳ the day's free slots (selectors.free_slots, as rows)": lambda: list(
            selectors.free_slots(
                organisation_id=organisation_id, specialty_id=plan.specialties[0], day=day
            ).values(*SLOT_COLUMNS)[:100]
        ),
        f"POST {BOOK_API}, booked (whole request)": book,
        "↳ services.appointment_book": book_service,
        f"POST {BOOK_API}, slot_taken (whole request)": lambda: book_request(
            rival, taken_slot, 409
        ),
    }
    # Django logs every 409 as a warning: not on the bench's terminal, hundreds of times.
    django_requests = logging.getLogger("django.request")
    level = django_requests.level
    django_requests.setLevel(logging.ERROR)
    statements = {}
    for name, call in (
        ("listing", listing),
        ("booking", book),
        ("slot_taken", cases[f"POST {BOOK_API}, slot_taken (whole request)"]),
    ):
        with CaptureQueriesContext(connection) as captured:
            call()
        statements[name] = [_statement(query["sql"]) for query in captured.captured_queries]
    cpu_ms = {}
    for name, call in cases.items():
        for _ in range(max(1, calls // 10)):
            call()
        started = time.process_time()
        for _ in range(calls):
            call()
        cpu_ms[name] = (time.process_time() - started) / calls * 1000
    django_requests.setLevel(level)
    # The bookings above counted their uses into this process's buffer: written now,
    # while the benchmark's database still exists, not by the exit hook after it is gone.
    recorder.flush()
    return Costs(calls, cpu_ms, statements)


# --- the part ------------------------------------------------------------------------


def health_bench(args, env: dict[str, str], workdir: Path, wrk_binary: str) -> HealthResult:
    django_setup(env)
    plan_file = workdir / "rush_plan.txt"
    say(
        f"preparing {CLINICS} clinics, {sum(n for _c, n in STAFF) * CLINICS} doctors, their "
        f"slots and {CITIZENS:,} citizens with a token"
    )
    started = time.perf_counter()
    plan = prepare(CITIZENS, plan_file)
    setup_s = time.perf_counter() - started
    bookable = sum(len(ids) for ids in plan.slots.values())
    say(f"{plan.opened:,} slots opened, {bookable:,} bookable from tomorrow ({setup_s:.1f} s)")

    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "health.log")
    rows = {name: Row(endpoint) for name, endpoint in {"healthz": HEALTHZ, **KINDS}.items()}
    counts: dict[str, list[dict[str, int]]] = {name: [] for name in KINDS}
    answered = 1  # the check's booking
    checks = 0

    def settle(meter: CpuMeter | None = None) -> None:
        nonlocal checks
        if meter is not None:
            wait_until_idle(meter)
        check_database(plan)
        checks += 1
        release(plan)

    with server:
        wrk = RushWrk(
            wrk_binary,
            args,
            server.base,
            workdir,
            CpuMeter(server.process.pid),
            plan_file=plan_file,
            workdir=workdir,
        )
        rows_listed = check_answers(server.base, plan)
        settle()
        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            for endpoint in KINDS.values():
                _result, warm = wrk.counted(endpoint, args.warmup, f"warm-up {endpoint.name}")
                answered += warm.get("booked", 0)
                settle(wrk.meter)
        for round_number in range(1, args.rounds + 1):
            for number, (name, endpoint) in enumerate(KINDS.items(), start=1):
                label = f"rush round {round_number}/{args.rounds} [{number}/{len(KINDS)}] {name}"
                before = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
                rows["healthz"].runs.append(before)
                rows["healthz"].ratios.append(1.0)
                result, counted = wrk.counted(endpoint, args.duration, label)
                rows[name].runs.append(result)
                rows[name].ratios.append(result.rps / before.rps)
                counts[name].append(counted)
                answered += counted.get("booked", 0)
                settle(wrk.meter)
                rates = ", ".join(
                    f"{counted.get(key, 0) / result.seconds:,.0f} {unit}"
                    for key, unit in COUNTED.items()
                    if counted.get(key, 0)
                )
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                    f"/healthz ({before.rps:,.0f}); {rates}; p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms{_load_note(before, result)}"
                )
    # Counted after the server stopped: it completes the requests in flight when wrk ends.
    settle()
    stored = stored_appointments(plan)
    if stored < answered:
        raise BenchError(f"{answered:,} bookings answered 201, the database holds {stored:,}")
    calls = COST_CALLS // 10 if args.quick else COST_CALLS
    say(f"timing {calls} calls of each kind in this process")
    costs = request_costs(plan, calls)
    settle()
    return HealthResult(plan, setup_s, rows, counts, stored, answered, checks, costs, rows_listed)


def health_section(args, argv: list[str], info: str, result: HealthResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    plan = result.plan
    bookable = sum(len(ids) for ids in plan.slots.values())
    staff = ", ".join(f"{count} {code}" for code, count in STAFF)
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above; the demo city "
        "(`gorod demo --no-usage`, its clinics, doctors, slots and patients) plus "
        f"{len(plan.organisations)} bench polyclinics of {plan.doctors // CLINICS} doctors "
        f"each ({staff}; Monday to Saturday 08:00–20:00, a break at 13:00), "
        f"{plan.opened:,} slots opened by `slots_open` ({bookable:,} bookable from "
        f"tomorrow to {plan.days[-1]}), and {len(plan.citizens):,} citizens attached to "
        f"them with a personal API token (all written in {result.setup_s:,.1f} s). A "
        f"clinic's therapists list {result.rows_listed:,.0f} free slots a day on average "
        "over the horizon.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency -s bench/rush_mix.lua`"
        f", a citizen at random per request, authenticated by `Authorization: Bearer` token; "
        f"{args.rounds} round(s), in each every kind runs {args.duration} s right after "
        f"{args.baseline} s of /healthz, after a {args.warmup} s warm-up of each. After "
        "each run the bench checks the database and cancels the run's appointments.",
        "",
        "| load | what | rps | bookings/s | slot_taken/s | listings/s | p50 ms | p99 ms "
        "| rps ÷ /healthz | range |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in result.rows.items():
        if name == "healthz":
            median = row.rps
            spread = [run.rps / median for run in row.runs]
            rates = ["", "", ""]
        else:
            spread = row.ratios
            rates = [
                f"{result.per_second(name, key):,.0f}"
                if any(counts.get(key) for counts in result.counts[name])
                else ""
                for key in COUNTED
            ]
        lines.append(
            f"| {name} | {row.endpoint.note} | {row.rps:,.0f} | {' | '.join(rates)} "
            f"| {row.p50_ms:.2f} | {row.p99_ms:.2f} | {row.ratio:.0%} "
            f"| {min(spread):.0%}–{max(spread):.0%} |"
        )
    listed = result.rows["list"].rps
    bookings = result.per_second("book", "booked")
    p99 = max(result.rows[name].p99_ms for name in KINDS)
    judged = [
        (f"slot listing {listed:,.0f} rps (≥ {TARGET_LIST_RPS:,})", listed >= TARGET_LIST_RPS),
        (f"bookings {bookings:,.0f}/s (≥ {TARGET_BOOKINGS})", bookings >= TARGET_BOOKINGS),
        (f"p99 at most {p99:,.0f} ms in every load (< {TARGET_P99_MS})", p99 < TARGET_P99_MS),
    ]
    postgres = bool(args.database_url)
    lines += [
        "",
        "Targets (PostgreSQL, this 2-core machine): "
        + "; ".join(f"{text} — " + ("met" if met else "**not met**") for text, met in judged)
        + "."
        + ("" if postgres else " (This is SQLite: the targets are PostgreSQL's.)")
        + f" In the *book* load {result.per_second('book', 'taken'):,.0f} slot_taken "
        f"answers/s came beside the bookings; in the *mix*, "
        f"{result.per_second('mix', 'booked'):,.0f} bookings/s beside "
        f"{result.per_second('mix', 'listed'):,.0f} listings/s. No answer other than a "
        "listing, a booking or `slot_taken`. The database was checked "
        f"{result.checks} times (after every run): no slot held twice, every busy slot with "
        "exactly one booked appointment and every booked one's slot busy, no patient with "
        f"two in one specialty or two that overlap. It holds {result.stored:,} appointments "
        f"of the bench's citizens; {result.answered:,} bookings were answered 201 (wrk does "
        "not count the requests in flight when a run ends, which the server still completes).",
        "",
        load_summary(list(result.rows.values()), postgres=postgres),
    ]
    costs = result.costs
    lines += [
        "",
        f"Where a request's time goes, in this process after the load ({costs.calls:,} calls "
        "each; CPU time of this process, so PostgreSQL's own work is not in it, SQLite's "
        "is): the whole request through Django's test client (every middleware, no "
        "network), and (↳) the call inside it. Each booking is a new citizen's; the "
        "*slot_taken* one asks again for a slot taken, and is answered with alternatives.",
        "",
        "| call | CPU ms per call | ÷ /healthz |",
        "|---|--:|--:|",
    ]
    healthz_ms = next(iter(costs.cpu_ms.values()))
    for name, cpu in costs.cpu_ms.items():
        shown = name.replace("|", "\\|")
        lines.append(f"| {shown} | {cpu:.3f} | {cpu / healthz_ms:,.1f}× |")
    for name, statements in costs.statements.items():
        tally = ", ".join(
            f"{statement} ×{count}" if count > 1 else statement
            for statement, count in Counter(statements).items()
        )
        lines += ["", f"SQL statements of one {name} ({len(statements)}): {tally}."]
    return "\n".join(lines).rstrip() + "\n"
