"""`{{ moment|machine_datetime }}`: the value of a `<time datetime>` attribute.

Django's `|date:'c'` prints microseconds when a moment has them, and HTML allows at most
three digits of a second's fraction, so a stored `timezone.now()` made the page invalid.
Whole seconds in the city's zone, with its offset, are what every reader of the attribute
needs.
"""

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_datetime(value) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return ""
