"""The city mix, a part of `make bench` (`bench/run.py --only city`).

Requests weighted like the city's published usage (issue 16), each as a signed-in citizen
picked at random: the medical record's timeline 49 % (half the portal page with the
session cookie, half the API with the personal token), meter view 9 % and submission 1 %,
a clinic's free slots 8 % and a booking 1 %, search 15 % (the search evaluation queries,
as bench/search_mix.lua asks them) and the home, service and category pages 17 %.

One set of citizens does all of it. Each part's own preparation makes them: the record's
(bench/health_record.py: ten years of record, a session, a token), the rush's
(bench/health.py: four polyclinics with their slots opened, citizens attached to them) and
the month-end's (bench/housing.py: an apartment with two meters and last month's
readings); then the clinic attachments and the apartments those parts gave their own
citizens are handed to the record's citizens, so every citizen has all of it.

wrk (bench/city_mix.lua) runs the mix right after a short /healthz run, in rounds, and its
rps is reported as a ratio to that neighbour. wrk does not tell which request an answer
belongs to, so every answer is classified by its status and the start of its body
(ANSWERS); one that fits no class fails the run, and so does a class answered more often
than its kinds were sent. After every run the database is checked for what each write
path promises: no slot held twice and no double booking (bench/health.py's check), one
accepted reading per meter and period and every submission whole, and one access-log row
per record look sent (less at most one per connection, the looks in flight when wrk
stops, and the one request wrk builds but never sends); then the run's bookings are
cancelled, so every run starts from the same free slots. Last, in this process, each hot
path's CPU per request (Python, and the PostgreSQL backend's from /proc) and SQL statements
per request (bench/city_costs.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import health
import health_record
import housing
from city_costs import CAPTURED_CALLS, COST_CALLS, HOT_PATHS, Costs, request_costs
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
    eval_queries,
    fetch,
    free_port,
    load_summary,
    say,
    script_counts,
    search_path,
)

SCRIPT = BENCH_DIR / "city_mix.lua"
CITIZENS = 100
QUICK_CITIZENS = 10
# Service pages the mix opens (every n-th of the catalog, in slug order).
SERVICE_PAGES = 40
# The target on this 2-core machine with PostgreSQL and Redis.
TARGET_RPS = 1000
TARGET_P99_MS = 200

# The mix, in per cent of requests (issue 16: the city's published usage).
WEIGHTS = {
    "record_page": 24.5,
    "record_api": 24.5,
    "meter_view": 9,
    "meter_submit": 1,
    "slot_list": 8,
    "booking": 1,
    "search": 15,
    "home": 6,
    "service": 6,
    "category": 5,
}
# An answer's class: (name, status, where the text is: "start" of the body or "anywhere",
# text). city_mix.lua classifies every answer by these, the first that fits.
ANSWERS = (
    ("record_api", 200, "start", '{"entries"'),
    ("meter_view", 200, "start", '{"window"'),
    ("slot_list", 200, "start", '{"clinic"'),
    ("search", 200, "start", '{"count"'),
    ("meter_submit", 201, "start", '{"submission_id"'),
    ("booked", 201, "start", '{"id"'),
    ("slot_taken", 409, "anywhere", '"slot_taken"'),
    ("page", 200, "start", "<!doctype html>"),
)
# The kinds whose answers fall in each class.
CLASS_KINDS = {
    "record_api": ("record_api",),
    "meter_view": ("meter_view",),
    "slot_list": ("slot_list",),
    "search": ("search",),
    "meter_submit": ("meter_submit",),
    "booked": ("booking",),
    "slot_taken": ("booking",),
    "page": ("record_page", "home", "service", "category"),
}
# What the section's rates table shows: (class, unit).
RATES = (
    ("booked", "bookings/s"),
    ("slot_taken", "slot_taken/s"),
    ("meter_submit", "submissions/s"),
)

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")
MIX = Endpoint(
    "city",
    "the city mix (bench/city_mix.lua)",
    "record 49 %, meters 10 %, slots 9 %, search 15 %, pages 17 %",
    counted_errors=True,
)


@dataclass
class Citizen:
    """One of the city's citizens, with everything each part gave."""

    session: str
    token: str
    person_id: int
    premises: int
    cold: int
    hot: int
    cold_last: str
    hot_last: str
    clinic: int  # index into the rush plan's organisations


@dataclass
class City:
    citizens: list[Citizen]
    records: list[health_record.Citizen]
    rush: health.Plan  # its citizens are the city's, with their tokens
    window: housing.Window
    queries: list[str]  # search request paths
    pages: dict[str, list[str]]  # portal page paths by kind
    entries: int  # record entries written


@dataclass
class CityResult:
    city: City
    setup_s: float
    rows: dict[str, Row]
    # Per mix run: what city_mix.lua counted.
    counts: list[dict[str, int]]
    checks: int
    looks_logged: int
    costs: dict[str, Costs]
    inprocess_looks: int

    def per_second(self, name: str) -> float:
        return statistics.median(
            counts.get(name, 0) / run.seconds
            for counts, run in zip(self.counts, self.rows["city"].runs, strict=True)
        )


# --- setup -------------------------------------------------------------------------------


def prepare(count: int, workdir: Path) -> City:
    """The parts' preparations, their attachments and apartments handed to the record's
    citizens; the mix's plan file written."""
    from gorod.catalog import snapshot

    records, entries = health_record.prepare(count, workdir / "record_citizens.txt")
    rush = health.prepare(count, workdir / "rush_plan.txt")
    window = housing.submission_window()
    meters_file = workdir / "meters_citizens.txt"
    housing.prepare_citizens(count, window.period, meters_file)
    apartments = [line.split() for line in meters_file.read_text().splitlines() if line]
    _hand_over(records, rush, apartments)
    citizens = [
        Citizen(record.session, record.token, record.person_id, int(premises), int(cold),
                int(hot), cold_last, hot_last, rush_citizen.clinic)
        for record, rush_citizen, (_token, premises, cold, hot, cold_last, hot_last) in zip(
            records, rush.citizens, apartments, strict=True
        )
    ]  # fmt: skip
    rush = dataclasses.replace(
        rush,
        citizens=[
            health.Citizen(citizen.token, citizen.person_id, citizen.clinic) for citizen in citizens
        ],
    )
    current = snapshot.current()
    services = sorted(current.services)
    every = max(1, len(services) // SERVICE_PAGES)
    pages = {
        "home": ["/"],
        "service": [f"/services/{slug}/" for slug in services[::every][:SERVICE_PAGES]],
        "category": [f"/categories/{category.slug}/" for category in current.categories],
    }
    queries = [search_path(query) for query in eval_queries()]
    return City(citizens, records, rush, window, queries, pages, entries)


def _hand_over(records, rush: health.Plan, apartments: list[list[str]]) -> None:
    """The rush's attachments and the month-end's apartments, n-th to the n-th record
    citizen (the citizens those parts made keep their accounts, now without either)."""
    from django.db import transaction

    from gorod.clinics.models import Attachment
    from gorod.housing.models import PremisesLink

    person_of = {
        rush_citizen.person_id: record.person_id
        for record, rush_citizen in zip(records, rush.citizens, strict=True)
    }
    owner_of = {
        int(apartment[1]): record.person_id
        for record, apartment in zip(records, apartments, strict=True)
    }
    with transaction.atomic():
        attachments = list(Attachment.objects.filter(person_id__in=person_of))
        for attachment in attachments:
            attachment.person_id = person_of[attachment.person_id]
        links = list(PremisesLink.objects.filter(premises_id__in=owner_of))
        for link in links:
            link.person_id = owner_of[link.premises_id]
        Attachment.objects.bulk_update(attachments, ["person"])
        PremisesLink.objects.bulk_update(links, ["person"])
    if len(attachments) != len(person_of) or len(links) != len(owner_of):
        raise BenchError(
            f"handed over {len(attachments)} attachments and {len(links)} apartments, "
            f"not {len(person_of)} and {len(owner_of)}"
        )


def write_plan(city: City, path: Path) -> None:
    """The plan city_mix.lua reads (its header says the format)."""
    from django.conf import settings

    rush = city.rush
    lines = [f"cookie {settings.SESSION_COOKIE_NAME}"]
    lines += [f"kind {kind} {weight}" for kind, weight in WEIGHTS.items()]
    lines += [f"answer {name} {status} {where} {text}" for name, status, where, text in ANSWERS]
    lines += [
        f"citizen {c.session} {c.token} {c.person_id} {c.premises} {c.cold} {c.hot} "
        f"{c.cold_last} {c.hot_last} {c.clinic + 1} {rush.organisations[c.clinic]}"
        for c in city.citizens
    ]
    lines += [f"specialty {k + 1} {pk}" for k, pk in enumerate(rush.specialties)]
    lines += [f"day {n + 1} {day.isoformat()}" for n, day in enumerate(rush.days)]
    lines += [
        f"slot {pk} {clinic + 1} {k + 1} {group}"
        for (clinic, k, group), ids in sorted(rush.slots.items())
        for pk in ids
    ]
    lines += [f"query {query}" for query in city.queries]
    lines += [f"page {kind} {page}" for kind, paths in city.pages.items() for page in paths]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- answers and checks ------------------------------------------------------------------


def classify(status: int, body: bytes) -> str | None:
    """An answer's class, as city_mix.lua finds it."""
    for name, expected, where, text in ANSWERS:
        wanted = text.encode()
        if status == expected and (body.startswith(wanted) if where == "start" else wanted in body):
            return name
    return None


def check_answers(base: str, city: City) -> None:
    """One request of every kind (and every page) answers in a class its kind allows."""
    from django.conf import settings

    citizen = city.citizens[0]
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={citizen.session}"}
    token = {"Authorization": f"Bearer {citizen.token}"}
    rush_citizen = city.rush.citizens[0]
    day = city.rush.days[min(2, len(city.rush.days) - 1)]
    gets = [
        ("record_page", f"/health/record/{citizen.person_id}/", cookie),
        ("record_api", health_record.TIMELINE_API.format(id=citizen.person_id), token),
        ("meter_view", housing.PREMISES_API, token),
        ("slot_list", health.slots_path(rush_citizen, city.rush, day), token),
        ("search", city.queries[0], token),
        *((kind, page, cookie) for kind, paths in city.pages.items() for page in paths),
    ]
    for kind, path, headers in gets:
        status, body = fetch(base + path, headers=headers)
        _expect(kind, f"GET {path}", status, body)
    readings = {
        "readings": [
            {"meter_id": citizen.cold, "value": f"{float(citizen.cold_last) + 0.5:.3f}"},
            {"meter_id": citizen.hot, "value": f"{float(citizen.hot_last) + 0.5:.3f}"},
        ]
    }
    path = f"{housing.PREMISES_API}/{citizen.premises}/readings"
    status, body = housing.post(base + path, readings, {**token, "Idempotency-Key": "city-check"})
    _expect("meter_submit", f"POST {path}", status, body)
    booker, slot_id = next(health.tickets(city.rush))
    status, body = housing.post(
        base + health.BOOK_API,
        {"person_id": booker.person_id, "slot_id": slot_id},
        {"Authorization": f"Bearer {booker.token}"},
    )
    _expect("booking", f"POST {health.BOOK_API}", status, body)


def _expect(kind: str, request: str, status: int, body: bytes) -> None:
    found = classify(status, body)
    if found is None or kind not in CLASS_KINDS[found]:
        raise BenchError(
            f"{request} ({kind}) answered {status}, class {found}, not one its kind "
            f"allows:\n{body[:300]!r}"
        )


def unanswered_at_most(connections: int) -> int:
    """Requests the script counts as sent that wrk never saw answered: one per connection
    in flight when wrk stops, and one wrk builds but never sends (it calls request() once
    on its first thread's script to see what it returns)."""
    return connections + 1


def check_counts(counts: dict[str, int], connections: int) -> None:
    """Every answer in a class, no class answered more often than its kinds were sent,
    and no more requests unanswered than unanswered_at_most."""
    problems = []
    if counts.get("errors"):
        problems.append(f"{counts['errors']} answers in no class")
    if counts.get("exhausted"):
        problems.append(f"the booking tickets ran out {counts['exhausted']} times")
    by_kinds: dict[tuple[str, ...], int] = {}
    for name, kinds in CLASS_KINDS.items():
        by_kinds[kinds] = by_kinds.get(kinds, 0) + counts.get(name, 0)
    for kinds, answered in by_kinds.items():
        sent = sum(counts.get(f"sent_{kind}", 0) for kind in kinds)
        if answered > sent:
            problems.append(f"{answered:,} answers of kind {'/'.join(kinds)}, {sent:,} sent")
    sent = sum(value for name, value in counts.items() if name.startswith("sent_"))
    answered = sum(counts.get(name, 0) for name in CLASS_KINDS)
    if not sent - unanswered_at_most(connections) <= answered <= sent:
        problems.append(f"{answered:,} answers to {sent:,} requests sent")
    if problems:
        raise BenchError("the city mix's answers: " + "; ".join(problems))


def record_looks(counts: dict[str, int]) -> int:
    return counts.get("sent_record_page", 0) + counts.get("sent_record_api", 0)


def check_log(added: int, denied: int, looks: int, connections: int) -> None:
    """One allowed access-log row per record look sent, but those wrk never saw answered
    (unanswered_at_most: sent to the server and answered after wrk stopped, or never sent)."""
    if denied or not looks - unanswered_at_most(connections) <= added <= looks:
        raise BenchError(
            f"{looks:,} record looks sent, the access log gained {added:,} allowed rows "
            f"({denied} denied): not one row per look"
        )


def check_readings(city: City, submitted_before: int, answered: int) -> int:
    """One accepted reading per meter and period (the partial unique index's promise),
    every submission with both meters' readings, no idempotency key used twice by one
    account, and at least as many new submissions as answered 201. Returns the count."""
    from django.db.models import Count

    from gorod.housing.models import Reading, Submission

    premises = [citizen.premises for citizen in city.citizens]
    problems = []
    doubled = (
        Reading.objects.filter(meter__premises_id__in=premises, status=Reading.Status.ACCEPTED)
        .values("meter_id", "period")
        .annotate(accepted=Count("id"))
        .filter(accepted__gt=1)
        .count()
    )
    if doubled:
        problems.append(f"{doubled} (meter, period) keys with more than one accepted reading")
    ours = Submission.objects.filter(premises_id__in=premises)
    partial = ours.annotate(readings_count=Count("readings")).exclude(readings_count=2).count()
    if partial:
        problems.append(f"{partial} submission(s) without both meters' readings")
    keys = (
        ours.values("user_id", "idempotency_key")
        .annotate(times=Count("id"))
        .filter(times__gt=1)
        .count()
    )
    if keys:
        problems.append(f"{keys} idempotency key(s) used twice by one account")
    stored = ours.count()
    if stored - submitted_before < answered:
        problems.append(f"{answered:,} submissions answered 201, {stored - submitted_before:,} new")
    if problems:
        raise BenchError("the meter readings after the city mix: " + "; ".join(problems))
    return stored


# --- load --------------------------------------------------------------------------------


class CityWrk(Wrk):
    """wrk with bench/city_mix.lua for the mix, plain for /healthz."""

    def __init__(self, *args, plan_file: Path, workdir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_file = plan_file
        self.results_path = workdir / "city_mix_results.txt"

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        command = super().command(endpoint, seconds)
        if endpoint is not MIX:
            return command
        # A fresh nonce per run: Idempotency-Keys are unique per account across runs.
        nonce = secrets.token_hex(4)
        return [
            *command[:-1],
            "-s", str(SCRIPT),
            self.base,
            "--", str(self.plan_file), str(self.threads), nonce, str(self.results_path),
        ]  # fmt: skip

    def counted(self, seconds: int, label: str) -> tuple[WrkResult, dict[str, int]]:
        self.results_path.unlink(missing_ok=True)
        result = self.run(MIX, seconds, label)
        counts = script_counts(self.results_path, "city_mix.lua")
        check_counts(counts, self.connections)
        return result, counts


class Settler:
    """After every run: the database checked, then the run's bookings cancelled."""

    def __init__(self, city: City, connections: int):
        from gorod.housing.models import Submission

        self.city = city
        self.connections = connections
        self.checks = 0
        self.looks_logged = 0
        self.appointments = health.stored_appointments(city.rush)
        self.submissions = Submission.objects.filter(
            premises_id__in=[citizen.premises for citizen in city.citizens]
        ).count()
        self.logged, _denied = health_record.logged(city.records)

    def settle(self, counts: dict[str, int], meter: CpuMeter | None = None) -> None:
        if meter is not None:
            health.wait_until_idle(meter)
        health.check_database(self.city.rush)
        appointments = health.stored_appointments(self.city.rush)
        if appointments - self.appointments < counts.get("booked", 0):
            raise BenchError(
                f"{counts['booked']:,} bookings answered 201, "
                f"{appointments - self.appointments:,} new appointments"
            )
        self.appointments = appointments
        self.submissions = check_readings(
            self.city, self.submissions, counts.get("meter_submit", 0)
        )
        logged, denied = health_record.logged(self.city.records)
        check_log(logged - self.logged, denied, record_looks(counts), self.connections)
        self.looks_logged += logged - self.logged
        self.logged = logged
        health.release(self.city.rush)
        self.checks += 1


def city_bench(args, env: dict[str, str], workdir: Path, wrk_binary: str) -> CityResult:
    django_setup(env)
    count = QUICK_CITIZENS if args.quick else CITIZENS
    say(
        f"preparing {count} citizens with {health_record.YEARS} years of record, a clinic, "
        "an apartment with two meters, a session and a token"
    )
    started = time.perf_counter()
    city = prepare(count, workdir)
    setup_s = time.perf_counter() - started
    say(f"{city.entries:,} record entries and the rest written ({setup_s:.1f} s)")
    plan_file = workdir / "city_plan.txt"
    write_plan(city, plan_file)

    server = Server(
        {**env, **city.window.env},
        free_port(),
        args.workers,
        args.blocking_threads,
        workdir / "city.log",
    )
    rows = {"healthz": Row(HEALTHZ), "city": Row(MIX)}
    runs: list[dict[str, int]] = []
    with server:
        wrk = CityWrk(
            wrk_binary,
            args,
            server.base,
            workdir,
            CpuMeter(server.process.pid),
            plan_file=plan_file,
            workdir=workdir,
        )
        check_answers(server.base, city)
        settler = Settler(city, args.connections)
        health.release(city.rush)  # the check's booking
        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            _result, warm = wrk.counted(args.warmup, "warm-up city mix")
            settler.settle(warm, wrk.meter)
        for round_number in range(1, args.rounds + 1):
            label = f"city round {round_number}/{args.rounds}"
            before = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
            rows["healthz"].runs.append(before)
            rows["healthz"].ratios.append(1.0)
            result, counted = wrk.counted(args.duration, label)
            rows["city"].runs.append(result)
            rows["city"].ratios.append(result.rps / before.rps)
            runs.append(counted)
            settler.settle(counted, wrk.meter)
            say(
                f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                f"/healthz ({before.rps:,.0f}); {counted.get('booked', 0):,} booked, "
                f"{record_looks(counted):,} record looks; p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms{_load_note(before, result)}"
            )
    calls = COST_CALLS // 10 if args.quick else COST_CALLS
    say(f"timing {calls} calls of each hot path in this process")
    with _window_settings(city.window):
        costs, looks = request_costs(city, calls)
    health.release(city.rush)
    return CityResult(city, setup_s, rows, runs, settler.checks, settler.looks_logged, costs, looks)


def _window_settings(window: housing.Window):
    """The submission window the server had, if the bench opened one."""
    from django.test import override_settings

    return override_settings(**{key: int(value) for key, value in window.env.items()})


# --- the section -------------------------------------------------------------------------


def city_section(args, argv: list[str], info: str, result: CityResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    city = result.city
    rush = city.rush
    window = city.window
    opened = (
        ", a window the bench opened with "
        + " ".join(f"{key}={value}" for key, value in sorted(window.env.items()))
        if window.env
        else ""
    )
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above, "
        + (f"REDIS_URL={args.redis_url}" if args.redis_url else "no Redis")
        + f"; the demo city plus {len(city.citizens):,} citizens, each with "
        f"{health_record.YEARS} years of record ({city.entries:,} entries in all), a session, "
        f"a personal API token, an attachment to one of {len(rush.organisations)} bench "
        f"polyclinics ({rush.opened:,} slots opened) and an apartment with a cold and a hot "
        f"water meter (billing period {window.period:%Y-%m}{opened}); all written in "
        f"{result.setup_s:,.1f} s.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency -s bench/city_mix.lua`"
        ", a citizen at random per request: "
        + ", ".join(f"{kind} {weight:g} %" for kind, weight in WEIGHTS.items())
        + f" ({len(city.queries)} search queries, {len(city.pages['service'])} service and "
        f"{len(city.pages['category'])} category pages); {args.rounds} round(s) of "
        f"{args.duration} s, each right after {args.baseline} s of /healthz, after a "
        f"{args.warmup} s warm-up.",
        "",
        *_load_table(result),
        "",
        *_judgement(args, result),
        "",
        load_summary(list(result.rows.values()), postgres=bool(args.database_url)),
        "",
        *_costs_table(args, result),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _load_table(result: CityResult) -> list[str]:
    lines = [
        "| load | what | rps | p50 ms | p99 ms | rps ÷ /healthz | range |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for name, row in result.rows.items():
        spread = [run.rps / row.rps for run in row.runs] if name == "healthz" else row.ratios
        lines.append(
            f"| {name} | {row.endpoint.note} | {row.rps:,.0f} | {row.p50_ms:.2f} "
            f"| {row.p99_ms:.2f} | {row.ratio:.0%} | {min(spread):.0%}–{max(spread):.0%} |"
        )
    sent = ", ".join(f"{kind} {_rate(result.per_second(f'sent_{kind}'))}" for kind in WEIGHTS)
    rates = ", ".join(f"{_rate(result.per_second(name))} {unit}" for name, unit in RATES)
    return [*lines, "", f"Requests per second by kind (median of the runs): {sent}; {rates}."]


def _rate(per_second: float) -> str:
    return f"{per_second:,.0f}" if per_second >= 10 else f"{per_second:.1f}"


def _judgement(args, result: CityResult) -> list[str]:
    mix = result.rows["city"]
    met = mix.rps >= TARGET_RPS and mix.p99_ms < TARGET_P99_MS
    return [
        f"Target (PostgreSQL and Redis, this 2-core machine: the city mix ≥ {TARGET_RPS:,} "
        f"rps, p99 < {TARGET_P99_MS} ms, no errors): {mix.rps:,.0f} rps, p99 "
        f"{mix.p99_ms:,.0f} ms — "
        + ("met." if met else "**not met**.")
        + ("" if args.database_url else " (This is SQLite: the target is PostgreSQL's.)")
        + " Every answer was in a class its kind allows (200, 201, or 409 `slot_taken` "
        f"for a booking). The database was checked {result.checks} times (after every run): "
        "no slot held twice, every busy slot with exactly one booked appointment, no "
        "patient with two in one specialty or two that overlap, at least one new "
        "appointment per booking answered; one accepted reading per meter and period, "
        "every submission with both readings, at least one new per 201; one allowed "
        f"access-log row per record look sent ({result.looks_logged:,} in all, less at most "
        "one per connection for the looks in flight when wrk stopped, and one it built but "
        "never sent). The run's bookings "
        "were cancelled after each check.",
    ]


def _costs_table(args, result: CityResult) -> list[str]:
    costs = result.costs
    calls = next(iter(costs.values())).calls
    postgres = any(cost.backend_ms is not None for cost in costs.values())
    lines = [
        f"Each hot path's cost per request, measured after the load in this process: "
        f"{calls:,} requests of each (after a warm-up) through Django's test client (every "
        "middleware, no network) against the same prepared database, each as the next "
        "citizen in turn; *Python* is this process's CPU time (`time.process_time`) per "
        "request, "
        + (
            "*PostgreSQL* the CPU its backend used meanwhile (`/proc/PID/stat` of the "
            "connection's backend pid, 10 ms ticks over all the requests)"
            if postgres
            else "*PostgreSQL* not measured (SQLite runs in this process: its work is in *Python*)"
        )
        + f", and *SQL* the statements of {CAPTURED_CALLS} more requests "
        "(`CaptureQueriesContext`) per request. Redis's own work is in neither. Record "
        f"looks in this process: {result.inprocess_looks:,}, each with exactly one "
        "access-log row.",
        "",
        "| hot path | request | Python CPU ms | PostgreSQL CPU ms | SQL statements "
        "| Python ÷ /healthz |",
        "|---|---|--:|--:|--:|--:|",
    ]
    baseline = costs["/healthz"].python_ms
    for name, cost in costs.items():
        backend = f"{cost.backend_ms:.2f}" if cost.backend_ms is not None else "—"
        lines.append(
            f"| {name} | `{HOT_PATHS[name]}` | {cost.python_ms:.2f} | {backend} "
            f"| {cost.statements:g} | {cost.python_ms / baseline:,.1f}× |"
        )
    lines.append("")
    for name, cost in costs.items():
        if cost.one_call:
            tally = ", ".join(
                f"{statement} ×{times}" if times > 1 else statement
                for statement, times in Counter(cost.one_call).items()
            )
            lines.append(f"- {name} ({len(cost.one_call)}): {tally}.")
    return lines
