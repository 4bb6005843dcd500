"""The operators' back office of meter readings: thin pages over the services and selectors.

Who may: an operator has `housing.view_reading` to see these pages and
`housing.change_reading` to act on them (the "operator" role has both). For anyone else
the back office does not exist (404), as the analysts' dashboard; someone who may see but
not act is refused the action (403). Every action is a service call, and the service's
refusal is shown to the operator as it is worded.
"""

import csv
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gorod.core import clock
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.housing import corrections, rules, selectors, services
from gorod.housing.forms import (
    DecideForm,
    DueForm,
    MeterReplaceForm,
    PayerCodeForm,
    PeriodForm,
    ReviewForm,
)
from gorod.housing.models import Meter

PAGE_SIZE = 50
DEFAULT_DUE_DAYS = 30


# --- Who may --------------------------------------------------------------------------


def _require_operator(request, *, act: bool = False) -> None:
    # Not "forbidden": without the permission the back office does not exist for you.
    if not selectors.is_operator(request.user):
        raise Http404
    if act and not request.user.has_perm(services.OPERATOR_CHANGE_PERMISSION):
        raise PermissionDenied


def _back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("housing:operator_home")
    return redirect(target)


def _show_error(request, error: DomainError) -> None:
    if isinstance(error, NotFound):
        raise error  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
    messages.error(request, str(error.message))


# --- Home: the period's figures, flagged readings, correction requests ----------------


def _page_query(request, name: str, number: int) -> str:
    query = request.GET.copy()
    query[name] = number
    return query.urlencode()


@login_required
@require_safe
def home(request):
    _require_operator(request)
    state = selectors.window_state()
    period = selectors.working_period(state)
    norms = selectors.norms()
    flagged = Paginator(selectors.flagged_readings(), PAGE_SIZE).get_page(request.GET.get("page"))
    corrections = Paginator(selectors.open_correction_requests(), PAGE_SIZE).get_page(
        request.GET.get("corrections")
    )
    flagged_rows = [
        (
            reading,
            [
                rules.warning_message(code, residents=reading.meter.premises.residents, norms=norms)
                for code in reading.warnings
            ],
        )
        for reading in flagged.object_list
    ]
    return render(
        request,
        "housing/operator/home.html",
        {
            "state": state,
            "period": period,
            "period_label": rules.period_label(period),
            "counts": selectors.submission_counts(period=period),
            "flagged": flagged,
            "flagged_rows": flagged_rows,
            "corrections": corrections,
            "flagged_pages": _pages(request, flagged, "page"),
            "corrections_pages": _pages(request, corrections, "corrections"),
            "referrals": list(selectors.open_referrals()[:PAGE_SIZE]),
            "link_requests": list(selectors.link_requests_for_operator()[:PAGE_SIZE]),
            "return_to": request.get_full_path(),
            "can_act": request.user.has_perm(services.OPERATOR_CHANGE_PERMISSION),
        },
    )


def _pages(request, page, name: str) -> dict:
    """Links to the neighbouring pages of one list, keeping the other lists' pages."""
    return {
        "previous": _page_query(request, name, page.previous_page_number())
        if page.has_previous()
        else "",
        "next": _page_query(request, name, page.next_page_number()) if page.has_next() else "",
    }


@login_required
@require_POST
def reading_review(request, reading_id: int):
    _require_operator(request, act=True)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите, оставить показание или отклонить его."))
        return _back(request)
    reject = form.cleaned_data["decision"] == "reject"
    try:
        reading = services.reading_review(
            actor=request.user,
            reading_id=reading_id,
            reject=reject,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        _show_error(request, error)
    else:
        done = _("Показание отклонено") if reject else _("Показание оставлено")
        messages.success(
            request,
            _("%(done)s: %(meter)s, %(period)s.")
            % {"done": done, "meter": reading.meter, "period": rules.period_label(reading.period)},
        )
    return _back(request)


@login_required
@require_POST
def correction_decide(request, request_id: int):
    _require_operator(request, act=True)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите, принять заявку или отклонить её."))
        return _back(request)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        decided = corrections.correction_request_decide(
            actor=request.user,
            request_id=request_id,
            accept=accept,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        _show_error(request, error)
    else:
        if accept:
            messages.success(
                request,
                _("Заявка принята: исправление войдёт в начисление за %(period)s.")
                % {"period": rules.period_label(decided.settled_period)},
            )
        else:
            messages.success(request, _("Заявка отклонена."))
    return _back(request)


@login_required
@require_POST
def referral_close(request, referral_id: int):
    _require_operator(request, act=True)
    try:
        referral = services.referral_close(actor=request.user, referral_id=referral_id)
    except DomainError as error:
        _show_error(request, error)
    else:
        messages.success(request, _("Разобрано: %(meter)s.") % {"meter": referral.meter})
    return _back(request)


# --- Search by payer code -------------------------------------------------------------


@login_required
@require_safe
def premises_search(request):
    _require_operator(request)
    form = PayerCodeForm(request.GET or None)
    card = None
    if form.is_bound and form.is_valid():
        card = services.premises_look_up(
            actor=request.user, payer_code=form.cleaned_data["payer_code"]
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "housing/operator/premises.html",
        {
            "form": form,
            "premises": card.premises if card else None,
            "people": card.links if card else [],
            "meters": card.meters if card else [],
            "today": clock.local_date(),
            "can_act": request.user.has_perm(services.OPERATOR_CHANGE_PERMISSION),
        },
        status=status,
    )


# --- Meters due for verification ------------------------------------------------------


@login_required
@require_safe
def verification_due(request):
    _require_operator(request)
    form = DueForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "housing/operator/verification.html", {"form": form}, status=400)
    days = form.cleaned_data["days"] if form.is_bound else None
    if days is None:
        days = DEFAULT_DUE_DAYS
    today = clock.local_date()
    page = Paginator(selectors.verification_due(today=today, days=days), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "housing/operator/verification.html",
        {
            "form": form,
            "days": days,
            "today": today,
            "page": page,
            "pages": _pages(request, page, "page"),
            "can_act": request.user.has_perm(services.OPERATOR_CHANGE_PERMISSION),
        },
    )


# --- The billing export ---------------------------------------------------------------

# The file is a contract with the billing systems: its header is Russian whatever the
# page's language, and its columns keep this order (docs/housing.md, "Выгрузка").
METER_HEADER = (
    "Код плательщика",
    "Квартира",
    "Адрес",
    "Ресурс",
    "Заводской номер",
    "Основание",
    "Показание",
    "Объём",
    "Периодов без показаний",
)
CORRECTION_HEADER = (
    "Код плательщика",
    "Квартира",
    "Адрес",
    "Ресурс",
    "Заводской номер",
    "Период показания",
    "Было",
    "Стало",
    "Разница",
    "Номер заявки",
)
TOTALS_HEADER = ("Ресурс", "Основание", "Строк", "Объём")
KINDS = ("cold", "hot", "heat")
BASES = ("reading", "average", "norm")


class _Echo:
    """The file-like object csv.writer needs; each row goes straight to the response."""

    def write(self, value: str) -> str:
        return value


def _machine(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.3f}"


def billing_rows(export: selectors.BillingExport) -> Iterator[tuple]:
    """The export's lines: meters, an empty line, corrections, an empty line, totals."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    yield METER_HEADER
    for row in export.rows():
        meter, premises = row.meter, row.meter.premises
        counts[(meter.kind, row.basis)] += 1
        yield (
            premises.payer_code,
            premises.apartment,
            premises.address,
            meter.kind,
            meter.serial,
            row.basis,
            _machine(row.value),
            _machine(row.volume),
            row.periods_without_reading,
        )
    yield ()
    yield CORRECTION_HEADER
    corrected: dict[str, Decimal] = defaultdict(Decimal)
    for request in export.corrections():
        original, meter = request.reading, request.reading.meter
        difference = request.corrected_reading.value - original.value
        counts[(meter.kind, "correction")] += 1
        corrected[meter.kind] += difference
        yield (
            meter.premises.payer_code,
            meter.premises.apartment,
            meter.premises.address,
            meter.kind,
            meter.serial,
            f"{original.period:%Y-%m}",
            _machine(original.value),
            _machine(request.corrected_reading.value),
            _machine(difference),
            request.pk,
        )
    yield ()
    yield TOTALS_HEADER
    for kind in KINDS:
        kind_total = Decimal(0)
        for basis in BASES:
            if counts[(kind, basis)]:
                volume = export.totals.get((kind, basis))
                kind_total += volume or 0
                yield (kind, basis, counts[(kind, basis)], _machine(volume))
        if counts[(kind, "correction")]:
            kind_total += corrected[kind]
            yield (kind, "correction", counts[(kind, "correction")], _machine(corrected[kind]))
        meters = sum(counts[(kind, basis)] for basis in BASES)
        if meters or counts[(kind, "correction")]:
            yield (kind, "total", meters, _machine(kind_total))


def _export_form(request, state: selectors.WindowState) -> PeriodForm:
    latest = selectors.working_period(state)
    default = rules.add_months(state.period, -1)
    return PeriodForm(
        request.GET if "period" in request.GET else None,
        latest=latest,
        initial={"period": f"{default:%Y-%m}"},
    )


@login_required
@require_safe
def billing_export(request):
    _require_operator(request)
    form = _export_form(request, selectors.window_state())
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "housing/operator/export.html",
            {"form": form},
            status=400 if form.is_bound else 200,
        )
    period = form.cleaned_data["period"]
    export = services.billing_export_take(actor=request.user, period=period)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in billing_rows(export)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="housing-billing-{period:%Y-%m}.csv"'
    return response


# --- Replacing a meter ----------------------------------------------------------------


@login_required
def meter_replace(request, meter_id: int):
    _require_operator(request, act=True)
    meter = selectors.meter_for_operator(meter_id=meter_id)
    form = MeterReplaceForm(request.POST or None, meter=meter)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.meter_replace(
                actor=request.user,
                meter_id=meter.pk,
                serial=data["serial"],
                initial_value=data["initial_value"],
                installed_on=data["installed_on"],
                commissioned_on=data["commissioned_on"],
                next_verification_on=data["next_verification_on"],
                failed=data["failed"],
            )
        except NotFound:
            raise  # the 404 page: gorod.core.middleware.NotFoundPageMiddleware
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _("Счётчик заменён: %(new)s. Показания по нему начнутся с %(value)s.")
                % {"new": new, "value": rules.format_value(new.initial_value)},
            )
            return redirect(
                reverse("housing:operator_premises") + f"?payer_code={meter.premises.payer_code}"
            )
    return render(
        request,
        "housing/operator/meter_replace.html",
        {
            "form": form,
            "meter": meter,
            "active": meter.status == Meter.Status.ACTIVE,
            "last": next(
                iter(
                    selectors.recent_accepted(meters=[meter], through=None, per_meter=1)[meter.pk]
                ),
                None,
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
