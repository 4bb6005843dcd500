"""Schedules become slots; a schedule change or a doctor's absence closes slots and says so.

- `slots_open` (the hourly task and `gorod health open-slots`) generates every active
  doctor's slots from their schedules up to the day after the last open one, so the day that
  opens at 08:00 is already there. It is idempotent: a second run finds the slots and adds
  none. Roles are taken in batches, each batch read in three queries and written in one or
  two, whatever the number of slots.
- `schedule_save` and `absence_add` are the registry's writes. A slot that no longer fits is
  marked busy-unavailable rather than deleted (a FHIR client that saw it learns it is gone);
  its booked appointment is cancelled with the reason, and the patient (or the parent) hears
  it with the nearest free times.

Locks are taken in one order everywhere: the role's row first, then its slots, then the
appointments. The role's lock keeps the registry's writes and the generator from
interleaving; a patient's booking or cancel does not take it, and `_close_slots` settles
those races by conditional updates (ADR 0006).
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.appointments import rules
from gorod.appointments.models import HOLDS_SLOT, Absence, Appointment, Schedule, Slot
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.selectors.board import board_touched
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import PractitionerRole
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, DomainError, Forbidden, NotFound
from gorod.core.ids import valid_id
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

# Roles generated per transaction: a batch of doctors' two weeks is a few tens of thousands
# of rows, written in one statement per BULK_SIZE.
ROLES_PER_BATCH = 50
BULK_SIZE = 2000
# Slots a slot is held by between statuses (the booking service's "busy").
LIVE = (Slot.Status.FREE, Slot.Status.BUSY, Slot.Status.BUSY_TENTATIVE)
# `_close_slots` repeats until a pass finds nothing: a booking that slipped between two
# statements is caught by the next pass. Two passes are the rule, three a rare race.
CLOSE_PASSES = 5
CANCELLED_TOPIC = "health.appointment_cancelled"


def when_label(moment: datetime) -> str:
    """ "26.11.2026 10:00" in the city's time zone, as the messages write a visit's time."""
    return moment.astimezone(clock.city_zone()).strftime("%d.%m.%Y %H:%M")


def pattern_of(schedule: Schedule) -> rules.WorkingPattern:
    return rules.WorkingPattern(
        weekdays=schedule.weekday_numbers,
        day_start=schedule.day_start,
        day_end=schedule.day_end,
        break_start=schedule.break_start,
        break_end=schedule.break_end,
        slot_minutes=schedule.slot_minutes,
        online_percent=schedule.online_percent,
        valid_from=schedule.valid_from,
        valid_until=schedule.valid_until,
    )


def _lock_roles(role_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Lock the roles' rows; their organisation and specialty ids, which slots copy.

    FOR NO KEY UPDATE: the slots inserted for the role (a foreign key to it) do not wait
    on it. SQLite's IMMEDIATE transactions serialise writers instead; there it is a read.
    """
    rows = (
        PractitionerRole.objects.select_for_update(no_key=True)
        .filter(pk__in=role_ids)
        .order_by("pk")
        .values_list("pk", "organisation_id", "specialty_id")
    )
    return {pk: (organisation_id, specialty_id) for pk, organisation_id, specialty_id in rows}


@dataclass(frozen=True)
class OpenedSlots:
    through: date
    roles: int
    # New rows, and busy-unavailable rows the schedule gives again (reopened as free).
    created: int
    reopened: int


@dataclass
class _Existing:
    """One role's slots in the window, as the generator needs them."""

    # (start, end) of slots that hold time: free or taken. Sorted by start.
    live: list[tuple[datetime, datetime]]
    # Closed slots (busy-unavailable) by start: reopened when the schedule gives them.
    closed: dict[datetime, int]
    # Any slot's start: the (role, start) unique constraint.
    starts: set[datetime]


def _overlaps_any(
    intervals: list[tuple[datetime, datetime]], ends: list[datetime], start, end
) -> bool:
    """Whether [start, end) overlaps one of the sorted intervals (`ends`: running maximum)."""
    index = bisect_left(intervals, (end,))
    return index > 0 and ends[index - 1] > start


def _plan_role(
    schedules: list[Schedule],
    absences: list[tuple[datetime, datetime]],
    existing: _Existing,
    *,
    days: list[date],
    now: datetime,
) -> tuple[list[tuple[Schedule, rules.PlannedSlot]], list[tuple[Schedule, rules.PlannedSlot, int]]]:
    """What to insert and what to reopen for one role: future, outside absences, not
    overlapping a slot that holds time, the newest schedule first when two give one time."""
    zone = clock.city_zone()
    planned = [
        (schedule, slot)
        for schedule in sorted(schedules, key=lambda s: (s.valid_from, s.pk), reverse=True)
        for day in days
        for slot in rules.slots_of_day(pattern_of(schedule), day, zone)
        if slot.start > now
        and not any(a_start < slot.end and slot.start < a_end for a_start, a_end in absences)
    ]
    planned.sort(key=lambda item: item[1].start)
    live = existing.live
    running_end: list[datetime] = []
    for _start, end in live:
        running_end.append(max(end, running_end[-1]) if running_end else end)
    create, reopen = [], []
    accepted_until = None
    for schedule, slot in planned:
        if accepted_until is not None and slot.start < accepted_until:
            continue  # two schedules of one doctor give overlapping times: the first wins
        if _overlaps_any(live, running_end, slot.start, slot.end):
            continue
        if slot.start in existing.closed:
            reopen.append((schedule, slot, existing.closed[slot.start]))
        elif slot.start in existing.starts:
            continue  # entered in error: that time stays as it is
        else:
            create.append((schedule, slot))
        accepted_until = slot.end
    return create, reopen


def _existing_slots(role_ids: list[int], *, now: datetime, end: datetime) -> dict[int, _Existing]:
    existing: dict[int, _Existing] = defaultdict(lambda: _Existing([], {}, set()))
    rows = (
        Slot.objects.filter(role_id__in=role_ids, start__lt=end, end__gt=now)
        .order_by("role_id", "start")
        .values_list("pk", "role_id", "start", "end", "status")
    )
    for pk, role_id, start, finish, status in rows:
        mine = existing[role_id]
        mine.starts.add(start)
        if status in LIVE:
            mine.live.append((start, finish))
        elif status == Slot.Status.BUSY_UNAVAILABLE and start > now:
            mine.closed[start] = pk
    return existing


def _open_batch(role_ids: list[int], *, days: list[date], now: datetime) -> tuple[int, int]:
    zone = clock.city_zone()
    window_end = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=zone)
    with transaction.atomic():
        roles = _lock_roles(role_ids)
        schedules: dict[int, list[Schedule]] = defaultdict(list)
        for schedule in _schedules_in(days[0], days[-1]).filter(role_id__in=role_ids):
            schedules[schedule.role_id].append(schedule)
        absences: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for role_id, starts_at, ends_at in Absence.objects.filter(
            role_id__in=role_ids, ends_at__gt=now, starts_at__lt=window_end
        ).values_list("role_id", "starts_at", "ends_at"):
            absences[role_id].append((starts_at, ends_at))
        existing = _existing_slots(role_ids, now=now, end=window_end)
        new_slots, reopened = [], []
        for role_id in role_ids:
            create, reopen = _plan_role(
                schedules[role_id], absences[role_id], existing[role_id], days=days, now=now
            )
            new_slots += [
                Slot(
                    schedule=schedule,
                    role_id=role_id,
                    organisation_id=roles[role_id][0],
                    specialty_id=roles[role_id][1],
                    start=planned.start,
                    end=planned.end,
                    online=planned.online,
                    status=Slot.Status.FREE,
                )
                for schedule, planned in create
            ]
            reopened += [
                Slot(
                    pk=pk,
                    schedule=schedule,
                    end=planned.end,
                    online=planned.online,
                    status=Slot.Status.FREE,
                    updated_at=now,
                )
                for schedule, planned, pk in reopen
            ]
        reopened = _without_holders(reopened)
        if reopened:
            Slot.objects.bulk_update(
                reopened,
                ["schedule", "end", "online", "status", "updated_at"],
                batch_size=BULK_SIZE,
            )
        # The role's lock keeps a second generator out, so every row is new; the conflict
        # clause only guards the (role, start) constraint against a bug.
        Slot.objects.bulk_create(new_slots, batch_size=BULK_SIZE, ignore_conflicts=True)
        for organisation_id, specialty_id in {roles[role_id] for role_id in role_ids}:
            board_touched(organisation_id, specialty_id)
    return len(new_slots), len(reopened)


def _without_holders(slots: list[Slot]) -> list[Slot]:
    """A closed slot an appointment still holds (say, a visit marked) stays closed."""
    if not slots:
        return slots
    held = set(
        Appointment.objects.filter(
            slot_id__in=[slot.pk for slot in slots], status__in=HOLDS_SLOT
        ).values_list("slot_id", flat=True)
    )
    return [slot for slot in slots if slot.pk not in held]


def _schedules_in(first: date, last: date):
    return Schedule.objects.filter(valid_from__lte=last).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first)
    )


def slots_open(
    *,
    through: date | None = None,
    now: datetime | None = None,
    role_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OpenedSlots:
    """Generate the slots of every working doctor from today to `through`.

    By default `through` is the day after the last open day, so the next day is ready
    before it opens. Times already past, times in the doctor's absence and times that
    overlap a slot already there are skipped; a closed slot the schedule gives again is
    reopened. `progress(done, total)` is called after each batch of roles.
    """
    now = clock.local_now(now)
    today = now.date()
    if through is None:
        through = rules.last_open_day(now, selectors.booking_policy()) + timedelta(days=1)
    days = [today + timedelta(days=offset) for offset in range((through - today).days + 1)]
    if not days:
        return OpenedSlots(through, 0, 0, 0)
    roles = (
        _schedules_in(today, through)
        .filter(
            role__active=True,
            role__practitioner__active=True,
            role__organisation__active=True,
            role__location__active=True,
        )
        .values_list("role_id", flat=True)
        .distinct()
        .order_by("role_id")
    )
    if role_ids is not None:
        roles = roles.filter(role_id__in=list(role_ids))
    roles = list(roles)
    created = reopened = 0
    for offset in range(0, len(roles), ROLES_PER_BATCH):
        batch = roles[offset : offset + ROLES_PER_BATCH]
        batch_created, batch_reopened = _open_batch(batch, days=days, now=now)
        created += batch_created
        reopened += batch_reopened
        if progress is not None:
            progress(offset + len(batch), len(roles))
    return OpenedSlots(through, len(roles), created, reopened)


def _close_slots(slot_ids: list[int], *, actor, reason: str, now: datetime) -> tuple[int, list]:
    """Mark these slots busy-unavailable; cancel the appointments booked in them.

    Conditional updates only, as the booking service does: a free slot closes only if still
    free, a booked appointment is cancelled only if still booked. A patient booking or
    cancelling between two statements leaves a slot free or booked that the next pass
    closes. Returns how many free slots closed and the ids of the appointments cancelled.
    """
    closed, cancelled = 0, []
    by = actor if getattr(actor, "is_authenticated", False) else None
    for _pass in range(CLOSE_PASSES):
        freed = Slot.objects.filter(pk__in=slot_ids, status=Slot.Status.FREE).update(
            status=Slot.Status.BUSY_UNAVAILABLE, updated_at=now
        )
        booked = list(
            Appointment.objects.filter(
                slot_id__in=slot_ids, status=Appointment.Status.BOOKED
            ).values_list("pk", flat=True)
        )
        if booked:
            Appointment.objects.filter(pk__in=booked, status=Appointment.Status.BOOKED).update(
                status=Appointment.Status.CANCELLED,
                cancellation_reason=reason,
                cancelled_at=now,
                cancelled_by=by,
                updated_at=now,
            )
            # Ours are the ones now cancelled with this reason at this moment; one a patient
            # cancelled or moved meanwhile has its own reason.
            mine = list(
                Appointment.objects.filter(
                    pk__in=booked,
                    status=Appointment.Status.CANCELLED,
                    cancellation_reason=reason,
                    cancelled_at=now,
                ).values_list("pk", "slot_id")
            )
            Slot.objects.filter(
                pk__in=[slot_id for _pk, slot_id in mine], status=Slot.Status.BUSY
            ).update(status=Slot.Status.BUSY_UNAVAILABLE, updated_at=now)
            cancelled += [pk for pk, _slot_id in mine]
        closed += freed
        if not freed and not booked:
            break
    return closed, cancelled


def _alternatives_text(alternatives: list[Slot]) -> str:
    if not alternatives:
        return _(
            "Свободного времени к этому специалисту в ближайшие дни нет. Загляните позже "
            "или позвоните в регистратуру поликлиники."
        )
    lines = [_("Ближайшее свободное время:")]
    lines += [
        f"— {when_label(slot.start)}, {slot.role.practitioner.initials_name}"
        for slot in alternatives
    ]
    return "\n".join(lines)


def _cancellation_words(appointment: Appointment, alternatives: list[Slot]) -> tuple[str, str]:
    values = {
        "patient": appointment.person.full_name,
        "specialty": appointment.specialty.display_name,
        "doctor": appointment.slot.role.practitioner.initials_name,
        "when": when_label(appointment.start),
        "reason": Appointment.Reason(appointment.cancellation_reason).label,
    }
    body = "\n\n".join(
        (
            _(
                "%(patient)s: запись к врачу отменена — %(specialty)s, %(doctor)s, "
                "%(when)s. Причина: %(reason)s."
            )
            % values,
            _alternatives_text(alternatives),
            _("Выбрать другое время можно в разделе «Мои записи»."),
        )
    )
    return _("Запись к врачу на %(when)s отменена") % values, body


def _notify_cancelled(appointment_ids: list[int], *, now: datetime) -> int:
    """Tell each patient (or the parent) why the visit is off and where there is room."""
    if not appointment_ids:
        return 0
    link = reverse("health:appointments")
    drafts = []
    appointments = Appointment.objects.filter(pk__in=appointment_ids).select_related(
        "person", "specialty", "slot__role__practitioner"
    )
    for appointment in appointments:
        alternatives = selectors.alternatives_to(appointment.slot, now=now)
        texts = in_every_language(partial(_cancellation_words, appointment, alternatives))
        drafts += [
            Draft(
                person_id=person_id,
                key=f"{CANCELLED_TOPIC}:{appointment.pk}:{person_id}",
                texts=texts,
                link=link,
            )
            for person_id in clinic_selectors.recipients_of(appointment.person)
        ]
    return messages_enqueue(topic=CANCELLED_TOPIC, drafts=drafts)


def _role_for(actor, role_id: int) -> PractitionerRole:
    role = (
        PractitionerRole.objects.filter(pk=role_id).select_related("specialty").first()
        if valid_id(role_id)
        else None
    )
    if role is None:
        raise NotFound("role_not_found", _("Врач не найден."), field="role")
    if not clinic_selectors.is_registrar_of(actor, role.organisation_id):
        raise Forbidden(
            "not_a_registrar",
            _("Это действие доступно только регистратуре этой поликлиники."),
        )
    return role


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("schedule_invalid", message, field=field)


def _weekdays(weekdays: Iterable[int | str] | str) -> frozenset[int]:
    if isinstance(weekdays, str):
        weekdays = [part for part in weekdays.split(",") if part.strip()]
    try:
        days = frozenset(int(day) for day in weekdays)
    except (TypeError, ValueError):
        days = frozenset({0})
    if not days or not days <= set(range(1, 8)):
        raise _invalid("weekdays", _("Выберите хотя бы один день недели."))
    return days


def _pattern_refusal(pattern: rules.WorkingPattern) -> DomainError | None:
    """A pattern the database would refuse, or that gives no slot, told field by field."""
    if pattern.valid_until is not None and pattern.valid_until < pattern.valid_from:
        return _invalid("valid_until", _("Окончание действия не может быть раньше начала."))
    if pattern.day_end <= pattern.day_start:
        return _invalid("day_end", _("Конец приёма должен быть позже начала."))
    if (pattern.break_start is None) != (pattern.break_end is None):
        return _invalid(
            "break_end", _("Укажите и начало, и конец перерыва — или ни того, ни другого.")
        )
    if pattern.break_start is not None and not (
        pattern.day_start < pattern.break_start < pattern.break_end < pattern.day_end
    ):
        return _invalid("break_start", _("Перерыв должен быть внутри часов приёма."))
    if not 5 <= pattern.slot_minutes <= 120:
        return _invalid("slot_minutes", _("Длительность приёма — от 5 до 120 минут."))
    if not 0 <= pattern.online_percent <= 100:
        return _invalid("online_percent", _("Доля записи через портал — от 0 до 100 %."))
    probe = replace(pattern, weekdays=frozenset(range(1, 8)), valid_until=None)
    if not rules.slots_of_day(probe, pattern.valid_from, clock.city_zone()):
        return _invalid("slot_minutes", _("В эти часы не помещается ни один приём."))
    return None


def _overlap_refusal(role: PractitionerRole, pattern: rules.WorkingPattern, *, excluding):
    """Two schedules of one doctor must not claim the same hours of the same weekday."""
    others = _schedules_in(pattern.valid_from, pattern.valid_until or date.max).filter(
        role=role, day_start__lt=pattern.day_end, day_end__gt=pattern.day_start
    )
    if excluding is not None:
        others = others.exclude(pk=excluding)
    for other in others:
        if other.weekday_numbers & pattern.weekdays:
            return Conflict(
                "schedule_overlap",
                _(
                    "Это расписание пересекается с другим расписанием врача (%(other)s, с "
                    "%(since)s). Сначала ограничьте срок действия прежнего."
                )
                % {"other": other, "since": other.valid_from.strftime("%d.%m.%Y")},
                field="valid_from",
            )
    return None


def _within_hours(pattern: rules.WorkingPattern, start: datetime, end: datetime) -> bool:
    """Whether the doctor still works all of [start, end) under the pattern."""
    zone = clock.city_zone()
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end.date() != local_start.date() or not rules.works_on(pattern, local_start.date()):
        return False
    begins, finishes = local_start.time(), local_end.time()
    if begins < pattern.day_start or finishes > pattern.day_end:
        return False
    if pattern.break_start is not None:
        return not (begins < pattern.break_end and pattern.break_start < finishes)
    return True


def _unfit_slots(schedule: Schedule, *, now: datetime) -> tuple[list[int], list[int], list[int]]:
    """The schedule's future slots after a change: which to close, and whose portal quota
    flag to turn on and off.

    A free slot stays only if the new pattern gives exactly it. A booked one stays while the
    doctor still works at its time, so a patient is not sent away for a shifted grid.
    """
    zone = clock.city_zone()
    pattern = pattern_of(schedule)
    grids: dict[date, dict[tuple[datetime, datetime], bool]] = {}
    unfit, online_on, online_off = [], [], []
    for pk, start, end, status, online in Slot.objects.filter(
        schedule=schedule, start__gt=now, status__in=(Slot.Status.FREE, Slot.Status.BUSY)
    ).values_list("pk", "start", "end", "status", "online"):
        if status == Slot.Status.BUSY:
            if not _within_hours(pattern, start, end):
                unfit.append(pk)
            continue
        day = start.astimezone(zone).date()
        if day not in grids:
            grids[day] = {
                (slot.start, slot.end): slot.online
                for slot in rules.slots_of_day(pattern, day, zone)
            }
        portal = grids[day].get((start, end))
        if portal is None:
            unfit.append(pk)
        elif portal != online:
            (online_on if portal else online_off).append(pk)
    return unfit, online_on, online_off


@dataclass(frozen=True)
class ScheduleSaved:
    schedule: Schedule
    created: bool
    # Free slots closed, appointments cancelled (ids), messages written.
    closed: int
    cancelled: list[int]
    notified: int
    opened: OpenedSlots


SCHEDULE_FIELDS = (
    "valid_from",
    "valid_until",
    "weekdays",
    "day_start",
    "day_end",
    "break_start",
    "break_end",
    "slot_minutes",
    "online_percent",
)


def _plain(value) -> object:
    return value.isoformat() if isinstance(value, date | time) else value


def _schedule_to_save(role: PractitionerRole, schedule_id: int | None) -> Schedule:
    """A new schedule of the role, or the role's schedule being changed (not found if not its)."""
    if schedule_id is None:
        return Schedule(role=role)
    schedule = (
        Schedule.objects.filter(pk=schedule_id, role=role).first()
        if valid_id(schedule_id)
        else None
    )
    if schedule is None:
        raise NotFound("schedule_not_found", _("Расписание не найдено."))
    return schedule


def _apply_pattern(schedule: Schedule, pattern: rules.WorkingPattern) -> None:
    schedule.valid_from, schedule.valid_until = pattern.valid_from, pattern.valid_until
    schedule.weekdays = ",".join(str(day) for day in sorted(pattern.weekdays))
    schedule.day_start, schedule.day_end = pattern.day_start, pattern.day_end
    schedule.break_start, schedule.break_end = pattern.break_start, pattern.break_end
    schedule.slot_minutes = pattern.slot_minutes
    schedule.online_percent = pattern.online_percent
    schedule.save()


def _fit_slots_to_changed(schedule: Schedule, *, actor, now: datetime) -> tuple[int, list[int]]:
    """After a change: close the future slots that no longer fit, re-mark the online share.

    Returns how many slots closed and the ids of the appointments cancelled with them.
    """
    unfit, online_on, online_off = _unfit_slots(schedule, now=now)
    closed, cancelled = _close_slots(
        unfit, actor=actor, reason=Appointment.Reason.SCHEDULE_CHANGED, now=now
    )
    board_touched(schedule.role.organisation_id, schedule.role.specialty_id)
    for ids, online in ((online_on, True), (online_off, False)):
        if ids:
            Slot.objects.filter(pk__in=ids).update(online=online, updated_at=now)
    return closed, cancelled


def schedule_save(
    *,
    actor,
    role_id: int,
    schedule_id: int | None = None,
    valid_from: date,
    valid_until: date | None = None,
    weekdays: Iterable[int | str] | str,
    day_start: time,
    day_end: time,
    break_start: time | None = None,
    break_end: time | None = None,
    slot_minutes: int | None = None,
    online_percent: int = 100,
    now: datetime | None = None,
) -> ScheduleSaved:
    """The registry creates a doctor's schedule or changes one, and the slots follow.

    The slot length defaults to the specialty's federal norm. After a change, the future
    slots that no longer fit close (their patients are told, with the nearest free
    times), and the new pattern's slots open up to the horizon.
    """
    now = now or timezone.now()
    role = _role_for(actor, role_id)
    pattern = rules.WorkingPattern(
        weekdays=_weekdays(weekdays),
        day_start=day_start,
        day_end=day_end,
        break_start=break_start,
        break_end=break_end,
        slot_minutes=slot_minutes or role.specialty.slot_minutes,
        online_percent=online_percent,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if refusal := _pattern_refusal(pattern):
        raise refusal
    with transaction.atomic():
        _lock_roles([role.pk])
        schedule = _schedule_to_save(role, schedule_id)
        if refusal := _overlap_refusal(role, pattern, excluding=schedule.pk):
            raise refusal
        created = schedule.pk is None
        before = {name: _plain(getattr(schedule, name, None)) for name in SCHEDULE_FIELDS}
        _apply_pattern(schedule, pattern)
        closed, cancelled = 0, []
        if not created:
            closed, cancelled = _fit_slots_to_changed(schedule, actor=actor, now=now)
        opened = slots_open(now=now, role_ids=[role.pk])
        notified = _notify_cancelled(cancelled, now=now)
        after = {name: _plain(getattr(schedule, name)) for name in SCHEDULE_FIELDS}
        audit_record(
            actor=actor,
            action="health.schedule_create" if created else "health.schedule_change",
            target=schedule,
            role=role.pk,
            changes={
                name: [before[name], after[name]]
                for name in SCHEDULE_FIELDS
                if created or before[name] != after[name]
            },
            closed=closed,
            cancelled=cancelled,
            opened=opened.created + opened.reopened,
        )
    return ScheduleSaved(schedule, created, closed, cancelled, notified, opened)


@dataclass(frozen=True)
class AbsenceAdded:
    absence: Absence
    closed: int
    cancelled: list[int]
    notified: int


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, clock.city_zone())
    return moment


def absence_add(
    *,
    actor,
    role_id: int,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> AbsenceAdded:
    """The registry records a doctor's absence; the doctor's slots in it close.

    Booked appointments in the period are cancelled ("врач отсутствует"), including ones
    earlier today that were never marked, so no patient gets a no-show for a doctor who
    was not there. An absence may start earlier today, not on a past day.
    """
    now = now or timezone.now()
    role = _role_for(actor, role_id)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    reason = (reason or "").strip()
    today_starts = datetime.combine(clock.local_now(now).date(), time(0), tzinfo=clock.city_zone())
    if not reason:
        raise DomainError("absence_invalid", _("Укажите причину отсутствия."), field="reason")
    if len(reason) > Absence._meta.get_field("reason").max_length:
        raise DomainError("absence_invalid", _("Причина слишком длинная."), field="reason")
    if ends_at <= starts_at:
        raise DomainError(
            "absence_invalid", _("Окончание отсутствия должно быть позже начала."), field="ends_at"
        )
    if starts_at < today_starts:
        raise DomainError(
            "absence_in_past",
            _("Отсутствие нельзя внести задним числом: начало — не раньше сегодняшнего дня."),
            field="starts_at",
        )
    if ends_at <= now:
        raise DomainError("absence_in_past", _("Это отсутствие уже закончилось."), field="ends_at")
    with transaction.atomic():
        _lock_roles([role.pk])
        absence = Absence.objects.create(
            role=role,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        slot_ids = list(
            Slot.objects.filter(role=role, start__lt=ends_at, end__gt=starts_at)
            .filter(status__in=LIVE)
            .values_list("pk", flat=True)
        )
        closed, cancelled = _close_slots(
            slot_ids, actor=actor, reason=Appointment.Reason.DOCTOR_ABSENT, now=now
        )
        board_touched(role.organisation_id, role.specialty_id)
        notified = _notify_cancelled(cancelled, now=now)
        audit_record(
            actor=actor,
            action="health.absence_add",
            target=absence,
            role=role.pk,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            closed=closed,
            cancelled=cancelled,
        )
    return AbsenceAdded(absence, closed, cancelled, notified)
