"""The family's applications over HTTP, mounted at /api/v1/clubs for signed-in callers
(session or personal token).

A parent sees and acts on the applications of the children they verifiably represent;
another family's application is 404 `application_not_found`, like one that does not exist.
Applying answers 201 with where the application stands: `invited` (a place, confirm in
person by `confirm_by`), `submitted` (a place held while the organisation reviews and
tests) or `waitlisted` with its `position`. A refusal carries its rule: 422
`age_out_of_range`, `sex_mismatch`; 409 `already_applied`, `free_limit`, `schedule_clash`,
`enrollment_not_open`; 403 `guardianship_unverified`; 404 `child_not_found`,
`group_not_found`.
"""

from ninja import Path, Router, Status

from gorod.accounts.auth import authenticated
from gorod.accounts.rules import age_on
from gorod.clubs import selectors, services
from gorod.clubs.api.schemas import (
    ClubApplicationDetailOut,
    ClubApplicationIn,
    ClubApplicationList,
    ClubChildrenOut,
    child_brief,
    sessions_out,
)
from gorod.core import clock
from gorod.core.channels import channel_of
from gorod.core.ids import MAX_ID
from gorod.core.schemas import with_problems

router = Router(auth=authenticated)

APPLICATION_ID = Path(..., ge=1, le=MAX_ID)
ACT_PROBLEMS = (400, 401, 403, 404, 409, 422)


def _person(request):
    return getattr(request.auth, "person", None)


def _application_out(found: selectors.FamilyApplication) -> dict:
    application = found.application
    group = application.group
    return {
        "id": application.pk,
        "number": application.number,
        "status": application.status,
        "status_label": application.get_status_display(),
        "child": child_brief(application.child),
        "group": {
            "id": group.pk,
            "name": group.name,
            "programme": group.programme.title,
            "organisation": group.programme.organisation.short_name,
            "address": group.venue.address,
            "schedule": sessions_out(group.sessions.all()),
        },
        "submitted_at": application.submitted_at,
        "status_changed_at": application.status_changed_at,
        "confirm_by": application.confirm_by,
        "accepted_at": application.accepted_at,
        "position": found.position,
        "reason": application.reason,
    }


def _detail_out(found: selectors.FamilyApplication) -> dict:
    return {
        **_application_out(found),
        "history": [
            {
                "status": event.status,
                "status_label": event.get_status_display(),
                "at": event.at,
                "cause": event.cause,
                "cause_label": event.get_cause_display(),
                "reason": event.reason,
            }
            for event in found.application.events.all()
        ],
    }


def _read(request, application_id: int) -> dict:
    return _detail_out(
        selectors.family_application(person=_person(request), application_id=application_id)
    )


@router.get(
    "/children",
    response=with_problems({200: ClubChildrenOut}, 401),
    summary="My children I may apply for (verified guardianship), with their age",
)
def my_children(request):
    """A child whose link to the parent is not yet verified at an МФЦ is not listed."""
    today = clock.local_date()
    return {
        "children": [
            {**child_brief(child), "age": age_on(child.birth_date, today)}
            for child in selectors.wards_of(_person(request))
        ]
    }


@router.get(
    "/applications",
    response=with_problems({200: ClubApplicationList}, 401),
    summary="My children's applications, newest first, with waiting-list positions",
)
def my_applications(request):
    return {
        "items": [
            _application_out(found)
            for found in selectors.family_applications(person=_person(request))
        ]
    }


@router.get(
    "/applications/{application_id}",
    response=with_problems({200: ClubApplicationDetailOut}, 401, 404, 422),
    summary="One application with its history",
)
def my_application(request, application_id: int = APPLICATION_ID):
    return _read(request, application_id)


@router.post(
    "/applications",
    response=with_problems({201: ClubApplicationDetailOut}, *ACT_PROBLEMS),
    summary="Apply for a child to a group: a place if one is free, else the waiting list",
)
def apply(request, payload: ClubApplicationIn):
    application = services.application_submit(
        actor=request.auth,
        child_id=payload.child_id,
        group_id=payload.group_id,
        channel=channel_of(request),
    )
    return Status(201, _read(request, application.pk))


@router.post(
    "/applications/{application_id}/withdraw",
    response=with_problems({200: ClubApplicationDetailOut}, *ACT_PROBLEMS),
    summary="Withdraw an application; a place it held goes to the next waiting",
)
def withdraw(request, application_id: int = APPLICATION_ID):
    """409 `already_closed` for a rejected or cancelled application."""
    services.application_withdraw(actor=request.auth, application_id=application_id)
    return _read(request, application_id)


@router.post(
    "/applications/{application_id}/accept",
    response=with_problems({200: ClubApplicationDetailOut}, *ACT_PROBLEMS),
    summary="Accept an invitation: the family will come with the documents in time",
)
def accept(request, application_id: int = APPLICATION_ID):
    """409 `not_invited` unless the application is invited; accepting twice is no change."""
    services.application_accept(actor=request.auth, application_id=application_id)
    return _read(request, application_id)
