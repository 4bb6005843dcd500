"""The organisation's writes on its groups and their weekly schedules (the back office).

A staff member changes only the groups of the organisations they work for: another
organisation's group, programme or session is "not found" (selectors.staff_group_for), as
if it did not exist. Places are not here: a capacity change may seat waiting children, so
it goes through services.group_capacity_set under the group's lock.

Each write locks the group's row first, so two staff members adding sessions at once are
checked one after the other: a new session never clashes with one added a moment before.
"""

from datetime import time

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gorod.clubs import rules
from gorod.clubs.models import GROUP_CAPACITY_MAX, Group, GroupSession, Programme, Venue
from gorod.clubs.selectors import staff_group_for, staff_organisations
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, Invalid, NotFound
from gorod.core.ids import valid_id

NAME_MAX = Group._meta.get_field("name").max_length
TEACHER_MAX = Group._meta.get_field("teacher_name").max_length


def group_create(
    *,
    actor,
    programme_id: int,
    venue_id: int,
    name: str,
    capacity: int,
    teacher_name: str = "",
) -> Group:
    """A new group of one of the organisation's programmes, at one of its venues."""
    name, teacher_name = _names(name, teacher_name)
    if not 1 <= capacity <= GROUP_CAPACITY_MAX:
        raise Invalid(
            "capacity_out_of_range",
            _("Мест — от 1 до %(max)s.") % {"max": GROUP_CAPACITY_MAX},
            field="capacity",
        )
    with transaction.atomic():
        programme = _programme_of_staff(actor, programme_id)
        venue = _venue_of(programme, venue_id)
        try:
            with transaction.atomic():
                group = Group.objects.create(
                    programme=programme,
                    venue=venue,
                    name=name,
                    teacher_name=teacher_name,
                    capacity=capacity,
                )
        except IntegrityError:
            raise _name_taken() from None
        audit_record(
            actor=actor,
            action="clubs.group_created",
            target=group,
            programme=programme.pk,
            venue=venue.pk,
            capacity=capacity,
        )
    return group


def group_update(
    *, actor, group_id: int, name: str, teacher_name: str, venue_id: int, active: bool
) -> Group:
    """Rename a group, name its teacher, move it to another of the programme's venues, or
    open and close its enrollment. Only what changed is written (and audited)."""
    name, teacher_name = _names(name, teacher_name)
    with transaction.atomic():
        group = _group_locked(actor, group_id)
        wanted = {"name": name, "teacher_name": teacher_name, "active": active}
        if venue_id != group.venue_id:
            wanted["venue_id"] = _venue_of(group.programme, venue_id).pk
        changed = {
            field: {"before": getattr(group, field), "after": value}
            for field, value in wanted.items()
            if getattr(group, field) != value
        }
        if not changed:
            return group
        for field, change in changed.items():
            setattr(group, field, change["after"])
        try:
            with transaction.atomic():
                group.save(update_fields=list(changed))
        except IntegrityError:
            raise _name_taken() from None
        audit_record(actor=actor, action="clubs.group_updated", target=group, changed=changed)
    return group


def group_session_add(
    *, actor, group_id: int, weekday: int, starts_at: time, ends_at: time
) -> GroupSession:
    """One more weekly meeting; refused if it overlaps one the group already has."""
    if weekday not in GroupSession.Weekday.values:
        raise Invalid("bad_weekday", _("Такого дня недели нет."), field="weekday")
    if ends_at <= starts_at:
        raise Invalid(
            "session_times", _("Занятие должно закончиться позже, чем начнётся."), field="ends_at"
        )
    meeting = rules.Meeting(weekday, starts_at, ends_at)
    with transaction.atomic():
        group = _group_locked(actor, group_id)
        clash = rules.meetings_clash(
            [meeting],
            [
                rules.Meeting(*row)
                for row in group.sessions.values_list("weekday", "starts_at", "ends_at")
            ],
        )
        if clash is not None:
            raise Conflict(
                "session_clash",
                _("Пересекается с занятием группы: %(day)s, %(start)s–%(end)s.")
                % {
                    "day": GroupSession.Weekday(clash.weekday).label,
                    "start": f"{clash.starts_at:%H:%M}",
                    "end": f"{clash.ends_at:%H:%M}",
                },
                field="starts_at",
            )
        session = GroupSession.objects.create(
            group=group, weekday=weekday, starts_at=starts_at, ends_at=ends_at
        )
        audit_record(
            actor=actor,
            action="clubs.group_session_added",
            target=group,
            session=session.pk,
            **_meeting_facts(session),
        )
    return session


def group_session_remove(*, actor, group_id: int, session_id: int) -> None:
    """Take a weekly meeting off the group's schedule."""
    with transaction.atomic():
        group = _group_locked(actor, group_id)
        session = group.sessions.filter(pk=session_id).first() if valid_id(session_id) else None
        if session is None:
            raise NotFound("session_not_found", _("Такого занятия в расписании группы нет."))
        facts = {"session": session.pk, **_meeting_facts(session)}
        session.delete()
        audit_record(actor=actor, action="clubs.group_session_removed", target=group, **facts)


# --- the parts ------------------------------------------------------------------------------


def _names(name: str, teacher_name: str) -> tuple[str, str]:
    name, teacher_name = name.strip(), teacher_name.strip()
    if not name:
        raise Invalid("name_required", _("Укажите название группы."), field="name")
    if len(name) > NAME_MAX:
        raise Invalid(
            "name_too_long",
            _("Название — не длиннее %(max)s знаков.") % {"max": NAME_MAX},
            field="name",
        )
    if len(teacher_name) > TEACHER_MAX:
        raise Invalid(
            "teacher_name_too_long",
            _("Имя педагога — не длиннее %(max)s знаков.") % {"max": TEACHER_MAX},
            field="teacher_name",
        )
    return name, teacher_name


def _programme_of_staff(actor, programme_id: int) -> Programme:
    programme = (
        Programme.objects.filter(
            pk=programme_id, organisation__in=staff_organisations(actor)
        ).first()
        if valid_id(programme_id)
        else None
    )
    if programme is None:
        raise NotFound("programme_not_found", _("Программа не найдена."), field="programme")
    return programme


def _venue_of(programme: Programme, venue_id: int) -> Venue:
    venue = programme.venues.filter(pk=venue_id).first() if valid_id(venue_id) else None
    if venue is None:
        raise Invalid(
            "venue_not_of_programme",
            _("Выберите одно из мест, где идёт программа."),
            field="venue",
        )
    return venue


def _group_locked(actor, group_id: int) -> Group:
    """The staff member's group, its row locked (not found for anyone else's)."""
    staff_group_for(actor, group_id)
    return (
        Group.objects.select_for_update(of=("self",)).select_related("programme").get(pk=group_id)
    )


def _name_taken() -> Conflict:
    return Conflict(
        "group_name_taken",
        _("Группа с таким названием в этом месте у программы уже есть."),
        field="name",
    )


def _meeting_facts(session: GroupSession) -> dict:
    return {
        "weekday": session.weekday,
        "starts_at": f"{session.starts_at:%H:%M}",
        "ends_at": f"{session.ends_at:%H:%M}",
    }
