"""The family's applications: where each stands, the waiting-list position, the deadline
to confirm, the history, and the two things a family does online — accept an invitation
or withdraw.

Thin views over gorod.clubs.selectors and services. An application of another family is
the 404 page (NotFound from the selector), like one that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gorod.clubs import selectors, services
from gorod.clubs.models import Application
from gorod.core.errors import DomainError, NotFound
from gorod.feedback.selectors import rated_service

Status = Application.Status


def _person(request):
    return getattr(request.user, "person", None)


@login_required
@require_safe
def applications_page(request):
    person = _person(request)
    return render(
        request,
        "clubs/applications.html",
        {
            "rows": selectors.family_applications(person=person),
            "children": selectors.wards_of(person),
        },
    )


@login_required
@require_safe
def application_page(request, application_id: int):
    found = selectors.family_application(person=_person(request), application_id=application_id)
    application = found.application
    enrolled = application.status == Status.ENROLLED
    return render(
        request,
        "clubs/application.html",
        {
            "found": found,
            "application": application,
            "group": application.group,
            "events": list(application.events.all()),
            "may_accept": application.status == Status.INVITED and application.accepted_at is None,
            "may_withdraw": application.status not in (Status.REJECTED, Status.CANCELLED),
            # The family rates the service once the child is enrolled: the use is the
            # submission that got them there.
            "rating_service": rated_service(services.SERVICE_SLUG) if enrolled else None,
            "use_id": application.use_id if enrolled else None,
        },
    )


def _act(request, application_id: int, act, done: str):
    try:
        act(actor=request.user, application_id=application_id)
    except NotFound:
        raise  # another family's application: the 404 page, not a message about it
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(reverse("clubs:application", args=[application_id]))


@login_required
@require_POST
def withdraw(request, application_id: int):
    return _act(request, application_id, services.application_withdraw, _("Заявление отозвано."))


@login_required
@require_POST
def accept(request, application_id: int):
    return _act(
        request,
        application_id,
        services.application_accept,
        _("Приглашение принято: приходите с документами до указанного срока."),
    )


urlpatterns = [
    path("applications/", applications_page, name="applications"),
    path("applications/<int:application_id>/", application_page, name="application"),
    path("applications/<int:application_id>/withdraw/", withdraw, name="withdraw"),
    path("applications/<int:application_id>/accept/", accept, name="accept"),
]
