"""Demo premises, meters and a year of readings: invented households of an invented city.

Nothing here is real data. The streets, payer codes (99 and eight random digits, so that
no code is guessed from a neighbour's), serial numbers
(Д-…) and people are made up, and the people say so in their surname (Демонстрационный,
Демонстрационная). `gorod demo` calls `housing_demo` once, while there are no premises:

- the demo citizen (demo@gorod.local) owns an apartment with two cold, two hot and one
  heat meter and is registered in her mother's; between them they show every state the
  pages know: a meter due for verification within three weeks, one past it, one not yet
  commissioned, a replaced meter and its successor, a skipped month (billed at the
  average), a confirmed high-consumption warning waiting for the operator, a reading
  corrected while its window was open, and a correction request after it closed;
- `households` invented households with a year of readings, so that the operator's
  pages and the billing export have something to show.

Consumption follows the season (heating from October to April, less hot water in summer)
and the registered residents. Readings are written directly (bulk_create), not through
`readings_submit`, because their windows are in the past; they obey the same rules: one
accepted reading per period, values that never decrease, none before commissioning, after
the verification date or after the meter was retired, warnings as `rules` computes them.
The same seed, size and moment give the same data.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gorod.accounts.models import Person, User
from gorod.core import clock
from gorod.demo.accounts import FIRST_NAMES, LAST_NAMES, MIDDLE_NAMES
from gorod.housing import rules, selectors
from gorod.housing.models import (
    CorrectionRequest,
    Meter,
    Premises,
    PremisesLink,
    Reading,
    Submission,
)
from gorod.housing.services import submission_fingerprint

DEFAULT_HOUSEHOLDS = 1500
HISTORY_MONTHS = 12
# Households generated and written together: memory stays flat, progress moves.
CHUNK = 250

# Monthly consumption per registered resident, in litres (thousandths of m³), and its
# season, January to December: more cold water in summer; less hot water, because Moscow
# shuts it off for maintenance for about ten days and people are away.
COLD_PER_PERSON = 4_200
HOT_PER_PERSON = 2_900
COLD_SEASON = (1.0, 0.97, 1.0, 1.0, 1.05, 1.15, 1.2, 1.15, 1.0, 1.0, 0.98, 1.02)
HOT_SEASON = (1.05, 1.02, 1.0, 0.98, 0.95, 0.7, 0.6, 0.75, 0.95, 1.0, 1.02, 1.08)
# Heat of an average apartment, in thousandths of a Gcal: the heating season runs from
# October to April, and a heat meter stands still in summer.
HEAT_MONTHLY = (1_900, 1_700, 1_400, 800, 150, 0, 0, 0, 200, 900, 1_400, 1_800)
# A leak or a filled bath tub: several times the usual month, above the warning limit.
LEAK_FACTOR = 6
VERIFICATION_YEARS = {Meter.Kind.COLD_WATER: 6, Meter.Kind.HOT_WATER: 4, Meter.Kind.HEAT: 4}

STREETS = (
    "ул. Демонстрационная",
    "Примерный пр-д",
    "ул. Условная",
    "Образцовый пер.",
    "Вымышленный б-р",
    "ул. Макетная",
    "Пробный пр-т",
    "Учебная наб.",
)
CHANNEL_WEIGHTS = {"web": 45, "mobile": 45, "kiosk": 4, "api": 6}


@dataclass
class MeterPlan:
    kind: str
    location: str
    share: float  # of the premises' consumption of this kind
    installed_on: date
    commissioned_on: date | None
    next_verification_on: date
    initial: int  # thousandths
    retired_on: date | None = None
    replaces: "MeterPlan | None" = None
    row: Meter | None = None


@dataclass
class PersonPlan:
    row: Person
    role: str
    verified_by: str


@dataclass
class HouseholdPlan:
    payer_code: str
    apartment: str
    address: str
    residents: int
    people: list[PersonPlan]
    meters: list[MeterPlan]
    # When the household sent its readings of each period; a period left out was skipped.
    sent: dict[date, datetime]
    heat_size: float = 1.0
    vacant: bool = False
    leaks: set[tuple[str, date]] = field(default_factory=set)
    # The demo citizen's own: readings carry her account and a submission each.
    sender: User | None = None
    channel: str = "web"
    row: Premises | None = None


@dataclass(frozen=True)
class Calendar:
    """The periods the demo fills, relative to the moment it runs."""

    now: datetime
    today: date
    # The period whose window is open (or opens next): history ends the period before.
    current: date
    window_open: bool
    # The period before the history: readings the management company handed over.
    opening: date
    history: tuple[date, ...]

    @property
    def last_closed(self) -> date:
        return self.history[-1]


@dataclass(frozen=True)
class HousingDemo:
    seed: int
    premises: int
    meters: int
    readings: int


def housing_demo(
    *,
    citizen: User,
    seed: int,
    households: int = DEFAULT_HOUSEHOLDS,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HousingDemo:
    """Write the demo citizen's two apartments and `households` invented ones."""
    rng = random.Random(seed)  # noqa: S311 — invented data, not a secret
    calendar = _calendar(now or timezone.now())
    counts = defaultdict(int)
    codes = _payer_codes(seed, households + 2)
    with transaction.atomic():
        own = _citizen_households(citizen, calendar, codes)
        _write(own, calendar, counts, seed)
        _citizen_extras(citizen, own, calendar)
        for start in range(0, households, CHUNK):
            chunk = [
                _household(rng, next(codes), calendar)
                for _number in range(start, min(start + CHUNK, households))
            ]
            _write(chunk, calendar, counts, seed)
            if progress:
                progress(start + len(chunk), households)
    return HousingDemo(seed, counts["premises"], counts["meters"], counts["readings"])


def _payer_codes(seed: int, count: int) -> Iterator[str]:
    """Distinct codes in random order: a code and its neighbour's share nothing but "99".

    A stream of its own, so the households' other random choices stay as they were.
    """
    draw = random.Random(f"{seed}:payer-codes")  # noqa: S311 — invented data, not a secret
    return (f"99{number:08d}" for number in draw.sample(range(10**8), count))


def _calendar(now: datetime) -> Calendar:
    state = selectors.window_state(now)
    history = tuple(rules.add_months(state.period, -back) for back in range(HISTORY_MONTHS, 0, -1))
    return Calendar(
        now=now,
        today=clock.local_date(now),
        current=state.period,
        window_open=state.open,
        opening=rules.add_months(history[0], -1),
        history=history,
    )


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.city_zone())


def _window(period: date) -> rules.Window:
    return rules.window_of_period(period, selectors.window_config())


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: date, years: int) -> date:
    return _years_before(day, -years)


def _registry_handover(calendar: Calendar) -> datetime:
    return _at(_window(calendar.opening).closes_on, 12)


# --- The demo citizen's apartments ------------------------------------------------------


def _citizen_households(
    citizen: User, calendar: Calendar, codes: Iterator[str]
) -> list[HouseholdPlan]:
    """Anna's apartment (owner) and her mother's (registered), every state on show."""
    today = calendar.today
    sent = {
        period: _at(_window(period).opens_on + timedelta(days=5), 20, 15)
        for period in calendar.history
    }
    mother = Person(
        last_name=LAST_NAMES["f"],
        first_name="Галина",
        middle_name="Петровна",
        birth_date=date(1961, 2, 17),
    )

    def meter(kind, location, share, *, installed_on, **options) -> MeterPlan:
        return MeterPlan(
            kind=kind,
            location=location,
            share=share,
            installed_on=installed_on,
            commissioned_on=options.pop("commissioned_on", installed_on + timedelta(days=3)),
            next_verification_on=options.pop(
                "next_verification_on", _years_after(installed_on, VERIFICATION_YEARS[kind])
            ),
            initial=options.pop("initial", 0),
            **options,
        )

    kitchen_old = meter(
        Meter.Kind.COLD_WATER,
        "кухня",
        0.4,
        installed_on=_years_before(today - timedelta(days=160), 6),
        next_verification_on=today - timedelta(days=160),
        initial=1_250,
    )
    kitchen_new = meter(
        Meter.Kind.COLD_WATER,
        "кухня",
        0.4,
        installed_on=kitchen_old.next_verification_on + timedelta(days=3),
        initial=12,
        replaces=kitchen_old,
    )
    kitchen_old.retired_on = kitchen_new.installed_on
    own = HouseholdPlan(
        payer_code=next(codes),
        apartment="42",
        address="Москва, ул. Демонстрационная, д. 7",
        residents=3,
        people=[
            PersonPlan(
                citizen.person,
                PremisesLink.Role.OWNER,
                PremisesLink.Verification.PAYMENT_DOCUMENT,
            )
        ],
        meters=[
            meter(
                Meter.Kind.COLD_WATER,
                "ванная",
                0.6,
                installed_on=today - timedelta(days=3 * 365),
                initial=340,
            ),
            kitchen_old,
            kitchen_new,
            meter(
                Meter.Kind.HOT_WATER,
                "ванная",
                0.6,
                installed_on=_years_before(today + timedelta(days=20), 4),
                initial=510,
            ),
            meter(
                Meter.Kind.HOT_WATER,
                "кухня",
                0.4,
                installed_on=today - timedelta(days=2 * 365),
                initial=80,
            ),
            meter(
                Meter.Kind.HEAT,
                "коридор",
                1.0,
                installed_on=today - timedelta(days=2 * 365 + 60),
                initial=0,
            ),
        ],
        # October-like month skipped: the bill for it is at the average.
        sent={period: moment for period, moment in sent.items() if period != calendar.last_closed},
        heat_size=1.1,
        sender=citizen,
    )
    parents = HouseholdPlan(
        payer_code=next(codes),
        apartment="15",
        address="Москва, Примерный пр-д, д. 3",
        residents=2,
        people=[
            PersonPlan(mother, PremisesLink.Role.OWNER, PremisesLink.Verification.REGISTRY),
            PersonPlan(
                citizen.person,
                PremisesLink.Role.REGISTERED,
                PremisesLink.Verification.PAYMENT_DOCUMENT,
            ),
        ],
        meters=[
            meter(
                Meter.Kind.COLD_WATER,
                "кухня",
                1.0,
                installed_on=_years_before(today - timedelta(days=40), 6),
                next_verification_on=today - timedelta(days=40),
                initial=2_000,
            ),
            meter(
                Meter.Kind.HOT_WATER,
                "кухня",
                1.0,
                installed_on=today - timedelta(days=3 * 365 + 100),
                initial=150,
            ),
            # Installed days ago; the management company has not sealed it yet.
            meter(
                Meter.Kind.COLD_WATER,
                "ванная",
                0.0,
                installed_on=today - timedelta(days=6),
                commissioned_on=None,
            ),
        ],
        sent=sent,
        leaks={(Meter.Kind.HOT_WATER, calendar.last_closed)},
        sender=citizen,
        channel="mobile",
    )
    return [own, parents]


def _citizen_extras(citizen: User, own: list[HouseholdPlan], calendar: Calendar) -> None:
    """A reading corrected in its window, and a correction request after one closed."""
    apartment = own[0]
    hot_kitchen = next(
        plan.row for plan in apartment.meters if plan.kind == "hot" and plan.location == "кухня"
    )
    corrected_period = calendar.history[-3]
    accepted = Reading.objects.get(
        meter=hot_kitchen, period=corrected_period, status=Reading.Status.ACCEPTED
    )
    # The first version had a digit short; the citizen sent the right one a day later.
    typo = max(accepted.previous_value, accepted.value - Decimal("1.000"))
    first_sent = accepted.submitted_at - timedelta(days=1)
    Reading.objects.create(
        meter=hot_kitchen,
        period=corrected_period,
        value=typo,
        previous_value=accepted.previous_value,
        status=Reading.Status.SUPERSEDED,
        submission=_submission(apartment, {hot_kitchen.pk: typo}, first_sent, "typo"),
        submitted_by=citizen,
        submitted_at=first_sent,
        channel=apartment.channel,
        superseded_at=accepted.submitted_at,
    )
    cold_bathroom = next(
        plan.row for plan in apartment.meters if plan.kind == "cold" and plan.location == "ванная"
    )
    reading = Reading.objects.get(
        meter=cold_bathroom, period=calendar.history[-2], status=Reading.Status.ACCEPTED
    )
    asked_at = min(
        _at(_window(reading.period).closes_on + timedelta(days=4), 9, 40),
        calendar.now - timedelta(hours=1),
    )
    CorrectionRequest.objects.create(
        reading=reading,
        requested_by=citizen,
        requested_value=max(reading.previous_value, reading.value - Decimal("0.850")),
        reason=(
            "Передала показание холодной воды в ванной с ошибкой: перепутала его с "
            "горячей. Верное показание указала в заявке, фото счётчика могу прислать."
        ),
        created_at=asked_at,
    )


def _submission(household: HouseholdPlan, values: dict, moment: datetime, tag: str):
    return Submission.objects.create(
        user=household.sender,
        premises=household.row,
        idempotency_key=f"demo-{household.row.pk}-{moment:%Y%m%d%H%M}-{tag}",
        fingerprint=submission_fingerprint(household.row.pk, values),
        channel=household.channel,
        submitted_at=moment,
    )


# --- Invented households ----------------------------------------------------------------


def _person(rng: random.Random) -> Person:
    sex = rng.choice("mf")
    return Person(
        last_name=LAST_NAMES[sex],
        first_name=rng.choice(FIRST_NAMES[sex]),
        middle_name=rng.choice(MIDDLE_NAMES[sex]),
        birth_date=date(1940, 1, 1) + timedelta(days=rng.randint(0, 64 * 365)),
    )


def _meters(rng: random.Random, kind: str, location: str, share: float, today: date):
    """A meter somewhere in its verification interval, replaced when it expired (mostly)."""
    years = VERIFICATION_YEARS[kind]
    # Some expired up to ten months ago: most were replaced since, some still wait.
    expires = today + timedelta(days=rng.randint(-300, years * 365))
    installed = _years_before(expires, years)
    commissioned = installed + timedelta(days=rng.randint(1, 14))
    first = MeterPlan(
        kind=kind,
        location=location,
        share=share,
        installed_on=installed,
        commissioned_on=commissioned if commissioned <= today else None,
        next_verification_on=expires,
        initial=rng.randint(0, 3_000),
    )
    replaced_on = expires + timedelta(days=rng.randint(0, 25))
    if expires >= today or replaced_on >= today or rng.random() >= 0.75:
        return [first]
    commissioned = replaced_on + timedelta(days=rng.randint(1, 10))
    first.retired_on = replaced_on
    return [
        first,
        MeterPlan(
            kind=kind,
            location=location,
            share=share,
            installed_on=replaced_on,
            commissioned_on=commissioned if commissioned <= today else None,
            next_verification_on=_years_after(replaced_on, years),
            initial=rng.randint(0, 50),
            replaces=first,
        ),
    ]


def _sending_time(rng: random.Random, first: date, last: date) -> datetime:
    """Most households send in the last days of the window."""
    span = (last - first).days
    day = last - timedelta(days=int(span * rng.random() ** 2))
    return _at(day, rng.randint(7, 23), rng.randint(0, 59))


def _household(rng: random.Random, payer_code: str, calendar: Calendar) -> HouseholdPlan:
    residents = rng.choices((1, 2, 3, 4, 5), weights=(25, 35, 22, 13, 5))[0]
    people = [
        PersonPlan(
            _person(rng),
            PremisesLink.Role.OWNER if rng.random() < 0.85 else PremisesLink.Role.TENANT,
            PremisesLink.Verification.PAYMENT_DOCUMENT,
        )
    ]
    if residents > 1 and rng.random() < 0.35:
        people.append(
            PersonPlan(
                _person(rng), PremisesLink.Role.REGISTERED, PremisesLink.Verification.REGISTRY
            )
        )
    risers = (("ванная", 1.0),) if rng.random() < 0.55 else (("кухня", 0.4), ("ванная", 0.6))
    meters = []
    for location, share in risers:
        for kind in (Meter.Kind.COLD_WATER, Meter.Kind.HOT_WATER):
            meters += _meters(rng, kind, location, share, calendar.today)
    if rng.random() < 0.25:
        meters += _meters(rng, Meter.Kind.HEAT, "коридор", 1.0, calendar.today)
    # A few stop sending for good: after three months at the average, billed at the norm.
    gone_from = len(calendar.history) - 4 if rng.random() < 0.03 else len(calendar.history)
    sent = {}
    for index, period in enumerate(calendar.history):
        if index < gone_from and rng.random() >= 0.05:
            window = _window(period)
            sent[period] = _sending_time(rng, window.opens_on, window.closes_on)
    if calendar.window_open and rng.random() < 0.55:
        opened = _window(calendar.current).opens_on
        if opened < calendar.today:
            sent[calendar.current] = _sending_time(rng, opened, calendar.today - timedelta(days=1))
    leaks = {(Meter.Kind.COLD_WATER, period) for period in calendar.history if rng.random() < 0.004}
    street = rng.choice(STREETS)
    return HouseholdPlan(
        payer_code=payer_code,
        apartment=str(rng.randint(1, 400)),
        address=f"Москва, {street}, д. {rng.randint(1, 60)}",
        residents=residents,
        people=people,
        meters=meters,
        sent=sent,
        heat_size=rng.uniform(0.6, 1.5),
        vacant=rng.random() < 0.02,
        leaks=leaks,
        channel=rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0],
    )


# --- Writing ----------------------------------------------------------------------------


def _monthly(rng: random.Random, household: HouseholdPlan, meter: MeterPlan, period: date) -> int:
    """One month's consumption of one meter, in thousandths."""
    if household.vacant:
        return 0
    month = period.month - 1
    if meter.kind == Meter.Kind.HEAT:
        base = HEAT_MONTHLY[month] * household.heat_size
    elif meter.kind == Meter.Kind.COLD_WATER:
        base = COLD_PER_PERSON * household.residents * meter.share * COLD_SEASON[month]
    else:
        base = HOT_PER_PERSON * household.residents * meter.share * HOT_SEASON[month]
    if (meter.kind, period) in household.leaks:
        base *= LEAK_FACTOR
    return round(base * rng.uniform(0.8, 1.2))


def _decimal(thousandths: int) -> Decimal:
    return Decimal(thousandths).scaleb(-3)


def _write(households: list[HouseholdPlan], calendar: Calendar, counts: dict, seed: int) -> None:
    new_people = [
        person.row for household in households for person in household.people if not person.row.pk
    ]
    Person.objects.bulk_create(new_people)
    premises = [
        Premises(
            payer_code=household.payer_code,
            apartment=household.apartment,
            address=household.address,
            residents=household.residents,
        )
        for household in households
    ]
    Premises.objects.bulk_create(premises)
    links = []
    for household, row in zip(households, premises, strict=True):
        household.row = row
        links += [
            PremisesLink(
                person=person.row,
                premises=row,
                role=person.role,
                verified_by=person.verified_by,
            )
            for person in household.people
        ]
    PremisesLink.objects.bulk_create(links)
    serial = Meter.objects.count()
    # Predecessors first: their successors refer to them.
    for successors in (False, True):
        rows = []
        for household in households:
            for plan in household.meters:
                if (plan.replaces is not None) != successors:
                    continue
                serial += 1
                plan.row = Meter(
                    premises=household.row,
                    kind=plan.kind,
                    unit=Meter.UNIT_OF_KIND[plan.kind],
                    serial=f"Д-{serial:07d}",
                    location=plan.location,
                    installed_on=plan.installed_on,
                    commissioned_on=plan.commissioned_on,
                    initial_value=_decimal(plan.initial),
                    next_verification_on=plan.next_verification_on,
                    integer_digits=4 if plan.kind == Meter.Kind.HEAT else 5,
                    status=Meter.Status.ACTIVE
                    if plan.retired_on is None
                    else Meter.Status.REPLACED,
                    retired_on=plan.retired_on,
                    replaces=plan.replaces.row if plan.replaces else None,
                )
                rows.append(plan.row)
        Meter.objects.bulk_create(rows)
        counts["meters"] += len(rows)
    readings = []
    for household in households:
        readings += _readings(household, calendar, seed)
    Reading.objects.bulk_create(readings, batch_size=1000)
    counts["premises"] += len(premises)
    counts["readings"] += len(readings)


def _accepts(plan: MeterPlan, day: date) -> bool:
    """Whether the meter took readings on `day`: the acceptance rule, as it stood then."""
    active = plan.retired_on is None or day < plan.retired_on
    facts = rules.MeterFacts(
        Meter.Status.ACTIVE if active else Meter.Status.REPLACED,
        plan.commissioned_on,
        plan.next_verification_on,
    )
    return rules.meter_refusal(facts, day) is None


def _readings(household: HouseholdPlan, calendar: Calendar, seed: int) -> list[Reading]:
    """The household's readings, period by period, each meter's series from its start."""
    # Each household draws from its own stream of the seed: what one household looks like
    # does not shift the consumption of all the others.
    rng = random.Random(f"{seed}:{household.payer_code}")  # noqa: S311 — invented data
    norms = selectors.norms()
    periods = [calendar.opening, *calendar.history]
    if calendar.current in household.sent:
        periods.append(calendar.current)
    sent = {calendar.opening: _registry_handover(calendar), **household.sent}
    made: list[tuple[MeterPlan, Reading]] = []
    for plan in household.meters:
        started = rules.period_of(plan.installed_on)
        value = plan.initial
        last: Reading | None = None
        for period in periods:
            if period < started:
                continue
            if plan.retired_on and period > rules.period_of(plan.retired_on):
                break
            if period == calendar.opening:
                months = rules.months_between(started, period)
                value += sum(_monthly(rng, household, plan, period) for _ in range(months))
            else:
                value += _monthly(rng, household, plan, period)
            moment = sent.get(period)
            if moment is None or not _accepts(plan, moment.date()):
                continue
            previous = last.value if last else _decimal(plan.initial)
            reading = Reading(
                meter=plan.row,
                period=period,
                value=_decimal(value),
                previous_value=previous,
                source=Reading.Source.OPERATOR
                if period == calendar.opening
                else Reading.Source.CITIZEN,
                submitted_by=household.sender,
                submitted_at=moment,
                channel=household.channel,
            )
            made.append((plan, reading))
            last = reading
    _warn(household, made, calendar, norms)
    if household.sender is not None:
        _submissions(household, [reading for _plan, reading in made if reading.source == "citizen"])
    return [reading for _plan, reading in made]


def _warn(household, made, calendar: Calendar, norms: rules.Norms) -> None:
    """Warnings as the submission would have drawn them, confirmed by the citizen.

    The operator has looked at those of older periods; the last closed period's and the
    open one's wait in the back office.
    """
    kind_total: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    by_meter: dict[int, dict[date, Reading]] = defaultdict(dict)
    for plan, reading in made:
        kind_total[(plan.kind, reading.period)] += reading.consumption
        by_meter[id(plan)][reading.period] = reading
    for plan, reading in made:
        if reading.source != Reading.Source.CITIZEN:
            continue
        series = by_meter[id(plan)]
        earlier = [p for p in series if p < reading.period]
        months = (
            rules.months_between(max(earlier), reading.period)
            if earlier
            else rules.months_between(rules.period_of(plan.commissioned_on), reading.period) or 1
        )
        previous = [
            series.get(rules.add_months(reading.period, -back))
            for back in range(1, norms.zero_periods)
        ]
        reading.warnings = rules.consumption_warnings(
            kind=plan.kind,
            consumption=reading.consumption,
            kind_consumption=kind_total[(plan.kind, reading.period)],
            residents=household.residents,
            months=months,
            earlier_consumptions=[r.consumption if r else None for r in previous],
            norms=norms,
        )
        reading.warnings_confirmed = bool(reading.warnings)
        if reading.warnings and reading.period < calendar.last_closed:
            reading.reviewed_at = _at(_window(reading.period).closes_on + timedelta(days=2), 11)


def _submissions(household: HouseholdPlan, readings: list[Reading]) -> None:
    """The demo citizen's readings came in one submission per period, as the form sends."""
    by_period: dict[date, list[Reading]] = defaultdict(list)
    for reading in readings:
        by_period[reading.period].append(reading)
    for period, together in sorted(by_period.items()):
        submission = _submission(
            household,
            {reading.meter.pk: reading.value for reading in together},
            together[0].submitted_at,
            f"{period:%Y-%m}",
        )
        for reading in together:
            reading.submission = submission
