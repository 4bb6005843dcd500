"""Reads of the catalog for pages and the API, served from the in-memory snapshot."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from gorod.catalog import snapshot
from gorod.catalog.models import Category, Service
from gorod.core.errors import NotFound

# Where each flagship service lives once its module ships (later issues add the modules);
# until a route exists its page honestly says "coming soon".
FLAGSHIP_ROUTES = {
    "doctor-appointment": "health:appointments",
    "emr": "record:own",
    "meter-readings": "housing:meters",
    "school-diary": "school:diary",
    "clubs-enrollment": "clubs:search",
}


@dataclass(frozen=True)
class SearchResult:
    query: str
    services: list[Service]
    # The query as we understood it when it was typed in the wrong keyboard layout, or in
    # Latin letters (then `transliterated`).
    understood_as: str | None
    transliterated: bool = False


def category_list() -> list[Category]:
    return snapshot.current().categories


def category_get(slug: str) -> Category:
    for category in snapshot.current().categories:
        if category.slug == slug:
            return category
    raise NotFound("category_not_found", _("Такой категории нет."))


def service_list(
    *, category: str | None = None, kind: str | None = None, audience: str | None = None
) -> list[Service]:
    current = snapshot.current()
    if category is not None:
        if category not in current.services_by_category:
            raise NotFound("category_not_found", _("Такой категории нет."))
        services = current.services_by_category[category]
    else:
        services = list(current.services.values())
    return [
        service
        for service in services
        if (kind is None or service.kind == kind)
        and (audience is None or service.audience == audience)
    ]


def service_get(slug: str) -> Service:
    service = snapshot.current().services.get(slug)
    if service is None:
        raise NotFound("service_not_found", _("Такой услуги нет в каталоге."))
    return service


def external_service_get(slug: str) -> Service:
    """A published external service with its partner's address: the way out leads there.
    Any other service has no way out, as if it did not exist."""
    service = service_get(slug)
    if service.kind != Service.Kind.EXTERNAL or not service.external_url:
        raise NotFound("service_not_found", _("Такой услуги нет в каталоге."))
    return service


def services_featured() -> list[Service]:
    """The home page's popular services: the editors' choice, else the flagships."""
    return snapshot.current().featured or flagship_services()


def services_related(service: Service, *, limit: int = 6) -> list[Service]:
    """Other services of the same category, those whose titles share words with this one's
    first ("Другие услуги в категории": never a service of another category)."""
    current = snapshot.current()
    hits = current.index.search(service.title, limit=limit * 3)
    similar = [
        current.services[hit.slug]
        for hit in hits
        if hit.slug != service.slug
        and hit.slug in current.services
        and current.services[hit.slug].category_id == service.category_id
    ][:limit]
    if len(similar) < limit:
        chosen = {other.slug for other in similar} | {service.slug}
        for other in current.services_by_category.get(service.category.slug, []):
            if len(similar) >= limit:
                break
            if other.slug not in chosen:
                similar.append(other)
                chosen.add(other.slug)
    return similar


def flagship_services() -> list[Service]:
    services = snapshot.current().services
    return [services[slug] for slug in FLAGSHIP_ROUTES if slug in services]


def service_search(query: str, *, limit: int | None = 20) -> SearchResult:
    """Services that answer a query, best first, the same ranking for pages and API.

    `limit=None` returns every match (the API paginates them).
    """
    query = query[: settings.GOROD_SEARCH_QUERY_MAX_LENGTH]
    current = snapshot.current()
    hits = current.index.search(query, limit=limit or len(current.services) or 1)
    rewrite = current.index.rewrite(query) if hits else None
    return SearchResult(
        query=query,
        services=[current.services[hit.slug] for hit in hits if hit.slug in current.services],
        understood_as=rewrite.text if rewrite is not None else None,
        transliterated=rewrite is not None and rewrite.transliterated,
    )


def services_find(
    *,
    q: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    audience: str | None = None,
) -> tuple[list[Service], str | None]:
    """The services the API lists: those answering `q` (best first) or all, filtered; and
    the query as understood (another keyboard layout, transliterated), if it was rewritten.

    An unknown category is "not found", not an empty list.
    """
    if category is not None:
        category_get(category)
    if not (q and q.strip()):
        return service_list(category=category, kind=kind, audience=audience), None
    result = service_search(q, limit=None)
    services = [
        service
        for service in result.services
        if (category is None or service.category.slug == category)
        and (kind is None or service.kind == kind)
        and (audience is None or service.audience == audience)
    ]
    return services, result.understood_as


def service_entry_url(service: Service) -> str | None:
    """Where the "use the service" button leads, or None while the service is not online."""
    if service.kind == Service.Kind.EXTERNAL:
        # Through our own redirect, which counts the use (gorod.web.views.service_go).
        return reverse("web:service_go", args=[service.slug]) if service.external_url else None
    route = FLAGSHIP_ROUTES.get(service.slug)
    if route is None:
        return None
    try:
        return reverse(route)
    except NoReverseMatch:
        return None
