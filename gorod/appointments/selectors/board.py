"""The free-slot board: what the 08:00 rush reads, kept for a moment per clinic and specialty.

Thousands of a clinic's patients ask for the same list in the same second. The list is not
personal (the public FHIR Slot search shows the same), so it is built once per clinic,
specialty, day and limit, serialised to JSON, and kept in the cache: Redis in production,
shared by every process; a per-process memory on a laptop.

Every change of a slot's status bumps the versions of the boards it is on, so with a
shared cache the next read rebuilds at once and a board may live for minutes; without one,
another process's board is at most GOROD_HEALTH_BOARD_SECONDS (2 s) old. A stale list is
harmless: booking is decided by the slot's conditional update (ADR 0006), and a slot taken
meanwhile answers `slot_taken` with the next free ones.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from gorod.appointments.selectors import booking as selectors
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import Organisation, Practitioner, Specialty
from gorod.core import clock
from gorod.core.cache import versions_bump

SLOT_COLUMNS = (
    "id",
    "start",
    "end",
    "role__practitioner_id",
    "role__practitioner__last_name",
    "role__practitioner__first_name",
    "role__practitioner__middle_name",
    "role__location_id",
    "role__location__name",
    "role__location__address",
    "role__room",
)


@dataclass(frozen=True)
class BoardQuery:
    organisation_id: int
    specialty_id: int
    # One day's slots, or with `first_available` the nearest from that day (or from now).
    day: date | None
    first_available: bool
    limit: int


@dataclass(frozen=True)
class Board:
    # Who the specialty sees (Specialty.Patients, patient_sex), for the caller's check.
    specialty_patients: str
    body: bytes
    specialty_sex: str = ""


def _version_key(organisation_id: int, specialty_id: int, part: str) -> str:
    return f"health:board-version:{organisation_id}:{specialty_id}:{part}"


# A board depends on its clinic-and-specialty version (schedules, absences: "all") and on
# its own part's: one day's, or "first" for the nearest slots across days. A booking on
# one day rebuilds that day's board and the nearest ones, not the other thirteen days'.
ALL_DAYS = "all"
NEAREST = "first"


def _versions(query: BoardQuery) -> list[str]:
    part = NEAREST if query.first_available or query.day is None else query.day.isoformat()
    return [
        _version_key(query.organisation_id, query.specialty_id, ALL_DAYS),
        _version_key(query.organisation_id, query.specialty_id, part),
    ]


def _board_key(query: BoardQuery) -> str:
    day = query.day.isoformat() if query.day else "-"
    return (
        f"health:board:{query.organisation_id}:{query.specialty_id}:{day}:"
        f"{int(query.first_available)}:{query.limit}"
    )


def board_touched(organisation_id: int, specialty_id: int, day: date | None = None) -> None:
    """Slots of this clinic and specialty changed status (on `day`, or on any): rebuild.

    Bumped now, so that the writer's own next read sees its change, and again after
    commit, so that a board another request rebuilt in between (without the change, which
    it could not see yet) is not kept. A rolled-back change only costs a rebuild. Each
    bump is one round trip to Redis.
    """
    parts = [day.isoformat(), NEAREST] if day is not None else [ALL_DAYS]
    keys = [_version_key(organisation_id, specialty_id, part) for part in parts]

    def bump() -> None:
        versions_bump(cache, keys)

    bump()
    transaction.on_commit(bump)


def _local_iso(moment: datetime) -> str:
    return moment.astimezone(clock.city_zone()).isoformat()


def _build(query: BoardQuery, *, now: datetime | None) -> tuple[str, str, dict]:
    organisation = Organisation.objects.filter(pk=query.organisation_id).first()
    specialty = Specialty.objects.filter(pk=query.specialty_id).first()
    if organisation is None or specialty is None:
        return "", "", {}
    now, window_end = selectors.bookable_window(now)
    open_until = selectors.open_until(window_end)
    today = now.date()
    nearest = query.first_available or query.day is None
    # The nearest from this day on (a day before today: from now), or this day only.
    first_day = max(query.day or today, today) if nearest else query.day
    rows = []
    # A day outside the window has nothing to show; the database is not asked.
    if today <= first_day <= open_until:
        from_day = datetime.combine(first_day, time(0), tzinfo=clock.city_zone())
        rows = selectors.free_slots(
            organisation_id=query.organisation_id,
            specialty_id=query.specialty_id,
            day=None if nearest else first_day,
            after=from_day if nearest else None,
            now=now,
        ).values(*SLOT_COLUMNS)[: query.limit]
    names: dict[int, str] = {}
    slots = []
    for row in rows:
        practitioner_id = row["role__practitioner_id"]
        if practitioner_id not in names:
            names[practitioner_id] = Practitioner(
                last_name=row["role__practitioner__last_name"],
                first_name=row["role__practitioner__first_name"],
                middle_name=row["role__practitioner__middle_name"],
            ).initials_name
        slots.append(
            {
                "id": row["id"],
                "start": _local_iso(row["start"]),
                "end": _local_iso(row["end"]),
                "practitioner_id": practitioner_id,
                "practitioner": names[practitioner_id],
                "location_id": row["role__location_id"],
                "location": row["role__location__name"],
                "address": row["role__location__address"],
                "room": row["role__room"],
            }
        )
    payload = {
        "clinic": clinic_selectors.clinic_summary(organisation),
        "open_until": open_until.isoformat(),
        "slots": slots,
    }
    return specialty.patients, specialty.patient_sex, payload


def board_of(query: BoardQuery, *, now: datetime | None = None) -> Board | None:
    """The list for a clinic and specialty, from the cache when fresh; None if either is unknown."""
    version_keys, board_key = _versions(query), _board_key(query)
    # One round trip: the versions the board depends on and the board itself.
    cached = cache.get_many([*version_keys, board_key])
    version = tuple(cached.get(key, 0) for key in version_keys)
    kept = cached.get(board_key)
    if now is None and kept is not None and kept[0] == version:
        return Board(*kept[1:])
    patients, sex, payload = _build(query, now=now)
    if not patients:
        return None
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if now is None:
        # Only lists of the real present are kept; a test's or a replay's moment is not.
        cache.set(
            board_key, (version, patients, body, sex), timeout=settings.GOROD_HEALTH_BOARD_SECONDS
        )
    return Board(patients, body, sex)
