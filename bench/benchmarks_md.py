"""BENCHMARKS.md as `bench/run.py --write` keeps it: the header (how a run works) and one
section per part and database, each between its own markers; text written by hand between
and after the sections is left as it is."""

from __future__ import annotations

import re
from pathlib import Path

from run import PROJECT_DIR, say

BENCHMARKS_MD = PROJECT_DIR / "BENCHMARKS.md"

HEADER = """\
# Benchmarks

`make bench` (which runs `.venv/bin/python bench/run.py`) measures gorod's production server
on one machine; `bench/run.py --write` puts its figures here. Each section below says the
exact command, the machine and the settings it was measured with.

**How a run works.** A fresh database (SQLite in a temporary GOROD_VAR_DIR, or PostgreSQL
with `--database-url`) gets `gorod migrate`, `gorod demo --no-usage` and `gorod collectstatic`. Then
`gorod serve` (granian, WSGI, 2 workers × 4 blocking threads) runs with production settings:
GOROD_ENV=production, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, and GOROD_SSL_REDIRECT=0
because loopback speaks plain HTTP. wrk (`-t2 -c32 --latency`) loads one endpoint after
another over loopback, in 3 rounds; in each round every endpoint runs for 4 s right after a
2 s run of `/healthz`. Every answer must be 200: each URL is fetched once first without
following redirects, and under load wrk must count no error status (≥ 400) and no socket
error; otherwise the run fails.

**What the ratio means.** `rps ÷ /healthz` is an endpoint's requests per second divided by
those of the trivial `/healthz` view (no database, no session, the full middleware stack)
measured by the same server just before it. The table gives the median over the rounds and,
under *range*, the lowest and highest round. wrk shares the CPUs with the server, so
absolute rps say as much about the machine as about gorod; the ratio is what compares
across machines and runs. 100 % means an endpoint costs no more than pushing a request
through Django; 50 % means its own work costs as much again as the whole trivial request.
On the `/healthz` row the range is its spread over the run: the run's own noise. Other
processes on the machine skew the figures; the line under each table says how much CPU they
took (`/proc` accounting: the machine's CPU time minus the server's, wrk's and the script's).

**The bar** (from the issue): the catalog API (`/api/v1/services`, `/api/v1/categories`)
and the search API (`/api/v1/services?q=`, realistic mix and popular query) reach at least
50 % of `/healthz`. The search rows:

- *mix*: the queries of `gorod/catalog/search_eval.csv` (column `query`), a different one on
  each request (`bench/search_mix.lua`). They recur within seconds, so after the warm-up
  they are answered from each process's answer cache, as popular queries are in life.
- *popular*: one query asked again and again.
- *unique*: the same queries with a number no other request has appended as an extra word,
  so the answer cache never helps and every request ranks the catalog afresh: the cost of
  the long tail. Not judged against the bar; it shows what a cache miss costs.

The in-process table times `SearchIndex.search` alone (no HTTP, no Django view), as CPU time
of the timing thread: *cold* with the lemma cache cleared, an answer-cache *miss* with
words already lemmatized, and a *warm* repeat.

**Analytics** (the sections "Analytics on …"; `--only analytics` runs them alone). A year of
usage at the city's shape (`gorod/demo/analytics.py`: 10 million uses by default, 1 million
with `--quick`, `--events N`; generated once and cached under var/bench/) is imported into
the same database after the HTTP rounds, with `gorod analytics import` and `gorod feedback
import`; `gorod analytics rollup` rolls the year up; `gorod report usage --json` reports it
against its first half; the analysts' dashboard is fetched over the same periods as a user
with the `analytics.view_usagedaily` permission, one request at a time. Each is timed as a
whole command or request, wall clock, on an otherwise idle machine. The bars (from the
issue): the dashboard over a year answers well under a second; recording a use costs a
request at most 10 %, measured as the ratio of a signed-in information-service page's rps
with GOROD_USAGE_WRITE=buffered to the same with =off, on two servers side by side.

**Meter readings at month-end** (the sections "Meter readings at month-end on …"; `--only
housing` runs them alone; bench/housing.py). 2,000 citizens, each with an apartment, a cold
and a hot water meter with last month's reading and a personal API token, are added to the
demo city; wrk (`bench/meters_mix.lua`) then sends, as a citizen picked at random for each
request, a *mix* of 70 % `GET /api/v1/housing/premises` and 30 % `POST
/api/v1/housing/premises/{id}/readings` (two readings, a fresh Idempotency-Key, values that
are always accepted), then *submit* (submissions only) and *view* (views only) for the
latency of each kind, each right after a /healthz run as above. Every answer must be 200 or
201. The server reads the real clock: when no window is open on the day of the run, the
bench opens one with GOROD_METER_WINDOW_START_DAY/END_DAY and the section says so. The
target (from the issue, PostgreSQL on this 2-core machine): at least 500 accepted
submissions per second with p99 under 200 ms, without errors.

**The 08:00 rush of doctor appointments** (the sections "The 08:00 rush … on …"; `--only
health` runs them alone; bench/health.py). Four polyclinics of five doctors each
(therapists, GPs, an ophthalmologist), their slots for the booking horizon opened by
`slots_open` (about 10,000), and 2,000 citizens attached to them with a personal API token
are added to the demo city; wrk (`bench/rush_mix.lua`) then sends, as a citizen picked at
random for each request, a *mix* of 80 % listings (`GET
/api/v1/health/people/{id}/slots?specialty=&date=`, a day of the horizon at random) and
20 % bookings (`POST /api/v1/health/appointments`, a slot of the citizen's clinic, half the
time one of the soonest few, free or already taken), then *book* (bookings only) and *list*
(listings only), each right after a /healthz run as above. Every answer must be a listing
(200), a booking (201) or 409 `slot_taken`, counted apart. After every run the database is
checked (no slot held twice, every busy slot with exactly one booked appointment and every
booked one's slot busy, no patient with two booked in one specialty or two that overlap),
then the run's appointments are cancelled so the next run starts from the same free slots.
The targets (from the issue, PostgreSQL on this 2-core machine): slot listing at least
1,000 rps, at least 300 bookings per second, p99 under 250 ms, no error but `slot_taken`.

**The medical record's timeline** (the sections "The medical record's timeline on …";
`--only record` runs them alone; bench/health_record.py). 50 citizens (5 with `--quick`),
each with ten years of record (about 500 entries of every section, written as the demo
writes its patients'), a session and a personal API token, are added to the demo city; wrk
(`bench/record_mix.lua`) then opens, as a citizen picked at random for each request, the
first page of the citizen's own timeline: *web* (`GET /health/record/{id}/`, the session
cookie) and *api* (`GET /api/v1/health/record/{id}/timeline`, the token), each right after
a /healthz run and an /api/v1/ping run, with ratios to both. Every look writes its
access-log row in the request, so the figures include it. Every answer must be 200; after
every run the log must hold one allowed row per page counted (and at most one more per
connection, for the requests in flight when wrk stops), and afterwards 50 looks of each kind
sent one at a time must add exactly 50 rows.

**The city mix** (the sections "The city mix on …"; `--only city` runs them alone;
bench/city.py). 100 citizens (10 with `--quick`) are prepared by the parts above, each
part's own preparation called: ten years of record, a session and a token (the record's),
an attachment to one of four bench polyclinics whose slots are opened (the rush's), an
apartment with a cold and a hot water meter (the month-end's); the attachments and
apartments are then handed to the record's citizens, so one set of citizens has all of
it. wrk (`bench/city_mix.lua`) sends, as a citizen picked at random for each request, the
city's published usage: the record's timeline 49 % (half the page `/health/record/{id}/`
with the session cookie, half `GET /api/v1/health/record/{id}/timeline` with the token),
meter view 9 % and submission 1 %, a clinic's free slots 8 % and a booking 1 % (tickets
dealt as in the rush), search 15 % (the eval queries through `/api/v1/services?q=`), and
the home, service and category pages 17 % (cookie); in rounds, each mix run right after a
/healthz run. wrk does not say which request an answer belongs to, so every answer is
classified by its status and the start of its body (a timeline, premises, a board, a search
page, a submission, a booking, `slot_taken`, an HTML page); one that fits no class fails
the run, and so does a class answered more often than its kinds were sent. After every run
the database is checked: the rush's checks (no slot held twice, no double booking), one
accepted reading per meter and period with every submission whole, and one allowed
access-log row per record look sent (less at most one per connection, the looks in flight
when wrk stopped, and one more: wrk builds one request to check the script and never sends
it); then the run's bookings are cancelled. Last, each hot path (record page,
record API, meter view and submission, slot listing, booking, search, home, service and
category page) is timed in the bench's process: a few hundred requests through Django's
test client against the same database, its CPU (`time.process_time`), the PostgreSQL
backend's CPU over the same requests (`/proc/PID/stat` of the connection's backend), and
the SQL statements of a few more (`CaptureQueriesContext`). The target (from issue 16,
PostgreSQL and Redis on this 2-core machine): at least 1,000 rps with p99 under 200 ms.
"""

SECTIONS = {
    "sqlite": "## SQLite (the default database)",
    "postgresql": "## PostgreSQL",
    # Written by hand (profiles, experiments); --write keeps it as it is.
    "findings": "## What limits throughput",
    "analytics-sqlite": "## Analytics on SQLite",
    "analytics-postgresql": "## Analytics on PostgreSQL",
    # Written by hand, like "findings".
    "analytics-findings": "## What the analytics figures say",
    "housing-sqlite": "## Meter readings at month-end on SQLite",
    "housing-postgresql": "## Meter readings at month-end on PostgreSQL",
    # Written by hand, like "findings".
    "housing-findings": "## Where a submission's time goes",
    "applications-sqlite": "## Long-tail applications on SQLite",
    "applications-postgresql": "## Long-tail applications on PostgreSQL",
    "health-sqlite": "## The 08:00 rush of doctor appointments on SQLite",
    "health-postgresql": "## The 08:00 rush of doctor appointments on PostgreSQL",
    "record-sqlite": "## The medical record's timeline on SQLite",
    "record-postgresql": "## The medical record's timeline on PostgreSQL",
    "city-sqlite": "## The city mix on SQLite",
    "city-postgresql": "## The city mix on PostgreSQL",
    "school-sqlite": "## The school diary at evening peak on SQLite",
    "school-postgresql": "## The school diary at evening peak on PostgreSQL",
    "clubs-sqlite": "## The enrollment morning of clubs on SQLite",
    "clubs-postgresql": "## The enrollment morning of clubs on PostgreSQL",
}


def write_benchmarks(kind: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Put one section's figures into BENCHMARKS.md, between its markers, and the header
    (HEADER, the text before the first section) up to date; everything else stays as it is:
    the other sections, and the text written by hand between and after them."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"<!-- bench:{kind} -->\n{body}<!-- /bench:{kind} -->"
    marked = re.compile(rf"<!-- bench:{kind} -->\n.*?<!-- /bench:{kind} -->", re.S)
    if not existing:
        text = "".join(
            f"\n{title}\n\n<!-- bench:{name} -->\nNothing here yet.\n<!-- /bench:{name} -->\n"
            for name, title in SECTIONS.items()
        )
        text = marked.sub(lambda _found: block, text)
    elif marked.search(existing):
        text = marked.sub(lambda _found: block, existing, count=1)
    else:
        text = _with_new_section(existing, kind, block)
    first_section = re.search(r"^## ", text, re.M)
    text = HEADER + "\n" + (text[first_section.start() :] if first_section else "")
    path.write_text(text, encoding="utf-8")
    say(f"updated {path.name} ({SECTIONS[kind][3:]})")


def _with_new_section(text: str, kind: str, block: str) -> str:
    """The text with a section it lacks: after the last section SECTIONS lists before it
    that the text has (and the hand-written text that follows that one), else before the
    first it has after it, else at the end."""
    names = list(SECTIONS)
    position = names.index(kind)
    titled = f"{SECTIONS[kind]}\n\n{block}\n\n"
    earlier = [name for name in names[:position] if f"<!-- /bench:{name} -->" in text]
    later = [name for name in names[position + 1 :] if f"<!-- bench:{name} -->" in text]
    if earlier:
        ends = text.index(f"<!-- /bench:{earlier[-1]} -->")
        heading = text.find("\n## ", ends)
        at = -1 if heading == -1 else heading + 1
    elif later:
        at = text.rfind("\n## ", 0, text.index(f"<!-- bench:{later[0]} -->")) + 1
    else:
        at = -1
    if at == -1:
        return text.rstrip("\n") + "\n\n" + titled.rstrip("\n") + "\n"
    return text[:at] + titled + text[at:]
