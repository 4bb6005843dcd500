"""The department's desk over HTTP: the queue, one application, its files and transitions.

Mounted at /api/v1/applications/desk for signed-in callers (session or personal token).
Staff with the department operator's role and a post in a department see its applications;
for anyone else the desk does not exist (404), and another department's application is 404
as if it did not exist. Acting needs the permission to change applications (403). A move the
workflow does not allow now is 409 `transition_not_allowed` (or `application_changed` when
another operator was first). Every read is logged (152-FZ).
"""

from uuid import UUID

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from gorod.applications import rules
from gorod.applications.api.department_schemas import (
    DeskApplicationOut,
    DeskApproveIn,
    DeskAssignIn,
    DeskNoteOut,
    DeskQueueOut,
    DeskQueueQuery,
    DeskReasonIn,
    DeskRefuseIn,
    DeskSuspendIn,
    DeskTextIn,
)
from gorod.applications.models import Application
from gorod.applications.selectors import department as selectors
from gorod.applications.services import department as services
from gorod.core import clock
from gorod.core.errors import NotFound
from gorod.core.pagination import api_page
from gorod.core.schemas import with_problems

router = Router(tags=["applications: department"])

CHANNEL = "api"
PUBLIC_ID = Path(..., description="The application's public id (UUID)")
FILE_ID = Path(..., description="The file's public id (UUID)")
MOVE_PROBLEMS = (400, 401, 403, 404, 409, 422)


def _desk(request) -> None:
    if not selectors.is_desk_staff(request.auth):
        raise NotFound("desk_not_found", _("Очереди ведомства у вас нет."))


def _countdown(countdown: selectors.Countdown) -> dict:
    return {
        "due_on": countdown.due_on,
        "working_days_left": countdown.days_left,
        "overdue": countdown.overdue,
        "paused": countdown.paused,
    }


def _brief(application: Application, today) -> dict:
    return {
        "id": str(application.public_id),
        "number": application.number,
        "service": application.service.title,
        "service_id": application.service_id,
        "department": application.department.code,
        "status": application.status,
        "status_label": rules.status_label(application.status),
        "applicant": application.applicant.full_name,
        "submitted_at": application.submitted_at,
        "assignee": application.assignee.email if application.assignee_id else None,
        "term": _countdown(selectors.countdown(application, today)),
    }


@router.get(
    "/queue",
    response=with_problems({200: DeskQueueOut}, 401, 404, 422),
    summary="My departments' open applications, the most urgent first",
)
def queue(request, query: Query[DeskQueueQuery]):
    """Overdue first, then by the term (working days by the production calendar)."""
    _desk(request)
    filters = selectors.QueueFilters(
        department_id=query.department,
        status=query.status,
        assigned=query.assigned,
        service_id=query.service,
    )
    rows = selectors.desk_queue(actor=request.auth, filters=filters)
    page = api_page(rows, count=rows.count(), page=query.page, page_size=query.page_size)
    items = list(page["items"])
    selectors.queue_read_record(actor=request.auth, applications=items, channel=CHANNEL)
    today = clock.local_date()
    return {**page, "items": [_brief(item, today) for item in items]}


def _application_out(view: selectors.DeskView) -> dict:
    application = view.application
    return {
        **_brief(application, clock.local_date()),
        "term": _countdown(view.countdown),
        "applicant_birth_date": application.applicant.birth_date,
        "subject": application.subject.full_name,
        "subject_birth_date": application.subject.birth_date,
        "registered_at": application.registered_at,
        "decided_at": application.decided_at,
        "decision_text": application.decision_text,
        "definition_version": application.definition.version,
        "outcome_kind": application.definition.document["outcome"]["kind"],
        "answers": [
            {
                "key": answer.key,
                "label": answer.label,
                "type": answer.type,
                "value": answer.value,
                "files": [str(file.public_id) for file in answer.files],
            }
            for answer in view.answers
        ],
        "files": [
            {
                "id": str(file.public_id),
                "purpose": file.purpose,
                "field_key": file.field_key,
                "name": file.name,
                "content_type": file.content_type,
                "size": file.size,
                "uploaded_at": file.uploaded_at,
                "download": reverse("api:desk_file", args=[file.public_id]),
            }
            for file in view.files
        ],
        "history": [
            {
                "at": entry.at,
                "kind": entry.kind,
                "status": entry.status,
                "label": entry.label,
                "text": entry.text,
                "actor": entry.actor,
                "internal": entry.internal,
            }
            for entry in view.history
        ],
        "moves": view.moves,
    }


def _read(request, public_id) -> dict:
    view = selectors.desk_application_read(
        actor=request.auth, public_id=public_id, channel=CHANNEL, today=clock.local_date()
    )
    return _application_out(view)


@router.get(
    "/{uuid:public_id}",
    response=with_problems({200: DeskApplicationOut}, 401, 404),
    summary="One application: answers, files, history (with staff notes), allowed moves",
)
def application_get(request, public_id: UUID = PUBLIC_ID):
    _desk(request)
    return _read(request, public_id)


@router.get(
    "/files/{uuid:file_id}",
    response=with_problems({200: None}, 401, 404),
    url_name="desk_file",
    summary="Download a file of an application (logged)",
)
def file_download(request, file_id: UUID = FILE_ID):
    _desk(request)
    file = selectors.desk_file_get(actor=request.auth, public_id=file_id, channel=CHANNEL)
    response = FileResponse(
        file.blob.open("rb"), as_attachment=True, filename=file.name, content_type=file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _moved(request, public_id) -> dict:
    return _read(request, public_id)


def _post(path: str, summary: str, **kwargs):
    return router.post(
        path,
        response=with_problems({200: DeskApplicationOut}, *MOVE_PROBLEMS),
        summary=summary,
        **kwargs,
    )


@_post("/{uuid:public_id}/register", "Register: the regulation's term starts")
def register(request, public_id: UUID = PUBLIC_ID):
    services.application_register(actor=request.auth, public_id=public_id)
    return _moved(request, public_id)


@_post("/{uuid:public_id}/refuse-to-accept", "Refuse to accept the documents, with the reason")
def refuse_to_accept(request, payload: DeskReasonIn, public_id: UUID = PUBLIC_ID):
    services.application_refuse_to_accept(
        actor=request.auth, public_id=public_id, reason=payload.reason
    )
    return _moved(request, public_id)


@_post("/{uuid:public_id}/review", "Start the review of a registered application")
def review(request, public_id: UUID = PUBLIC_ID):
    services.application_review_start(actor=request.auth, public_id=public_id)
    return _moved(request, public_id)


@_post("/{uuid:public_id}/request-info", "Ask the applicant for information (the term pauses)")
def request_info(request, payload: DeskTextIn, public_id: UUID = PUBLIC_ID):
    services.application_info_request(actor=request.auth, public_id=public_id, text=payload.text)
    return _moved(request, public_id)


@_post("/{uuid:public_id}/suspend", "Suspend, with the ground and until when")
def suspend(request, payload: DeskSuspendIn, public_id: UUID = PUBLIC_ID):
    services.application_suspend(
        actor=request.auth, public_id=public_id, reason=payload.reason, until=payload.until
    )
    return _moved(request, public_id)


@_post("/{uuid:public_id}/resume", "Resume the review of a suspended application")
def resume(request, public_id: UUID = PUBLIC_ID):
    services.application_resume(actor=request.auth, public_id=public_id)
    return _moved(request, public_id)


@_post("/{uuid:public_id}/approve", "The result is ready (a decision, a PDF, or to collect)")
def approve(request, payload: DeskApproveIn, public_id: UUID = PUBLIC_ID):
    services.application_approve(
        actor=request.auth, public_id=public_id, text=payload.text, office_id=payload.office_id
    )
    return _moved(request, public_id)


@_post("/{uuid:public_id}/refuse", "Refuse the service, with the reason and how to appeal")
def refuse(request, payload: DeskRefuseIn, public_id: UUID = PUBLIC_ID):
    services.application_refuse(
        actor=request.auth, public_id=public_id, reason=payload.reason, appeal=payload.appeal
    )
    return _moved(request, public_id)


@_post("/{uuid:public_id}/hand-over", "The result was handed over in person: completed")
def hand_over(request, public_id: UUID = PUBLIC_ID):
    services.application_hand_over(actor=request.auth, public_id=public_id)
    return _moved(request, public_id)


@_post("/{uuid:public_id}/take", "Take an application no one works on")
def take(request, public_id: UUID = PUBLIC_ID):
    services.application_take(actor=request.auth, public_id=public_id)
    return _moved(request, public_id)


@_post("/{uuid:public_id}/assign", "The head assigns an application to a colleague (or no one)")
def assign(request, payload: DeskAssignIn, public_id: UUID = PUBLIC_ID):
    services.application_assign(
        actor=request.auth, public_id=public_id, assignee_id=payload.assignee_id
    )
    return _moved(request, public_id)


@router.post(
    "/{uuid:public_id}/notes",
    response=with_problems({201: DeskNoteOut}, *MOVE_PROBLEMS),
    summary="A staff note, never shown to the applicant",
)
def note_add(request, payload: DeskTextIn, public_id: UUID = PUBLIC_ID):
    event = services.application_note_add(
        actor=request.auth, public_id=public_id, text=payload.text
    )
    return Status(201, {"at": event.at, "text": event.text})
