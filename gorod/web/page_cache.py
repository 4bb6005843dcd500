"""Public pages and the category navigation kept rendered in each process's memory.

The home, category and service pages are the same for every anonymous visitor in a language
but for one thing: the CSRF token of the header's language switch (a POST form). A stored
page holds a slot where the token goes, and each visitor's own token is put into it when
the page is served, so no visitor ever receives another's token and the CSRF cookie is set
exactly as a rendered page sets it. The pages carry no CSP nonce (the policy allows our own
scripts and styles by origin), so nothing else is per visitor.

Kept per process, keyed by the catalog snapshot's generation, so a catalog change reaches
every process's pages when its snapshot does, within GOROD_CATALOG_RECHECK_SECONDS. What a
service page shows beyond the catalog (ratings, the service's definition, offices) changes
without a catalog change: a stored page lives at most that same interval. A process's own
memory serves a page without the Redis round trip and unpickling of the Django cache.

A signed-in visitor's page (their name and links are in the header) is never served from
here nor stored; neither is a response with messages or cookies of its own.
"""

import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from gorod.catalog import snapshot

# Where the visitor's CSRF token goes in a stored page. Markup, so that no catalog text
# (always escaped) can contain it; {% csrf_token %} puts a safe string in as it is.
CSRF_TOKEN_SLOT = mark_safe("<gorod-csrf-token>")
_SLOT_BYTES = CSRF_TOKEN_SLOT.encode()

# ~10–15 KB a page: the whole catalog in both languages (~950 pages) fits in ~15 MB.
PAGES_KEPT = 1024
# Languages × categories × (the category's page or a service of it) × generations.
NAVIGATIONS_KEPT = 64


class _Recent:
    """A bounded map that forgets the least recently used entry; safe across threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_pages = _Recent(PAGES_KEPT)
_navigations = _Recent(NAVIGATIONS_KEPT)


def anonymous_page(view):
    """Serve the page an anonymous visitor sees from memory; the view returns a
    TemplateResponse and has no effect for an anonymous visitor (nothing is counted)."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        if not _same_for_every_visitor(request):
            return view(request, *args, **kwargs)
        key = (request.path, get_language(), snapshot.current().generation)
        stored = _pages.get(key)
        if stored is not None and time.monotonic() < stored[0]:
            return _with_token(request, HttpResponse(stored[1]))
        response = view(request, *args, **kwargs)
        if not isinstance(response, TemplateResponse):
            return response
        response.context_data = {**(response.context_data or {}), "csrf_token": CSRF_TOKEN_SLOT}
        response.render()
        if response.status_code == 200 and not response.cookies and not _has_messages(request):
            fresh_until = time.monotonic() + settings.GOROD_CATALOG_RECHECK_SECONDS
            _pages.put(key, (fresh_until, response.content))
        return _with_token(request, response)

    return serve


def _same_for_every_visitor(request) -> bool:
    """A plain GET by an anonymous visitor with no message waiting: the page every such
    visitor in this language sees (a query string only changes the switch's way back)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and "HTTP_AUTHORIZATION" not in request.META
        and (
            settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated
        )
        and not _has_messages(request)
    )


def _has_messages(request) -> bool:
    # len() reads the waiting messages without marking them shown.
    return len(get_messages(request)) > 0


def _with_token(request, response: HttpResponse) -> HttpResponse:
    """The page with this visitor's CSRF token (the cookie follows, as for any page)."""
    response.content = response.content.replace(_SLOT_BYTES, get_token(request).encode())
    # What a rendered page's session and CSRF cookie reads add: the page depends on cookies.
    patch_vary_headers(response, ("Cookie",))
    return response


def category_navigation(*, current_category: str | None, on_category_page: bool) -> SafeString:
    """The header's list of categories, rendered once per language and catalog snapshot
    for each category that can be the current one."""
    current = snapshot.current()
    key = (get_language(), current.generation, current_category, on_category_page)
    html = _navigations.get(key)
    if html is None:
        html = render_to_string(
            "web/_category_nav.html",
            {
                "categories": current.categories,
                "current_category": current_category,
                "on_category_page": on_category_page,
            },
        )
        _navigations.put(key, html)
    return html
