"""Doctor appointments over HTTP: whom for, specialties, free slots, booking, my appointments.

Mounted at /api/v1/health for signed-in callers (session or personal token). Another
person's id — a person who is not me, my child or my principal, their appointment or
referral — is 404, as if it did not exist. A write with the session cookie and no CSRF
token is 403 (a personal token needs none).

The slot list is the hot path of the 08:00 rush: one attachment read and one index range
scan of slots into plain rows, nothing else.
"""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from gorod.appointments import rules
from gorod.appointments.calendar import appointment_ics, ics_filename
from gorod.appointments.models import HOLDS_SLOT, Appointment
from gorod.appointments.schemas import (
    AppointmentListQuery,
    AppointmentOut,
    AppointmentPage,
    BookablePersonOut,
    BookedOut,
    BookingIn,
    BookingProblem,
    ReferralOut,
    RescheduleIn,
    SlotDaysOut,
    SlotQuery,
    SlotsOut,
    SpecialtiesOut,
    SpecialtyQuery,
)
from gorod.appointments.selectors import board
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.services import booking as services
from gorod.clinics import rules as clinic_rules
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import Attachment, Specialty
from gorod.core import clock
from gorod.core.channels import channel_of
from gorod.core.errors import Conflict, Forbidden, NotFound
from gorod.core.ids import MAX_ID, valid_id
from gorod.core.pagination import api_page
from gorod.core.schemas import with_problems
from gorod.feedback.selectors import rating_receipt

router = Router(tags=["health"])

PERSON_ID = Path(..., ge=1, le=MAX_ID)
APPOINTMENT_ID = Path(..., ge=1, le=MAX_ID)
ORGANISATION_ID = Path(..., ge=1, le=MAX_ID)


ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _specialty_brief(specialty) -> dict:
    return {"id": specialty.pk, "code": specialty.code, "name": specialty.name}


def _relation(representation: clinic_rules.Representation) -> str:
    if representation.is_self:
        return "self"
    return "child" if representation.is_guardian else "principal"


def _person_out(patient: clinic_selectors.Patient) -> dict:
    refusal = patient.refusal
    return {
        "id": patient.person.pk,
        "name": patient.person.full_name,
        "birth_date": patient.person.birth_date,
        "age": patient.age_today,
        "relation": _relation(patient.representation),
        "can_book": refusal is None,
        "refusal": None
        if refusal is None
        else {"code": refusal.code, "message": str(refusal.message)},
    }


def _appointment_out(appointment: Appointment, *, now: datetime) -> dict:
    role = appointment.slot.role
    practitioner = role.practitioner
    return {
        "id": appointment.pk,
        "status": appointment.status,
        "person": {"id": appointment.person_id, "name": appointment.person.full_name},
        "start": appointment.start,
        "end": appointment.end,
        "specialty": _specialty_brief(appointment.specialty),
        "practitioner": {
            "id": practitioner.pk,
            "name": practitioner.full_name,
            "short_name": practitioner.initials_name,
        },
        "clinic": clinic_selectors.clinic_summary(appointment.organisation),
        "location": {
            "id": role.location_id,
            "name": role.location.name,
            "address": role.location.address,
            "room": role.room,
        },
        "slot_id": appointment.slot_id,
        "referral_id": appointment.referral_id,
        "channel": appointment.channel,
        "booked_at": appointment.created_at,
        "can_cancel": rules.cancel_refusal(
            status=appointment.status, start=appointment.start, now=now
        )
        is None,
        "cancelled_at": appointment.cancelled_at,
        "cancellation_reason": appointment.cancellation_reason or None,
        "rescheduled_from_id": appointment.rescheduled_from_id,
        "ics_url": reverse("api:health_appointment_ics", args=[appointment.pk]),
    }


def _booked_out(request, result: services.BookingResult) -> dict:
    return {
        **_appointment_out(result.appointment, now=timezone.now()),
        "created": result.created,
        "rating_token": rating_receipt(
            actor=request.auth, service_slug=selectors.SERVICE_SLUG, use_id=result.use_id
        ),
    }


@router.get(
    "/people",
    response=with_problems({200: list[BookablePersonOut]}, 401),
    summary="Whom I can book for: me, my children, the adults who delegated it to me",
)
def people(request):
    """A child of 15 or older is listed with `can_book: false` and the refusal
    `not_guardian`: from that age the teenager books alone or delegates it."""
    return [_person_out(patient) for patient in clinic_selectors.patients_of(request.auth)]


@router.get(
    "/people/{person_id}/specialties",
    response=with_problems({200: SpecialtiesOut}, 401, 404, 422),
    summary="The specialties a person can see at their clinic, and which need a referral",
)
def specialties(request, person_id: int = PERSON_ID):
    patient = clinic_selectors.patient_for(request.auth, person_id)
    attachment = clinic_selectors.current_attachment(patient.person.pk)
    return {
        "clinic": clinic_selectors.clinic_summary(attachment.organisation) if attachment else None,
        "specialties": [
            {
                "id": specialty.pk,
                "code": specialty.code,
                "name": specialty.name,
                "slot_minutes": specialty.slot_minutes,
                "needs_referral": specialty.needs_referral,
            }
            for specialty in (
                selectors.specialties_for(patient, organisation_id=attachment.organisation_id)
                if attachment
                else []
            )
        ],
    }


def _attached_clinic(request, person_id: int) -> tuple[clinic_selectors.Patient, Attachment]:
    patient = clinic_selectors.patient_for(request.auth, person_id)
    attachment = clinic_selectors.current_attachment(patient.person.pk)
    if attachment is None:
        raise Forbidden(
            "not_attached",
            _("Пациент не прикреплён к поликлинике. Подайте заявление о прикреплении на портале."),
            field="person",
        )
    return patient, attachment


def _check_audience(patient: clinic_selectors.Patient, *, patients: str, sex: str) -> None:
    """A specialty that does not see this patient (age, sex) is refused, not shown empty."""
    if refusal := rules.audience_refusal(
        patients, patient.age_today, specialty_sex=sex, sex=patient.person.sex
    ):
        raise Conflict(refusal.code, refusal.message, field="specialty")


def _specialty_id(key: str) -> int:
    """The specialty a query names by its code or by its numeric id; unknown is 404."""
    if key.isdigit():
        specialty_id = int(key) if valid_id(int(key)) else None
    else:
        specialty_id = Specialty.objects.filter(code=key).values_list("pk", flat=True).first()
    if specialty_id is None:
        raise NotFound("specialty_not_found", _("Специальность не найдена."), field="specialty")
    return specialty_id


def _board(filters: SlotQuery, *, organisation_id: int) -> board.Board:
    found = board.board_of(
        board.BoardQuery(
            organisation_id=organisation_id,
            specialty_id=_specialty_id(filters.specialty),
            day=filters.date,
            first_available=filters.first_available,
            limit=filters.limit,
        )
    )
    if found is None:
        raise NotFound("specialty_not_found", _("Специальность не найдена."), field="specialty")
    return found


@router.get(
    "/people/{person_id}/slots",
    response=with_problems({200: SlotsOut}, 401, 403, 404, 409, 422),
    summary="Free slots of a specialty at the person's clinic, soonest first",
)
def slots(request, filters: Query[SlotQuery], person_id: int = PERSON_ID):
    """With `date`, that day's free slots; with `first_available=true` (or without a
    date), the nearest ones from `date` (or now) on, across days. Up to `limit`.

    Only slots the portal may give are listed. Not attached to a clinic: 403
    `not_attached`; a specialty that does not see this patient (a paediatrician for an
    adult): 409 `specialty_not_for_patient`; an unknown specialty: 404. The list is the
    clinic's board (/clinics/{id}/slots), which may be a second or two old.
    """
    patient, attachment = _attached_clinic(request, person_id)
    found = _board(filters, organisation_id=attachment.organisation_id)
    _check_audience(patient, patients=found.specialty_patients, sex=found.specialty_sex)
    return HttpResponse(found.body, content_type="application/json")


@router.get(
    "/clinics/{organisation_id}/slots",
    auth=None,
    response=with_problems({200: SlotsOut}, 404, 422),
    summary="A clinic's free slots of a specialty (public, cached for a moment)",
)
def clinic_slots(request, filters: Query[SlotQuery], organisation_id: int = ORGANISATION_ID):
    """The clinic's board, as the slot list of the 08:00 rush reads it: not personal (the
    FHIR Slot search shows the same), so it needs no sign-in and is shared by every
    patient of the clinic. A change shows at once with Redis, within GOROD_HEALTH_BOARD_SECONDS
    without; booking decides, never this list.
    An unknown clinic or specialty: 404."""
    found = _board(filters, organisation_id=organisation_id)
    return HttpResponse(found.body, content_type="application/json")


@router.get(
    "/people/{person_id}/slot-days",
    response=with_problems({200: SlotDaysOut}, 401, 403, 404, 409, 422),
    summary="The days with free slots of a specialty at the person's clinic, with counts",
)
def slot_days(request, filters: Query[SpecialtyQuery], person_id: int = PERSON_ID):
    """The day-by-day view's calendar: pick a day here, then list it with /slots?date=."""
    patient, attachment = _attached_clinic(request, person_id)
    specialty = selectors.specialty_get(_specialty_id(filters.specialty))
    _check_audience(patient, patients=specialty.patients, sex=specialty.patient_sex)
    now, window_end = selectors.bookable_window()
    days = (
        selectors.free_slots(
            organisation_id=attachment.organisation_id, specialty_id=specialty.pk, now=now
        )
        .annotate(day=TruncDate("start", tzinfo=clock.city_zone()))
        .order_by("day")
        .values("day")
        .annotate(free=Count("id"))
    )
    return {
        "clinic": clinic_selectors.clinic_summary(attachment.organisation),
        "open_until": selectors.open_until(window_end),
        "days": [{"date": row["day"], "free": row["free"]} for row in days],
    }


@router.get(
    "/people/{person_id}/referrals",
    response=with_problems({200: list[ReferralOut]}, 401, 404, 422),
    summary="A person's referrals that are still valid, soonest to expire first",
)
def referrals(request, person_id: int = PERSON_ID):
    patient = clinic_selectors.patient_for(request.auth, person_id)
    held = Appointment.objects.filter(referral=OuterRef("pk"), status__in=HOLDS_SLOT)
    return [
        {
            "id": referral.pk,
            "number": referral.number,
            "specialty": _specialty_brief(referral.specialty),
            "issued_on": referral.issued_on,
            "valid_until": referral.valid_until,
            "diagnosis": referral.diagnosis,
            "note": referral.note,
            "in_use": referral.in_use,
        }
        for referral in selectors.referrals_of(patient).annotate(in_use=Exists(held))
    ]


@router.post(
    "/appointments",
    response={
        **with_problems({201: BookedOut, 200: BookedOut}, 400, 401, 403, 404, 422),
        409: BookingProblem,
    },
    summary="Book a slot for me, my child under 15 or my principal",
)
def book(request, payload: BookingIn):
    """201 with the appointment and a `rating_token`. The same slot for the same person
    again is 200 with `created: false` and the first appointment, so a client that lost
    the answer may retry.

    Refusals (problem+json, stable `code`): 409 `slot_taken` with `alternatives`, the
    nearest free slots; 409 `referral_required`, `referral_wrong_specialty`,
    `referral_expired`, `referral_used`, `specialty_already_booked`,
    `overlapping_appointment`, `outside_horizon`, `slot_in_past`, `too_late_to_book`,
    `slot_registry_only`, `specialty_not_for_patient`, `booking_blocked`; 403
    `not_attached` (another clinic's slot, or no clinic), `not_guardian` (a child of 15 or
    older); 404 `person_not_found`, `slot_not_found`, `referral_not_found`.
    """
    result = services.appointment_book(
        actor=request.auth,
        person_id=payload.person_id,
        slot_id=payload.slot_id,
        referral_id=payload.referral_id,
        channel=channel_of(request),
    )
    return Status(201 if result.created else 200, _booked_out(request, result))


@router.get(
    "/appointments",
    response=with_problems({200: AppointmentPage}, 401, 404, 422),
    summary="Appointments of me, my children and my principals",
)
def appointments(request, filters: Query[AppointmentListQuery]):
    now = timezone.now()
    if filters.when == "upcoming":
        found = selectors.upcoming_of(request.auth, now=now)
    else:
        found = selectors.appointments_of(request.auth)
        if filters.when == "past":
            found = found.exclude(status=Appointment.Status.BOOKED, end__gt=now)
    if filters.person_id is not None:
        clinic_selectors.patient_for(request.auth, filters.person_id)
        found = found.filter(person_id=filters.person_id)
    page = api_page(found, count=found.count(), page=filters.page, page_size=filters.page_size)
    page["items"] = [_appointment_out(appointment, now=now) for appointment in page["items"]]
    return page


@router.get(
    "/appointments/{appointment_id}",
    response=with_problems({200: AppointmentOut}, 401, 404, 422),
    summary="One appointment of mine, my child's or my principal's",
)
def appointment_detail(request, appointment_id: int = APPOINTMENT_ID):
    appointment = selectors.appointment_for(request.auth, appointment_id)
    return _appointment_out(appointment, now=timezone.now())


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={**with_problems({201: BookedOut}, 400, 401, 403, 404, 422), 409: BookingProblem},
    summary="Move an appointment to another slot of the same specialty",
)
def reschedule(request, payload: RescheduleIn, appointment_id: int = APPOINTMENT_ID):
    """201 with the new appointment (`rescheduled_from_id` names the old one, now
    cancelled with the reason `rescheduled`). All or nothing: a refusal leaves the old
    appointment as it was.

    409 `slot_taken` (with `alternatives`), `reschedule_other_specialty`,
    `not_cancellable` (not booked any more), `appointment_started`, and the booking
    refusals; 404 `appointment_not_found`, `slot_not_found`.
    """
    result = services.appointment_reschedule(
        actor=request.auth,
        appointment_id=appointment_id,
        slot_id=payload.slot_id,
        channel=channel_of(request),
    )
    return Status(201, _booked_out(request, result))


@router.post(
    "/appointments/{appointment_id}/cancel",
    response=with_problems({200: AppointmentOut}, 401, 403, 404, 409, 422),
    summary="Cancel an appointment before it starts",
)
def cancel(request, appointment_id: int = APPOINTMENT_ID):
    """409 `not_cancellable` when it is not booked (already cancelled, visited, missed),
    `appointment_started` once its time has come; the slot goes back on offer."""
    services.appointment_cancel(
        actor=request.auth, appointment_id=appointment_id, channel=channel_of(request)
    )
    appointment = selectors.appointment_for(request.auth, appointment_id)
    return _appointment_out(appointment, now=timezone.now())


@router.get(
    "/appointments/{appointment_id}/ics",
    response=with_problems({200: None}, 401, 404, 422),
    url_name="health_appointment_ics",
    summary="The appointment as an iCalendar (.ics) file",
    openapi_extra={
        "responses": {
            200: {
                "description": "text/calendar, RFC 5545, times in Europe/Moscow",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def appointment_calendar(request, appointment_id: int = APPOINTMENT_ID):
    """A cancelled appointment's file has STATUS:CANCELLED under the same UID: importing
    it removes the event from the calendar that holds it."""
    appointment = selectors.appointment_for(request.auth, appointment_id)
    response = HttpResponse(appointment_ics(appointment), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response
