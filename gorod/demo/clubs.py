"""The clubs part of `gorod demo`: organisations, groups with schedules, applications.

The organisations and their venues are the city's registers (../shared/data, imported as
`gorod import clubs` does: the sports sections with their programmes, and the
organisations of additional education) when both files are there, else a few invented
ones named «Демонстрационный …». Groups are given to the demo's districts — those with the
most venues, and the demo family's (where the children's school is) — and everything in
them is invented and says so: 2–3 age-banded groups with a teacher and a weekly schedule
for each sports section at a venue there, and for each organisation of additional
education a few programmes of its direction (gorod/demo/clubs_plan.py), free and paid,
some with an audition, one with a season of enrollment. Some groups are full with a
waiting list, some half full: their invented children's applications are written in bulk,
history included, with each group's `taken` equal to the places they hold.

The demo family's story (gorod/demo/clubs_family.py) goes through the clubs' services, so
its history, audit and messages are real: the demo citizen's children (verified as a МФЦ
operator would) have applications that are invited, on a waiting list behind invented
families, enrolled by the organisation, and refused after an audition. The
organisation's staff login works those applications' queue.

Idempotent: a second run finds groups and writes nothing. Deterministic: the same seed,
day and data give the same groups.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F

from gorod.accounts.models import Guardianship, Person, User
from gorod.analytics.services import usage_paused
from gorod.clubs import geo, rules
from gorod.clubs.importers import DIRECTIONS_FILE, SPORTS_FILE, import_clubs, school_year_start
from gorod.clubs.models import (
    Application,
    ApplicationEvent,
    Direction,
    Group,
    GroupSession,
    Organisation,
    Programme,
    Venue,
)
from gorod.clubs.search import lemmas_of
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import DomainError
from gorod.demo.clubs_family import club_age_children, family_story, staff_login, story_groups
from gorod.demo.clubs_plan import (
    INVENTED_ORGANISATIONS,
    OFFERS,
    PRESCHOOL_OFFERS,
    REGISTER_LINE,
    SEASON_OPENS,
    SEASONAL_DIRECTION,
    SEASONAL_OFFER,
    Offer,
    Planned,
    age_bands,
    group_name,
    invented_child,
    invented_parent,
    meetings,
    teacher_name,
)
from gorod.demo.school_rows import insert_rows, moment_for_driver
from gorod.school.models import School

# The demo's districts: those with the most venues (and the family's, if not among them).
# There every sports section has 2–3 groups at each venue and the organisations of
# additional education have programmes; elsewhere a section has one group at a venue, so
# that the search and the map find something in every district with a venue.
DEMO_DISTRICTS = 10
GROUPS_PER_PROGRAMME = (2, 3)
GROUPS_ELSEWHERE = (1, 1)
# Invented programmes of an organisation of additional education, fewest and most.
OFFERS_PER_ORGANISATION = (3, 4)
SECTION_PLACES = (12, 20)
# Shares of groups filled to the last place (with a waiting list of up to WAITING_MAX),
# and partly filled; the rest are empty.
FULL_SHARE = 0.12
PARTLY_SHARE = 0.35
WAITING_MAX = 4
# Of the places held without an audition, those invited days ago and not confirmed yet (the
# rest were enrolled weeks ago).
INVITED_SHARE = 0.06
WRITE_BATCH = 1000

Status = Application.Status
Cause = ApplicationEvent.Cause


@dataclass(frozen=True)
class ClubsDemo:
    # Whether the organisations are the city's registers' (else invented ones).
    imported: bool
    organisations: int = 0
    venues: int = 0
    # Districts with groups (DEMO_DISTRICTS: how many of them have the most).
    districts: int = 0
    # Register sections given groups, and invented programmes.
    sections: int = 0
    programmes: int = 0
    groups: int = 0
    sessions: int = 0
    full: int = 0
    applications: int = 0
    # The statuses of the demo citizen's children's applications.
    family: tuple[str, ...] = ()
    staff_organisation: str = ""
    # Nothing written: the groups were already there.
    already: bool = False
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Seat:
    """An invented child's application, written in bulk: its status and its history."""

    planned: Planned
    history: list[tuple[str, str, datetime]]  # (status, cause, when)
    confirm_by: date | None = None


def clubs_demo(
    *,
    citizen: User,
    seed: int,
    directions: Path | None = DIRECTIONS_FILE,
    sports: Path | None = SPORTS_FILE,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ClubsDemo:
    """The clubs of the demo city up to `now`; all or nothing."""
    if Group.objects.exists():
        invented = Organisation.objects.filter(name=INVENTED_ORGANISATIONS[0].name).exists()
        return ClubsDemo(imported=not invented, already=True)
    rng = random.Random(seed)  # noqa: S311 — invented data, not a secret
    now = now or clock.now()
    steps = 5

    def step(done: int) -> None:
        if progress is not None:
            progress(done, steps)

    with transaction.atomic(), usage_paused():
        imported = _organisations(directions, sports)
        step(1)
        home = _family_district(citizen)
        districts = _districts(home)
        # Read before any programme is invented: these organisations have none of their own.
        additional = list(
            Venue.objects.filter(district__in=districts, organisation__programmes__isnull=True)
            .select_related("organisation")
            .order_by("organisation__name", "pk")
        )
        staff_organisation = _staff_organisation(additional, home=home)
        sections, planned, invented = _plan(rng, districts, additional, staff_organisation, now=now)
        step(2)
        children = club_age_children(citizen, school_year_start(clock.local_date(now)))
        staff_id = staff_organisation.pk if staff_organisation else None
        at_staff = [item for item in planned if item.programme.organisation_id == staff_id]
        story = story_groups(rng, children, at_staff)
        seats = _seats(rng, planned, skip={id(item) for _child, item in story.values()}, now=now)
        staff, credentials = staff_login(staff_organisation)
        _write(rng, planned, seats, staff=staff, staff_organisation_id=staff_id)
        step(3)
        family = family_story(rng, citizen, staff, story, now=now)
        step(4)
        made = ClubsDemo(
            imported=imported,
            organisations=Organisation.objects.count(),
            venues=Venue.objects.count(),
            districts=len({item.group.venue.district for item in planned}),
            sections=sections,
            programmes=invented,
            groups=len(planned),
            sessions=sum(len(item.week) for item in planned),
            full=Group.objects.filter(taken=F("capacity")).count(),
            applications=Application.objects.count(),
            family=family,
            staff_organisation=staff_organisation.short_name if staff_organisation else "",
            credentials=credentials,
        )
        audit_record(
            actor=None,
            action="clubs.demo_loaded",
            seed=seed,
            districts=districts,
            groups=made.groups,
            applications=made.applications,
        )
        step(5)
    return made


# --- the organisations and the districts ---------------------------------------------------


def _organisations(directions: Path | None, sports: Path | None) -> bool:
    """The city's registers when both files are there (imported whole, as `gorod import
    clubs` does), else the invented organisations; whether they are the registers'."""
    if directions is not None and sports is not None and directions.exists() and sports.exists():
        report = import_clubs(directions=directions, sports=sports)
        for path, problems in report.problems.items():
            first = problems[0]
            raise DomainError("demo_clubs_file", f"{path}:{first.line}: {first.message}")
        return True
    for invented in INVENTED_ORGANISATIONS:
        organisation, _created = Organisation.objects.get_or_create(
            name=invented.name,
            defaults={
                "short_name": invented.name,
                "kind": invented.kind,
                "address": invented.venue.address,
                "register_directions": [invented.direction],
            },
        )
        Venue.objects.get_or_create(
            organisation=organisation,
            name=invented.name,
            address=invented.venue.address,
            defaults={
                "district": invented.venue.district,
                "okrug": invented.venue.okrug,
                "lat": invented.venue.lat,
                "lon": invented.venue.lon,
            },
        )
    return False


def _family_district(citizen: User) -> str | None:
    """The district of the school the demo citizen's children go to (children go to clubs
    near home and school), if the school demo put them in one with coordinates."""
    school = (
        School.objects.filter(
            years__classes__enrollments__student__guardians__guardian__user=citizen,
            lat__isnull=False,
            lon__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    if school is None:
        return None
    try:
        district = geo.district_at(float(school.lat), float(school.lon))
    except DomainError:  # no boundaries file: no district to name
        return None
    return district.name if district else None


def _districts(home: str | None) -> list[str]:
    """The districts with the most venues, and the family's."""
    counted = (
        Venue.objects.exclude(district="")
        .values_list("district")
        .annotate(venues=Count("pk"))
        .order_by("-venues", "district")
    )
    chosen = [district for district, _venues in counted[:DEMO_DISTRICTS]]
    if home and home not in chosen and Venue.objects.filter(district=home).exists():
        chosen.append(home)
    return chosen


def _kind_rank(kind: str) -> int:
    """Houses and palaces of creativity run every direction: the staff login's first choice."""
    kind = kind.casefold()
    for rank, words in enumerate((("творчеств", "дворец"), ("дом",), ("центр",))):
        if any(word in kind for word in words):
            return rank
    return 3


def _preschool(organisation: Organisation) -> bool:
    return "детский сад" in organisation.kind.casefold()


def _staff_organisation(additional: list[Venue], *, home: str | None) -> Organisation | None:
    """The organisation of additional education whose groups the demo family applies to:
    in the family's district if one is there, a house of creativity rather than a centre,
    not a kindergarten."""
    candidates = [venue for venue in additional if not _preschool(venue.organisation)]
    if not candidates:
        return None
    chosen = min(
        candidates,
        key=lambda venue: (
            venue.district != home,
            _kind_rank(venue.organisation.kind),
            venue.organisation.name,
        ),
    )
    return chosen.organisation


# --- groups and schedules -------------------------------------------------------------------


def _groups_of(
    rng: random.Random,
    programme: Programme,
    venue: Venue,
    *,
    groups: tuple[int, int] | None,
    places: tuple[int, int],
    section: bool = False,
) -> list[Planned]:
    """Age-banded groups of a programme at a venue: neighbouring bands, as many as
    `groups` allows (fewest, most), or every band (None); a sports school's section names
    its groups by their stage of training."""
    bands = age_bands(programme.age_min, programme.age_max)
    if groups is not None:
        count = min(rng.randint(*groups), len(bands))
        first = rng.randrange(len(bands) - count + 1)
        bands = bands[first : first + count]
    return [
        Planned(
            group=Group(
                programme=programme,
                venue=venue,
                name=group_name(band, number=number, sports=section),
                teacher_name=teacher_name(rng),
                capacity=rng.randint(*places),
            ),
            band=band,
            week=meetings(rng, youngest=band[0], sports=programme.direction == Direction.SPORTS),
        )
        for number, band in enumerate(bands)
    ]


def _plan(
    rng: random.Random,
    districts: set[str],
    additional: list[Venue],
    staff_organisation: Organisation | None,
    *,
    now: datetime,
) -> tuple[int, list[Planned], int]:
    """The groups of the register's sports sections (see DEMO_DISTRICTS), and the invented
    programmes (written now) and groups of the organisations of additional education at
    their venues in the demo's districts (`additional`). Returns the sections given
    groups, the groups planned, the programmes invented."""
    planned: list[Planned] = []
    sections: dict[int, Programme] = {}
    held = (
        Programme.venues.through.objects.exclude(venue__district="")
        .select_related("programme", "venue")
        .order_by("programme_id", "venue_id")
    )
    for link in held:
        programme = sections.get(link.programme_id, link.programme)
        groups = GROUPS_PER_PROGRAMME if link.venue.district in districts else GROUPS_ELSEWHERE
        made = _groups_of(
            rng, programme, link.venue, groups=groups, places=SECTION_PLACES, section=True
        )
        if made:
            planned += made
            sections[programme.pk] = programme
    # A section given groups says that they are invented.
    for programme in sections.values():
        programme.description = REGISTER_LINE
        programme.search_lemmas = lemmas_of(
            programme.title, programme.activity, programme.description
        )
    Programme.objects.bulk_update(
        list(sections.values()), ["description", "search_lemmas"], batch_size=200
    )
    invented, count = _invented_programmes(rng, additional, staff_organisation, now)
    for programme, venue, offer in invented:
        planned += _groups_of(
            rng,
            programme,
            venue,
            groups=None if programme.organisation == staff_organisation else GROUPS_PER_PROGRAMME,
            places=offer.places,
        )
    return len(sections), planned, count


def _next_season(now: datetime) -> tuple[datetime, date]:
    """The next August morning enrollment opens, and the 1 September its programmes start."""
    month, day, at = SEASON_OPENS
    local = clock.local_now(now)
    year = local.year
    while (
        opens := datetime(year, month, day, at.hour, at.minute, tzinfo=clock.city_zone())
    ) <= now:
        year += 1
    return opens, date(year, 9, 1)


def _invented_programmes(
    rng: random.Random,
    venues: list[Venue],
    staff_organisation: Organisation | None,
    now: datetime,
) -> tuple[list[tuple[Programme, Venue, Offer]], int]:
    """A few programmes of its register direction for each organisation of additional
    education at its venue (a kindergarten's for preschoolers); the staff organisation runs
    every direction's, and the seasonal one. Returns them at each venue, and how many."""
    starts_on = school_year_start(clock.local_date(now))
    every = [(direction, offer) for direction, offers in OFFERS.items() for offer in offers]
    made: list[tuple[Programme, Venue, Offer]] = []
    for venue in venues:
        organisation = venue.organisation
        if organisation == staff_organisation:
            chosen = [*every, (SEASONAL_DIRECTION, SEASONAL_OFFER)]
        else:
            direction = (organisation.register_directions or [Direction.ARTS])[0]
            pool = (
                list(PRESCHOOL_OFFERS)
                if _preschool(organisation)
                else [(direction, offer) for offer in OFFERS[direction]]
            )
            chosen = rng.sample(pool, k=min(rng.randint(*OFFERS_PER_ORGANISATION), len(pool)))
        for direction, offer in chosen:
            seasonal = offer is SEASONAL_OFFER
            opens, season_starts = _next_season(now) if seasonal else (None, starts_on)
            programme = Programme(
                organisation=organisation,
                title=offer.title,
                direction=direction,
                activity=offer.activity,
                description=offer.description,
                age_min=offer.age_min,
                age_max=offer.age_max,
                is_free=offer.price is None,
                price_month=offer.price,
                enrollment=(
                    Programme.Enrollment.SEASON if seasonal else Programme.Enrollment.ALL_YEAR
                ),
                season_opens_at=opens,
                requires_test=offer.test,
                starts_on=season_starts,
                search_lemmas=lemmas_of(offer.title, offer.activity, offer.description),
            )
            made.append((programme, venue, offer))
    # One organisation's venues share its programmes (an organisation runs a title once).
    unique = {(p.organisation_id, p.title): p for p, _venue, _offer in made}
    Programme.objects.bulk_create(list(unique.values()), batch_size=WRITE_BATCH)
    made = [(unique[(p.organisation_id, p.title)], venue, offer) for p, venue, offer in made]
    Programme.venues.through.objects.bulk_create(
        [
            Programme.venues.through(programme_id=programme.pk, venue_id=venue.pk)
            for programme, venue, _offer in made
        ],
        batch_size=WRITE_BATCH,
        ignore_conflicts=True,
    )
    return made, len(unique)


# --- the places taken -----------------------------------------------------------------------


def _history(
    rng: random.Random, *, requires_test: bool, invited: bool, now: datetime
) -> tuple[list[tuple[str, str, datetime]], date | None]:
    """The way an invented child's application went to the place it holds: invited at once
    and enrolled within days, or, after an audition, part of the way through it. An
    invitation is a recent one (the days to confirm it are not over)."""
    if invited:
        submitted = now - timedelta(days=rng.uniform(1, 5))
        invited_on = clock.local_date(submitted)
        return [(Status.INVITED, Cause.SUBMITTED, submitted)], rules.confirm_by(
            invited_on, settings.GOROD_CLUBS_CONFIRM_WORKING_DAYS
        )
    submitted = now - timedelta(days=rng.uniform(14, 100))
    if not requires_test:
        enrolled = submitted + timedelta(days=rng.uniform(1, 9))
        return [
            (Status.INVITED, Cause.SUBMITTED, submitted),
            (Status.ENROLLED, Cause.ORGANISATION, enrolled),
        ], None
    path = [
        (Status.SUBMITTED, 0),
        (Status.REVIEW, 1),
        (Status.TEST, 3),
        (Status.INVITED, 7),
        (Status.ENROLLED, 10),
    ]
    reached = rng.choices((1, 2, 3, 5), weights=(10, 10, 10, 70))[0]
    history = [
        (status, Cause.SUBMITTED if days == 0 else Cause.ORGANISATION, submitted + timedelta(days))
        for status, days in path[:reached]
    ]
    return history, None


def _seats(
    rng: random.Random, planned: list[Planned], *, skip: set[int], now: datetime
) -> list[Seat]:
    """Invented children's applications: some groups full with a waiting list, some partly
    filled, the rest empty. Sets each group's `taken` to the places its seats hold."""
    seats: list[Seat] = []
    for item in planned:
        programme = item.programme
        opened = programme.season_opens_at
        if id(item) in skip or (opened is not None and opened > now - timedelta(days=14)):
            continue
        capacity = item.group.capacity
        roll = rng.random()
        if roll < FULL_SHARE:
            held, waiting = capacity, rng.randint(0, WAITING_MAX)
        elif roll < FULL_SHARE + PARTLY_SHARE:
            held, waiting = rng.randint(1, capacity - 1), 0
        else:
            continue
        item.group.taken = held
        for _place in range(held):
            # A recent invitation only where nobody waits: those waiting came after.
            invited = not waiting and not programme.requires_test and rng.random() < INVITED_SHARE
            history, confirm_by = _history(
                rng, requires_test=programme.requires_test, invited=invited, now=now
            )
            seats.append(Seat(item, history, confirm_by))
        for _place in range(waiting):
            submitted = now - timedelta(days=rng.uniform(0.5, 12))
            seats.append(Seat(item, [(Status.WAITLISTED, Cause.SUBMITTED, submitted)]))
    return seats


def _write(
    rng: random.Random,
    planned: list[Planned],
    seats: list[Seat],
    *,
    staff: User | None,
    staff_organisation_id: int | None,
) -> None:
    """The groups, their weeks, and the invented families' applications with their
    history; two children a parent. The applications, their history and the
    guardianships are plain rows (school_rows): model instances for each would be most of
    the demo's time."""
    Group.objects.bulk_create([item.group for item in planned], batch_size=WRITE_BATCH)
    GroupSession.objects.bulk_create(
        [
            GroupSession(group=item.group, weekday=weekday, starts_at=starts, ends_at=ends)
            for item in planned
            for weekday, starts, ends in item.week
        ],
        batch_size=WRITE_BATCH,
    )
    children = [invented_child(rng, seat.planned.band, seat.planned.programme) for seat in seats]
    parents = [invented_parent(rng) for _pair in range((len(children) + 1) // 2)]
    Person.objects.bulk_create(children + parents, batch_size=WRITE_BATCH)
    verified = moment_for_driver(clock.now())
    insert_rows(
        Guardianship,
        ("guardian", "child", "kind", "verified_at", "created_at"),
        [
            (parents[number // 2].pk, child.pk, Guardianship.Kind.PARENT, verified, verified)
            for number, child in enumerate(children)
        ],
    )
    confirm_by = connection.ops.adapt_datefield_value
    insert_rows(
        Application,
        (
            "child",
            "representative",
            "group",
            "status",
            "submitted_at",
            "status_changed_at",
            "confirm_by",
            "reason",
        ),
        [
            (
                child.pk,
                parents[number // 2].pk,
                seat.planned.group.pk,
                seat.history[-1][0],
                moment_for_driver(seat.history[0][2]),
                moment_for_driver(seat.history[-1][2]),
                confirm_by(seat.confirm_by),
                "",
            )
            for number, (child, seat) in enumerate(zip(children, seats, strict=True))
        ],
    )
    # Each invented child has one application: the child finds it.
    applications = dict(
        Application.objects.filter(child__in=children).values_list("child_id", "pk")
    )
    staff_id = staff.pk if staff else None
    insert_rows(
        ApplicationEvent,
        ("application", "status", "at", "cause", "actor", "reason"),
        [
            (
                applications[child.pk],
                status,
                moment_for_driver(at),
                cause,
                # The organisation's decisions, by its staff login where the demo has one.
                staff_id
                if cause == Cause.ORGANISATION
                and seat.planned.programme.organisation_id == staff_organisation_id
                else None,
                "",
            )
            for child, seat in zip(children, seats, strict=True)
            for status, cause, at in seat.history
        ],
    )
