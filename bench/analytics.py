"""Usage analytics at scale, a part of `make bench` (`bench/run.py --only analytics`).

A generated year of usage (10 million uses by default, 1 million with --quick) imported
into the benchmark's database, rolled up, reported, shown on the analysts' dashboard, and
what recording a use costs a request (paired wrk rounds with GOROD_USAGE_WRITE=buffered and
=off, on two servers side by side).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import secrets
import shutil
import statistics
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from run import (
    PROJECT_DIR,
    BenchError,
    CpuMeter,
    Endpoint,
    Row,
    Server,
    Wrk,
    _percentile,
    code_version,
    command_line,
    django_setup,
    end_progress,
    fetch,
    free_port,
    gorod,
    load_summary,
    say,
    show_progress,
)

# --- the part --------------------------------------------------------------------------

# The generated data covers the calendar year 2025, whatever the date of the run, so that
# the files can be cached and runs on different days compare.
ANALYTICS_YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
# The report and the dashboard compare the year with its first half: both periods read
# rollups that hold data (the year before the generated one is empty).
ANALYTICS_COMPARISON = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
ANALYTICS_CACHE = PROJECT_DIR / "var" / "bench"
DEMO_MODULE = PROJECT_DIR / "gorod" / "demo" / "analytics.py"
# An information service: a signed-in citizen opening its page is a use (gorod/web/views.py).
INFO_SERVICE = "utility-payment-history"
OVERHEAD_BAR = 0.90  # the bar: recording costs at most 10 % of such a request
DASHBOARD_REQUESTS = 20
REPORT_CALLS = 10
RECORD_CALLS = 20_000


@dataclass
class AnalyticsResult:
    events: int
    ratings: int
    file_mb: float
    generated_s: float | None  # None: the files came from the cache
    import_s: float
    ratings_import_s: float
    rollup_s: float
    report_command_s: float
    report_ms: list[float]
    dashboard_path: str
    dashboard_ms: list[float]
    dashboard_kb: float
    overhead: dict[str, Row]
    overhead_ratios: list[float]
    requests_recorded: int
    requests_sent: int
    # Microseconds of one usage_record call in this process, by GOROD_USAGE_WRITE.
    record_us: dict[str, float]

    @property
    def import_rate(self) -> float:
        return self.events / self.import_s

    @property
    def overhead_ratio(self) -> float:
        return statistics.median(self.overhead_ratios)


def _line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def analytics_files(events: int):
    """The generated year's usage and ratings files, from the cache when it has them.

    The cache folder is named after the generator's source, so a changed generator never
    serves files an older one wrote; folders of older generators are removed.
    """
    from gorod.demo.analytics import DEFAULT_SEED, DemoFiles, demo_file_names, demo_generate

    version = hashlib.sha256(DEMO_MODULE.read_bytes()).hexdigest()[:12]
    folder = ANALYTICS_CACHE / f"demo-{version}"
    first, last = ANALYTICS_YEAR
    usage, ratings = (folder / name for name in demo_file_names(DEFAULT_SEED, events, last))
    if usage.exists() and ratings.exists():
        say(f"generated year of {events:,} uses: cached in {folder.relative_to(PROJECT_DIR)}")
        files = DemoFiles(usage, ratings, events, _line_count(ratings) - 1, first, last)
        return files, None
    for old in ANALYTICS_CACHE.glob("demo-*"):
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    say(f"generating a year of {events:,} uses into {folder.relative_to(PROJECT_DIR)}")
    started = time.perf_counter()
    files = demo_generate(
        folder,
        events=events,
        seed=DEFAULT_SEED,
        last=last,
        progress=lambda done, total: show_progress(f"generating: day {done}/{total}"),
    )
    end_progress()
    return files, time.perf_counter() - started


def timed(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    output = gorod(env, *args)
    elapsed = time.perf_counter() - started
    say(f"  took {elapsed:,.1f} s")
    return elapsed, output


def bench_sessions() -> tuple[str, str]:
    """Cookie headers of an analyst and of a citizen, each signed in once.

    The sessions are made here, in the server's session store, as a sign-in would make
    them; the password check (argon2) is not what this part measures.
    """
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.test import Client

    from gorod.accounts.models import User

    analyst = User.objects.create_user("bench-analyst@gorod.local", secrets.token_urlsafe(16))
    analyst.user_permissions.add(
        Permission.objects.get(content_type__app_label="analytics", codename="view_usagedaily")
    )
    citizen = User.objects.create_user("bench-citizen@gorod.local", secrets.token_urlsafe(16))
    cookies = []
    for user in (analyst, citizen):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        name = settings.SESSION_COOKIE_NAME
        cookies.append(f"{name}={client.cookies[name].value}")
    return cookies[0], cookies[1]


def live_uses_of(slug: str) -> int:
    """Uses recorded by the site itself (not imported) of one service."""
    from gorod.analytics.models import UsageEvent

    return UsageEvent.objects.filter(batch__isnull=True, service__slug=slug).count()


def report_in_process() -> list[float]:
    """Milliseconds of the usage report's selectors (year vs first half) over and over."""
    from gorod.analytics.rules import Period
    from gorod.analytics.selectors import usage_report

    period, comparison = Period(*ANALYTICS_YEAR), Period(*ANALYTICS_COMPARISON)
    usage_report(period, comparison)
    samples = []
    for _ in range(REPORT_CALLS):
        started = time.perf_counter()
        usage_report(period, comparison)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def record_cost_in_process(calls: int) -> dict[str, float]:
    """Microseconds of recording one use here, in its two parts: the `usage_record` call as
    the service page makes it (with nothing recorded, "off", and into the buffer,
    "buffered"), and the writer thread's insert of the event ("writer", per event)."""
    from django.test import override_settings

    from gorod.accounts.models import User
    from gorod.analytics.recorder import recorder
    from gorod.analytics.services import usage_record
    from gorod.catalog import selectors as catalog

    citizen = User.objects.get(email="bench-citizen@gorod.local")
    service = catalog.service_get(INFO_SERVICE)

    def per_call() -> float:
        for _ in range(calls // 10):
            usage_record(service=service, actor=citizen, action="open", channel="web")
        started = time.perf_counter()
        for _ in range(calls):
            usage_record(service=service, actor=citizen, action="open", channel="web")
        return (time.perf_counter() - started) / calls * 1e6

    costs = {}
    with override_settings(GOROD_USAGE_WRITE="off"):
        costs["off"] = per_call()
    # The writer thread waits for a batch this big or this long: neither comes during the
    # loop, so the loop times the request's part alone and the flush the writer's.
    with override_settings(
        GOROD_USAGE_WRITE="buffered",
        GOROD_USAGE_BATCH=calls * 10,
        GOROD_USAGE_FLUSH_SECONDS=3600,
        GOROD_USAGE_BUFFER_MAX=calls * 10,
    ):
        costs["buffered"] = per_call()
        started = time.perf_counter()
        written = recorder.flush()
        costs["writer"] = (time.perf_counter() - started) / max(written, 1) * 1e6
    recorder.close()
    return costs


def dashboard_path() -> str:
    first, last = ANALYTICS_YEAR
    compare_first, compare_last = ANALYTICS_COMPARISON
    query = urllib.parse.urlencode(
        {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "compare": "custom",
            "compare_from": compare_first.isoformat(),
            "compare_to": compare_last.isoformat(),
        }
    )
    return f"/analytics/?{query}"


def time_dashboard(base: str, cookie: str, requests: int, warmup: int) -> tuple[list[float], int]:
    """Milliseconds of sequential GETs of the dashboard over the year, as an analyst."""
    path = dashboard_path()
    headers = {"Cookie": cookie}
    # Every worker thread's first request builds what a process caches (catalog snapshot,
    # compiled templates): a warm-up of a few requests per thread, not timed.
    for _ in range(warmup):
        status, body = fetch(base + path, timeout=60, headers=headers)
        if status != 200:
            raise BenchError(f"GET {path} as the analyst answered {status}:\n{body[:500]!r}")
    samples = []
    for number in range(1, requests + 1):
        show_progress(f"dashboard {number}/{requests}")
        started = time.perf_counter()
        status, body = fetch(base + path, timeout=60, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchError(f"GET {path} answered {status} on request {number}")
    end_progress()
    return samples, len(body)


def recording_overhead(
    args: argparse.Namespace,
    env: dict[str, str],
    workdir: Path,
    wrk_binary: str,
    cookie: str,
) -> tuple[dict[str, Row], list[float], int, int]:
    """Paired wrk rounds of a signed-in citizen opening an information service's page, on
    two servers side by side: one records the use (buffered), one records nothing (off).

    Each round runs both, in alternating order (off first, then buffered first), so that
    a drift of the machine's speed during the run weighs on both alike.
    """
    endpoint = Endpoint(
        "service-info",
        f"/services/{INFO_SERVICE}/",
        "information service page, signed-in citizen",
        headers=(f"Cookie: {cookie}",),
    )
    modes = ("off", "buffered")
    servers = {
        mode: Server(
            {**env, "GOROD_USAGE_WRITE": mode},
            free_port(),
            args.workers,
            args.blocking_threads,
            workdir / f"server-{mode}.log",
        )
        for mode in modes
    }
    rows = {mode: Row(endpoint) for mode in modes}
    ratios: list[float] = []
    sent = 0
    before = live_uses_of(INFO_SERVICE)
    with contextlib.ExitStack() as running:
        for server in servers.values():
            running.enter_context(server)
        wrks = {
            mode: Wrk(wrk_binary, args, server.base, workdir, CpuMeter(server.process.pid))
            for mode, server in servers.items()
        }
        for mode, server in servers.items():
            status, body = fetch(server.base + endpoint.path, headers={"Cookie": cookie})
            if status != 200:
                raise BenchError(f"GET {endpoint.path} ({mode}) answered {status}:\n{body[:300]!r}")
            if args.warmup:
                result = wrks[mode].run(endpoint, args.warmup, f"warm-up recording={mode}")
                sent += result.requests if mode == "buffered" else 0
        for round_number in range(1, args.rounds + 1):
            order = modes if round_number % 2 else modes[::-1]
            results = {}
            for mode in order:
                label = f"recording round {round_number}/{args.rounds}: {mode}"
                results[mode] = wrks[mode].run(endpoint, args.duration, label)
                rows[mode].runs.append(results[mode])
            sent += results["buffered"].requests
            ratio = results["buffered"].rps / results["off"].rps
            ratios.append(ratio)
            for mode in modes:
                rows[mode].ratios.append(results[mode].rps / results["off"].rps)
            say(
                f"recording round {round_number}: buffered {results['buffered'].rps:,.0f} rps, "
                f"off {results['off'].rps:,.0f} rps: {ratio:.1%}"
            )
    # Counted after the servers stopped: a worker writes what it buffered when it exits.
    recorded = live_uses_of(INFO_SERVICE) - before
    return rows, ratios, recorded, sent


def analytics_bench(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, wrk_binary: str
) -> AnalyticsResult:
    files, generated_s = analytics_files(args.events)
    first, last = (day.isoformat() for day in ANALYTICS_YEAR)
    compare_first, compare_last = (day.isoformat() for day in ANALYTICS_COMPARISON)
    django_setup(env)
    from gorod.analytics.models import UsageEvent

    if UsageEvent.objects.exists():
        raise BenchError("the benchmark database already holds usage events")
    say(f"importing {files.uses:,} uses ({files.usage.stat().st_size / 1e6:,.0f} MB)")
    import_s, _ = timed(env, "analytics", "import", str(files.usage))
    imported = UsageEvent.objects.count()
    if imported != files.uses:
        raise BenchError(f"{imported:,} uses imported of the file's {files.uses:,}")
    ratings_import_s, _ = timed(env, "feedback", "import", str(files.ratings))
    rollup_s, _ = timed(env, "analytics", "rollup", "--from", first, "--to", last)
    report_s, output = timed(
        env,
        "report", "usage",
        "--from", first, "--to", last,
        "--compare-from", compare_first, "--compare-to", compare_last,
        "--json",
    )  # fmt: skip
    reported = json.loads(output)["uses"]
    if reported != files.uses:
        raise BenchError(f"the report counts {reported:,} uses, the file has {files.uses:,}")
    say("timing the usage report's selectors in this process")
    report_ms = report_in_process()
    analyst, citizen = bench_sessions()

    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "dash.log")
    with server:
        requests = 5 if args.quick else DASHBOARD_REQUESTS
        say(f"timing {requests} GETs of the dashboard over the year as an analyst")
        dashboard_ms, dashboard_bytes = time_dashboard(
            server.base, analyst, requests, warmup=2 * args.workers * args.blocking_threads
        )
    say(
        f"dashboard: median {statistics.median(dashboard_ms):,.0f} ms; measuring what "
        "recording a use costs"
    )
    rows, ratios, recorded, sent = recording_overhead(args, env, workdir, wrk_binary, citizen)
    say("timing usage_record in this process")
    record_us = record_cost_in_process(RECORD_CALLS // 10 if args.quick else RECORD_CALLS)
    return AnalyticsResult(
        events=files.uses,
        ratings=files.ratings_count,
        file_mb=files.usage.stat().st_size / 1e6,
        generated_s=generated_s,
        import_s=import_s,
        ratings_import_s=ratings_import_s,
        rollup_s=rollup_s,
        report_command_s=report_s,
        report_ms=report_ms,
        dashboard_path=dashboard_path(),
        dashboard_ms=dashboard_ms,
        dashboard_kb=dashboard_bytes / 1024,
        overhead=rows,
        overhead_ratios=ratios,
        requests_recorded=recorded,
        requests_sent=sent,
        record_us=record_us,
    )


# --- report ------------------------------------------------------------------------------


def analytics_section(
    args: argparse.Namespace, argv: list[str], info: str, result: AnalyticsResult
) -> str:
    from gorod.demo.analytics import DEFAULT_SEED

    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    first, last = ANALYTICS_YEAR
    compare_first, compare_last = ANALYTICS_COMPARISON
    source = (
        f"generated in {result.generated_s:,.0f} s"
        if result.generated_s is not None
        else "from the cache under var/bench/"
    )
    dashboard = sorted(result.dashboard_ms)
    report_ms = statistics.median(result.report_ms)
    dashboard_ms = statistics.median(dashboard)
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Data: {result.events:,} uses and {result.ratings:,} ratings of the calendar year "
        f"{first.year}, generated by `gorod/demo/analytics.py` (seed {DEFAULT_SEED}; a "
        f"{result.file_mb:,.0f} MB CSV, {source}), imported into a database that holds only "
        "the demo catalog.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}`, production settings as above.",
        "",
        "| step | what is timed | time | rate |",
        "|---|---|--:|--:|",
        f"| import | `gorod analytics import FILE`, the whole command | "
        f"{result.import_s:,.1f} s | {result.import_rate:,.0f} uses/s |",
        f"| ratings import | `gorod feedback import FILE`, the whole command | "
        f"{result.ratings_import_s:,.1f} s | "
        f"{result.ratings / result.ratings_import_s:,.0f} ratings/s |",
        f"| rollup | `gorod analytics rollup --from {first} --to {last}` (usage and ratings) | "
        f"{result.rollup_s:,.1f} s | {result.rollup_s / 365 * 1000:,.0f} ms a day |",
        f"| report | `gorod report usage --from {first} --to {last} --compare-from "
        f"{compare_first} --compare-to {compare_last} --json`, the whole command (Python "
        f"and Django start-up included) | {result.report_command_s:,.2f} s | |",
        f"| report selectors | `usage_report(year, first half)` in this process: median of "
        f"{len(result.report_ms)} (max {max(result.report_ms):,.0f} ms) | {report_ms:,.0f} ms | |",
        f"| dashboard | `GET {result.dashboard_path}` as an analyst "
        f"({result.dashboard_kb:,.0f} KiB): median of {len(dashboard)} sequential requests "
        f"(p90 {_percentile(dashboard, 0.9):,.0f} ms, max {max(dashboard):,.0f} ms) "
        f"| {dashboard_ms:,.0f} ms | |",
        "",
        "Dashboard over a year (well under a second): "
        + ("met: every timed request under 1 s." if max(dashboard) < 1000 else "**not met**.")
        + f" Each worker thread's first request ({2 * args.workers * args.blocking_threads} "
        "in all) was sent before the timed ones: it builds what the process then caches.",
        "",
        f"**Recording overhead.** `GET /services/{INFO_SERVICE}/` as a signed-in citizen "
        "(an information service: opening its page is a use), on two servers side by side "
        f"over the same database, one with GOROD_USAGE_WRITE=off (the baseline: the event "
        "is built but neither buffered nor written) and one with =buffered (the production "
        f"default); `wrk -t{args.threads} -c{args.connections}`, {args.rounds} paired "
        f"round(s) of {args.duration} s, alternating which server goes first.",
        "",
        "| GOROD_USAGE_WRITE | rps | p50 ms | p99 ms | rps ÷ off | range |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for mode, row in result.overhead.items():
        low, high = min(row.ratios), max(row.ratios)
        lines.append(
            f"| {mode} | {row.rps:,.0f} | {row.p50_ms:.2f} | {row.p99_ms:.2f} | "
            f"{row.ratio:.1%} | {low:.1%}–{high:.1%} |"
        )
    met = result.overhead_ratio >= OVERHEAD_BAR
    calls = RECORD_CALLS // 10 if args.quick else RECORD_CALLS
    added = result.record_us["buffered"] - result.record_us["off"] + result.record_us["writer"]
    lines += [
        "",
        f"Bar (recording costs at most 10 %: buffered ≥ {OVERHEAD_BAR:.0%} of off): "
        + ("met." if met else "**not met**.")
        + f" The buffered server recorded {result.requests_recorded:,} uses; wrk counted "
        f"{result.requests_sent:,} answers (it does not count the requests in flight when "
        "a run ends, which the server still answers and records).",
        "",
        f"Where recording's time goes, timed in this process ({calls:,} calls each): "
        f"`usage_record` as the page calls it takes {result.record_us['off']:,.1f} µs with "
        "=off (building the event and its pseudonym, which both modes do) and "
        f"{result.record_us['buffered']:,.1f} µs with =buffered (the request's part: "
        "on_commit and the append to the buffer); then the writer thread's bulk insert "
        f"costs {result.record_us['writer']:,.1f} µs per event, in the same process. "
        f"Recording a use thus costs about {added:,.0f} µs of CPU more than =off.",
        "",
        load_summary(list(result.overhead.values()), postgres=bool(args.database_url)),
    ]
    return "\n".join(lines).rstrip() + "\n"
