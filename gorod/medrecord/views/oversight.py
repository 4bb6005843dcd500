"""The supervisors' review of emergency looks, under /health/staff/emergency/reviews/.

Who may: a clinic's supervisor (the "health_supervisor" role and a posting to the clinic)
sees the emergency openings of the clinic's doctors — doctor, patient, reason, when, from
which door, the looks taken under each — and marks each reviewed. For anyone else the list
does not exist (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gorod.core.errors import DomainError, NotFound
from gorod.medrecord.forms import EmergencyReviewForm
from gorod.medrecord.selectors.oversight import emergency_reviews
from gorod.medrecord.services.emergency import emergency_review


@login_required
@require_safe
def reviews(request):
    everything = request.GET.get("show") == "all"
    page = emergency_reviews(
        request.user, pending_only=not everything, page=request.GET.get("page")
    )
    return render(
        request,
        "medrecord/staff/emergency_reviews.html",
        {"page": page, "everything": everything},
    )


@login_required
@require_POST
def review(request, grant_id: int):
    form = EmergencyReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])))
        return redirect("health_staff:emergency_reviews")
    try:
        emergency_review(actor=request.user, grant_id=grant_id, note=form.cleaned_data["note"])
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Экстренный доступ отмечен как разобранный."))
    return redirect("health_staff:emergency_reviews")
