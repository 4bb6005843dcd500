"""The record's titles and summaries in the reader's language.

An entry keeps the words it was written with: a signed entry never changes (migration
0004's triggers), and the portal wrote its own part of those words in Russian, the
record's language («Приём: Терапевт», «Больничный лист № 77», «Все показатели в норме»).
Shown in another language, a title or summary the portal generated is recognised by its
Russian message and said again in the reader's language; what the clinicians and the
laboratory wrote inside it (a drug, a hospital, an ICD-10 name) stays as written, like a
name or an address.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.translation import get_language, gettext_noop, override
from django.utils.translation import gettext as _

from gorod.medrecord.models.record import Certificate, Entry, StudyReport

# The messages the services (services/record.py) and the demo (demo_record.py) write into
# titles and summaries. gettext_noop: the Russian text is what was stored, and each is
# translated when shown.
TITLES = (
    gettext_noop("Приём: %(specialty)s"),
    gettext_noop("Рецепт: %(drug)s"),
    gettext_noop("Больничный лист № %(number)s"),
    gettext_noop("Прививка: %(disease)s"),
    gettext_noop("Выписка: %(hospital)s"),
    gettext_noop("Справка %(kind)s"),
)
SUMMARIES = (
    gettext_noop("Все показатели в норме"),
    gettext_noop("Вне нормы: %(abnormal)d из %(total)d"),
    gettext_noop("Будет готова %(date)s"),
    gettext_noop("Готова, можно скачать"),
    gettext_noop("Заказ отменён"),
    gettext_noop("%(vaccine)s, доза %(dose)d"),
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


@dataclass(frozen=True)
class _Message:
    """A message with placeholders, and the pattern that finds its values in a text."""

    msgid: str
    pattern: re.Pattern
    numbers: frozenset[str]

    @classmethod
    def of(cls, msgid: str) -> "_Message":
        parts, numbers, last = [], set(), 0
        for placeholder in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[last : placeholder.start()]))
            name, kind = placeholder.groups()
            if kind == "d":
                numbers.add(name)
            parts.append(f"(?P<{name}>\\d+)" if kind == "d" else f"(?P<{name}>.+)")
            last = placeholder.end()
        parts.append(re.escape(msgid[last:]))
        return cls(msgid, re.compile("".join(parts) + r"\Z"), frozenset(numbers))

    def said_again(self, text: str, values: Callable[[dict], Mapping]) -> str | None:
        """`text` in the active language if it is this message, else None."""
        found = self.pattern.match(text)
        if found is None:
            return None
        groups = {
            name: int(value) if name in self.numbers else value
            for name, value in found.groupdict().items()
        }
        return _(self.msgid) % {**groups, **values(groups)}


_TITLES = tuple(map(_Message.of, TITLES))
_SUMMARIES = tuple(map(_Message.of, SUMMARIES))


@cache
def _russian_labels(choices: type) -> dict[str, str]:
    """A choices class's labels as the record's language writes them → their value."""
    with override(settings.LANGUAGE_CODE):
        return {str(label): value for value, label in choices.choices}


def _translated_values(entry: Entry) -> Callable[[dict], Mapping]:
    """The values inside a title that are the portal's own words, in the reader's
    language: the specialty (the timeline loads it with the entry) and a certificate's
    kind."""

    def values(groups: dict) -> Mapping:
        translated = {}
        # Only when loaded with the entry, as the timeline and the entry page do: a query per
        # title would cost more than the Russian word it replaces.
        if "specialty" in groups and Entry.specialty.is_cached(entry) and entry.specialty:
            translated["specialty"] = entry.specialty.display_name
        if "kind" in groups and (kind := _russian_labels(Certificate.Kind).get(groups["kind"])):
            translated["kind"] = Certificate.Kind(kind).label
        return translated

    return values


def _study_title(title: str) -> str | None:
    modality, _colon, site = title.partition(": ")
    code = _russian_labels(StudyReport.Modality).get(modality)
    if code is None:
        return None
    label = str(StudyReport.Modality(code).label)
    return f"{label}: {site}" if site else label


def _in_readers_language() -> bool:
    return (get_language() or settings.LANGUAGE_CODE) != settings.LANGUAGE_CODE


def entry_title(entry: Entry) -> str:
    if not _in_readers_language():
        return entry.title
    if entry.section == "studies" and (title := _study_title(entry.title)):
        return title
    values = _translated_values(entry)
    for message in _TITLES:
        if (title := message.said_again(entry.title, values)) is not None:
            return title
    return entry.title


def entry_summary(entry: Entry) -> str:
    if not _in_readers_language():
        return entry.summary
    for message in _SUMMARIES:
        if (summary := message.said_again(entry.summary, lambda groups: {})) is not None:
            return summary
    return entry.summary
