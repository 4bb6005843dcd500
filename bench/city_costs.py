"""The city mix's in-process part (bench/city.py): each hot path's cost per request.

After the load, in the bench's own process: a few hundred requests of each hot path through
Django's test client (every middleware, no network) against the same prepared database,
each as the next citizen in turn. This process's CPU time per request (Python), the CPU its
PostgreSQL backend used meanwhile (from /proc/PID/stat of the connection's backend pid), and
the SQL statements of a few more requests (CaptureQueriesContext).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

import health
import health_record
import housing
from run import BenchError

if TYPE_CHECKING:
    from city import Citizen, City

# Calls of each hot path timed in this process after the load (a tenth with --quick).
COST_CALLS = 200
# Calls whose statements are captured, after the timed ones.
CAPTURED_CALLS = 5

# The hot paths timed in this process, and the request each makes.
HOT_PATHS = {
    "/healthz": "GET /healthz",
    "record page": "GET /health/record/{id}/ (cookie)",
    "record API": f"GET {health_record.TIMELINE_API} (token)",
    "meter view": f"GET {housing.PREMISES_API}",
    "meter submission": f"POST {housing.PREMISES_API}/{{id}}/readings",
    "slot listing": "GET /api/v1/health/clinics/{id}/slots?specialty=&date=",
    "booking": f"POST {health.BOOK_API}, booked",
    "search": "GET /api/v1/services?q= (eval queries in turn)",
    "home": "GET / (cookie)",
    "service page": "GET /services/{slug}/ (cookie)",
    "category page": "GET /categories/{slug}/ (cookie)",
}


@dataclass
class Costs:
    """A hot path's cost per request, measured in this process after the load."""

    calls: int
    python_ms: float
    # The PostgreSQL backend's CPU (None on SQLite, or where /proc cannot tell).
    backend_ms: float | None
    statements: float
    # The statements of one call, shortened ("SELECT accounts_apitoken").
    one_call: list[str]


def _backend_ticks() -> tuple[int, int] | None:
    """(pid, CPU ticks) of this process's PostgreSQL backend, from /proc; None elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    after = stat[stat.rindex(")") + 2 :].split()
    # after[11] and after[12]: utime and stime, as CpuMeter reads them.
    return pid, int(after[11]) + int(after[12])


def measure(call, warm: int, calls: int) -> Costs:
    """`call` `warm` times untimed, `calls` times timed (this process's CPU, and its
    PostgreSQL backend's), then CAPTURED_CALLS times with its statements captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):
        call()
    backend_before = _backend_ticks()
    started = time.process_time()
    for _ in range(calls):
        call()
    python_ms = (time.process_time() - started) / calls * 1000
    backend_after = _backend_ticks()
    backend_ms = None
    if backend_before and backend_after and backend_before[0] == backend_after[0]:
        ticks = backend_after[1] - backend_before[1]
        backend_ms = ticks / os.sysconf("SC_CLK_TCK") / calls * 1000
    with CaptureQueriesContext(connection) as captured:
        for _ in range(CAPTURED_CALLS - 1):
            call()
        last = len(captured.captured_queries)
        call()
    queries = captured.captured_queries
    return Costs(
        calls,
        python_ms,
        backend_ms,
        len(queries) / CAPTURED_CALLS,
        [housing._statement(query["sql"]) for query in queries[last:]],
    )


class Requests:
    """One request of each hot path per call, each as the next citizen in turn, through
    Django's test client (a browser's with the session cookie, an app's with the token),
    its status checked."""

    def __init__(self, city: City):
        from django.conf import settings
        from django.test import Client

        self.city = city
        self.browser = Client(HTTP_HOST="127.0.0.1")
        self.app = Client(HTTP_HOST="127.0.0.1")
        self.cookie = settings.SESSION_COOKIE_NAME
        self.turn = count()
        self.query_turn = count()
        self.deck = health.tickets(city.rush)

    @staticmethod
    def expect(response, status: int, request: str) -> None:
        if response.status_code != status:
            raise BenchError(f"in-process {request}: {response.status_code}, not {status}")

    def citizen(self) -> Citizen:
        return self.city.citizens[next(self.turn) % len(self.city.citizens)]

    @staticmethod
    def auth(someone: Citizen) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {someone.token}"}

    def page(self, path: str, someone: Citizen | None = None) -> None:
        self.browser.cookies[self.cookie] = (someone or self.citizen()).session
        self.expect(self.browser.get(path), 200, f"GET {path}")

    def rotating(self, paths: list[str]):
        """A call that opens the pages one after another."""
        order = count()
        return lambda: self.page(paths[next(order) % len(paths)])

    def healthz(self) -> None:
        self.expect(self.app.get("/healthz"), 200, "GET /healthz")

    def record_page(self) -> None:
        someone = self.citizen()
        self.page(f"/health/record/{someone.person_id}/", someone)

    def record_api(self) -> None:
        someone = self.citizen()
        path = health_record.TIMELINE_API.format(id=someone.person_id)
        self.expect(self.app.get(path, **self.auth(someone)), 200, f"GET {path}")

    def meter_view(self) -> None:
        response = self.app.get(housing.PREMISES_API, **self.auth(self.citizen()))
        self.expect(response, 200, f"GET {housing.PREMISES_API}")

    def meter_submit(self) -> None:
        someone, step = self.citizen(), 1 + next(self.turn) / 1000
        body = {
            "readings": [
                {"meter_id": someone.cold, "value": f"{float(someone.cold_last) + step:.3f}"},
                {"meter_id": someone.hot, "value": f"{float(someone.hot_last) + step:.3f}"},
            ]
        }
        response = self.app.post(
            f"{housing.PREMISES_API}/{someone.premises}/readings",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"city-in-process-{secrets.token_hex(8)}",
            **self.auth(someone),
        )
        self.expect(response, 201, "meter submission")

    def slot_list(self) -> None:
        rush, n = self.city.rush, next(self.turn)
        someone = rush.citizens[n % len(rush.citizens)]
        day = rush.days[n % len(rush.days)]
        path = health.slots_path(someone, rush, day, n % len(rush.specialties))
        self.expect(self.app.get(path, **self.auth(someone)), 200, f"GET {path}")

    def booking(self) -> None:
        ticket = next(self.deck, None)
        if ticket is None:
            raise BenchError("in-process booking: no ticket left; raise CITIZENS in city.py")
        someone, slot_id = ticket
        response = self.app.post(
            health.BOOK_API,
            json.dumps({"person_id": someone.person_id, "slot_id": slot_id}),
            content_type="application/json",
            **self.auth(someone),
        )
        self.expect(response, 201, "booking")

    def search(self) -> None:
        path = self.city.queries[next(self.query_turn) % len(self.city.queries)]
        self.expect(self.app.get(path, **self.auth(self.citizen())), 200, f"GET {path}")


def _cases(city: City, calls: int) -> dict[str, tuple[object, int]]:
    """The hot paths: (call, warm-up calls)."""
    requests = Requests(city)
    warm = max(1, calls // 10)
    paths = {
        "/healthz": (requests.healthz, warm),
        "record page": (requests.record_page, warm),
        "record API": (requests.record_api, warm),
        "meter view": (requests.meter_view, warm),
        "meter submission": (requests.meter_submit, warm),
        "slot listing": (requests.slot_list, warm),
        "booking": (requests.booking, warm),
        # One pass over the queries first: the mix finds them in the answer cache too.
        "search": (requests.search, len(city.queries)),
        "home": (lambda: requests.page("/"), warm),
        "service page": (requests.rotating(city.pages["service"]), warm),
        "category page": (requests.rotating(city.pages["category"]), warm),
    }
    assert paths.keys() == HOT_PATHS.keys()
    return paths


def request_costs(city: City, calls: int) -> tuple[dict[str, Costs], int]:
    """Each hot path's costs; and the record looks made, each of which must have added
    exactly one access-log row."""
    from django.utils import timezone

    from gorod.accounts.models import ApiToken
    from gorod.analytics.recorder import recorder

    tokens = ApiToken.objects.filter(user__person__in=[c.person_id for c in city.citizens])
    logged_before, _denied = health_record.logged(city.records)
    costs, looks = {}, 0
    django_requests = logging.getLogger("django.request")
    level = django_requests.level
    django_requests.setLevel(logging.ERROR)
    try:
        for name, (call, warm) in _cases(city, calls).items():
            # Every token used within the minute, as in the load: a token's first use after
            # a minute writes last_used_at, which would show in a call's statements by chance.
            tokens.update(last_used_at=timezone.now())
            costs[name] = measure(call, warm, calls)
            if name.startswith("record"):
                looks += warm + calls + CAPTURED_CALLS
    finally:
        django_requests.setLevel(level)
    logged_after, denied = health_record.logged(city.records)
    if logged_after - logged_before != looks or denied:
        raise BenchError(
            f"{looks:,} record looks in this process added {logged_after - logged_before:,} "
            f"allowed access-log rows ({denied} denied in all), not one each"
        )
    # The uses counted into this process's buffer: written while the database exists.
    recorder.flush()
    return costs, looks


def cost_lines(costs: Mapping[str, Costs], cases: Mapping[str, str]) -> list[str]:
    """Each request's costs beside /healthz's as a table, then each one's SQL statements
    counted by kind (a part's section puts its own sentence above)."""
    lines = [
        "| request | what | Python CPU ms | PostgreSQL CPU ms | statements | Python ÷ /healthz |",
        "|---|---|--:|--:|--:|--:|",
    ]
    healthz_ms = costs["/healthz"].python_ms
    for name, cost in costs.items():
        backend = "–" if cost.backend_ms is None else f"{cost.backend_ms:.2f}"
        lines.append(
            f"| {name} | `{cases[name]}` | {cost.python_ms:.2f} | {backend} "
            f"| {cost.statements:.1f} | {cost.python_ms / healthz_ms:,.1f}× |"
        )
    for name, cost in costs.items():
        if name == "/healthz":
            continue
        tally = ", ".join(
            f"{statement} ×{n}" if n > 1 else statement
            for statement, n in Counter(cost.one_call).items()
        )
        lines += ["", f"SQL statements of one {name} ({len(cost.one_call)}): {tally}."]
    return lines
