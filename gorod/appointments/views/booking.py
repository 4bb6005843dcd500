"""Citizen pages of doctor appointments: "Мои записи", booking, rescheduling, cancelling.

Thin views over gorod.health selectors and services; every page works without
JavaScript. Booking is GET steps driven by the query string — whom (person=), which
specialty (specialty=), which day and time (day=, slot=) — then one POST that books, so
each step can be reloaded or bookmarked. Another family's person, appointment or referral
is the 404 page, as the selectors answer "not found" for them.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gorod.appointments import rules
from gorod.appointments.calendar import appointment_ics, ics_filename
from gorod.appointments.forms import BookForm, RescheduleForm
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.services import booking as services
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.forms import Choice, StepsForm
from gorod.clinics.models import PractitionerRole
from gorod.core import clock
from gorod.core.channels import channel_of
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.core.problems import status_of
from gorod.feedback.selectors import rated_service

# The use recorded by the last booking or move, carried over the redirect to offer its rating.
USE_SESSION_KEY = "health:use_id"
# "Мои записи" lists every upcoming appointment and the newest past ones.
PAST_SHOWN = 20


def _url(path: str, **query) -> str:
    """`path` with a query string; None values are left out, an empty one ends it ("day=")."""
    pairs = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in query.items()
        if value is not None
    }
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _changeable(appointment: Appointment, now: datetime) -> bool:
    """Booked and not yet started: it can still be moved or cancelled."""
    return rules.cancel_refusal(status=appointment.status, start=appointment.start, now=now) is None


def _remember_use(request, result: services.BookingResult) -> None:
    if result.use_id is not None:
        request.session[USE_SESSION_KEY] = str(result.use_id)


@login_required
@require_safe
def appointments(request):
    now = timezone.now()
    patients = clinic_selectors.patients_of(request.user)
    upcoming = list(selectors.upcoming_of(request.user, now=now))
    for appointment in upcoming:
        appointment.changeable = _changeable(appointment, now)
    past = list(
        selectors.appointments_of(request.user).exclude(pk__in=[a.pk for a in upcoming])[
            :PAST_SHOWN
        ]
    )
    return render(
        request,
        "appointments/appointments.html",
        {
            "me": patients[0].person if patients else None,
            "upcoming": upcoming,
            "past": past,
            "clinics": [
                (patient, clinic_selectors.current_attachment(patient.person.pk))
                for patient in patients
            ],
        },
    )


@login_required
@require_safe
def appointment_detail(request, appointment_id: int):
    appointment = selectors.appointment_for(request.user, appointment_id)
    appointment.changeable = _changeable(appointment, timezone.now())
    use_id = request.session.pop(USE_SESSION_KEY, None)
    return render(
        request,
        "appointments/appointment.html",
        {
            "appointment": appointment,
            "use_id": use_id,
            "rating_service": rated_service(selectors.SERVICE_SLUG) if use_id else None,
        },
    )


@login_required
@require_safe
def calendar_file(request, appointment_id: int):
    appointment = selectors.appointment_for(request.user, appointment_id)
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, appointment_id: int):
    appointment = selectors.appointment_for(request.user, appointment_id)
    refusal = rules.cancel_refusal(
        status=appointment.status, start=appointment.start, now=timezone.now()
    )
    status = 409 if refusal else 200
    if request.method == "POST" and refusal is None:
        try:
            services.appointment_cancel(
                actor=request.user, appointment_id=appointment.pk, channel=channel_of(request)
            )
        except NotFound:
            raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
        except DomainError as error:
            refusal, status = error, status_of(error)
        else:
            messages.success(
                request, _("Запись отменена. Это время теперь могут занять другие пациенты.")
            )
            return redirect("health:appointments")
    return render(
        request,
        "appointments/cancel.html",
        {"appointment": appointment, "refusal": refusal},
        status=status,
    )


@dataclass(frozen=True)
class DoctorTimes:
    role: PractitionerRole
    slots: list[Slot]


@dataclass(frozen=True)
class Picker:
    # Every day of the booking horizon with whether it has free time.
    days: list[tuple[date, bool]]
    # The day shown; None when the horizon has no free time at all.
    day: date | None
    doctors: list[DoctorTimes]
    nearest: Slot | None
    # The page's address ending in "day=" and in "slot=", for the links the template makes.
    day_url: str
    slot_url: str
    opens_at: str


def _picker(*, organisation_id: int, specialty_id: int, day: date | None, url_of) -> Picker:
    """Three reads: the days with free time, the chosen day's slots, the nearest slot
    (only when the chosen day is not the first free one)."""
    start, end = selectors.bookable_window()
    zone = clock.city_zone()
    days = [start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days)]
    free = selectors.free_slots(organisation_id=organisation_id, specialty_id=specialty_id)
    open_days = {moment.date() for moment in free.datetimes("start", "day", tzinfo=zone)}
    first = min(open_days, default=None)
    if day not in days:
        day = first
    slots = (
        list(
            selectors.free_slots(
                organisation_id=organisation_id, specialty_id=specialty_id, day=day
            )
        )
        if day in open_days
        else []
    )
    if first is None:
        nearest = None
    elif day == first:
        nearest = slots[0]
    else:
        nearest = next(iter(free[:1]), None)
    doctors: dict[int, DoctorTimes] = {}
    for slot in slots:
        doctors.setdefault(slot.role_id, DoctorTimes(slot.role, [])).slots.append(slot)
    return Picker(
        days=[(each, each in open_days) for each in days],
        day=day,
        doctors=sorted(doctors.values(), key=lambda times: times.role.practitioner.full_name),
        nearest=nearest,
        day_url=url_of(day=""),
        slot_url=url_of(day=day, slot=""),
        opens_at=selectors.booking_policy().day_opens_at.strftime("%H:%M"),
    )


@dataclass(frozen=True)
class Alternative:
    """A free slot offered instead of one that was taken."""

    slot_id: int
    start: datetime
    practitioner: str


def _refusal_with_offer(slot: Slot, refusal: DomainError | None):
    """The refusal to show on a confirmation and the free slots offered instead.

    After a POST, the service's answer carries them (`slot_taken`); a confirmation opened
    on a slot already taken says so at once, with the same offer.
    """
    if refusal is None and (slot.status != Slot.Status.FREE or slot.start <= timezone.now()):
        offered = [
            Alternative(other.pk, other.start, other.role.practitioner.initials_name)
            for other in selectors.alternatives_to(slot)
        ]
        return DomainError("slot_taken", _("Это время уже занято. Выберите другое.")), offered
    details = refusal.details if refusal is not None else {}
    return refusal, [
        Alternative(item["slot_id"], datetime.fromisoformat(item["start"]), item["practitioner"])
        for item in details.get("alternatives", [])
    ]


def _slot_in(slot_id: int, *, organisation_id: int, specialty_id: int) -> Slot:
    """The chosen slot, if it is one of this clinic's for this specialty."""
    slot = selectors.slot_get(slot_id)
    if slot.organisation_id != organisation_id or slot.specialty_id != specialty_id:
        raise Http404(_("Такого времени приёма нет."))
    return slot


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def book(request):
    if request.method == "POST":
        return _book_submit(request)
    return _book_step(request, StepsForm.choice_of(request.GET))


def _book_url(**query) -> str:
    return _url(reverse("health:book"), **query)


def _chosen_patient(patients: list[clinic_selectors.Patient], person_id: int | None):
    """The patient chosen, the only one there is, or None to ask; NotFound for a stranger."""
    if person_id is None:
        return patients[0] if len(patients) == 1 else None
    for patient in patients:
        if patient.person.pk == person_id:
            return patient
    raise clinic_selectors.person_not_found()


def _book_step(
    request,
    choice: Choice,
    *,
    form: BookForm | None = None,
    refusal: DomainError | None = None,
    status: int = 200,
):
    """The page of the first step not yet chosen, each later one built on the earlier."""
    patients = clinic_selectors.patients_of(request.user)
    patient = _chosen_patient(patients, choice.person)
    context = {"patients": patients, "patient": patient, "step": 1, "refusal": refusal}
    if patient is None or patient.refusal:
        if patient is not None:
            status = 403
            context["refusal"] = patient.refusal
        return render(request, "appointments/book_person.html", context, status=status)
    person_id = patient.person.pk
    attachment = clinic_selectors.current_attachment(person_id)
    context.update(
        attachment=attachment,
        step=2,
        urls={"person": _book_url() if len(patients) > 1 else None},
    )
    if attachment is None:
        return render(request, "appointments/book_no_clinic.html", context, status=status)
    specialties = selectors.specialties_for(patient, organisation_id=attachment.organisation_id)
    referrals = list(selectors.referrals_of(patient))
    held = {
        appointment.specialty_id: appointment
        for appointment in selectors.upcoming_of(request.user)
        if appointment.person_id == person_id
    }
    context["urls"]["specialty"] = _book_url(person=person_id)
    specialty = None
    if choice.specialty is not None:
        specialty = next((each for each in specialties if each.pk == choice.specialty), None)
        if specialty is None:
            raise Http404(_("Специальность не найдена."))
    if specialty is None:
        for each in specialties:
            each.held = held.get(each.pk)
        context.update(
            specialties=specialties,
            referral_rows=[
                (referral, selectors.referral_in_use(referral.pk)) for referral in referrals
            ],
        )
        return render(request, "appointments/book_specialty.html", context, status=status)
    usable = [referral for referral in referrals if referral.specialty_id == specialty.pk]
    context.update(
        specialty=specialty,
        referrals=usable,
        held=held.get(specialty.pk) if selectors.booking_policy().one_per_specialty else None,
        step=3,
    )
    if specialty.needs_referral and not usable:
        return render(request, "appointments/book_slots.html", context, status=status)
    if choice.slot is None:
        context["picker"] = _picker(
            organisation_id=attachment.organisation_id,
            specialty_id=specialty.pk,
            day=choice.day,
            url_of=lambda **query: _book_url(person=person_id, specialty=specialty.pk, **query),
        )
        return render(request, "appointments/book_slots.html", context, status=status)
    slot = _slot_in(
        choice.slot, organisation_id=attachment.organisation_id, specialty_id=specialty.pk
    )
    _confirm_step(context, person_id, slot, usable=usable, form=form, refusal=refusal)
    return render(request, "appointments/book_confirm.html", context, status=status)


def _confirm_step(
    context: dict,
    person_id: int,
    slot: Slot,
    *,
    usable: list,
    form: BookForm | None,
    refusal: DomainError | None,
) -> None:
    """The last step's context: the chosen time, the refusal with its offer, the form."""
    refusal, alternatives = _refusal_with_offer(slot, refusal)
    context["urls"]["slots"] = _book_url(
        person=person_id,
        specialty=slot.specialty_id,
        day=slot.start.astimezone(clock.city_zone()).date(),
    )
    context.update(
        step=4,
        slot=slot,
        refusal=refusal,
        alternatives=alternatives,
        form=form
        or BookForm(
            initial={
                "person": person_id,
                "slot": slot.pk,
                "referral": usable[0].pk if len(usable) == 1 else None,
            }
        ),
    )


def _book_submit(request):
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите, к кому и на какое время записаться."))
        return redirect("health:book")
    person_id, slot_id = form.cleaned_data["person"], form.cleaned_data["slot"]
    try:
        result = services.appointment_book(
            actor=request.user,
            person_id=person_id,
            slot_id=slot_id,
            referral_id=form.cleaned_data["referral"],
            channel=channel_of(request),
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        show_on_form(form, error)  # which takes the field at fault out of cleaned_data
        slot = selectors.slot_get(slot_id)
        choice = Choice(person=person_id, specialty=slot.specialty_id, slot=slot.pk)
        return _book_step(request, choice, form=form, refusal=error, status=status_of(error))
    _remember_use(request, result)
    if result.created:
        messages.success(request, _("Готово: вы записаны на приём."))
    else:
        messages.info(request, _("Эта запись уже сделана."))
    return redirect("health:appointment", appointment_id=result.appointment.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule(request, appointment_id: int):
    appointment = selectors.appointment_for(request.user, appointment_id)
    if request.method == "GET" or request.method == "HEAD":
        return _reschedule_page(request, appointment, StepsForm.choice_of(request.GET))
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите новое время приёма."))
        return redirect("health:reschedule", appointment_id=appointment.pk)
    slot_id = form.cleaned_data["slot"]
    try:
        result = services.appointment_reschedule(
            actor=request.user,
            appointment_id=appointment.pk,
            slot_id=slot_id,
            channel=channel_of(request),
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        show_on_form(form, error)
        choice = Choice(slot=slot_id)
        return _reschedule_page(
            request, appointment, choice, form=form, refusal=error, status=status_of(error)
        )
    _remember_use(request, result)
    messages.success(request, _("Запись перенесена. Прежнее время освобождено."))
    return redirect("health:appointment", appointment_id=result.appointment.pk)


def _reschedule_page(
    request,
    appointment: Appointment,
    choice: Choice,
    *,
    form: RescheduleForm | None = None,
    refusal: DomainError | None = None,
    status: int = 200,
):
    path = reverse("health:reschedule", args=[appointment.pk])
    context = {"appointment": appointment, "refusal": refusal, "blocked": None}
    blocked = rules.cancel_refusal(
        status=appointment.status, start=appointment.start, now=timezone.now()
    )
    if blocked is not None:
        context["blocked"] = blocked
        return render(request, "appointments/reschedule.html", context, status=409)
    where = {
        "organisation_id": appointment.organisation_id,
        "specialty_id": appointment.specialty_id,
    }
    if choice.slot is None:
        context["picker"] = _picker(
            day=choice.day, url_of=lambda **query: _url(path, **query), **where
        )
        return render(request, "appointments/reschedule.html", context, status=status)
    slot = _slot_in(choice.slot, **where)
    refusal, alternatives = _refusal_with_offer(slot, refusal)
    context.update(
        slot=slot,
        refusal=refusal,
        alternatives=alternatives,
        form=form or RescheduleForm(initial={"slot": slot.pk}),
        slots_url=_url(path, day=slot.start.astimezone(clock.city_zone()).date()),
    )
    return render(request, "appointments/reschedule_confirm.html", context, status=status)
