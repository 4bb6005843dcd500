"""Reads of clubs for the family and for the organisation's staff, scoped to the reader.

A family sees the applications of the children they verifiably represent; a staff member
the groups and applications of the organisations they work for. Anything else is "not
found", never "forbidden": a stranger learns nothing of whether it exists.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.clubs.models import (
    Application,
    ApplicationEvent,
    Group,
    GroupSession,
    Organisation,
    OrganisationStaff,
)
from gorod.core.errors import NotFound
from gorod.core.ids import valid_id

Status = Application.Status


def application_not_found() -> NotFound:
    return NotFound("application_not_found", _("Заявление не найдено."))


# --- the family ---------------------------------------------------------------------------


def wards_of(person: Person | None) -> list[Person]:
    """The children a person verifiably represents, eldest first."""
    if person is None:
        return []
    return list(
        Person.objects.filter(
            guardians__guardian=person, guardians__verified_at__isnull=False
        ).order_by("birth_date", "id")
    )


def _family_applications(person: Person | None) -> QuerySet[Application]:
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(
        child__guardians__guardian=person, child__guardians__verified_at__isnull=False
    )


def _with_group(queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.select_related(
        "child", "group__programme__organisation", "group__venue"
    ).prefetch_related(
        Prefetch("group__sessions", queryset=GroupSession.objects.order_by("weekday", "starts_at"))
    )


@dataclass(frozen=True)
class FamilyApplication:
    application: Application
    # Place on the waiting list, counting from 1; None unless waitlisted.
    position: int | None


def family_applications(*, person: Person | None) -> list[FamilyApplication]:
    """Every application of the family's children, newest first, with waiting positions."""
    applications = list(_with_group(_family_applications(person)).order_by("-submitted_at", "-id"))
    positions = waiting_positions([a for a in applications if a.status == Status.WAITLISTED])
    return [FamilyApplication(a, positions.get(a.pk)) for a in applications]


def family_application(*, person: Person | None, application_id) -> FamilyApplication:
    """One application of the family's, with its history; not found otherwise."""
    if not valid_id(application_id):
        raise application_not_found()
    application = (
        _with_group(_family_applications(person))
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "id"))
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise application_not_found()
    positions = waiting_positions([application] if application.status == Status.WAITLISTED else [])
    return FamilyApplication(application, positions.get(application.pk))


def waiting_positions(applications: list[Application]) -> dict[int, int]:
    """Each waitlisted application's place in its group's queue (1 = next to be seated),
    in one statement: the queues of the groups concerned, numbered in order."""
    if not applications:
        return {}
    asked = {application.pk for application in applications}
    numbered = (
        Application.objects.filter(
            status=Status.WAITLISTED, group_id__in={a.group_id for a in applications}
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=F("group_id"), order_by=[F("submitted_at"), F("id")]
            )
        )
        .values_list("pk", "position")
    )
    return {pk: position for pk, position in numbered if pk in asked}


# --- the organisation's staff -------------------------------------------------------------


def staff_organisations(actor) -> QuerySet[Organisation]:
    if not getattr(actor, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(staff__user_id=actor.pk, staff__active=True)


def is_staff_of_any(actor) -> bool:
    return (
        getattr(actor, "is_authenticated", False)
        and OrganisationStaff.objects.filter(user_id=actor.pk, active=True).exists()
    )


def staff_groups(actor) -> QuerySet[Group]:
    return Group.objects.filter(programme__organisation__in=staff_organisations(actor))


def staff_group_for(actor, group_id) -> Group:
    group = staff_groups(actor).filter(pk=group_id).first() if valid_id(group_id) else None
    if group is None:
        raise NotFound("group_not_found", _("Группа не найдена."))
    return group


def staff_application_for(actor, application_id) -> Application:
    if not valid_id(application_id):
        raise application_not_found()
    application = (
        Application.objects.filter(pk=application_id, group__in=staff_groups(actor))
        .only("pk", "group_id", "status")
        .first()
    )
    if application is None:
        raise application_not_found()
    return application


# --- a group, for anyone ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCard:
    group: Group
    # Children waiting for a place: what a family weighs before joining the queue.
    waiting: int


def group_card(group_id) -> GroupCard:
    """An active group with its programme, organisation, venue and schedule."""
    group = (
        Group.objects.filter(pk=group_id, active=True)
        .select_related("programme__organisation", "venue")
        .prefetch_related(
            Prefetch("sessions", queryset=GroupSession.objects.order_by("weekday", "starts_at"))
        )
        .annotate(waiting=Count("applications", filter=Q(applications__status=Status.WAITLISTED)))
        .first()
        if valid_id(group_id)
        else None
    )
    if group is None:
        raise NotFound("group_not_found", _("Группа не найдена или набор в неё закрыт."))
    return GroupCard(group, group.waiting)


# Districts change their number of groups when an organisation opens or closes one: a few
# minutes late on the map is fine, and the count is one GROUP BY over every active group.
DISTRICT_COUNTS_SECONDS = 300


def groups_by_district() -> dict[str, int]:
    """Active groups per district, for the map's shading and the district choice."""

    def count() -> dict[str, int]:
        rows = (
            Group.objects.filter(active=True)
            .exclude(venue__district="")
            .values_list("venue__district")
            .annotate(n=Count("pk"))
        )
        return dict(rows)

    return cache.get_or_set("clubs:groups_by_district", count, DISTRICT_COUNTS_SECONDS)
