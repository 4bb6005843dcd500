from django.conf import settings


def portal(request):
    """What every page's header and footer need (the category list is a stored fragment:
    the {% category_nav %} tag)."""
    return {
        "languages": settings.LANGUAGES,
        "search_query": request.GET.get("q", "")[: settings.GOROD_SEARCH_QUERY_MAX_LENGTH]
        if request.resolver_match and request.resolver_match.url_name == "search"
        else "",
    }
