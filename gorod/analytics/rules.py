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
