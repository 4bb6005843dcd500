"""Lab values as the record pages print them: `{{ observation|lab_value }}`, `|lab_range`."""

from django import template

from gorod.health import record_charts

register = template.Library()


@register.filter
def lab_value(observation) -> str:
    return record_charts.shown_value(observation)


@register.filter
def lab_range(observation) -> str:
    return record_charts.shown_range(observation)
