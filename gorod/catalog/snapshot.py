"""The published catalog held in memory by each process, with its search index.

450+ services fit in a few hundred kilobytes, so pages and the API read them from memory
instead of the database. Each process checks at most every GOROD_CATALOG_RECHECK_SECONDS
whether the catalog changed (two aggregate queries) and rebuilds when it did; a write in
this process invalidates at once. Nothing here is shared between processes: every web node
converges on its own within the recheck interval.
"""

import itertools
import math
import threading
import time
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse

from gorod.catalog.models import Category, Department, Service
from gorod.catalog.rules import search_prior
from gorod.catalog.search import SearchDocument, SearchIndex


@dataclass(frozen=True)
class CatalogSnapshot:
    version: tuple
    # Unique per snapshot taken in this process: a key for caches derived from it (the
    # API's answers, the web's pages and navigation).
    generation: int
    categories: list[Category]
    services: dict[str, Service]
    services_by_category: dict[str, list[Service]]
    featured: list[Service]
    index: SearchIndex = field(repr=False)


_lock = threading.Lock()
_generations = itertools.count(1)
_current: CatalogSnapshot | None = None
# When the database was last checked, on the monotonic clock; never, at first. (Not 0.0:
# the monotonic clock counts from boot, and a machine up for less than the recheck interval
# would take 0.0 for a recent check.)
_checked_at = -math.inf


def _catalog_version() -> tuple:
    services = Service.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    categories = Category.objects.aggregate(changed=Max("updated_at"))
    departments = Department.objects.aggregate(changed=Max("updated_at"))
    return (
        services["count"],
        services["changed"],
        categories["changed"],
        departments["changed"],
    )


def search_document(service: Service) -> SearchDocument:
    """What the search index knows of a service (its category must be loaded)."""
    return SearchDocument(
        slug=service.slug,
        title=service.title,
        title_en=service.title_en,
        keywords=tuple(service.keywords),
        description=service.description,
        category_title=service.category.title,
        prior=search_prior(service.kind),
    )


def _build(version: tuple) -> CatalogSnapshot:
    categories = list(Category.objects.all())
    services = list(
        Service.objects.filter(is_published=True)
        .select_related("category", "department")
        .order_by("title", "slug")
    )
    # URLs reversed once per build: a {% url %} per link was a third of a page's render time.
    for category in categories:
        category.page_url = reverse("web:category", args=[category.slug])
    for service in services:
        service.page_url = reverse("web:service", args=[service.slug])
        service.category.page_url = reverse("web:category", args=[service.category.slug])
    by_category: dict[str, list[Service]] = {category.slug: [] for category in categories}
    for service in services:
        by_category[service.category.slug].append(service)
    for category in categories:
        category.service_count = len(by_category[category.slug])
    featured = sorted(
        (service for service in services if service.featured_position is not None),
        key=lambda service: (service.featured_position, service.title),
    )
    index = SearchIndex(search_document(service) for service in services)
    return CatalogSnapshot(
        version=version,
        generation=0,  # stamped by current()
        categories=categories,
        services={service.slug: service for service in services},
        services_by_category=by_category,
        featured=featured,
        index=index,
    )


def current() -> CatalogSnapshot:
    """The snapshot, rebuilt if the catalog changed since it was taken."""
    global _current, _checked_at
    snapshot = _current
    if (
        snapshot is not None
        and time.monotonic() - _checked_at < settings.GOROD_CATALOG_RECHECK_SECONDS
    ):
        return snapshot
    with _lock:
        # Another thread may have refreshed while this one waited for the lock.
        if (
            _current is not None
            and time.monotonic() - _checked_at < settings.GOROD_CATALOG_RECHECK_SECONDS
        ):
            return _current
        version = _catalog_version()
        if _current is None or _current.version != version:
            # Stamped here rather than in _build: a snapshot taken anew after discard() is a
            # new generation even when built of the same rows (tests reuse one build), so
            # nothing derived from the one before outlives it.
            _current = replace(_build(version), generation=next(_generations))
        _checked_at = time.monotonic()
        return _current


def discard() -> None:
    """Forget the snapshot entirely (tests: a rolled-back transaction restores rows whose
    version looks unchanged, and QuerySet.update() bypasses updated_at)."""
    global _current
    with _lock:
        _current = None
    invalidate()


def invalidate() -> None:
    """Make the next read re-check the database (called after a catalog write commits)."""
    global _checked_at
    _checked_at = -math.inf
