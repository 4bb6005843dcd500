"""The record's generated titles and summaries read in the reader's language, while what
clinicians wrote inside them stays as written."""

import pytest
from django.utils import translation

from gorod.clinics.models import Specialty
from gorod.medrecord.models.record import Entry, Section
from gorod.medrecord.words import entry_summary, entry_title

THERAPIST = Specialty(pk=1, code="therapist", name="Терапевт", name_en="General practitioner")


def entry(section: str, title: str, summary: str = "", specialty: Specialty | None = None):
    return Entry(section=section, title=title, summary=summary, specialty=specialty)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (
            entry(Section.ENCOUNTERS, "Приём: Терапевт", specialty=THERAPIST),
            "Visit: General practitioner",
        ),
        (entry(Section.PRESCRIPTIONS, "Рецепт: Амлодипин 5 мг"), "Prescription: Амлодипин 5 мг"),
        (
            entry(Section.SICK_LEAVES, "Больничный лист № 910000123"),
            "Sick-leave certificate No. 910000123",
        ),
        (entry(Section.IMMUNIZATIONS, "Прививка: грипп"), "Vaccination: грипп"),
        (entry(Section.CERTIFICATES, "Справка в бассейн"), "Certificate for the swimming pool"),
        (
            entry(Section.STUDIES, "флюорография: органы грудной клетки"),
            "chest X-ray screening: органы грудной клетки",
        ),
        (entry(Section.LABS, "Общий анализ крови"), "Общий анализ крови"),
    ],
)
def test_generated_titles_are_said_in_english(stored, shown):
    with translation.override("en"):
        assert entry_title(stored) == shown
    with translation.override("ru"):
        assert entry_title(stored) == stored.title


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Все показатели в норме", "All results within normal range"),
        ("Вне нормы: 2 из 5", "Outside normal range: 2 of 5"),
        ("Будет готова 26.11.2026", "Ready by 26.11.2026"),
        ("Гриппол плюс, доза 2", "Гриппол плюс, dose 2"),
        ("Сухой кашель, 3 дня", "Сухой кашель, 3 дня"),
    ],
)
def test_generated_summaries_are_said_in_english(stored, shown):
    with translation.override("en"):
        assert entry_summary(entry(Section.LABS, "", stored)) == shown
