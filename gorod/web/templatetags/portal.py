"""Tags of the site layout."""

from django import template

from gorod.web.page_cache import category_navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def category_nav(context):
    """The header's category list, stored rendered: every page shows it, signed-in or not."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return category_navigation(
        current_category=context.get("current_category"),
        on_category_page=match is not None and match.url_name == "category",
    )
