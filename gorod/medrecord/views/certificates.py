"""Medical certificates (справки) on the citizen's record: order one, follow it, download it.

An order is ready by the next working day; the hourly task signs its PDF. The patient side
(the patient, a child's guardian, a delegate) orders and downloads; a registrar of the
patient's clinic, who prepares them, may read the list and download too. The first
download by the patient side is the issue of the certificate.
"""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from gorod.core.errors import DomainError, show_on_form
from gorod.core.problems import status_of
from gorod.feedback.selectors import rated_service
from gorod.medrecord import documents
from gorod.medrecord.forms import CertificateOrderForm
from gorod.medrecord.models.record import Entry, Section
from gorod.medrecord.selectors.access import RecordAccess, record_not_found
from gorod.medrecord.selectors.record import VISIBLE, record_context
from gorod.medrecord.services import certificates as certificate_services
from gorod.medrecord.services import entries as services
from gorod.medrecord.views.record import open_record, record_page

# The use recorded by the last order, carried over the redirect to offer its rating.
USE_SESSION_KEY = "health:certificate_use_id"
DOWNLOADABLE = ("ready", "issued")


def certificates_of(access: RecordAccess) -> QuerySet[Entry]:
    """The patient's certificates as the patient side sees them, newest first (no PDFs)."""
    if not access.allows(Section.CERTIFICATES):
        raise record_not_found()
    return (
        Entry.objects.filter(VISIBLE, patient=access.patient, section=Section.CERTIFICATES)
        .select_related("certificate", "organisation")
        .defer("certificate__pdf")
        .order_by("-occurred_at", "-pk")
    )


def certificate_of(access: RecordAccess, entry_id: int) -> Entry:
    """One certificate of this patient with its signed PDF; NotFound until it is ready."""
    entry = (
        certificates_of(access)
        .filter(pk=entry_id, status__in=DOWNLOADABLE, certificate__pdf__isnull=False)
        .defer(None)  # this time with the PDF
        .first()
    )
    if entry is None:
        raise record_not_found()
    return entry


def _crumbs(access: RecordAccess, current: str | None = None) -> list[dict]:
    crumbs = [
        {
            "label": _("Справки"),
            "url": reverse("record:certificates", kwargs={"person_id": access.patient.pk}),
        }
    ]
    if current:
        crumbs.append({"label": current, "url": None})
    return crumbs


@require_safe
@record_page
def certificate_list(request, person_id):
    access = open_record(request, person_id, Section.CERTIFICATES)
    use_id = request.session.pop(USE_SESSION_KEY, None)
    return render(
        request,
        "medrecord/certificates.html",
        {
            **record_context(request, access),
            "record_breadcrumb": _crumbs(access),
            "certificates": list(certificates_of(access)),
            "can_order": access.is_patient_side,
            "use_id": use_id,
            "rating_service": rated_service(services.CERTIFICATES_SERVICE) if use_id else None,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@record_page
def certificate_order(request, person_id):
    access = open_record(request, person_id, Section.CERTIFICATES)
    if not access.is_patient_side:
        # A registrar prepares certificates; ordering one is the patient's side alone.
        raise record_not_found()
    form = CertificateOrderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = certificate_services.certificate_order(
                    access=access,
                    kind=form.cleaned_data["kind"],
                    purpose=form.cleaned_data["purpose"],
                )
            except DomainError as error:
                show_on_form(form, error)
                status = status_of(error)
            else:
                # The service counts the use; its id comes with the entry when it does.
                use_id = getattr(entry, "use_id", None)
                if use_id is not None:
                    request.session[USE_SESSION_KEY] = str(use_id)
                messages.success(
                    request,
                    _("Справка заказана. Она будет готова %(day)s — мы покажем её здесь.")
                    % {"day": formats.date_format(entry.certificate.ready_by, "j E")},
                )
                return redirect("record:certificates", person_id=access.patient.pk)
        else:
            status = 400
    return render(
        request,
        "medrecord/certificate_order.html",
        {
            **record_context(request, access),
            "record_breadcrumb": _crumbs(access, _("Заказать справку")),
            "form": form,
        },
        status=status,
    )


@require_safe
@record_page
def certificate_pdf(request, person_id, entry_id: int):
    access = open_record(request, person_id, Section.CERTIFICATES, entry_id=entry_id)
    entry = certificate_of(access, entry_id)
    # A download by the patient's side issues it; a HEAD request is not a download.
    if access.is_patient_side and entry.status == "ready" and request.method == "GET":
        certificate_services.certificate_mark_issued(access=access, entry=entry)
    response = HttpResponse(bytes(entry.certificate.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.certificate_filename(entry)}"'
    )
    return response


urlpatterns = [
    path("<int:person_id>/certificates/", certificate_list, name="certificates"),
    path("<int:person_id>/certificates/order/", certificate_order, name="certificate_order"),
    path(
        "<int:person_id>/certificates/<int:entry_id>.pdf",
        certificate_pdf,
        name="certificate_pdf",
    ),
]
