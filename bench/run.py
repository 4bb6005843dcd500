"""`make bench`: load gorod's production server on loopback and compare endpoints.

One run prepares a fresh database (SQLite in a temporary GOROD_VAR_DIR, or PostgreSQL with
--database-url), loads the demo city, starts `gorod serve` (granian, WSGI) with production
settings, and loads one endpoint after another with wrk, each right after a short run of
the trivial /healthz. Every endpoint's requests per second is reported as a ratio to that
neighbouring /healthz run, because absolute figures depend on the machine (wrk shares its
CPUs) and on whatever else runs on it. Then it times `SearchIndex.search` in this process
over the search evaluation queries. Last, usage analytics at scale: a generated year of
10 million uses imported into the same database, rolled up, reported, shown on the
analysts' dashboard, and what recording a use costs a request (paired wrk rounds with
GOROD_USAGE_WRITE=buffered and =off). Before it, the month-end load of meter readings
(bench/housing.py): signed-in citizens viewing their meters and submitting readings;
the 08:00 rush of doctor appointments (bench/health.py): signed-in citizens listing a
day's free slots and booking them, with the database checked for double bookings after;
the medical record (bench/health_record.py): citizens with ten years of record opening
their timeline on the portal and through the API, every look logged and the log counted;
the enrollment morning of clubs (bench/clubs.py): parents searching for a group and all
applying at once to a few popular ones, places and waiting lists checked after;
and the city mix (bench/city.py): all of these, search and the portal's pages weighted like
the city's usage, as one set of signed-in citizens, with each hot path's CPU and SQL per
request.

    .venv/bin/python bench/run.py                  # SQLite, 3 rounds of 4 s per endpoint
    .venv/bin/python bench/run.py --quick          # 1 round of 2 s, 1 M events, a smoke test
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/gorod_bench
    .venv/bin/python bench/run.py --only analytics # the analytics part alone
    .venv/bin/python bench/run.py --only housing   # the meter readings part alone
    .venv/bin/python bench/run.py --only health    # the 08:00 rush part alone
    .venv/bin/python bench/run.py --only record    # the medical record part alone
    .venv/bin/python bench/run.py --only applications  # submissions and the department queue
    .venv/bin/python bench/run.py --only school    # the school diary's evening peak
    .venv/bin/python bench/run.py --only clubs     # the clubs' enrollment morning
    .venv/bin/python bench/run.py --only city      # the city mix (only ever alone)
    .venv/bin/python bench/run.py --write          # also update BENCHMARKS.md

Any non-2xx answer or socket error fails the run (exit status 1); the 50 % bar is reported,
not enforced: speed is measured by benchmarks, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# bench/housing.py imports its helpers from here: run as a script, this module is
# __main__, and without this a second copy would load, with a BenchError of its own.
sys.modules.setdefault("run", sys.modules[__name__])

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
BIN_DIR = Path(sys.executable).parent
GOROD = BIN_DIR / "gorod"
EVAL_CSV = PROJECT_DIR / "gorod" / "catalog" / "search_eval.csv"
MIX_SCRIPT = BENCH_DIR / "search_mix.lua"

POPULAR_QUERY = "запись к врачу"
SERVICES_API = "/api/v1/services"
BAR = 0.5  # the bar: catalog and search API at least half the trivial endpoint's rps

# Environment the bench sets itself; inherited values would make runs differ silently.
CONTROLLED_ENV = (
    "DATABASE_URL",
    "GOROD_HEALTH_SIGNING_KEY",
    "GOROD_HEALTH_SIGNING_PASSWORD",
    "REDIS_URL",
    "GOROD_ENV",
    "GOROD_DEBUG",
    "GOROD_VAR_DIR",
    "GOROD_SSL_REDIRECT",
    "GOROD_WORKERS",
    "GOROD_BLOCKING_THREADS",
    "GOROD_CATALOG_RECHECK_SECONDS",
    "GOROD_LOG_LEVEL",
    "GOROD_USAGE_WRITE",
    "GOROD_USAGE_FLUSH_SECONDS",
    "GOROD_USAGE_BATCH",
    "GOROD_ANALYTICS_KEY",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
)


class BenchError(Exception):
    """A failed run: the message says what went wrong."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    note: str
    # Judged against the bar (catalog API and search API).
    judged: bool = False
    # Requests rotate through the eval queries (bench/search_mix.lua).
    mix: bool = False
    # ... each with a number no other request has, so no answer is ever cached.
    unique: bool = False
    # How the path is shown in the table, when not the literal path.
    shown: str = ""
    # Request headers (the session cookie of a signed-in user).
    headers: tuple[str, ...] = ()
    # Error answers are expected and counted by the load's script, which fails the run on
    # any other (bench/health.py: 409 slot_taken), so wrk's count of them fails nothing.
    counted_errors: bool = False


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: dict[str, int]
    # Share of all CPUs used by other processes during the run (None where unknown).
    foreign_cpu: float | None = None
    steal_cpu: float | None = None


@dataclass
class Row:
    endpoint: Endpoint
    runs: list[WrkResult] = field(default_factory=list)
    # Each run's rps divided by the /healthz run just before it.
    ratios: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(run.rps for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.p50_ms for run in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(run.p99_ms for run in self.runs)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


# --- command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL to benchmark, e.g. postgres://postgres@127.0.0.1:5432/gorod_bench.\n"
        "The database is created if missing; an existing one is dropped and recreated\n"
        "only when its name contains 'bench'. Default: SQLite in a temporary folder.",
    )
    parser.add_argument(
        "--redis-url", help="REDIS_URL for the server (cache, sessions); default none"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one round of 2 s per endpoint, a smoke test"
    )
    parser.add_argument(
        "--rounds", type=int, help="rounds over all endpoints (default 3, --quick 1)"
    )
    parser.add_argument(
        "--duration", type=int, help="seconds per endpoint and round (default 4, --quick 2)"
    )
    parser.add_argument(
        "--baseline",
        type=int,
        help="seconds of /healthz right before each endpoint run (default 2, --quick 1)",
    )
    parser.add_argument(
        "--warmup", type=int, help="seconds of warm-up per endpoint (default 2, --quick 1)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--workers", type=int, default=2, help="granian workers (default 2)")
    parser.add_argument(
        "--blocking-threads", type=int, default=4, help="granian threads per worker (default 4)"
    )
    parser.add_argument(
        "--only",
        help="comma-separated endpoint names to load (healthz always runs); 'analytics',\n"
        "'housing', 'health', 'record', 'applications', 'school', 'clubs' and 'city' run\n"
        "those parts, and alone they run nothing else",
    )
    parser.add_argument("--no-http", action="store_true", help="skip the wrk part")
    parser.add_argument("--no-inprocess", action="store_true", help="skip in-process search")
    parser.add_argument("--no-analytics", action="store_true", help="skip the analytics part")
    parser.add_argument("--no-housing", action="store_true", help="skip the meter readings part")
    parser.add_argument("--no-health", action="store_true", help="skip the 08:00 rush part")
    parser.add_argument("--no-record", action="store_true", help="skip the medical record part")
    parser.add_argument(
        "--no-applications", action="store_true", help="skip the long-tail applications part"
    )
    parser.add_argument("--no-school", action="store_true", help="skip the school diary part")
    parser.add_argument(
        "--no-clubs", action="store_true", help="skip the clubs' enrollment morning part"
    )
    parser.add_argument(
        "--events",
        type=int,
        help="generated uses to import in the analytics part (default 10,000,000; --quick 1 M)",
    )
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.duration = args.duration or (2 if args.quick else 4)
    args.baseline = args.baseline or (1 if args.quick else 2)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    args.events = args.events or (1_000_000 if args.quick else 10_000_000)
    return args


# --- output ------------------------------------------------------------------------------

_STARTED = time.monotonic()
_TTY = sys.stderr.isatty()


def throwaway_signing_key(folder: Path) -> dict[str, str]:
    """A production server will not start without the clinic's signing key: the bench gives
    it a one-day self-signed one in its own folder, as `make check-deploy` does."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise BenchError("openssl is not installed (Debian: apt-get install openssl)")
    password = secrets.token_urlsafe(16)
    pem, certificate, bundle = folder / "key.pem", folder / "cert.pem", folder / "signing.p12"
    subject = "/CN=gorod bench (throwaway)"
    for arguments in (
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-days", "1", "-subj", subject, "-keyout", str(pem), "-out", str(certificate)],
        ["pkcs12", "-export", "-inkey", str(pem), "-in", str(certificate),
         "-out", str(bundle), "-passout", f"pass:{password}"],
    ):  # fmt: skip
        # Our own command with fixed arguments.
        subprocess.run([openssl, *arguments], check=True, capture_output=True)  # noqa: S603
    pem.unlink()
    return {"GOROD_HEALTH_SIGNING_KEY": str(bundle), "GOROD_HEALTH_SIGNING_PASSWORD": password}


def say(message: str) -> None:
    elapsed = time.monotonic() - _STARTED
    print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def show_progress(message: str) -> None:
    """A line that rewrites itself on a terminal (and stays silent in logs)."""
    if _TTY:
        elapsed = time.monotonic() - _STARTED
        print(f"\r[{elapsed:6.1f}s] {message}\x1b[K", end="", file=sys.stderr, flush=True)


def end_progress() -> None:
    if _TTY:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


# --- database ----------------------------------------------------------------------------


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def prepare_postgres(url: str) -> str:
    """Create the benchmark database (fresh), return the server's version."""
    import psycopg
    from dj_database_url import parse
    from psycopg import sql

    from gorod.core.postgres import connect_maintenance

    config = parse(url)
    name = config["NAME"]
    if not name:
        raise BenchError(f"no database name in {redact(url)}")
    try:
        admin = connect_maintenance(url, timeout=5, autocommit=True)
    except psycopg.OperationalError as error:
        raise BenchError(f"PostgreSQL unreachable at {redact(url)}: {error}") from error
    with admin:
        version = admin.execute("SHOW server_version").fetchone()[0]
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        quoted = sql.Identifier(name)
        if exists:
            if "bench" not in name:
                raise BenchError(
                    f"database {name!r} exists; the bench recreates its database, so give it "
                    "one whose name contains 'bench' (e.g. gorod_bench)"
                )
            say(f"dropping the old database {name}")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(quoted))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(quoted))
    return f"PostgreSQL {version}"


def gorod(env: dict[str, str], *args: str) -> str:
    """Run a gorod command to its end; its standard output."""
    say(f"gorod {' '.join(args)}")
    done = subprocess.run(  # noqa: S603 — our own command, fixed arguments
        [str(GOROD), *args], env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"`gorod {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx surfaces as an HTTPError instead of being followed


_opener = urllib.request.build_opener(_NoRedirect)


def script_counts(path: Path, script: str) -> dict[str, int]:
    """What a wrk mix script counted: its results file, one `name count` per line."""
    try:
        return {
            name: int(count)
            for name, count in (line.split() for line in path.read_text().splitlines())
        }
    except (OSError, ValueError) as error:
        raise BenchError(f"{script} wrote no counts ({error})") from error


def fetch(url: str, timeout: float = 10.0, headers: dict[str, str] | None = None):
    """(status, body) of a GET, redirects not followed."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 — loopback
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Server:
    """`gorod serve` in its own process group, stopped on exit whatever happens."""

    def __init__(self, env: dict[str, str], port: int, workers: int, threads: int, log: Path):
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log
        self.command = [
            str(GOROD), "serve",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--workers", str(workers),
            "--blocking-threads", str(threads),
        ]  # fmt: skip
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        say(" ".join(["gorod", *self.command[1:]]))
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 — our own command
            self.command,
            env=self.env,
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own session: Ctrl-C reaches this script, which then stops the server.
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited with {self.process.returncode}\n{self.log()}")
            try:
                status, _ = fetch(self.base + "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"/healthz did not answer within {timeout:.0f} s\n{self.log()}")

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind, error, traceback) -> None:
        """Stop the server; after a failed run, show the end of its log first."""
        if isinstance(error, BenchError) and (log := self.log()):
            print(f"--- {self.log_path.name} (last lines) ---\n{log}", file=sys.stderr)
        self.stop()

    def log(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        say("stopping the server")
        try:
            # granian's main process stops its workers on SIGINT/SIGTERM.
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            say("the server did not stop within 15 s: killing its process group")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass


# --- who else used the CPUs ----------------------------------------------------------------


class CpuMeter:
    """How much of the machine other processes took while wrk ran (Linux /proc).

    wrk and the server share the CPUs, so any other busy process skews the figures. The
    meter counts CPU time of the whole machine (/proc/stat), subtracts what the server's
    process group, this script and its finished children (wrk) used, and reports the rest
    as a share of all CPUs, plus what the hypervisor stole.
    """

    def __init__(self, server_pgid: int | None = None):
        self.server_pgid = server_pgid
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def sample(self) -> tuple[float, float, float, float] | None:
        try:
            fields = [
                int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]
            ]
        except (OSError, ValueError):
            return None
        user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
        total = user + nice + system + idle + iowait + irq + softirq + steal
        busy = user + nice + system
        times = os.times()
        ours = (times.user + times.system + times.children_user + times.children_system) * (
            self.ticks
        )
        ours += self._server_ticks()
        return total, busy, ours, steal

    def _server_ticks(self) -> float:
        if self.server_pgid is None:
            return 0.0
        ticks = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            after = stat[stat.rindex(")") + 2 :].split()
            # after[2] is the process group, after[11] and after[12] utime and stime.
            if int(after[2]) == self.server_pgid:
                ticks += int(after[11]) + int(after[12])
        return ticks

    @staticmethod
    def shares(before, after) -> tuple[float | None, float | None]:
        if before is None or after is None or after[0] <= before[0]:
            return None, None
        total = after[0] - before[0]
        foreign = (after[1] - before[1]) - (after[2] - before[2])
        return max(0.0, foreign / total), (after[3] - before[3]) / total


# --- wrk ---------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output, re.M)
    percentiles = {
        int(p): _to_ms(value, unit)
        for p, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    }
    if not rps or not total or 50 not in percentiles or 99 not in percentiles:
        raise BenchError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests=int(total.group(1)),
        seconds=_to_ms(total.group(2), total.group(3)) / 1000.0,
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {},
    )


class Wrk:
    def __init__(
        self,
        binary: str,
        args: argparse.Namespace,
        base: str,
        paths_file: Path,
        meter: CpuMeter,
    ):
        self.binary = binary
        self.meter = meter
        self.threads = args.threads
        self.connections = args.connections
        self.base = base
        self.paths_file = paths_file

    def command(self, endpoint: Endpoint, seconds: int) -> list[str]:
        command = [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout", "5s",
        ]  # fmt: skip
        for header in endpoint.headers:
            command += ["-H", header]
        if endpoint.mix:
            command += ["-s", str(MIX_SCRIPT), self.base, "--", str(self.paths_file)]
            if endpoint.unique:
                # A fresh nonce per wrk run, so the warm-up never pre-fills the answer cache.
                command += ["unique", str(secrets.randbelow(9000) + 1000)]
        else:
            command.append(self.base + endpoint.path)
        return command

    def run(self, endpoint: Endpoint, seconds: int, label: str) -> WrkResult:
        before = self.meter.sample()
        process = subprocess.Popen(  # noqa: S603 — wrk with our own arguments
            self.command(endpoint, seconds),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started = time.monotonic()
        while True:
            try:
                output, _ = process.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                show_progress(f"{label}  {time.monotonic() - started:4.1f}/{seconds} s")
        end_progress()
        if process.returncode != 0:
            raise BenchError(f"wrk exited with {process.returncode} on {endpoint.path}:\n{output}")
        result = parse_wrk(output)
        result.foreign_cpu, result.steal_cpu = CpuMeter.shares(before, self.meter.sample())
        problems = []
        if result.non_2xx and not endpoint.counted_errors:
            problems.append(f"{result.non_2xx} non-2xx/3xx responses")
        if any(result.socket_errors.values()):
            problems.append(f"socket errors {result.socket_errors}")
        if result.requests == 0:
            problems.append("no request completed")
        if problems:
            raise BenchError(f"{endpoint.name} ({endpoint.path}): {', '.join(problems)}\n{output}")
        return result


# --- the HTTP part -----------------------------------------------------------------------


def eval_queries() -> list[str]:
    with EVAL_CSV.open(newline="", encoding="utf-8") as handle:
        queries = [row["query"].strip() for row in csv.DictReader(handle)]
    queries = [query for query in queries if query]
    if not queries:
        raise BenchError(f"no queries in {EVAL_CSV}")
    return queries


def search_path(query: str) -> str:
    return SERVICES_API + "?" + urllib.parse.urlencode({"q": query})


def endpoints(n_queries: int) -> list[Endpoint]:
    popular = search_path(POPULAR_QUERY)
    return [
        Endpoint("healthz", "/healthz", "trivial view: the baseline"),
        Endpoint("ping", "/api/v1/ping", "cheapest view through the API stack"),
        Endpoint("home", "/", "home page"),
        Endpoint("service", "/services/meter-readings/", "service page"),
        Endpoint("category", "/categories/health/", "category page"),
        Endpoint("api-services", SERVICES_API, "catalog API, page 1", judged=True),
        Endpoint("api-categories", "/api/v1/categories", "categories API", judged=True),
        Endpoint(
            "search-mix",
            SERVICES_API + "?q=…",
            f"search API, {n_queries} eval queries rotating",
            judged=True,
            mix=True,
        ),
        Endpoint(
            "search-popular",
            popular,
            "search API, one popular query repeated",
            judged=True,
            shown=urllib.parse.unquote_plus(popular),
        ),
        Endpoint(
            "search-unique",
            SERVICES_API + "?q=…+N",
            "search API, every query new (answer cache always missed)",
            mix=True,
            unique=True,
        ),
    ]


def check_answers(base: str, endpoint: Endpoint, paths: list[str]) -> None:
    """Every path of this endpoint answers 200 (redirects are not followed)."""
    if endpoint.mix:
        checked = [p + "+1234" for p in paths[:5]] if endpoint.unique else paths
    else:
        checked = [endpoint.path]
    for path in checked:
        status, body = fetch(base + path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}, not 200:\n{body[:500]!r}")


def http_bench(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, wrk_binary: str
) -> list[Row]:
    queries = eval_queries()
    paths = [search_path(query) for query in queries]
    paths_file = workdir / "search_paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")

    plan = endpoints(len(queries))
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")} | {"healthz"}
        unknown = wanted - {endpoint.name for endpoint in plan}
        if unknown:
            raise BenchError(
                f"unknown endpoint(s) {sorted(unknown)}; known: {[e.name for e in plan]}"
            )
        plan = [endpoint for endpoint in plan if endpoint.name in wanted]

    server = Server(env, free_port(), args.workers, args.blocking_threads, workdir / "server.log")
    baseline = plan[0]
    rows = {endpoint.name: Row(endpoint) for endpoint in plan}
    with server:
        meter = CpuMeter(server.process.pid)
        wrk = Wrk(wrk_binary, args, server.base, paths_file, meter)
        say(f"checking answers and warming up ({args.warmup} s per endpoint)")
        for endpoint in plan:
            check_answers(server.base, endpoint, paths)
            if args.warmup:
                wrk.run(endpoint, args.warmup, f"warm-up {endpoint.name}")
        # Each endpoint runs right after a short /healthz run, and its ratio is taken to that
        # neighbour: a machine whose load drifts during the run then skews both alike.
        others = plan[1:] or [baseline]
        for round_number in range(1, args.rounds + 1):
            for number, endpoint in enumerate(others, start=1):
                label = (
                    f"round {round_number}/{args.rounds} [{number}/{len(others)}] {endpoint.name}"
                )
                before = wrk.run(baseline, args.baseline, f"{label}: /healthz first")
                rows[baseline.name].runs.append(before)
                rows[baseline.name].ratios.append(1.0)
                if endpoint is baseline:
                    continue
                result = wrk.run(endpoint, args.duration, label)
                row = rows[endpoint.name]
                row.runs.append(result)
                row.ratios.append(result.rps / before.rps)
                say(
                    f"{label}: {result.rps:,.0f} rps = {result.rps / before.rps:.0%} of "
                    f"/healthz ({before.rps:,.0f}); p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms{_load_note(before, result)}"
                )
    return list(rows.values())


def _load_note(*results: WrkResult) -> str:
    shares = [result.foreign_cpu for result in results if result.foreign_cpu is not None]
    if shares and max(shares) >= 0.05:
        return f"  (other processes took {max(shares):.0%} of the CPUs)"
    return ""


# --- the in-process search part ----------------------------------------------------------


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def inprocess_search(env: dict[str, str], quick: bool) -> dict:
    """Time SearchIndex.search over the eval queries, in this process, with Django set up."""
    django_setup(env)
    from gorod.catalog import search, snapshot, translit
    from gorod.catalog.search import SearchIndex

    # The services the running site indexes, as it indexes them.
    current = snapshot.current()
    documents = [snapshot.search_document(service) for service in current.services.values()]
    queries = eval_queries()
    limit = len(documents)
    cold_passes, warm_passes = (2, 5) if quick else (5, 20)

    def timed_pass(index: SearchIndex) -> list[float]:
        samples = []
        for query in queries:
            # CPU time of this thread: other processes on the machine do not count.
            started = time.thread_time_ns()
            index.search(query, limit=limit)
            samples.append((time.thread_time_ns() - started) / 1e6)
        return samples

    cases: dict[str, list[float]] = {"cold": [], "miss": [], "warm": []}
    builds: list[float] = []
    for _ in range(cold_passes):
        # Cold: a new index (empty answer cache) and the process-wide caches of words (lemmas,
        # Cyrillic spellings of Latin words) cleared, as for words this process has never seen.
        search.lemmas.cache_clear()
        translit.latin_spellings.cache_clear()
        started = time.thread_time()
        index = SearchIndex(documents)
        builds.append((time.thread_time() - started) * 1000)
        cases["cold"] += timed_pass(index)
    for _ in range(cold_passes):
        # Answer-cache miss: a new index, but every query word already lemmatized.
        cases["miss"] += timed_pass(SearchIndex(documents))
    index = SearchIndex(documents)
    timed_pass(index)
    for _ in range(warm_passes):
        cases["warm"] += timed_pass(index)  # the same queries again: the answer cache
    return {
        "queries": len(queries),
        "documents": len(documents),
        "build_ms": statistics.median(builds),
        "cases": {
            name: {
                "samples": len(samples),
                "p50": _percentile(samples, 0.50),
                "p99": _percentile(samples, 0.99),
                "mean": statistics.fmean(samples),
            }
            for name, samples in cases.items()
        },
    }


# --- Django in this process ----------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    """Django in this process, on the benchmark's database and settings."""
    os.environ.update(env)
    import django
    from django.urls import get_resolver

    django.setup()
    # Import every view module now rather than at first use minutes later: a run that
    # overlaps someone's edits then still runs one version of the code throughout.
    get_resolver().check()


# --- report ------------------------------------------------------------------------------

CASE_LABELS = {
    "cold": "cold: new index, lemma cache cleared (words never seen by the process)",
    "miss": "answer-cache miss: new index, words already lemmatized",
    "warm": "warm: the same queries again (answer cache)",
}


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"


def machine_info(wrk_binary: str, database: str) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    wrk_version = (
        subprocess.run(  # noqa: S603
            [wrk_binary, "--version"], capture_output=True, text=True, check=False
        )
        .stdout.split("[")[0]
        .strip()
    )
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {_version('django')}, "
        f"granian {_version('granian')}, django-ninja {_version('django-ninja')}, "
        f"{wrk_version}; {database}"
    )


def code_version() -> str:
    """The commit measured, and whether the code had changes not yet committed."""

    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607 — git from PATH, like any developer's
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "not a git checkout"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "gorod", "pyproject.toml")
    return f"commit {commit}" + (" with uncommitted changes under gorod/" if changed else "")


def command_line(argv: list[str]) -> str:
    shown = []
    for arg in argv:
        shown.append(redact(arg) if "://" in arg else arg)
    return " ".join([".venv/bin/python bench/run.py", *shown])


def http_table(rows: list[Row]) -> list[str]:
    lines = [
        "| endpoint | what | rps | p50 ms | p99 ms | rps ÷ /healthz | range | bar ≥ 50 % |",
        "|---|---|--:|--:|--:|--:|--:|:-:|",
    ]
    for row in rows:
        if row.endpoint.name == "healthz":
            # The baseline's own spread: how much /healthz moved during the run.
            median = row.rps
            spread = [run.rps / median for run in row.runs]
        else:
            spread = row.ratios
        low, high = min(spread), max(spread)
        bar = ("✅" if row.ratio >= BAR else "❌") if row.endpoint.judged else ""
        shown = (row.endpoint.shown or row.endpoint.path).replace("|", "\\|")
        lines.append(
            f"| `{shown}` | {row.endpoint.note} | {row.rps:,.0f} | {row.p50_ms:.2f} "
            f"| {row.p99_ms:.2f} | {row.ratio:.0%} | {low:.0%}–{high:.0%} | {bar} |"
        )
    return lines


def load_summary(rows: list[Row], postgres: bool) -> str:
    runs = [run for row in rows for run in row.runs]
    foreign = [run.foreign_cpu for run in runs if run.foreign_cpu is not None]
    steal = [run.steal_cpu for run in runs if run.steal_cpu is not None]
    if not foreign:
        return "Other processes' CPU use during the run: not measured (no /proc)."
    text = (
        f"Other processes used {statistics.fmean(foreign):.0%} of the CPUs on average during "
        f"the wrk runs (at most {max(foreign):.0%} in one run)"
    )
    if postgres:
        text += " (PostgreSQL's own processes count as other)"
    if steal and max(steal) >= 0.01:
        text += f"; the hypervisor stole {statistics.fmean(steal):.0%} on average"
    return text + "."


def search_table(search: dict) -> list[str]:
    lines = [
        f"In-process `SearchIndex.search` over the {search['queries']} eval queries "
        f"({search['documents']} services, one thread, no server running; building the "
        f"index takes {search['build_ms']:.0f} ms):",
        "",
        "| case | timed searches | p50 ms | p99 ms | mean ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, case in search["cases"].items():
        lines.append(
            f"| {CASE_LABELS[name]} | {case['samples']:,} | {case['p50']:.3f} "
            f"| {case['p99']:.3f} | {case['mean']:.3f} |"
        )
    return lines


def section(
    args: argparse.Namespace,
    argv: list[str],
    info: str,
    rows: list[Row],
    search: dict | None,
) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {when} with `{command_line(argv)}`.",
        "",
        f"- Code: {code_version()}.",
        f"- Machine: {info}.",
        f"- Server: `gorod serve --workers {args.workers} --blocking-threads "
        f"{args.blocking_threads}` (granian, WSGI), GOROD_ENV=production, "
        "GOROD_SSL_REDIRECT=0, "
        + (f"REDIS_URL={args.redis_url}" if args.redis_url else "no Redis")
        + ", demo catalog.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} --latency`, "
        f"{args.rounds} round(s) over the endpoints; in each round every endpoint runs "
        f"{args.duration} s right after {args.baseline} s of /healthz, after a "
        f"{args.warmup} s warm-up of each endpoint.",
        "",
    ]
    if rows:
        lines += http_table(rows)
        missed = [row.endpoint.name for row in rows if row.endpoint.judged and row.ratio < BAR]
        lines += [
            "",
            "Bar (catalog API and search API ≥ 50 % of /healthz): "
            + (f"**not met** by {', '.join(missed)}." if missed else "met."),
            "",
            load_summary(rows, postgres=bool(args.database_url)),
            "",
        ]
    if search:
        lines += search_table(search)
    return "\n".join(lines).rstrip() + "\n"


# --- main --------------------------------------------------------------------------------


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def run(args: argparse.Namespace, argv: list[str]) -> int:
    wanted = {name.strip() for name in args.only.split(",")} if args.only else set()
    parts = {
        "analytics",
        "housing",
        "health",
        "record",
        "applications",
        "school",
        "clubs",
        "city",
    }
    analytics = not args.no_analytics and (not wanted or "analytics" in wanted)
    housing = not args.no_housing and (not wanted or "housing" in wanted)
    health = not args.no_health and (not wanted or "health" in wanted)
    record = not args.no_record and (not wanted or "record" in wanted)
    long_tail = not args.no_applications and (not wanted or "applications" in wanted)
    school = not args.no_school and (not wanted or "school" in wanted)
    clubs = not args.no_clubs and (not wanted or "clubs" in wanted)
    # The city mix prepares its citizens through the record, rush and month-end parts'
    # preparations, which each refuse a database that already holds theirs: it runs alone.
    city = "city" in wanted
    if city and wanted & (parts - {"city"}):
        raise BenchError("the city mix runs on its own database: --only city")
    if wanted and wanted <= parts:
        args.no_http = args.no_inprocess = True
    # The rest of --only names endpoints (http_bench checks them).
    args.only = ",".join(sorted(wanted - parts)) or None
    wrk_binary = shutil.which("wrk")
    if (
        not args.no_http
        or analytics
        or housing
        or health
        or record
        or long_tail
        or school
        or clubs
        or city
    ) and wrk_binary is None:
        raise BenchError("wrk is not installed (Debian: apt-get install wrk)")
    if not GOROD.exists():
        raise BenchError(f"{GOROD} not found: run `make install` first")

    from benchmarks_md import write_benchmarks

    workdir = Path(tempfile.mkdtemp(prefix="gorod-bench-"))
    try:
        env = {key: value for key, value in os.environ.items() if key not in CONTROLLED_ENV}
        env.update(
            DJANGO_SETTINGS_MODULE="gorod.settings",
            GOROD_ENV="production",
            GOROD_VAR_DIR=str(workdir),
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            GOROD_SSL_REDIRECT="0",
            **throwaway_signing_key(workdir),
        )
        if args.database_url:
            database = prepare_postgres(args.database_url)
            env["DATABASE_URL"] = args.database_url
            kind = "postgresql"
        else:
            import sqlite3

            database = f"SQLite {sqlite3.sqlite_version} (WAL) in a temporary folder"
            kind = "sqlite"
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        say(f"database: {database}; folder {workdir}")
        gorod(env, "migrate", "--no-input")
        # Usage comes later, and at scale, in the analytics part.
        gorod(env, "demo", "--no-usage")
        gorod(env, "collectstatic", "--no-input")

        rows = [] if args.no_http else http_bench(args, env, workdir, wrk_binary)
        search = None
        if not args.no_inprocess:
            say("timing SearchIndex.search in this process")
            search = inprocess_search(env, args.quick)

        info = machine_info(wrk_binary or "wrk", database)
        if rows or search:
            body = section(args, argv, info, rows, search)
            print()
            print(body)
            if args.write:
                write_benchmarks(kind, body)
        # The parts, each measured, then shown and written as its own section. Their
        # modules use Django's models from the start: Django is set up before they load.
        django_setup(env)
        chosen = []
        if housing:
            from housing import housing_bench, housing_section

            chosen.append(("housing", housing_bench, housing_section))
        if health:
            from health import health_bench, health_section

            chosen.append(("health", health_bench, health_section))
        if record:
            from health_record import record_bench, record_section

            chosen.append(("record", record_bench, record_section))
        if long_tail:
            from applications import applications_bench, applications_section

            chosen.append(("applications", applications_bench, applications_section))
        if school:
            from school import school_bench, school_section

            chosen.append(("school", school_bench, school_section))
        if clubs:
            from clubs import clubs_bench, clubs_section

            chosen.append(("clubs", clubs_bench, clubs_section))
        if city:
            from city import city_bench, city_section

            chosen.append(("city", city_bench, city_section))
        if analytics:
            from analytics import analytics_bench, analytics_section

            chosen.append(("analytics", analytics_bench, analytics_section))
        for part, measure, report in chosen:
            result = measure(args, env, workdir, wrk_binary)
            body = report(args, argv, info, result)
            print()
            print(body)
            if args.write:
                write_benchmarks(f"{part}-{kind}", body)
        return 0
    finally:
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    # Ctrl-C and kill both end the run through the same `finally` that stops the server
    # (SIGINT explicitly: a shell starting us in the background would have it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return run(args, argv)
    except BenchError as error:
        end_progress()
        print(f"\nBENCH FAILED: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        end_progress()
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
