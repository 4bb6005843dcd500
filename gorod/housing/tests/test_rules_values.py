"""The rules of DOMAIN.md "Water and heat meter readings": reading a typed value.

Pure functions, no database; one rule per test. What a meter's drums can show always
parses back to itself, and any other text is refused with a code.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gorod.housing import rules
from gorod.housing.rules import RuleError

# Messages are asserted in Russian; another test may have left English active.
pytestmark = pytest.mark.usefixtures("russian")


# --- Parsing a value ----------------------------------------------------------------------


def parse(text, integer_digits=5, fraction_digits=3):
    return rules.parse_value(text, integer_digits=integer_digits, fraction_digits=fraction_digits)


def parse_refusal(text, integer_digits=5, fraction_digits=3) -> str:
    with pytest.raises(RuleError) as refusal:
        parse(text, integer_digits, fraction_digits)
    return refusal.value.code


@pytest.mark.parametrize(
    "text",
    ["123,456", "123.456", " 123,456 ", "12 3,45 6", "123\u00a0,456", "1\u202f23.456", "\t123,456"],
)
def test_comma_and_point_are_the_same_separator_and_spaces_are_ignored(text):
    assert parse(text) == Decimal("123.456")


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", Decimal("12")), ("12,5", Decimal("12.5")), (",5", Decimal("0.5")), ("7.", 7)],
)
def test_whole_numbers_and_a_missing_side_of_the_separator_are_read(text, value):
    assert parse(text) == value


@pytest.mark.parametrize("text", ["", "   ", "\u00a0\u202f\u2009", None])
def test_empty_value_is_required(text):
    assert parse_refusal(text) == "value_required"


@pytest.mark.parametrize(
    ("text", "value"), [("\n", None), ("123,456\n", Decimal("123.456")), ("1\u30002,5", 12.5)]
)
def test_any_whitespace_is_ignored(text, value):
    if value is None:
        assert parse_refusal(text) == "value_required"
    else:
        assert parse(text) == value


@pytest.mark.parametrize("text", ["-1", "-0,5", " - 12", "\u22125", "\u20131"])
def test_negative_value_is_refused(text):
    assert parse_refusal(text) == "value_negative"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12a",
        "1e5",
        "1E5",
        "NaN",
        "nan",
        "Infinity",
        "inf",
        "0x10",
        ".",
        ",",
        "+",
        "1/2",
        "½",
    ],
)
def test_anything_but_a_decimal_number_is_refused(text):
    assert parse_refusal(text) == "value_not_a_number"


@pytest.mark.parametrize("text", ["1,2,3", "1.2,3", "1..2", "12,345.6"])
def test_two_separators_are_refused_as_such(text):
    with pytest.raises(RuleError) as refusal:
        parse(text)
    assert refusal.value.code == "value_not_a_number"
    assert "только одна запятая" in str(refusal.value)


@pytest.mark.parametrize(
    "text",
    [
        "١٢٣",  # Arabic-Indic
        "۱۲۳",  # Extended Arabic-Indic (Persian)
        "१२३",  # Devanagari
        "１２３",  # fullwidth
        "12٣,5",  # one foreign digit among ASCII ones
        "12²",  # superscript
    ],
)
def test_unicode_digits_other_than_0_to_9_have_their_own_code(text):
    assert parse_refusal(text) == "value_not_ascii_digits"


@pytest.mark.parametrize(
    ("text", "integer_digits"),
    [("123456", 5), ("12345678", 7), ("1" * 40, 7), ("10", 1)],
)
def test_more_integer_digits_than_the_meter_has_are_refused(text, integer_digits):
    with pytest.raises(RuleError) as refusal:
        parse(text, integer_digits=integer_digits)
    assert refusal.value.code == "value_too_many_digits"
    assert f"до запятой у этого счётчика: не больше {integer_digits}" in str(refusal.value)


@pytest.mark.parametrize(
    ("text", "integer_digits", "value"),
    [("99999,999", 5, Decimal("99999.999")), ("9999999", 7, 9999999), ("0" * 40 + "12", 5, 12)],
)
def test_as_many_integer_digits_as_the_meter_has_and_leading_zeros_are_fine(
    text, integer_digits, value
):
    assert parse(text, integer_digits=integer_digits) == value


@pytest.mark.parametrize(("text", "fraction_digits"), [("1,2345", 3), ("1,23", 1), ("5,1", 0)])
def test_more_decimals_than_the_meter_has_are_refused(text, fraction_digits):
    with pytest.raises(RuleError) as refusal:
        parse(text, fraction_digits=fraction_digits)
    assert refusal.value.code == "value_too_many_decimals"
    assert f"после запятой у этого счётчика: не больше {fraction_digits}" in str(refusal.value)


@pytest.mark.parametrize(
    ("text", "fraction_digits", "value"),
    [("1,234000", 3, Decimal("1.234")), ("5,0", 0, 5), ("1,20", 1, Decimal("1.2"))],
)
def test_trailing_zeros_after_the_separator_do_not_count_as_decimals(text, fraction_digits, value):
    assert parse(text, fraction_digits=fraction_digits) == value


@st.composite
def meter_values(draw):
    integer_digits = draw(st.integers(min_value=1, max_value=7))
    fraction_digits = draw(st.integers(min_value=0, max_value=3))
    units = draw(st.integers(min_value=0, max_value=10 ** (integer_digits + fraction_digits) - 1))
    return integer_digits, fraction_digits, Decimal(units).scaleb(-fraction_digits)


@settings(max_examples=300)
@given(meter_values(), st.sampled_from(",."), st.booleans())
def test_any_value_the_drums_can_show_parses_back_to_itself(meter, separator, drum_zeros):
    integer_digits, fraction_digits, value = meter
    whole, _point, fraction = f"{value:f}".partition(".")
    if drum_zeros:
        whole = whole.zfill(integer_digits)
    text = f"{whole}{separator}{fraction}" if fraction else whole
    assert parse(text, integer_digits, fraction_digits) == value


PARSE_CODES = {
    "value_required",
    "value_negative",
    "value_not_ascii_digits",
    "value_not_a_number",
    "value_too_many_digits",
    "value_too_many_decimals",
}


@settings(max_examples=400)
@given(
    st.one_of(st.text(), st.text(alphabet="0123456789,.-+ e\u00a0\u0663", max_size=15)),
    st.integers(min_value=1, max_value=7),
    st.integers(min_value=0, max_value=3),
)
def test_any_text_parses_within_the_meters_digits_or_is_refused_with_a_code(
    text, integer_digits, fraction_digits
):
    # Anything but a RuleError escapes and fails the test.
    try:
        value = parse(text, integer_digits, fraction_digits)
    except RuleError as refusal:
        value, code = None, refusal.code
    if value is None:
        assert code in PARSE_CODES
        return
    assert 0 <= value < 10**integer_digits
    assert value == value.quantize(Decimal(1).scaleb(-fraction_digits))
