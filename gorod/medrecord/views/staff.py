"""The doctor's record pages under /health/staff/: the visit protocol and the emergency look.

Who may: the doctor of the appointment opens its protocol and edits their own drafts;
any other user finds neither (404). A signed protocol is never edited: "Исправить" makes
a corrected copy (an amendment) that replaces it once signed. The emergency look finds
a patient by policy and birth date — guesses are throttled, every look-up is audited and
each opening goes to the clinic's supervisors — and hands the grant to the record pages
through the session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.appointments.models import Appointment
from gorod.appointments.selectors import desk as selectors
from gorod.clinics import selectors as clinic_selectors
from gorod.core import clock
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.core.problems import status_of
from gorod.medrecord.emergency import emergency_remember
from gorod.medrecord.forms import AmendmentForm, EmergencyForm, EncounterForm
from gorod.medrecord.models.record import Entry, Section
from gorod.medrecord.selectors.oversight import supervisor_clinic_ids
from gorod.medrecord.services import entries as entry_services
from gorod.medrecord.services.emergency import emergency_open


def _doctor(request):
    practitioner = selectors.practitioner_of(request.user)
    if practitioner is None:
        raise Http404
    return practitioner


def _my_appointment(request, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_related("person")
        .filter(pk=appointment_id, slot__role__practitioner=_doctor(request))
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def _my_encounter(request, entry_id: int) -> Entry:
    """An encounter this doctor wrote (a draft or signed), with what the page shows."""
    entry = (
        Entry.objects.select_related("patient", "encounter", "amends", "appointment")
        .prefetch_related("diagnoses__icd10")
        .filter(pk=entry_id, section=Section.ENCOUNTERS, practitioner=_doctor(request))
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def _here(entry: Entry) -> str:
    return reverse("health_staff:encounter", args=[entry.pk])


@login_required
@require_POST
def encounter_open(request, appointment_id: int):
    """The appointment's protocol, made on the first click and found on the next ones."""
    appointment = _my_appointment(request, appointment_id)
    try:
        entry = entry_services.encounter_open(actor=request.user, appointment=appointment)
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("health_staff:doctor_day")
    return redirect(_here(entry))


def _encounter_page(request, entry: Entry, *, form=None, amend_form=None, status: int = 200):
    editable = entry.finalised_at is None
    if editable and form is None:
        form = EncounterForm(initial=EncounterForm.initial_of(entry))
    return render(
        request,
        "medrecord/staff/encounter.html",
        {
            "entry": entry,
            "patient": entry.patient,
            "form": form if editable else None,
            "diagnoses": list(entry.diagnoses.all()),
            "amend_form": amend_form
            or (AmendmentForm() if entry.finalised_at and not entry.superseded_at else None),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def encounter(request, entry_id: int):
    """GET shows the protocol; POST saves the draft ("save") or saves and signs ("sign")."""
    entry = _my_encounter(request, entry_id)
    if request.method != "POST":
        return _encounter_page(request, entry)
    form = EncounterForm(request.POST)
    if entry.finalised_at is not None or not form.is_valid():
        return _encounter_page(request, entry, form=form, status=400)
    signing = request.POST.get("action") == "sign"
    try:
        entry_services.encounter_record(
            actor=request.user,
            entry=entry,
            complaints=form.cleaned_data["complaints"],
            anamnesis=form.cleaned_data["anamnesis"],
            examination=form.cleaned_data["examination"],
            recommendations=form.cleaned_data["recommendations"],
            diagnoses=form.diagnoses(),
            sign=signing,
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        show_on_form(form, error)
        return _encounter_page(request, _my_encounter(request, entry_id), form=form, status=400)
    if signing:
        messages.success(request, _("Протокол подписан и виден пациенту в медицинской карте."))
    else:
        messages.success(request, _("Черновик протокола сохранён."))
    return redirect(_here(entry))


@login_required
@require_POST
def encounter_amend(request, entry_id: int):
    """A correction of a signed protocol: a draft copy to edit and sign in its place."""
    entry = _my_encounter(request, entry_id)
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        return _encounter_page(request, entry, amend_form=form, status=400)
    try:
        amendment = entry_services.entry_amendment_start(
            actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        show_on_form(form, error)
        return _encounter_page(request, entry, amend_form=form, status=status_of(error))
    messages.info(request, _("Исправление создано: внесите правки и подпишите."))
    return redirect(_here(amendment))


def _emergency_page(request, form, *, status: int = 200):
    return render(request, "medrecord/staff/emergency.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def emergency(request):
    """A patient's record without a care relationship, for a stated reason, for one hour.

    The look-up, its throttle, its audit and the supervisors' notice are the service's,
    the same the API's emergency opening calls.
    """
    _doctor(request)
    form = EmergencyForm(request.POST or None)
    if request.method != "POST":
        return _emergency_page(request, form)
    if not form.is_valid():
        return _emergency_page(request, form, status=400)
    try:
        grant = emergency_open(
            actor=request.user,
            oms_policy=form.cleaned_data["oms_policy"],
            birth_date=form.cleaned_data["birth_date"],
            reason=form.cleaned_data["reason"],
            channel="web",
        )
    except DomainError as error:
        # A miss is reported above the form: naming the field would say which one was wrong.
        form.add_error(None, str(error.message))
        return _emergency_page(request, form, status=status_of(error))
    emergency_remember(request, grant)
    return redirect("record:timeline", grant.patient_id)


@login_required
@require_safe
def home(request):
    """The staff's landing under /health/staff/: the registry's clinics today, or the page of
    a supervisor who is no registrar, or a doctor's day."""
    clinics = selectors.registrar_clinics(request.user)
    supervisor = bool(supervisor_clinic_ids(request.user))
    if not clinics:
        # A supervisor who is no registrar reviews emergency looks; a doctor has the day.
        if supervisor:
            return redirect("health_staff:emergency_reviews")
        if selectors.practitioner_of(request.user) is not None:
            return redirect("health_staff:doctor_day")
        raise Http404
    now = clock.local_now()
    figures = selectors.day_figures([clinic.pk for clinic in clinics], day=now.date(), now=now)
    applications = clinic_selectors.pending_counts([clinic.pk for clinic in clinics])
    return render(
        request,
        "appointments/staff/home.html",
        {
            "rows": [
                (clinic, figures[clinic.pk], applications.get(clinic.pk, 0)) for clinic in clinics
            ],
            "today": now.date(),
            "is_doctor": selectors.practitioner_of(request.user) is not None,
            "is_supervisor": supervisor,
        },
    )
