"""Catalog endpoints: public, read-only, served from the in-memory snapshot."""

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router

from gorod.catalog import selectors
from gorod.catalog.models import Service
from gorod.catalog.schemas import CategoryOut, ServiceListQuery, ServiceOut, ServicePage
from gorod.core.errors import NotFound
from gorod.core.schemas import with_problems

router = Router(tags=["catalog"])


def _service_out(service: Service) -> dict:
    return {
        "slug": service.slug,
        "title": service.title,
        "title_en": service.title_en,
        "category": service.category.slug,
        "department": service.department.code,
        "kind": service.kind,
        "audience": service.audience,
        "keywords": service.keywords,
        "description": service.description,
        "is_online": service.is_online,
        "external_url": service.external_url,
        "url": reverse("web:service", args=[service.slug]),
    }


@router.get("/categories", response=list[CategoryOut], auth=None, summary="Categories")
def list_categories(request):
    return [
        {
            "slug": category.slug,
            "title": category.title,
            "title_en": category.title_en,
            "description": category.description,
            "service_count": category.service_count,
        }
        for category in selectors.category_list()
    ]


@router.get(
    "/services",
    response=with_problems({200: ServicePage}, 404, 422),
    auth=None,
    summary="List or search services",
)
def list_services(request, filters: Query[ServiceListQuery]):
    understood_as = None
    if filters.category is not None:
        selectors.category_get(filters.category)  # an unknown category is a 404, not []
    if filters.q and filters.q.strip():
        result = selectors.service_search(filters.q, limit=None)
        understood_as = result.understood_as
        services = [
            service
            for service in result.services
            if (filters.category is None or service.category.slug == filters.category)
            and (filters.kind is None or service.kind == filters.kind)
            and (filters.audience is None or service.audience == filters.audience)
        ]
    else:
        services = selectors.service_list(
            category=filters.category, kind=filters.kind, audience=filters.audience
        )
    count = len(services)
    pages = max(1, -(-count // filters.page_size))
    if filters.page > pages:
        raise NotFound(
            "page_out_of_range",
            _("Страницы %(page)d нет: всего страниц %(pages)d.")
            % {"page": filters.page, "pages": pages},
            field="page",
        )
    start = (filters.page - 1) * filters.page_size
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": pages,
        "understood_as": understood_as,
        "items": [_service_out(service) for service in services[start : start + filters.page_size]],
    }


@router.get(
    "/services/{slug}",
    response=with_problems({200: ServiceOut}, 404),
    auth=None,
    summary="One service",
)
def get_service(request, slug: str):
    return _service_out(selectors.service_get(slug))
