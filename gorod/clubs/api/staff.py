"""The organisation's desk over HTTP, mounted at /api/v1/clubs/desk for signed-in callers.

Only the organisation's staff find anything here: for anyone else the desk is 404
`desk_not_found`, and another organisation's group or application is 404 as if it did not
exist. A decision the status does not allow is 409 `status_not_allowed` (or
`status_changed` when a colleague was first); a refusal needs its reason (422
`reason_required`). More places seat the waiting children at once, in their order; fewer
than are taken is 422 `capacity_below_taken`. A look at a group's queue is logged.
"""

from ninja import Path, Router

from gorod.accounts.auth import authenticated
from gorod.clubs import desk_selectors, services
from gorod.clubs.api.schemas import (
    ClubCapacityIn,
    ClubDeskApplicationOut,
    ClubDeskGroupOut,
    ClubDeskGroupsOut,
    ClubDeskQueueOut,
    ClubMoveIn,
    child_brief,
    sessions_out,
    venue_out,
)
from gorod.clubs.desk_selectors import GroupLine, QueueRow
from gorod.clubs.models import Group
from gorod.core import clock
from gorod.core.ids import MAX_ID
from gorod.core.schemas import with_problems

router = Router(tags=["clubs desk"], auth=authenticated)

GROUP_ID = Path(..., ge=1, le=MAX_ID)
APPLICATION_ID = Path(..., ge=1, le=MAX_ID)
WRITE_PROBLEMS = (400, 401, 403, 404, 409, 422)


def _group_out(group: Group, sessions, counts: dict) -> dict:
    return {
        "id": group.pk,
        "name": group.name,
        "programme_id": group.programme_id,
        "programme": group.programme.title,
        "organisation_id": group.programme.organisation_id,
        "teacher_name": group.teacher_name,
        "active": group.active,
        "venue": venue_out(group.venue),
        "schedule": sessions_out(sessions),
        "capacity": group.capacity,
        "taken": group.taken,
        "free_places": group.free_places,
        **counts,
    }


def _counts(line: GroupLine) -> dict:
    return {
        "deciding": line.deciding,
        "invited": line.invited,
        "enrolled": line.enrolled,
        "waiting": line.waiting,
        "confirm_soonest": line.confirm_soonest,
        "overdue": line.overdue,
    }


def _application_out(row: QueueRow) -> dict:
    application = row.application
    login = application.representative.user
    return {
        "id": application.pk,
        "number": application.number,
        "status": application.status,
        "status_label": application.get_status_display(),
        "child": child_brief(application.child),
        "representative": {
            "full_name": application.representative.full_name,
            "phone": login.phone if login else None,
            "email": login.email if login else None,
        },
        "submitted_at": application.submitted_at,
        "confirm_by": application.confirm_by,
        "overdue": row.overdue,
        "accepted_at": application.accepted_at,
        "position": row.position,
        "reason": application.reason,
        "moves": list(row.moves),
    }


@router.get(
    "/groups",
    response=with_problems({200: ClubDeskGroupsOut}, 401, 404),
    summary="My organisations' groups: places, the queue counted, the nearest deadline",
)
def desk_groups(request):
    overview = desk_selectors.desk_overview(actor=request.auth, today=clock.local_date())
    return {
        "items": [
            _group_out(line.group, line.group.sessions.all(), _counts(line))
            for entry in overview
            for line in entry.groups
        ]
    }


@router.get(
    "/groups/{group_id}/applications",
    response=with_problems({200: ClubDeskQueueOut}, 401, 404, 422),
    summary="A group's live applications: to decide on, invited, enrolled, waiting (logged)",
)
def group_queue(request, group_id: int = GROUP_ID):
    today = clock.local_date()
    found = desk_selectors.desk_group(actor=request.auth, group_id=group_id, today=today)
    soonest = found.invited[0] if found.invited else None
    counts = {
        "deciding": len(found.deciding),
        "invited": len(found.invited),
        "enrolled": len(found.enrolled),
        "waiting": len(found.waiting),
        "confirm_soonest": soonest.application.confirm_by if soonest else None,
        "overdue": soonest.overdue if soonest else False,
    }
    return {
        "group": _group_out(found.group, found.sessions, counts),
        "applications": [_application_out(row) for row in found.rows],
    }


@router.post(
    "/applications/{application_id}/move",
    response=with_problems({200: ClubDeskApplicationOut}, *WRITE_PROBLEMS),
    summary="Decide on an application: review, invite to a test, invite, enroll or reject",
)
def move(request, payload: ClubMoveIn, application_id: int = APPLICATION_ID):
    """An invitation gives the family the working days to confirm in person (`confirm_by`);
    a refusal frees the place for the next on the waiting list. A waiting application can
    only be refused: the portal seats the waiting children itself, in order."""
    services.application_move(
        actor=request.auth,
        application_id=application_id,
        target=payload.status,
        reason=payload.reason,
    )
    return _application_out(
        desk_selectors.desk_application(
            actor=request.auth, application_id=application_id, today=clock.local_date()
        )
    )


@router.put(
    "/groups/{group_id}/capacity",
    response=with_problems({200: ClubDeskGroupOut}, *WRITE_PROBLEMS),
    summary="Set a group's places; more places seat the waiting children in order",
)
def capacity(request, payload: ClubCapacityIn, group_id: int = GROUP_ID):
    services.group_capacity_set(actor=request.auth, group_id=group_id, capacity=payload.capacity)
    line = desk_selectors.desk_group_line(
        actor=request.auth, group_id=group_id, today=clock.local_date()
    )
    return _group_out(line.group, line.group.sessions.all(), _counts(line))
