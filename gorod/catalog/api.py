"""Catalog endpoints: public, read-only, served from the in-memory snapshot."""

import functools

from django.http import HttpResponse
from ninja import Query, Router

from gorod.catalog import selectors, snapshot
from gorod.catalog.models import Service
from gorod.catalog.schemas import CategoryOut, ServiceListQuery, ServiceOut, ServicePage
from gorod.core.pagination import api_page
from gorod.core.schemas import with_problems

router = Router(tags=["catalog"])


def _service_out(service: Service) -> dict:
    # Built once per service per snapshot: snapshot objects are never changed, only replaced
    # whole when the catalog changes, so the item can live on the object.
    item = service.__dict__.get("api_item")
    if item is None:
        item = service.__dict__["api_item"] = _build_service_out(service)
    return item


def _build_service_out(service: Service) -> dict:
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
        "description_en": service.description_en,
        "is_online": service.is_online,
        "external_url": service.external_url,
        "url": service.page_url,
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
    return HttpResponse(
        _services_page(
            snapshot.current().generation,
            filters.q,
            filters.category,
            filters.kind,
            filters.audience,
            filters.page,
            filters.page_size,
        ),
        content_type="application/json; charset=utf-8",
    )


# Popular queries repeat (at month's end everyone asks for meter readings): a whole answer
# is kept as JSON bytes per snapshot generation, so a catalog change makes old answers
# unreachable and the LRU bound drops them.
@functools.lru_cache(maxsize=256)
def _services_page(generation, q, category, kind, audience, page, page_size) -> bytes:
    filters = ServiceListQuery(
        q=q, category=category, kind=kind, audience=audience, page=page, page_size=page_size
    )
    services, understood_as = selectors.services_find(
        q=filters.q, category=filters.category, kind=filters.kind, audience=filters.audience
    )
    data = api_page(services, count=len(services), page=filters.page, page_size=filters.page_size)
    data["items"] = [_service_out(service) for service in data["items"]]
    data["understood_as"] = understood_as
    return ServicePage.model_validate(data).model_dump_json().encode()


@router.get(
    "/services/{slug}",
    response=with_problems({200: ServiceOut}, 404),
    auth=None,
    summary="One service",
)
def get_service(request, slug: str):
    return _service_out(selectors.service_get(slug))
