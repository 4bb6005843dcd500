"""In English the portal speaks English: every word it writes itself (pages, messages,
generated titles, rooms, service descriptions) is translated; what people and clinicians
wrote (names, addresses, diagnoses, drugs, a laboratory's panel names) stays as written.

Both tests need the English catalogue to be complete (gorod/locale/en/LC_MESSAGES).
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from gorod.accounts.models import Person
from gorod.appointments.models import Referral
from gorod.catalog.models import Department
from gorod.clinics.models import Location, Organisation, Practitioner
from gorod.housing.models import CorrectionRequest, Meter, Premises
from gorod.medrecord.models.record import (
    Certificate,
    DischargeSummary,
    Entry,
    Icd10,
    Immunization,
    Prescription,
    StudyReport,
)
from gorod.notifications.models import Message
from gorod.school.models import (
    ControlForm,
    Lesson,
    Mark,
    School,
    SchoolClass,
    Subject,
    Teacher,
)
from gorod.tests.demo_site import demo_pages

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
CYRILLIC = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё0-9.,:;«»()№ -]*")
# Text marked as Russian for screen readers (a service's search words, as people type them).
MARKED_RUSSIAN = re.compile(r'<(\w+)\b[^>]*\blang="ru"[^>]*>.*?</\1>', re.S)
MAIN = re.compile(r"<main\b.*?</main>", re.S)
TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S)
# The pages whose words are the portal's own; the lab pages and the access log show
# mostly what a laboratory and readers wrote, and the staff desk is for Russian staff.
PAGES = {
    "home",
    "diary",
    "diary-marks",
    "journal",
    "category",
    "service",
    "login",
    "open-data",
    "cabinet",
    "meters",
    "meter",
    "appointments",
    "booking",
    "record",
    "certificates",
}


def written_by_people() -> list[str]:
    """What stays as written in any language: names, addresses, and the clinicians' and
    laboratories' words (ICD-10 names, drugs, vaccines, hospitals, panels, conclusions)."""
    words: set[str] = set()
    for person in Person.objects.all():
        words |= {person.full_name, person.last_name, person.first_name, person.middle_name}
    for practitioner in Practitioner.objects.all():
        words |= {practitioner.full_name, practitioner.initials_name}
    words |= set(Organisation.objects.values_list("name", flat=True))
    words |= set(Organisation.objects.values_list("district", flat=True))
    words |= set(Department.objects.values_list("code", flat=True))
    words |= set(Department.objects.values_list("name", flat=True))
    words |= set(Meter.objects.values_list("serial", flat=True))
    words |= set(CorrectionRequest.objects.values_list("reason", flat=True))
    words |= set(Certificate.objects.values_list("number", flat=True))
    words |= set(Referral.objects.values_list("number", flat=True))
    words |= set(Certificate.objects.values_list("purpose", flat=True))
    words |= set(Location.objects.values_list("address", flat=True))
    words |= {str(premises) for premises in Premises.objects.all()}
    words |= set(Premises.objects.values_list("address", flat=True))
    words |= set(Icd10.objects.values_list("name", flat=True))
    for drug, dose, schedule in Prescription.objects.values_list("drug", "dose", "schedule"):
        words |= {drug, f"{dose}, {schedule}"}
    for vaccine, disease in Immunization.objects.values_list("vaccine", "target_disease"):
        words |= {vaccine, disease}
    words |= set(DischargeSummary.objects.values_list("hospital", flat=True))
    words |= set(StudyReport.objects.values_list("body_site", flat=True))
    words |= set(StudyReport.objects.values_list("conclusion", flat=True))
    words |= set(Entry.objects.filter(section="labs").values_list("title", flat=True))
    # A school names its own classes (5А), forms of control and lessons' topics and homework;
    # the subjects are the federal programmes' names.
    for school in School.objects.all():
        words |= {school.name, school.short_name}
    words |= {teacher.initials_name for teacher in Teacher.objects.all()}
    words |= {str(school_class) for school_class in SchoolClass.objects.all()}
    words |= set(Subject.objects.values_list("name", flat=True))
    words |= set(ControlForm.objects.values_list("name", flat=True))
    words |= set(Lesson.objects.values_list("topic", flat=True))
    words |= set(Lesson.objects.values_list("homework", flat=True))
    words |= set(Mark.objects.values_list("comment", flat=True))
    # The longest first, so that a name inside a longer text goes with the whole text.
    return sorted((word for word in words if word), key=len, reverse=True)


def russian_left(page_html: str, exceptions: list[str]) -> list[str]:
    main = MAIN.search(page_html)
    main = MARKED_RUSSIAN.sub(" ", main.group(0) if main else page_html)
    text = html.unescape(TAG.sub(" ", main))
    text = re.sub(r"\s+", " ", text)
    for word in exceptions:
        text = text.replace(word, " ")
    return [found.group(0).strip() for found in CYRILLIC.finditer(text)]


@pytest.mark.django_db
def test_key_pages_in_english_have_no_russian_of_the_portals_own(settings):
    pages = [page for page in demo_pages() if page.name in PAGES]
    exceptions = written_by_people()
    left = {}
    for page in pages:
        page.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = page.client.get(page.url)
        assert response.status_code == 200, page.name
        assert '<html lang="en">' in response.content.decode()
        if words := russian_left(response.content.decode(), exceptions):
            left[page.name] = words
        if page.name == "cabinet":
            # The demo's ready certificate told the citizen so, in both languages.
            message = Message.objects.filter(person__user__email="demo@gorod.local").first()
            assert message.subject_en, "the notification was written in Russian only"
            assert html.escape(message.subject_en) in response.content.decode()
    assert not left, "\n".join(f"{name}: {words}" for name, words in left.items())


def catalogue_entries(text: str) -> list[tuple[set[str], str, list[str]]]:
    """(flags, msgid, msgstrs) of each entry of a .po file, the header excepted."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = {
            flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")
        }
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if found := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line):
                current = found.group(1)
                fields[current] = found.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            msgstrs = [value for key, value in fields.items() if key.startswith("msgstr")]
            entries.append((flags, fields["msgid"], msgstrs))
    return entries


def test_the_english_catalogue_is_complete():
    entries = catalogue_entries(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 100  # the parser read the catalogue
    fuzzy = [msgid for flags, msgid, _ in entries if "fuzzy" in flags]
    untranslated = [msgid for _, msgid, msgstrs in entries if not all(msgstrs)]
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not untranslated, f"untranslated: {untranslated}"


def test_the_catalogue_reader_sees_fuzzy_and_empty_entries():
    entries = catalogue_entries(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Запись"\nmsgstr "Record"\n\n'
        'msgid "Карта"\nmsgstr ""\n\n'
        'msgid "один"\nmsgid_plural "много"\nmsgstr[0] "one"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Длинная "\n"строка"\nmsgstr ""\n"Long "\n"line"\n'
    )
    assert entries == [
        ({"fuzzy", "python-format"}, "Запись", ["Record"]),
        (set(), "Карта", [""]),
        (set(), "один", ["one", ""]),
        (set(), "Длинная строка", ["Long line"]),
    ]


def test_a_meter_place_is_translated_when_known_and_shown_as_written_otherwise():
    with translation.override("ru"):
        assert Meter(location=" Кухня").display_location == "кухня"
    with translation.override("en"):
        assert Meter(location="стояк 2, ниша").display_location == "стояк 2, ниша"
        # Needs the English catalogue's entry for «кухня».
        assert Meter(location="кухня").display_location == "kitchen"
