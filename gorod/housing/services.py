"""Every write of meter readings: one transaction each, with its audit row.

A submission locks the premises' meters (in primary-key order) before it reads the
previous values, so two submissions for one meter queue instead of both comparing with
the same past; the database's constraints and triggers hold whatever slips past a bug.
"""

import hashlib
import string
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.analytics.services import usage_record
from gorod.core import clock
from gorod.core.audit import audit_read, audit_record
from gorod.core.errors import Conflict, DomainError, Forbidden, Invalid
from gorod.core.ids import valid_id
from gorod.housing import rules, selectors
from gorod.housing.models import (
    Meter,
    Premises,
    Reading,
    ReadingReferral,
    Submission,
)

# A premises has a handful of meters; a longer list is a client's bug or an attack.
MAX_METERS_PER_SUBMISSION = 20
IDEMPOTENCY_KEY_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.:")
IDEMPOTENCY_KEY_MAX_LENGTH = 64
OPERATOR_CHANGE_PERMISSION = selectors.OPERATOR_CHANGE_PERMISSION
# The unique constraint whose index claims a submission's idempotency key.
KEY_CONSTRAINT = next(
    constraint
    for constraint in Submission._meta.constraints
    if constraint.name == "submission_idempotency_key_unique"
)


def rule_refusal(error: rules.RuleError, *, field: str | None = None) -> Invalid:
    return Invalid(error.code, error.message, field=field)


def require_operator(actor, *, act: bool = True) -> None:
    """Operators act with `housing.change_reading`; `act=False` asks only to look."""
    permission = OPERATOR_CHANGE_PERMISSION if act else selectors.OPERATOR_PERMISSION
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(permission)):
        raise Forbidden("not_an_operator", _("Это действие доступно только оператору."))


# --- Submitting readings --------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionResult:
    submission: Submission
    readings: list[Reading]
    replayed: bool  # True: the key was seen before, nothing new was written
    # The use recorded for analytics (what a rating of the service names); None on replay.
    use_id: uuid.UUID | None = None


def readings_by_meter(entries: Iterable[tuple[int, str]]) -> dict[int, str]:
    """A submission's values by meter; a meter named twice is refused, not guessed at."""
    values: dict[int, str] = {}
    for meter_id, value in entries:
        if meter_id in values:
            raise Invalid(
                "duplicate_meter",
                _("Показание счётчика %(meter)s указано дважды: оставьте одно.")
                % {"meter": meter_id},
                field=f"readings.{meter_id}",
            )
        values[meter_id] = value
    return values


def _check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise DomainError(
            "idempotency_key_required",
            _("Нужен ключ идемпотентности: заголовок Idempotency-Key."),
            field="Idempotency-Key",
        )
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not set(key) <= IDEMPOTENCY_KEY_CHARACTERS:
        raise DomainError(
            "idempotency_key_invalid",
            _("Ключ идемпотентности: до 64 латинских букв, цифр и знаков - _ . :"),
            field="Idempotency-Key",
        )
    return key


def submission_fingerprint(premises_id: int, values: Mapping[int, str]) -> str:
    """What a submission sent, as a hash: the same key must come with the same readings."""

    def normal(text: str) -> str:
        # "12", "12,0" and "12.000" are one reading: a retry may be typed differently.
        text = "".join(str(text).split()).replace(",", ".")
        try:
            return str(Decimal(text).normalize())
        except InvalidOperation:
            return text

    payload = "|".join(f"{meter}={normal(values[meter])}" for meter in sorted(values))
    return hashlib.sha256(f"{premises_id}|{payload}".encode()).hexdigest()


def _replay(submission: Submission, fingerprint: str) -> SubmissionResult:
    if submission.fingerprint != fingerprint:
        raise Conflict(
            "idempotency_key_reused",
            _(
                "Этот ключ идемпотентности уже использован для других показаний. "
                "Для новой передачи нужен новый ключ."
            ),
            field="Idempotency-Key",
        )
    return SubmissionResult(submission, list(submission.readings.order_by("meter_id")), True)


def _meter_problem(meter_id: int, meter: Meter | None, error: rules.RuleError) -> dict:
    return {
        "meter_id": meter_id,
        "meter": str(meter) if meter else None,
        "code": error.code,
        "message": str(error.message),
    }


def readings_submit(
    *,
    actor,
    premises_id: int,
    values: Mapping[int, str],
    idempotency_key: str | None,
    channel: str,
    confirm_warnings: bool = False,
    now: datetime | None = None,
) -> SubmissionResult:
    """Accept this period's readings of several meters of one premises, all or none.

    A meter that already has a reading this period gets a new version (the old one is
    kept as superseded): that is how a citizen corrects a reading while the window is
    open. A reading that draws a warning is accepted only with `confirm_warnings`, and
    stays flagged for the operator. Sending the same key again returns the first result.
    """
    key = _check_key(idempotency_key)
    if not values:
        raise Invalid("readings_required", _("Введите показания хотя бы одного счётчика."))
    if len(values) > MAX_METERS_PER_SUBMISSION:
        raise Invalid(
            "too_many_readings",
            _("За один раз можно передать не больше %(count)d показаний.")
            % {"count": MAX_METERS_PER_SUBMISSION},
        )
    now = now or timezone.now()
    if not valid_id(premises_id):
        raise selectors.premises_not_found()
    fingerprint = submission_fingerprint(premises_id, values)
    try:
        return _submit(
            actor=actor,
            premises_id=premises_id,
            values=values,
            key=key,
            fingerprint=fingerprint,
            channel=channel,
            confirm_warnings=confirm_warnings,
            now=now,
        )
    except _Refused as refused:
        # The submission rolled back; what no household can use goes to the operator.
        if refused.referrals:
            _refer(actor=actor, referrals=refused.referrals)
        raise refused.error from None


class _Refused(Exception):
    """A refused submission, with the impossible readings to pass to the operator."""

    def __init__(self, error: DomainError, referrals: list[ReadingReferral]) -> None:
        super().__init__(error.code)
        self.error = error
        self.referrals = referrals


def _refer(*, actor, referrals: list[ReadingReferral]) -> None:
    """One open referral per meter and period: sending the same misread again refreshes it."""
    with transaction.atomic():
        for referral in referrals:
            fresh = {
                "value": referral.value,
                "previous_value": referral.previous_value,
                "limit": referral.limit,
                "submitted_by": actor,
                "created_at": referral.created_at,
            }
            updated = ReadingReferral.objects.filter(
                meter=referral.meter,
                period=referral.period,
                status=ReadingReferral.Status.OPEN,
            ).update(**fresh)
            if not updated:
                try:
                    with transaction.atomic():
                        referral.save()
                except IntegrityError:
                    # Another submission referred it a moment ago: refresh that one.
                    ReadingReferral.objects.filter(
                        meter=referral.meter,
                        period=referral.period,
                        status=ReadingReferral.Status.OPEN,
                    ).update(**fresh)
            audit_record(
                actor=actor,
                action="housing.reading_refer",
                target=referral.meter,
                period=referral.period.isoformat(),
                value=str(referral.value),
                previous=str(referral.previous_value),
            )


def _submit(
    *,
    actor,
    premises_id: int,
    values: Mapping[int, str],
    key: str,
    fingerprint: str,
    channel: str,
    confirm_warnings: bool,
    now: datetime,
) -> SubmissionResult:
    with transaction.atomic():
        # The key is claimed first: a retry, even one that comes after the window has
        # closed, finds the first answer. Claiming is inserting; the unique index makes a
        # concurrent retry wait for this transaction and then see its row. Whether the
        # premises is the actor's is checked with the meters' lock below (one query fewer
        # on the month-end path); a refusal rolls this back.
        submission = Submission(
            user=actor,
            premises_id=premises_id,
            idempotency_key=key,
            fingerprint=fingerprint,
            channel=channel,
            submitted_at=now,
        )
        if not _key_claimed(submission):
            earlier = Submission.objects.get(user=actor, idempotency_key=key)
            return _replay(earlier, fingerprint)
        try:
            period = rules.billing_period(now, clock.city_zone(), selectors.window_config())
        except rules.RuleError as error:
            raise rule_refusal(error) from error
        readings = _readings_for(
            actor=actor,
            premises_id=premises_id,
            submission=submission,
            values=values,
            period=period,
            confirm_warnings=confirm_warnings,
            now=now,
        )
        audit_record(
            actor=actor,
            action="housing.readings_submit",
            target=submission,
            period=period.isoformat(),
            readings={str(reading.meter_id): str(reading.value) for reading in readings},
            warnings_confirmed=any(reading.warnings for reading in readings),
        )
        use_id = usage_record(
            service=selectors.SERVICE_SLUG, actor=actor, action="submit", channel=channel
        )
    return SubmissionResult(submission, readings, False, use_id)


def _key_claimed(submission: Submission) -> bool:
    """Insert the submission unless its key was used: True, with its id set, if it went in.

    One INSERT … ON CONFLICT DO NOTHING RETURNING id (PostgreSQL and SQLite alike), where
    an insert that may fail needs a savepoint around it: two statements more. The ORM's
    bulk_create(ignore_conflicts=True) does not return the id.
    """
    fields = [field for field in Submission._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    conflict = ", ".join(
        quote(Submission._meta.get_field(name).column) for name in KEY_CONSTRAINT.fields
    )
    sql = (
        f"INSERT INTO {quote(Submission._meta.db_table)} "  # noqa: S608 (names of our model)
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(Submission._meta.pk.column)}"
    )
    values = [
        field.get_db_prep_save(getattr(submission, field.attname), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    submission.pk = inserted[0]
    submission._state.adding = False
    return True


def _readings_for(
    *,
    actor,
    premises_id: int,
    submission: Submission,
    values: Mapping[int, str],
    period: date,
    confirm_warnings: bool,
    now: datetime,
) -> list[Reading]:
    """Check every meter, then write all of them; raise with every meter's problem."""
    norms = selectors.norms()
    premises_meters, premises = _meters_locked(actor=actor, premises_id=premises_id)
    history = selectors.recent_accepted(
        meters=premises_meters.values(), through=period, per_meter=norms.zero_periods
    )
    problems, referrals, accepted = _values_checked(
        actor=actor,
        premises=premises,
        premises_meters=premises_meters,
        history=history,
        values=values,
        period=period,
        norms=norms,
        now=now,
    )
    if problems:
        first = problems[0]
        raise _Refused(
            Invalid(
                first["code"],
                _("Показания не сохранены. %(meter)s: %(message)s")
                % {"meter": first["meter"] or first["meter_id"], "message": first["message"]},
                field=f"readings.{first['meter_id']}",
                details={"errors": problems},
            ),
            referrals,
        )

    sent = {meter.pk for meter, *_rest in accepted}
    warned, new_readings = _readings_warned(
        actor=actor,
        premises=premises,
        premises_meters=premises_meters,
        history=history,
        accepted=accepted,
        sent=sent,
        submission=submission,
        period=period,
        norms=norms,
        now=now,
    )
    if warned and not confirm_warnings:
        raise Invalid(
            "consumption_needs_confirmation",
            _("Проверьте показания и подтвердите их. %(meter)s: %(message)s")
            % {"meter": warned[0]["meter"], "message": warned[0]["message"]},
            field=f"readings.{warned[0]['meter_id']}",
            details={"warnings": warned},
        )
    # Superseded before the new versions go in: one accepted reading per period. Stamped
    # with the clock under the meter's lock, not the request's arrival, so that versions
    # replace each other in the order they were written.
    corrected = [
        meter_id
        for meter_id in sent
        if history[meter_id][:1] and history[meter_id][0].period == period
    ]
    if corrected:
        Reading.objects.filter(
            meter__in=corrected, period=period, status=Reading.Status.ACCEPTED
        ).update(status=Reading.Status.SUPERSEDED, superseded_at=max(now, timezone.now()))
    return Reading.objects.bulk_create(new_readings)


def _meters_locked(*, actor, premises_id: int) -> tuple[dict[int, Meter], Premises]:
    """The actor's premises and every meter of it, locked in primary-key order."""
    # Every meter of the premises is locked, not only those sent: the norm is shared by
    # all meters of a kind, and their readings of this period count towards it. Only the
    # actor's premises has meters here; none at all means not theirs, or no meters yet.
    premises_meters = {
        meter.pk: meter
        for meter in Meter.objects.select_for_update(of=("self",))
        .select_related("premises")
        .filter(premises_id=premises_id, premises__links__person__user=actor)
        .order_by("pk")
    }
    if premises_meters:
        premises = next(iter(premises_meters.values())).premises
    else:
        premises = selectors.premises_get(actor=actor, premises_id=premises_id)
    return premises_meters, premises


def _values_checked(
    *, actor, premises, premises_meters, history, values, period: date, norms, now: datetime
) -> tuple[list[dict], list[ReadingReferral], list[tuple[Meter, Decimal, Decimal, int]]]:
    """Each sent value parsed and checked against its meter: the problems, the referrals of
    impossible consumption to the operator, and the accepted (meter, value, previous, months)."""
    today = clock.local_date(now)
    problems: list[dict] = []
    referrals: list[ReadingReferral] = []
    accepted: list[tuple[Meter, Decimal, Decimal, int]] = []
    for meter_id in sorted(values):
        meter = premises_meters.get(meter_id)
        if meter is None:
            problems.append(
                _meter_problem(
                    meter_id,
                    None,
                    rules.RuleError("meter_not_found", _("Такого счётчика в этом помещении нет.")),
                )
            )
            continue
        try:
            value = rules.parse_value(
                values[meter_id],
                integer_digits=meter.integer_digits,
                fraction_digits=meter.fraction_digits,
            )
        except rules.RuleError as error:
            problems.append(_meter_problem(meter_id, meter, error))
            continue
        earlier = [reading for reading in history[meter.pk] if reading.period < period]
        previous = earlier[0] if earlier else None
        previous_value = previous.value if previous else meter.initial_value
        refusal = rules.acceptance_refusal(
            meter=meter.facts,
            value=value,
            previous_value=previous_value,
            today=today,
        )
        if refusal is not None:
            problems.append(_meter_problem(meter_id, meter, refusal))
            continue
        months = (
            rules.months_between(previous.period, period)
            if previous
            else rules.months_between(rules.period_of(meter.commissioned_on), period) or 1
        )
        bound_facts = {
            "kind": meter.kind,
            "residents": premises.residents,
            "months": months,
            "norms": norms,
        }
        impossible = rules.impossible_consumption(
            consumption=value - previous_value, unit=meter.get_unit_display(), **bound_facts
        )
        if impossible is not None:
            problems.append(_meter_problem(meter_id, meter, impossible))
            referrals.append(
                ReadingReferral(
                    meter=meter,
                    period=period,
                    value=value,
                    previous_value=previous_value,
                    limit=rules.consumption_bound(**bound_facts),
                    submitted_by=actor,
                    created_at=now,
                )
            )
            continue
        accepted.append((meter, value, previous_value, months))
    return problems, referrals, accepted


def _readings_warned(
    *,
    actor,
    premises,
    premises_meters,
    history,
    accepted,
    sent: set[int],
    submission: Submission,
    period: date,
    norms,
    now: datetime,
) -> tuple[list[dict], list[Reading]]:
    """The new readings of the accepted values, with the warnings of their consumption
    (a kind's norm counts this period's readings of the meters not sent too)."""
    this_period = {
        meter_id: readings[0]
        for meter_id, readings in history.items()
        if readings and readings[0].period == period
    }
    kind_consumption: dict[str, Decimal] = defaultdict(Decimal)
    for meter, value, previous_value, _months in accepted:
        kind_consumption[meter.kind] += value - previous_value
    for meter_id, reading in this_period.items():
        if meter_id not in sent:
            kind_consumption[premises_meters[meter_id].kind] += reading.consumption
    warned: list[dict] = []
    new_readings = []
    for meter, value, previous_value, months in accepted:
        consumption_by_period = {
            reading.period: reading.consumption for reading in history[meter.pk]
        }
        earlier = [
            consumption_by_period.get(rules.add_months(period, -back))
            for back in range(1, norms.zero_periods)
        ]
        warnings = rules.consumption_warnings(
            kind=meter.kind,
            consumption=value - previous_value,
            kind_consumption=kind_consumption[meter.kind],
            residents=premises.residents,
            months=months,
            earlier_consumptions=earlier,
            norms=norms,
        )
        for code in warnings:
            if code == rules.HIGH_CONSUMPTION:
                message = rules.high_consumption_message(
                    kind=meter.kind,
                    consumption=kind_consumption[meter.kind],
                    residents=premises.residents,
                    months=months,
                    norms=norms,
                    unit=meter.get_unit_display(),
                )
            else:
                message = rules.warning_message(code, residents=premises.residents, norms=norms)
            warned.append(
                {"meter_id": meter.pk, "meter": str(meter), "code": code, "message": message}
            )
        new_readings.append(
            Reading(
                meter=meter,
                period=period,
                value=value,
                previous_value=previous_value,
                submission=submission,
                submitted_by=actor,
                submitted_at=now,
                channel=submission.channel,
                warnings=warnings,
                warnings_confirmed=bool(warnings),
            )
        )
    return warned, new_readings


# --- Operators: looking up premises, the billing export -------------------------------


def premises_look_up(*, actor, payer_code: str) -> selectors.PremisesCard | None:
    """An operator finds a premises by its payer code: who is linked, every meter's year.

    The names of the people living there are personal data: who looked is recorded.
    """
    require_operator(actor, act=False)
    premises = selectors.premises_by_payer_code(payer_code)
    if premises is None:
        return None
    card = selectors.premises_card(premises=premises)
    audit_read(actor=actor, action="housing.premises_view", target=premises)
    return card


def billing_export_take(*, actor, period: date) -> selectors.BillingExport:
    """The period's bill basis for the billing systems; payer codes and addresses leave
    the portal in it, so who took it is recorded."""
    require_operator(actor, act=False)
    audit_read(actor=actor, action="housing.billing_export", period=f"{period:%Y-%m}")
    return selectors.BillingExport(period)


# --- Operators: reviewing flagged readings, replacing meters -------------------------


def reading_review(
    *, actor, reading_id: int, reject: bool, reason: str = "", now: datetime | None = None
) -> Reading:
    """An operator looked at a flagged reading: keep it, or reject it (billed as none).

    Only a reading of the working period can be rejected: an earlier one has been billed,
    and past periods change only through a citizen's correction request.
    """
    require_operator(actor)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if reject and not reason:
        raise Invalid(
            "reason_required",
            _("Укажите причину отклонения: её увидит житель."),
            field="reason",
        )
    if not valid_id(reading_id):
        raise selectors.reading_not_found()
    with transaction.atomic():
        changes = {"reviewed_at": now}
        if reject:
            changes.update(status=Reading.Status.REJECTED, rejection_reason=reason[:500])
        reviewable = Reading.objects.filter(
            pk=reading_id, status=Reading.Status.ACCEPTED, reviewed_at__isnull=True
        )
        if reject:
            working = selectors.working_period(selectors.window_state(now))
            reviewable = reviewable.filter(period__gte=working)
        if not reviewable.update(**changes):
            found = Reading.objects.filter(pk=reading_id).first()
            if found is None:
                raise selectors.reading_not_found()
            if found.status != Reading.Status.ACCEPTED or found.reviewed_at is not None:
                raise Conflict("reading_already_reviewed", _("Показание уже проверено."))
            raise Conflict(
                "reading_period_billed",
                _(
                    "Показание прошлого периода уже учтено в начислении: отклонить его нельзя. "
                    "Исправить его можно только по заявке жителя."
                ),
            )
        reading = Reading.objects.select_related("meter").get(pk=reading_id)
        audit_record(
            actor=actor,
            action="housing.reading_reject" if reject else "housing.reading_review",
            target=reading,
            reason=reason,
        )
    return reading


def referral_close(*, actor, referral_id: int, now: datetime | None = None) -> ReadingReferral:
    """An operator has looked into an impossible reading (called the citizen, checked the
    meter); the reading itself was never accepted, so nothing else changes."""
    require_operator(actor)
    now = now or timezone.now()
    if not valid_id(referral_id):
        raise selectors.referral_not_found()
    with transaction.atomic():
        closed = ReadingReferral.objects.filter(
            pk=referral_id, status=ReadingReferral.Status.OPEN
        ).update(status=ReadingReferral.Status.CLOSED, closed_by=actor, closed_at=now)
        referral = ReadingReferral.objects.filter(pk=referral_id).first()
        if referral is None:
            raise selectors.referral_not_found()
        if not closed:
            raise Conflict("referral_already_closed", _("Уже разобрано."))
        audit_record(actor=actor, action="housing.referral_close", target=referral)
    return referral


def meter_replace(
    *,
    actor,
    meter_id: int,
    serial: str,
    initial_value: Decimal,
    installed_on: date,
    commissioned_on: date | None,
    next_verification_on: date,
    failed: bool = False,
) -> Meter:
    """A new meter takes the old one's place; its readings start from its initial value."""
    require_operator(actor)
    if not valid_id(meter_id):
        raise selectors.meter_not_found()
    with transaction.atomic():
        old = Meter.objects.select_for_update().filter(pk=meter_id).first()
        if old is None:
            raise selectors.meter_not_found()
        if old.status != Meter.Status.ACTIVE:
            raise Conflict("meter_not_active", _("Этот счётчик уже снят или заменён."))
        if installed_on < old.installed_on:
            raise Invalid(
                "replacement_before_installation",
                _("Новый счётчик не может быть установлен раньше старого (%(date)s).")
                % {"date": old.installed_on.strftime("%d.%m.%Y")},
                field="installed_on",
            )
        later = (
            old.readings.filter(
                status=Reading.Status.ACCEPTED, period__gt=rules.period_of(installed_on)
            )
            .order_by("period")
            .first()
        )
        if later is not None:
            raise Invalid(
                "readings_after_replacement",
                _("По старому счётчику уже принято показание за %(period)s: он работал позже.")
                % {"period": rules.period_label(later.period)},
                field="installed_on",
            )
        old.status = Meter.Status.FAILED if failed else Meter.Status.REPLACED
        old.retired_on = installed_on
        old.save(update_fields=["status", "retired_on"])
        new = Meter(
            premises_id=old.premises_id,
            kind=old.kind,
            unit=old.unit,
            serial=serial.strip(),
            location=old.location,
            installed_on=installed_on,
            commissioned_on=commissioned_on,
            initial_value=initial_value,
            next_verification_on=next_verification_on,
            integer_digits=old.integer_digits,
            fraction_digits=old.fraction_digits,
            replaces=old,
        )
        try:
            new.full_clean(exclude=["replaces"])
        except ValidationError as error:
            # A serial already in use, dates out of order: the form shows it by the field.
            field, messages = next(iter(error.message_dict.items()))
            raise Invalid(
                "meter_invalid",
                messages[0],
                field=None if field == NON_FIELD_ERRORS else field,
            ) from error
        new.save()
        audit_record(
            actor=actor, action="housing.meter_replace", target=new, replaced=old.pk, failed=failed
        )
    return new
