"""The enrollment morning of clubs and sections, a part of `make bench` (`bench/run.py --only
clubs`).

Main enrollment opens on one August morning and every parent tries at once: they search
for a group, open its page and press "apply". The demo city's clubs (`gorod demo`: the
city's registers of organisations and sections, about 2,300 invented groups with
schedules, some full with a waiting list) are multiplied to the city's size, 135,000
active groups of 45,000 programmes (bench/clubs_prepare.py `multiply`); 4,000 families
(1,000 with --quick), each a parent with a personal API token and a verified child of nine, are
added, and RUSH_GROUPS popular groups no one has applied to yet get RUSH_PLACES places
each (bench/clubs_prepare.py). Then wrk (bench/clubs_mix.lua) loads the production server
over loopback:

- *search*: anonymous parents on `/clubs/` with the typical queries, one at random per
  request: a word («шахматы», «футбол», «рисование», …), a district and an age, no criteria
  at all, a word typed with the English layout on;
- *search-empty*: `/clubs/` with no criteria, the page everyone lands on first;
- *api*: the same queries through `GET /api/v1/clubs/groups`;
- *group*: a group's page, `/clubs/groups/{id}/`, one of 500 at random;
- *rush*: `POST /api/v1/clubs/applications` {child_id, group_id}, each request a family
  that has not applied yet (the script deals them by index), the families spread over the
  rush groups in turn, so a run seats RUSH_GROUPS × RUSH_PLACES children and puts the rest
  on the waiting lists.
- *mix*: the enrollment morning at once, what the issue's targets are judged on: each
  request a search (page or API, the typical queries) with probability 70 %, else the
  next family's application; the searches and applications a second are counted apart.

Each kind runs right after a short /healthz run and its rps is reported as a ratio to it.
Every search and page answer must be 200; every application 201 (a family sent twice,
when the script's list runs out, must get a clean 409 `already_applied`, counted apart).
After every rush and mix run the database is checked, and the run fails loudly when any of it is
broken: for every group of the city `taken` equals its place-holding applications and
never exceeds its capacity; in each rush group the place-holders are the earliest
submissions, the rest wait with positions 1…n in submission order; every application has
exactly one `clubs.application_submitted` audit row and one history event; as many
applications as wrk counted 201 answers (plus at most one per connection: the requests in
flight when wrk stops). Then the run's applications are deleted and the groups' `taken`
reset, so every run starts from the same empty groups.

Last, each request is timed in this process (bench/city_costs.py's `measure`: Python CPU,
the PostgreSQL backend's CPU, SQL statements), and the slowest is profiled (cProfile).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import logging
import pstats
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from city_costs import CAPTURED_CALLS, Costs, cost_lines, measure
from clubs_prepare import (
    APPLY_API,
    EMAIL_PREFIX,
    RUSH_PLACES,
    SEARCH_API,
    SEARCH_PAGE,
    Prepared,
    apply_body,
    prepare,
    tokens_used,
)
from health import wait_until_idle
from housing import post
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

SCRIPT = BENCH_DIR / "clubs_mix.lua"
FAMILIES = 4000
QUICK_FAMILIES = 1000
# Calls of each request timed in this process after the load (a tenth with --quick): at
# the city's size a search page takes half a second.
COST_CALLS = 50
# Requests of the slowest path profiled, and the entries shown.
PROFILE_CALLS = 30
PROFILE_ENTRIES = 12
AUDIT_SUBMIT = "clubs.application_submitted"
# The targets for the mix, on a 2-core machine.
TARGET_SEARCHES = 800  # searches a second
TARGET_APPLIES = 300  # applications a second
TARGET_P99_MS = 250
# The word whose full-text statement is EXPLAINed at the city's size.
EXPLAINED_WORD = "футбол"

HEALTHZ = Endpoint("healthz", "/healthz", "trivial view: the baseline")
KINDS = {
    "search": Endpoint(
        "search", f"GET {SEARCH_PAGE}?…", "search page, the typical queries at random"
    ),
    "search-empty": Endpoint(
        "search-empty", f"GET {SEARCH_PAGE}", "search page, no criteria (the first look)"
    ),
    "api": Endpoint("api", f"GET {SEARCH_API}?…", "search API, the same queries"),
    "group": Endpoint("group", "GET /clubs/groups/{id}/", "a group's page (500 at random)"),
    "rush": Endpoint(
        "rush",
        f"POST {APPLY_API}",
        "the rush: a new family applies (token)",
        counted_errors=True,
    ),
    "mix": Endpoint(
        "mix",
        f"GET {SEARCH_PAGE}?… / {SEARCH_API}?… 70 %, POST {APPLY_API} 30 %",
        "the morning: 70 % searches (page and API), 30 % applications",
        counted_errors=True,
    ),
}
# The kinds that apply: the database is checked after each of their runs, then undone.
APPLYING = ("rush", "mix")


@dataclass(frozen=True)
class RushCheck:
    """What the database held after a rush run, every invariant checked."""

    applications: int
    placed: int
    waiting: int
    groups_checked: int  # every group of the city: taken = its place-holders ≤ capacity


@dataclass
class ClubsResult:
    prepared: Prepared
    rows: dict[str, Row]
    # Per rush run: what the script counted, and what the database held.
    rush_counts: list[dict[str, int]]
    rush_checks: list[RushCheck]
    costs: dict[str, Costs]
    cost_check: RushCheck
    profiled: str
    profile: list[str]
    explained: list[str]
    # Per mix run: what the script counted, and what the database held.
    mix_counts: list[dict[str, int]] = field(default_factory=list)
    mix_checks: list[RushCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def applies_per_second(self) -> float:
        return statistics.median(
            counts["created"] / run.seconds
            for counts, run in zip(self.rush_counts, self.rows["rush"].runs, strict=True)
        )

    def mix_rates(self) -> list[tuple[float, float]]:
        """Per mix run: searches answered a second, applications made a second."""
        return [
            (counts["ok"] / run.seconds, counts["created"] / run.seconds)
            for counts, run in zip(self.mix_counts, self.rows["mix"].runs, strict=True)
        ]


# --- load ------------------------------------------------------------------------------


class ClubsWrk(Wrk):
    """wrk with bench/clubs_mix.lua for the clubs kinds, plain for /healthz."""

    def __init__(self, *args, files: dict[str, Path], workdir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.files = files
        self.results_path = workdir / "clubs_mix_results.txt"

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        if endpoint.name not in KINDS:
            return super().command(endpoint, seconds)
        mode = {"rush": "apply", "mix": "mix"}.get(endpoint.name, "get")
        families = [str(self.files["rush"])] if mode == "mix" else []
        return [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout", "5s",
            "-s", str(SCRIPT),
            self.base,
            "--", mode, str(self.files[endpoint.name]), str(self.threads),
            str(self.results_path), *families,
        ]  # fmt: skip

    def counted(self, endpoint: Endpoint, seconds: int, label: str) -> tuple[WrkResult, dict]:
        """A run and what clubs_mix.lua counted; an answer it did not expect fails it."""
        self.results_path.unlink(missing_ok=True)
        result = self.run(endpoint, seconds, label)
        counts = script_counts(self.results_path, "clubs_mix.lua")
        if counts.get("errors", 0):
            raise BenchError(f"{endpoint.name}: {counts['errors']} unexpected answers")
        # A family sent again (the list ran out) must find its child's application; one
        # sent once that finds one is a child applied twice.
        if counts.get("again", 0) > counts.get("wrapped", 0):
            raise BenchError(
                f"{endpoint.name}: {counts.get('wrapped', 0)} families sent again, "
                f"{counts.get('again', 0)} answers 409 already_applied"
            )
        return result, counts


# --- the database after a rush ------------------------------------------------------------


def rush_check(prepared: Prepared) -> RushCheck:
    """The invariants of places and queues, over the whole database; BenchError if any is
    broken. The bench's applications are all in the rush groups, which held none before."""
    from django.db.models import Count, F, Q

    from gorod.clubs import rules
    from gorod.clubs.models import Application, ApplicationEvent, Group
    from gorod.clubs.selectors import waiting_positions
    from gorod.core.models import AuditEvent

    holding = Count("applications", filter=Q(applications__status__in=rules.HOLDING_PLACE))
    groups = Group.objects.annotate(holders=holding)
    wrong = list(
        groups.filter(~Q(taken=F("holders")) | Q(taken__gt=F("capacity"))).values_list(
            "pk", "taken", "holders", "capacity"
        )[:5]
    )
    if wrong:
        raise BenchError(
            "groups whose places do not add up (id, taken, place-holding applications, "
            f"capacity): {wrong}"
        )
    ours = Application.objects.filter(representative__user__email__startswith=EMAIL_PREFIX)
    applications = list(ours.order_by("group_id", "submitted_at", "id"))
    rush = set(prepared.rush_ids)
    strays = [a.pk for a in applications if a.group_id not in rush]
    strays += list(
        Application.objects.filter(group_id__in=rush)
        .exclude(pk__in=ours.values("pk"))
        .values_list("pk", flat=True)
    )
    if strays:
        raise BenchError(f"applications outside the bench's families and groups: {strays[:10]}")
    by_group: dict[int, list] = defaultdict(list)
    for application in applications:
        by_group[application.group_id].append(application)
    placed = waiting = 0
    for group in Group.objects.filter(pk__in=rush).select_related("programme"):
        queue = by_group[group.pk]  # in submission order
        if [a.pk for a in queue] != sorted(a.pk for a in queue):
            raise BenchError(f"group {group.pk}: submission moments not in the order of the rows")
        seats = min(group.capacity, len(queue))
        place = rules.status_on_place(requires_test=group.programme.requires_test)
        holders, waiters = queue[:seats], queue[seats:]
        if group.taken != seats:
            raise BenchError(f"group {group.pk}: taken {group.taken}, {seats} places held")
        if any(a.status != place for a in holders) or any(
            a.status != Application.Status.WAITLISTED for a in waiters
        ):
            statuses = [a.status for a in queue]
            raise BenchError(
                f"group {group.pk}: the place-holders are not the {seats} earliest "
                f"submissions ({place}), the rest waitlisted: {statuses}"
            )
        positions = waiting_positions(waiters)
        if [positions.get(a.pk) for a in waiters] != list(range(1, len(waiters) + 1)):
            raise BenchError(f"group {group.pk}: waiting positions are not 1…{len(waiters)}")
        placed += len(holders)
        waiting += len(waiters)
    ids = [a.pk for a in applications]
    audited = Counter(
        AuditEvent.objects.filter(
            action=AUDIT_SUBMIT,
            target_type="clubs.application",
            target_id__in=[str(pk) for pk in ids],
        ).values_list("target_id", flat=True)
    )
    if set(audited) != {str(pk) for pk in ids} or any(n != 1 for n in audited.values()):
        twice = [pk for pk, n in audited.items() if n != 1]
        raise BenchError(
            f"{len(ids)} applications, {len(audited)} with a {AUDIT_SUBMIT} audit row "
            f"(more than one: {twice[:5]})"
        )
    events = Counter()
    status_of = {a.pk: a.status for a in applications}
    for application_id, status, cause in ApplicationEvent.objects.filter(
        application_id__in=ids
    ).values_list("application_id", "status", "cause"):
        if status != status_of[application_id] or cause != ApplicationEvent.Cause.SUBMITTED:
            raise BenchError(f"application {application_id}: event {status}/{cause}")
        events[application_id] += 1
    if len(events) != len(ids) or any(n != 1 for n in events.values()):
        raise BenchError(f"{len(ids)} applications, {sum(events.values())} history events")
    return RushCheck(len(applications), placed, waiting, groups.count())


def rush_undo(prepared: Prepared, since: dt.datetime) -> None:
    """Delete the bench's applications (their events with them) and the notifications
    they queued since `since`, and give the rush groups their places back: the next run
    applies to the same empty groups. (The audit rows stay: the log is append-only.)"""
    from django.conf import settings
    from django.db import transaction

    from gorod.clubs import notify
    from gorod.clubs.models import Application, Group

    with transaction.atomic():
        Application.objects.filter(representative__user__email__startswith=EMAIL_PREFIX).delete()
        Group.objects.filter(pk__in=prepared.rush_ids).update(taken=0)
        if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(
                task_path=notify.notify_families.module_path, enqueued_at__gte=since
            ).delete()


def check_answers(base: str, prepared: Prepared) -> None:
    """Every search (page and API) and a few group pages answer 200; one family's
    application 201, the database holds it as it should, and it is undone."""
    from django.utils import timezone

    paths = [
        *(search.page() for search in prepared.searches),
        *(search.api() for search in prepared.searches),
        *prepared.group_pages[:5],
    ]
    for path in paths:
        status, body = fetch(base + path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}, not 200:\n{body[:500]!r}")
    since = timezone.now()
    family = prepared.families[-1]
    status, body = post(
        base + APPLY_API,
        json.loads(apply_body(family)),
        {"Authorization": f"Bearer {family.token}"},
    )
    if status != 201 or json.loads(body).get("status") not in ("invited", "submitted"):
        raise BenchError(f"POST {APPLY_API} answered {status}, not a place:\n{body[:500]!r}")
    checked = rush_check(prepared)
    if checked.applications != 1:
        raise BenchError(f"one application sent, {checked.applications} in the database")
    rush_undo(prepared, since)


# --- in-process costs ------------------------------------------------------------------

COST_CASES = {
    "/healthz": "GET /healthz",
    "search page (word)": f"GET {SEARCH_PAGE}?q= (the words in turn)",
    "search page (no criteria)": f"GET {SEARCH_PAGE}",
    "group page": "GET /clubs/groups/{id}/",
    "API search (word)": f"GET {SEARCH_API}?q= (the words in turn)",
    "apply": f"POST {APPLY_API} (token), a new family",
}


def _cases(prepared: Prepared) -> dict[str, object]:
    from django.test import Client

    browser, app = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    words = [search for search in prepared.searches if search.kind == "word"]
    turns = {name: count() for name in COST_CASES}

    def expect(response, status: int, request: str) -> None:
        if response.status_code != status:
            raise BenchError(f"in-process {request}: {response.status_code}, not {status}")

    def get(client, name: str, paths: list[str]):
        def call() -> None:
            path = paths[next(turns[name]) % len(paths)]
            expect(client.get(path), 200, f"GET {path}")

        return call

    def apply() -> None:
        n = next(turns["apply"])
        if n >= len(prepared.families):
            raise BenchError("in-process applications: the families ran out")
        family = prepared.families[n]
        response = app.post(
            APPLY_API,
            apply_body(family),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {family.token}",
        )
        expect(response, 201, f"POST {APPLY_API}")

    cases = {
        "/healthz": get(app, "/healthz", ["/healthz"]),
        "search page (word)": get(browser, "search page (word)", [s.page() for s in words]),
        "search page (no criteria)": get(browser, "search page (no criteria)", [SEARCH_PAGE]),
        "group page": get(browser, "group page", prepared.group_pages),
        "API search (word)": get(app, "API search (word)", [s.api() for s in words]),
        "apply": apply,
    }
    assert cases.keys() == COST_CASES.keys()
    return cases


def request_costs(
    prepared: Prepared, calls: int
) -> tuple[dict[str, Costs], RushCheck, str, list[str]]:
    """Each request's costs in this process (Django's test client: every middleware, no
    network); the database checked after the applications made, which are then undone;
    and a profile of the slowest request."""
    from django.utils import timezone

    from gorod.analytics.recorder import recorder

    cases = _cases(prepared)
    warm = max(1, calls // 10)
    since = timezone.now()
    costs = {}
    django_requests = logging.getLogger("django.request")
    level = django_requests.level
    django_requests.setLevel(logging.ERROR)
    try:
        for name, call in cases.items():
            tokens_used()
            costs[name] = measure(call, warm, calls)
        slowest = max(
            (name for name in costs if name != "/healthz"), key=lambda n: costs[n].python_ms
        )
        tokens_used()
        profile = profiled(cases[slowest], PROFILE_CALLS)
    finally:
        django_requests.setLevel(level)
    checked = rush_check(prepared)
    expected = warm + calls + CAPTURED_CALLS + (PROFILE_CALLS if slowest == "apply" else 0)
    if checked.applications != expected:
        raise BenchError(
            f"{expected} applications in this process, {checked.applications} in the database"
        )
    rush_undo(prepared, since)
    # The uses counted into this process's buffer: written while the database exists.
    recorder.flush()
    return costs, checked, slowest, profile


def _where(entry: tuple[str, int, str]) -> str:
    """A profile entry as `module.py:line function`, the path cut to the package."""
    file, line, function = entry
    if file == "~":
        return function
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line} {function}"


# Besides the project's own functions (less the middleware every request passes through):
# rendering a template, and sending a statement to the database.
PROFILE_ALSO = {
    ("django/shortcuts.py", "render"),
    ("ninja/operation.py", "_result_to_response"),
    ("django/db/backends/utils.py", "execute"),
}


def _shown_whole(key: tuple[str, int, str]) -> bool:
    file, _line, function = key
    if any(file.endswith(path) and function == name for path, name in PROFILE_ALSO):
        return True
    return (
        "/gorod/" in file
        and "/site-packages/" not in file
        and not file.endswith("/middleware.py")
        and "/tests/" not in file
    )


def profiled(call, calls: int) -> list[str]:
    """`calls` calls under cProfile (wall clock: waiting for the database counts): the
    project's functions taking most time in all (with what they call), then the functions
    taking most time themselves; ms per call."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values())
    ours = sorted(
        ((entry[3], key) for key, entry in stats.items() if _shown_whole(key)),
        reverse=True,
    )
    own = sorted(((entry[2], key) for key, entry in stats.items()), reverse=True)
    lines = [f"profiled total {total / calls * 1000:.1f} ms a request (profiler on)"]
    lines += [
        f"cumulative | {seconds / calls * 1000:.2f} | {seconds / total:.0%} | `{_where(key)}`"
        for seconds, key in ours[:PROFILE_ENTRIES]
    ]
    lines += [
        f"own | {seconds / calls * 1000:.2f} | {seconds / total:.0%} | `{_where(key)}`"
        for seconds, key in own[:PROFILE_ENTRIES]
    ]
    return lines


# --- the part --------------------------------------------------------------------------


def clubs_bench(args, env: dict[str, str], workdir: Path, wrk_binary: str) -> ClubsResult:
    django_setup(env)
    from django.utils import timezone

    number = QUICK_FAMILIES if args.quick else FAMILIES
    say(f"preparing {number} families for the enrollment morning")
    started = time.perf_counter()
    prepared = prepare(number, workdir)
    prepared.setup_s = time.perf_counter() - started
    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "clubs.log")
    rows = {name: Row(endpoint) for name, endpoint in {"healthz": HEALTHZ, **KINDS}.items()}
    rush_counts: list[dict[str, int]] = []
    rush_checks: list[RushCheck] = []
    mix_counts: list[dict[str, int]] = []
    mix_checks: list[RushCheck] = []
    with server:
        wrk = ClubsWrk(
            wrk_binary,
            args,
            server.base,
            workdir,
            CpuMeter(server.process.pid),
            files=prepared.files,
            workdir=workdir,
        )
        check_answers(server.base, prepared)

        def measured(endpoint: Endpoint, seconds: int, label: str):
            if endpoint.name not in APPLYING:
                result, counts = wrk.counted(endpoint, seconds, label)
                # At the city's size a search takes a fraction of a second: the requests
                # wrk left queued would otherwise slow the next run down.
                wait_until_idle(wrk.meter)
                return result, counts, None
            tokens_used()
            since = timezone.now()
            result, counts = wrk.counted(endpoint, seconds, label)
            wait_until_idle(wrk.meter)
            checked = rush_check(prepared)
            # wrk does not count the requests in flight when it stops; the server does them.
            sent = counts["created"]
            if not sent <= checked.applications <= sent + args.connections:
                raise BenchError(
                    f"{endpoint.name}: wrk counted {counts['created']:,} answers 201, the "
                    f"database holds "
                    f"{checked.applications:,} applications"
                )
            rush_undo(prepared, since)
            return result, counts, checked

        if args.warmup:
            say(f"warming up ({args.warmup} s each)")
            wrk.run(HEALTHZ, args.warmup, "warm-up healthz")
            for endpoint in KINDS.values():
                measured(endpoint, args.warmup, f"warm-up {endpoint.name}")
        for round_number in range(1, args.rounds + 1):
            for n, (name, endpoint) in enumerate(KINDS.items(), start=1):
                label = f"clubs round {round_number}/{args.rounds} [{n}/{len(KINDS)}] {name}"
                before = wrk.run(HEALTHZ, args.baseline, f"{label}: /healthz first")
                rows["healthz"].runs.append(before)
                rows["healthz"].ratios.append(1.0)
                result, counts, checked = measured(endpoint, args.duration, label)
                rows[name].runs.append(result)
                rows[name].ratios.append(result.rps / before.rps)
                extra = ""
                if checked is not None:
                    (mix_counts if name == "mix" else rush_counts).append(counts)
                    (mix_checks if name == "mix" else rush_checks).append(checked)
                    if name == "mix":
                        extra = (
                            f"; {counts['ok'] / result.seconds:,.0f} searches/s, "
                            f"{counts['created'] / result.seconds:,.0f} applications/s"
                        )
                    extra += (
                        f"; {checked.applications:,} applications: {checked.placed} placed, "
                        f"{checked.waiting:,} waiting, every invariant held"
                    )
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                    f"/healthz ({before.rps:,.0f}); p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms{extra}" + _load_note(before, result)
                )
    calls = COST_CALLS // 10 if args.quick else COST_CALLS
    say(f"timing {calls} calls of each request in this process")
    costs, cost_check, slowest, profile = request_costs(prepared, calls)
    explained = explain_search(EXPLAINED_WORD)
    for line in explained:
        say(f"EXPLAIN: {line}")
    return ClubsResult(
        prepared,
        rows,
        rush_counts,
        rush_checks,
        costs,
        cost_check,
        slowest,
        profile,
        explained,
        mix_counts,
        mix_checks,
    )


def explain_search(word: str) -> list[str]:
    """The statements of a search for `word` that read the programmes' words, each with
    EXPLAIN ANALYZE on PostgreSQL: whether the plan uses the full-text index
    (clubs_programme_search), its top node and its time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gorod.clubs.finder import GroupQuery, groups_find

    if connection.vendor != "postgresql":
        return []
    with CaptureQueriesContext(connection) as captured:
        groups_find(query=GroupQuery(text=word))
    lines = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if "to_tsvector" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
        kind = "ranking" if "ts_rank" in sql else "matching"
        index = "clubs_programme_search" in "\n".join(plan)
        scans = sorted(
            {
                line.strip().removeprefix("->").strip().split("  (")[0]
                for line in plan
                if "Scan" in line and "clubs_programme" in line
            }
        )
        took = next((line for line in plan if line.startswith("Execution Time")), "")
        lines.append(
            f"«{word}», the {kind} statement: "
            + ("uses" if index else "does not use")
            + f" clubs_programme_search; {'; '.join(scans) or plan[0].split('  (')[0]}; {took}"
        )
    return lines


def _targets(result: ClubsResult) -> list[str]:
    """The issue's targets against the mix (medians of its runs)."""
    mix = result.rows["mix"]
    rates = result.mix_rates()
    searches = statistics.median(rate for rate, _ in rates)
    applies = statistics.median(rate for _, rate in rates)
    healthz = statistics.median(
        run.rps / ratio for run, ratio in zip(mix.runs, mix.ratios, strict=True)
    )
    checks = len(result.rush_checks) + len(result.mix_checks)

    def judged(value: float, target: float, *, below: bool = False) -> str:
        met = value < target if below else value >= target
        return ("met" if met else "**missed**") + f" ({value / target:.0%} of the target)"

    return [
        "**The targets** (the issue, on this 2-core machine), against the *mix* run "
        "(median of the rounds; the ratio is to /healthz measured just before it, "
        f"{healthz:,.0f} rps):",
        "",
        "| measure | target | measured | ÷ /healthz | |",
        "|---|--:|--:|--:|---|",
        f"| the whole mix | – | {mix.rps:,.0f} rps | {mix.ratio:.1%} | |",
        f"| searches (page and API) | ≥ {TARGET_SEARCHES} /s | {searches:,.0f} /s "
        f"| {searches / healthz:.1%} | {judged(searches, TARGET_SEARCHES)} |",
        f"| applications | ≥ {TARGET_APPLIES} /s | {applies:,.0f} /s "
        f"| {applies / healthz:.1%} | {judged(applies, TARGET_APPLIES)} |",
        f"| p99 of the mix | < {TARGET_P99_MS} ms | {mix.p99_ms:,.0f} ms | | "
        f"{judged(mix.p99_ms, TARGET_P99_MS, below=True)} |",
        f"| over-enrollment (taken > capacity, or ≠ place-holders) | 0 | 0 after each of "
        f"{checks} runs that applied | | met |",
    ]


def clubs_section(args, argv: list[str], info: str, result: ClubsResult) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    prepared = result.prepared
    postgres = bool(args.database_url)
    kinds = Counter(search.kind for search in prepared.searches)
    queries = "; ".join(
        f"{kind} ×{n}: "
        + ", ".join(f"«{search.shown()}»" for search in prepared.searches if search.kind == kind)
        for kind, n in kinds.items()
    )
    rush = ", ".join(group.title for group in prepared.rush)
    generated = prepared.generated
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above, "
        + (f"REDIS_URL={args.redis_url}" if args.redis_url else "no Redis")
        + f"; the city's size: the demo's clubs (`gorod demo --no-usage`: "
        f"{generated.demo_programmes:,} programmes imported from the registers, "
        f"{generated.demo_groups:,} active groups) multiplied by the bench generator "
        f"(bench/clubs_prepare.py `multiply`: each programme copied with its words and "
        f"terms to random organisations, titled «… (поток N)», "
        f"{generated.groups:,} groups with {generated.sessions:,} weekly sessions at "
        f"{generated.venues:,} venues, "
        + (
            "a previous run's, reused"
            if generated.reused
            else f"written in {generated.seconds:,.0f} s with ANALYZE"
        )
        + f"), so {prepared.groups:,} active "
        f"groups of {prepared.programmes:,} programmes at {prepared.organisations:,} "
        f"organisations, {prepared.applications:,} applications; plus "
        f"{len(prepared.families):,} bench families, each a parent with a personal token and "
        f"a verified child of nine; {len(prepared.rush)} groups no one had applied to given "
        f"{RUSH_PLACES} places each for the rush: {rush} (written in "
        f"{prepared.setup_s:,.1f} s).",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency -s "
        f"bench/clubs_mix.lua`; *search* and *api* one of {len(prepared.searches)} queries at "
        f"random per request ({queries}), anonymous; *group* one of "
        f"{len(prepared.group_pages)} groups' pages at random; *rush* the next family that "
        "has not applied (tokens used within the minute), the families dealt to the rush "
        f"groups in turn; *mix* the enrollment morning at once: each request a search "
        f"(one of the {len(prepared.searches)} queries, page or API, at random) with "
        "probability 70 %, else the next family's application; "
        f"{args.rounds} round(s), in each every kind runs {args.duration} s "
        f"right after {args.baseline} s of /healthz, after a {args.warmup} s warm-up of "
        "each. After each rush and mix run the database is checked and its applications "
        "deleted.",
        "",
        *_targets(result),
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
    checks = result.rush_checks + result.mix_checks
    counted = result.rush_counts + result.mix_counts
    created = sum(counts["created"] for counts in counted)
    again = sum(counts["again"] for counts in counted)
    lines += [
        "",
        f"The rush alone: {result.applies_per_second():,.0f} applications a second (median "
        f"of the runs; p99 {result.rows['rush'].p99_ms:.0f} ms).",
        "",
        "Database after "
        + (f"each of the {len(checks)} rush and mix runs: " if len(checks) > 1 else "the run: ")
        + ", ".join(
            f"{c.applications:,} applications ({c.placed} placed, {c.waiting:,} waiting)"
            for c in checks
        )
        + f" for {created:,} answers 201"
        + (f" and {again:,} 409 `already_applied` to families sent again" if again else "")
        + f". Every time, in all {checks[0].groups_checked:,} groups `taken` equalled the "
        "place-holding applications and stayed within the capacity; in each rush group the "
        "place-holders were the earliest submissions and the others waited with positions "
        "1…n in submission order; every application had exactly one "
        f"`{AUDIT_SUBMIT}` audit row and one history event. The "
        f"{result.cost_check.applications} applications made in this process (below) passed "
        "the same checks.",
        "",
        load_summary(list(result.rows.values()), postgres=postgres),
        "",
        f"Where a request's time goes, in this process after the load "
        f"({next(iter(result.costs.values())).calls:,} calls each through Django's test "
        "client, every middleware, no network): this process's CPU (Python), the CPU of its "
        "PostgreSQL backend over the same calls, and the SQL statements per call.",
        "",
        *cost_lines(result.costs, COST_CASES),
    ]
    header, *entries = result.profile
    lines += [
        "",
        f"The slowest, {result.profiled}, under cProfile ({PROFILE_CALLS} requests; "
        f"{header}; wall clock, so waiting for the database counts): the project's functions "
        "(and Django's template rendering, and its statements) taking most time with what "
        "they call, then the functions taking most time themselves.",
        "",
        "| | ms a request | share | function |",
        "|---|--:|--:|---|",
        *(f"| {entry} |" for entry in entries),
    ]
    if result.explained:
        lines += [
            "",
            f"The full-text index at the city's size (EXPLAIN ANALYZE of a search for "
            f"«{EXPLAINED_WORD}» after the load):",
            "",
            *(f"- {line}" for line in result.explained),
        ]
    return "\n".join(lines).rstrip() + "\n"
