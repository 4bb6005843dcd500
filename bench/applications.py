"""The long tail's part of `make bench` (`bench/run.py --only applications`).

Citizens sending applications to a department, and the department's staff reading their
queue. After `gorod demo` (every definition, departments, applications in every state),
1,000 signed-in citizens (by default), each with a personal API token and drafts of one short
form service ready to send (answers complete, as the form's own checks accept them), are
written straight into the benchmark's database. Then wrk loads the production server:

- *submit*: POST /api/v1/applications/{id}/submit, each request a different draft
  (bench/applications_mix.lua), so every request is a first submission;
- *queue*: GET /applications/desk/ as the department's operator (a session cookie), with the
  submissions of the runs before it in the queue.

Each runs right after a short /healthz run and is reported as a ratio to it. Afterwards the
database is checked for what submission promises: every 200 is one submitted application,
and no application has two submissions in its history. Then, in this process, the CPU per
request and the SQL statements of one submission and one queue page.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from housing import Costs, _statement
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

SCRIPT = BENCH_DIR / "applications_mix.lua"
SUBMIT_PATH = "/api/v1/applications/{id}/submit"
QUEUE_PATH = "/applications/desk/"
CITIZENS = 1000
DRAFTS_PER_CITIZEN = 12
# The targets on a 2-core machine with PostgreSQL.
TARGET_SUBMISSIONS = 300
TARGET_QUEUE_RPS = 500
TARGET_P99_MS = 200
COST_CALLS = 300

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")


@dataclass
class ApplicationsResult:
    service: str
    citizens: int
    drafts: int
    setup_s: float
    rows: dict[str, Row]
    submitted_counted: list[int]
    stored: int
    doubled: int
    queue_size: int
    costs: Costs


def prepare(workdir: Path) -> tuple[str, Path, str]:
    """The bench's citizens and drafts, and the department's operator; returns the service,
    the drafts file ("TOKEN PUBLIC_ID" a line) and the operator's cookie header."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from gorod.accounts.models import ApiToken, Person, User
    from gorod.accounts.services import API_TOKEN_PREFIX, _hash_secret
    from gorod.applications.models import Application, Definition, DepartmentPost, Event
    from gorod.demo.applications import DEPARTMENT_ROLE, quickest_form, valid_answers

    forms = list(Definition.objects.filter(kind="form").select_related("service__department"))
    slug = quickest_form(forms)
    definition = max(
        (one for one in forms if one.service.slug == slug), key=lambda one: one.version
    )
    rng = random.Random(7)  # noqa: S311 — invented data
    now = timezone.now()
    lines = []
    with transaction.atomic():
        users = [User(email=f"bench-applicant-{n:05d}@gorod.local") for n in range(CITIZENS)]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        people = Person.objects.bulk_create(
            Person(user=user, last_name="Нагрузочный", first_name="Тест",
                   middle_name=f"№ {n}", birth_date=dt.date(1980, 1, 1))
            for n, user in enumerate(users)
        )  # fmt: skip
        tokens = {}
        for user in users:
            prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
            tokens[user.pk] = (prefix, f"{API_TOKEN_PREFIX}_{prefix}_{secret}", secret)
        ApiToken.objects.bulk_create(
            ApiToken(user=user, name="bench", prefix=tokens[user.pk][0],
                     secret_hash=_hash_secret(tokens[user.pk][2]), last_used_at=now)
            for user in users
        )  # fmt: skip
        drafts = []
        for person in people:
            answers = valid_answers(
                definition.document, person_id=person.pk, today=now.date(), rng=rng
            )
            if answers is None:
                raise BenchError(f"no valid answers for {slug}")
            drafts += [
                Application(definition=definition, service=definition.service,
                            department=definition.service.department, applicant=person,
                            subject=person, answers=answers)
                for _ in range(DRAFTS_PER_CITIZEN)
            ]  # fmt: skip
        Application.objects.bulk_create(drafts, batch_size=2000)
        Event.objects.bulk_create(
            (Event(application=draft, at=now, kind=Event.Kind.STATUS, to_status="draft")
             for draft in drafts),
            batch_size=2000,
        )  # fmt: skip
        owner = {person.pk: user.pk for person, user in zip(people, users, strict=True)}
        for draft in drafts:
            lines.append(f"{tokens[owner[draft.applicant_id]][1]} {draft.public_id}")
        operator = User.objects.create_user(
            "bench-operator@gorod.local", secrets.token_urlsafe(16), is_staff=True
        )
        group = Group.objects.filter(name=DEPARTMENT_ROLE).first()
        if group is not None:
            operator.groups.add(group)
        DepartmentPost.objects.create(user=operator, department=definition.service.department)
    # Shuffled, so that the runs' slices spread over the citizens.
    rng.shuffle(lines)
    path = workdir / "drafts.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    client = Client()
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    name = settings.SESSION_COOKIE_NAME
    return slug, path, f"Cookie: {name}={client.cookies[name].value}"


class SubmitWrk(Wrk):
    """wrk with bench/applications_mix.lua for submissions, plain for the rest."""

    def __init__(self, *args, drafts: Path, workdir: Path, runs: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.drafts = drafts
        self.workdir = workdir
        self.runs = runs
        self.run_number = 0

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        if endpoint.name != "submit":
            return super().command(endpoint, seconds)
        self.run_number += 1
        return [
            self.binary, f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds}s",
            "--latency", "--timeout", "5s", "-s", str(SCRIPT), self.base,
            "--", str(self.drafts), str(self.run_number), str(self.runs), str(self.threads),
            str(self.results_path),
        ]  # fmt: skip

    @property
    def results_path(self) -> Path:
        return self.workdir / "applications_mix_results.txt"

    def counted(self, endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, int]:
        self.results_path.unlink(missing_ok=True)
        result = self.run(endpoint, seconds, label)
        counts = script_counts(self.results_path, "applications_mix.lua")
        if counts.get("errors", 0):
            raise BenchError(f"submit: {counts['errors']} answers other than 200")
        if counts.get("exhausted", 0):
            raise BenchError("submit: the prepared drafts ran out; raise DRAFTS_PER_CITIZEN")
        return result, int(counts.get("submitted", 0))


def request_costs(drafts: Path, cookie: str, calls: int) -> Costs:
    """CPU per whole request through Django's test client, and the statements of each."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gorod.analytics.recorder import recorder

    # The last drafts of the file: the wrk runs took theirs from the front.
    spare = drafts.read_text().splitlines()[-(calls + 20) :]
    client = Client(HTTP_HOST="127.0.0.1")
    staff = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie.split(": ", 1)[1])
    pending = iter(spare)

    def submit():
        token, public_id = next(pending).split()
        response = client.post(
            SUBMIT_PATH.format(id=public_id), "{}", content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
        if response.status_code != 200:
            raise BenchError(f"in-process submit: {response.status_code}")

    def queue():
        response = staff.get(QUEUE_PATH)
        if response.status_code != 200:
            raise BenchError(f"in-process queue: {response.status_code}")

    statements = {}
    for name, call in (("submission", submit), ("queue page", queue)):
        call()
        with CaptureQueriesContext(connection) as captured:
            call()
        statements[name] = [_statement(query["sql"]) for query in captured.captured_queries]
    cpu_ms = {}
    cases = {
        "GET /healthz (whole request)": lambda: client.get("/healthz"),
        "POST …/submit (whole request)": submit,
        "GET /applications/desk/ (whole request)": queue,
    }
    for name, call in cases.items():
        runs = calls // 2 if call is submit else calls
        started = time.process_time()
        for _ in range(runs):
            call()
        cpu_ms[name] = (time.process_time() - started) / runs * 1000
    recorder.flush()
    return Costs(calls, cpu_ms, statements)


def applications_bench(args, env, workdir: Path, wrk_binary: str) -> ApplicationsResult:
    django_setup(env)
    from django.db.models import Count

    from gorod.applications.models import Application, Event

    say(f"preparing {CITIZENS:,} citizens with {DRAFTS_PER_CITIZEN} drafts each and a token")
    started = time.perf_counter()
    slug, drafts, cookie = prepare(workdir)
    setup_s = time.perf_counter() - started
    kinds = {
        "submit": Endpoint("submit", SUBMIT_PATH, f"send a prepared draft of «{slug}»"),
        "queue": Endpoint(
            "queue", QUEUE_PATH, "the department's queue, first page", headers=(cookie,)
        ),
    }
    submitted_before = Application.objects.exclude(status="draft").count()
    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "app.log")
    rows = {name: Row(endpoint) for name, endpoint in {"healthz": HEALTHZ, **kinds}.items()}
    counted: list[int] = []
    warm_runs = 1 if args.warmup else 0
    with server:
        wrk = SubmitWrk(
            wrk_binary, args, server.base, workdir, CpuMeter(server.process.pid),
            drafts=drafts, workdir=workdir, runs=args.rounds + warm_runs + 1,
        )  # fmt: skip
        status, body = fetch(server.base + QUEUE_PATH, headers={"Cookie": cookie.split(": ")[1]})
        if status != 200:
            raise BenchError(f"GET {QUEUE_PATH} as the operator answered {status}:\n{body[:300]!r}")
        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            counted.append(wrk.counted(kinds["submit"], args.warmup, "warm-up submit")[1])
            wrk.run(kinds["queue"], args.warmup, "warm-up queue")
        for round_number in range(1, args.rounds + 1):
            for number, (name, endpoint) in enumerate(kinds.items(), start=1):
                label = f"applications round {round_number}/{args.rounds} [{number}/2] {name}"
                before = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
                rows["healthz"].runs.append(before)
                rows["healthz"].ratios.append(1.0)
                if name == "submit":
                    result, sent = wrk.counted(endpoint, args.duration, label)
                    counted.append(sent)
                else:
                    result = wrk.run(endpoint, args.duration, label)
                rows[name].runs.append(result)
                rows[name].ratios.append(result.rps / before.rps)
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                    f"/healthz ({before.rps:,.0f}); p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms{_load_note(before, result)}"
                )
    stored = Application.objects.exclude(status="draft").count() - submitted_before
    doubled = (
        Event.objects.filter(to_status="submitted")
        .values("application_id")
        .annotate(times=Count("id"))
        .filter(times__gt=1)
        .count()
    )
    if doubled:
        raise BenchError(f"{doubled} applications were submitted twice")
    if stored < sum(counted):
        raise BenchError(f"wrk counted {sum(counted)} submissions, the database holds {stored}")
    queue_size = Application.objects.filter(status="submitted").count()
    calls = COST_CALLS // 10 if args.quick else COST_CALLS
    say(f"timing {calls} calls of each kind in this process")
    costs = request_costs(drafts, cookie, calls)
    return ApplicationsResult(
        slug, CITIZENS, CITIZENS * DRAFTS_PER_CITIZEN, setup_s, rows, counted, stored,
        doubled, queue_size, costs,
    )  # fmt: skip


def applications_section(args, argv: list[str], info: str, result: ApplicationsResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings; the demo city (`gorod demo "
        "--no-usage`: every definition, applications in every state) plus "
        f"{result.citizens:,} bench citizens with {result.drafts:,} drafts of «{result.service}»"
        f" and personal API tokens (written in {result.setup_s:,.1f} s).",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency`; *submit* through "
        "`bench/applications_mix.lua` (every request a different draft, a first submission); "
        f"*queue* as the department's operator; {args.rounds} round(s), each kind "
        f"{args.duration} s right after {args.baseline} s of /healthz.",
        "",
        "| load | what | rps | p50 ms | p99 ms | rps ÷ /healthz | range |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for name, row in result.rows.items():
        spread = [run.rps / row.rps for run in row.runs] if name == "healthz" else row.ratios
        lines.append(
            f"| {name} | {row.endpoint.note} | {row.rps:,.0f} | {row.p50_ms:.2f} | "
            f"{row.p99_ms:.2f} | {row.ratio:.0%} | {min(spread):.0%}–{max(spread):.0%} |"
        )
    submit, queue = result.rows["submit"], result.rows["queue"]
    postgres = bool(args.database_url)
    verdicts = [
        ("submissions/s", submit.rps, TARGET_SUBMISSIONS, submit.p99_ms),
        ("queue pages/s", queue.rps, TARGET_QUEUE_RPS, queue.p99_ms),
    ]
    lines.append("")
    for what, rate, target, p99 in verdicts:
        met = rate >= target and p99 < TARGET_P99_MS
        lines.append(
            f"- Target ≥ {target} {what} with p99 < {TARGET_P99_MS} ms: {rate:,.0f}/s, p99 "
            f"{p99:.0f} ms — " + ("met." if met else "**not met**.")
            + ("" if postgres else " (SQLite; the target is PostgreSQL's.)")
        )  # fmt: skip
    lines += [
        f"- The database holds {result.stored:,} new submissions; wrk counted "
        f"{sum(result.submitted_counted):,} answers 200 (not the requests in flight at a "
        f"run's end); no application was submitted twice. The queue held "
        f"{result.queue_size:,} applications waiting for registration at the end.",
        "",
        load_summary(list(result.rows.values()), postgres=postgres),
        "",
        f"Where a request's time goes, in this process after the load ({result.costs.calls:,} "
        "calls each; CPU time of this process, so PostgreSQL's own work is not in it):",
        "",
        "| call | CPU ms per call | ÷ /healthz |",
        "|---|--:|--:|",
    ]
    healthz_ms = next(iter(result.costs.cpu_ms.values()))
    for name, cpu in result.costs.cpu_ms.items():
        lines.append(f"| {name} | {cpu:.3f} | {cpu / healthz_ms:,.1f}× |")
    for name, statements in result.costs.statements.items():
        tally = ", ".join(
            f"{statement} ×{count}" if count > 1 else statement
            for statement, count in Counter(statements).items()
        )
        lines += ["", f"SQL statements of one {name} ({len(statements)}): {tally}."]
    return "\n".join(lines).rstrip() + "\n"
