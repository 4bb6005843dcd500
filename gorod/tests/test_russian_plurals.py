"""Russian counts with three forms: 1 рабочий день, 2 рабочих дня, 5 рабочих дней.

The message ids are Russian with two forms (gettext's source has only singular and plural);
gorod/locale/ru holds the three forms of every counted message."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

LOCALE = Path(settings.BASE_DIR) / "locale"


def plural_entries(language: str) -> dict[str, list[str]]:
    """msgid → its plural forms as written in the catalog (parsed without polib: a .po's
    plural entries are `msgid`, `msgid_plural` and `msgstr[N]` blocks)."""
    entries: dict[str, list[str]] = {}
    current: dict[str, str] = {}
    key = ""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if "msgid_plural" in current:
                forms = sorted(k for k in current if k.startswith("msgstr["))
                entries[current["msgid"]] = [current[form] for form in forms]
            current, key = {}, ""
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr[")):
            key, _space, value = line.partition(" ")
            current[key] = value.strip('"')
        elif line.startswith('"') and key:
            current[key] += line.strip('"')
    return entries


def test_every_counted_message_has_its_three_russian_forms():
    english = plural_entries("en")
    russian = plural_entries("ru")
    assert english, "the English catalogue has counted messages"
    missing = [msgid for msgid in english if len([f for f in russian.get(msgid, []) if f]) != 3]
    assert missing == []


@pytest.mark.parametrize(
    ("days", "said"),
    [(1, "1 рабочий день"), (3, "3 рабочих дня"), (11, "11 рабочих дней"), (22, "22 рабочих дня")],
)
def test_working_days_read_right(days, said):
    with translation.override("ru"):
        text = ngettext("%(counter)s рабочий день", "%(counter)s рабочих дней", days)
    assert text % {"counter": days} == said
