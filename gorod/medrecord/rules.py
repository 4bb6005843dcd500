"""Pure rules of the medical record: who may read what, flags, dates, plausible readings.

No ORM and no I/O: the selectors read the facts (is the reader a guardian, a clinician who
saw the patient lately, ...) and these functions decide, so every branch of the
authorisation matrix is a unit test.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from gorod.core.errors import RuleError

RECORD_SCOPE = "record"
# What a look may ask for besides a section: everything at once (the timeline, an
# export) and the log of looks itself.
TIMELINE = "timeline"
EVERYTHING = "everything"
ACCESS_LOG = "access_log"
MEDICAL_SECTIONS = frozenset(
    {
        "encounters",
        "conditions",
        "labs",
        "studies",
        "discharges",
        "prescriptions",
        "sick_leaves",
        "immunizations",
        "certificates",
        "diary",
    }
)
WHOLE_RECORD = MEDICAL_SECTIONS | {TIMELINE, EVERYTHING}
# A registrar of the patient's own clinic prepares certificates, and reads only those.
OPERATOR_SECTIONS = frozenset({"certificates"})
# The shortest reason a doctor may give for an emergency look.
EMERGENCY_REASON_MIN_LENGTH = 10


@dataclass(frozen=True)
class ReaderFacts:
    """What the reader is to the patient, as the selector read it from the database."""

    authenticated: bool = True
    is_self: bool = False
    is_guardian: bool = False
    patient_age: int = 0
    delegated_scopes: frozenset[str] = frozenset()
    # The reader is a doctor at all, and one who saw the patient within the care window.
    is_clinician: bool = False
    in_care: bool = False
    # The reader is a registrar of the clinic the patient is attached to.
    is_clinic_registrar: bool = False
    # The doctor presented a live emergency grant of theirs for this very patient.
    emergency_granted: bool = False
    # There is no such record (a guessed or malformed id).
    record_exists: bool = True


# Why a look was allowed or denied: the code the log stores, put into words when shown
# (in the language of whoever reads the log, not of whoever looked).
READ_REASONS = {
    "not_signed_in": _("вход не выполнен"),
    "no_such_record": _("карты с таким номером нет"),
    "own_record": _("своя карта"),
    "guardian_of_child": _("законный представитель ребёнка младше %(age)s лет"),
    "access_log_patient_only": _("журнал просмотров видят только пациент и законный представитель"),
    "delegation": _("доверенность на просмотр карты"),
    "in_care": _("пациент на приёме у врача"),
    "emergency": _("экстренный доступ: %(reason)s"),
    "clinic_registrar": _("регистратура поликлиники прикрепления"),
    "teen_sees_own_record": _("с %(age)s лет карту видит сам пациент или по его доверенности"),
    "delegation_without_record": _("в доверенности нет права на просмотр карты"),
    "not_in_care": _("пациент не был на приёме у этого врача"),
    "registrar_certificates_only": _("регистратуре доступны только справки"),
    "no_relation": _("нет отношения к пациенту"),
}
# Roles whose denied looks tell the patient nothing they could act on and could be used
# against them (a flood of rows, a self-chosen name as bait): the staff's security log only.
SECURITY_ONLY_ROLES = frozenset({"anonymous", "none"})


@dataclass(frozen=True)
class ReadDecision:
    """The outcome of one look: the role it is logged under, and why (a READ_REASONS code)."""

    allowed: bool
    role: str
    reason: str

    @property
    def shown_to_patient(self) -> bool:
        """Whether the patient's log shows this look, or only the staff's security log."""
        return self.allowed or self.role not in SECURITY_ONLY_ROLES


def read_reason_text(code: str, *, child_age_limit: int, emergency_reason: str = "") -> str:
    """A logged reason in words, in the active language; an unknown code as it is."""
    text = READ_REASONS.get(code)
    if text is None:
        return code
    # A mapping with no placeholder to fill leaves the text as it is.
    return str(text) % {"age": child_age_limit, "reason": emergency_reason}


def record_read_decision(facts: ReaderFacts, section: str, *, child_age_limit: int) -> ReadDecision:
    """May this reader see this section of this person's record, and as whom?

    The patient sees everything. A guardian sees a child under `child_age_limit` (15); from
    that birthday only with the teen's delegation. A delegate needs the "record" scope. A
    doctor reads the record of a patient seen within the care window, or in an emergency
    under a grant of theirs for this patient (made by the staff page or the API's emergency
    opening: policy, birth date, reason, throttled and reviewed). A registrar of the
    patient's clinic reads the certificates it prepares. The log of looks is the patient's
    and the guardian's alone.
    """
    if not facts.authenticated:
        return ReadDecision(False, "anonymous", "not_signed_in")
    if not facts.record_exists:
        return ReadDecision(False, "none", "no_such_record")
    if facts.is_self:
        return ReadDecision(True, "self", "own_record")
    if facts.is_guardian and facts.patient_age < child_age_limit:
        return ReadDecision(True, "guardian", "guardian_of_child")
    if section == ACCESS_LOG:
        # Logged under the role the reader has for the record itself.
        as_reader = record_read_decision(facts, TIMELINE, child_age_limit=child_age_limit)
        return ReadDecision(False, as_reader.role, "access_log_patient_only")
    if RECORD_SCOPE in facts.delegated_scopes:
        return ReadDecision(True, "delegate", "delegation")
    if facts.is_clinician and facts.in_care:
        return ReadDecision(True, "clinician", "in_care")
    if facts.is_clinician and facts.emergency_granted:
        return ReadDecision(True, "emergency", "emergency")
    if facts.is_clinic_registrar and section in OPERATOR_SECTIONS:
        return ReadDecision(True, "operator", "clinic_registrar")
    if facts.is_guardian:
        return ReadDecision(False, "guardian", "teen_sees_own_record")
    if facts.delegated_scopes:
        return ReadDecision(False, "delegate", "delegation_without_record")
    if facts.is_clinician:
        return ReadDecision(False, "clinician", "not_in_care")
    if facts.is_clinic_registrar:
        return ReadDecision(False, "operator", "registrar_certificates_only")
    return ReadDecision(False, "none", "no_relation")


def emergency_reason_refusal(reason: str) -> RuleError | None:
    if len(reason.strip()) < EMERGENCY_REASON_MIN_LENGTH:
        return RuleError(
            "emergency_reason_required",
            _("Опишите причину экстренного доступа (не короче %(n)s символов).")
            % {"n": EMERGENCY_REASON_MIN_LENGTH},
        )
    return None


def observation_flag(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> str:
    """H above the range, L below it, N inside it; empty when there is nothing to compare."""
    if value is None or (low is None and high is None):
        return ""
    if high is not None and value > high:
        return "H"
    if low is not None and value < low:
        return "L"
    return "N"


# What a home device can show: outside these a reading is a typo, not a measurement.
DIARY_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "pulse": (Decimal(20), Decimal(250)),
    "pressure": (Decimal(40), Decimal(300)),
    "sugar": (Decimal("0.5"), Decimal(50)),
    "spo2": (Decimal(50), Decimal(100)),
    "temperature": (Decimal(30), Decimal(45)),
    "weight": (Decimal("0.5"), Decimal(400)),
}


def diary_reading_refusal(kind: str, value: Decimal, value_low: Decimal | None) -> RuleError | None:
    """Is this home reading plausible? Pressure is two values, systolic above diastolic."""
    low, high = DIARY_RANGES[kind]
    if not low <= value <= high:
        return RuleError(
            "diary_value_out_of_range",
            _("Значение должно быть от %(low)s до %(high)s.") % {"low": low, "high": high},
        )
    if kind == "pressure":
        if value_low is None:
            return RuleError("diary_pressure_incomplete", _("Укажите верхнее и нижнее давление."))
        if not low <= value_low < value:
            return RuleError(
                "diary_pressure_order",
                _("Нижнее давление должно быть меньше верхнего и не меньше %(low)s.")
                % {"low": low},
            )
    elif value_low is not None:
        return RuleError("diary_value_extra", _("Для этого показателя нужно одно значение."))
    return None


def amendment_refusal(*, finalised: bool, superseded: bool, reason: str) -> RuleError | None:
    """A correction amends the current, finalised version, and says why."""
    if not finalised:
        return RuleError(
            "entry_not_final", _("Запись ещё не подписана: её можно исправить напрямую.")
        )
    if superseded:
        return RuleError("entry_superseded", _("Эта версия уже исправлена: исправляйте последнюю."))
    if not reason.strip():
        return RuleError("amendment_reason_required", _("Укажите причину исправления."))
    return None
