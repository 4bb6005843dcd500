"""The back office's reads: an organisation's groups at a glance, one group's queue of
applications to decide on, and the list of the enrolled children for the register.

Scoped like every staff read (selectors.staff_groups): another organisation's group is
"not found". A look at a group's children — its queue, its attendance list — is a staff
read of personal data, written to the audit log when it is read.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min, Prefetch, Q
from django.utils.translation import gettext as _

from gorod.clubs import rules
from gorod.clubs.models import (
    Application,
    Group,
    GroupSession,
    Organisation,
    Programme,
    Venue,
)
from gorod.clubs.selectors import (
    staff_application_for,
    staff_group_for,
    staff_groups,
    staff_organisations,
    waiting_positions,
)
from gorod.core.audit import audit_read
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id

Status = Application.Status

DECIDING = (Status.SUBMITTED, Status.REVIEW, Status.TEST)


def desk_not_found() -> NotFound:
    return NotFound("desk_not_found", _("Вы не работаете ни в одной организации кружков."))


# --- the organisation's groups -------------------------------------------------------------


@dataclass(frozen=True)
class GroupLine:
    """One group in the organisation's list, with its queue counted."""

    group: Group
    deciding: int
    invited: int
    enrolled: int
    waiting: int
    # The soonest last day to confirm of the group's invitations, and whether it has passed.
    confirm_soonest: date | None
    overdue: bool


@dataclass(frozen=True)
class DeskOrganisation:
    organisation: Organisation
    groups: list[GroupLine]


def desk_overview(*, actor, today: date) -> list[DeskOrganisation]:
    """The groups of every organisation the staff member works for, by programme, each with
    its schedule, places and queue; not found for anyone who works for none."""
    organisations = list(staff_organisations(actor).order_by("short_name", "id"))
    if not organisations:
        raise desk_not_found()
    by_organisation: dict[int, list[GroupLine]] = {o.pk: [] for o in organisations}
    for group in _groups_counted(
        Group.objects.filter(programme__organisation__in=organisations)
    ).order_by("programme__title", "programme_id", "name", "id"):
        by_organisation[group.programme.organisation_id].append(_line(group, today))
    return [DeskOrganisation(o, by_organisation[o.pk]) for o in organisations]


def desk_group_line(*, actor, group_id, today: date) -> GroupLine:
    """One group of the staff member's, counted as in the list."""
    group = (
        _groups_counted(staff_groups(actor)).filter(pk=group_id).first()
        if valid_id(group_id)
        else None
    )
    if group is None:
        raise NotFound("group_not_found", _("Группа не найдена."))
    return _line(group, today)


def _groups_counted(groups):
    def counted(*statuses):
        return Count("applications", filter=Q(applications__status__in=statuses))

    return (
        groups.select_related("programme", "venue")
        .prefetch_related(_sessions())
        .annotate(
            deciding_count=counted(*DECIDING),
            invited_count=counted(Status.INVITED),
            enrolled_count=counted(Status.ENROLLED),
            waiting_count=counted(Status.WAITLISTED),
            confirm_soonest=Min(
                "applications__confirm_by", filter=Q(applications__status=Status.INVITED)
            ),
        )
    )


def _line(group: Group, today: date) -> GroupLine:
    soonest = group.confirm_soonest
    return GroupLine(
        group=group,
        deciding=group.deciding_count,
        invited=group.invited_count,
        enrolled=group.enrolled_count,
        waiting=group.waiting_count,
        confirm_soonest=soonest,
        overdue=soonest is not None and rules.invitation_lapsed(confirm_by=soonest, today=today),
    )


def _sessions() -> Prefetch:
    return Prefetch("sessions", queryset=GroupSession.objects.order_by("weekday", "starts_at"))


# --- one group's queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    application: Application
    moves: tuple[str, ...]
    # On the waiting list: the place in it (1 = seated next); else None.
    position: int | None = None
    # Invited and the last day to confirm has passed (the place lapses tonight).
    overdue: bool = False


@dataclass(frozen=True)
class DeskGroup:
    group: Group
    sessions: list[GroupSession]
    # Where the group may meet: the programme's venues.
    venues: list[Venue]
    deciding: list[QueueRow]
    invited: list[QueueRow]
    enrolled: list[QueueRow]
    waiting: list[QueueRow]

    @property
    def rows(self) -> list[QueueRow]:
        return [*self.deciding, *self.invited, *self.enrolled, *self.waiting]


def desk_group(*, actor, group_id, today: date) -> DeskGroup:
    """A group of the staff member's with its live applications: those to decide on in the
    order they came, the invited by their last day to confirm (soonest first), the enrolled
    by name, the waiting list in its order. The look is logged."""
    group = (
        staff_groups(actor)
        .select_related("programme__organisation", "venue")
        .filter(pk=group_id)
        .first()
        if valid_id(group_id)
        else None
    )
    if group is None:
        raise NotFound("group_not_found", _("Группа не найдена."))
    applications = list(
        Application.objects.filter(group=group, status__in=rules.LIVE)
        .select_related("child", "representative__user")
        .order_by("submitted_at", "id")
    )
    by_status: dict[str, list[Application]] = {}
    for application in applications:
        by_status.setdefault(application.status, []).append(application)

    def rows(*statuses: str) -> list[QueueRow]:
        return [
            QueueRow(application, rules.staff_moves(application.status))
            for status in statuses
            for application in by_status.get(status, [])
        ]

    invited = sorted(
        by_status.get(Status.INVITED, []), key=lambda a: (a.confirm_by, a.submitted_at, a.pk)
    )
    enrolled = sorted(rows(Status.ENROLLED), key=lambda row: _surname_order(row.application))
    audit_read(
        actor=actor,
        action="clubs.group_queue_read",
        target=group,
        applications=len(applications),
    )
    return DeskGroup(
        group=group,
        sessions=list(group.sessions.order_by("weekday", "starts_at")),
        venues=list(group.programme.venues.order_by("name", "id")),
        deciding=sorted(
            rows(*DECIDING), key=lambda row: (row.application.submitted_at, row.application.pk)
        ),
        invited=[
            QueueRow(
                application,
                rules.staff_moves(application.status),
                overdue=rules.invitation_lapsed(confirm_by=application.confirm_by, today=today),
            )
            for application in invited
        ],
        enrolled=enrolled,
        # The whole list is read in its order, so the position is the place in it.
        waiting=[
            QueueRow(application, rules.staff_moves(application.status), position=number)
            for number, application in enumerate(by_status.get(Status.WAITLISTED, []), 1)
        ],
    )


def desk_application(*, actor, application_id, today: date) -> QueueRow:
    """One application of the staff member's groups, as its queue row shows it: what a
    decision answers with (the decision itself is in the audit log)."""
    found = staff_application_for(actor, application_id)
    application = Application.objects.select_related("child", "representative__user").get(
        pk=found.pk
    )
    invited = application.status == Status.INVITED
    return QueueRow(
        application,
        rules.staff_moves(application.status),
        position=waiting_positions([application]).get(application.pk)
        if application.status == Status.WAITLISTED
        else None,
        overdue=invited and rules.invitation_lapsed(confirm_by=application.confirm_by, today=today),
    )


def _surname_order(application: Application) -> tuple:
    child = application.child
    return (child.last_name, child.first_name, child.middle_name, child.pk)


# --- the attendance list -------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceList:
    group: Group
    # The enrolled, by surname, each with the child and the representative (and their login,
    # which holds the phone and e-mail).
    applications: list[Application]


def attendance_list(*, actor, group_id) -> AttendanceList:
    """The enrolled children of a group of the staff member's, for the register; the read
    is logged, since it leaves the portal as a file."""
    group = (
        staff_groups(actor).select_related("programme").filter(pk=group_id).first()
        if valid_id(group_id)
        else None
    )
    if group is None:
        raise NotFound("group_not_found", _("Группа не найдена."))
    applications = sorted(
        Application.objects.filter(group=group, status=Status.ENROLLED).select_related(
            "child", "representative__user"
        ),
        key=_surname_order,
    )
    audit_read(
        actor=actor,
        action="clubs.attendance_export",
        target=group,
        children=len(applications),
    )
    return AttendanceList(group=group, applications=applications)


# --- what a group may be made of -----------------------------------------------------------


@dataclass(frozen=True)
class GroupChoices:
    programmes: list[Programme]
    venues: list[Venue]


def group_choices(*, actor) -> GroupChoices:
    """The programmes and venues of the staff member's organisations, for a new group."""
    organisations = list(staff_organisations(actor))
    if not organisations:
        raise desk_not_found()
    programmes = list(
        Programme.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("title", "id")
    )
    venues = list(Venue.objects.filter(organisation__in=organisations).order_by("name", "id"))
    return GroupChoices(programmes=programmes, venues=venues)


def group_venues(*, actor, group_id) -> list[Venue]:
    """Where a group of the staff member's may meet: its programme's venues."""
    group = staff_group_for(actor, group_id)
    return list(Venue.objects.filter(programmes=group.programme_id).order_by("name", "id"))
