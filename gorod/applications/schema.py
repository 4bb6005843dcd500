"""The published schema of a service definition: what a city writes to put a service online.

A definition is one YAML file per catalog service (gorod/applications/definitions/), checked
against these models before anything is imported; `gorod applications schema` prints the same
models as JSON Schema (docs/definitions.schema.json), for editors and for other cities' tools.

Three kinds, as the catalog names them:
- `form`: an application to a department (DOMAIN.md, "Long-tail services"): the regulation's
  content, who it may be for, eligibility checked before the form, the form's steps and typed
  fields, the workflow with its terms, and the result;
- `info`: a page of real information — what, who, when, where and how — with links;
- `external`: the partner's site that provides the service, and what to do there.

Every text a citizen reads is given in Russian and English (`{ru: …, en: …}`). Reusable
blocks (`use: applicant`, gorod/applications/blocks.yaml) are expanded before validation,
so the models here see whole documents.
"""

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

# What a status means is the engine's (rules.py); a definition chooses which of them its
# workflow uses and who moves an application between them.
Status = Literal[
    "draft",
    "submitted",
    "registered",
    "in_review",
    "info_requested",
    "suspended",
    "result_ready",
    "completed",
    "refused_to_accept",
    "refused",
    "withdrawn",
]
Actor = Literal["applicant", "department"]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]


class Strict(BaseModel):
    # A misspelt key is a mistake to name, not something to ignore silently.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """A text in both of the portal's languages."""

    ru: str = Field(min_length=1, max_length=4000)
    en: str = Field(min_length=1, max_length=4000)


class Choice(Strict):
    value: Key
    label: Text


class Condition(Strict):
    """Show (and require) a field only when an earlier field has one of these values."""

    field: Key
    equals: str | bool | None = None
    one_of: list[str] | None = None

    @model_validator(mode="after")
    def one_test(self):
        if (self.equals is None) == (self.one_of is None):
            raise ValueError("give exactly one of `equals` and `one_of`")
        return self


FieldType = Literal[
    "text",  # one line; `pattern` checks its shape
    "textarea",  # several lines
    "number",  # a decimal number between `min` and `max`
    "date",  # a calendar date; `past`/`future` bound it by today
    "choice",  # one of `choices` (several when `multiple`)
    "yes_no",  # a yes or a no
    "address",  # a postal address in the city
    "person",  # the applicant or one of the people they represent (accounts)
    "file",  # uploaded documents: `accept` types, up to `max_mb` each
    "email",
    "phone",
]
FileType = Literal["pdf", "jpeg", "png"]


class FormField(Strict):
    key: Key
    type: FieldType
    label: Text
    help: Text | None = None
    required: bool = True
    when: Condition | None = None
    # text, textarea
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1, le=4000)
    pattern: str | None = None
    pattern_hint: Text | None = None
    # number
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int = Field(default=0, ge=0, le=4)
    # date
    past: bool = False
    future: bool = False
    # yes_no: only a yes lets the citizen go on (a consent, a declaration).
    must_be_yes: bool = False
    # choice
    choices: list[Choice] | None = None
    multiple: bool = False
    # file
    accept: list[FileType] = Field(default_factory=lambda: ["pdf", "jpeg", "png"])
    max_mb: int = Field(default=10, ge=1, le=20)
    max_files: int = Field(default=5, ge=1, le=20)

    @model_validator(mode="after")
    def fits_its_type(self):
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs `choices`")
        if self.type != "choice" and (self.choices or self.multiple):
            raise ValueError("only a choice field has `choices` and `multiple`")
        if self.choices and len({choice.value for choice in self.choices}) != len(self.choices):
            raise ValueError("two choices have the same value")
        if self.pattern is not None:
            if self.type not in ("text", "phone"):
                raise ValueError("only a text field has a `pattern`")
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValueError(f"`pattern` is not a regular expression: {error}") from None
            if self.pattern_hint is None:
                raise ValueError("a `pattern` needs a `pattern_hint` the citizen can follow")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is above `max`")
        if self.must_be_yes and self.type != "yes_no":
            raise ValueError("only a yes/no field has `must_be_yes`")
        if self.past and self.future:
            raise ValueError("a date cannot be both `past` and `future`")
        return self


class Step(Strict):
    title: Text
    intro: Text | None = None
    fields: list[FormField] = Field(min_length=1)


class AgeRule(Strict):
    """The age (full years, today) of the person the application is for, or of the applicant."""

    rule: Literal["age"]
    of: Literal["subject", "applicant"] = "subject"
    min: int | None = Field(default=None, ge=0, le=120)
    max: int | None = Field(default=None, ge=0, le=120)

    @model_validator(mode="after")
    def has_a_bound(self):
        if self.min is None and self.max is None:
            raise ValueError("an age rule needs `min` or `max`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is above `max`")
        return self


class ResidentRule(Strict):
    """The applicant lives in the city: a premises of theirs is known to the portal."""

    rule: Literal["resident"]


class RepresentativeRule(Strict):
    """The application is for a child or ward the applicant is the legal representative of."""

    rule: Literal["representative"]


Eligibility = Annotated[AgeRule | ResidentRule | RepresentativeRule, Field(discriminator="rule")]


class Transition(Strict):
    from_: Status = Field(alias="from")
    to: Status
    by: Actor


class Workflow(Strict):
    """Which status may follow which, who makes each change, and the terms in working days.

    `terms` gives the working days an application may stay in a status before that step is
    overdue (registering it, the citizen's answer, collecting the result). The decision's
    term is the regulation's, `content.term_days`, counted from the day after registration
    (DOMAIN.md) and paused while the department waits for the citizen's answer.
    """

    transitions: list[Transition] = Field(min_length=1)
    terms: dict[Status, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def a_whole_lifecycle(self):
        moves = [(step.from_, step.to, step.by) for step in self.transitions]
        if len(set(moves)) != len(moves):
            raise ValueError("a transition is listed twice")
        pairs = [(step.from_, step.to) for step in self.transitions]
        if not any(step.from_ == "draft" and step.to == "submitted" for step in self.transitions):
            raise ValueError("the applicant must be able to submit: draft → submitted")
        used = {status for pair in pairs for status in pair}
        for status, days in self.terms.items():
            if status in ("registered", "in_review"):
                raise ValueError(f"`{status}` is timed by the regulation's `content.term_days`")
            if status not in used:
                raise ValueError(f"a term for `{status}`, which no transition reaches")
            if not 1 <= days <= 365:
                raise ValueError(f"the term of `{status}` must be 1..365 working days")
        return self


class Fee(Strict):
    amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    note: Text | None = None


class Result(Strict):
    """What the citizen receives, and how."""

    kind: Literal["decision", "document", "in_person"]
    title: Text
    # For `in_person`: where the result is collected.
    collect_at: Literal["mfc", "department"] | None = None

    @model_validator(mode="after")
    def in_person_says_where(self):
        if (self.kind == "in_person") != (self.collect_at is not None):
            raise ValueError("`collect_at` is given for an in-person result, and only for it")
        return self


class FormContent(Strict):
    """What the service's administrative regulation says, as the citizen reads it."""

    summary: Text
    who_may_apply: Text
    result: Text
    fee: Fee | None = None
    term_days: int = Field(ge=1, le=365)
    documents: list[Text] = Field(default_factory=list)
    obtained_by_department: list[Text] = Field(default_factory=list)
    refusal_to_accept: list[Text] = Field(min_length=1)
    refusal_grounds: list[Text] = Field(min_length=1)
    legal_basis: list[Text] = Field(min_length=1)
    in_person: Literal["mfc", "department", "none"]


class Link(Strict):
    title: Text
    url: HttpUrl


class InfoContent(Strict):
    """An information service: what, who, when, where and how, with where to read more."""

    what: Text
    who: Text
    when: Text
    where: Text
    how: list[Text] = Field(min_length=1)
    links: list[Link] = Field(default_factory=list)
    legal_basis: list[Text] = Field(default_factory=list)
    in_person: Literal["mfc", "department", "none"] = "none"


class ExternalContent(Strict):
    """A service provided on a partner's site: where, and what the citizen does there."""

    url: HttpUrl
    partner: Text
    what: Text
    how: list[Text] = Field(min_length=1)


class Head(Strict):
    schema_version: Literal[1] = Field(alias="schema")
    service: Slug
    version: int = Field(ge=1)


class FormDefinition(Head):
    kind: Literal["form"]
    # Whom an application may be for: the applicant themself, a child or ward they represent.
    applies_for: list[Literal["self", "child"]] = Field(min_length=1)
    content: FormContent
    eligibility: list[Eligibility] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    workflow: Workflow
    outcome: Result

    @model_validator(mode="after")
    def fields_hang_together(self):
        seen: dict[str, FormField] = {}
        for step in self.steps:
            for field in step.fields:
                if field.key in seen:
                    raise ValueError(f"two fields are named `{field.key}`")
                if field.when is not None:
                    shown_by = seen.get(field.when.field)
                    if shown_by is None:
                        raise ValueError(
                            f"`{field.key}` depends on `{field.when.field}`, "
                            "which is not an earlier field"
                        )
                    if shown_by.type == "choice":
                        values = {choice.value for choice in shown_by.choices or []}
                        asked = [field.when.equals] if field.when.one_of is None else []
                        for value in asked + list(field.when.one_of or []):
                            if value not in values:
                                raise ValueError(
                                    f"`{field.key}` waits for `{value}`, "
                                    f"which `{shown_by.key}` does not offer"
                                )
                seen[field.key] = field
        if "child" not in self.applies_for and any(
            rule.rule == "representative" for rule in self.eligibility
        ):
            raise ValueError("a `representative` rule needs `applies_for` to include `child`")
        return self


class InfoDefinition(Head):
    kind: Literal["info"]
    content: InfoContent


class ExternalDefinition(Head):
    kind: Literal["external"]
    content: ExternalContent


Definition = Annotated[
    FormDefinition | InfoDefinition | ExternalDefinition, Field(discriminator="kind")
]
