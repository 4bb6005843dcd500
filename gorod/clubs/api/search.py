"""Finding a group over HTTP, mounted at /api/v1/clubs: public, no account needed.

The search is gorod.clubs.finder's: words in the programme's text (a misspelt or derived
word, the wrong keyboard layout are understood: `notes` say how), a district or okrug, the
child's age, the direction, free or paid, the days and hours the child can come, a point
and a radius ("near me"), free places only. A signed-in parent may name one of their
children (`child`) instead of an age: the age is then taken on each programme's start
date, as enrollment checks it; someone else's child is 404 `child_not_found`.
"""

from datetime import time
from typing import Annotated

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import AfterValidator

from gorod.accounts.auth import PersonalTokenAuth
from gorod.clubs import finder, selectors
from gorod.clubs.api.schemas import (
    ClubDistrictOut,
    ClubGroupDetailOut,
    ClubGroupPage,
    DirectionName,
    sessions_out,
    venue_out,
)
from gorod.clubs.finder import DEFAULT_RADIUS_KM, MAX_PER_PAGE, MAX_RADIUS_KM, GroupQuery
from gorod.clubs.models import Group
from gorod.core.errors import Invalid, NotFound
from gorod.core.ids import MAX_ID
from gorod.core.schemas import NO_NUL, with_problems

# Public: documented without security, so that no client thinks it must sign in to search.
router = Router(auth=None)

GROUP_ID = Path(..., ge=1, le=MAX_ID)


def _wall_clock(moment: time) -> time:
    if moment.tzinfo is not None:
        raise ValueError("a time of day in Moscow, without an offset")
    return moment


# Meetings are kept as times of day on Moscow's wall clock: an offset would compare with
# nothing the database holds.
WallTime = Annotated[time, AfterValidator(_wall_clock)]


class GroupSearchQuery(Schema):
    q: str = Field("", max_length=200, pattern=NO_NUL, description="Words: «шахматы», «танцы»")
    district: str | None = Field(None, max_length=100, pattern=NO_NUL)
    okrug: str | None = Field(None, max_length=32, pattern=NO_NUL, examples=["ЗАО"])
    age: int | None = Field(None, ge=0, le=99, description="Full years; or give child")
    child: int | None = Field(
        None, ge=1, le=MAX_ID, description="One of my children (see /clubs/children)"
    )
    direction: DirectionName | None = None
    free: bool | None = Field(None, description="true: free only; false: paid only")
    weekday: list[int] = Field(
        [],
        description="Days the child can come, repeatable (0 = Monday … 6 = Sunday): every "
        "meeting of the group falls on one of them",
    )
    time_from: WallTime | None = Field(None, description="Every meeting starts at or after")
    time_to: WallTime | None = Field(None, description="Every meeting ends at or before")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    radius_km: float = Field(DEFAULT_RADIUS_KM, gt=0, le=MAX_RADIUS_KM, allow_inf_nan=False)
    with_places: bool = Field(False, description="Only groups with a free place")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=MAX_PER_PAGE)


def group_out(group: Group, distance_km: float | None = None) -> dict:
    programme, organisation = group.programme, group.programme.organisation
    return {
        "id": group.pk,
        "name": group.name,
        "teacher_name": group.teacher_name,
        "programme": {
            "id": programme.pk,
            "title": programme.title,
            "direction": programme.direction,
            "direction_label": programme.get_direction_display(),
            "activity": programme.activity,
            "age_min": programme.age_min,
            "age_max": programme.age_max,
            "sex": programme.sex,
            "is_free": programme.is_free,
            "price_month": None if programme.price_month is None else str(programme.price_month),
            "enrollment": programme.enrollment,
            "season_opens_at": programme.season_opens_at,
            "requires_test": programme.requires_test,
            "starts_on": programme.starts_on,
        },
        "organisation": {
            "id": organisation.pk,
            "name": organisation.name,
            "short_name": organisation.short_name,
            "phone": organisation.phone,
            "website": organisation.website,
        },
        "venue": venue_out(group.venue),
        "schedule": sessions_out(group.sessions.all()),
        "capacity": group.capacity,
        "free_places": group.free_places,
        "active": group.active,
        "distance_km": None if distance_km is None else round(distance_km, 2),
        "url": reverse("clubs:group", args=[group.pk]),
    }


def _caller(request):
    """Who asks, if anyone signed in: by personal token or by the session (reads need no
    CSRF token). Only `child` needs one."""
    return PersonalTokenAuth()(request) or request.user


def _group_query(request, asked: GroupSearchQuery) -> GroupQuery:
    if (asked.lat is None) != (asked.lon is None):
        raise Invalid("coordinates_incomplete", _("Укажите и широту, и долготу."), field="lat")
    birth_date = None
    if asked.child is not None:
        ward = next(
            (
                child
                for child in selectors.wards_of(getattr(_caller(request), "person", None))
                if child.pk == asked.child
            ),
            None,
        )
        if ward is None:
            raise NotFound(
                "child_not_found", _("Ребёнок не найден среди ваших детей."), field="child"
            )
        birth_date = ward.birth_date
    return GroupQuery(
        text=asked.q,
        district=asked.district or None,
        okrug=asked.okrug or None,
        age=asked.age,
        birth_date=birth_date,
        direction=asked.direction,
        free=asked.free,
        weekdays=frozenset(asked.weekday),
        time_from=asked.time_from,
        time_to=asked.time_to,
        near=(asked.lat, asked.lon) if asked.lat is not None else None,
        radius_km=asked.radius_km,
        only_with_places=asked.with_places,
    )


@router.get(
    "/groups",
    response=with_problems({200: ClubGroupPage}, 404, 422),
    summary="Find a group: words, district, age or child, days and hours, near a point",
)
def groups_find(request, asked: Query[GroupSearchQuery]):
    """By relevance when there are words, else nearest first when there is a point, else
    the most free places first. A page past the last is 404 `page_out_of_range`."""
    found = finder.groups_find(
        query=_group_query(request, asked), page=asked.page, per_page=asked.page_size
    )
    if found.page > found.pages:
        raise NotFound(
            "page_out_of_range",
            _("Страницы %(page)d нет: всего страниц %(pages)d.")
            % {"page": found.page, "pages": found.pages},
            field="page",
        )
    return {
        "count": found.total,
        "page": found.page,
        "page_size": found.per_page,
        "pages": found.pages,
        "notes": found.understood.notes(),
        "items": [group_out(hit.group, hit.distance_km) for hit in found.hits],
    }


@router.get(
    "/groups/{group_id}",
    response=with_problems({200: ClubGroupDetailOut}, 404, 422),
    summary="One group taking applications: programme, place, schedule, places, queue",
)
def group_get(request, group_id: int = GROUP_ID):
    """A group whose enrollment is closed is 404 `group_not_found`."""
    card = selectors.group_card(group_id)
    return {
        **group_out(card.group),
        "description": card.group.programme.description,
        "waiting": card.waiting,
    }


@router.get(
    "/districts",
    response=list[ClubDistrictOut],
    summary="The districts that have groups taking applications, with how many",
)
def districts(request):
    counts = selectors.groups_by_district()
    return [{"name": name, "groups": counts[name]} for name in sorted(counts)]
