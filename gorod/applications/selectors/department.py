"""What a department's staff read: the queue and one application, scoped to their posts.

A staff member sees the applications of the departments they hold a post in (models.
DepartmentPost), and only once the citizen has sent them (a draft is the citizen's alone).
Anything else — another department's application, a draft, a made-up id — is "not found",
never "forbidden": the desk does not say what exists elsewhere.

Every read of an application's personal data by staff (the page, the API, a file) is logged
with `audit_read` as it happens (152-FZ; DOMAIN.md): the row names who read what.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.applications import rules
from gorod.applications.models import Application, DepartmentPost, Event, File
from gorod.core.audit import audit_read
from gorod.core.errors import NotFound
from gorod.core.ids import uuid_or_none

VIEW_PERMISSION = "applications.view_application"
CHANGE_PERMISSION = "applications.change_application"
ASSIGNED_FILTERS = ("me", "none")


def application_not_found() -> NotFound:
    return NotFound("application_not_found", _("Такого заявления в очереди вашего ведомства нет."))


def file_not_found() -> NotFound:
    return NotFound("file_not_found", _("Такого файла в заявлениях вашего ведомства нет."))


# ---- who may -------------------------------------------------------------------------------


def desk_posts(actor) -> list[DepartmentPost]:
    """The posts that let `actor` work queues: none without the role's permission."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(VIEW_PERMISSION):
        return []
    return list(
        DepartmentPost.objects.filter(user=actor)
        .select_related("department")
        .order_by("department__code")
    )


def is_desk_staff(actor) -> bool:
    return bool(desk_posts(actor))


def may_act(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.has_perm(CHANGE_PERMISSION)


def is_head_of(actor, department_id: int) -> bool:
    return DepartmentPost.objects.filter(
        user=actor, department_id=department_id, is_head=True
    ).exists()


def colleagues(department_id: int) -> list[DepartmentPost]:
    """The staff of a department, whom its head may assign an application to."""
    return list(
        DepartmentPost.objects.filter(department_id=department_id)
        .select_related("user")
        .order_by("user__email")
    )


# ---- the scope -----------------------------------------------------------------------------


def _scope(actor) -> QuerySet[Application]:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(VIEW_PERMISSION):
        return Application.objects.none()
    return Application.objects.filter(department__posts__user=actor).exclude(status=rules.DRAFT)


def desk_application_get(*, actor, public_id, for_update: bool = False) -> Application:
    """One application of the actor's departments (locked for a decision when asked)."""
    found = uuid_or_none(public_id)
    if found is None:
        raise application_not_found()
    query = _scope(actor).select_related(
        "definition", "service", "department", "applicant", "subject", "assignee"
    )
    if for_update:
        query = query.select_for_update(of=("self",))
    application = query.filter(public_id=found).first()
    if application is None:
        raise application_not_found()
    return application


# ---- the queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    department_id: int | None = None
    status: str | None = None
    assigned: str | None = None  # "me", "none" or None (everyone's)
    service_id: int | None = None


def desk_queue(*, actor, filters: QueueFilters = QueueFilters()) -> QuerySet[Application]:
    """Open applications of the actor's departments, the most urgent first.

    The term a row is sorted by is the decision's (`due_on`, set at registration) or,
    before that, the current step's (registering it); the overdue come first because
    their terms are the earliest. Rows without a term go last, the oldest first.
    """
    query = (
        _scope(actor)
        .filter(status__in=rules.OPEN_FOR_DEPARTMENT)
        .select_related("service", "department", "applicant", "assignee")
        .annotate(term=Coalesce("due_on", "step_due_on"))
    )
    if filters.department_id is not None:
        query = query.filter(department_id=filters.department_id)
    if filters.status in rules.OPEN_FOR_DEPARTMENT:
        query = query.filter(status=filters.status)
    if filters.assigned == "me":
        query = query.filter(assignee=actor)
    elif filters.assigned == "none":
        query = query.filter(assignee__isnull=True)
    if filters.service_id is not None:
        query = query.filter(service_id=filters.service_id)
    return query.order_by(F("term").asc(nulls_last=True), "submitted_at", "id")


def queue_services(*, actor) -> list[tuple[int, str]]:
    """The services with open applications in the actor's queues (the filter's choices)."""
    rows = (
        _scope(actor)
        .filter(status__in=rules.OPEN_FOR_DEPARTMENT)
        .values_list("service_id", "service__title")
        .distinct()
        .order_by("service__title")
    )
    return list(rows)


@dataclass(frozen=True)
class Countdown:
    """What the queue says of a term: the days left (negative when overdue), or a pause."""

    due_on: date | None
    days_left: int | None
    overdue: bool
    paused: bool

    @property
    def late_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def countdown(application: Application, today: date) -> Countdown:
    due = application.due_on or application.step_due_on
    paused = application.status in rules.PAUSING
    if due is None:
        return Countdown(due_on=None, days_left=None, overdue=False, paused=paused)
    left = rules.working_days_left(due, today)
    return Countdown(due_on=due, days_left=left, overdue=left < 0 and not paused, paused=paused)


def queue_read_record(*, actor, applications: list[Application], channel: str) -> None:
    """The queue shows applicants' names: the read is logged with the rows shown."""
    if applications:
        audit_read(
            actor=actor,
            action="application.queue_read",
            channel=channel,
            applications=[str(item.public_id) for item in applications],
        )


# ---- one application -----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    type: str
    value: str
    files: list[File] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    kind: str
    status: str
    label: str
    text: str
    actor: str
    internal: bool


@dataclass(frozen=True)
class DeskView:
    application: Application
    answers: list[Answer]
    files: list[File]
    history: list[HistoryEntry]
    moves: list[str]
    countdown: Countdown


def desk_application_read(*, actor, public_id, channel: str, today: date) -> DeskView:
    """One application as its department's staff see it; the read is logged (152-FZ)."""
    application = desk_application_get(actor=actor, public_id=public_id)
    files = list(File.objects.filter(application=application).order_by("uploaded_at", "id"))
    events = list(
        Event.objects.filter(application=application).select_related("actor").order_by("at", "id")
    )
    audit_read(
        actor=actor,
        action="application.read",
        target=application,
        channel=channel,
        service=application.service_id,
    )
    workflow = application.definition.document["workflow"]
    return DeskView(
        application=application,
        answers=answers_of(application, files),
        files=files,
        history=[_history_entry(event) for event in events],
        moves=rules.moves_from(workflow, application.status, by="department"),
        countdown=countdown(application, today),
    )


def _history_entry(event: Event) -> HistoryEntry:
    internal = event.kind != Event.Kind.STATUS
    label = (
        rules.status_label(event.to_status) if event.to_status else str(event.get_kind_display())
    )
    return HistoryEntry(
        at=event.at,
        kind=event.kind,
        status=event.to_status,
        label=label,
        text=event.text,
        actor=event.actor.email if event.actor_id else "",
        internal=internal,
    )


def answers_of(application: Application, files: list[File]) -> list[Answer]:
    """The citizen's answers in the form's order, labelled and shown by their field's type."""
    document = application.definition.document
    answers = application.answers or {}
    person_ids = {
        int(answers[item["key"]])
        for item in rules.fields_of(document)
        if item["type"] == "person" and str(answers.get(item["key"], "")).isdigit()
    }
    names = (
        {person.pk: person.full_name for person in Person.objects.filter(pk__in=person_ids)}
        if person_ids
        else {}
    )
    by_field: dict[str, list[File]] = {}
    for file in files:
        if file.purpose == File.Purpose.FIELD:
            by_field.setdefault(file.field_key, []).append(file)
    shown = []
    for item in rules.fields_of(document):
        key = item["key"]
        if not rules.is_shown(item, answers):
            continue
        if item["type"] == "file":
            shown.append(
                Answer(key, rules.text(item["label"]), "file", "", files=by_field.get(key, []))
            )
            continue
        if key not in answers:
            continue
        shown.append(
            Answer(
                key, rules.text(item["label"]), item["type"], _display(item, answers[key], names)
            )
        )
    return shown


def _display(item, value, names: dict[int, str]) -> str:
    kind = item["type"]
    if kind == "choice":
        labels = {choice["value"]: rules.text(choice["label"]) for choice in item["choices"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(one, str(one)) for one in values)
    if kind == "yes_no":
        return _("да") if value is True else _("нет")
    if kind == "date":
        day = rules.parse_date(str(value))
        return formats.date_format(day, "d.m.Y") if day else str(value)
    if kind == "person":
        return names.get(int(value), str(value)) if str(value).isdigit() else str(value)
    return str(value)


def desk_file_get(*, actor, public_id, channel: str) -> File:
    """A file of an application in the actor's departments; the read is logged."""
    found = uuid_or_none(public_id)
    if found is None:
        raise file_not_found()
    scope = _scope(actor).values("pk")
    file = (
        File.objects.filter(public_id=found, application__in=scope)
        .select_related("application")
        .first()
    )
    if file is None:
        raise file_not_found()
    audit_read(
        actor=actor,
        action="application.file_read",
        target=file.application,
        channel=channel,
        file=str(file.public_id),
    )
    return file
