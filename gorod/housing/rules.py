"""Rules of water and heat meter readings (DOMAIN.md, "Water and heat meter readings").

Plain functions of plain values: no ORM, no clock, no settings. The caller passes the
moment, the time zone and the configured numbers, so every rule is tested directly and
the window arithmetic is property-tested across month, year and time-zone edges.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gorod.core.errors import RuleError

# Kinds of meters, as stored (Meter.Kind); heat has no per-person norm (it is set per
# square metre of the building), so it draws no consumption warning.
COLD = "cold"
HOT = "hot"
HEAT = "heat"
WATER_KINDS = (COLD, HOT)
# Minus signs as they arrive from phones and word processors, not only the ASCII one.
_MINUS_SIGNS = ("-", "\u2212", "\u2013", "\u2012", "\ufe63", "\uff0d")


# --- Billing periods and the submission window ----------------------------------------


def period_of(day: date) -> date:
    """A billing period is named by the first day of its month."""
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass(frozen=True)
class WindowConfig:
    """The submission window: from `start_day` of the period's month to `end_day`.

    When `end_day` < `start_day` the window runs into the next month (Moscow: 15th to 3rd).
    """

    start_day: int = 15
    end_day: int = 3

    def __post_init__(self) -> None:
        for day in (self.start_day, self.end_day):
            # Day 29–31 do not exist in every month; a window must exist in every month.
            if not 1 <= day <= 28:
                raise ValueError("window days must be between 1 and 28")

    @property
    def crosses_month(self) -> bool:
        return self.end_day < self.start_day


@dataclass(frozen=True)
class Window:
    """The window of one billing period, as local dates (both inclusive)."""

    period: date
    opens_on: date
    closes_on: date

    def opens_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.opens_on, time.min, tzinfo=zone)

    def closes_at(self, zone: ZoneInfo) -> datetime:
        """The first instant after the window (exclusive end)."""
        return datetime.combine(self.closes_on + timedelta(days=1), time.min, tzinfo=zone)


def window_of_period(period: date, config: WindowConfig) -> Window:
    period = period_of(period)
    closes_month = add_months(period, 1) if config.crosses_month else period
    return Window(
        period=period,
        opens_on=period.replace(day=config.start_day),
        closes_on=closes_month.replace(day=config.end_day),
    )


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return moment.astimezone(zone).date()


def open_window(moment: datetime, zone: ZoneInfo, config: WindowConfig) -> Window | None:
    """The window open at `moment` (in the city's time zone), or None between windows."""
    today = local_date(moment, zone)
    for period in (period_of(today), add_months(period_of(today), -1)):
        window = window_of_period(period, config)
        if window.opens_on <= today <= window.closes_on:
            return window
    return None


def next_window(moment: datetime, zone: ZoneInfo, config: WindowConfig) -> Window:
    """The next window to open after `moment` (not the one open now)."""
    today = local_date(moment, zone)
    window = window_of_period(period_of(today), config)
    if window.opens_on <= today:
        window = window_of_period(add_months(period_of(today), 1), config)
    return window


def billing_period(moment: datetime, zone: ZoneInfo, config: WindowConfig) -> date:
    """The period a reading sent at `moment` belongs to; refused outside the window."""
    window = open_window(moment, zone, config)
    if window is None:
        upcoming = next_window(moment, zone, config)
        raise RuleError(
            "window_closed",
            _(
                "Приём показаний закрыт. Передать показания можно с %(opens)s "
                "по %(closes)s включительно."
            )
            % {"opens": day_month(upcoming.opens_on), "closes": day_month(upcoming.closes_on)},
        )
    return window.period


MONTHS_GENITIVE = (
    pgettext_lazy("genitive", "января"),
    pgettext_lazy("genitive", "февраля"),
    pgettext_lazy("genitive", "марта"),
    pgettext_lazy("genitive", "апреля"),
    pgettext_lazy("genitive", "мая"),
    pgettext_lazy("genitive", "июня"),
    pgettext_lazy("genitive", "июля"),
    pgettext_lazy("genitive", "августа"),
    pgettext_lazy("genitive", "сентября"),
    pgettext_lazy("genitive", "октября"),
    pgettext_lazy("genitive", "ноября"),
    pgettext_lazy("genitive", "декабря"),
)


MONTHS_NOMINATIVE = (
    _("январь"),
    _("февраль"),
    _("март"),
    _("апрель"),
    _("май"),
    _("июнь"),
    _("июль"),
    _("август"),
    _("сентябрь"),
    _("октябрь"),
    _("ноябрь"),
    _("декабрь"),
)


def day_month(day: date) -> str:
    """A date as people say it: "3 декабря"."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"


def period_label(period: date) -> str:
    """A billing period as people name it: "ноябрь 2026"."""
    return f"{MONTHS_NOMINATIVE[period.month - 1]} {period.year}"


# --- Parsing a value ------------------------------------------------------------------


def parse_value(text: str, *, integer_digits: int, fraction_digits: int) -> Decimal:
    """The reading typed by a citizen, exactly: "123,456" and "123.456" are the same.

    Only the digits 0–9 are accepted: Python's Decimal would take "١٢٣" (Arabic-Indic),
    "1e5", "NaN" and "Infinity" too, and none of them is what a meter's drums show.
    """
    # Spaces of every kind are ignored: typed, pasted from a bank app (no-break, thin),
    # or a trailing newline from a program.
    cleaned = "".join(char for char in text or "" if not char.isspace())
    if not cleaned:
        raise RuleError("value_required", _("Введите показание."))
    if cleaned.startswith(_MINUS_SIGNS):
        raise RuleError("value_negative", _("Показание не может быть отрицательным."))
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    for char in cleaned:
        if char in ",." or "0" <= char <= "9":
            continue
        if char.isdigit() or unicodedata.category(char) == "Nd":
            raise RuleError(
                "value_not_ascii_digits",
                _("Введите показание обычными цифрами 0–9."),
            )
        raise RuleError(
            "value_not_a_number",
            _("Показание — это число, например 123,456. Буквы и другие знаки не принимаются."),
        )
    separators = sum(cleaned.count(mark) for mark in ",.")
    if separators > 1:
        raise RuleError(
            "value_not_a_number",
            _("В показании может быть только одна запятая, например 123,456."),
        )
    whole, _mark, fraction = cleaned.replace(",", ".").partition(".")
    if not whole and not fraction:
        raise RuleError("value_not_a_number", _("Показание — это число, например 123,456."))
    significant_whole = whole.lstrip("0")
    if len(significant_whole) > integer_digits:
        raise RuleError(
            "value_too_many_digits",
            _("Цифр до запятой у этого счётчика: не больше %(count)d.") % {"count": integer_digits},
        )
    if len(fraction.rstrip("0")) > fraction_digits:
        raise RuleError(
            "value_too_many_decimals",
            _("Цифр после запятой у этого счётчика: не больше %(count)d.")
            % {"count": fraction_digits},
        )
    try:
        return Decimal(f"{whole or '0'}.{fraction or '0'}").quantize(Decimal(1).scaleb(-3))
    except InvalidOperation as error:  # pragma: no cover - the checks above exclude it
        raise RuleError("value_not_a_number", _("Показание — это число.")) from error


# --- Accepting a reading --------------------------------------------------------------


@dataclass(frozen=True)
class MeterFacts:
    """What the acceptance rule needs to know of a meter."""

    status: str  # active | replaced | failed
    commissioned_on: date | None
    next_verification_on: date


def meter_refusal(meter: MeterFacts, today: date) -> RuleError | None:
    """Why this meter takes no reading today, whatever its value, or None if it does.

    The page asks it to decide whether to offer a field; acceptance_refusal asks it first.
    """
    if meter.status != "active":
        return RuleError(
            "meter_not_active",
            _("Этот счётчик снят или заменён: показания по нему больше не принимаются."),
        )
    if meter.commissioned_on is None or meter.commissioned_on > today:
        return RuleError(
            "meter_not_commissioned",
            _(
                "Счётчик ещё не введён в эксплуатацию: показания принимаются после того, "
                "как управляющая организация его опломбирует."
            ),
        )
    if meter.next_verification_on < today:
        return RuleError(
            "verification_expired",
            _(
                "Срок поверки счётчика истёк %(date)s: показания не принимаются, начисление "
                "идёт как без показаний. Закажите поверку или замену счётчика."
            )
            % {"date": meter.next_verification_on.strftime("%d.%m.%Y")},
        )
    return None


def acceptance_refusal(
    *, meter: MeterFacts, value: Decimal, previous_value: Decimal, today: date
) -> RuleError | None:
    """Why a reading cannot be accepted (the first reason), or None if it can.

    `previous_value` is the last accepted reading of an earlier period, or the meter's
    initial reading when there is none. The window and the premises link are checked
    before (billing_period, and the selectors that find only the citizen's meters).
    """
    if refusal := meter_refusal(meter, today):
        return refusal
    if value < previous_value:
        return RuleError(
            "reading_below_previous",
            _("Показание меньше предыдущего (%(previous)s). Проверьте цифры.")
            % {"previous": format_value(previous_value)},
        )
    return None


def format_value(value: Decimal) -> str:
    """A value with three decimals, as the drums show it, in the reader's language (a
    comma in Russian, a point in English)."""
    return number_format(value, decimal_pos=3, use_l10n=True)


# --- Warnings the citizen confirms ----------------------------------------------------


@dataclass(frozen=True)
class Norms:
    """Monthly consumption norms per registered resident, and when to warn."""

    cold: Decimal = Decimal("6.935")
    hot: Decimal = Decimal("4.745")
    warn_factor: Decimal = Decimal(3)
    zero_periods: int = 3
    # Consumption no household reaches in a month (docs/housing.md, "Impossible readings").
    max_water_per_resident: Decimal = Decimal(100)
    max_heat: Decimal = Decimal(10)

    def per_person(self, kind: str) -> Decimal | None:
        return {COLD: self.cold, HOT: self.hot}.get(kind)


HIGH_CONSUMPTION = "high_consumption"
ZERO_CONSUMPTION = "zero_consumption"
WARNING_MESSAGES = {
    HIGH_CONSUMPTION: _(
        "Расход выше %(factor)s-кратного норматива на зарегистрированных жильцов "
        "(жильцов: %(residents)s). Проверьте показание или подтвердите его."
    ),
    ZERO_CONSUMPTION: _(
        "Расход нулевой %(periods)s-й месяц подряд. Если в квартире никто не живёт, "
        "подтвердите показание."
    ),
}


def consumption_limit(*, kind: str, residents: int, months: int, norms: Norms) -> Decimal | None:
    """Consumption above which a reading needs confirmation; None for heat.

    An apartment with nobody registered is still judged as one person: its owner pays and
    uses water; `months` covers a reading that follows skipped periods.
    """
    norm = monthly_norm(kind=kind, residents=residents, months=months, norms=norms)
    return None if norm is None else norm * norms.warn_factor


def consumption_warnings(
    *,
    kind: str,
    consumption: Decimal,
    kind_consumption: Decimal,
    residents: int,
    months: int,
    earlier_consumptions: Sequence[Decimal | None],
    norms: Norms,
) -> list[str]:
    """Warning codes for a reading (empty when it needs no confirmation).

    `kind_consumption` is the premises' total for this kind this period (several cold
    meters share one norm); `earlier_consumptions` are the meter's consumptions in the
    periods just before, newest first, None for a period without a reading.
    """
    warnings = []
    limit = consumption_limit(kind=kind, residents=residents, months=months, norms=norms)
    if limit is not None and kind_consumption > limit:
        warnings.append(HIGH_CONSUMPTION)
    streak = norms.zero_periods - 1
    if (
        consumption == 0
        and len(earlier_consumptions) >= streak
        and all(earlier == 0 for earlier in earlier_consumptions[:streak])
    ):
        warnings.append(ZERO_CONSUMPTION)
    return warnings


def monthly_norm(*, kind: str, residents: int, months: int, norms: Norms) -> Decimal | None:
    """The norm of the registered residents (at least one) over `months`; None for heat."""
    norm = norms.per_person(kind)
    if norm is None:
        return None
    return norm * max(residents, 1) * max(months, 1)


def warning_message(code: str, *, residents: int, norms: Norms) -> str:
    return str(WARNING_MESSAGES[code]) % {
        "factor": norms.warn_factor.normalize(),
        "residents": max(residents, 1),
        "periods": norms.zero_periods,
    }


def high_consumption_message(
    *, kind: str, consumption: Decimal, residents: int, months: int, norms: Norms, unit: str
) -> str:
    """The warning with the numbers it was computed from, so the citizen can check them.

    `consumption` is what the warning judged: the premises' total of this kind.
    """
    norm = monthly_norm(kind=kind, residents=residents, months=months, norms=norms) or Decimal(0)
    percent = round(consumption * 100 / norm) if norm else 0
    return str(
        _(
            "Расход %(consumption)s %(unit)s за %(months)s мес. — %(percent)s %% от нормы "
            "%(norm)s %(unit)s для зарегистрированных жильцов (%(residents)s). Проверьте "
            "показание или подтвердите его."
        )
    ) % {
        "consumption": format_amount(consumption),
        "unit": unit,
        "months": max(months, 1),
        "percent": number_format(percent, force_grouping=True, use_l10n=True),
        "norm": format_amount(norm),
        "residents": max(residents, 1),
    }


def format_amount(value: Decimal) -> str:
    """A volume as people read it: one decimal, thousands grouped ("99 978,4")."""
    return number_format(
        value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        decimal_pos=1,
        use_l10n=True,
        force_grouping=True,
    )


# --- Impossible readings: refused, and passed to the operator -------------------------

# The most a household water meter passes: the permanent flow Q3 (ISO 4064) of a DN15 meter,
# the size in apartments, typically 2.5 m³/h, running a whole 31-day month.
WATER_METER_MONTHLY_CAPACITY = Decimal("2.5") * 24 * 31
CONSUMPTION_IMPOSSIBLE = "consumption_impossible"


def consumption_bound(*, kind: str, residents: int, months: int, norms: Norms) -> Decimal:
    """The consumption of one meter above which a reading is refused outright.

    Water: `max_water_per_resident` per registered resident (at least one) a month, and
    never more than the meter itself can pass; heat: `max_heat` Гкал a month. Always far
    above the warning's limit, so a real but unusual month is confirmed, not refused.
    """
    months = max(months, 1)
    if kind == HEAT:
        return norms.max_heat * months
    per_month = min(norms.max_water_per_resident * max(residents, 1), WATER_METER_MONTHLY_CAPACITY)
    return per_month * months


def impossible_consumption(
    *, kind: str, consumption: Decimal, residents: int, months: int, norms: Norms, unit: str
) -> RuleError | None:
    """Why a meter's consumption cannot be real (a misread drum, a typo), or None."""
    bound = consumption_bound(kind=kind, residents=residents, months=months, norms=norms)
    if consumption <= bound:
        return None
    return RuleError(
        CONSUMPTION_IMPOSSIBLE,
        _(
            "Расход %(consumption)s %(unit)s за %(months)s мес. больше, чем возможно в "
            "квартире (предел %(bound)s %(unit)s). Показание не принято и передано "
            "оператору: он сверит его с данными управляющей организации. Проверьте цифры "
            "на счётчике и передайте показание ещё раз."
        )
        % {
            "consumption": format_amount(consumption),
            "unit": unit,
            "months": max(months, 1),
            "bound": format_amount(bound),
        },
    )


# --- Billing without a reading --------------------------------------------------------


@dataclass(frozen=True)
class BillingBasis:
    basis: str  # reading | average | norm
    volume: Decimal | None  # None: no norm for this kind (heat is billed by area)
    periods_without_reading: int


def no_reading_basis(
    *,
    periods_without_reading: int,
    recent_monthly: Sequence[Decimal],
    kind: str,
    residents: int,
    norms: Norms,
    average_periods: int = 3,
) -> BillingBasis:
    """How a period without an accepted reading is billed.

    Up to `average_periods` periods in a row at the average monthly consumption of the
    last six months with readings; then, or with no history to average, at the norm. The
    first real reading ends this state (the caller then bills by the reading).
    """
    if periods_without_reading <= 0:
        raise ValueError("a period with a reading is billed by the reading")
    if periods_without_reading <= average_periods and recent_monthly:
        average = sum(recent_monthly, Decimal(0)) / len(recent_monthly)
        # Half up, as bills are rounded, not the banker's rounding Decimal defaults to.
        volume = average.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        return BillingBasis("average", volume, periods_without_reading)
    norm = norms.per_person(kind)
    volume = None if norm is None else norm * max(residents, 1)
    return BillingBasis("norm", volume, periods_without_reading)


# --- Verification ---------------------------------------------------------------------


def verification_state(next_verification_on: date, today: date, warn_days: int) -> str:
    """ "expired", "due" (within `warn_days`) or "ok"."""
    if next_verification_on < today:
        return "expired"
    if next_verification_on <= today + timedelta(days=warn_days):
        return "due"
    return "ok"


# Latin letters that look like Cyrillic ones: "15A" typed on an English keyboard is the
# apartment "15А" of the payment document.
_LATIN_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


def normalize_apartment(text: str) -> str:
    """An apartment number as the registry keeps it: no spaces, capital Cyrillic letters."""
    return "".join((text or "").split()).upper().translate(_LATIN_LOOKALIKES)


def payer_code_problem(text: str) -> RuleError | None:
    if not (len(text) == 10 and text.isascii() and text.isdigit()):
        return RuleError(
            "payer_code_invalid",
            _("Код плательщика — 10 цифр. Он напечатан в ЕПД, в верхней части документа."),
        )
    return None


# --- Linking a premises: a request and its confirmation --------------------------------

LINK_PENDING = "pending"
LINK_CONFIRMED = "confirmed"
LINK_DECLINED = "declined"
LINK_EXPIRED = "expired"
# A decided request stays decided: a new request is a new row.
LINK_TRANSITIONS = {
    LINK_PENDING: frozenset({LINK_CONFIRMED, LINK_DECLINED, LINK_EXPIRED}),
    LINK_CONFIRMED: frozenset(),
    LINK_DECLINED: frozenset(),
    LINK_EXPIRED: frozenset(),
}


def link_transition_allowed(current: str, new: str) -> bool:
    return new in LINK_TRANSITIONS.get(current, ())
