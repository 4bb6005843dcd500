"""Citizen pages of the meter-readings service ("Мои счётчики").

Thin views over gorod.housing selectors and services; every page works without
JavaScript. Another person's premises, meter or reading is the 404 page, as the
selectors answer "not found" for it.
"""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.core.channels import channel_of
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.feedback.selectors import rated_service
from gorod.housing import corrections, linking, rules, selectors, services
from gorod.housing.charts import consumption_chart
from gorod.housing.forms import (
    CorrectionRequestForm,
    LinkDecisionForm,
    PremisesLinkForm,
    ReadingsForm,
)
from gorod.housing.models import CorrectionRequest

# The use recorded by the last submission, carried over the redirect to offer its rating.
USE_SESSION_KEY = "housing:use_id"
# "Мои счётчики" lists the newest correction requests; older ones are on the meter pages.
CORRECTION_REQUESTS_SHOWN = 20


@login_required
@require_safe
def meters(request):
    state, premises = selectors.my_meters(actor=request.user)
    return _meters_page(request, state, premises)


def _meters_page(request, state, premises, *, bound: ReadingsForm | None = None, status=200):
    period = rules.period_label(state.period)
    sections = []
    for view in premises:
        form = None
        if state.open:
            if bound is not None and bound.premises.pk == view.premises.pk:
                form = bound
            else:
                form = ReadingsForm(view, period)
        sections.append((view, form if form is not None and form.meter_fields else None))
    use_id = request.session.pop(USE_SESSION_KEY, None)
    return render(
        request,
        "housing/meters.html",
        {
            "state": state,
            "period": period,
            "sections": sections,
            "bound": bound,
            "corrections": list(
                selectors.own_correction_requests(actor=request.user)[:CORRECTION_REQUESTS_SHOWN]
            ),
            "to_confirm": list(selectors.link_requests_to_confirm(actor=request.user)),
            "waiting": list(selectors.own_link_requests(actor=request.user)),
            "use_id": use_id,
            "rating_service": rated_service(selectors.SERVICE_SLUG) if use_id else None,
        },
        status=status,
    )


@login_required
@require_POST
def readings_submit(request, premises_id: int):
    state, premises = selectors.my_meters(actor=request.user)
    view = next((view for view in premises if view.premises.pk == premises_id), None)
    if view is None:
        raise selectors.premises_not_found()
    form = ReadingsForm(view, rules.period_label(state.period), request.POST)
    if not form.is_valid():
        return _meters_page(request, state, premises, bound=form, status=400)
    try:
        result = services.readings_submit(
            actor=request.user,
            premises_id=view.premises.pk,
            values=form.values,
            idempotency_key=form.cleaned_data["token"],
            channel=channel_of(request),
            confirm_warnings=form.cleaned_data["confirm"],
        )
    except NotFound:
        raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    except DomainError as error:
        if error.code == "window_closed":
            # Closed since the page was drawn: the page now says when it opens again.
            messages.error(request, str(error.message))
            return redirect("housing:meters")
        return _submission_refused(request, state, premises, form, error)
    if result.use_id is not None:
        request.session[USE_SESSION_KEY] = str(result.use_id)
    accepted = "; ".join(
        _("%(meter)s — %(value)s %(unit)s")
        % {
            "meter": str(reading.meter),
            "value": rules.format_value(reading.value),
            "unit": reading.meter.get_unit_display(),
        }
        for reading in result.readings
    )
    messages.success(
        request,
        _("Показания за %(period)s приняты: %(readings)s.")
        % {"period": rules.period_label(result.readings[0].period), "readings": accepted},
    )
    return redirect("housing:meters")


def _submission_refused(request, state, premises, form: ReadingsForm, error: DomainError):
    """The form again, every meter's problem next to its field; nothing was saved."""
    status = 400
    if "warnings" in error.details:
        form.add_meter_problems(error.details["warnings"], warning=True)
        status = 200
    elif "errors" in error.details:
        form.add_meter_problems(error.details["errors"])
        form.add_error(
            None,
            _("Ни одно показание не сохранено: исправьте отмеченные и отправьте форму ещё раз."),
        )
    elif error.code == "idempotency_key_reused":
        # The first sending of this page was accepted (its answer may have been lost);
        # these values are a new submission and get a new key.
        form.renew_token()
        form.add_error(
            None,
            _(
                "Эта форма уже была отправлена с другими показаниями, и они приняты. "
                "Проверьте значения и отправьте форму ещё раз."
            ),
        )
    else:
        form.add_error(None, str(error.message))
    return _meters_page(request, state, premises, bound=form, status=status)


@login_required
def premises_link(request):
    form = PremisesLinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            linking.link_request_create(
                actor=request.user, ip=get_client_ip_address(request), **form.cleaned_data
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Заявка на привязку отправлена. Квартира появится здесь, когда заявку "
                    "подтвердит её собственник, уже привязанный к ней на портале, или "
                    "управляющая организация. Мы пришлём уведомление."
                ),
            )
            return redirect("housing:meters")
    return render(
        request,
        "housing/premises_link.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def link_request(request, request_id: int):
    """An owner (or an operator) answers a request to link their premises."""
    link_request = selectors.link_request_to_decide(actor=request.user, request_id=request_id)
    form = LinkDecisionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            linking.link_request_decide(
                actor=request.user, request_id=link_request.pk, confirm=confirm
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _("Заявка подтверждена: %(name)s теперь видит показания квартиры.")
                % {"name": link_request.person.full_name}
                if confirm
                else _("Заявка отклонена: доступа к квартире у этого человека нет."),
            )
            return redirect("housing:meters")
    return render(
        request,
        "housing/link_request.html",
        {"link_request": link_request, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def premises_unlink(request, premises_id: int):
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    if request.method == "POST":
        linking.premises_unlink(actor=request.user, premises_id=premises.pk)
        messages.success(request, _("Квартира %(premises)s отвязана.") % {"premises": premises})
        return redirect("housing:meters")
    return render(request, "housing/premises_unlink.html", {"premises": premises})


@login_required
@require_safe
def meter_detail(request, meter_id: int):
    meter = selectors.meter_get(actor=request.user, meter_id=meter_id)
    state = selectors.window_state()
    history = selectors.meter_history(meter=meter)
    # The newest period with readings: the open window's, else the one that just closed.
    latest = history[0].period
    own_corrections = list(selectors.own_correction_requests(actor=request.user, meter=meter))
    return render(
        request,
        "housing/meter_detail.html",
        {
            "meter": meter,
            "label": str(meter),
            "state": state,
            "open_period": state.period if state.open else None,
            "history": history,
            "chart": consumption_chart(history, unit=meter.get_unit_display()),
            "latest_label": rules.period_label(latest),
            "versions": list(selectors.reading_versions(meter=meter, period=latest)),
            "corrections": own_corrections,
            "pending": {
                correction.reading_id
                for correction in own_corrections
                if correction.status == CorrectionRequest.Status.OPEN
            },
        },
    )


@login_required
def correction_request(request, reading_id: int):
    reading = selectors.own_reading_get(actor=request.user, reading_id=reading_id)
    form = CorrectionRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            corrections.correction_request_create(
                actor=request.user,
                reading_id=reading.pk,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except NotFound:
            raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "Заявка на исправление отправлена оператору. Если её примут, разница "
                    "будет учтена в ближайшем расчётном периоде."
                ),
            )
            return redirect("housing:meter_detail", meter_id=reading.meter_id)
    return render(
        request,
        "housing/correction_request.html",
        {"form": form, "reading": reading, "label": str(reading.meter)},
        status=400 if form.errors else 200,
    )
