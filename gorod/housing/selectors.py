"""Reads of meter readings, each scoped to the actor.

A citizen sees the premises they are linked to and nothing else: another person's
premises, meter or reading is "not found", never "forbidden". Operators (the
`housing.view_reading` permission) see everything, through the back-office reads below.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.core import clock
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id
from gorod.housing import rules
from gorod.housing.models import (
    CorrectionRequest,
    LinkRequest,
    Meter,
    Premises,
    PremisesLink,
    Reading,
    ReadingReferral,
)

HISTORY_MONTHS = 12
# The catalog's card of this service: uses are counted and rated under it.
SERVICE_SLUG = "meter-readings"
OPERATOR_PERMISSION = "housing.view_reading"
OPERATOR_CHANGE_PERMISSION = "housing.change_reading"


# --- Configuration as rule values -----------------------------------------------------


def window_config() -> rules.WindowConfig:
    return rules.WindowConfig(
        start_day=settings.GOROD_METER_WINDOW_START_DAY,
        end_day=settings.GOROD_METER_WINDOW_END_DAY,
    )


def norms() -> rules.Norms:
    return rules.Norms(
        cold=settings.GOROD_METER_NORM_COLD,
        hot=settings.GOROD_METER_NORM_HOT,
        warn_factor=settings.GOROD_METER_WARN_FACTOR,
        zero_periods=settings.GOROD_METER_ZERO_PERIODS,
        max_water_per_resident=settings.GOROD_METER_MAX_WATER_PER_RESIDENT,
        max_heat=settings.GOROD_METER_MAX_HEAT,
    )


@dataclass(frozen=True)
class WindowState:
    """What the citizen needs to know about the window right now."""

    open: bool
    period: date  # the open window's period, or the next one's
    opens_on: date
    closes_on: date


def window_state(moment: datetime | None = None) -> WindowState:
    moment = moment or timezone.now()
    window = rules.open_window(moment, clock.city_zone(), window_config())
    is_open = window is not None
    if window is None:
        window = rules.next_window(moment, clock.city_zone(), window_config())
    return WindowState(is_open, window.period, window.opens_on, window.closes_on)


def working_period(state: WindowState) -> date:
    """The period operators work on: the open window's, else the one that just closed."""
    return state.period if state.open else rules.add_months(state.period, -1)


# --- Not found ------------------------------------------------------------------------


def premises_not_found() -> NotFound:
    return NotFound("premises_not_found", _("Такого помещения среди ваших нет."))


def link_request_not_found() -> NotFound:
    return NotFound("link_request_not_found", _("Такой заявки на привязку нет."))


def referral_not_found() -> NotFound:
    return NotFound("referral_not_found", _("Такого показания для разбора нет."))


def meter_not_found() -> NotFound:
    return NotFound("meter_not_found", _("Такого счётчика среди ваших нет."), field="meter_id")


def reading_not_found() -> NotFound:
    return NotFound("reading_not_found", _("Такого показания среди ваших нет."))


# --- The citizen's premises and meters ------------------------------------------------


def linked_premises(*, actor) -> QuerySet[Premises]:
    if not getattr(actor, "is_authenticated", False):
        return Premises.objects.none()
    return Premises.objects.filter(links__person__user=actor)


def person_lives_in_city(person_id: int) -> bool:
    """Whether a premises in the city is linked to the person (as owner, tenant or resident)."""
    return PremisesLink.objects.filter(person_id=person_id).exists()


def premises_get(*, actor, premises_id: int) -> Premises:
    if not valid_id(premises_id):
        raise premises_not_found()
    found = linked_premises(actor=actor).filter(pk=premises_id).first()
    if found is None:
        raise premises_not_found()
    return found


def meter_get(*, actor, meter_id: int) -> Meter:
    if not valid_id(meter_id):
        raise meter_not_found()
    found = (
        Meter.objects.select_related("premises")
        .filter(pk=meter_id, premises__links__person__user=actor)
        .first()
    )
    if found is None:
        raise meter_not_found()
    return found


def own_reading_get(*, actor, reading_id: int) -> Reading:
    if not valid_id(reading_id):
        raise reading_not_found()
    found = (
        Reading.objects.select_related("meter__premises")
        .filter(pk=reading_id, meter__premises__links__person__user=actor)
        .first()
    )
    if found is None:
        raise reading_not_found()
    return found


@dataclass
class MeterRow:
    """A meter as "Мои счётчики" shows it."""

    meter: Meter
    last: Reading | None  # the latest accepted reading of any period
    current: Reading | None  # the accepted reading of the window's period
    verification: str  # ok | due | expired
    previous_value: Decimal  # what this period's reading is compared with
    accepts_readings: bool  # rules.meter_refusal has nothing against it today


@dataclass
class PremisesView:
    premises: Premises
    link: PremisesLink
    meters: list[MeterRow] = field(default_factory=list)

    @property
    def submitted_all(self) -> bool:
        open_meters = [row for row in self.meters if row.accepts_readings]
        return bool(open_meters) and all(row.current is not None for row in open_meters)


def my_meters(*, actor, moment: datetime | None = None) -> tuple[WindowState, list[PremisesView]]:
    """Everything "Мои счётчики" shows, in three queries however many meters there are."""
    state = window_state(moment)
    today = clock.local_date(moment)
    links = list(
        PremisesLink.objects.select_related("premises")
        .filter(person__user=actor)
        .order_by("premises__address", "premises__apartment", "premises_id")
    )
    views = {link.premises_id: PremisesView(link.premises, link) for link in links}
    if not views:
        return state, []
    meters = list(
        Meter.objects.filter(premises_id__in=views)
        .exclude(status=Meter.Status.REPLACED)
        .order_by("premises_id", "kind", "location", "id")
    )
    recent = recent_accepted(meters=meters, through=None, per_meter=2)
    for meter in meters:
        readings = recent.get(meter.pk, [])
        current = readings[0] if readings and readings[0].period == state.period else None
        earlier = [reading for reading in readings if reading.period < state.period]
        views[meter.premises_id].meters.append(
            MeterRow(
                meter=meter,
                last=readings[0] if readings else None,
                current=current,
                verification=meter_verification(meter, today=today),
                previous_value=earlier[0].value if earlier else meter.initial_value,
                accepts_readings=rules.meter_refusal(meter.facts, today) is None,
            )
        )
    return state, list(views.values())


def meter_verification(meter: Meter, *, today: date | None = None) -> str:
    """Where the meter stands with its verification date: ok, due (soon) or expired."""
    return rules.verification_state(
        meter.next_verification_on,
        today or clock.local_date(),
        settings.GOROD_METER_VERIFICATION_WARN_DAYS,
    )


# The latest accepted readings of several meters, newest first. Written as SQL because the
# month-end path runs it on every view and submission, and Django spends more time compiling
# the same query with a filtered window expression than the database spends answering it.
RECENT_ACCEPTED_SQL = """
SELECT * FROM (
    SELECT reading.*,
           ROW_NUMBER() OVER (PARTITION BY reading.meter_id ORDER BY reading.period DESC)
               AS recency
    FROM housing_reading AS reading
    WHERE reading.meter_id IN ({meters}) AND reading.status = %s {through}
) AS ranked
WHERE ranked.recency <= %s
ORDER BY ranked.meter_id, ranked.period DESC
"""


def recent_accepted(*, meters, through: date | None, per_meter: int) -> dict[int, list[Reading]]:
    """The last `per_meter` accepted readings of each meter, newest first, in one query.

    `through` leaves out later periods. One row per period is accepted and values never
    decrease, so the first row is both the latest and the largest.
    """
    meter_ids = [meter.pk for meter in meters]
    recent: dict[int, list[Reading]] = defaultdict(list)
    if not meter_ids:
        return recent
    sql = RECENT_ACCEPTED_SQL.format(
        meters=", ".join(["%s"] * len(meter_ids)),
        through="AND reading.period <= %s" if through is not None else "",
    )
    params = [*meter_ids, Reading.Status.ACCEPTED]
    if through is not None:
        params.append(through)
    params.append(per_meter)
    for reading in Reading.objects.raw(sql, params):
        recent[reading.meter_id].append(reading)
    return recent


@dataclass(frozen=True)
class HistoryRow:
    period: date
    reading: Reading | None
    consumption: Decimal | None
    # For a closed period without a reading: how it was billed instead (average or norm).
    billed: "BillingRow | None" = None


def meter_history(*, meter: Meter, moment: datetime | None = None) -> list[HistoryRow]:
    """The last 12 periods of a meter, newest first, a row for a period without a reading."""
    return meters_history(meters=[meter], moment=moment)[meter.pk]


def meters_history(*, meters, moment: datetime | None = None) -> dict[int, list[HistoryRow]]:
    """meter_history of several meters in one query."""
    state = window_state(moment)
    last_period = working_period(state)
    first_period = rules.add_months(last_period, -(HISTORY_MONTHS - 1))
    accepted: dict[int, dict[date, Reading]] = defaultdict(dict)
    for reading in Reading.objects.filter(
        meter__in=meters,
        status=Reading.Status.ACCEPTED,
        period__gte=rules.add_months(first_period, -BILLING_LOOKBACK_MONTHS),
    ):
        accepted[reading.meter_id][reading.period] = reading
    periods = [rules.add_months(last_period, -back) for back in range(HISTORY_MONTHS)]
    config = norms()
    history = {}
    for meter in meters:
        readings = accepted[meter.pk]
        rows = []
        for period in periods:
            reading = readings.get(period)
            billed = None
            if reading is None and _billed_without_reading(meter, period, state):
                billed = billing_row(meter=meter, period=period, readings=readings, config=config)
            rows.append(
                HistoryRow(period, reading, reading.consumption if reading else None, billed)
            )
        history[meter.pk] = rows
    return history


def _billed_without_reading(meter: Meter, period: date, state: WindowState) -> bool:
    """A period is billed without a reading once its window has closed, if the meter was
    in service then."""
    closed = period < state.period
    in_service = meter.commissioned_on is not None and meter.commissioned_on < rules.add_months(
        period, 1
    )
    retired = meter.retired_on is not None and meter.retired_on < period
    return closed and in_service and not retired


def reading_versions(*, meter: Meter, period: date) -> QuerySet[Reading]:
    """Every version of one period's reading, the accepted one first (history kept)."""
    return Reading.objects.filter(meter=meter, period=period).order_by("-submitted_at", "-id")


def own_correction_requests(*, actor, meter: Meter | None = None) -> QuerySet[CorrectionRequest]:
    """The actor's own requests on premises still linked to them (of one meter, if given).

    A flat's readings are the flat's, seen by everyone linked to it; a correction request
    carries its author's free text, so a co-resident does not see it.
    """
    requests = CorrectionRequest.objects.select_related("reading__meter__premises").filter(
        requested_by=actor, reading__meter__premises__links__person__user=actor
    )
    if meter is not None:
        requests = requests.filter(reading__meter=meter)
    return requests.order_by("-created_at", "-id")


# --- Link requests --------------------------------------------------------------------


def premises_owners(*, premises: Premises) -> list[int]:
    """The people who confirm a link request: the owners linked to the premises."""
    return list(
        PremisesLink.objects.filter(premises=premises, role=PremisesLink.Role.OWNER)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def is_owner_of(*, actor, premises_id: int) -> bool:
    return PremisesLink.objects.filter(
        premises_id=premises_id, person__user=actor, role=PremisesLink.Role.OWNER
    ).exists()


def _pending(moment: datetime | None) -> QuerySet[LinkRequest]:
    return LinkRequest.objects.select_related("premises", "person").filter(
        status=LinkRequest.Status.PENDING, expires_at__gt=moment or timezone.now()
    )


def link_requests_to_confirm(*, actor, moment: datetime | None = None) -> QuerySet[LinkRequest]:
    """Waiting requests for the premises the actor owns (never their own), oldest first."""
    if not getattr(actor, "is_authenticated", False):
        return LinkRequest.objects.none()
    owned = PremisesLink.objects.filter(
        premises=OuterRef("premises"), person__user=actor, role=PremisesLink.Role.OWNER
    )
    return (
        _pending(moment)
        .filter(Exists(owned))
        .exclude(person__user=actor)
        .order_by("created_at", "id")
    )


def own_link_requests(*, actor, moment: datetime | None = None) -> QuerySet[LinkRequest]:
    """The actor's requests still waiting for an answer."""
    if not getattr(actor, "is_authenticated", False):
        return LinkRequest.objects.none()
    return _pending(moment).filter(person__user=actor).order_by("created_at", "id")


def link_requests_for_operator(*, moment: datetime | None = None) -> QuerySet[LinkRequest]:
    """Waiting requests for premises no owner is linked to: the operator answers them."""
    owned = PremisesLink.objects.filter(premises=OuterRef("premises"), role=PremisesLink.Role.OWNER)
    return _pending(moment).filter(~Exists(owned)).order_by("created_at", "id")


def link_request_to_decide(*, actor, request_id: int) -> LinkRequest:
    """A request the actor may answer, whatever its status (the service says if it is late).

    An owner of the premises answers its requests, an operator any but their own; for
    anyone else, the requester included, it does not exist.
    """
    if not getattr(actor, "is_authenticated", False):
        raise link_request_not_found()
    requests = (
        LinkRequest.objects.select_related("premises", "person")
        .filter(pk=request_id)
        .exclude(person__user=actor)
    )
    if not actor.has_perm(OPERATOR_CHANGE_PERMISSION):
        owned = PremisesLink.objects.filter(
            premises=OuterRef("premises"), person__user=actor, role=PremisesLink.Role.OWNER
        )
        requests = requests.filter(Exists(owned))
    found = requests.first()
    if found is None:
        raise link_request_not_found()
    return found


# --- Impossible readings passed to the operator ---------------------------------------


def open_referrals() -> QuerySet[ReadingReferral]:
    return (
        ReadingReferral.objects.select_related("meter__premises", "submitted_by")
        .filter(status=ReadingReferral.Status.OPEN)
        .order_by("created_at", "id")
    )


# --- Back office ----------------------------------------------------------------------


def is_operator(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.has_perm(OPERATOR_PERMISSION)


def flagged_readings(*, period: date | None = None) -> QuerySet[Reading]:
    """Accepted readings with warnings no operator has looked at yet, oldest first."""
    readings = Reading.objects.select_related("meter__premises").filter(
        status=Reading.Status.ACCEPTED, reviewed_at__isnull=True
    )
    readings = readings.exclude(warnings=[])
    if period is not None:
        readings = readings.filter(period=period)
    return readings.order_by("submitted_at", "id")


def open_correction_requests() -> QuerySet[CorrectionRequest]:
    return (
        CorrectionRequest.objects.select_related("reading__meter__premises", "requested_by")
        .filter(status=CorrectionRequest.Status.OPEN)
        .order_by("created_at", "id")
    )


def premises_by_payer_code(payer_code: str) -> Premises | None:
    return Premises.objects.filter(payer_code=payer_code.strip()).first()


@dataclass(frozen=True)
class PremisesCard:
    """A premises as an operator looks it up: who is linked, every meter with its year."""

    premises: Premises
    links: list[PremisesLink]
    meters: list[tuple[Meter, list[HistoryRow]]]


def premises_card(*, premises: Premises, moment: datetime | None = None) -> PremisesCard:
    links = list(premises.links.select_related("person").order_by("person__last_name", "id"))
    meters = list(premises.meters.order_by("status", "kind", "location", "id"))
    history = meters_history(meters=meters, moment=moment)
    return PremisesCard(premises, links, [(meter, history[meter.pk]) for meter in meters])


def meter_for_operator(*, meter_id: int) -> Meter:
    if not valid_id(meter_id):
        raise meter_not_found()
    found = Meter.objects.select_related("premises").filter(pk=meter_id).first()
    if found is None:
        raise meter_not_found()
    return found


def verification_due(*, today: date, days: int) -> QuerySet[Meter]:
    """Active meters whose verification is past or within `days`, the most urgent first."""
    return (
        Meter.objects.select_related("premises")
        .filter(status=Meter.Status.ACTIVE, next_verification_on__lte=today + timedelta(days=days))
        .order_by("next_verification_on", "id")
    )


@dataclass(frozen=True)
class BillingRow:
    meter: Meter
    basis: str  # reading | average | norm
    value: Decimal | None
    volume: Decimal | None
    periods_without_reading: int


class BillingExport:
    """The period's bill basis for every meter, produced meter by meter in batches.

    A meter with an accepted reading is billed by its consumption; one without, by the
    average or the norm (rules.no_reading_basis). Corrections accepted for earlier periods
    are settled in this one. `rows()` streams (a city has millions of meters), and
    `totals` and `counts` are complete once it has been consumed.
    """

    def __init__(self, period: date, *, batch_size: int = 2000) -> None:
        self.period = period
        self.batch_size = batch_size
        self.totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # (kind, basis)
        self.counts: dict[str, int] = defaultdict(int)  # basis -> meters
        self.meters = (
            Meter.objects.select_related("premises")
            .filter(Q(status=Meter.Status.ACTIVE) | Q(retired_on__gte=period))
            .filter(commissioned_on__lt=rules.add_months(period, 1))
            .order_by("id")
        )

    def rows(self) -> Iterator[BillingRow]:
        batch: list[Meter] = []
        for meter in self.meters.iterator(chunk_size=self.batch_size):
            batch.append(meter)
            if len(batch) >= self.batch_size:
                yield from self._settle(batch)
                batch = []
        if batch:
            yield from self._settle(batch)

    def corrections(self) -> list[CorrectionRequest]:
        return list(
            CorrectionRequest.objects.select_related(
                "reading__meter__premises", "corrected_reading"
            )
            .filter(status=CorrectionRequest.Status.ACCEPTED, settled_period=self.period)
            .order_by("id")
        )

    def _settle(self, batch: list[Meter]) -> Iterator[BillingRow]:
        config = norms()
        history: dict[int, dict[date, Reading]] = defaultdict(dict)
        for reading in Reading.objects.filter(
            meter__in=batch,
            status=Reading.Status.ACCEPTED,
            period__gte=rules.add_months(self.period, -BILLING_LOOKBACK_MONTHS),
            period__lte=self.period,
        ):
            history[reading.meter_id][reading.period] = reading
        for meter in batch:
            row = billing_row(
                meter=meter, period=self.period, readings=history[meter.pk], config=config
            )
            self.counts[row.basis] += 1
            if row.volume is not None:
                self.totals[(meter.kind, row.basis)] += row.volume
            yield row


# The average is taken over six months; a year back finds the reading each of them follows.
AVERAGE_MONTHS = 6
BILLING_LOOKBACK_MONTHS = 12


def billing_row(
    *, meter: Meter, period: date, readings: dict[date, Reading], config: rules.Norms
) -> BillingRow:
    """How `period` is billed for `meter`, given its accepted readings of the year before.

    With a reading, by its consumption; without, rules.no_reading_basis decides between
    the six-month average and the norm by how many periods in a row have none.
    """
    current = readings.get(period)
    if current is not None:
        return BillingRow(meter, "reading", current.value, current.consumption, 0)
    missing = 0
    while missing < AVERAGE_MONTHS and rules.add_months(period, -missing) not in readings:
        missing += 1
    since = rules.add_months(period, -AVERAGE_MONTHS)
    monthly = [
        reading.consumption / max(1, _months_since_previous(reading, readings))
        for reading_period, reading in readings.items()
        if since <= reading_period < period
    ]
    basis = rules.no_reading_basis(
        periods_without_reading=missing,
        recent_monthly=monthly,
        kind=meter.kind,
        residents=meter.premises.residents,
        norms=config,
        average_periods=settings.GOROD_METER_AVERAGE_PERIODS,
    )
    return BillingRow(meter, basis.basis, None, basis.volume, missing)


def _months_since_previous(reading: Reading, readings: dict[date, Reading]) -> int:
    earlier = [period for period in readings if period < reading.period]
    return rules.months_between(max(earlier), reading.period) if earlier else 1


def submission_counts(*, period: date) -> dict[str, int]:
    """How many meters have an accepted reading this period, and how many readings wait."""
    accepted = Reading.objects.filter(period=period, status=Reading.Status.ACCEPTED)
    return {
        "accepted": accepted.count(),
        "flagged": flagged_readings(period=period).count(),
        "corrections": open_correction_requests().count(),
        "meters": Meter.objects.filter(
            status=Meter.Status.ACTIVE, commissioned_on__isnull=False
        ).count(),
    }


def people_without_readings(*, period: date, today: date) -> QuerySet:
    """Ids of linked people with a meter that takes readings today but has none this period.

    "Takes readings" is rules.meter_refusal said in SQL: active, commissioned, and within
    its verification date.
    """
    submitted = Reading.objects.filter(
        meter=OuterRef("pk"), period=period, status=Reading.Status.ACCEPTED
    )
    missing = Meter.objects.filter(
        ~Exists(submitted),
        status=Meter.Status.ACTIVE,
        commissioned_on__lte=today,
        next_verification_on__gte=today,
    )
    return (
        PremisesLink.objects.filter(premises__meters__in=missing)
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
