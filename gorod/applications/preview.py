"""A stored definition as the citizen and the department will see it: the editors' preview.

Pure: the document in, display-ready texts out (in the current language), for the back
office's preview page; nothing here reads the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gorod.applications import rules

FIELD_TYPES = {
    "text": gettext_lazy("строка"),
    "textarea": gettext_lazy("текст"),
    "number": gettext_lazy("число"),
    "date": gettext_lazy("дата"),
    "choice": gettext_lazy("выбор"),
    "yes_no": gettext_lazy("да или нет"),
    "address": gettext_lazy("адрес"),
    "person": gettext_lazy("заявитель или его ребёнок"),
    "file": gettext_lazy("файлы"),
    "email": gettext_lazy("электронная почта"),
    "phone": gettext_lazy("телефон"),
}
OUTCOMES = {
    "decision": gettext_lazy("решение (текст)"),
    "document": gettext_lazy("документ PDF"),
    "in_person": gettext_lazy("получить лично"),
}
PLACES = {
    "mfc": gettext_lazy("в центре госуслуг"),
    "department": gettext_lazy("в ведомстве"),
    "none": gettext_lazy("не нужно"),
}
ACTORS = {"applicant": gettext_lazy("заявитель"), "department": gettext_lazy("ведомство")}


@dataclass(frozen=True)
class Fact:
    title: str
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FieldPreview:
    key: str
    label: str
    help: str
    type: str
    input: str  # the HTML control the citizen gets: text, textarea, date, select, radio, file
    required: bool
    choices: list[str]
    notes: list[str]


@dataclass(frozen=True)
class StepPreview:
    title: str
    intro: str
    fields: list[FieldPreview]


@dataclass(frozen=True)
class Preview:
    kind: str
    facts: list[Fact]
    steps: list[StepPreview]
    transitions: list[tuple[str, str, str]]
    terms: list[tuple[str, int]]
    outcome: list[Fact]


def _texts(items) -> list[str]:
    return [rules.text(item) for item in items or []]


def preview_of(document: Mapping) -> Preview:
    kind = document["kind"]
    content = document["content"]
    if kind == "form":
        return _form_preview(document)
    if kind == "info":
        facts = [
            Fact(_("Что это"), rules.text(content["what"])),
            Fact(_("Кому"), rules.text(content["who"])),
            Fact(_("Когда"), rules.text(content["when"])),
            Fact(_("Где"), rules.text(content["where"])),
            Fact(_("Как"), items=_texts(content["how"])),
            Fact(
                _("Ссылки"),
                items=[f"{rules.text(link['title'])}: {link['url']}" for link in content["links"]],
            ),
            Fact(_("Основания"), items=_texts(content.get("legal_basis"))),
        ]
    else:
        facts = [
            Fact(_("Партнёр"), rules.text(content["partner"])),
            Fact(_("Адрес на сайте партнёра"), str(content["url"])),
            Fact(_("Что это"), rules.text(content["what"])),
            Fact(_("Как"), items=_texts(content["how"])),
        ]
    return Preview(kind, [fact for fact in facts if fact.text or fact.items], [], [], [], [])


def _form_preview(document: Mapping) -> Preview:
    content = document["content"]
    fee = content.get("fee")
    facts = [
        Fact(_("Кратко"), rules.text(content["summary"])),
        Fact(_("Кто может подать"), rules.text(content["who_may_apply"])),
        Fact(_("Результат"), rules.text(content["result"])),
        Fact(
            _("Стоимость"),
            (
                f"{fee['amount']} ₽. {rules.text(fee.get('note'))}".strip()
                if fee
                else _("бесплатно")
            ),
        ),
        Fact(_("Срок, рабочих дней"), str(content["term_days"])),
        Fact(_("Документы от заявителя"), items=_texts(content.get("documents"))),
        Fact(_("Ведомство запросит само"), items=_texts(content.get("obtained_by_department"))),
        Fact(_("Основания отказа в приёме"), items=_texts(content["refusal_to_accept"])),
        Fact(_("Основания отказа в услуге"), items=_texts(content["refusal_grounds"])),
        Fact(_("Нормативные акты"), items=_texts(content["legal_basis"])),
        Fact(_("Лично"), str(PLACES[content["in_person"]])),
        Fact(
            _("За кого подают"),
            ", ".join(
                str(_("за себя") if who == "self" else _("за ребёнка"))
                for who in document["applies_for"]
            ),
        ),
    ]
    steps = [
        StepPreview(
            title=rules.text(step["title"]),
            intro=rules.text(step.get("intro")),
            fields=[_field_preview(item) for item in step["fields"]],
        )
        for step in document["steps"]
    ]
    workflow = document["workflow"]
    transitions = [
        (
            rules.status_label(step["from"]),
            rules.status_label(step["to"]),
            str(ACTORS[step["by"]]),
        )
        for step in workflow["transitions"]
    ]
    terms = [(rules.status_label(status), days) for status, days in workflow["terms"].items()]
    outcome = document["outcome"]
    outcome_facts = [
        Fact(_("Вид результата"), str(OUTCOMES[outcome["kind"]])),
        Fact(_("Название"), rules.text(outcome["title"])),
    ]
    if outcome.get("collect_at"):
        outcome_facts.append(Fact(_("Где получить"), str(PLACES[outcome["collect_at"]])))
    return Preview("form", facts, steps, transitions, terms, outcome_facts)


def _field_preview(item: Mapping) -> FieldPreview:
    kind = item["type"]
    notes = []
    if item.get("when"):
        condition = item["when"]
        wanted = condition.get("one_of") or [condition.get("equals")]
        notes.append(
            _("Показывается, когда «%(field)s» = %(values)s")
            % {"field": condition["field"], "values": ", ".join(str(value) for value in wanted)}
        )
    if item.get("pattern_hint"):
        notes.append(rules.text(item["pattern_hint"]))
    if kind == "file":
        notes.append(
            _("%(types)s, до %(mb)s МБ, не больше %(count)s файлов")
            % {
                "types": ", ".join(one.upper() for one in item.get("accept", [])),
                "mb": item.get("max_mb", 10),
                "count": item.get("max_files", 5),
            }
        )
    if item.get("must_be_yes"):
        notes.append(_("Без «да» заявление не отправить"))
    inputs = {"textarea": "textarea", "date": "date", "file": "file", "yes_no": "radio"}
    control = inputs.get(kind, "select" if kind in ("choice", "person") else "text")
    if kind == "choice" and item.get("multiple"):
        control = "checkbox"
    return FieldPreview(
        key=item["key"],
        label=rules.text(item["label"]),
        help=rules.text(item.get("help")),
        type=str(FIELD_TYPES.get(kind, kind)),
        input=control,
        required=item.get("required", True),
        choices=[rules.text(choice["label"]) for choice in item.get("choices") or []],
        notes=notes,
    )
