"""The rules of applications, as plain functions of plain values (no ORM, no I/O).

- the workflow: which status may follow which, and who makes the move — read from the
  definition's table (schema.Workflow), the way Signalen keeps its transitions in one dict;
- terms: the regulation's term in working days from the day after registration, paused
  while the department waits for the citizen; each step's own term;
- eligibility: the definition's predicates (age, residence, representation) before the form;
- answers: each field's value checked and normalised by its type, conditional fields shown
  (and required) only when their condition holds.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gorod.accounts.rules import age_on
from gorod.core.calendar import add_working_days, working_days_between
from gorod.core.errors import RuleError

# What the citizen and the department call each status (the vocabulary of schema.Status).
STATUS_LABELS = {
    "draft": gettext_lazy("черновик"),
    "submitted": gettext_lazy("отправлено"),
    "registered": gettext_lazy("зарегистрировано"),
    "in_review": gettext_lazy("на рассмотрении"),
    "info_requested": gettext_lazy("нужны сведения от заявителя"),
    "suspended": gettext_lazy("приостановлено"),
    "result_ready": gettext_lazy("результат готов"),
    "completed": gettext_lazy("услуга оказана"),
    "refused_to_accept": gettext_lazy("отказано в приёме документов"),
    "refused": gettext_lazy("отказано в услуге"),
    "withdrawn": gettext_lazy("отозвано заявителем"),
}
DRAFT = "draft"
SUBMITTED = "submitted"
INFO_REQUESTED = "info_requested"
RESULT_READY = "result_ready"
# No move leads out of these.
CLOSED = frozenset({"completed", "refused_to_accept", "refused", "withdrawn"})
# The department has said its word: a rating is offered (DOMAIN.md).
FINISHED = frozenset({"completed", "refused_to_accept", "refused"})
# While the department waits for the citizen, the regulation's term stands still.
PAUSING = frozenset({INFO_REQUESTED})
# The statuses a department works on, in the order its queue shows them.
OPEN_FOR_DEPARTMENT = ("submitted", "registered", "in_review", "info_requested", "suspended")

TEXT_MAX_LENGTH = 200
TEXTAREA_MAX_LENGTH = 4000
ADDRESS_MIN_LENGTH = 8
ADDRESS_MAX_LENGTH = 300
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def text(value: Mapping[str, str] | None) -> str:
    """A definition's text in the current language (Russian when English is missing)."""
    if not value:
        return ""
    return value.get(get_language() or "ru") or value.get("ru", "")


# ---- the workflow -------------------------------------------------------------------------


def moves_from(workflow: Mapping, status: str, *, by: str) -> list[str]:
    """The statuses `by` ("applicant" or "department") may move an application to now."""
    return [
        step["to"]
        for step in workflow["transitions"]
        if step["from"] == status and step["by"] == by
    ]


def check_move(workflow: Mapping, status: str, to: str, *, by: str) -> None:
    if to not in moves_from(workflow, status, by=by):
        raise RuleError(
            "transition_not_allowed",
            _("Из статуса «%(from)s» заявление нельзя перевести в «%(to)s».")
            % {"from": status_label(status), "to": status_label(to)},
        )


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def is_withdrawable(workflow: Mapping, status: str) -> bool:
    return "withdrawn" in moves_from(workflow, status, by="applicant")


# ---- terms --------------------------------------------------------------------------------


def decision_due(registered_on: date, term_days: int) -> date:
    """The regulation's term: `term_days` working days from the day after registration."""
    return add_working_days(registered_on, term_days)


def step_due(workflow: Mapping, status: str, since: date) -> date | None:
    """When the step an application has just entered is overdue, if the workflow times it."""
    days = workflow.get("terms", {}).get(status)
    return add_working_days(since, days) if days else None


def due_after_pause(due_on: date, paused_on: date, resumed_on: date) -> date:
    """The decision's term moved on by the working days spent waiting for the citizen."""
    return add_working_days(due_on, working_days_between(paused_on, resumed_on))


def working_days_left(due_on: date, today: date) -> int:
    """Working days until the term ends; negative once it is overdue, 0 on its last day."""
    if today <= due_on:
        return working_days_between(today, due_on)
    return -working_days_between(due_on, today)


# ---- eligibility --------------------------------------------------------------------------


@dataclass(frozen=True)
class Applying:
    """Who applies, for whom, and what the portal knows of them, for the eligibility rules."""

    applicant_birth: date
    subject_birth: date
    for_child: bool
    applicant_is_resident: bool
    today: date


def eligibility_refusals(rules: Iterable[Mapping], applying: Applying) -> list[str]:
    """Why this applicant may not apply for this person (empty when they may)."""
    refusals = []
    for rule in rules:
        kind = rule["rule"]
        if kind == "age":
            refusal = _age_refusal(rule, applying)
            if refusal:
                refusals.append(refusal)
        elif kind == "resident" and not applying.applicant_is_resident:
            refusals.append(
                _(
                    "Услуга — для жителей Москвы, а портал не знает вашего адреса в Москве. "
                    "Добавьте помещение в разделе «Показания счётчиков» или обратитесь в центр "
                    "госуслуг."
                )
            )
        elif kind == "representative" and not applying.for_child:
            refusals.append(_("Заявление подаёт законный представитель ребёнка за ребёнка."))
    return refusals


def _age_refusal(rule: Mapping, applying: Applying) -> str | None:
    of_applicant = rule.get("of", "subject") == "applicant"
    birth = applying.applicant_birth if of_applicant else applying.subject_birth
    age = age_on(birth, applying.today)
    low, high = rule.get("min"), rule.get("max")
    if low is not None and age < low:
        if of_applicant:
            return _("Подать заявление можно с %(age)d лет.") % {"age": low}
        return _("Услуга — для тех, кому исполнилось %(age)d лет.") % {"age": low}
    if high is not None and age > high:
        if of_applicant:
            return _("Подать заявление можно до %(age)d лет включительно.") % {"age": high}
        return _("Услуга — для тех, кому не больше %(age)d лет.") % {"age": high}
    return None


# ---- answers ------------------------------------------------------------------------------


def fields_of(document: Mapping) -> Iterable[Mapping]:
    for step in document.get("steps", []):
        yield from step["fields"]


def is_shown(field: Mapping, answers: Mapping) -> bool:
    """A conditional field is asked (and kept) only while its condition holds."""
    condition = field.get("when")
    if not condition:
        return True
    given = answers.get(condition["field"])
    if "one_of" in condition:
        wanted = condition["one_of"]
        return (
            any(value in wanted for value in given) if isinstance(given, list) else given in wanted
        )
    wanted = condition["equals"]
    if isinstance(given, list):
        return wanted in given
    return given == wanted


@dataclass(frozen=True)
class Checked:
    """A step's answers after checking: the clean values, and a message per bad field."""

    values: dict
    errors: dict[str, str]


def check_step(
    step: Mapping,
    raw: Mapping[str, list[str]],
    *,
    earlier: Mapping,
    file_counts: Mapping[str, int],
    persons: Iterable[str],
    today: date,
) -> Checked:
    """Check one step's submitted values (`raw`: field key → the strings the form sent).

    `earlier` holds the answers already saved, which conditions may refer to; a field
    hidden by its condition is dropped, not checked.
    """
    values: dict = {}
    errors: dict[str, str] = {}
    allowed_persons = set(persons)
    for field in step["fields"]:
        key = field["key"]
        if not is_shown(field, {**earlier, **values}):
            continue
        if field["type"] == "file":
            message = _file_count_problem(field, file_counts.get(key, 0))
            if message:
                errors[key] = message
            continue
        strings = [item.strip() for item in raw.get(key, []) if item and item.strip()]
        if not strings:
            if field["type"] == "yes_no" and field.get("must_be_yes"):
                errors[key] = _("Без этого согласия заявление не принять.")
            elif field.get("required", True):
                errors[key] = _("Заполните это поле.")
            continue
        try:
            values[key] = clean_value(field, strings, persons=allowed_persons, today=today)
        except RuleError as error:
            errors[key] = str(error.message)
    return Checked(values=values, errors=errors)


def missing_answers(
    document: Mapping, answers: Mapping, file_counts: Mapping[str, int]
) -> dict[str, str]:
    """Before submission: the shown, required fields with no answer, by key."""
    missing = {}
    for field in fields_of(document):
        key = field["key"]
        if not is_shown(field, answers):
            continue
        if field["type"] == "file":
            message = _file_count_problem(field, file_counts.get(key, 0))
            if message:
                missing[key] = message
        elif field.get("required", True) and answers.get(key) in (None, "", []):
            missing[key] = _("Заполните это поле.")
        elif field.get("must_be_yes") and answers.get(key) is not True:
            missing[key] = _("Без этого согласия заявление не принять.")
    return missing


def _file_count_problem(field: Mapping, count: int) -> str | None:
    if count == 0 and field.get("required", True):
        return _("Приложите файл.")
    if count > field.get("max_files", 5):
        return _("Не больше %(count)d файлов.") % {"count": field.get("max_files", 5)}
    return None


def clean_value(field: Mapping, strings: list[str], *, persons: set[str], today: date):
    """One field's value from the strings a form sent, normalised for storing as JSON."""
    kind = field["type"]
    if kind == "choice":
        offered = {choice["value"] for choice in field["choices"]}
        chosen = list(dict.fromkeys(strings))
        if any(value not in offered for value in chosen):
            raise RuleError("choice_unknown", _("Выберите вариант из списка."))
        if not field.get("multiple") and len(chosen) > 1:
            raise RuleError("choice_one", _("Выберите один вариант."))
        return chosen if field.get("multiple") else chosen[0]
    value = strings[-1]
    cleaner = _CLEANERS[kind]
    return cleaner(field, value, persons=persons, today=today)


def _clean_text(field, value, **_context):
    limit = field.get("max_length") or (
        TEXTAREA_MAX_LENGTH if field["type"] == "textarea" else TEXT_MAX_LENGTH
    )
    if len(value) > limit:
        raise RuleError("too_long", _("Не длиннее %(count)d знаков.") % {"count": limit})
    if field.get("min_length") and len(value) < field["min_length"]:
        raise RuleError(
            "too_short", _("Не короче %(count)d знаков.") % {"count": field["min_length"]}
        )
    if field.get("pattern") and not re.fullmatch(field["pattern"], value):
        raise RuleError("pattern", text(field.get("pattern_hint")) or _("Проверьте формат."))
    return value


def _clean_number(field, value, **_context):
    try:
        number = Decimal(value.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        raise RuleError("not_a_number", _("Введите число, например 12 или 12,5.")) from None
    if not number.is_finite():
        raise RuleError("not_a_number", _("Введите число, например 12 или 12,5."))
    decimals = field.get("decimals", 0)
    if number != number.quantize(Decimal(1).scaleb(-decimals)):
        if decimals == 0:
            raise RuleError("not_whole", _("Введите целое число."))
        raise RuleError(
            "too_precise", _("Не больше %(count)d знаков после запятой.") % {"count": decimals}
        )
    low = field.get("min")
    high = field.get("max")
    if low is not None and number < Decimal(str(low)):
        raise RuleError("below_min", _("Не меньше %(value)s.") % {"value": low})
    if high is not None and number > Decimal(str(high)):
        raise RuleError("above_max", _("Не больше %(value)s.") % {"value": high})
    return str(number)


def _clean_date(field, value, *, today, **_context):
    day = parse_date(value)
    if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
        raise RuleError("not_a_date", _("Введите дату в виде ДД.ММ.ГГГГ."))
    if field.get("past") and day > today:
        raise RuleError("date_in_future", _("Дата не может быть позже сегодняшней."))
    if field.get("future") and day < today:
        raise RuleError("date_in_past", _("Дата не может быть раньше сегодняшней."))
    return day.isoformat()


def parse_date(value: str) -> date | None:
    """A date as a browser's date field sends it (2026-12-07) or as people type it (07.12.2026)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\.(\d{1,2})\.(\d{4})", value.strip())
    if not match:
        return None
    if match.group(1):
        year, month, day = match.group(1, 2, 3)
    else:
        day, month, year = match.group(4, 5, 6)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _clean_yes_no(field, value, **_context):
    if value not in ("yes", "no"):
        raise RuleError("yes_or_no", _("Ответьте «да» или «нет»."))
    if field.get("must_be_yes") and value != "yes":
        raise RuleError("consent_needed", _("Без этого согласия заявление не принять."))
    return value == "yes"


def _clean_address(field, value, **_context):
    address = " ".join(value.split())
    if not ADDRESS_MIN_LENGTH <= len(address) <= ADDRESS_MAX_LENGTH or not re.search(
        r"\d", address
    ):
        raise RuleError(
            "address", _("Укажите улицу и номер дома, например: ул. Тверская, д. 13, кв. 5.")
        )
    return address


def _clean_person(field, value, *, persons, **_context):
    if value not in persons:
        raise RuleError("person_unknown", _("Выберите человека из списка."))
    return value


def _clean_email(field, value, **_context):
    try:
        validate_email(value)
    except ValidationError:
        raise RuleError(
            "email", _("Введите адрес электронной почты, например name@example.ru.")
        ) from None
    return value.lower()


def _clean_phone(field, value, **_context):
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10 or not re.fullmatch(r"\+?[\d\s()\-]+", value):
        raise RuleError("phone", _("Введите номер из 10 цифр, например +7 495 123-45-67."))
    if field.get("pattern") and not re.fullmatch(field["pattern"], value):
        raise RuleError("pattern", text(field.get("pattern_hint")) or _("Проверьте формат."))
    return f"+7{digits}"


_CLEANERS = {
    "text": _clean_text,
    "textarea": _clean_text,
    "number": _clean_number,
    "date": _clean_date,
    "yes_no": _clean_yes_no,
    "address": _clean_address,
    "person": _clean_person,
    "email": _clean_email,
    "phone": _clean_phone,
}


# ---- files --------------------------------------------------------------------------------

# What an upload's bytes say it is → the type a definition accepts.
FILE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
FILE_NAME_MAX = 150


def file_refusal(
    *, sniffed_mime: str | None, size: int, accept: Iterable[str], max_mb: int
) -> str | None:
    """Why an upload is refused: empty, too big, or its bytes are not an accepted type
    (a renamed .exe is not a PDF, whatever its name says)."""
    if size == 0:
        return _("Файл пустой.")
    if size > max_mb * 1024 * 1024:
        return _("Файл больше %(mb)d МБ.") % {"mb": max_mb}
    kind = FILE_TYPES.get(sniffed_mime or "")
    if kind is None or kind not in set(accept):
        names = ", ".join(item.upper() for item in accept)
        return _("Это не %(types)s: принимаем только такие файлы.") % {"types": names}
    return None


def safe_file_name(name: str) -> str:
    """The citizen's file name as shown back: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if char.isprintable()).strip() or "file"
    return base[-FILE_NAME_MAX:]
