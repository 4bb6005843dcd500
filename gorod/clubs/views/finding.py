"""Finding a group and applying: the search with its map, a group's page, the apply form.

Thin views over gorod.clubs.finder (the search), selectors (a group) and services (the
application). Searching and reading a group need no account; applying does. A refusal
(an age outside the programme's, a fourth free programme, a clashing schedule) is shown
on the group's page next to the child's choice, with the status of its kind.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gorod.accounts.rules import age_on
from gorod.clubs import selectors, services
from gorod.clubs.finder import GroupQuery, groups_find
from gorod.clubs.forms import SearchForm
from gorod.clubs.map import MapVenue, city_map, old_moscow
from gorod.clubs.models import Application
from gorod.core.channels import channel_of
from gorod.core.errors import DomainError, NotFound
from gorod.core.ids import valid_id
from gorod.core.problems import status_of

PER_PAGE = 20


@require_safe
def search_page(request):
    children = selectors.wards_of(getattr(request.user, "person", None))
    form = SearchForm(request.GET or None, children=children)
    form.is_valid()  # the fields that did validate still narrow the search
    query = form.query() if form.is_bound else GroupQuery()
    page_number = _page_number(request.GET.get("page"))
    try:
        found = groups_find(query=query, page=page_number, per_page=PER_PAGE)
    except DomainError as error:  # a page past the last one, a query the finder refuses
        form.add_error(None, error.message)
        found = groups_find(query=GroupQuery(), page=1, per_page=PER_PAGE)
    base = reverse("clubs:search")

    def district_link(district) -> str:
        asked = _asked(request, "page", "district")
        return f"{base}?{urlencode([*asked, ('district', district.name)])}"

    def page_link(number: int) -> str:
        return f"{base}?{urlencode([*_asked(request, 'page'), ('page', number)])}"

    clubs_map = _results_map(found, query, district_link)
    return render(
        request,
        "clubs/search.html",
        {
            "form": form,
            "found": found,
            "clubs_map": clubs_map,
            "districts": sorted(selectors.groups_by_district()),
            "previous_url": page_link(found.page - 1) if found.page > 1 else None,
            "next_url": page_link(found.page + 1) if found.page < found.pages else None,
        },
    )


def _results_map(found, query: GroupQuery, district_link):
    """The city (or the chosen district) with the venues of the page's groups marked, each
    with the free places of its groups here, and the districts shaded by their groups."""
    venues: dict[int, MapVenue] = {}
    for hit in found.hits:
        venue = hit.group.venue
        if venue.lat is None or venue.lon is None:
            continue  # two of the register's organisations have no coordinates
        known = venues.get(venue.pk)
        venues[venue.pk] = MapVenue(
            lat=venue.lat,
            lon=venue.lon,
            label=venue.name,
            # The venue's first group on the page; the list beside the map names them all.
            url=known.url if known else reverse("clubs:group", args=[hit.group.pk]),
            free_places=hit.group.free_places + (known.free_places if known else 0),
        )
    try:
        return city_map(
            title=_("Кружки и секции на карте Москвы"),
            link_for_district=district_link,
            fitted_to=[query.district] if query.district else old_moscow(),
            selected=query.district,
            venues=list(venues.values()),
            groups_by_district=selectors.groups_by_district(),
        )
    except DomainError as error:
        # The districts' boundaries are the city's open data, read from where the settings
        # say; a portal set up without them shows the list alone.
        if error.code != "districts_file_missing":
            raise
        return None


def _asked(request, *leaving_out: str) -> list[tuple[str, str]]:
    """The search's parameters as asked, without those a link sets anew."""
    return [
        (key, value)
        for key, values in request.GET.lists()
        if key not in leaving_out
        for value in values
    ]


def _page_number(text: str | None) -> int:
    """The page asked for; anything but a small positive number is the first page."""
    if text and text.isascii() and text.isdigit() and len(text) < 6:
        return max(int(text), 1)
    return 1


def _children_choice(request, group) -> list[dict]:
    """The signed-in parent's children, each with their age on the programme's start date
    and whether it fits: the form says it before the parent presses the button."""
    programme = group.programme
    choice = []
    for child in selectors.wards_of(getattr(request.user, "person", None)):
        age = age_on(child.birth_date, programme.starts_on)
        choice.append(
            {
                "child": child,
                "age": age,
                "fits": programme.age_min <= age <= programme.age_max,
            }
        )
    return choice


def _group_page(request, group_id: int, *, error: DomainError | None = None, chosen=None):
    card = selectors.group_card(group_id)
    group = card.group
    children = _children_choice(request, group) if request.user.is_authenticated else []
    return render(
        request,
        "clubs/group.html",
        {
            "group": group,
            "programme": group.programme,
            "waiting": card.waiting,
            "children": children,
            "chosen": chosen
            if chosen is not None
            else next((item["child"].pk for item in children if item["fits"]), None),
            "error": error,
        },
        status=status_of(error) if error else 200,
    )


@require_safe
def group_page(request, group_id: int):
    return _group_page(request, group_id)


@login_required
@require_POST
def apply(request, group_id: int):
    child_text = request.POST.get("child", "")
    child_id = int(child_text) if child_text.isascii() and child_text.isdigit() else None
    if child_id is None or not valid_id(child_id):
        error = DomainError("child_required", _("Выберите ребёнка."), field="child")
        return _group_page(request, group_id, error=error)
    try:
        application = services.application_submit(
            actor=request.user, child_id=child_id, group_id=group_id, channel=channel_of(request)
        )
    except NotFound as error:
        if error.field != "child":
            raise  # the group is gone: the 404 page
        return _group_page(request, group_id, error=error, chosen=child_id)
    except DomainError as error:
        return _group_page(request, group_id, error=error, chosen=child_id)
    if application.status == Application.Status.WAITLISTED:
        messages.info(request, _("Свободных мест нет: ребёнок в листе ожидания."))
    else:
        messages.success(request, _("Заявление подано, место за ребёнком."))
    return redirect(reverse("clubs:application", args=[application.pk]))


urlpatterns = [
    path("", search_page, name="search"),
    path("groups/<int:group_id>/", group_page, name="group"),
    path("groups/<int:group_id>/apply/", apply, name="apply"),
]
