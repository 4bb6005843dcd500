"""Writes of usage analytics: recording a use, rolling days up."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import datasketches
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gorod.analytics import rules
from gorod.analytics.bulk import event_writer
from gorod.analytics.models import RollupPending, UsageDaily, UsageDay, UsageEvent
from gorod.analytics.recorder import recorder
from gorod.catalog import snapshot
from gorod.catalog.models import Service
from gorod.core.errors import DomainError

# HyperLogLog with 2^14 registers: exact below about a thousand users, ±0.8 % beyond.
SKETCH_LG_K = 14
SKETCH_TYPE = datasketches.tgt_hll_type.HLL_8


def analytics_zone() -> ZoneInfo:
    return ZoneInfo(settings.GOROD_ANALYTICS_TIME_ZONE)


def person_key_of(actor) -> bytes | None:
    """The pseudonym of a signed-in account; None for an anonymous visitor."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return rules.person_key(settings.GOROD_ANALYTICS_KEY, "user", actor.pk)


def _service_id(service: Service | str) -> int:
    if isinstance(service, Service):
        return service.pk
    found = snapshot.current().services.get(service)
    if found is not None:
        return found.pk
    service_id = Service.objects.filter(slug=service).values_list("pk", flat=True).first()
    if service_id is None:
        raise DomainError("unknown_service", f"No service {service!r} in the catalog")
    return service_id


def usage_record(
    *,
    service: Service | str,
    actor,
    action: str,
    channel: str,
    occurred_at: datetime | None = None,
) -> uuid.UUID:
    """Count one use of a service and return its id (a rating names the use by it).

    The event joins the buffer when the caller's transaction commits, so a booking that
    rolls back is not counted; with GOROD_USAGE_WRITE=immediate (tests) it is written at
    once inside the caller's transaction; with "off" it is not written at all.
    """
    if action not in rules.ACTIONS:
        raise ValueError(f"unknown usage action {action!r}")
    if channel not in rules.CHANNELS:
        raise ValueError(f"unknown usage channel {channel!r}")
    use_id = uuid.uuid4()
    mode = settings.GOROD_USAGE_WRITE
    if mode == "off" or _usage_paused.get():
        # "off" counts nothing: make bench measures what recording costs against it.
        return use_id
    # A row in bulk.COLUMNS order: cheaper to build and to write than a model instance.
    row = (
        use_id,
        occurred_at or timezone.now(),
        _service_id(service),
        channel,
        action,
        person_key_of(actor),
        None,
    )
    if mode == "immediate":
        event_writer().write([row])
    else:
        transaction.on_commit(lambda: recorder.add(row))
    return use_id


def service_page_read(*, service: Service, actor, channel: str) -> uuid.UUID | None:
    """For an information service, reading its page is using it (docs/analytics.md).

    Counted for a signed-in reader only, whose use the page then offers to rate; None for
    anyone else and for the page of any other kind of service.
    """
    if service.kind != Service.Kind.INFO or not getattr(actor, "is_authenticated", False):
        return None
    return usage_record(service=service, actor=actor, action="open", channel=channel)


def service_exit_record(*, service: Service, actor, channel: str) -> None:
    """Leaving for an external service's site is using it, when the citizen is signed in."""
    if getattr(actor, "is_authenticated", False):
        usage_record(service=service, actor=actor, action="open", channel=channel)


# Per thread (and per task), so pausing in one request or command touches no other.
_usage_paused: ContextVar[bool] = ContextVar("usage_paused", default=False)


@contextmanager
def usage_paused():
    """Count no use inside: a demo replaying invented history is not use of the portal."""
    token = _usage_paused.set(True)
    try:
        yield
    finally:
        _usage_paused.reset(token)


def rollup_mark_pending(days: Iterable[date], *, subject: str = "usage") -> None:
    """Ask the next rollup of `subject` to recompute these days (an import or a late
    write touched them)."""
    now = timezone.now()
    RollupPending.objects.bulk_create(
        [RollupPending(day=day, subject=subject, marked_at=now) for day in set(days)],
        update_conflicts=True,
        unique_fields=["day", "subject"],
        update_fields=["marked_at"],
    )


def rollup_pending_days(subject: str) -> set[date]:
    return set(RollupPending.objects.filter(subject=subject).values_list("day", flat=True))


def rollup_pending_clear(day: date, *, subject: str, rolled_from: datetime) -> None:
    """Drop the day's mark, unless it was set after the day's rollup began (it stays for
    the next run); call inside the transaction that wrote the day's rows."""
    RollupPending.objects.filter(day=day, subject=subject, marked_at__lte=rolled_from).delete()


def roll_days(
    days: Iterable[date], roll_day: Callable[[date], int], progress: Callable[[date], None] | None
) -> tuple[list[date], int]:
    """Run one day's rollup for each day in order; returns the days and the rows counted.

    Each day is replaced whole in its own transaction (roll_day's job): re-running gives
    the same rows, and an interrupted run resumes with the days it had not reached.
    """
    rolled, counted = [], 0
    for day in sorted(set(days)):
        counted += roll_day(day)
        rolled.append(day)
        if progress is not None:
            progress(day)
    return rolled, counted


@dataclass
class RollupReport:
    days: list[date]
    events: int


def days_to_roll(today: date) -> list[date]:
    """Pending days, yesterday and today (late flushes around midnight), and every day
    since the last one rolled, so that a missed run catches up by itself."""
    days = rollup_pending_days("usage")
    days.update({today - timedelta(days=1), today})
    last = UsageDay.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None:
        days.update(last + timedelta(days=n) for n in range(1, (today - last).days))
    return sorted(day for day in days if day <= today)


def usage_rollup(
    *, days: Iterable[date] | None = None, progress: Callable[[date], None] | None = None
) -> RollupReport:
    """Recompute the daily usage rollups of the given days (default: days_to_roll)."""
    zone = analytics_zone()
    if days is None:
        days = days_to_roll(timezone.now().astimezone(zone).date())
    rolled, events = roll_days(days, lambda day: _rollup_day(day, zone), progress)
    return RollupReport(days=rolled, events=events)


def _rollup_day(day: date, zone: ZoneInfo) -> int:
    started = timezone.now()
    start, end = rules.day_bounds(day, zone)
    events = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    uses = {
        (row["service_id"], row["channel"]): row["uses"]
        for row in events.values("service_id", "channel").annotate(uses=Count("id")).order_by()
    }
    sketches: dict[tuple[int, str], datasketches.hll_sketch] = defaultdict(_new_sketch)
    users: dict[tuple[int, str], int] = defaultdict(int)
    day_sketch = _new_sketch()
    people = (
        events.exclude(person=None)
        .values_list("service_id", "channel", "person")
        .distinct()
        .order_by()
    )
    for service_id, channel, person in people.iterator(chunk_size=20_000):
        # The pseudonym is already a keyed hash: its first 8 bytes are a fine sketch input.
        value = int.from_bytes(bytes(person)[:8], "big", signed=True)
        sketches[service_id, channel].update(value)
        users[service_id, channel] += 1
        day_sketch.update(value)
    day_users = events.exclude(person=None).aggregate(n=Count("person", distinct=True))["n"]
    with transaction.atomic():
        UsageDaily.objects.filter(day=day).delete()
        UsageDaily.objects.bulk_create(
            [
                UsageDaily(
                    day=day,
                    service_id=service_id,
                    channel=channel,
                    uses=count,
                    users=users[service_id, channel],
                    users_sketch=_sketch_bytes(sketches.get((service_id, channel))),
                )
                for (service_id, channel), count in uses.items()
            ],
            batch_size=500,
        )
        total = sum(uses.values())
        if total:
            UsageDay.objects.update_or_create(
                day=day,
                defaults={
                    "uses": total,
                    "users": day_users,
                    "users_sketch": _sketch_bytes(day_sketch),
                    "rolled_at": started,
                },
            )
        else:
            UsageDay.objects.filter(day=day).delete()
        rollup_pending_clear(day, subject="usage", rolled_from=started)
    return total


def _new_sketch() -> datasketches.hll_sketch:
    return datasketches.hll_sketch(SKETCH_LG_K, SKETCH_TYPE)


def _sketch_bytes(sketch: datasketches.hll_sketch | None) -> bytes:
    return (sketch or _new_sketch()).serialize_compact()


def sketch_union_estimate(blobs: Iterable[bytes]) -> int:
    """Unique users across the sketches of several days or rows."""
    union = datasketches.hll_union(SKETCH_LG_K)
    for blob in blobs:
        union.update(datasketches.hll_sketch.deserialize(bytes(blob)))
    return round(union.get_result().get_estimate())
