"""The citizen's pages of applications: «Мои заявки», the form step by step, the review,
the application's page with its timeline, the answer to a request, the result, the files.

Thin views over gorod.applications services and selectors; every page works without
JavaScript. Another citizen's application or file is the 404 page: the selectors answer
"not found" for it.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.applications import presenters, rules
from gorod.applications.models import File
from gorod.applications.selectors import citizen as selectors
from gorod.applications.selectors.definitions import form_definition_get, offices
from gorod.applications.services import citizen as services
from gorod.core.channels import channel_of
from gorod.core.clock import local_date
from gorod.core.errors import DomainError, Forbidden, Invalid, NotFound
from gorod.feedback.selectors import rated_service

MINE_PAGE_SIZE = 20


def _persons(applicant, today) -> list[presenters.Person]:
    children = selectors.represented_children(applicant, today=today)
    return [
        presenters.Person(applicant.pk, _("%(name)s (я)") % {"name": applicant.full_name}),
        *(presenters.Person(child.pk, child.full_name) for child in children),
    ]


@login_required
@require_safe
def mine(request):
    today = local_date(timezone.now())
    paginator = Paginator(selectors.my_applications(actor=request.user), MINE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "application": application,
            "next_action": presenters.next_action(application),
            "due_on": application.due_on or application.step_due_on,
            "days_left": presenters.decision_days_left(application, today),
        }
        for application in page.object_list
    ]
    return render(request, "applications/mine.html", {"rows": rows, "page": page})


# ---- starting ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request, slug: str):
    """Whom the application is for (self or a child), then a draft; a double click is one."""
    definition = form_definition_get(slug)
    applicant = selectors.applicant_of(request.user)
    today = local_date(timezone.now())
    document = definition.document
    children = (
        selectors.represented_children(applicant, today=today)
        if "child" in document["applies_for"]
        else []
    )
    error = ""
    if request.method == "POST":
        subject = request.POST.get("subject", "self")
        try:
            application = services.application_start(
                actor=request.user,
                service_slug=definition.service.slug,
                subject_id=None if subject == "self" else _int_or_zero(subject),
                start_key=_uuid_or_none(request.POST.get("start_key")),
            )
        except Forbidden as refusal:
            return render(
                request,
                "applications/refused.html",
                {
                    "definition": definition,
                    "service": definition.service,
                    "reasons": refusal.details.get("reasons") or [str(refusal.message)],
                    "document": document,
                    "offices": _offices_if(document["content"].get("in_person") == "mfc"),
                },
                status=403,
            )
        except DomainError as refusal:
            error = str(refusal.message)
        else:
            return redirect("applications:step", application.public_id, 1)
    return render(
        request,
        "applications/new.html",
        {
            "definition": definition,
            "service": definition.service,
            "document": document,
            "for_self": "self" in document["applies_for"],
            "for_child": "child" in document["applies_for"],
            "children": children,
            "start_key": uuid.uuid4(),
            "error": error,
        },
        status=422 if error else 200,
    )


def _int_or_zero(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 12 else 0


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _offices_if(wanted: bool) -> list:
    return list(offices()) if wanted else []


# ---- the form ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def step(request, public_id, number: int):
    """One step of a draft: save it whole or not at all; attach and remove its files."""
    application = selectors.own_application_get(actor=request.user, public_id=public_id)
    if application.status != rules.DRAFT:
        return redirect("applications:detail", application.public_id)
    steps = application.definition.document["steps"]
    if not 1 <= number <= len(steps):
        raise NotFound("step_not_found", _("Такого шага в заявлении нет."))
    current = steps[number - 1]
    if request.method != "POST":
        return _step_page(request, application, number)
    posted = {
        one["key"]: request.POST.getlist(one["key"])
        for one in current["fields"]
        if one["type"] != "file"
    }
    errors = _step_files(request, application, current)
    if request.POST.get("_remove") or request.POST.get("_action") == "upload" or errors:
        # Files attached or taken back: the step again, as typed, not yet saved.
        return _step_page(
            request,
            application,
            number,
            posted=posted,
            errors=errors,
            status=400 if errors else 200,
        )
    try:
        services.application_step_save(
            actor=request.user, public_id=application.public_id, step=number - 1, data=posted
        )
    except Invalid as refusal:
        errors = refusal.details.get("fields") or {refusal.field or "": str(refusal.message)}
        return _step_page(
            request,
            application,
            number,
            posted=posted,
            errors=_explain_new_fields(errors, request.POST.getlist("_shown")),
            status=400,
        )
    except NotFound:
        raise
    except DomainError as refusal:
        messages.error(request, str(refusal.message))
        return redirect("applications:detail", application.public_id)
    if number < len(steps):
        return redirect("applications:step", application.public_id, number + 1)
    return redirect("applications:review", application.public_id)


def _step_files(request, application, current) -> dict[str, str]:
    """Take back the file asked for, attach the uploads; a message per refused field."""
    errors: dict[str, str] = {}
    remove = request.POST.get("_remove")
    if remove:
        try:
            services.application_file_remove(actor=request.user, public_id=remove)
        except NotFound:
            pass  # already gone: a second click
        except DomainError as refusal:
            messages.error(request, str(refusal.message))
        else:
            messages.success(request, _("Файл удалён."))
    for one in current["fields"]:
        if one["type"] != "file":
            continue
        for upload in request.FILES.getlist(one["key"]):
            try:
                services.application_file_add(
                    actor=request.user,
                    public_id=application.public_id,
                    field_key=one["key"],
                    upload=upload,
                )
            except DomainError as refusal:
                errors[one["key"]] = _("«%(name)s»: %(why)s") % {
                    "name": rules.safe_file_name(upload.name or ""),
                    "why": refusal.message,
                }
    return errors


def _explain_new_fields(errors: dict[str, str], shown: list[str]) -> dict[str, str]:
    """A field that the citizen's answer has just brought up was never seen: say so."""
    if not shown:
        return errors
    return {
        key: (
            _("Появилось новое поле: заполните его.")
            if key not in shown and message == _("Заполните это поле.")
            else message
        )
        for key, message in errors.items()
    }


def _step_page(request, application, number, *, posted=None, errors=None, status=200):
    document = application.definition.document
    current = document["steps"][number - 1]
    today = local_date(timezone.now())
    fields = presenters.step_fields(
        current,
        answers=application.answers,
        posted=posted,
        errors=errors,
        files=[
            file for file in selectors.files_of(application) if file.purpose == File.Purpose.FIELD
        ],
        persons=_persons(application.applicant, today),
    )
    orphan = (errors or {}).get("")
    return render(
        request,
        "applications/step.html",
        {
            "application": application,
            "service": application.service,
            "steps": [rules.text(one["title"]) for one in document["steps"]],
            "number": number,
            "count": len(document["steps"]),
            "title": rules.text(current["title"]),
            "intro": rules.text(current.get("intro")),
            "fields": fields,
            "errors": [one for one in fields if one.error],
            "orphan_error": orphan,
            "has_files": any(one.type == "file" for one in fields),
        },
        status=status,
    )


@login_required
@require_safe
def review(request, public_id):
    application = selectors.own_application_get(actor=request.user, public_id=public_id)
    if application.status != rules.DRAFT:
        return redirect("applications:detail", application.public_id)
    return _review_page(request, application)


def _review_page(request, application, *, error: str = "", status: int = 200):
    document = application.definition.document
    today = local_date(timezone.now())
    files = [file for file in selectors.files_of(application) if file.purpose == File.Purpose.FIELD]
    missing = rules.missing_answers(
        document, application.answers, selectors.file_counts(application)
    )
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "service": application.service,
            "summaries": presenters.review_of(
                document,
                application.answers,
                files=files,
                persons={
                    str(person.pk): person.name for person in _persons(application.applicant, today)
                },
                missing=missing,
            ),
            "missing": missing,
            "content": document["content"],
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def submit(request, public_id):
    application = selectors.own_application_get(actor=request.user, public_id=public_id)
    try:
        submitted = services.application_submit(
            actor=request.user, public_id=application.public_id, channel=channel_of(request)
        )
    except NotFound:
        raise
    except DomainError as refusal:
        if application.status != rules.DRAFT:
            messages.error(request, str(refusal.message))
            return redirect("applications:detail", application.public_id)
        return _review_page(request, application, error=str(refusal.message), status=400)
    messages.success(
        request,
        _("Заявление %(number)s отправлено в ведомство. Статус — на этой странице.")
        % {"number": submitted.number},
    )
    return redirect("applications:detail", submitted.public_id)


@login_required
@require_POST
def draft_delete(request, public_id):
    try:
        services.application_draft_delete(actor=request.user, public_id=public_id)
    except NotFound:
        raise
    except DomainError as refusal:
        messages.error(request, str(refusal.message))
        return redirect("applications:detail", public_id)
    messages.success(request, _("Черновик удалён."))
    return redirect("applications:mine")


# ---- the application's page --------------------------------------------------------------


@login_required
@require_safe
def detail(request, public_id):
    application = selectors.own_application_get(actor=request.user, public_id=public_id)
    return _detail_page(request, application)


def _detail_page(
    request, application, *, answer_error: str = "", answer_text: str = "", status=200
):
    document = application.definition.document
    workflow = document["workflow"]
    today = local_date(timezone.now())
    timeline = selectors.timeline_of(application)
    files = selectors.files_of(application)
    finished = application.status in rules.FINISHED
    outcome = document.get("outcome", {})
    request_text = next(
        (entry.text for entry in reversed(timeline) if entry.status == rules.INFO_REQUESTED),
        "",
    )
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "service": application.service,
            "status_label": rules.status_label(application.status),
            "timeline": timeline,
            "field_files": [file for file in files if file.purpose == File.Purpose.FIELD],
            "answer_files": [file for file in files if file.purpose == File.Purpose.ANSWER],
            "result_files": [file for file in files if file.purpose == File.Purpose.RESULT],
            "days_left": presenters.decision_days_left(application, today),
            "step_days_left": presenters.days_left(application.step_due_on, today),
            "request_text": request_text if application.status == rules.INFO_REQUESTED else "",
            "withdrawable": rules.is_withdrawable(workflow, application.status),
            "receivable": application.status == rules.RESULT_READY
            and "completed" in rules.moves_from(workflow, application.status, by="applicant"),
            "outcome": outcome,
            "outcome_title": rules.text(outcome.get("title")),
            "offices": _offices_if(
                application.status == rules.RESULT_READY and outcome.get("collect_at") == "mfc"
            ),
            "finished": finished,
            "rating_service": rated_service(application.service.slug)
            if finished and application.use_id
            else None,
            "answer_error": answer_error,
            "answer_text": answer_text,
            "term_days": document["content"].get("term_days"),
        },
        status=status,
    )


@login_required
@require_POST
def answer(request, public_id):
    """The answer to the department's request: files attached first, then the text sends it."""
    application = selectors.own_application_get(actor=request.user, public_id=public_id)
    text = request.POST.get("text", "")
    error = ""
    remove = request.POST.get("_remove")
    if remove:
        try:
            services.application_file_remove(actor=request.user, public_id=remove)
        except NotFound:
            pass
        except DomainError as refusal:
            error = str(refusal.message)
    for upload in request.FILES.getlist("files"):
        try:
            services.application_file_add(
                actor=request.user,
                public_id=application.public_id,
                field_key="answer",
                upload=upload,
                purpose=File.Purpose.ANSWER,
            )
        except DomainError as refusal:
            error = _("«%(name)s»: %(why)s") % {
                "name": rules.safe_file_name(upload.name or ""),
                "why": refusal.message,
            }
    if error or remove or request.POST.get("_action") == "upload":
        application.refresh_from_db()
        return _detail_page(
            request, application, answer_error=error, answer_text=text, status=400 if error else 200
        )
    try:
        services.application_answer(actor=request.user, public_id=application.public_id, text=text)
    except NotFound:
        raise
    except DomainError as refusal:
        return _detail_page(
            request, application, answer_error=str(refusal.message), answer_text=text, status=400
        )
    messages.success(request, _("Ответ отправлен в ведомство: рассмотрение продолжается."))
    return redirect("applications:detail", application.public_id)


def _move(request, public_id, service, done: str):
    try:
        service(actor=request.user, public_id=public_id)
    except NotFound:
        raise
    except DomainError as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, done)
    return redirect("applications:detail", public_id)


@login_required
@require_POST
def withdraw(request, public_id):
    return _move(
        request,
        public_id,
        services.application_withdraw,
        _("Заявление отозвано. Ведомство больше не рассматривает его."),
    )


@login_required
@require_POST
def receive(request, public_id):
    return _move(
        request,
        public_id,
        services.application_receive,
        _("Отметили, что результат у вас. Услуга оказана — оцените её, пожалуйста."),
    )


@login_required
@require_safe
def file_download(request, public_id):
    """One of the applicant's files, as an attachment: never shown inline, never guessed at."""
    file = selectors.own_file_get(actor=request.user, public_id=public_id)
    try:
        content = file.blob.open("rb")
    except OSError:
        # The row outlived its bytes (a restore from backup without the files): not found.
        raise selectors.file_not_found() from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=file.name,
        content_type=file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
