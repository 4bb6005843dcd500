"""The department's desk: the queue of applications and one application with its actions.

Thin pages over services/department.py and selectors/department.py. Who may: staff with the
role's permission to view applications and a post in a department (DepartmentPost); for
anyone else the desk does not exist (404), and another department's application does not
exist either. Acting needs the permission to change applications (403 without it). Every
action is a POST with the CSRF token; a refusal is shown next to its form.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from gorod.applications import rules
from gorod.applications.desk_forms import (
    ApproveForm,
    AssignForm,
    EmptyForm,
    InfoRequestForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
    RefuseForm,
    SuspendForm,
)
from gorod.applications.selectors import department as selectors
from gorod.applications.services import department as services
from gorod.core import clock
from gorod.core.errors import DomainError, Forbidden, NotFound, show_on_form
from gorod.core.problems import status_of

PAGE_SIZE = 50
CHANNEL = "web"


def _require_staff(request, *, act: bool = False) -> list:
    posts = selectors.desk_posts(request.user)
    # Not "forbidden": without a post and the role the desk does not exist for you.
    if not posts:
        raise Http404
    if act and not selectors.may_act(request.user):
        raise PermissionDenied
    return posts


# ---- the queue -----------------------------------------------------------------------------


@login_required
@require_safe
def queue(request):
    posts = _require_staff(request)
    form = QueueFilterForm(
        request.GET or None,
        departments=[(post.department_id, post.department.code) for post in posts],
        services=selectors.queue_services(actor=request.user),
    )
    filters = selectors.QueueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.QueueFilters(
            department_id=data["department"],
            status=data["status"] or None,
            assigned=data["assigned"] or None,
            service_id=data["service"],
        )
    page = Paginator(selectors.desk_queue(actor=request.user, filters=filters), PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    today = clock.local_date()
    rows = [(item, selectors.countdown(item, today)) for item in page.object_list]
    selectors.queue_read_record(
        actor=request.user, applications=[item for item, _countdown in rows], channel=CHANNEL
    )
    return render(
        request,
        "applications/desk/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "pages": _pages(request, page),
            "can_act": selectors.may_act(request.user),
            "return_to": request.get_full_path(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _pages(request, page) -> dict:
    def query(number: int) -> str:
        params = request.GET.copy()
        params["page"] = number
        return params.urlencode()

    return {
        "previous": query(page.previous_page_number()) if page.has_previous() else "",
        "next": query(page.next_page_number()) if page.has_next() else "",
    }


# ---- one application and its actions ----------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    title: Any
    button: Any
    done: Any
    form: type
    # Shown when the workflow allows a move to `to` (from `from_status`, when given).
    to: str | None = None
    from_status: str | None = None
    secondary: bool = False


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "register",
            gettext_lazy("Зарегистрировать"),
            gettext_lazy("Зарегистрировать"),
            gettext_lazy("Заявление зарегистрировано: срок решения пошёл."),
            EmptyForm,
            to="registered",
        ),
        Action(
            "refuse-to-accept",
            gettext_lazy("Отказать в приёме документов"),
            gettext_lazy("Отказать в приёме"),
            gettext_lazy("В приёме документов отказано."),
            ReasonForm,
            to="refused_to_accept",
            secondary=True,
        ),
        Action(
            "review",
            gettext_lazy("Начать рассмотрение"),
            gettext_lazy("Начать рассмотрение"),
            gettext_lazy("Заявление на рассмотрении."),
            EmptyForm,
            to="in_review",
            from_status="registered",
        ),
        Action(
            "resume",
            gettext_lazy("Возобновить рассмотрение"),
            gettext_lazy("Возобновить"),
            gettext_lazy("Рассмотрение возобновлено."),
            EmptyForm,
            to="in_review",
            from_status="suspended",
        ),
        Action(
            "approve",
            gettext_lazy("Результат готов"),
            gettext_lazy("Выдать результат"),
            gettext_lazy("Результат готов: заявитель получил уведомление."),
            ApproveForm,
            to=rules.RESULT_READY,
        ),
        Action(
            "request-info",
            gettext_lazy("Запросить сведения у заявителя"),
            gettext_lazy("Запросить"),
            gettext_lazy("Запрос отправлен заявителю."),
            InfoRequestForm,
            to=rules.INFO_REQUESTED,
        ),
        Action(
            "suspend",
            gettext_lazy("Приостановить"),
            gettext_lazy("Приостановить"),
            gettext_lazy("Рассмотрение приостановлено."),
            SuspendForm,
            to="suspended",
            secondary=True,
        ),
        Action(
            "refuse",
            gettext_lazy("Отказать в услуге"),
            gettext_lazy("Отказать"),
            gettext_lazy("В услуге отказано."),
            RefuseForm,
            to="refused",
            secondary=True,
        ),
        Action(
            "hand-over",
            gettext_lazy("Результат выдан лично"),
            gettext_lazy("Отметить выдачу"),
            gettext_lazy("Результат выдан: услуга оказана."),
            EmptyForm,
            to="completed",
            from_status=rules.RESULT_READY,
        ),
        Action(
            "take",
            gettext_lazy("Взять в работу"),
            gettext_lazy("Взять себе"),
            gettext_lazy("Заявление теперь ваше."),
            EmptyForm,
        ),
        Action(
            "assign",
            gettext_lazy("Назначить исполнителя"),
            gettext_lazy("Назначить"),
            gettext_lazy("Исполнитель назначен."),
            AssignForm,
        ),
        Action(
            "note",
            gettext_lazy("Служебная заметка"),
            gettext_lazy("Добавить заметку"),
            gettext_lazy("Заметка добавлена."),
            NoteForm,
        ),
    )
}


def _form(action: Action, application, data=None):
    kwargs: dict[str, Any] = {"prefix": action.name}
    if action.form is ApproveForm:
        kwargs["outcome"] = application.definition.document["outcome"]
    if action.form is AssignForm:
        kwargs["colleagues"] = selectors.colleagues(application.department_id)
    return action.form(data, **kwargs)


def _available(request, view: selectors.DeskView) -> list[str]:
    """The actions this staff member may take on the application now."""
    application = view.application
    if not selectors.may_act(request.user):
        return []
    head = selectors.is_head_of(request.user, application.department_id)
    outcome = application.definition.document["outcome"]["kind"]
    if application.assignee_id not in (None, request.user.pk) and not head:
        return ["note"]
    names = [
        action.name
        for action in ACTIONS.values()
        if action.to in view.moves
        and action.from_status in (None, application.status)
        and not (action.name == "approve" and application.status != "in_review")
        and not (action.name == "hand-over" and outcome != "in_person")
    ]
    is_open = application.status not in rules.CLOSED
    if is_open and application.assignee_id is None:
        names.append("take")
    if is_open and head:
        names.append("assign")
    names.append("note")
    return names


def _render_detail(request, public_id, *, failed: tuple[str, Any] | None = None, status=200):
    view = selectors.desk_application_read(
        actor=request.user, public_id=public_id, channel=CHANNEL, today=clock.local_date()
    )
    forms = []
    available = _available(request, view)
    for name in available:
        action = ACTIONS[name]
        form = failed[1] if failed and failed[0] == name else _form(action, view.application)
        forms.append((action, form))
    # The action is no longer offered (another operator was first): its refusal goes on top.
    stale = failed[1].non_field_errors() if failed and failed[0] not in available else []
    return render(
        request,
        "applications/desk/detail.html",
        {
            "view": view,
            "application": view.application,
            "action_forms": forms,
            "failed": failed[0] if failed else "",
            "stale_errors": stale,
            "result_files": [file for file in view.files if file.purpose == "result"],
            "answer_files": [file for file in view.files if file.purpose == "answer"],
        },
        status=status,
    )


@login_required
@require_safe
def detail(request, public_id):
    _require_staff(request)
    return _render_detail(request, public_id)


@login_required
@require_POST
def act(request, public_id, action: str):
    _require_staff(request, act=True)
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    application = selectors.desk_application_get(actor=request.user, public_id=public_id)
    form = _form(chosen, application, request.POST)
    if not form.is_valid():
        return _render_detail(request, public_id, failed=(action, form), status=400)
    try:
        _perform(chosen.name, request.user, application.public_id, form.cleaned_data)
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except Forbidden as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        show_on_form(form, error)
        return _render_detail(request, public_id, failed=(action, form), status=status_of(error))
    messages.success(request, str(chosen.done))
    return redirect(reverse("applications_desk:detail", args=[application.public_id]))


def _perform(name: str, actor, public_id, data: dict) -> None:
    """The action's service, with the form's cleaned data."""
    ids = {"actor": actor, "public_id": public_id}
    if name == "register":
        services.application_register(**ids)
    elif name == "refuse-to-accept":
        services.application_refuse_to_accept(**ids, reason=data["reason"])
    elif name == "review":
        services.application_review_start(**ids)
    elif name == "resume":
        services.application_resume(**ids)
    elif name == "approve":
        services.application_approve(**ids, text=data["text"], office_id=data.get("office"))
    elif name == "request-info":
        services.application_info_request(**ids, text=data["text"])
    elif name == "suspend":
        services.application_suspend(**ids, reason=data["reason"], until=data["until"])
    elif name == "refuse":
        services.application_refuse(**ids, reason=data["reason"], appeal=data["appeal"])
    elif name == "hand-over":
        services.application_hand_over(**ids)
    elif name == "take":
        services.application_take(**ids)
    elif name == "assign":
        services.application_assign(**ids, assignee_id=data["assignee"])
    elif name == "note":
        services.application_note_add(**ids, text=data["text"])


@login_required
@require_safe
def file_download(request, public_id):
    _require_staff(request)
    file = selectors.desk_file_get(actor=request.user, public_id=public_id, channel=CHANNEL)
    response = FileResponse(
        file.blob.open("rb"), as_attachment=True, filename=file.name, content_type=file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
