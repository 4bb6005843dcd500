"""The school diary at evening peak, a part of `make bench` (`bench/run.py --only school`).

Parents check marks and homework every evening; teachers fill the journal after every
lesson. Here 300 parents (by default; 100 with --quick), each with a child of their own
enrolled in a class of the demo school (`gorod demo` built it: classes 1–11, lessons since
1 September, marks), are added to the demo city. Each child gets a journal like their
classmates' (marks weighted by the school's forms of control, a written work's mark and one
to three answers in class a subject a week, none in grade 1, the quarter marks of the
quarters over), written in bulk under the same triggers as any mark. Each parent has a
signed-in session (and a personal token for the diary API); every teacher of the school a
personal token for the journal. Then wrk (bench/school_mix.lua) loads the production server
over loopback:

- *peak*: each request a parent at random opening their child's week (`/school/?week=`,
  one of the last four weeks) or the marks by subject (`/school/marks/`), half and half;
- *week* and *marks*: each page alone, for its own latency;
- *save*: a class's marks for a lesson through the journal API (`PUT
  /api/v1/school/journal/lessons/{id}/marks`, the lesson's teacher's token): every student
  of the lesson gets a mark in a form of control the lesson has none of yet, so the save
  writes them all; a different lesson on every request, so saves do not queue on one
  lesson's row lock.

Each kind runs right after a short /healthz run and its rps is reported as a ratio to it.
Every answer must be 200. After every page run the audit log must hold one
`school.diary_read` row per page counted (plus at most one per connection: the requests in
flight when wrk stops); after every save run each lesson sent holds all of its marks or
none, the saves wrote as many `school.lesson_marks_save` audit rows, and then the run's
marks (and their history rows) are deleted, so every run saves into the same journal.
Afterwards looks sent one at a time must add exactly one row each, and no mark in the whole
database may belong to a pupil outside the lesson's class (or subgroup) or to grade 1.
Last, each request is timed in this process (bench/city_costs.py's `measure`: Python CPU,
the PostgreSQL backend's CPU, SQL statements).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import statistics
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from city_costs import CAPTURED_CALLS, Costs, cost_lines, measure
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
from school_prepare import RECENT_WEEKS, TOKEN_NAME, Prepared, prepare

SCRIPT = BENCH_DIR / "school_mix.lua"
PARENTS = 300
QUICK_PARENTS = 100
EXACT_LOOKS = 20
# Calls of each request timed in this process after the load (a tenth with --quick).
COST_CALLS = 200
# Save plan items at most (each a lesson × a form of control it has no mark in yet).
TARGET_RPS = 800
TARGET_P99_MS = 150
TARGET_SAVES = 200
# Values of the saves' marks, most 4 and 5 as in a journal.
WEEK_PAGE = "/school/"
MARKS_PAGE = "/school/marks/"
DIARY_API = "/api/v1/school/students/{id}/diary"
SAVE_API = "/api/v1/school/journal/lessons/{id}/marks"
AUDIT_READ = "school.diary_read"
AUDIT_SAVE = "school.lesson_marks_save"

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")
KINDS = {
    "peak": Endpoint(
        "peak",
        f"{WEEK_PAGE}?week= + {MARKS_PAGE}",
        "evening peak: half the child's week, half marks by subject",
    ),
    "week": Endpoint("week", f"GET {WEEK_PAGE}?week=…", "the child's week (one of the last 4)"),
    "marks": Endpoint(
        "marks", f"GET {MARKS_PAGE}", "marks by subject: averages, period marks, attendance"
    ),
    "save": Endpoint("save", f"PUT {SAVE_API}", "a class's marks for a lesson, teacher's token"),
}
PAGE_KINDS = ("peak", "week", "marks")


@dataclass
class SchoolResult:
    prepared: Prepared
    rows: dict[str, Row]
    # Per run of each kind: what the script counted (pages, saves).
    counts: dict[str, list[int]]
    # Per run of each kind: audit rows (pages) or lessons saved whole (saves) it added.
    stored: dict[str, list[int]]
    exact: int
    misplaced: dict[str, int]
    costs: dict[str, Costs]
    cost_looks: int
    notes: list[str] = field(default_factory=list)

    def per_second(self, kind: str) -> float:
        return statistics.median(
            counted / run.seconds
            for counted, run in zip(self.counts[kind], self.rows[kind].runs, strict=True)
        )


# --- preparation -----------------------------------------------------------------------


class SchoolWrk(Wrk):
    """wrk with bench/school_mix.lua for the school kinds, plain for /healthz."""

    def __init__(self, *args, workdir: Path, cookie: str, weeks: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = workdir / "school_parents.txt"
        self.saves = workdir / "school_saves.txt"
        self.cookie = cookie
        self.weeks = ",".join(day.isoformat() for day in weeks)
        self.results_path = workdir / "school_mix_results.txt"

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
            "--", endpoint.name, str(self.parents), str(self.saves), self.cookie, self.weeks,
            str(self.threads), str(self.results_path),
        ]  # fmt: skip

    def counted(self, endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, int]:
        """A run and the answers 200 school_mix.lua counted; any other answer fails it,
        and so does a save plan too short for the run."""
        self.results_path.unlink(missing_ok=True)
        result = self.run(endpoint, seconds, label)
        counts = script_counts(self.results_path, "school_mix.lua")
        if counts.get("errors", 0):
            raise BenchError(f"{endpoint.name}: {counts['errors']} answers other than 200")
        if counts.get("wrapped", 0):
            raise BenchError(
                f"{endpoint.name}: the plan of saves ran out ({counts['wrapped']} sent again); "
                "give the run fewer seconds or the plan more lessons"
            )
        return result, counts.get("ok", 0)


def looks_logged(prepared: Prepared) -> int:
    """The diary looks at the bench parents' children the audit log holds."""
    from gorod.core.models import AuditEvent

    return AuditEvent.objects.filter(
        action=AUDIT_READ, actor_id__in=[parent.user_id for parent in prepared.parents]
    ).count()


def saves_stored(prepared: Prepared, since: dt.datetime) -> int:
    """Lessons saved since `since`; each must hold every mark of its save or none, and the
    log one `school.lesson_marks_save` row per lesson saved."""
    from django.db.models import Count

    from gorod.core.models import AuditEvent
    from gorod.school.models import Mark

    sizes = {(item.lesson_id, item.form_id): item.cells for item in prepared.plan}
    saved = 0
    for row in (
        Mark.objects.filter(given_at__gte=since)
        .values("lesson_id", "control_form_id")
        .annotate(marks=Count("id"))
    ):
        key = (row["lesson_id"], row["control_form_id"])
        if sizes.get(key) != row["marks"]:
            raise BenchError(
                f"lesson {key[0]}, form {key[1]}: {row['marks']} marks saved, the save sent "
                f"{sizes.get(key)} (not all or nothing, or not a save of the plan)"
            )
        saved += 1
    audited = AuditEvent.objects.filter(action=AUDIT_SAVE, occurred_at__gte=since).count()
    if audited != saved:
        raise BenchError(f"{saved} lessons saved, {audited} {AUDIT_SAVE} audit rows")
    return saved


def saves_undone(since: dt.datetime) -> None:
    """Delete the marks saved since `since` and their history rows: the next run saves
    into the same journal. (The audit rows stay: the log is append-only.)"""
    from gorod.school.models import Mark, MarkChange

    Mark.objects.filter(given_at__gte=since).delete()
    MarkChange.objects.filter(changed_at__gte=since).delete()


def misplaced_marks() -> dict[str, int]:
    """Marks of the whole database a pupil should not have: outside the lesson's class on
    its date, outside the lesson's subgroup, or in grade 1."""
    from django.db.models import Exists, OuterRef, Q

    from gorod.school.models import Assignment, Enrollment, Mark

    enrolled = Enrollment.objects.filter(
        school_class_id=OuterRef("lesson__assignment__school_class_id"),
        student_id=OuterRef("student_id"),
        starts_on__lte=OuterRef("lesson__date"),
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("lesson__date")))
    members = Assignment.students.through.objects.filter(
        assignment_id=OuterRef("lesson__assignment_id")
    )
    return {
        "outside the class": Mark.objects.filter(~Exists(enrolled)).count(),
        "outside the subgroup": Mark.objects.filter(Exists(members))
        .filter(~Exists(members.filter(person_id=OuterRef("student_id"))))
        .count(),
        "in grade 1": Mark.objects.filter(lesson__assignment__school_class__grade=1).count(),
        "in all": Mark.objects.count(),
    }


def put(url: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 — loopback
        url,
        data=body.encode(),
        headers={"Content-Type": "application/json", **headers},
        method="PUT",
    )
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def page_path(kind: str, n: int, weeks: list[dt.date]) -> str:
    if kind == "week":
        return f"{WEEK_PAGE}?week={weeks[n % len(weeks)].isoformat()}"
    return MARKS_PAGE


def check_answers(base: str, prepared: Prepared, cookie: str) -> None:
    """A parent sees their child's week and marks; a teacher's save writes the class's marks."""
    parent = prepared.parents[0]
    for kind in ("week", "marks"):
        path = page_path(kind, 0, prepared.weeks)
        status, body = fetch(base + path, headers={"Cookie": f"{cookie}={parent.session}"})
        if status != 200 or "Нагрузочный".encode() not in body:
            raise BenchError(f"GET {path} answered {status}, not the child's page:\n{body[:300]!r}")
    item = prepared.plan[0]
    status, body = put(
        base + SAVE_API.format(id=item.lesson_id),
        item.body,
        {"Authorization": f"Bearer {item.token}"},
    )
    if status != 200 or json.loads(body).get("created") != item.cells:
        raise BenchError(
            f"PUT {SAVE_API} answered {status}, not {item.cells} created:\n{body[:500]!r}"
        )


def exact_looks(base: str, prepared: Prepared, cookie: str) -> int:
    """EXACT_LOOKS pages one at a time: each must add exactly one audit row."""
    before = looks_logged(prepared)
    for number in range(EXACT_LOOKS):
        parent = prepared.parents[number % len(prepared.parents)]
        path = page_path(("week", "marks")[number % 2], number, prepared.weeks)
        status, _body = fetch(base + path, headers={"Cookie": f"{cookie}={parent.session}"})
        if status != 200:
            raise BenchError(f"GET {path}: {status}")
    added = looks_logged(prepared) - before
    if added != EXACT_LOOKS:
        raise BenchError(f"{EXACT_LOOKS} looks one at a time added {added} audit rows")
    return added


# --- in-process costs ------------------------------------------------------------------

COST_CASES = {
    "/healthz": "GET /healthz",
    "week page": f"GET {WEEK_PAGE}?week= (cookie)",
    "marks page": f"GET {MARKS_PAGE} (cookie)",
    "diary API": f"GET {DIARY_API} (token)",
    "marks save": f"PUT {SAVE_API} (token)",
}


def request_costs(prepared: Prepared, calls: int) -> tuple[dict[str, Costs], int]:
    """Each request's costs in this process (Django's test client: every middleware, no
    network), each look as the next parent in turn and each save the next lesson of the
    plan; and the looks made, each of which must have added exactly one audit row."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from gorod.accounts.models import ApiToken
    from gorod.analytics.recorder import recorder

    browser, app = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    cookie = settings.SESSION_COOKIE_NAME
    turn, saves = count(), count()

    def expect(response, request: str) -> None:
        if response.status_code != 200:
            raise BenchError(f"in-process {request}: {response.status_code}, not 200")

    def page(kind: str):
        def call() -> None:
            n = next(turn)
            browser.cookies[cookie] = prepared.parents[n % len(prepared.parents)].session
            path = page_path(kind, n, prepared.weeks)
            expect(browser.get(path), f"GET {path}")

        return call

    def diary_api() -> None:
        parent = prepared.parents[next(turn) % len(prepared.parents)]
        path = DIARY_API.format(id=parent.child_id)
        expect(app.get(path, HTTP_AUTHORIZATION=f"Bearer {parent.token}"), f"GET {path}")

    def save() -> None:
        n = next(saves)
        if n >= len(prepared.plan):
            raise BenchError("in-process saves: the plan ran out")
        item = prepared.plan[n]
        response = app.put(
            SAVE_API.format(id=item.lesson_id),
            item.body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {item.token}",
        )
        expect(response, "PUT marks")

    cases = {
        "/healthz": lambda: expect(app.get("/healthz"), "GET /healthz"),
        "week page": page("week"),
        "marks page": page("marks"),
        "diary API": diary_api,
        "marks save": save,
    }
    warm = max(1, calls // 10)
    before = looks_logged(prepared)
    started = timezone.now()
    costs, looks = {}, 0
    django_requests = logging.getLogger("django.request")
    level = django_requests.level
    django_requests.setLevel(logging.ERROR)
    try:
        for name, call in cases.items():
            # Every token used within the minute, as in the load.
            ApiToken.objects.filter(name=TOKEN_NAME).update(last_used_at=timezone.now())
            costs[name] = measure(call, warm, calls)
            if name in ("week page", "marks page", "diary API"):
                looks += warm + calls + CAPTURED_CALLS
    finally:
        django_requests.setLevel(level)
    added = looks_logged(prepared) - before
    if added != looks:
        raise BenchError(f"{looks:,} looks in this process added {added:,} audit rows")
    saves_stored(prepared, started)
    saves_undone(started)
    # The uses counted into this process's buffer: written while the database exists.
    recorder.flush()
    return costs, looks


# --- the part --------------------------------------------------------------------------


def school_bench(args, env: dict[str, str], workdir: Path, wrk_binary: str) -> SchoolResult:
    django_setup(env)
    from django.conf import settings
    from django.utils import timezone

    number = QUICK_PARENTS if args.quick else PARENTS
    say(f"preparing {number} parents, each with a child in the demo school and its journal")
    started = time.perf_counter()
    prepared = prepare(number, workdir)
    prepared.setup_s = time.perf_counter() - started
    say(
        f"{prepared.marks:,} marks for the children, {len(prepared.plan):,} saves planned "
        f"over {prepared.plan_lessons:,} lessons ({prepared.setup_s:.1f} s)"
    )
    cookie = settings.SESSION_COOKIE_NAME
    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "school.log")
    rows = {name: Row(endpoint) for name, endpoint in {"healthz": HEALTHZ, **KINDS}.items()}
    counts: dict[str, list[int]] = {name: [] for name in KINDS}
    stored: dict[str, list[int]] = {name: [] for name in KINDS}
    with server:
        wrk = SchoolWrk(
            wrk_binary,
            args,
            server.base,
            workdir,
            CpuMeter(server.process.pid),
            workdir=workdir,
            cookie=cookie,
            weeks=prepared.weeks,
        )
        since = timezone.now()
        check_answers(server.base, prepared, cookie)
        saves_stored(prepared, since)
        saves_undone(since)

        def measured(endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, int, int]:
            before = looks_logged(prepared)
            run_started = timezone.now()
            result, ok = wrk.counted(endpoint, seconds, label)
            wait_until_idle(wrk.meter)
            if endpoint.name == "save":
                added = saves_stored(prepared, run_started)
                saves_undone(run_started)
                what = "lessons saved whole"
            else:
                added = looks_logged(prepared) - before
                what = f"{AUDIT_READ} audit rows"
            # wrk does not count the requests in flight when it stops; the server does them.
            if not ok <= added <= ok + args.connections:
                raise BenchError(
                    f"{endpoint.name}: wrk counted {ok:,} answers 200, the database gained "
                    f"{added:,} {what}"
                )
            return result, ok, added

        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            for endpoint in KINDS.values():
                measured(endpoint, args.warmup, f"warm-up {endpoint.name}")
        for round_number in range(1, args.rounds + 1):
            for n, (name, endpoint) in enumerate(KINDS.items(), start=1):
                label = f"school round {round_number}/{args.rounds} [{n}/{len(KINDS)}] {name}"
                before = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
                rows["healthz"].runs.append(before)
                rows["healthz"].ratios.append(1.0)
                result, ok, added = measured(endpoint, args.duration, label)
                rows[name].runs.append(result)
                rows[name].ratios.append(result.rps / before.rps)
                counts[name].append(ok)
                stored[name].append(added)
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                    f"/healthz ({before.rps:,.0f}); p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms; {added:,} "
                    + ("lessons saved" if name == "save" else "looks logged")
                    + _load_note(before, result)
                )
        say(f"{EXACT_LOOKS} looks one at a time, counting the audit log's rows")
        exact = exact_looks(server.base, prepared, cookie)
    say("checking every mark of the database against its lesson's class")
    misplaced = misplaced_marks()
    bad = {what: n for what, n in misplaced.items() if what != "in all" and n}
    if bad:
        raise BenchError(f"marks where no pupil of the lesson sat: {bad}")
    calls = COST_CALLS // 10 if args.quick else COST_CALLS
    say(f"timing {calls} calls of each request in this process")
    costs, cost_looks = request_costs(prepared, calls)
    return SchoolResult(prepared, rows, counts, stored, exact, misplaced, costs, cost_looks)


def school_section(args, argv: list[str], info: str, result: SchoolResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    prepared = result.prepared
    postgres = bool(args.database_url)
    low, high = prepared.class_sizes
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above; the demo city "
        "(`gorod demo --no-usage`: its school with classes 1–11, lessons since 1 September "
        f"and their marks) plus {len(prepared.parents):,} bench parents, each with a child "
        f"of their own in one of its {prepared.classes} classes ({low}–{high} pupils a class "
        f"with them), the child's journal ({prepared.marks:,} marks, "
        f"{prepared.final_marks:,} quarter marks; none in grade 1), a session and a token; "
        f"a token for each of the {prepared.teachers} teachers (written in "
        f"{prepared.setup_s:,.1f} s).",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency -s "
        "bench/school_mix.lua`, a parent at random per page (their session cookie, their own "
        f"child: *week* one of the last {RECENT_WEEKS} weeks, *peak* half week, half marks); "
        f"*save* the next of {len(prepared.plan):,} planned saves over "
        f"{prepared.plan_lessons:,} lessons of the open quarter, each a mark for every "
        "student of the lesson in a form of control the lesson had none of, with the "
        f"lesson's teacher's token; {args.rounds} round(s), in each every kind runs "
        f"{args.duration} s right after {args.baseline} s of /healthz, after a "
        f"{args.warmup} s warm-up of each. After each save run its marks are deleted.",
        "",
        "| load | what | rps | p50 ms | p99 ms | rps ÷ /healthz | range |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for name, row in result.rows.items():
        spread = [run.rps / row.rps for run in row.runs] if name == "healthz" else row.ratios
        shown = row.endpoint.note.replace("|", "\\|")
        lines.append(
            f"| {name} | {shown} | {row.rps:,.0f} | {row.p50_ms:.2f} | {row.p99_ms:.2f} "
            f"| {row.ratio:.0%} | {min(spread):.0%}–{max(spread):.0%} |"
        )
    peak, save = result.rows["peak"], result.rows["save"]
    saves = result.per_second("save")
    cells = statistics.fmean(item.cells for item in prepared.plan)
    pages_met = peak.rps >= TARGET_RPS and peak.p99_ms < TARGET_P99_MS
    saves_met = saves >= TARGET_SAVES
    lines += [
        "",
        f"Targets (PostgreSQL, this 2-core machine): the evening peak ≥ {TARGET_RPS} rps "
        f"with p99 < {TARGET_P99_MS} ms — {peak.rps:,.0f} rps, p99 {peak.p99_ms:.0f} ms: "
        + ("met" if pages_met else "**not met**")
        + f"; saving a class's marks ≥ {TARGET_SAVES} saves/s — {saves:,.0f} saves/s "
        f"({cells:.0f} marks each on average, p99 {save.p99_ms:.0f} ms): "
        + ("met." if saves_met else "**not met**.")
        + ("" if postgres else " (This is SQLite: the targets are PostgreSQL's.)"),
        "",
        "Database: after every page run the audit log held one `school.diary_read` row per "
        "page counted (plus the requests in flight at the run's end: "
        + ", ".join(
            f"{name} {sum(result.stored[name]):,} rows for {sum(result.counts[name]):,} pages"
            for name in PAGE_KINDS
        )
        + f"), and {EXACT_LOOKS} looks one at a time added exactly {result.exact}; after "
        "every save run each lesson sent held all of its save's marks or none, with one "
        f"`{AUDIT_SAVE}` audit row each ({sum(result.stored['save']):,} lessons saved for "
        f"{sum(result.counts['save']):,} answers 200). Of the {result.misplaced['in all']:,} "
        "marks in the database afterwards, "
        + ", ".join(f"{n} {what}" for what, n in result.misplaced.items() if what != "in all")
        + ".",
        "",
        load_summary(list(result.rows.values()), postgres=postgres),
        "",
        f"Where a request's time goes, in this process after the load "
        f"({next(iter(result.costs.values())).calls:,} calls each through Django's test "
        "client, every middleware, no network): this process's CPU (Python), the CPU of its "
        "PostgreSQL backend over the same calls, and the SQL statements per call; "
        f"{result.cost_looks:,} looks, each logged.",
        "",
        *cost_lines(result.costs, COST_CASES),
    ]
    return "\n".join(lines).rstrip() + "\n"
