"""The medical record's timeline under load, a part of `make bench` (`bench/run.py --only record`).

Every look at a record writes an access-log row in the same request, so reading a record is
never a pure read: this part measures what that costs. 50 citizens (by default; 5 with
--quick), each with ten years of history (about 500 entries of every section, written by
`gorod.demo.medrecord_family.record_history`, as the demo writes its patients'), a signed-in
session and a personal API token, are added to the demo city. Then wrk
(bench/record_mix.lua) loads the production server over loopback, each request as a
citizen picked at random, opening the first page of the citizen's own timeline:

- *web*: `GET /health/record/{id}/`, the portal page (session cookie);
- *api*: `GET /api/v1/health/record/{id}/timeline`, the JSON API (Bearer token).

Each kind runs right after a short /healthz run and a short run of /api/v1/ping (the
cheapest view through the API stack), and its rps is reported as a ratio to both
neighbours. Every answer must be 200. The log is checked twice: after each wrk run it must
hold one allowed row per page wrk counted (plus at most one per connection: the requests
in flight when wrk stops, which the server still completes) and no denied row; and after
the load, a fixed number of looks sent one at a time must add exactly as many rows.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from health import wait_until_idle
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
    end_progress,
    fetch,
    free_port,
    load_summary,
    say,
    script_counts,
    show_progress,
)

SCRIPT = BENCH_DIR / "record_mix.lua"
CITIZENS = 50
QUICK_CITIZENS = 5
YEARS = 10
ENTRIES = 500
EMAIL_PREFIX = "bench-record-"
# Looks sent one at a time after the load, each of which must add exactly one log row.
EXACT_LOOKS = 50
TIMELINE_API = "/api/v1/health/record/{id}/timeline"

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")
PING = Endpoint("ping", "/api/v1/ping", "cheapest view through the API stack")
KINDS = {
    "web": Endpoint("web", "GET /health/record/{id}/", "the timeline page, signed in"),
    "api": Endpoint("api", f"GET {TIMELINE_API}", "the timeline's first page as JSON, a token"),
}


@dataclass
class Citizen:
    session: str
    token: str
    person_id: int


@dataclass
class RecordResult:
    citizens: list[Citizen]
    entries: int
    setup_s: float
    rows: dict[str, Row]
    # Each kind's runs divided by the /api/v1/ping run just before it.
    ping_ratios: dict[str, list[float]]
    # Per wrk run of each kind: pages counted and log rows the run added.
    looks: dict[str, list[tuple[int, int]]]
    exact: dict[str, int]
    skipped: list[str] = field(default_factory=list)


def prepare(count: int, path: Path) -> tuple[list[Citizen], int]:
    """`count` citizens with a long record, a session and a token; how many entries.

    Written in bulk, not through the services: the setup is not what is measured. Tokens
    are stored as `api_token_create` stores them, sessions as a sign-in stores them.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from gorod.accounts.models import ApiToken, Person, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.demo.medrecord_family import record_history

    if User.objects.filter(email__startswith=EMAIL_PREFIX).exists():
        raise BenchError("the benchmark database already holds the record bench's citizens")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    citizens, entries = [], 0
    with transaction.atomic():
        users = [User(email=f"{EMAIL_PREFIX}{n:05d}@gorod.local") for n in range(count)]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        people = Person.objects.bulk_create(
            Person(
                user=user,
                last_name="Нагрузочный",
                first_name="Пациент",
                middle_name=f"№ {n}",
                birth_date=dt.date(1975 + n % 30, 1 + n % 12, 1 + n % 28),
            )
            for n, user in enumerate(users)
        )
        tokens = []
        for n, (user, person) in enumerate(zip(users, people, strict=True)):
            show_progress(f"records written for {n}/{count} citizens")
            rng = random.Random(n)  # noqa: S311 — invented records, not a secret
            entries += len(record_history(person, years=YEARS, entries=ENTRIES, rng=rng))
            prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(user=user, name="bench", prefix=prefix, secret_hash=_hash_secret(secret))
            )
            session = store()
            session[SESSION_KEY] = str(user.pk)
            # The backend a password sign-in ends with (the first, axes, only refuses).
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            citizens.append(
                Citizen(session.session_key, f"{API_TOKEN_PREFIX}_{prefix}_{secret}", person.pk)
            )
        end_progress()
        ApiToken.objects.bulk_create(tokens)
        # Signed in "just now": the server does not write last_used_at on the first request.
        ApiToken.objects.filter(user__in=users).update(last_used_at=timezone.now())
    path.write_text(
        "".join(f"{c.session} {c.token} {c.person_id}\n" for c in citizens), encoding="utf-8"
    )
    return citizens, entries


def look_path(kind: str, citizen: Citizen) -> str:
    if kind == "web":
        return f"/health/record/{citizen.person_id}/"
    return TIMELINE_API.format(id=citizen.person_id)


def look_headers(kind: str, citizen: Citizen) -> dict[str, str]:
    from django.conf import settings

    if kind == "web":
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={citizen.session}"}
    return {"Authorization": f"Bearer {citizen.token}"}


def logged(citizens: list[Citizen]) -> tuple[int, int]:
    """Allowed and denied looks at the bench's records the access log holds."""
    from django.db.models import Count, Q

    from gorod.medrecord.models.record import AccessLogEntry

    counts = AccessLogEntry.objects.filter(
        patient_id__in=[citizen.person_id for citizen in citizens]
    ).aggregate(
        looks=Count("id", filter=Q(allowed=True)), refused=Count("id", filter=Q(allowed=False))
    )
    return counts["looks"], counts["refused"]


def available_kinds(base: str, citizens: list[Citizen]) -> tuple[dict[str, Endpoint], list[str]]:
    """The kinds whose URL answers 200 for the first citizen; the API's may not exist yet."""
    kinds, skipped = {}, []
    for name, endpoint in KINDS.items():
        status, body = fetch(
            base + look_path(name, citizens[0]), headers=look_headers(name, citizens[0])
        )
        if status == 200:
            kinds[name] = endpoint
        elif name == "api" and status == 404 and b"record_not_found" not in body:
            skipped.append(name)
            say(f"{endpoint.path} is not there (404): measuring the web page only")
        else:
            raise BenchError(f"{endpoint.path}: {status}, not 200:\n{body[:300]!r}")
    return kinds, skipped


class RecordWrk(Wrk):
    """wrk with bench/record_mix.lua for the record kinds, plain for the baselines."""

    def __init__(self, *args, citizens: Path, workdir: Path, cookie: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizens = citizens
        self.cookie = cookie
        self.results_path = workdir / "record_mix_results.txt"

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        if endpoint.name not in KINDS:
            return super().command(endpoint, seconds)
        return [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout", "5s",
            "-s", str(SCRIPT),
            self.base,
            "--", str(self.citizens), endpoint.name, self.cookie, str(self.results_path),
        ]  # fmt: skip

    def counted(self, endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, int]:
        """A run and the pages (200) record_mix.lua counted; any other answer fails it."""
        self.results_path.unlink(missing_ok=True)
        result = self.run(endpoint, seconds, label)
        counts = script_counts(self.results_path, "record_mix.lua")
        if counts.get("errors", 0):
            raise BenchError(f"{endpoint.name}: {counts['errors']} answers other than 200")
        return result, counts.get("pages", 0)


def exact_looks(base: str, citizens: list[Citizen], kinds: dict[str, Endpoint]) -> dict[str, int]:
    """EXACT_LOOKS looks of each kind, one at a time: each must add exactly one log row."""
    added = {}
    for name in kinds:
        before, _denied = logged(citizens)
        for number in range(EXACT_LOOKS):
            citizen = citizens[number % len(citizens)]
            status, _body = fetch(
                base + look_path(name, citizen), headers=look_headers(name, citizen)
            )
            if status != 200:
                raise BenchError(f"{name}: a look answered {status}")
        after, denied = logged(citizens)
        added[name] = after - before
        if added[name] != EXACT_LOOKS or denied:
            raise BenchError(
                f"{name}: {EXACT_LOOKS} looks added {added[name]} allowed log rows "
                f"({denied} denied in all)"
            )
    return added


def record_bench(args, env: dict[str, str], workdir: Path, wrk_binary: str) -> RecordResult:
    django_setup(env)
    from django.conf import settings

    count = QUICK_CITIZENS if args.quick else CITIZENS
    plan_file = workdir / "record_citizens.txt"
    say(f"writing {count} citizens' records of {YEARS} years, about {ENTRIES} entries each")
    started = time.perf_counter()
    citizens, entries = prepare(count, plan_file)
    setup_s = time.perf_counter() - started
    say(f"{entries:,} entries written ({setup_s:.1f} s)")

    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "record.log")
    rows = {name: Row(endpoint) for name, endpoint in {"healthz": HEALTHZ, "ping": PING}.items()}
    ping_ratios: dict[str, list[float]] = {}
    looks: dict[str, list[tuple[int, int]]] = {}
    with server:
        kinds, skipped = available_kinds(server.base, citizens)
        for name, endpoint in kinds.items():
            rows[name] = Row(endpoint)
            ping_ratios[name], looks[name] = [], []
        wrk = RecordWrk(
            wrk_binary,
            args,
            server.base,
            workdir,
            CpuMeter(server.process.pid),
            citizens=plan_file,
            workdir=workdir,
            cookie=settings.SESSION_COOKIE_NAME,
        )

        def measured(endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, int]:
            before, _denied = logged(citizens)
            result, pages = wrk.counted(endpoint, seconds, label)
            wait_until_idle(wrk.meter)
            after, denied = logged(citizens)
            added = after - before
            if denied or not pages <= added <= pages + args.connections:
                raise BenchError(
                    f"{endpoint.name}: wrk counted {pages:,} pages, the access log gained "
                    f"{added:,} allowed rows ({denied} denied): not one row per look"
                )
            return result, added

        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            for endpoint in kinds.values():
                measured(endpoint, args.warmup, f"warm-up {endpoint.name}")
        for round_number in range(1, args.rounds + 1):
            for number, (name, endpoint) in enumerate(kinds.items(), start=1):
                label = f"record round {round_number}/{args.rounds} [{number}/{len(kinds)}] {name}"
                healthz = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
                ping = wrk.run(PING, args.baseline, f"{label}: /api/v1/ping first")
                rows["healthz"].runs.append(healthz)
                rows["healthz"].ratios.append(1.0)
                rows["ping"].runs.append(ping)
                rows["ping"].ratios.append(ping.rps / healthz.rps)
                result, added = measured(endpoint, args.duration, label)
                rows[name].runs.append(result)
                rows[name].ratios.append(result.rps / healthz.rps)
                ping_ratios[name].append(result.rps / ping.rps)
                looks[name].append((result.requests, added))
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / healthz.rps:.0%} of "
                    f"/healthz ({healthz.rps:,.0f}), {result.rps / ping.rps:.0%} of "
                    f"/api/v1/ping ({ping.rps:,.0f}); p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms; {added:,} looks logged"
                    f"{_load_note(healthz, result)}"
                )
        say(f"{EXACT_LOOKS} looks of each kind one at a time, counting the log's rows")
        exact = exact_looks(server.base, citizens, kinds)
    return RecordResult(
        citizens, entries, setup_s, rows, ping_ratios, looks, exact, skipped=skipped
    )


def record_section(args, argv: list[str], info: str, result: RecordResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    per_citizen = result.entries / max(len(result.citizens), 1)
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above; the demo city "
        f"(`gorod demo --no-usage`, its records included) plus {len(result.citizens):,} "
        f"citizens with {YEARS} years of record each ({per_citizen:,.0f} entries on average, "
        f"{result.entries:,} in all, written in {result.setup_s:,.1f} s), a session and a "
        "personal API token.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency -s "
        f"bench/record_mix.lua`, a citizen at random per request, the first page "
        f"(settings.GOROD_HEALTH_TIMELINE_PAGE entries) of the citizen's own timeline; "
        f"{args.rounds} round(s), in each every kind runs {args.duration} s right after "
        f"{args.baseline} s of /healthz and {args.baseline} s of /api/v1/ping, after a "
        f"{args.warmup} s warm-up of each.",
        "",
        "| load | what | rps | p50 ms | p99 ms | rps ÷ /healthz | rps ÷ /api/v1/ping | range |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in result.rows.items():
        if name == "healthz":
            spread = [run.rps / row.rps for run in row.runs]
            by_ping = ""
        else:
            spread = row.ratios
            by_ping = (
                f"{statistics.median(result.ping_ratios[name]):.0%}"
                if name in result.ping_ratios
                else "100%"
            )
        lines.append(
            f"| {name} | {row.endpoint.note} | {row.rps:,.0f} | {row.p50_ms:.2f} "
            f"| {row.p99_ms:.2f} | {row.ratio:.0%} | {by_ping} "
            f"| {min(spread):.0%}–{max(spread):.0%} |"
        )
    logged_rows = {
        name: sum(added for _requests, added in runs) for name, runs in result.looks.items()
    }
    lines += [
        "",
        "Access log: after every wrk run it held one allowed row per page counted (plus the "
        "requests in flight at the run's end) and no denied row ("
        + ", ".join(f"{name}: {count:,} rows" for name, count in logged_rows.items())
        + "); afterwards "
        + ", ".join(
            f"{EXACT_LOOKS} {name} looks one at a time added {count}"
            for name, count in result.exact.items()
        )
        + " rows, exactly one each.",
    ]
    if result.skipped:
        lines += ["", f"Not measured: {', '.join(result.skipped)} (the endpoint was not there)."]
    lines += ["", load_summary(list(result.rows.values()), postgres=bool(args.database_url))]
    return "\n".join(lines).rstrip() + "\n"
