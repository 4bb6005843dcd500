"""The attachment endpoints under /api/v1/health: the clinics a person may apply to, the
applications. Mounted next to the booking router, with the same tag and authentication."""

from ninja import Path, Query, Router, Status

from gorod.clinics import selectors, services
from gorod.clinics.schemas import (
    AttachableClinicQuery,
    AttachmentApplicationIn,
    AttachmentApplicationOut,
    AttachmentClinicsOut,
)
from gorod.core.ids import MAX_ID
from gorod.core.schemas import with_problems

router = Router(tags=["health"])

PERSON_ID = Path(..., ge=1, le=MAX_ID)


APPLICATION_ID = Path(..., ge=1, le=MAX_ID)


def _application_out(application) -> dict:
    return {
        "id": application.pk,
        "person": {"id": application.person_id, "name": application.person.full_name},
        "clinic": selectors.clinic_summary(application.organisation),
        "reason": application.reason,
        "status": application.status,
        "submitted_at": application.created_at,
        "decided_at": application.decided_at,
        "decline_reason": application.decline_reason or None,
    }


@router.get(
    "/people/{person_id}/attachable-clinics",
    response=with_problems({200: AttachmentClinicsOut}, 401, 404, 422),
    summary="The polyclinics a person may apply to attach to, by name, address and okrug",
)
def attachable_clinics(request, filters: Query[AttachableClinicQuery], person_id: int = PERSON_ID):
    """Working polyclinics of the person's age group (children's under 18), at most 50,
    and the clinic the person is attached to now (null: none)."""
    patient = selectors.patient_for(request.auth, person_id)
    current = selectors.current_attachment(patient.person.pk)
    return {
        "current": selectors.clinic_summary(current.organisation) if current else None,
        "clinics": [
            selectors.clinic_summary(clinic)
            for clinic in selectors.attachable_clinics(
                patient, query=filters.q, district=filters.district
            )
        ],
    }


@router.get(
    "/attachment-applications",
    response=with_problems({200: list[AttachmentApplicationOut]}, 401),
    summary="Applications to attach to a polyclinic, of me and my children",
)
def attachment_applications(request):
    return [
        _application_out(application)
        for application in selectors.applications_of(request.auth)[:50]
    ]


@router.post(
    "/attachment-applications",
    response=with_problems({201: AttachmentApplicationOut}, 400, 401, 403, 404, 409, 422),
    summary="Apply to attach me or my child under 15 to a polyclinic",
)
def attachment_apply(request, payload: AttachmentApplicationIn):
    """The clinic's registry confirms (then the person is attached from that day and may
    book) or declines with a reason; the decision arrives as a notification.

    `reason`: `first` (no attachment yet), `moved` (change of residence: any time),
    `choice` (another clinic by choice: once a year, 323-FZ art. 21).
    409 `application_pending` (one at a time), `already_attached`,
    `attachment_change_too_soon`, `attachment_reason_wrong`, `clinic_not_attachable`
    (not a polyclinic of the person's age group); 403 `not_guardian` (a child of 15 or
    older applies alone); 404 `person_not_found`, `clinic_not_found`.
    """
    application = services.attachment_apply(
        actor=request.auth,
        person_id=payload.person_id,
        organisation_id=payload.organisation_id,
        reason=payload.reason,
    )
    return Status(201, _application_out(application))


@router.post(
    "/attachment-applications/{application_id}/withdraw",
    response=with_problems({200: AttachmentApplicationOut}, 401, 403, 404, 409, 422),
    summary="Withdraw an application the clinic has not decided yet",
)
def attachment_withdraw(request, application_id: int = APPLICATION_ID):
    """409 `application_decided` once the clinic has answered (or it was withdrawn)."""
    application = services.attachment_withdraw(actor=request.auth, application_id=application_id)
    return _application_out(application)
