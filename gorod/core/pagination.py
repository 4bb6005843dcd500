"""Page arithmetic of the API's paged lists, the same for every list."""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from gorod.core.errors import NotFound


def api_page(items: Sequence[Any], *, count: int, page: int, page_size: int) -> dict:
    """The page's part of a list answer: count, page, page_size, pages and the page's slice
    of `items` (a list or a lazy QuerySet, sliced into one LIMIT/OFFSET query). A page past
    the last is "not found"; an empty list still has its one empty page."""
    pages = max(1, -(-count // page_size))
    if page > pages:
        raise NotFound(
            "page_out_of_range",
            _("Страницы %(page)d нет: всего страниц %(pages)d.") % {"page": page, "pages": pages},
            field="page",
        )
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": pages,
        "items": items[start : start + page_size],
    }
