"""Template filters of the applications pages: a definition's text in the current language,
a file's size as people read it."""

from django import template
from django.template.defaultfilters import filesizeformat

from gorod.applications import rules

register = template.Library()


@register.filter
def loc(value) -> str:
    """`{ru: …, en: …}` from a definition, in the page's language."""
    return rules.text(value) if isinstance(value, dict) else ""


@register.filter
def size(value) -> str:
    return filesizeformat(value)


@register.filter
def money(value) -> str:
    """A fee as stored ("350.00"): 350 ₽, or 1 234,50 ₽."""
    text = str(value)
    whole, _dot, cents = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0") if whole.isdigit() else whole
    return f"{grouped},{cents} ₽" if cents and cents.strip("0") else f"{grouped} ₽"


@register.filter
def absolute(value) -> int:
    return abs(value) if isinstance(value, int) else value
