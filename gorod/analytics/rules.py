"""Pure rules of usage analytics: pseudonyms, Moscow days, periods, report figures.

No ORM and no I/O here; the numbers a report prints are computed by these functions from
plain sums that the selectors read out of the rollups.
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from gorod.core.channels import CHANNELS

# What a citizen did with a service (docs/analytics.md, "What counts as a use").
ACTIONS = ("open", "submit", "book", "reschedule", "cancel", "enroll", "download", "import")
IMPORT_KINDS = ("usage", "ratings")
ROLLUP_SUBJECTS = ("usage", "ratings")
PERSON_KEY_BYTES = 16
# A period longer than this is a typo, not a question anyone asks of a dashboard.
PERIOD_MAX_DAYS = 3660
# Dates outside these are typos too; the bound also keeps date arithmetic (a comparison
# period before the first day) far from datetime's year 1.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def person_key(secret: bytes, namespace: str, account_id: object) -> bytes:
    """The pseudonym of an account: keyed, so it cannot be reversed or joined without the
    server's secret; namespaced, so ids from a historical system never collide with ours."""
    message = f"{namespace}:{account_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).digest()[:PERSON_KEY_BYTES]


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants [start, end) of a calendar day in `zone` (Europe/Moscow for reports)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def content_id(occurred_at: datetime, fields: tuple[str, ...], occurrence: int) -> uuid.UUID:
    """Identity of an imported row: its content (the instant, not how it was written, and
    the other fields) and how many identical rows came before it in the file. Re-importing
    a file, or an overlapping extract, collides with the rows already there instead of
    counting them twice.

    Like a UUIDv7, the first 48 bits are the instant in milliseconds and the other 80 a
    hash of the content: a file sorted by time then appends to the primary-key index
    instead of writing all over it, which keeps big imports fast on both databases.
    """
    instant = occurred_at.timestamp()
    name = "|".join((f"{instant:.6f}", *fields, str(occurrence)))
    milliseconds = int(instant * 1000) & 0xFFFF_FFFF_FFFF
    digest = hashlib.blake2b(name.encode(), digest_size=10).digest()
    return uuid.UUID(bytes=milliseconds.to_bytes(6, "big") + digest)


class ContentIds:
    """Hands out content_id()s for the rows of one file, counting identical rows, so that
    two genuinely repeated rows stay two while a re-import of either collides."""

    def __init__(self) -> None:
        # First id of a content -> how many times it has been seen (~100 bytes a row).
        self._seen: dict[int, int] = {}

    def next(self, occurred_at: datetime, *fields: str) -> uuid.UUID:
        first = content_id(occurred_at, fields, 0)
        occurrence = self._seen.get(first.int, 0)
        self._seen[first.int] = occurrence + 1
        return first if occurrence == 0 else content_id(occurred_at, fields, occurrence)


def imported_event_id(
    occurred_at: datetime, service: str, user: str, channel: str, occurrence: int
) -> uuid.UUID:
    """The content_id of an imported usage event."""
    return content_id(occurred_at, (service, user, channel), occurrence)


@dataclass(frozen=True)
class Period:
    """Inclusive range of Moscow calendar days."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def each_day(self):
        for offset in range(self.days):
            yield self.first + timedelta(days=offset)


def period_problem(first: date, last: date) -> str | None:
    """Why a requested period cannot be reported, or None (messages are translated by the
    caller, which knows the field names)."""
    if not (FIRST_DAY <= first <= LAST_DAY and FIRST_DAY <= last <= LAST_DAY):
        return "date_out_of_range"
    if first > last:
        return "period_reversed"
    if (last - first).days + 1 > PERIOD_MAX_DAYS:
        return "period_too_long"
    return None


def relative_change(current: float, previous: float) -> float | None:
    """(current − previous) / previous; None when there is nothing to compare with."""
    if previous == 0:
        return None
    return current / previous - 1


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class ServiceUses:
    slug: str
    title: str
    category: str
    uses: int
    share: float


@dataclass(frozen=True)
class CategoryUses:
    slug: str
    title: str
    uses: int
    share: float


@dataclass(frozen=True)
class UsageFigures:
    period: Period
    uses: int
    users: int
    daily: list[tuple[date, int]] = field(default_factory=list)
    top_services: list[ServiceUses] = field(default_factory=list)
    categories: list[CategoryUses] = field(default_factory=list)

    @property
    def daily_average(self) -> float:
        return self.uses / self.period.days


def usage_figures(
    period: Period,
    *,
    users: int,
    daily: dict[date, int],
    by_service: dict[str, int],
    services: dict[str, tuple[str, str]],
    categories: dict[str, str],
    top: int,
) -> UsageFigures:
    """Figures of one period from rollup sums.

    `daily` maps day → uses (days without rows count as zero), `by_service` slug → uses,
    `services` slug → (title, category slug), `categories` slug → title in display order.
    Ties in the top list are broken by slug so that the same data gives the same list.
    """
    total = sum(by_service.values())
    ranked = sorted(by_service.items(), key=lambda item: (-item[1], item[0]))
    top_services = [
        ServiceUses(slug, services[slug][0], services[slug][1], uses, share(uses, total))
        for slug, uses in ranked[:top]
        if uses > 0
    ]
    per_category = dict.fromkeys(categories, 0)
    for slug, uses in by_service.items():
        per_category[services[slug][1]] += uses
    return UsageFigures(
        period=period,
        uses=total,
        users=users,
        daily=[(day, daily.get(day, 0)) for day in period.each_day()],
        top_services=top_services,
        categories=[
            CategoryUses(slug, categories[slug], uses, share(uses, total))
            for slug, uses in per_category.items()
        ],
    )


USAGE_IMPORT_HEADER = ("occurred_at", "service", "user", "channel")


@dataclass(frozen=True)
class ImportedUse:
    occurred_at: datetime
    service_id: int
    user: str
    channel: str


def parse_instant(text: str) -> datetime:
    """An ISO 8601 timestamp that says its offset; a bare local time is ambiguous."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment


def parse_usage_row(row: list[str], service_ids: dict[str, int]) -> ImportedUse | str:
    """One data row of a usage file, or the reason (code) it cannot be imported."""
    if len(row) != len(USAGE_IMPORT_HEADER):
        return "wrong_field_count"
    occurred_text, slug, user, channel = (field.strip() for field in row)
    try:
        occurred_at = parse_instant(occurred_text)
    except ValueError:
        return "bad_timestamp"
    service_id = service_ids.get(slug)
    if service_id is None:
        return "unknown_service"
    if channel not in CHANNELS:
        return "unknown_channel"
    return ImportedUse(occurred_at, service_id, user, channel)


# ---- Applications to departments: the GOV.UK Performance Platform's figures --------------
# docs/analytics.md, "Applications by service", defines each one. The applications app reads
# its history and hands the plain counts and times to these functions (applications_port).


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The `percent`-th percentile by the nearest-rank method: the smallest value such that
    at least `percent` % of the values are not above it. It is always one of the values
    ("90 % of applications were decided within 12 days" is then literally true); None
    without values. The median is nearest_rank(values, 50): of an even count, the lower
    of the two middle values."""
    if not 0 < percent <= 100:
        raise ValueError("a percentile is above 0 and at most 100")
    if not values:
        return None
    ordered = sorted(values)
    # ceil(percent × n / 100) in integers: no float can round a rank the wrong way.
    rank = -(-percent * len(ordered) // 100)
    return ordered[rank - 1]


def ratio(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is nothing to divide by (not 0: "no data")."""
    return part / whole if whole else None


@dataclass(frozen=True)
class ApplicationFlows:
    """What happened to a service's applications in a period, each counted on the day it
    happened, and two cohorts: of the drafts started in the period, those sent by now; of
    the applications sent in the period, those completed by now."""

    started: int = 0
    submitted: int = 0
    completed: int = 0
    refused_to_accept: int = 0
    refused: int = 0
    withdrawn: int = 0
    started_then_submitted: int = 0
    submitted_then_completed: int = 0

    def __add__(self, other: "ApplicationFlows") -> "ApplicationFlows":
        return ApplicationFlows(
            **{
                name: getattr(self, name) + getattr(other, name)
                for name in self.__dataclass_fields__
            }
        )


@dataclass(frozen=True)
class Decided:
    """One decision (result ready, refused, refused to accept) taken in the period."""

    working_days: int  # from the day of submission to the day of the decision
    calendar_days: int
    # Decided on or before the regulation's term; None when no term was set (documents
    # refused before registration, which is when the term starts).
    on_time: bool | None


@dataclass(frozen=True)
class ServicePerformance:
    slug: str
    title: str
    flows: ApplicationFlows
    decided: int
    median_working_days: int | None
    p90_working_days: int | None
    median_calendar_days: int | None
    p90_calendar_days: int | None
    within_term: int
    with_term: int
    # Submissions in the period by the portal's channel they came through (web, mobile,
    # api, kiosk); "unknown" when the submission's use was not recorded.
    channels: dict[str, int]
    # Applications made on paper (at a public services centre or the department) in the
    # period, when someone supplies that count; the portal itself never sees them.
    offline_submitted: int | None = None

    @property
    def rejected(self) -> int:
        return self.flows.refused_to_accept + self.flows.refused

    @property
    def submitted_of_started(self) -> float | None:
        """GOV.UK's "completion rate": an online transaction is complete when it is sent."""
        return ratio(self.flows.started_then_submitted, self.flows.started)

    @property
    def completed_of_submitted(self) -> float | None:
        """The share of the applications sent that ended with the service given."""
        return ratio(self.flows.submitted_then_completed, self.flows.submitted)

    @property
    def within_term_share(self) -> float | None:
        return ratio(self.within_term, self.with_term)

    @property
    def digital_take_up(self) -> float | None:
        """Online submissions ÷ all submissions; unknown (None) without the offline count."""
        return digital_take_up(self.flows.submitted, self.offline_submitted)


def digital_take_up(online: int, offline: int | None) -> float | None:
    if offline is None:
        return None
    return ratio(online, online + offline)


def service_performance(
    slug: str,
    title: str,
    flows: ApplicationFlows,
    decisions: list[Decided],
    channels: dict[str, int],
    offline_submitted: int | None = None,
) -> ServicePerformance:
    working = [decision.working_days for decision in decisions]
    calendar = [decision.calendar_days for decision in decisions]
    timed = [decision.on_time for decision in decisions if decision.on_time is not None]
    return ServicePerformance(
        slug=slug,
        title=title,
        flows=flows,
        decided=len(decisions),
        median_working_days=nearest_rank(working, 50),
        p90_working_days=nearest_rank(working, 90),
        median_calendar_days=nearest_rank(calendar, 50),
        p90_calendar_days=nearest_rank(calendar, 90),
        within_term=sum(timed),
        with_term=len(timed),
        channels=channels,
        offline_submitted=offline_submitted,
    )


@dataclass(frozen=True)
class ApplicationsFigures:
    period: Period
    # Every service with something in the period: most applications sent first, then by slug.
    services: list[ServicePerformance]
    total: ServicePerformance


def applications_figures(
    period: Period,
    *,
    flows: dict[str, ApplicationFlows],
    decisions: dict[str, list[Decided]],
    channels: dict[str, dict[str, int]],
    titles: dict[str, str],
    total_title: str = "",
) -> ApplicationsFigures:
    """The figures per service and for all of them together (the total's median is the
    median of every decision, not a median of the services' medians)."""
    slugs = set(flows) | set(decisions)
    services = [
        service_performance(
            slug,
            titles.get(slug, slug),
            flows.get(slug, ApplicationFlows()),
            decisions.get(slug, []),
            channels.get(slug, {}),
        )
        for slug in slugs
    ]
    services.sort(key=lambda row: (-row.flows.submitted, -row.decided, row.slug))
    all_channels: dict[str, int] = {}
    for per_service in channels.values():
        for channel, count in per_service.items():
            all_channels[channel] = all_channels.get(channel, 0) + count
    total = service_performance(
        "",
        total_title,
        sum((row.flows for row in services), ApplicationFlows()),
        [decision for slug in sorted(decisions) for decision in decisions[slug]],
        all_channels,
    )
    return ApplicationsFigures(period=period, services=services, total=total)
