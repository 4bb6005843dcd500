"""The rules of DOMAIN.md "Water and heat meter readings": accepting a reading, its
warnings, impossible consumption and billing without a reading.

Pure functions, no database; one rule per test.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gorod.housing import rules
from gorod.housing.rules import (
    COLD,
    HEAT,
    HIGH_CONSUMPTION,
    HOT,
    ZERO_CONSUMPTION,
    MeterFacts,
    Norms,
    RuleError,
)

# Messages are asserted in Russian; another test may have left English active.
pytestmark = pytest.mark.usefixtures("russian")


# --- Accepting a reading ------------------------------------------------------------------

TODAY = date(2026, 11, 20)
ACTIVE = MeterFacts(
    status="active", commissioned_on=date(2024, 1, 15), next_verification_on=date(2030, 1, 15)
)
PREVIOUS = Decimal("12.345")


def refusal_code(meter=ACTIVE, value=Decimal("20"), previous=PREVIOUS, today=TODAY):
    refusal = rules.acceptance_refusal(
        meter=meter, value=value, previous_value=previous, today=today
    )
    return None if refusal is None else refusal.code


@pytest.mark.parametrize("value", [PREVIOUS, Decimal("12.346"), Decimal("99999.999")])
def test_a_value_not_below_the_previous_one_is_accepted(value):
    assert refusal_code(value=value) is None


def test_a_value_below_the_previous_accepted_reading_is_refused():
    refusal = rules.acceptance_refusal(
        meter=ACTIVE, value=Decimal("12.344"), previous_value=PREVIOUS, today=TODAY
    )
    assert refusal.code == "reading_below_previous"
    assert "(12,345)" in str(refusal)


def test_a_first_value_below_the_initial_reading_is_refused():
    """Without an earlier reading the meter's initial value is the previous one."""
    assert refusal_code(value=Decimal("9.999"), previous=Decimal("10.000")) == (
        "reading_below_previous"
    )


@pytest.mark.parametrize("status", ["replaced", "failed"])
def test_a_retired_meter_takes_no_readings(status):
    meter = MeterFacts(status, ACTIVE.commissioned_on, ACTIVE.next_verification_on)
    assert refusal_code(meter=meter) == "meter_not_active"


@pytest.mark.parametrize("commissioned_on", [None, TODAY + timedelta(days=1)])
def test_a_meter_not_yet_commissioned_takes_no_readings(commissioned_on):
    meter = MeterFacts("active", commissioned_on, ACTIVE.next_verification_on)
    assert refusal_code(meter=meter) == "meter_not_commissioned"


def test_a_meter_commissioned_today_takes_readings():
    assert refusal_code(meter=MeterFacts("active", TODAY, ACTIVE.next_verification_on)) is None


def test_a_meter_takes_readings_on_its_verification_date_but_not_the_day_after():
    meter = MeterFacts("active", ACTIVE.commissioned_on, date(2026, 11, 19))
    assert refusal_code(meter=meter, today=date(2026, 11, 19)) is None
    refusal = rules.acceptance_refusal(
        meter=meter, value=Decimal(20), previous_value=PREVIOUS, today=date(2026, 11, 20)
    )
    assert refusal.code == "verification_expired"
    assert "19.11.2026" in str(refusal)


@pytest.mark.parametrize(
    ("meter", "code"),
    [
        (MeterFacts("failed", None, date(2020, 1, 1)), "meter_not_active"),
        (
            MeterFacts("active", TODAY + timedelta(days=1), date(2020, 1, 1)),
            "meter_not_commissioned",
        ),
        (MeterFacts("active", ACTIVE.commissioned_on, date(2020, 1, 1)), "verification_expired"),
    ],
)
def test_the_first_reason_is_given_when_several_apply(meter, code):
    assert refusal_code(meter=meter, value=Decimal(0)) == code


readings = st.one_of(
    st.integers(min_value=0, max_value=40).map(lambda tenths: Decimal(tenths).scaleb(-1)),
    st.decimals(min_value=0, max_value=Decimal("99999.999"), places=3),
)


@settings(max_examples=200)
@given(initial=readings, values=st.lists(readings, min_size=1, max_size=30))
def test_a_value_is_refused_as_below_previous_iff_it_is_below_the_last_accepted(initial, values):
    previous = initial
    accepted = [initial]
    for value in values:
        code = refusal_code(value=value, previous=previous)
        assert (code == "reading_below_previous") == (value < previous)
        assert code in (None, "reading_below_previous")
        if code is None:
            previous = value
            accepted.append(value)
    assert accepted == sorted(accepted)


# --- Warnings -----------------------------------------------------------------------------

NORMS = Norms()


def warnings(
    kind=COLD, consumption=None, kind_consumption=Decimal(1), residents=2, months=1, earlier=()
):
    return rules.consumption_warnings(
        kind=kind,
        consumption=kind_consumption if consumption is None else consumption,
        kind_consumption=kind_consumption,
        residents=residents,
        months=months,
        earlier_consumptions=list(earlier),
        norms=NORMS,
    )


@pytest.mark.parametrize(
    ("kind", "residents", "months", "limit"),
    [
        (COLD, 2, 1, Decimal("41.610")),  # 6.935 × 2 × 3
        (HOT, 2, 1, Decimal("28.470")),  # 4.745 × 2 × 3
        (COLD, 1, 3, Decimal("62.415")),  # a reading after two skipped periods
        (HOT, 0, 1, Decimal("14.235")),  # nobody registered: judged as one person
        (COLD, -1, 0, Decimal("20.805")),
    ],
)
def test_limit_is_the_norm_times_residents_months_and_the_factor(kind, residents, months, limit):
    assert rules.consumption_limit(kind=kind, residents=residents, months=months, norms=NORMS) == (
        limit
    )


def test_heat_has_no_consumption_limit():
    assert rules.consumption_limit(kind=HEAT, residents=2, months=1, norms=NORMS) is None
    assert warnings(kind=HEAT, kind_consumption=Decimal(10**6)) == []


@pytest.mark.parametrize(("kind", "limit"), [(COLD, Decimal("41.610")), (HOT, Decimal("28.470"))])
def test_consumption_exactly_at_the_limit_is_fine_and_just_above_warns(kind, limit):
    assert warnings(kind=kind, kind_consumption=limit) == []
    assert warnings(kind=kind, kind_consumption=limit + Decimal("0.001")) == [HIGH_CONSUMPTION]


def test_the_limit_is_judged_on_all_meters_of_the_kind_together():
    """Two cold meters in one flat share the residents' norm."""
    assert warnings(consumption=Decimal(21), kind_consumption=Decimal(42)) == [HIGH_CONSUMPTION]


def test_norms_and_factor_are_configurable():
    norms = Norms(cold=Decimal(10), hot=Decimal(5), warn_factor=Decimal(2))
    assert rules.consumption_limit(kind=COLD, residents=3, months=1, norms=norms) == 60
    assert rules.consumption_limit(kind=HOT, residents=3, months=1, norms=norms) == 30
    high = rules.consumption_warnings(
        kind=HOT,
        consumption=Decimal("30.001"),
        kind_consumption=Decimal("30.001"),
        residents=3,
        months=1,
        earlier_consumptions=[],
        norms=norms,
    )
    assert high == [HIGH_CONSUMPTION]


@pytest.mark.parametrize(
    ("consumption", "earlier", "expected"),
    [
        (Decimal(0), [Decimal(0), Decimal(0)], [ZERO_CONSUMPTION]),
        (Decimal(0), [Decimal(0), Decimal(0), Decimal(7)], [ZERO_CONSUMPTION]),
        (Decimal(0), [Decimal(0)], []),  # only two periods known
        (Decimal(0), [], []),
        (Decimal(0), [Decimal(0), None], []),  # a period without a reading breaks the streak
        (Decimal(0), [None, Decimal(0)], []),
        (Decimal(0), [Decimal(0), Decimal("0.001")], []),
        (Decimal("0.001"), [Decimal(0), Decimal(0)], []),
    ],
)
def test_zero_consumption_warns_on_the_third_period_in_a_row(consumption, earlier, expected):
    assert warnings(consumption=consumption, kind_consumption=consumption, earlier=earlier) == (
        expected
    )


def test_zero_streak_length_is_configurable():
    def zero_warnings(earlier):
        return rules.consumption_warnings(
            kind=HEAT,
            consumption=Decimal(0),
            kind_consumption=Decimal(0),
            residents=1,
            months=1,
            earlier_consumptions=earlier,
            norms=Norms(zero_periods=4),
        )

    assert zero_warnings([Decimal(0)] * 2) == []
    assert zero_warnings([Decimal(0)] * 3) == [ZERO_CONSUMPTION]


def test_both_warnings_can_apply_at_once():
    """A silent meter beside another cold meter that ran far over the norm."""
    assert warnings(
        consumption=Decimal(0), kind_consumption=Decimal(100), earlier=[Decimal(0)] * 2
    ) == [HIGH_CONSUMPTION, ZERO_CONSUMPTION]


def test_warning_messages_name_the_factor_the_residents_and_the_periods():
    high = rules.warning_message(HIGH_CONSUMPTION, residents=0, norms=NORMS)
    assert "3-кратного норматива" in high
    assert "(жильцов: 1)" in high
    assert "нулевой 3-й месяц подряд" in rules.warning_message(
        ZERO_CONSUMPTION, residents=2, norms=NORMS
    )


def plain(text: str) -> str:
    """Russian groups thousands with a no-break space; the assertions use plain ones."""
    return text.replace("\xa0", " ")


def test_the_high_consumption_warning_says_what_it_computed():
    """The probe: 99 999 against 20.6 warned without saying what it had computed."""
    message = rules.high_consumption_message(
        kind=COLD, consumption=Decimal("99978.4"), residents=3, months=1, norms=NORMS, unit="м³"
    )
    assert plain(message).startswith(
        "Расход 99 978,4 м³ за 1 мес. — 480 550 % от нормы 20,8 м³ для зарегистрированных "
        "жильцов (3)."
    )


def test_the_warning_counts_the_norm_over_the_months_since_the_last_reading():
    message = rules.high_consumption_message(
        kind=HOT, consumption=Decimal(100), residents=0, months=2, norms=NORMS, unit="м³"
    )
    # One resident at least, two months: 2 × 4,745 = 9,49 m³.
    assert "за 2 мес. — 1 054 % от нормы 9,5 м³ для зарегистрированных жильцов (1)" in plain(
        message
    )


# --- Impossible readings ------------------------------------------------------------------


def test_the_probes_reading_is_refused_as_impossible():
    error = rules.impossible_consumption(
        kind=COLD,
        consumption=Decimal("99999") - Decimal("20.6"),
        residents=3,
        months=1,
        norms=NORMS,
        unit="м³",
    )
    assert error.code == "consumption_impossible"
    assert "Расход 99 978,4 м³ за 1 мес." in plain(str(error.message))
    assert "предел 300,0 м³" in plain(str(error.message))
    assert "передано оператору" in str(error.message)


def test_heat_has_a_bound_in_gigacalories():
    assert rules.consumption_bound(kind=HEAT, residents=4, months=2, norms=NORMS) == 20
    assert (
        rules.impossible_consumption(
            kind=HEAT, consumption=Decimal(10), residents=1, months=1, norms=NORMS, unit="Гкал"
        )
        is None
    )


def test_no_meter_passes_more_than_its_flow_allows():
    # A hostel with 500 registered residents still has household meters of DN15.
    assert rules.consumption_bound(kind=COLD, residents=500, months=1, norms=NORMS) == Decimal(1860)


consumptions = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)


@given(
    kind=st.sampled_from([COLD, HOT, HEAT]),
    consumption=consumptions,
    residents=st.integers(0, 999),
    months=st.integers(0, 120),
)
def test_a_reading_is_impossible_exactly_above_the_bound(kind, consumption, residents, months):
    bound = rules.consumption_bound(kind=kind, residents=residents, months=months, norms=NORMS)
    error = rules.impossible_consumption(
        kind=kind,
        consumption=consumption,
        residents=residents,
        months=months,
        norms=NORMS,
        unit="м³",
    )
    assert (error is not None) == (consumption > bound)


@given(kind=st.sampled_from([COLD, HOT]), residents=st.integers(0, 20), months=st.integers(0, 120))
def test_an_apartments_unusual_month_is_confirmed_not_refused(kind, residents, months):
    """Between the warning's limit and the bound lies a month a household can really have
    (a leak, guests): the citizen confirms it instead of being refused. Up to 20 residents:
    a communal apartment; beyond, the meter's own flow is the bound."""
    limit = rules.consumption_limit(kind=kind, residents=residents, months=months, norms=NORMS)
    bound = rules.consumption_bound(kind=kind, residents=residents, months=months, norms=NORMS)
    assert limit * 2 < bound


@given(
    kind=st.sampled_from([COLD, HOT, HEAT]),
    residents=st.integers(0, 999),
    months=st.integers(1, 120),
)
def test_the_bound_grows_with_residents_and_months(kind, residents, months):
    bound = rules.consumption_bound(kind=kind, residents=residents, months=months, norms=NORMS)
    assert bound <= rules.consumption_bound(
        kind=kind, residents=residents + 1, months=months, norms=NORMS
    )
    assert bound < rules.consumption_bound(
        kind=kind, residents=residents, months=months + 1, norms=NORMS
    )


@given(st.decimals(min_value=Decimal("100000"), max_value=10**9, places=3, allow_nan=False))
def test_a_five_digit_drum_shows_no_more_than_99999_999(value):
    with pytest.raises(RuleError) as refusal:
        rules.parse_value(f"{value:f}", integer_digits=5, fraction_digits=3)
    assert refusal.value.code == "value_too_many_digits"


# --- Billing without a reading ------------------------------------------------------------


def basis(periods, recent=(Decimal(10), Decimal(11), Decimal(12)), kind=COLD, residents=2, **kw):
    return rules.no_reading_basis(
        periods_without_reading=periods,
        recent_monthly=list(recent),
        kind=kind,
        residents=residents,
        norms=NORMS,
        **kw,
    )


@pytest.mark.parametrize("periods", [1, 2, 3])
def test_first_three_periods_without_reading_are_billed_at_the_average(periods):
    assert basis(periods) == rules.BillingBasis("average", Decimal("11.000"), periods)


def test_the_average_is_kept_to_litres():
    assert basis(1, recent=[Decimal(1), Decimal(1), Decimal(2)]).volume == Decimal("1.333")


def test_the_average_is_rounded_half_up_as_bills_are():
    assert basis(1, recent=[Decimal(1), Decimal("0.001")]).volume == Decimal("0.501")


@pytest.mark.parametrize(
    ("periods", "kind", "residents", "volume"),
    [
        (4, COLD, 2, Decimal("13.870")),
        (5, HOT, 2, Decimal("9.490")),
        (12, COLD, 0, Decimal("6.935")),
    ],
)
def test_from_the_fourth_period_without_reading_the_norm_applies(periods, kind, residents, volume):
    assert basis(periods, kind=kind, residents=residents) == rules.BillingBasis(
        "norm", volume, periods
    )


def test_without_history_the_norm_applies_at_once():
    assert basis(1, recent=[]) == rules.BillingBasis("norm", Decimal("13.870"), 1)


def test_heat_is_averaged_but_has_no_norm_volume():
    assert basis(2, kind=HEAT).basis == "average"
    assert basis(4, kind=HEAT) == rules.BillingBasis("norm", None, 4)
    assert basis(1, recent=[], kind=HEAT).volume is None


def test_number_of_averaged_periods_is_configurable():
    assert basis(2, average_periods=2).basis == "average"
    assert basis(3, average_periods=2).basis == "norm"


@pytest.mark.parametrize("periods", [0, -1])
def test_a_period_with_a_reading_is_not_billed_without_one(periods):
    with pytest.raises(ValueError, match="billed by the reading"):
        basis(periods)


# --- Verification, payer code, display ----------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "warn_days", "state"),
    [
        (-1, 30, "expired"),
        (0, 30, "due"),
        (30, 30, "due"),
        (31, 30, "ok"),
        (0, 0, "due"),
        (1, 0, "ok"),
    ],
)
def test_verification_state_boundaries(days_left, warn_days, state):
    assert rules.verification_state(TODAY + timedelta(days=days_left), TODAY, warn_days) == state


def test_a_payer_code_of_ten_ascii_digits_is_accepted():
    assert rules.payer_code_problem("0123456789") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123456789",
        "12345678901",
        "12345 67890",
        "123456789a",
        "١٢٣٤٥٦٧٨٩٠",
        "１２３４５６７８９０",
        "123456789²",
    ],
)
def test_a_payer_code_is_ten_ascii_digits_and_nothing_else(text):
    assert rules.payer_code_problem(text).code == "payer_code_invalid"


def test_values_are_shown_with_a_comma_and_three_decimals():
    assert rules.format_value(Decimal("12.5")) == "12,500"
    assert rules.format_value(Decimal("0")) == "0,000"


@pytest.mark.parametrize(("typed", "kept"), [(" 15a ", "15А"), ("15А", "15А"), ("1 2", "12")])
def test_an_apartment_number_is_kept_as_the_payment_document_prints_it(typed, kept):
    assert rules.normalize_apartment(typed) == kept
