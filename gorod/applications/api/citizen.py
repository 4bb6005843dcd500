"""The citizen's applications over HTTP, and the public definitions.

Mounted at /api/v1/applications. The definitions and their JSON Schema are public; the rest
needs a signed-in caller (session with CSRF, or a personal token). Another citizen's
application or file is 404, as if it did not exist. Refusals are problem+json with the
services' stable codes; a refused step lists every bad field in `fields`.
"""

import uuid

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from gorod.accounts.auth import authenticated
from gorod.applications import loader, presenters, rules
from gorod.applications.api.schemas import (
    ApplicationAnswerIn,
    ApplicationStartIn,
    ApplicationStepIn,
    CitizenApplicationProblem,
    DefinitionBriefOut,
    DefinitionListQuery,
    DefinitionOut,
    MyApplicationFileOut,
    MyApplicationOut,
    MyApplicationPage,
    MyApplicationsQuery,
)
from gorod.applications.models import Application
from gorod.applications.models import File as ApplicationFile
from gorod.applications.selectors import citizen as selectors
from gorod.applications.selectors.definitions import definition_current_get, definitions_current
from gorod.applications.services import citizen as services
from gorod.core.channels import channel_of
from gorod.core.clock import local_date
from gorod.core.pagination import api_page
from gorod.core.schemas import with_problems
from gorod.feedback.selectors import rating_receipt

router = Router(tags=["applications"])

SLUG = Path(..., max_length=100, pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
STEP = Path(..., ge=1, le=100, description="The step's number, from 1")


def _problems(ok: dict, *statuses: int) -> dict:
    return {**ok, **dict.fromkeys(statuses, CitizenApplicationProblem)}


# ---- definitions (public) ----------------------------------------------------------------


def _definition_brief(definition) -> dict:
    return {
        "service": definition.service.slug,
        "title": definition.service.display_title,
        "kind": definition.kind,
        "version": definition.version,
    }


@router.get(
    "/definitions",
    auth=None,
    response=with_problems({200: list[DefinitionBriefOut]}, 422),
    summary="The current definition of every published service",
)
def definitions(request, filters: Query[DefinitionListQuery]):
    found = definitions_current()
    if filters.kind:
        found = found.filter(kind=filters.kind)
    return [_definition_brief(definition) for definition in found]


@router.get(
    "/definitions/{slug}",
    auth=None,
    response=with_problems({200: DefinitionOut}, 404, 422),
    summary="A service's current definition, whole",
)
def definition(request, slug: str = SLUG):
    found = definition_current_get(slug)
    return {**_definition_brief(found), "document": found.document}


@router.get("/schema", auth=None, response=dict, summary="The JSON Schema of definitions")
def definition_schema(request):
    """What a definition file may say: the published schema, for editors and other cities."""
    return loader.json_schema()


# ---- the citizen's applications ----------------------------------------------------------


def _file_out(file: ApplicationFile) -> dict:
    return {
        "id": file.public_id,
        "purpose": file.purpose,
        "field": file.field_key,
        "name": file.name,
        "content_type": file.content_type,
        "size": file.size,
        "uploaded_at": file.uploaded_at,
        "url": reverse("applications:file", args=[file.public_id]),
    }


def _brief(application: Application, today) -> dict:
    return {
        "id": application.public_id,
        "number": application.number if application.status != rules.DRAFT else "",
        "service": application.service.slug,
        "service_title": application.service.display_title,
        "subject_id": application.subject_id,
        "subject_name": application.subject.full_name,
        "status": application.status,
        "status_label": rules.status_label(application.status),
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "due_on": application.due_on,
        "days_left": presenters.decision_days_left(application, today),
        "next_action": presenters.next_action(application),
    }


def _actions(application: Application) -> list[str]:
    workflow = application.definition.document["workflow"]
    status = application.status
    actions = ["edit", "submit", "delete"] if status == rules.DRAFT else []
    if status == rules.INFO_REQUESTED:
        actions.append("answer")
    if rules.is_withdrawable(workflow, status):
        actions.append("withdraw")
    if status == rules.RESULT_READY and "completed" in rules.moves_from(
        workflow, status, by="applicant"
    ):
        actions.append("receive")
    return actions


def _full(request, application: Application) -> dict:
    today = local_date(timezone.now())
    timeline = selectors.timeline_of(application)
    finished = application.status in rules.FINISHED
    return {
        **_brief(application, today),
        "definition_version": application.definition.version,
        "department": application.department.name or application.department.code,
        "answers": application.answers,
        "step_due_on": application.step_due_on,
        "request_text": next(
            (entry.text for entry in reversed(timeline) if entry.status == rules.INFO_REQUESTED),
            "",
        )
        if application.status == rules.INFO_REQUESTED
        else "",
        "decision_text": application.decision_text,
        "actions": _actions(application),
        "timeline": [
            {"at": entry.at, "status": entry.status, "label": entry.label, "text": entry.text}
            for entry in timeline
        ],
        "files": [_file_out(file) for file in selectors.files_of(application)],
        "rating_token": rating_receipt(
            actor=request.auth,
            service_slug=application.service.slug,
            use_id=application.use_id,
        )
        if finished
        else None,
    }


def _own(request, public_id) -> dict:
    return _full(request, selectors.own_application_get(actor=request.auth, public_id=public_id))


@router.post(
    "",
    auth=authenticated,
    response=_problems({201: MyApplicationOut, 200: MyApplicationOut}, 400, 401, 403, 404, 422),
    summary="Start a draft for yourself or a child you represent",
)
def start(request, payload: ApplicationStartIn):
    """201 with the new draft; the same `start_key` again is 200 with the same draft. A
    service that takes no applications is 404 `service_not_applicable`; a child who is not
    yours 404 `person_not_found`; 403 `not_eligible` with `reasons`; 422
    `not_for_this_person` when the service is for a child only (or for yourself only)."""
    began = timezone.now()
    application = services.application_start(
        actor=request.auth,
        service_slug=payload.service,
        subject_id=payload.subject_id,
        start_key=payload.start_key,
    )
    body = _own(request, application.public_id)
    return Status(200 if application.created_at < began else 201, body)


@router.get(
    "/mine",
    auth=authenticated,
    response=with_problems({200: MyApplicationPage}, 401, 404, 422),
    summary="My applications, newest first, drafts included",
)
def mine(request, filters: Query[MyApplicationsQuery]):
    found = selectors.my_applications(actor=request.auth)
    page = api_page(found, count=found.count(), page=filters.page, page_size=filters.page_size)
    today = local_date(timezone.now())
    page["items"] = [_brief(application, today) for application in page["items"]]
    return page


@router.get(
    "/{uuid:public_id}",
    auth=authenticated,
    response=with_problems({200: MyApplicationOut}, 401, 404, 422),
    summary="One of my applications with its history and files",
)
def one(request, public_id: uuid.UUID):
    return _own(request, public_id)


@router.delete(
    "/{uuid:public_id}",
    auth=authenticated,
    response=_problems({204: None}, 400, 401, 403, 404, 409, 422),
    summary="Throw a draft away, with its files",
)
def draft_delete(request, public_id: uuid.UUID):
    """A sent application stays: 409 `not_a_draft`."""
    services.application_draft_delete(actor=request.auth, public_id=public_id)
    return Status(204, None)


@router.put(
    "/{uuid:public_id}/steps/{step}",
    auth=authenticated,
    response=_problems({200: MyApplicationOut}, 400, 401, 403, 404, 409, 422),
    summary="Save one step of a draft, whole or not at all",
)
def step_save(request, payload: ApplicationStepIn, public_id: uuid.UUID, step: int = STEP):
    """422 `answers_invalid` with `fields` (key → message) saves nothing of the step; the
    steps saved before stay. 409 `not_a_draft` once submitted."""
    data = {key: _strings(value) for key, value in payload.answers.items()}
    services.application_step_save(
        actor=request.auth, public_id=public_id, step=step - 1, data=data
    )
    return _own(request, public_id)


def _strings(value) -> list[str]:
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


@router.post(
    "/{uuid:public_id}/files",
    auth=authenticated,
    response=_problems({201: MyApplicationFileOut}, 400, 401, 403, 404, 409, 413, 415, 422),
    summary="Attach a document to a file field of a draft, or to an answer",
)
def file_add(
    request,
    public_id: uuid.UUID,
    file: File[UploadedFile],
    field: Form[str] = "",
    purpose: Form[str] = "field",
):
    """multipart/form-data: `file`, and the `field` it belongs to (purpose `field`), or
    purpose `answer` while the department asks for more. The type is read from the bytes:
    422 `file_refused` for a renamed .exe, an empty or an over-size file; 422
    `too_many_files`; 404 `field_not_found`."""
    kind = ApplicationFile.Purpose.ANSWER if purpose == "answer" else ApplicationFile.Purpose.FIELD
    added = services.application_file_add(
        actor=request.auth,
        public_id=public_id,
        field_key="answer" if kind == ApplicationFile.Purpose.ANSWER else field[:40],
        upload=file,
        purpose=kind,
    )
    return Status(201, _file_out(added))


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/files/{uuid:file_id}",
    auth=authenticated,
    response=with_problems({200: None}, 401, 404, 422),
    summary="Download one of my files (as an attachment)",
    # The key is the number, as Ninja's own responses are: a "200" string beside it would
    # make the schema's JSON hold the key twice, which Swagger UI's parser refuses.
    openapi_extra={
        "responses": {
            200: {
                "description": "The file's bytes, with its type and name",
                "content": {
                    kind: _BINARY for kind in ("application/pdf", "image/jpeg", "image/png")
                },
            }
        }
    },
)
def file_download(request, file_id: uuid.UUID):
    """The applicant's own files only (another's is 404): the form's, the answers', and the
    result the department issued."""
    file = selectors.own_file_get(actor=request.auth, public_id=file_id)
    try:
        content = file.blob.open("rb")
    except OSError:
        raise selectors.file_not_found() from None
    response = FileResponse(
        content, as_attachment=True, filename=file.name, content_type=file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete(
    "/files/{uuid:file_id}",
    auth=authenticated,
    response=_problems({204: None}, 400, 401, 403, 404, 409, 422),
    summary="Take a file back out of a draft or an unsent answer",
)
def file_remove(request, file_id: uuid.UUID):
    services.application_file_remove(actor=request.auth, public_id=file_id)
    return Status(204, None)


@router.post(
    "/{uuid:public_id}/submit",
    auth=authenticated,
    response=_problems({200: MyApplicationOut}, 400, 401, 403, 404, 409, 422),
    summary="Send a draft to the department (idempotent)",
)
def submit(request, public_id: uuid.UUID):
    """A second submit returns the application unchanged. 422 `answers_missing` with
    `fields`; 403 `not_eligible` with `reasons`."""
    services.application_submit(
        actor=request.auth, public_id=public_id, channel=channel_of(request)
    )
    return _own(request, public_id)


@router.post(
    "/{uuid:public_id}/answer",
    auth=authenticated,
    response=_problems({200: MyApplicationOut}, 400, 401, 403, 404, 409, 422),
    summary="Answer the department's request for information",
)
def answer(request, payload: ApplicationAnswerIn, public_id: uuid.UUID):
    """Attach files first (purpose `answer`); the text sends the answer. 409
    `transition_not_allowed` when nothing is asked; 422 `answer_empty`."""
    services.application_answer(actor=request.auth, public_id=public_id, text=payload.text)
    return _own(request, public_id)


@router.post(
    "/{uuid:public_id}/withdraw",
    auth=authenticated,
    response=_problems({200: MyApplicationOut}, 400, 401, 403, 404, 409, 422),
    summary="Withdraw an application the department has not decided yet",
)
def withdraw(request, public_id: uuid.UUID):
    services.application_withdraw(actor=request.auth, public_id=public_id)
    return _own(request, public_id)


@router.post(
    "/{uuid:public_id}/receive",
    auth=authenticated,
    response=_problems({200: MyApplicationOut}, 400, 401, 403, 404, 409, 422),
    summary="Say the result is received: the service is done",
)
def receive(request, public_id: uuid.UUID):
    services.application_receive(actor=request.auth, public_id=public_id)
    return _own(request, public_id)
