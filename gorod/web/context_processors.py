from django.conf import settings

from gorod.catalog.selectors import category_list


def portal(request):
    """What every page's header and footer need: categories for navigation, languages."""
    return {
        "nav_categories": category_list(),
        "languages": settings.LANGUAGES,
        "search_query": request.GET.get("q", "")[: settings.GOROD_SEARCH_QUERY_MAX_LENGTH]
        if request.resolver_match and request.resolver_match.url_name == "search"
        else "",
    }
