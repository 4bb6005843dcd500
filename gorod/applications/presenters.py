"""What the citizen's pages show of an application: plain shapes built from a definition.

The pages are drawn from the definition's document (schema.py): each step's fields with
their labels, hints, the value given (saved, or just typed), the error next to it, and
whether its condition holds now. Nothing here writes or reads the database beyond what
the caller hands in.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from gorod.applications import rules

# A value for the browser's <input>: a date as the date control wants it.
SINGLE_VALUE_TYPES = {"text", "textarea", "number", "date", "address", "email", "phone", "person"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class FieldView:
    key: str
    type: str
    label: str
    help: str
    required: bool
    shown: bool
    # The condition (for the live toggle): the field it watches and the values that show it.
    when_field: str = ""
    when_values: str = ""
    value: str = ""
    options: list[Option] = field(default_factory=list)
    files: list = field(default_factory=list)
    error: str = ""
    max_length: int | None = None
    accept: str = ""
    max_mb: int = 0
    max_files: int = 0
    must_be_yes: bool = False
    multiple: bool = False

    @property
    def input_id(self) -> str:
        return f"field-{self.key}"

    @property
    def describedby(self) -> str:
        ids = []
        if self.help:
            ids.append(f"{self.input_id}-help")
        if self.error:
            ids.append(f"{self.input_id}-error")
        return " ".join(ids)


@dataclass(frozen=True)
class Person:
    """Someone a `person` field may name: the applicant or a child they represent."""

    pk: int
    name: str


def _as_strings(value) -> list[str]:
    """A saved answer as the strings a form would send for it."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def _condition_values(condition: Mapping) -> str:
    values = condition.get("one_of") or [condition.get("equals")]
    return " ".join(_as_strings(values[0]) if len(values) == 1 else map(str, values))


def step_fields(
    step: Mapping,
    *,
    answers: Mapping,
    posted: Mapping[str, list[str]] | None = None,
    errors: Mapping[str, str] | None = None,
    files: Iterable = (),
    persons: Iterable[Person] = (),
) -> list[FieldView]:
    """The fields of one step as the page draws them.

    `posted` (what the form just sent) wins over the saved `answers`, so a refused step
    comes back as typed; conditions are judged on the two together.
    """
    errors = errors or {}
    current = dict(answers)
    if posted is not None:
        for one in step["fields"]:
            if one["type"] == "file":
                continue
            strings = [item for item in posted.get(one["key"], []) if item.strip()]
            current[one["key"]] = _posted_value(one, strings)
    by_field: dict[str, list] = {}
    for file in files:
        by_field.setdefault(file.field_key, []).append(file)
    people = list(persons)
    views = []
    for one in step["fields"]:
        key = one["key"]
        condition = one.get("when") or {}
        strings = _as_strings(current.get(key))
        view = FieldView(
            key=key,
            type=one["type"],
            label=rules.text(one["label"]),
            help=_help_of(one),
            required=one.get("required", True),
            shown=rules.is_shown(one, current),
            when_field=condition.get("field", ""),
            when_values=_condition_values(condition) if condition else "",
            value=strings[-1] if strings and one["type"] in SINGLE_VALUE_TYPES else "",
            error=errors.get(key, ""),
            max_length=one.get("max_length"),
            must_be_yes=bool(one.get("must_be_yes")),
            multiple=bool(one.get("multiple")),
        )
        if one["type"] == "choice":
            view.options = [
                Option(choice["value"], rules.text(choice["label"]), choice["value"] in strings)
                for choice in one["choices"]
            ]
        elif one["type"] == "yes_no":
            view.options = [
                Option("yes", _("Да"), strings == ["yes"]),
                Option("no", _("Нет"), strings == ["no"]),
            ]
        elif one["type"] == "person":
            view.options = [
                Option(str(person.pk), person.name, [str(person.pk)] == strings)
                for person in people
            ]
        elif one["type"] == "file":
            view.files = by_field.get(key, [])
            view.accept = ",".join(_ACCEPT[kind] for kind in one.get("accept", _ACCEPT))
            view.max_mb = one.get("max_mb", 10)
            view.max_files = one.get("max_files", 5)
        views.append(view)
    return views


_ACCEPT = {"pdf": ".pdf,application/pdf", "jpeg": ".jpg,.jpeg,image/jpeg", "png": ".png,image/png"}


def _posted_value(one: Mapping, strings: list[str]):
    if one["type"] == "choice" and one.get("multiple"):
        return strings
    if not strings:
        return None
    if one["type"] == "yes_no":
        return {"yes": True, "no": False}.get(strings[-1], strings[-1])
    return strings[-1]


def _help_of(one: Mapping) -> str:
    parts = [rules.text(one.get("help"))]
    if one.get("pattern_hint"):
        parts.append(rules.text(one["pattern_hint"]))
    if one["type"] == "file":
        parts.append(
            _("Форматы: %(types)s; до %(mb)d МБ каждый, не больше %(count)d файлов.")
            % {
                "types": ", ".join(kind.upper() for kind in one.get("accept", _ACCEPT)),
                "mb": one.get("max_mb", 10),
                "count": one.get("max_files", 5),
            }
        )
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class Answer:
    label: str
    text: str
    files: list


@dataclass(frozen=True)
class StepSummary:
    index: int
    title: str
    answers: list[Answer]
    missing: list[str]


def review_of(
    document: Mapping,
    answers: Mapping,
    *,
    files: Iterable = (),
    persons: Mapping[str, str] | None = None,
    missing: Mapping[str, str] | None = None,
) -> list[StepSummary]:
    """Every step with the answers given (shown fields only), for the review page."""
    persons = persons or {}
    missing = missing or {}
    by_field: dict[str, list] = {}
    for file in files:
        by_field.setdefault(file.field_key, []).append(file)
    summaries = []
    for index, step in enumerate(document["steps"]):
        shown = [one for one in step["fields"] if rules.is_shown(one, answers)]
        summaries.append(
            StepSummary(
                index=index,
                title=rules.text(step["title"]),
                answers=[
                    Answer(
                        label=rules.text(one["label"]),
                        text=answer_text(one, answers.get(one["key"]), persons=persons),
                        files=by_field.get(one["key"], []),
                    )
                    for one in shown
                ],
                missing=[rules.text(one["label"]) for one in shown if one["key"] in missing],
            )
        )
    return summaries


def answer_text(one: Mapping, value, *, persons: Mapping[str, str]) -> str:
    """A saved answer as the citizen reads it back."""
    if value in (None, "", []):
        return "" if one["type"] == "file" else _("не указано")
    kind = one["type"]
    if kind == "yes_no":
        return _("Да") if value is True else _("Нет")
    if kind == "choice":
        labels = {choice["value"]: rules.text(choice["label"]) for choice in one["choices"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(item, item) for item in values)
    if kind == "date":
        day = rules.parse_date(str(value))
        return day.strftime("%d.%m.%Y") if day else str(value)
    if kind == "person":
        return persons.get(str(value), str(value))
    if kind == "number":
        return str(value).replace(".", ",")
    return str(value)


def next_action(application) -> str:
    """What the citizen is to do next, in a few words, for «Мои заявки»."""
    status = application.status
    if status == rules.DRAFT:
        return _("Заполните и отправьте заявление")
    if status == rules.INFO_REQUESTED:
        return _("Ответьте на запрос ведомства")
    if status == rules.RESULT_READY:
        return _("Получите результат")
    if status in rules.FINISHED:
        return _("Оцените услугу")
    if status in rules.CLOSED:
        return ""
    return _("Ждите решения ведомства")


def days_left(due_on: date | None, today: date) -> int | None:
    return None if due_on is None else rules.working_days_left(due_on, today)


def decision_days_left(application, today: date) -> int | None:
    """Working days to the decision's term while the department still owes one."""
    if application.status in rules.CLOSED or application.status == rules.RESULT_READY:
        return None
    return days_left(application.due_on, today)
