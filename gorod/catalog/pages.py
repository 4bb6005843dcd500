"""What the pages of every app ask of the catalog (the service page, its ratings pages)."""

from django.http import Http404

from gorod.catalog import selectors
from gorod.core.errors import NotFound


def service_or_404(slug: str):
    """A published service for a page, or the 404 page with the catalog's message."""
    try:
        return selectors.service_get(slug)
    except NotFound as error:
        raise Http404(error.message) from error
