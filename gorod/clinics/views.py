"""The citizen's pages of attachment (прикрепление к поликлинике) by application.

One page, steps in the query string as booking does: whom (person=), a search of the
clinics of the patient's age group (q=, district=), the chosen clinic's application form
(clinic=), then one POST. The page also lists the patient's applications, a pending one
with a button to withdraw it. The clinic's registry decides (backoffice.attachments).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER
from gorod.clinics import rules, selectors, services
from gorod.clinics.forms import AttachmentApplyForm, ClinicSearchForm, StepsForm
from gorod.core.errors import DomainError, NotFound
from gorod.core.problems import status_of


def applicants_of(actor) -> list[selectors.Patient]:
    """The people the actor may apply for: themselves and their children under 15."""
    return [
        patient
        for patient in selectors.patients_of(actor)
        if rules.attachment_applicant_refusal(
            patient.representation,
            patient_age=patient.age_today,
            child_age_limit=GUARDIAN_REPRESENTS_UNDER,
        )
        is None
    ]


def _page_url(**query) -> str:
    pairs = {name: value for name, value in query.items() if value not in (None, "")}
    path = reverse("health:attach")
    return f"{path}?{urlencode(pairs)}" if pairs else path


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attach(request):
    applicants = applicants_of(request.user)
    if request.method == "POST":
        form = AttachmentApplyForm(request.POST)
        if not form.is_valid():
            return _page(request, applicants, form.data.get("person"), form=form, status=400)
        data = form.cleaned_data
        try:
            services.attachment_apply(
                actor=request.user,
                person_id=data["person"],
                organisation_id=data["organisation"],
                reason=data["reason"],
            )
        except NotFound:
            raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
        except DomainError as error:
            # The clinic and the person are hidden fields: their refusal goes above the form.
            form.add_error("reason" if error.field == "reason" else None, str(error.message))
            return _page(request, applicants, data["person"], form=form, status=status_of(error))
        messages.success(
            request,
            _("Заявление отправлено в поликлинику. Ответ придёт в уведомлениях кабинета."),
        )
        return redirect(_page_url(person=data["person"]))
    return _page(request, applicants, StepsForm.choice_of(request.GET).person)


def _chosen(applicants, person_id) -> selectors.Patient | None:
    if person_id in (None, ""):
        return applicants[0] if len(applicants) == 1 else None
    for patient in applicants:
        if str(patient.person.pk) == str(person_id):
            return patient
    raise selectors.person_not_found()


def _page(request, applicants, person_id, *, form=None, status=200):
    patient = _chosen(applicants, person_id)
    context = {"applicants": applicants, "patient": patient}
    if patient is None:
        return render(request, "clinics/attach.html", context, status=status)
    person = patient.person
    search = ClinicSearchForm(request.GET, districts=selectors.attachable_districts(patient))
    search.is_valid()
    query = search.cleaned_data.get("q", "")
    district = search.cleaned_data.get("district", "")
    clinic_id = form.data.get("organisation") if form else request.GET.get("clinic")
    clinic = None
    if clinic_id:
        try:
            clinic = selectors.attachable_clinic(patient, int(clinic_id))
        except (NotFound, ValueError):
            clinic = None
    current = selectors.current_attachment(person.pk)
    if clinic is not None and form is None:
        form = AttachmentApplyForm(
            initial={
                "person": person.pk,
                "organisation": clinic.pk,
                "reason": "" if current else rules.REASON_FIRST,
            }
        )
    context.update(
        person=person,
        current=current,
        pending=selectors.pending_of(person.pk),
        applications=list(selectors.applications_of(request.user, person_ids=[person.pk])[:10]),
        search=search,
        clinics=[]
        if clinic
        else list(selectors.attachable_clinics(patient, query=query, district=district)),
        clinic=clinic,
        form=form,
        choose_url=_page_url(person=person.pk, q=query, district=district),
        back_url=_page_url(person=person.pk, q=query, district=district),
    )
    return render(request, "clinics/attach.html", context, status=status)


@login_required
@require_POST
def attach_withdraw(request, application_id: int):
    try:
        application = services.attachment_withdraw(
            actor=request.user, application_id=application_id
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("health:attach")
    messages.success(request, _("Заявление отозвано."))
    return redirect(_page_url(person=application.person_id))
