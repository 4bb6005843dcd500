"""The month-end part of `make bench` (`bench/run.py --only housing`).

The last days of a window are when a million households send their meter readings. Here
2,000 signed-in citizens (by default), each with an apartment, a cold and a hot water
meter holding last month's reading, and a personal API token, are written straight into
the benchmark's database (after `gorod demo`, whose invented households fill the tables
around them). Then wrk (bench/meters_mix.lua) loads the production server over loopback:

- *mix*: 70 % GET /api/v1/housing/premises, 30 % POST /api/v1/housing/premises/{id}/readings
  (both meters, a fresh Idempotency-Key, values that are always accepted), each request
  as a citizen picked at random;
- *submit*: submissions only, the sustained rate of accepted submissions and their latency;
- *view*: views only, their latency.

Each round runs each of them right after a short /healthz run, and its rps is reported as
a ratio to that neighbour, as in the rest of the bench. Every answer must be 200 (a view)
or 201 (an accepted submission); anything else fails the run.

The server reads the real clock. When no submission window is open today, the run says so
and opens one for the server with GOROD_METER_WINDOW_START_DAY/END_DAY (1st to 28th, or
the 28th to the 27th on the last days of a month); the section written says which window
the figures were measured in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

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
    _opener,
    code_version,
    command_line,
    django_setup,
    fetch,
    free_port,
    load_summary,
    say,
    script_counts,
)

SCRIPT = BENCH_DIR / "meters_mix.lua"
PREMISES_API = "/api/v1/housing/premises"
CITIZENS = 2000
# The target on a 2-core machine with PostgreSQL.
TARGET_SUBMISSIONS = 500
TARGET_P99_MS = 200
# Calls of each kind timed in this process after the load (a tenth with --quick).
COST_CALLS = 500
# Payer codes of the bench's apartments: the demo's start with 99, tests' with 77.
PAYER_PREFIX = "98"

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")
KINDS = {
    "mix": Endpoint(
        "mix",
        f"{PREMISES_API} + …/readings",
        "70 % view my meters, 30 % submit two readings",
    ),
    "submit": Endpoint(
        "submit", f"POST {PREMISES_API}/{{id}}/readings", "submit two readings (cold, hot)"
    ),
    "view": Endpoint("view", f"GET {PREMISES_API}", "view my premises, meters, last readings"),
}


@dataclass
class Window:
    period: dt.date
    opens_on: dt.date
    closes_on: dt.date
    # Settings given to the server to open a window today; empty when one is open anyway.
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Costs:
    """Where a request's time goes, measured in this process after the load."""

    calls: int
    # CPU milliseconds per call of this process, by what was called.
    cpu_ms: dict[str, float]
    # The SQL statements of one view and of one submission, shortened ("SELECT housing_meter").
    statements: dict[str, list[str]]


@dataclass
class HousingResult:
    citizens: int
    window: Window
    setup_s: float
    rows: dict[str, Row]
    # Per run of "mix" and "submit": accepted submissions and views wrk counted.
    counts: dict[str, list[dict[str, int]]]
    stored: int  # submissions the database holds after the run
    answered: int  # 201 answers wrk counted
    costs: Costs

    def per_second(self, kind: str, name: str) -> float:
        return statistics.median(
            counts[name] / run.seconds
            for counts, run in zip(self.counts[kind], self.rows[kind].runs, strict=True)
        )


def submission_window() -> Window:
    """The window open today under the configured days, or settings that open one."""
    from django.conf import settings

    from gorod.core import clock
    from gorod.housing import rules, selectors

    now = dt.datetime.now(dt.UTC)
    config = selectors.window_config()
    env = {}
    if rules.open_window(now, clock.city_zone(), config) is None:
        today = clock.local_date(now)
        start, end = (1, 28) if today.day <= 28 else (28, 27)
        configured = (
            f"{settings.GOROD_METER_WINDOW_START_DAY}–{settings.GOROD_METER_WINDOW_END_DAY}"
        )
        say(
            f"no submission window is open today ({today}, window days {configured}); "
            "the server gets "
            f"GOROD_METER_WINDOW_START_DAY={start} GOROD_METER_WINDOW_END_DAY={end}"
        )
        config = rules.WindowConfig(start_day=start, end_day=end)
        env = {"GOROD_METER_WINDOW_START_DAY": str(start), "GOROD_METER_WINDOW_END_DAY": str(end)}
    window = rules.open_window(now, clock.city_zone(), config)
    return Window(window.period, window.opens_on, window.closes_on, env)


def prepare_citizens(count: int, period: dt.date, path: Path) -> None:
    """`count` citizens with an apartment, two meters, last month's readings and a token.

    Written in bulk, not through the services: the setup is not what is measured. Tokens
    are stored as `api_token_create` stores them (the hash of the secret), so the server
    authenticates them as it would any other.
    """
    from django.db import transaction
    from django.utils import timezone

    from gorod.accounts.models import ApiToken, Person, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.core import clock
    from gorod.housing import rules
    from gorod.housing.models import Meter, Premises, PremisesLink, Reading

    if User.objects.filter(email__startswith="bench-housing-").exists():
        raise BenchError("the benchmark database already holds the housing bench's citizens")
    previous = rules.add_months(period, -1)
    sent_at = dt.datetime.combine(previous.replace(day=20), dt.time(19, 30), clock.city_zone())
    lines = []
    with transaction.atomic():
        users = [User(email=f"bench-housing-{n:05d}@gorod.local") for n in range(count)]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        people = Person.objects.bulk_create(
            Person(
                user=user,
                last_name="Нагрузочный",
                first_name="Тест",
                middle_name=f"№ {n}",
                birth_date=dt.date(1980, 1, 1),
            )
            for n, user in enumerate(users)
        )
        premises = Premises.objects.bulk_create(
            Premises(
                payer_code=f"{PAYER_PREFIX}{n:08d}",
                apartment=str(n % 400 + 1),
                address=f"Москва, Нагрузочная ул., д. {n // 400 + 1}",
                residents=2,
            )
            for n in range(count)
        )
        PremisesLink.objects.bulk_create(
            PremisesLink(
                person=person,
                premises=apartment,
                role=PremisesLink.Role.OWNER,
                verified_by=PremisesLink.Verification.PAYMENT_DOCUMENT,
            )
            for person, apartment in zip(people, premises, strict=True)
        )
        meters = Meter.objects.bulk_create(
            Meter(
                premises=apartment,
                kind=kind,
                unit=Meter.Unit.CUBIC_METRE,
                serial=f"Б-{n:07d}",
                location="ванная",
                installed_on=dt.date(2024, 1, 10),
                commissioned_on=dt.date(2024, 1, 15),
                initial_value=0,
                next_verification_on=dt.date(2030, 1, 10),
            )
            for n, apartment in enumerate(premises)
            for kind in (Meter.Kind.COLD_WATER, Meter.Kind.HOT_WATER)
        )
        last = {meter.pk: (100 + meter.pk % 400) * 1000 + meter.pk % 997 for meter in meters}
        Reading.objects.bulk_create(
            Reading(
                meter=meter,
                period=previous,
                value=_decimal(last[meter.pk]),
                previous_value=0,
                submitted_at=sent_at,
                channel="api",
            )
            for meter in meters
        )
        tokens = []
        for n, user in enumerate(users):
            prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(user=user, name="bench", prefix=prefix, secret_hash=_hash_secret(secret))
            )
            cold, hot = meters[2 * n], meters[2 * n + 1]
            lines.append(
                f"{API_TOKEN_PREFIX}_{prefix}_{secret} {premises[n].pk} {cold.pk} {hot.pk} "
                f"{last[cold.pk] / 1000:.3f} {last[hot.pk] / 1000:.3f}"
            )
        ApiToken.objects.bulk_create(tokens)
        # Signed in "just now": the server does not write last_used_at on the first request.
        ApiToken.objects.filter(user__in=users).update(last_used_at=timezone.now())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _decimal(thousandths: int):
    from decimal import Decimal

    return Decimal(thousandths).scaleb(-3)


class HousingWrk(Wrk):
    """wrk with bench/meters_mix.lua for the housing kinds, plain for /healthz."""

    def __init__(self, *args, citizens: Path, workdir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizens = citizens
        self.workdir = workdir
        self.runs = 0

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        if endpoint.name not in KINDS:
            return super().command(endpoint, seconds)
        self.runs += 1
        # Keys are unique per account: a fresh nonce per wrk run keeps them so across runs.
        nonce = f"{secrets.token_hex(4)}{self.runs}"
        return [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout", "5s",
            "-s", str(SCRIPT),
            self.base,
            "--", str(self.citizens), endpoint.name, nonce, str(self.results_path),
        ]  # fmt: skip

    @property
    def results_path(self) -> Path:
        return self.workdir / "meters_mix_results.txt"

    def counted(self, endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, dict]:
        """A run and what the script counted: views, submissions (201) and errors."""
        self.results_path.unlink(missing_ok=True)
        result = self.run(endpoint, seconds, label)
        counts = script_counts(self.results_path, "meters_mix.lua")
        if counts.get("errors", 0):
            raise BenchError(f"{endpoint.name}: {counts['errors']} answers neither 200 nor 201")
        return result, counts


def post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 — loopback
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check_answers(base: str, citizens: Path) -> None:
    """One citizen sees one apartment with two meters, and a submission is accepted.

    The submission carries the personal token and nothing else, as a program would: no
    session, no CSRF cookie.
    """
    token, premises, cold, hot, cold_last, hot_last = citizens.read_text().split("\n")[0].split()
    headers = {"Authorization": f"Bearer {token}"}
    status, body = fetch(base + PREMISES_API, headers=headers)
    if status != 200:
        raise BenchError(f"GET {PREMISES_API} answered {status}:\n{body[:500]!r}")
    found = json.loads(body)
    if not found["window"]["open"] or [len(p["meters"]) for p in found["premises"]] != [2]:
        raise BenchError(f"GET {PREMISES_API}: not one premises with two meters, open:\n{found}")
    readings = [
        {"meter_id": int(cold), "value": f"{float(cold_last) + 0.5:.3f}"},
        {"meter_id": int(hot), "value": f"{float(hot_last) + 0.5:.3f}"},
    ]
    path = f"{PREMISES_API}/{premises}/readings"
    status, body = post(
        base + path, {"readings": readings}, {**headers, "Idempotency-Key": "bench-check"}
    )
    if status != 201:
        raise BenchError(f"POST {path} answered {status}, not 201:\n{body[:500]!r}")


STATEMENT = re.compile(r'^\s*(\w+)(?:.*?\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?)?', re.S)


def _statement(sql: str) -> str:
    """A statement as its verb and first table: "SELECT accounts_apitoken"."""
    found = STATEMENT.match(sql)
    verb, table = found.group(1).upper(), found.group(2) or ""
    if verb == "UPDATE":
        table = sql.split()[1].strip('"')
    return f"{verb} {table}".strip()


def request_costs(citizens: Path, window: Window, calls: int) -> Costs:
    """CPU per call of the whole request (Django's test client: the full middleware stack,
    no network) and of the selector or service inside, and the statements each sends."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from gorod.accounts.services import api_token_authenticate
    from gorod.analytics.recorder import recorder
    from gorod.housing import selectors, services

    token, premises, cold, hot, cold_last, hot_last = citizens.read_text().split("\n")[1].split()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client(HTTP_HOST="127.0.0.1")
    actor = api_token_authenticate(token)
    sent = iter(range(1, 10**9))

    def values() -> dict[int, str]:
        step = 1 + next(sent) / 1000
        return {
            int(cold): f"{float(cold_last) + step:.3f}",
            int(hot): f"{float(hot_last) + step:.3f}",
        }

    def view():
        response = client.get(PREMISES_API, **auth)
        if response.status_code != 200:
            raise BenchError(f"in-process GET {PREMISES_API}: {response.status_code}")

    def submit():
        body = {"readings": [{"meter_id": m, "value": v} for m, v in values().items()]}
        response = client.post(
            f"{PREMISES_API}/{premises}/readings",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-in-process-{secrets.token_hex(8)}",
            **auth,
        )
        if response.status_code != 201:
            raise BenchError(f"in-process POST readings: {response.status_code}")

    cases = {
        "GET /healthz (whole request)": lambda: client.get("/healthz"),
        f"GET {PREMISES_API} (whole request)": view,
        "↳ api_token_authenticate": lambda: api_token_authenticate(token),
        "↳ selectors.my_meters": lambda: selectors.my_meters(actor=actor),
        f"POST {PREMISES_API}/{{id}}/readings (whole request)": submit,
        "↳ services.readings_submit": lambda: services.readings_submit(
            actor=actor,
            premises_id=int(premises),
            values=values(),
            idempotency_key=f"bench-in-process-{secrets.token_hex(8)}",
            channel="api",
        ),
    }
    cpu_ms = {}
    statements = {}
    # The window the server had, if the bench opened one.
    with override_settings(**{key: int(value) for key, value in window.env.items()}):
        for name, call in (("view", view), ("submit", submit)):
            call()
            with CaptureQueriesContext(connection) as captured:
                call()
            statements[name] = [_statement(query["sql"]) for query in captured.captured_queries]
        for name, call in cases.items():
            for _ in range(max(1, calls // 10)):
                call()
            started = time.process_time()
            for _ in range(calls):
                call()
            cpu_ms[name] = (time.process_time() - started) / calls * 1000
    # The submissions above counted their uses into this process's buffer: written now,
    # while the benchmark's database still exists, not by the exit hook after it is gone.
    recorder.flush()
    return Costs(calls, cpu_ms, statements)


def housing_bench(args, env: dict[str, str], workdir: Path, wrk_binary: str) -> HousingResult:
    django_setup(env)
    from gorod.housing.models import Submission

    window = submission_window()
    citizens = workdir / "citizens.txt"
    say(f"preparing {CITIZENS:,} citizens with an apartment, two meters and a token")
    started = time.perf_counter()
    prepare_citizens(CITIZENS, window.period, citizens)
    setup_s = time.perf_counter() - started
    submissions_before = Submission.objects.count()

    server = Server(
        {**env, **window.env},
        free_port(),
        args.workers,
        args.blocking_threads,
        workdir / "housing.log",
    )
    rows = {name: Row(endpoint) for name, endpoint in {"healthz": HEALTHZ, **KINDS}.items()}
    counts: dict[str, list[dict[str, int]]] = {"mix": [], "submit": [], "view": []}
    answered = 1  # the check's submission
    with server:
        wrk = HousingWrk(
            wrk_binary,
            args,
            server.base,
            workdir,
            CpuMeter(server.process.pid),
            citizens=citizens,
            workdir=workdir,
        )
        check_answers(server.base, citizens)
        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            for endpoint in KINDS.values():
                _result, warm = wrk.counted(endpoint, args.warmup, f"warm-up {endpoint.name}")
                answered += warm.get("submissions", 0)
        for round_number in range(1, args.rounds + 1):
            for number, (name, endpoint) in enumerate(KINDS.items(), start=1):
                label = f"housing round {round_number}/{args.rounds} [{number}/{len(KINDS)}] {name}"
                before = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
                rows["healthz"].runs.append(before)
                rows["healthz"].ratios.append(1.0)
                result, counted = wrk.counted(endpoint, args.duration, label)
                rows[name].runs.append(result)
                rows[name].ratios.append(result.rps / before.rps)
                counts[name].append(counted)
                answered += counted.get("submissions", 0)
                accepted = counted.get("submissions", 0) / result.seconds
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                    f"/healthz ({before.rps:,.0f}); {accepted:,.0f} accepted submissions/s; "
                    f"p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms{_load_note(before, result)}"
                )
    stored = Submission.objects.count() - submissions_before
    calls = COST_CALLS // 10 if args.quick else COST_CALLS
    say(f"timing {calls} calls of each kind in this process")
    costs = request_costs(citizens, window, calls)
    return HousingResult(CITIZENS, window, setup_s, rows, counts, stored, answered, costs)


def housing_section(args, argv: list[str], info: str, result: HousingResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    window = result.window
    opened = (
        "a window opened for the run with "
        + " ".join(f"{key}={value}" for key, value in sorted(window.env.items()))
        + " (none was open on the day of the run)"
        if window.env
        else "the configured window, open on the day of the run"
    )
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above; the demo city "
        "(`gorod demo --no-usage`: its invented households and their year of readings) "
        f"plus {result.citizens:,} bench citizens, each with an apartment, a cold and a hot "
        "water meter with last month's reading, and a personal API token (written in "
        f"{result.setup_s:,.1f} s).",
        f"- Window: billing period {window.period:%Y-%m}, {window.opens_on} – "
        f"{window.closes_on}: {opened}.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency -s bench/meters_mix.lua`"
        f", a citizen at random per request, authenticated by `Authorization: Bearer` token; "
        f"{args.rounds} round(s), in each every kind runs {args.duration} s right after "
        f"{args.baseline} s of /healthz, after a {args.warmup} s warm-up of each.",
        "",
        "| load | what | rps | accepted submissions/s | p50 ms | p99 ms | rps ÷ /healthz | range |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, row in result.rows.items():
        if name == "healthz":
            median = row.rps
            spread = [run.rps / median for run in row.runs]
            accepted = ""
        else:
            spread = row.ratios
            accepted = f"{result.per_second(name, 'submissions'):,.0f}" if name != "view" else ""
        lines.append(
            f"| {name} | {row.endpoint.note} | {row.rps:,.0f} | {accepted} | {row.p50_ms:.2f} "
            f"| {row.p99_ms:.2f} | {row.ratio:.0%} | {min(spread):.0%}–{max(spread):.0%} |"
        )
    submit = result.rows["submit"]
    rate = result.per_second("submit", "submissions")
    met = rate >= TARGET_SUBMISSIONS and submit.p99_ms < TARGET_P99_MS
    postgres = bool(args.database_url)
    lines += [
        "",
        f"Target (PostgreSQL, this 2-core machine: ≥ {TARGET_SUBMISSIONS} accepted "
        f"submissions/s with p99 < {TARGET_P99_MS} ms, no errors), judged on the *submit* "
        f"load: {rate:,.0f}/s, p99 {submit.p99_ms:.0f} ms — "
        + ("met." if met else "**not met**.")
        + ("" if postgres else " (This is SQLite: the target is PostgreSQL's.)")
        + f" In the *mix* load {result.per_second('mix', 'submissions'):,.0f} submissions/s "
        f"were accepted beside {result.per_second('mix', 'views'):,.0f} views/s. No answer "
        f"other than 200 or 201. The database holds {result.stored:,} new submissions; wrk "
        f"counted {result.answered:,} answers 201 (it does not count the requests in "
        "flight when a run ends, which the server still completes).",
        "",
        load_summary(list(result.rows.values()), postgres=postgres),
    ]
    costs = result.costs
    lines += [
        "",
        f"Where a request's time goes, in this process after the load ({costs.calls:,} calls "
        "each; CPU time of this process, so PostgreSQL's own work is not in it, SQLite's "
        "is): the whole request through Django's test client (every middleware, no "
        "network), and (↳) the call inside it.",
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
