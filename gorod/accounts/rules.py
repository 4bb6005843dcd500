"""Pure rules about identities: how logins and identity numbers are written and checked.

No ORM and no I/O here, so every rule is unit- and property-tested directly.
"""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from gorod.core.errors import RuleError

PHONE_DIGITS = re.compile(r"\d")
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OMS_POLICY_SHAPE = re.compile(r"^\d{16}$")
SNILS_SHAPE = re.compile(r"^\d{11}$")
# Children under this age are represented by a guardian (DOMAIN.md, doctor appointments).
GUARDIAN_REPRESENTS_UNDER = 15


def normalize_email(value: str) -> str:
    return value.strip().lower()


def looks_like_email(value: str) -> bool:
    return bool(EMAIL_SHAPE.match(value.strip()))


def normalize_phone(value: str) -> str | None:
    """A Russian mobile or city number in E.164 (+7XXXXXXXXXX), or None if it is not one.

    Accepts what people type: "8 (916) 123-45-67", "+7 916 123 45 67", "9161234567".
    """
    if re.search(r"[^\d\s()+\-.]", value):
        return None
    digits = "".join(PHONE_DIGITS.findall(value))
    if len(digits) == 10:
        digits = "7" + digits
    elif len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) != 11 or digits[0] != "7":
        return None
    return "+" + digits


def normalize_login(value: str) -> tuple[str, str] | None:
    """("email", address) or ("phone", number) for a login typed either way, else None."""
    value = value.strip()
    if "@" in value:
        return ("email", normalize_email(value)) if looks_like_email(value) else None
    phone = normalize_phone(value)
    return ("phone", phone) if phone else None


def digits_only(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


def snils_is_valid(snils: str) -> bool:
    """Check an 11-digit SNILS by its control number (ПФР rules).

    The control number is Σ digit·(9-position) over the first nine digits; a sum of 100 or
    101 gives 00, a larger sum is taken mod 101 first. Numbers up to 001-001-998 predate
    the checksum and are accepted by shape alone.
    """
    if not SNILS_SHAPE.match(snils):
        return False
    body, control = snils[:9], int(snils[9:])
    if int(body) <= 1001998:
        return True
    total = sum(int(digit) * (9 - index) for index, digit in enumerate(body))
    if total > 101:
        total %= 101
    expected = 0 if total in (100, 101) else total
    return control == expected


def oms_policy_is_valid(policy: str) -> bool:
    """A single-format OMS policy number (единый номер полиса): 16 digits.

    Only the shape is checked: the control-digit algorithm is not public in a form we could
    verify, and refusing a real policy is worse than accepting a mistyped one.
    """
    return bool(OMS_POLICY_SHAPE.match(policy))


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day` (a person born on 29 February ages on 1 March in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def guardian_represents(child_birth_date: date, day: date) -> bool:
    """Whether a guardian acts for the child on `day` without the child's own consent."""
    return age_on(child_birth_date, day) < GUARDIAN_REPRESENTS_UNDER


# Adults give delegations; a child's affairs are the guardian's (GUARDIAN_REPRESENTS_UNDER).
ADULT_AGE = 18
DELEGATION_SCOPES = ("appointments", "record")


def delegation_refusal(
    *,
    principal_birth_date: date,
    delegate_birth_date: date,
    same_person: bool,
    scopes: list[str],
    today: date,
) -> RuleError | None:
    """The delegate is an adult, the principal at least 15, and the scopes are known.

    From 15 a patient decides about their own care and record (323-ФЗ, art. 54), so a teen
    may let a parent keep seeing the record; the one who acts for another is an adult.
    """
    if same_person:
        return RuleError("delegation_to_self", _("Доверенность выдают другому человеку."))
    if age_on(delegate_birth_date, today) < ADULT_AGE:
        return RuleError(
            "delegation_adults_only",
            _("Доверенным лицом может быть только совершеннолетний."),
        )
    if age_on(principal_birth_date, today) < GUARDIAN_REPRESENTS_UNDER:
        return RuleError(
            "delegation_principal_too_young",
            _("До %(age)s лет за ребёнка действуют его законные представители.")
            % {"age": GUARDIAN_REPRESENTS_UNDER},
        )
    if not scopes or not set(scopes) <= set(DELEGATION_SCOPES):
        return RuleError(
            "delegation_scopes_invalid",
            _("Выберите, что доверяете: запись к врачу, медицинскую карту."),
        )
    return None
