"""Correction requests: after the window closes, a citizen asks the operator to fix a
reading; an accepted request adds a corrected version and is settled in the next bill."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, Invalid, NotFound
from gorod.core.ids import valid_id
from gorod.housing import rules, selectors, services
from gorod.housing.models import CorrectionRequest, Meter, Reading


def correction_request_create(
    *, actor, reading_id: int, value: str, reason: str, now: datetime | None = None
) -> CorrectionRequest:
    """Ask the operator to fix a reading of a closed period (settled in the next bill)."""
    now = now or timezone.now()
    reading = selectors.own_reading_get(actor=actor, reading_id=reading_id)
    if reading.status != Reading.Status.ACCEPTED:
        raise Invalid(
            "reading_not_current",
            _("Исправить можно только действующее показание."),
        )
    window = rules.open_window(now, clock.city_zone(), selectors.window_config())
    if window is not None and window.period == reading.period:
        raise Invalid(
            "correction_window_open",
            _("Приём показаний за этот период ещё открыт: просто передайте показание заново."),
        )
    meter = reading.meter
    try:
        requested = rules.parse_value(
            value, integer_digits=meter.integer_digits, fraction_digits=meter.fraction_digits
        )
    except rules.RuleError as error:
        raise services.rule_refusal(error, field="value") from error
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "reason_required",
            _("Опишите, что не так с показанием."),
            field="reason",
        )
    if len(reason) > 1000:
        raise Invalid(
            "reason_too_long",
            _("Опишите коротко, до 1000 знаков."),
            field="reason",
        )
    if requested == reading.value:
        raise Invalid(
            "correction_same_value",
            _("Это показание уже принято: исправлять нечего."),
            field="value",
        )
    try:
        with transaction.atomic():
            request = CorrectionRequest.objects.create(
                reading=reading,
                requested_by=actor,
                requested_value=requested,
                reason=reason,
                created_at=now,
            )
            audit_record(
                actor=actor,
                action="housing.correction_request",
                target=request,
                reading=reading.pk,
                value=str(requested),
            )
    except IntegrityError as error:
        raise Conflict(
            "correction_already_requested",
            _("Заявка на исправление этого показания уже на рассмотрении."),
        ) from error
    return request


def correction_request_decide(
    *,
    actor,
    request_id: int,
    accept: bool,
    reason: str,
    now: datetime | None = None,
) -> CorrectionRequest:
    """Settle a correction request; an accepted one adds the corrected version.

    The original reading stays, superseded: past periods are never edited in place. The
    difference is billed in the period that is open (or next opens) when it is settled.
    """
    services.require_operator(actor)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "reason_required",
            _("Напишите жителю, почему принято такое решение."),
            field="reason",
        )
    if not valid_id(request_id):
        raise NotFound("correction_not_found", _("Такой заявки нет."))
    with transaction.atomic():
        request = CorrectionRequest.objects.select_related("reading").filter(pk=request_id).first()
        if request is None:
            raise NotFound("correction_not_found", _("Такой заявки нет."))
        reading = request.reading
        # The meter is locked first, as every submission does, so the series can't move.
        Meter.objects.select_for_update().filter(pk=reading.meter_id).first()
        corrected = None
        if accept:
            corrected = _correct(
                reading=reading, value=request.requested_value, actor=actor, now=now
            )
        status = CorrectionRequest.Status.ACCEPTED if accept else CorrectionRequest.Status.REJECTED
        changed = CorrectionRequest.objects.filter(
            pk=request.pk, status=CorrectionRequest.Status.OPEN
        ).update(
            status=status,
            decided_by=actor,
            decided_at=now,
            decision_reason=reason[:1000],
            settled_period=selectors.window_state(now).period if accept else None,
            corrected_reading=corrected,
        )
        if not changed:
            raise Conflict("correction_already_decided", _("Заявка уже рассмотрена."))
        audit_record(
            actor=actor,
            action="housing.correction_decide",
            target=request,
            accepted=accept,
            reason=reason,
        )
    request.refresh_from_db()
    return request


def _correct(*, reading: Reading, value: Decimal, actor, now: datetime) -> Reading:
    if reading.status != Reading.Status.ACCEPTED:
        raise Conflict(
            "reading_not_current",
            _("Показание уже заменено другим: заявку нужно отклонить."),
        )
    neighbours = Reading.objects.filter(meter_id=reading.meter_id, status=Reading.Status.ACCEPTED)
    later = neighbours.filter(period__gt=reading.period).order_by("period").first()
    if value < reading.previous_value or (later is not None and value > later.value):
        raise Invalid(
            "correction_breaks_series",
            _(
                "Исправленное показание должно быть не меньше предыдущего (%(previous)s) "
                "и не больше следующего (%(next)s)."
            )
            % {
                "previous": rules.format_value(reading.previous_value),
                "next": rules.format_value(later.value) if later else "—",
            },
        )
    Reading.objects.filter(pk=reading.pk).update(
        status=Reading.Status.SUPERSEDED, superseded_at=now
    )
    return Reading.objects.create(
        meter_id=reading.meter_id,
        period=reading.period,
        value=value,
        previous_value=reading.previous_value,
        source=Reading.Source.CORRECTION,
        submitted_by=actor,
        submitted_at=now,
        channel="web",
        reviewed_at=now,
    )
