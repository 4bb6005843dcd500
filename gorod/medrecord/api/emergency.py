"""A doctor's emergency opening of a record over HTTP (`POST …/record/emergency-access`).

The API's door to what the staff page does (`services.emergency.emergency_open`): the
patient's OMS policy and birth date and a written reason, throttled per account together
with the page, audited, raised to the clinic's supervisors. The answer is a grant; the
record's API and FHIR then read that patient's record when a request sends its id in the
`X-Emergency-Access` header, for that doctor only, until it expires.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gorod.accounts.auth import authenticated
from gorod.core.clock import city_zone
from gorod.core.schemas import NO_NUL, with_problems
from gorod.medrecord.emergency import HEADER
from gorod.medrecord.services.emergency import emergency_open

router = Router(tags=["medical record"], auth=authenticated)


class EmergencyAccessIn(Schema):
    oms_policy: str = Field(
        ...,
        max_length=32,
        pattern=NO_NUL,
        description="The patient's OMS policy: 16 digits (spaces allowed)",
    )
    birth_date: date
    reason: str = Field(
        ...,
        max_length=500,
        pattern=NO_NUL,
        description="Why the record is needed now, at least 10 characters; the patient and "
        "the clinic's supervisors read it",
    )


class EmergencyAccessOut(Schema):
    id: int = Field(..., description=f"Send it as the {HEADER} header with each look")
    patient_id: int
    expires_at: datetime
    header: str = Field(..., description="The header that presents the grant")


@router.post(
    "/emergency-access",
    response=with_problems({201: EmergencyAccessOut}, 400, 401, 403, 404, 422, 429),
    summary="Open a patient's record in an emergency (doctors; policy, birth date, reason)",
    url_name="record_emergency_access",
)
def emergency_access_open(request: HttpRequest, payload: EmergencyAccessIn):
    """For a doctor without an appointment with the patient. A miss (no such policy and
    birth date) is 404 and counts against 10 an hour per account, shared with the staff
    page; every opening is audited and goes to the clinic's supervisors for review."""
    grant = emergency_open(
        actor=request.auth,
        oms_policy=payload.oms_policy,
        birth_date=payload.birth_date,
        reason=payload.reason,
        channel="api",
    )
    return Status(
        201,
        {
            "id": grant.pk,
            "patient_id": grant.patient_id,
            "expires_at": grant.expires_at.astimezone(city_zone()),
            "header": HEADER,
        },
    )
