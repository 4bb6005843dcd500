"""Every write of clubs: a family's applications, the organisation's decisions, and how
places move along the waiting list.

Places are held by the database. A place is taken only by
`UPDATE group SET taken = taken + 1 WHERE id = … AND taken < capacity` and given back by
the write that closes the application holding it, and a CHECK keeps `taken` within the
capacity, so 500 parents pressing "apply" in the same second seat exactly as many children
as there are places.

Locks, always in this order, so that no two writes wait on each other in a circle:
1. the child's row: one family's applications queue, so the free-programme limit and the
   schedule are read and kept under one lock (two tabs cannot take a fourth free programme);
2. the group's row: the waiting list's order. The submission moment is read after this
   lock, so the order of the moments is the order in which places were given — first come,
   first served, also under a rush.
An application's status changes by a conditional UPDATE from the status it was read in.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gorod.accounts.models import Guardianship, Person
from gorod.analytics.services import usage_record
from gorod.clubs import notify, rules
from gorod.clubs.models import (
    GROUP_CAPACITY_MAX,
    Application,
    ApplicationEvent,
    Group,
    GroupSession,
)
from gorod.clubs.selectors import staff_application_for, staff_group_for
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, Forbidden, Invalid, NotFound

Status = Application.Status
Cause = ApplicationEvent.Cause

SERVICE_SLUG = "clubs-enrollment"


def application_submit(
    *, actor, child_id: int, group_id: int, channel: str = "web", now: datetime | None = None
) -> Application:
    """Apply for a child: a place if one is free, else the end of the waiting list.
    Counted as a use of the service, which the family rates once the child is enrolled."""
    representative = _person_of(actor)
    with transaction.atomic():
        child = _ward_locked(representative, child_id)
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("programme")
            .filter(pk=group_id, active=True)
            .first()
        )
        if group is None:
            raise NotFound("group_not_found", _("Группа не найдена или набор в неё закрыт."))
        moment = now or clock.now()
        _check_admission(child, group, moment)
        took_place = _take_place(group.pk)
        status = (
            rules.status_on_place(requires_test=group.programme.requires_test)
            if took_place
            else Status.WAITLISTED
        )
        application = Application.objects.create(
            child=child,
            representative=representative,
            group=group,
            status=status,
            submitted_at=moment,
            status_changed_at=moment,
            confirm_by=_confirm_by(moment) if status == Status.INVITED else None,
            use_id=usage_record(
                service=SERVICE_SLUG, actor=actor, action="submit", channel=channel
            ),
        )
        ApplicationEvent.objects.create(
            application=application, status=status, at=moment, actor=actor, cause=Cause.SUBMITTED
        )
        audit_record(
            actor=actor, action="clubs.application_submitted", target=application, status=status
        )
        notify.on_commit([application.pk])
    return application


def application_withdraw(*, actor, application_id: int, now: datetime | None = None) -> Application:
    """The family withdraws: a held place goes to the next on the waiting list."""
    me = _person_of(actor)
    with transaction.atomic():
        found = _of_family(me).filter(pk=application_id).values_list("group_id", flat=True).first()
        if found is None:
            raise NotFound("application_not_found", _("Заявление не найдено."))
        _lock_group(found)
        application = Application.objects.select_related("group__programme").get(pk=application_id)
        moment = now or clock.now()
        moved = _close(application, Status.CANCELLED, actor=actor, now=moment, cause=Cause.FAMILY)
        audit_record(actor=actor, action="clubs.application_withdrawn", target=application)
        notify.on_commit(moved)
    return application


def application_accept(*, actor, application_id: int, now: datetime | None = None) -> Application:
    """The family answers an invitation: they will come with the documents in time."""
    me = _person_of(actor)
    moment = now or clock.now()
    with transaction.atomic():
        application = _of_family(me).filter(pk=application_id).first()
        if application is None:
            raise NotFound("application_not_found", _("Заявление не найдено."))
        updated = Application.objects.filter(
            pk=application.pk, status=Status.INVITED, accepted_at__isnull=True
        ).update(accepted_at=moment)
        if updated:
            application.accepted_at = moment
            audit_record(actor=actor, action="clubs.invitation_accepted", target=application)
        elif application.accepted_at is None:
            raise Conflict("not_invited", _("Принять можно только приглашение на зачисление."))
    return application


def application_move(
    *, actor, application_id: int, target: str, reason: str = "", now: datetime | None = None
) -> Application:
    """The organisation's decision: review, invite to a test, invite, enroll or reject."""
    if target not in rules.STAFF_DECISIONS:
        raise Invalid("bad_status", _("Такого решения по заявлению нет."), field="status")
    reason = reason.strip()
    if target in rules.CLOSED and not reason:
        raise Invalid("reason_required", _("Укажите причину: её увидит семья."), field="reason")
    if len(reason) > Application._meta.get_field("reason").max_length:
        raise Invalid("reason_too_long", _("Причина — не длиннее 500 знаков."), field="reason")
    if "\x00" in reason:
        raise Invalid("bad_text", _("В тексте недопустимый символ."), field="reason")
    moment = now or clock.now()
    with transaction.atomic():
        found = staff_application_for(actor, application_id)
        _lock_group(found.group_id)
        application = Application.objects.select_related("group__programme").get(pk=found.pk)
        if target not in rules.staff_moves(application.status):
            raise Conflict(
                "status_not_allowed",
                _("Из статуса «%(status)s» так поступить нельзя.")
                % {"status": application.get_status_display()},
            )
        if target in rules.CLOSED:
            moved = _close(
                application,
                target,
                actor=actor,
                now=moment,
                cause=Cause.ORGANISATION,
                reason=reason,
            )
        else:
            _set_status(
                application,
                target,
                actor=actor,
                now=moment,
                cause=Cause.ORGANISATION,
                reason=reason,
            )
            moved = [application.pk]
        audit_record(
            actor=actor, action="clubs.application_moved", target=application, status=target
        )
        notify.on_commit(moved)
    return application


def group_capacity_set(
    *, actor, group_id: int, capacity: int, now: datetime | None = None
) -> Group:
    """Change a group's places; more places seat the waiting children at once, in order."""
    with transaction.atomic():
        staff_group_for(actor, group_id)
        group = _lock_group(group_id)
        if capacity > GROUP_CAPACITY_MAX:
            raise Invalid(
                "capacity_out_of_range",
                _("Мест — от 1 до %(max)s.") % {"max": GROUP_CAPACITY_MAX},
                field="capacity",
            )
        if capacity == group.capacity:
            return group
        if capacity < max(group.taken, 1):
            raise Invalid(
                "capacity_below_taken",
                _("Мест не может быть меньше, чем уже занято (%(taken)s).")
                % {"taken": group.taken},
                field="capacity",
            )
        before = group.capacity
        Group.objects.filter(pk=group.pk).update(capacity=capacity)
        group.capacity = capacity
        promoted = _promote(group, actor=actor, now=now or clock.now())
        audit_record(
            actor=actor,
            action="clubs.group_capacity_set",
            target=group,
            before=before,
            after=capacity,
        )
        notify.on_commit(promoted)
    return group


def invitations_lapse(*, now: datetime | None = None) -> int:
    """Cancel the invitations not confirmed in time and give their places to the next
    in line; how many lapsed. Idempotent, for the periodic task."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    lapsed = 0
    due = Application.objects.filter(status=Status.INVITED, confirm_by__lt=today).values_list(
        "pk", "group_id"
    )
    for application_id, group_id in due.order_by("group_id", "pk"):
        with transaction.atomic():
            _lock_group(group_id)
            application = (
                Application.objects.select_related("group__programme")
                .filter(pk=application_id, status=Status.INVITED)
                .first()
            )
            if application is None or not rules.invitation_lapsed(
                confirm_by=application.confirm_by, today=today
            ):
                continue  # confirmed or withdrawn since the list was read
            moved = _close(
                application, Status.CANCELLED, actor=None, now=moment, cause=Cause.LAPSED
            )
            audit_record(actor=None, action="clubs.invitation_lapsed", target=application)
            notify.on_commit(moved)
            lapsed += 1
    return lapsed


# --- the parts ------------------------------------------------------------------------------


def _person_of(actor) -> Person:
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if person is None:
        raise NotFound("person_not_found", _("Войдите как законный представитель ребёнка."))
    return person


def _of_family(me: Person):
    """The applications of the children a person verifiably represents."""
    return Application.objects.filter(
        child__guardians__guardian=me, child__guardians__verified_at__isnull=False
    )


def _ward_locked(representative: Person, child_id: int) -> Person:
    """The child's row, locked; only a verified legal representative applies for them."""
    verified = (
        Guardianship.objects.filter(guardian=representative, child_id=child_id)
        .values_list("verified_at", flat=True)
        .first()
    )
    if (
        verified is None
        and not Guardianship.objects.filter(guardian=representative, child_id=child_id).exists()
    ):
        raise NotFound("child_not_found", _("Ребёнок не найден среди ваших детей."), field="child")
    if verified is None:
        raise Forbidden(
            "guardianship_unverified",
            _("Связь с ребёнком ещё не подтверждена: подтвердите её в МФЦ с документами."),
            field="child",
        )
    return Person.objects.select_for_update().get(pk=child_id)


def _lock_group(group_id: int) -> Group:
    return Group.objects.select_for_update().get(pk=group_id)


def _check_admission(child: Person, group: Group, moment: datetime) -> None:
    """The rules a child must meet for this group, read under the child's lock."""
    programme = group.programme
    if not rules.enrollment_open(season_opens_at=programme.season_opens_at, now=moment):
        raise Conflict(
            "enrollment_not_open",
            _("Набор откроется %(when)s.")
            % {"when": f"{clock.local_now(programme.season_opens_at):%d.%m.%Y %H:%M}"},
        )
    if not rules.age_fits(
        birth_date=child.birth_date,
        starts_on=programme.starts_on,
        age_min=programme.age_min,
        age_max=programme.age_max,
    ):
        raise Invalid(
            "age_out_of_range",
            _("Программа для детей %(min)s–%(max)s лет на %(day)s.")
            % {
                "min": programme.age_min,
                "max": programme.age_max,
                "day": f"{programme.starts_on:%d.%m.%Y}",
            },
            field="child",
        )
    if programme.sex and child.sex != programme.sex:
        raise Invalid(
            "sex_mismatch",
            _("Группа набирает только %(who)s.") % {"who": programme.get_sex_display()},
            field="child",
        )
    live = list(
        Application.objects.filter(child=child, status__in=rules.LIVE).select_related(
            "group__programme"
        )
    )
    if any(application.group_id == group.pk for application in live):
        raise Conflict("already_applied", _("Ребёнок уже записан или ждёт места в этой группе."))
    if programme.is_free and rules.free_limit_reached(
        free_programmes_held=[a.group.programme_id for a in live if a.group.programme.is_free],
        programme_id=programme.pk,
        limit=settings.GOROD_CLUBS_FREE_PROGRAMMES_MAX,
    ):
        raise Conflict(
            "free_limit",
            _("У ребёнка уже %(limit)s бесплатные программы — больше нельзя.")
            % {"limit": settings.GOROD_CLUBS_FREE_PROGRAMMES_MAX},
        )
    clash = rules.meetings_clash(_meetings([a.group_id for a in live]), _meetings([group.pk]))
    if clash is not None:
        raise Conflict(
            "schedule_clash",
            _("Занятия пересекаются с другой группой ребёнка: %(day)s, %(start)s–%(end)s.")
            % {
                "day": GroupSession.Weekday(clash.weekday).label,
                "start": f"{clash.starts_at:%H:%M}",
                "end": f"{clash.ends_at:%H:%M}",
            },
        )


def _meetings(group_ids: list[int]) -> list[rules.Meeting]:
    if not group_ids:
        return []
    return [
        rules.Meeting(weekday, starts_at, ends_at)
        for weekday, starts_at, ends_at in GroupSession.objects.filter(
            group_id__in=group_ids
        ).values_list("weekday", "starts_at", "ends_at")
    ]


def _take_place(group_id: int) -> bool:
    return bool(
        Group.objects.filter(pk=group_id, taken__lt=F("capacity")).update(taken=F("taken") + 1)
    )


def _confirm_by(moment: datetime):
    return rules.confirm_by(clock.local_date(moment), settings.GOROD_CLUBS_CONFIRM_WORKING_DAYS)


def _set_status(
    application: Application, target: str, *, actor, now: datetime, cause: str, reason: str = ""
) -> None:
    """Move one application from the status it was read in; refuse if it moved meanwhile."""
    confirm_by = _confirm_by(now) if target == Status.INVITED else None
    updated = Application.objects.filter(pk=application.pk, status=application.status).update(
        status=target, status_changed_at=now, confirm_by=confirm_by, reason=reason
    )
    if not updated:
        raise Conflict("status_changed", _("Заявление уже изменили: обновите страницу."))
    application.status, application.status_changed_at = target, now
    application.confirm_by, application.reason = confirm_by, reason
    ApplicationEvent.objects.create(
        application=application, status=target, at=now, actor=actor, cause=cause, reason=reason
    )


def _close(
    application: Application, target: str, *, actor, now: datetime, cause: str, reason: str = ""
) -> list[int]:
    """Reject or cancel, under the group's lock; a place it held goes to the next waiting.
    The ids of every application that moved."""
    if not rules.may_move(application.status, target):
        raise Conflict("already_closed", _("Заявление уже закрыто."))
    held_place = application.status in rules.HOLDING_PLACE
    _set_status(application, target, actor=actor, now=now, cause=cause, reason=reason)
    if not held_place:
        return [application.pk]
    Group.objects.filter(pk=application.group_id).update(taken=F("taken") - 1)
    group = Group.objects.select_related("programme").get(pk=application.group_id)
    return [application.pk, *_promote(group, actor=None, now=now)]


def _promote(group: Group, *, actor, now: datetime) -> list[int]:
    """Seat the waiting children, first come first served, while places are free.
    Runs under the group's lock."""
    promoted = []
    status = rules.status_on_place(requires_test=group.programme.requires_test)
    waiting = Application.objects.filter(group_id=group.pk, status=Status.WAITLISTED).order_by(
        "submitted_at", "id"
    )
    for application in waiting[: max(group.capacity - group.taken, 0)]:
        if not _take_place(group.pk):
            break
        _set_status(application, status, actor=actor, now=now, cause=Cause.PLACE_FREED)
        promoted.append(application.pk)
    return promoted
