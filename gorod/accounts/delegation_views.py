"""«Доверенности»: the citizen's delegations, given and received, on pages of their own.

Thin views over the delegation services (gorod.accounts.services): grant one to an adult
found by OMS policy and birth date, ask someone for one, confirm a request, revoke. The
lookup by policy is throttled by the service, and any mismatch is the same "not found",
so the form tells nothing about who holds a policy.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.accounts import selectors, services
from gorod.accounts.forms import DelegationGrantForm, DelegationRequestForm
from gorod.accounts.models import Person
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.core.problems import status_of


def _person_or_404(request) -> Person:
    # Staff accounts have no person card: delegations are between residents.
    person = selectors.person_of(request.user)
    if person is None:
        raise Http404(_("У служебной учётной записи нет доверенностей."))
    return person


@login_required
@require_safe
def delegations(request):
    person = _person_or_404(request)
    given, received = selectors.delegations_of(person)
    return render(
        request,
        "accounts/delegations.html",
        {"person": person, "given": given, "received": received},
    )


def _delegation_form_page(request, *, form_class, service, title: str, done: str):
    _person_or_404(request)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                show_on_form(form, error)
                status = status_of(error)
            else:
                messages.success(request, done)
                return redirect("accounts:delegations")
        else:
            status = 400
    return render(
        request,
        "accounts/delegations_form.html",
        {"form": form, "title": title, "grant": form_class is DelegationGrantForm},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delegation_grant(request):
    return _delegation_form_page(
        request,
        form_class=DelegationGrantForm,
        service=services.delegation_grant,
        title=_("Выдать доверенность"),
        done=_("Доверенность выдана и уже действует."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delegation_request(request):
    return _delegation_form_page(
        request,
        form_class=DelegationRequestForm,
        service=services.delegation_request,
        title=_("Попросить доверенность"),
        done=_("Запрос отправлен. Доверенность заработает, когда доверитель её подтвердит."),
    )


def _delegation_action(request, delegation_id: int, *, service, done: str):
    _person_or_404(request)
    try:
        service(actor=request.user, delegation_id=delegation_id)
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect("accounts:delegations")


@login_required
@require_POST
def delegation_confirm(request, delegation_id: int):
    return _delegation_action(
        request,
        delegation_id,
        service=services.delegation_confirm,
        done=_("Доверенность подтверждена и уже действует."),
    )


@login_required
@require_POST
def delegation_revoke(request, delegation_id: int):
    return _delegation_action(
        request,
        delegation_id,
        service=services.delegation_revoke,
        done=_("Доверенность отозвана и больше не действует."),
    )
