from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.accounts import rules


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8 (916) 123-45-67", "+79161234567"),
        ("+7 916 123 45 67", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("+1 916 123 45 67", None),
        ("12345", None),
        ("8916123456a", None),
        ("", None),
    ],
)
def test_normalize_phone(typed, expected):
    assert rules.normalize_phone(typed) == expected


@given(st.from_regex(r"\A9[0-9]{9}\Z"))
def test_phone_written_any_common_way_is_one_number(ten_digits):
    spaced = f"8 ({ten_digits[:3]}) {ten_digits[3:6]}-{ten_digits[6:8]}-{ten_digits[8:]}"
    assert rules.normalize_phone(spaced) == rules.normalize_phone("+7" + ten_digits)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Ivan@Mail.RU ", ("email", "ivan@mail.ru")),
        ("8 916 123-45-67", ("phone", "+79161234567")),
        ("ivan@", None),
        ("ivan", None),
    ],
)
def test_normalize_login(typed, expected):
    assert rules.normalize_login(typed) == expected


@pytest.mark.parametrize(
    ("snils", "valid"),
    [
        ("11223344595", True),  # a published example: 112-233-445 95
        ("11223344596", False),
        ("00100199800", True),  # below 001-001-998 no checksum applies
        ("1122334459", False),
        ("1122334459a", False),
    ],
)
def test_snils_checksum(snils, valid):
    assert rules.snils_is_valid(snils) is valid


@given(st.integers(min_value=1001999, max_value=999999999))
def test_every_snils_body_has_exactly_one_valid_control_number(body):
    digits = f"{body:09d}"
    valid = [control for control in range(100) if rules.snils_is_valid(f"{digits}{control:02d}")]
    assert len(valid) == 1


def test_oms_policy_shape():
    assert rules.oms_policy_is_valid("7700000000000000")
    assert not rules.oms_policy_is_valid("770000000000000")
    assert not rules.oms_policy_is_valid("77000000000000001")


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2010, 6, 15), date(2025, 6, 14), 14),
        (date(2010, 6, 15), date(2025, 6, 15), 15),
        (date(2008, 2, 29), date(2023, 2, 28), 14),
        (date(2008, 2, 29), date(2023, 3, 1), 15),
    ],
)
def test_age_on(born, day, age):
    assert rules.age_on(born, day) == age


def test_guardian_represents_until_fifteenth_birthday():
    assert rules.guardian_represents(date(2010, 6, 15), date(2025, 6, 14))
    assert not rules.guardian_represents(date(2010, 6, 15), date(2025, 6, 15))
