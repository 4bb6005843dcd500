"""Lab values as the record pages print them: `{{ observation|lab_value }}`, `|lab_range`;
an entry's title in the reader's language: `{{ entry|entry_title }}` (the listings compute
their titles and summaries in Python, views/record.py)."""

from django import template

from gorod.medrecord import charts as record_charts
from gorod.medrecord import words as record_words

register = template.Library()


@register.filter
def lab_value(observation) -> str:
    return record_charts.shown_value(observation)


@register.filter
def lab_range(observation) -> str:
    return record_charts.shown_range(observation)


register.filter("entry_title", record_words.entry_title)
