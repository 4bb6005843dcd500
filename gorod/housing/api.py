"""Meter readings over HTTP: the citizen's premises, meters, submissions and corrections.

Mounted at /api/v1/housing for signed-in callers (session or personal token). Another
person's premises, meter or reading is 404, as if it did not exist. A write with the
session cookie and no CSRF token is 403 (a personal token needs none).
"""

from datetime import date
from decimal import Decimal

from axes.helpers import get_client_ip_address
from ninja import Header, Path, Query, Router, Status

from gorod.core.channels import channel_of
from gorod.core.ids import MAX_ID
from gorod.core.pagination import api_page
from gorod.core.schemas import with_problems
from gorod.feedback.selectors import rating_receipt
from gorod.housing import corrections, linking, selectors, services
from gorod.housing.models import CorrectionRequest, LinkRequest, Reading
from gorod.housing.schemas import (
    CorrectionIn,
    CorrectionOut,
    CorrectionPage,
    LinkDecisionIn,
    LinkIn,
    LinkRequestOut,
    LinkRequestsOut,
    MeterDetailOut,
    MyPremisesOut,
    PageQuery,
    PeriodQuery,
    ReadingVersionOut,
    SubmissionIn,
    SubmissionOut,
    SubmissionProblem,
)

router = Router(tags=["housing"])

PREMISES_ID = Path(..., ge=1, le=MAX_ID)
METER_ID = Path(..., ge=1, le=MAX_ID)
READING_ID = Path(..., ge=1, le=MAX_ID)
LINK_REQUEST_ID = Path(..., ge=1, le=MAX_ID)


def _value(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.3f}"


def _period(period: date | None) -> str | None:
    return None if period is None else f"{period:%Y-%m}"


def _reading_brief(reading: Reading | None) -> dict | None:
    if reading is None:
        return None
    return {
        "id": reading.pk,
        "period": _period(reading.period),
        "value": _value(reading.value),
        "submitted_at": reading.submitted_at,
    }


def _meter_fields(meter, verification: str) -> dict:
    return {
        "id": meter.pk,
        "kind": meter.kind,
        "unit": meter.unit,
        "serial": meter.serial,
        "location": meter.location,
        "status": meter.status,
        "next_verification_on": meter.next_verification_on,
        "verification": verification,
        "integer_digits": meter.integer_digits,
        "fraction_digits": meter.fraction_digits,
    }


def _premises_out(view: selectors.PremisesView) -> dict:
    premises = view.premises
    return {
        "id": premises.pk,
        "address": premises.address,
        "apartment": premises.apartment,
        "payer_code": premises.payer_code,
        "residents": premises.residents,
        "role": view.link.role,
        "meters": [
            {
                **_meter_fields(row.meter, row.verification),
                "accepts_readings": row.accepts_readings,
                "previous_value": _value(row.previous_value),
                "last_reading": _reading_brief(row.last),
                "current_reading": _reading_brief(row.current),
            }
            for row in view.meters
        ],
    }


def _reading_out(reading: Reading) -> dict:
    return {
        "id": reading.pk,
        "meter_id": reading.meter_id,
        "period": _period(reading.period),
        "value": _value(reading.value),
        "previous_value": _value(reading.previous_value),
        "consumption": _value(reading.consumption),
        "warnings": list(reading.warnings),
        "status": reading.status,
    }


def _correction_out(request: CorrectionRequest) -> dict:
    reading = request.reading
    return {
        "id": request.pk,
        "reading_id": reading.pk,
        "meter_id": reading.meter_id,
        "period": _period(reading.period),
        "value": _value(reading.value),
        "requested_value": _value(request.requested_value),
        "reason": request.reason,
        "status": request.status,
        "created_at": request.created_at,
        "decided_at": request.decided_at,
        "decision_reason": request.decision_reason,
        "settled_period": _period(request.settled_period),
    }


@router.get(
    "/premises",
    response=with_problems({200: MyPremisesOut}, 401),
    summary="My premises and meters, and the state of the submission window",
)
def my_premises(request):
    state, views = selectors.my_meters(actor=request.auth)
    return {
        "window": {
            "open": state.open,
            "period": _period(state.period),
            "opens_on": state.opens_on,
            "closes_on": state.closes_on,
        },
        "premises": [_premises_out(view) for view in views],
    }


def _link_request_out(request: LinkRequest) -> dict:
    return {
        "id": request.pk,
        "status": request.status,
        "role": request.role,
        "premises": str(request.premises),
        "requested_by": request.person.full_name,
        "created_at": request.created_at,
        "expires_at": request.expires_at,
    }


@router.post(
    "/premises/link",
    response=with_problems({202: LinkRequestOut}, 400, 401, 403, 404, 409, 422, 429),
    summary="Ask to link a premises by the payer code and apartment number from the ЕПД",
)
def link_premises(request, payload: LinkIn):
    """The pair alone links nothing (it is printed on a paper bill): 202 with a pending
    request, which an owner linked to the premises, or else an operator, confirms. A wrong
    pair is 404 `premises_not_found` whether or not the code exists; after ten failures in
    an hour per account (or thirty per address), 429 `too_many_attempts`; already linked,
    409 `premises_already_linked`."""
    link_request = linking.link_request_create(
        actor=request.auth,
        payer_code=payload.payer_code,
        apartment=payload.apartment,
        role=payload.role,
        ip=get_client_ip_address(request),
    )
    return Status(202, _link_request_out(link_request))


@router.get(
    "/link-requests",
    response=with_problems({200: LinkRequestsOut}, 401),
    summary="My pending link requests, and those waiting for my answer as an owner",
)
def my_link_requests(request):
    return {
        "mine": [
            _link_request_out(item) for item in selectors.own_link_requests(actor=request.auth)
        ],
        "to_confirm": [
            _link_request_out(item)
            for item in selectors.link_requests_to_confirm(actor=request.auth)
        ],
    }


@router.post(
    "/link-requests/{request_id}/decision",
    response=with_problems({200: LinkRequestOut}, 400, 401, 403, 404, 409, 422),
    summary="Confirm or decline a request to link a premises I own",
)
def decide_link_request(request, payload: LinkDecisionIn, request_id: int = LINK_REQUEST_ID):
    """Only an owner linked to the premises (or an operator) sees the request: for anyone
    else, the requester included, 404. 409 `link_request_already_decided` or
    `link_request_expired`."""
    decided = linking.link_request_decide(
        actor=request.auth, request_id=request_id, confirm=payload.confirm
    )
    return _link_request_out(decided)


@router.delete(
    "/premises/{premises_id}",
    response=with_problems({204: None}, 401, 403, 404, 422),
    summary="Unlink one of my premises",
)
def unlink_premises(request, premises_id: int = PREMISES_ID):
    linking.premises_unlink(actor=request.auth, premises_id=premises_id)
    return Status(204, None)


@router.post(
    "/premises/{premises_id}/readings",
    response={
        **with_problems({201: SubmissionOut, 200: SubmissionOut}, 400, 401, 403, 404, 409),
        422: SubmissionProblem,
    },
    summary="Submit this period's readings of several meters, all or none",
)
def submit_readings(
    request,
    payload: SubmissionIn,
    premises_id: int = PREMISES_ID,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description=(
            "Required: up to 64 latin letters, digits and - _ . : — a new one for each "
            "submission, the same one when retrying it"
        ),
    ),
):
    """201 with the accepted readings; the same key and body again is 200 with
    `replayed: true` and the same readings, nothing written. The same key with other
    readings is 409 `idempotency_key_reused`; no key is 400 `idempotency_key_required`.

    A refusal is 422 with the code of the first problem and `errors` listing every bad
    meter (`meter_id`, `code`, `message`): `value_not_a_number`, `reading_below_previous`,
    `verification_expired`, `meter_not_found`, … Outside the window it is `window_closed`.
    A reading far above the norm or a third zero in a row is 422
    `consumption_needs_confirmation` with `warnings`; send again with `confirm_warnings`.
    """
    result = services.readings_submit(
        actor=request.auth,
        premises_id=premises_id,
        values=services.readings_by_meter(
            (entry.meter_id, entry.value) for entry in payload.readings
        ),
        idempotency_key=idempotency_key,
        channel=channel_of(request),
        confirm_warnings=payload.confirm_warnings,
    )
    body = {
        "submission_id": result.submission.pk,
        "period": _period(result.readings[0].period),
        "replayed": result.replayed,
        "readings": [_reading_out(reading) for reading in result.readings],
        "rating_token": rating_receipt(
            actor=request.auth, service_slug=selectors.SERVICE_SLUG, use_id=result.use_id
        ),
    }
    return Status(200 if result.replayed else 201, body)


@router.get(
    "/meters/{meter_id}",
    response=with_problems({200: MeterDetailOut}, 401, 404, 422),
    summary="One of my meters with its last 12 periods",
)
def meter_detail(request, meter_id: int = METER_ID):
    meter = selectors.meter_get(actor=request.auth, meter_id=meter_id)
    return {
        **_meter_fields(meter, selectors.meter_verification(meter)),
        "premises_id": meter.premises_id,
        "installed_on": meter.installed_on,
        "commissioned_on": meter.commissioned_on,
        "history": [
            {
                "period": _period(row.period),
                "value": _value(row.reading.value) if row.reading else None,
                "consumption": _value(row.consumption),
            }
            for row in selectors.meter_history(meter=meter)
        ],
    }


@router.get(
    "/meters/{meter_id}/readings",
    response=with_problems({200: list[ReadingVersionOut]}, 401, 404, 422),
    summary="Every version of one period's reading of my meter, newest first",
)
def meter_readings(request, filters: Query[PeriodQuery], meter_id: int = METER_ID):
    meter = selectors.meter_get(actor=request.auth, meter_id=meter_id)
    return [
        {
            **_reading_out(reading),
            "source": reading.source,
            "channel": reading.channel,
            "submitted_at": reading.submitted_at,
            "superseded_at": reading.superseded_at,
            "rejection_reason": reading.rejection_reason,
        }
        for reading in selectors.reading_versions(meter=meter, period=filters.first_day)
    ]


@router.post(
    "/readings/{reading_id}/correction-requests",
    response=with_problems({201: CorrectionOut}, 400, 401, 403, 404, 409, 422),
    summary="Ask the operator to fix a reading of a closed period",
)
def request_correction(request, payload: CorrectionIn, reading_id: int = READING_ID):
    """While the reading's window is open, 422 `correction_window_open`: submit again
    instead. One open request per reading (409 `correction_already_requested`)."""
    correction = corrections.correction_request_create(
        actor=request.auth, reading_id=reading_id, value=payload.value, reason=payload.reason
    )
    return Status(201, _correction_out(correction))


@router.get(
    "/correction-requests",
    response=with_problems({200: CorrectionPage}, 401, 404, 422),
    summary="My correction requests, newest first",
)
def my_corrections(request, filters: Query[PageQuery]):
    requests = selectors.own_correction_requests(actor=request.auth)
    page = api_page(
        requests, count=requests.count(), page=filters.page, page_size=filters.page_size
    )
    page["items"] = [_correction_out(correction) for correction in page["items"]]
    return page
