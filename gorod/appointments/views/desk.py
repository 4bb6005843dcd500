"""The registry's back office and the doctor's day: thin pages over services and selectors.

Who may: a registrar (the "registrar" role and a posting to the clinic) works at the desk
of the clinics they are posted to; for anyone else those desks do not exist (404), and an
appointment, schedule or clinic of another desk is not found either. A doctor (the login
of a Practitioner) reads their own day. Every action is a service call, and the service's
refusal is shown as it is worded.
"""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.appointments import rules
from gorod.appointments.forms import (
    MARKS,
    AbsenceForm,
    DateForm,
    DayForm,
    MarkForm,
    PatientSearchForm,
    RegistryBookForm,
    ScheduleForm,
    SlotSearchForm,
    role_label,
)
from gorod.appointments.models import Appointment
from gorod.appointments.selectors import booking as booking_selectors
from gorod.appointments.selectors import desk as selectors
from gorod.appointments.services import booking, scheduling
from gorod.clinics import rules as clinic_rules
from gorod.clinics import selectors as attachment_selectors
from gorod.clinics import services as attachment
from gorod.clinics.forms import AttachmentDecisionForm
from gorod.clinics.models import Organisation
from gorod.core import clock
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.core.problems import status_of

# The nearest free slots offered when no day is chosen.
NEAREST_SLOTS = 20
MARK_LABELS = {
    Appointment.Status.ARRIVED: gettext_lazy("Пришёл"),
    Appointment.Status.FULFILLED: gettext_lazy("Приём состоялся"),
    Appointment.Status.NOSHOW: gettext_lazy("Неявка"),
}


def _clinic(request, organisation_id: int) -> Organisation:
    return selectors.clinic_for(request.user, organisation_id)


def _today() -> date:
    return clock.local_now().date()


def _back(request, default: str):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(clock.city_zone())


def _submit(form, write):
    """A valid form's data through its service: (result, 200), or (None, status) with the
    refusal next to its field. What lies outside the desk's reach is a 404."""
    if not form.is_valid():
        return None, 400
    try:
        return write(dict(form.cleaned_data)), 200
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        show_on_form(form, error)
        return None, status_of(error)


def marks_for(appointment: Appointment, *, now: datetime) -> list[tuple[str, str]]:
    """The marks the desk may put on an appointment now, as (status, button label).

    Arrival and the visit are marked on the day or later, a no-show once the time began;
    the transitions themselves are the rules'.
    """
    started = appointment.start <= now
    on_the_day = _local(appointment.start).date() <= _local(now).date()
    allowed = []
    for status in MARKS:
        if rules.transition_refusal(appointment.status, status) is not None:
            continue
        if status == Appointment.Status.NOSHOW and not started:
            continue
        if status != Appointment.Status.NOSHOW and not on_the_day:
            continue
        allowed.append((status, MARK_LABELS[status]))
    return allowed


@login_required
@require_safe
def day(request, organisation_id: int):
    clinic = _clinic(request, organisation_id)
    form = DayForm(
        request.GET or None,
        roles=selectors.clinic_roles(clinic.pk, active_only=False),
        initial={"day": _today()},
    )
    if form.is_bound and not form.is_valid():
        return render(
            request, "appointments/staff/day.html", {"clinic": clinic, "form": form}, status=400
        )
    data = form.cleaned_data if form.is_bound else {}
    now = clock.local_now()
    chosen = data.get("day") or now.date()
    role = data.get("role")
    doctors = selectors.clinic_day(
        clinic.pk, day=chosen, role_id=role.pk if role else None, now=now
    )
    rows = [
        (
            doctor,
            [(appointment, marks_for(appointment, now=now)) for appointment in doctor.appointments],
        )
        for doctor in doctors
    ]
    return render(
        request,
        "appointments/staff/day.html",
        {
            "clinic": clinic,
            "form": form,
            "day": chosen,
            "is_today": chosen == now.date(),
            "rows": rows,
            "return_to": request.get_full_path(),
        },
    )


def _mark_conflict(request, appointment: Appointment, status: str) -> None:
    """A second click, or a colleague was faster: say what the appointment is now."""
    current = selectors.registry_appointment(request.user, appointment.pk)
    if current.status == status:
        messages.info(
            request,
            _("Уже отмечено: %(patient)s — «%(status)s».")
            % {"patient": current.person.full_name, "status": current.get_status_display()},
        )
    else:
        messages.error(
            request,
            _("Статус записи уже изменился: %(patient)s — сейчас «%(status)s».")
            % {"patient": current.person.full_name, "status": current.get_status_display()},
        )


@login_required
@require_POST
def appointment_mark(request, appointment_id: int):
    appointment = selectors.registry_appointment(request.user, appointment_id)
    default = reverse("health_staff:day", args=[appointment.organisation_id])
    default += f"?day={_local(appointment.start).date():%Y-%m-%d}"
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите отметку: пришёл, приём состоялся или неявка."))
        return _back(request, default)
    status = form.cleaned_data["status"]
    try:
        marked = booking.appointment_mark(
            actor=request.user, appointment_id=appointment.pk, status=status
        )
    except DomainError as error:
        if error.code in {"status_change_not_allowed", "status_changed"}:
            _mark_conflict(request, appointment, status)
        else:
            messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(patient)s, %(time)s: «%(status)s».")
            % {
                "patient": marked.person.full_name,
                "time": f"{_local(marked.start):%H:%M}",
                "status": marked.get_status_display(),
            },
        )
    return _back(request, default)


def _patient_key(clinic: Organisation) -> str:
    # The patient found at this desk stays in the registrar's session: the policy number
    # never travels in a URL (and so never in an access log).
    return f"health_staff_patient_{clinic.pk}"


def _desk_person(request, clinic: Organisation):
    person_id = request.session.get(_patient_key(clinic))
    if person_id is None:
        return None
    return selectors.person_get(person_id)


def _book_page(request, clinic: Organisation, *, search=None, source=None, book_form=None):
    """The booking page: the patient, the slot search, the free slots, the booking form."""
    now = clock.local_now()
    person = _desk_person(request, clinic)
    context = {"clinic": clinic, "search": search or PatientSearchForm()}
    if person is None:
        return context
    patient = selectors.desk_patient(person, organisation_id=clinic.pk, now=now)
    source = source if source is not None else request.GET
    slot_search = SlotSearchForm(
        source if "specialty" in source else None,
        specialties=selectors.clinic_specialties(clinic.pk),
    )
    slots = []
    if slot_search.is_bound and slot_search.is_valid():
        chosen_day = slot_search.cleaned_data["day"]
        slots = list(
            booking_selectors.free_slots(
                organisation_id=clinic.pk,
                specialty_id=slot_search.cleaned_data["specialty"].pk,
                day=chosen_day,
                limit=None if chosen_day else NEAREST_SLOTS,
                online_only=False,
                now=now,
            )
        )
    if book_form is None:
        book_form = RegistryBookForm(slots=slots, referrals=patient.referrals)
    context.update(
        patient=patient,
        age=clinic_rules.age_on(person.birth_date, now.date()),
        slot_search=slot_search,
        slots=slots,
        book_form=book_form,
    )
    return context


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def book(request, organisation_id: int):
    """GET shows the desk; POST finds a patient ("find"), books ("book") or lets go ("forget")."""
    clinic = _clinic(request, organisation_id)
    here = reverse("health_staff:book", args=[clinic.pk])
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "forget":
        request.session.pop(_patient_key(clinic), None)
        return redirect(here)
    if action == "book":
        return _book_slot(request, clinic, here)
    if request.method == "POST":
        return _find_patient(request, clinic, here)
    return render(request, "appointments/staff/book.html", _book_page(request, clinic))


def _find_patient(request, clinic: Organisation, here: str):
    search = PatientSearchForm(request.POST)
    if not search.is_valid():
        return render(
            request,
            "appointments/staff/book.html",
            _book_page(request, clinic, search=search),
            status=400,
        )
    person = booking.patient_look_up(
        actor=request.user, organisation_id=clinic.pk, **search.cleaned_data
    )
    if person is None:
        search.add_error(
            None,
            _("Пациента с таким полисом и датой рождения нет. Проверьте номер полиса и дату."),
        )
        return render(
            request, "appointments/staff/book.html", _book_page(request, clinic, search=search)
        )
    request.session[_patient_key(clinic)] = person.pk
    return redirect(here)


def _book_slot(request, clinic: Organisation, here: str):
    if _desk_person(request, clinic) is None:
        messages.error(request, _("Сначала найдите пациента по полису ОМС."))
        return redirect(here)
    context = _book_page(request, clinic, source=request.POST)
    patient = context["patient"]
    form = RegistryBookForm(request.POST, slots=context["slots"], referrals=patient.referrals)
    appointment, status = _submit(
        form,
        lambda data: booking.appointment_book_by_registry(
            actor=request.user,
            person_id=patient.person.pk,
            slot_id=data["slot"],
            referral_id=data["referral"],
        ),
    )
    if appointment is not None:
        role = appointment.slot.role
        messages.success(
            request,
            _("%(patient)s: %(specialty)s, %(when)s, %(doctor)s, кабинет %(room)s.")
            % {
                "patient": patient.person.full_name,
                "specialty": appointment.specialty.name,
                "when": date_format(_local(appointment.start), "j E, H:i"),
                "doctor": role.practitioner.initials_name,
                "room": role.room or "—",
            },
        )
        return redirect(here)
    # Refused: the page again, the free slots as they are now (a taken one is gone).
    context = _book_page(request, clinic, source=request.POST, book_form=form)
    return render(request, "appointments/staff/book.html", context, status=status)


@login_required
@require_safe
def doctor_day(request):
    practitioner = selectors.practitioner_of(request.user)
    if practitioner is None:
        raise Http404
    form = DateForm(request.GET or None, initial={"day": _today()})
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "appointments/staff/doctor_day.html",
            {"form": form, "practitioner": practitioner},
            status=400,
        )
    chosen = (form.cleaned_data.get("day") if form.is_bound else None) or _today()
    appointments = selectors.doctor_day(practitioner, day=chosen)
    return render(
        request,
        "appointments/staff/doctor_day.html",
        {
            "form": form,
            "practitioner": practitioner,
            "day": chosen,
            "rows": [
                (appointment, clinic_rules.age_on(appointment.person.birth_date, chosen))
                for appointment in appointments
            ],
        },
    )


WEEKDAY_SHORT = {
    1: gettext_lazy("пн"),
    2: gettext_lazy("вт"),
    3: gettext_lazy("ср"),
    4: gettext_lazy("чт"),
    5: gettext_lazy("пт"),
    6: gettext_lazy("сб"),
    7: gettext_lazy("вс"),
}


def _schedules_page(request, clinic: Organisation, *, absence_form=None, status: int = 200):
    now = clock.local_now()
    rows = [
        (schedule, ", ".join(str(WEEKDAY_SHORT[day]) for day in sorted(schedule.weekday_numbers)))
        for schedule in selectors.clinic_schedules(clinic.pk, today=now.date())
    ]
    return render(
        request,
        "appointments/staff/schedules.html",
        {
            "clinic": clinic,
            "rows": rows,
            "absences": selectors.clinic_absences(clinic.pk, now=now),
            "absence_form": absence_form or AbsenceForm(roles=selectors.clinic_roles(clinic.pk)),
        },
        status=status,
    )


@login_required
@require_safe
def schedules(request, organisation_id: int):
    return _schedules_page(request, _clinic(request, organisation_id))


def _closing_note(closed: int, cancelled: list[int]) -> str:
    """What a schedule change or an absence did to the slots already given out."""
    if not closed and not cancelled:
        return ""
    return " " + _(
        "Закрыто свободных талонов: %(closed)d. Отменено записей: %(cancelled)d — "
        "пациентам отправлены сообщения с ближайшим свободным временем."
    ) % {"closed": closed, "cancelled": len(cancelled)}


def _schedule_initial(schedule) -> dict:
    if schedule is None:
        return {"valid_from": _today(), "online_percent": 100}
    return {
        "role": schedule.role_id,
        "valid_from": schedule.valid_from,
        "valid_until": schedule.valid_until,
        "weekdays": sorted(str(day) for day in schedule.weekday_numbers),
        "day_start": schedule.day_start,
        "day_end": schedule.day_end,
        "break_start": schedule.break_start,
        "break_end": schedule.break_end,
        "slot_minutes": schedule.slot_minutes,
        "online_percent": schedule.online_percent,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schedule_edit(request, organisation_id: int, schedule_id: int | None = None):
    clinic = _clinic(request, organisation_id)
    schedule = None
    if schedule_id is not None:
        schedule = selectors.schedule_for(request.user, schedule_id)
        if schedule.role.organisation_id != clinic.pk:
            raise Http404
    form = ScheduleForm(
        request.POST or None,
        # A schedule of a doctor who no longer works keeps its doctor on the form.
        roles=selectors.clinic_roles(clinic.pk, active_only=schedule is None),
        initial=_schedule_initial(schedule),
    )
    if schedule is not None:
        form.fields["role"].disabled = True
    status = 200
    if request.method == "POST":
        saved, status = _submit(
            form,
            lambda data: scheduling.schedule_save(
                actor=request.user,
                schedule_id=schedule.pk if schedule else None,
                role_id=data.pop("role").pk,
                **data,
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("Расписание сохранено: %(schedule)s.") % {"schedule": saved.schedule}
                + _closing_note(saved.closed, saved.cancelled),
            )
            return redirect("health_staff:schedules", clinic.pk)
    return render(
        request,
        "appointments/staff/schedule_form.html",
        {"clinic": clinic, "form": form, "schedule": schedule},
        status=status,
    )


@login_required
@require_POST
def absence_add(request, organisation_id: int):
    clinic = _clinic(request, organisation_id)
    form = AbsenceForm(request.POST, roles=selectors.clinic_roles(clinic.pk))
    added, status = _submit(
        form,
        lambda data: scheduling.absence_add(
            actor=request.user, role_id=data.pop("role").pk, **data
        ),
    )
    if added is not None:
        messages.success(
            request,
            _("Отсутствие внесено: %(role)s.") % {"role": role_label(added.absence.role)}
            + _closing_note(added.closed, added.cancelled),
        )
        return redirect("health_staff:schedules", clinic.pk)
    return _schedules_page(request, clinic, absence_form=form, status=status)


def _attachments_page(request, clinic: Organisation, *, failed=None, status: int = 200):
    """The clinic's pending applications; `failed` is (application id, form) refused."""
    rows = []
    for application in attachment_selectors.desk_applications(clinic.pk):
        form = failed[1] if failed and failed[0] == application.pk else None
        rows.append((application, form or AttachmentDecisionForm(prefix=f"a{application.pk}")))
    return render(
        request,
        "appointments/staff/attachments.html",
        {"clinic": clinic, "rows": rows},
        status=status,
    )


@login_required
@require_safe
def attachments(request, organisation_id: int):
    return _attachments_page(request, _clinic(request, organisation_id))


@login_required
@require_POST
def attachment_decide(request, application_id: int):
    application = attachment_selectors.desk_application(request.user, application_id)
    clinic = application.organisation
    form = AttachmentDecisionForm(request.POST, prefix=f"a{application.pk}")
    if not form.is_valid():
        return _attachments_page(request, clinic, failed=(application.pk, form), status=400)
    try:
        decided = attachment.attachment_decide(
            actor=request.user,
            application_id=application.pk,
            confirm=form.cleaned_data["decision"] == "confirm",
            decline_reason=form.cleaned_data["decline_reason"],
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        if error.code == "application_decided":  # a colleague, or the applicant, was first
            messages.info(request, str(error.message))
            return redirect("health_staff:attachments", clinic.pk)
        show_on_form(form, error)
        return _attachments_page(
            request, clinic, failed=(application.pk, form), status=status_of(error)
        )
    values = {"patient": decided.person.full_name}
    if decided.status == decided.Status.CONFIRMED:
        messages.success(request, _("%(patient)s прикреплён(а) к поликлинике.") % values)
    else:
        messages.success(request, _("Заявление отклонено: %(patient)s.") % values)
    return redirect("health_staff:attachments", clinic.pk)
