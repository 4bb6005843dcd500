"""The citizen's record pages: who sees them, what they show, how they page and print."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.catalog import snapshot
from gorod.clinics.tests.factories import RoleFactory
from gorod.medrecord.models.record import AccessLogEntry, Entry, Section
from gorod.medrecord.tests.factories import (
    certificate_entry,
    discharge_entry,
    encounter_entry,
    finalise,
    immunization_entry,
    lab_entry,
    prescription_entry,
    sick_leave_entry,
    study_entry,
)
from gorod.medrecord.tests.factories import condition_entry as condition_factory

# Session, user, the look (reader facts, access-log row), whom the switch lists (person,
# wards, principals), the filters' specialties and organisations, and the page of entries:
# however long the record is.
TIMELINE_MAX_QUERIES = 10


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def signed_in(client, clinic):
    client.force_login(clinic.patient.user)
    return client


@pytest.fixture
def catalog_in_memory(db):
    """The catalog snapshot every page's navigation reads, loaded before queries are counted."""
    snapshot.current()


def timeline_url(person) -> str:
    return reverse("record:timeline", kwargs={"person_id": person.pk})


def entry_url(entry: Entry) -> str:
    return reverse(
        "record:entry",
        kwargs={"person_id": entry.patient_id, "section": entry.section, "entry_id": entry.pk},
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_own_record_redirects_to_my_timeline(signed_in, clinic):
    response = signed_in.get(reverse("record:own"))
    assert response.status_code == 302
    assert response.url == timeline_url(clinic.patient)


def test_timeline_shows_my_entries_the_switch_and_the_sections(signed_in, clinic):
    encounter_entry(clinic.patient, role=clinic.therapist, occurred_at=NOW - timedelta(days=2))
    lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))

    html = text(signed_in.get(timeline_url(clinic.patient)))

    assert "Лента записей" in html
    assert "Приём: Участковый терапевт" in html
    assert "J06.9 Острая инфекция верхних дыхательных путей" in html
    assert "Есть показатели вне нормы" in html
    assert "Чья карта" in html
    assert clinic.child.full_name in html
    for label in ("Приёмы", "Анализы", "Рецепты", "Больничные", "Прививки", "Заболевания"):
        assert f">{label}</a>" in html
    assert 'aria-current="page">Лента</a>' in html


def test_a_guardian_opens_the_childs_record(signed_in, clinic):
    immunization_entry(clinic.child)
    response = signed_in.get(timeline_url(clinic.child))
    assert response.status_code == 200
    assert "Прививка: COVID-19" in text(response)
    assert AccessLogEntry.objects.filter(patient_id=clinic.child.pk, role="guardian").exists()


def test_a_stranger_gets_404_and_the_look_is_logged(client, clinic):
    encounter_entry(clinic.patient)
    stranger = PersonFactory()
    client.force_login(stranger.user)
    assert client.get(timeline_url(clinic.patient)).status_code == 404
    entry = Entry.objects.get(patient=clinic.patient)
    assert client.get(entry_url(entry)).status_code == 404
    assert (
        AccessLogEntry.objects.filter(
            patient_id=clinic.patient.pk, allowed=False, role="none"
        ).count()
        == 2
    )


def test_anonymous_is_sent_to_sign_in_and_logged(client, clinic):
    url = timeline_url(clinic.patient)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url
    look = AccessLogEntry.objects.get(patient_id=clinic.patient.pk)
    assert (look.role, look.allowed, look.section) == ("anonymous", False, "timeline")


def test_another_persons_entry_under_my_id_is_not_found(signed_in, clinic):
    theirs = encounter_entry(PersonFactory())
    url = reverse(
        "record:entry",
        kwargs={"person_id": clinic.patient.pk, "section": "encounters", "entry_id": theirs.pk},
    )
    assert signed_in.get(url).status_code == 404


def test_timeline_first_page_queries_do_not_grow_with_the_record(
    signed_in, clinic, catalog_in_memory, django_assert_max_num_queries, settings
):
    role = clinic.therapist
    moment = timezone.now()
    Entry.objects.bulk_create(
        Entry(
            patient=clinic.patient,
            section=Section.ENCOUNTERS if index % 2 else Section.PRESCRIPTIONS,
            occurred_at=moment - timedelta(hours=index),
            title=f"Запись {index}",
            source=Entry.Source.CLINICIAN,
            organisation=role.organisation,
            practitioner=role.practitioner,
            specialty=role.specialty,
            created_at=moment - timedelta(days=30),
            finalised_at=moment - timedelta(days=30),
        )
        for index in range(500)
    )
    with django_assert_max_num_queries(TIMELINE_MAX_QUERIES):
        response = signed_in.get(timeline_url(clinic.patient))
    html = text(response)
    assert html.count('<li class="record-item') == settings.GOROD_HEALTH_TIMELINE_PAGE
    assert "Показать ещё" in html

    # The next page continues after the last one shown, with the same cost.
    more = re.search(r'href="([^"]*cursor=[^"]*)"', response.content.decode()).group(1)
    with django_assert_max_num_queries(TIMELINE_MAX_QUERIES):
        second = text(signed_in.get(more.replace("&amp;", "&")))
    assert f"Запись {settings.GOROD_HEALTH_TIMELINE_PAGE}<" in second
    assert "Запись 0<" not in second
    assert "К последним записям" in second


def test_htmx_more_returns_only_the_next_entries(signed_in, clinic, settings):
    settings.GOROD_HEALTH_TIMELINE_PAGE = 2
    for days in range(5):
        prescription_entry(clinic.patient, occurred_at=NOW - timedelta(days=days + 1))
    first = signed_in.get(timeline_url(clinic.patient)).content.decode()
    more = re.search(r'data-hx-get="([^"]*)" data-hx-target="#record-more', first).group(1)
    more = more.replace("&amp;", "&")
    fragment = signed_in.get(more, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert fragment.count('<li class="record-item') == 2


def test_filters_form_keeps_choices_and_reports_a_wrong_period(signed_in, clinic):
    encounter_entry(clinic.patient, role=clinic.therapist, occurred_at=NOW - timedelta(days=40))
    lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))
    url = timeline_url(clinic.patient)

    html = text(signed_in.get(url, {"section": "labs"}))
    assert "Общий анализ крови" in html
    assert "Приём:" not in html
    assert "Сбросить" in html

    html = text(signed_in.get(url, {"since": "2026-11-20", "until": "2026-11-01"}))
    assert "Дата «по» раньше даты «с»." in html
    assert 'aria-invalid="true"' in html

    html = text(signed_in.get(url, {"specialty": clinic.therapist.specialty_id}))
    assert "Приём: Участковый терапевт" in html
    assert "Общий анализ крови" not in html


def test_section_page_lists_only_its_section(signed_in, clinic):
    prescription_entry(clinic.patient)
    lab_entry(clinic.patient)
    url = reverse(
        "record:section", kwargs={"person_id": clinic.patient.pk, "section": "prescriptions"}
    )
    html = text(signed_in.get(url))
    assert "<h1>Рецепты</h1>" in html
    assert "Рецепт: Амлодипин" in html
    assert "Общий анализ крови" not in html
    assert 'aria-current="page">Рецепты</a>' in html


def test_encounter_page_shows_protocol_and_coded_diagnoses(signed_in, clinic):
    entry = encounter_entry(
        clinic.patient,
        role=clinic.therapist,
        diagnoses=(("J06.9", "main", ""), ("I10", "concomitant", "контролируемая")),
    )
    html = text(signed_in.get(entry_url(entry)))
    assert "Жалобы" in html
    assert "Насморк" in html
    assert "Острая инфекция верхних дыхательных путей" in html
    assert "J06.9" in html
    assert "I10" in html
    assert "Сопутствующий" in html
    assert "Распечатать" in html
    look = AccessLogEntry.objects.filter(entry_id=entry.pk).get()
    assert (look.section, look.role, look.allowed) == ("encounters", "self", True)


def test_lab_page_flags_in_words_draws_ranges_and_trends(signed_in, clinic):
    lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=90))
    entry = lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))
    response = signed_in.get(entry_url(entry))
    html = text(response)
    assert "↑</span> выше нормы" in html
    assert "11,8" in html
    assert "4–9" in html
    assert 'class="range-bar range-bar-outside"' in html
    assert html.count('class="trend-chart"') == 3
    assert "<title id=" in html
    assert "<desc id=" in html
    analyte = reverse("record:analyte", kwargs={"person_id": clinic.patient.pk, "code": "6690-2"})
    assert f'href="{analyte}"' in html


def test_analyte_page_has_history_chart_and_table(signed_in, clinic):
    first = lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=90))
    lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))
    url = reverse("record:analyte", kwargs={"person_id": clinic.patient.pk, "code": "718-7"})
    html = text(signed_in.get(url))
    assert "<h1>Гемоглобин</h1>" in html
    assert "trend-chart" in html
    assert html.count('<td class="dash-num">142 г/л</td>') >= 2
    assert entry_url(first) in html
    missing = reverse("record:analyte", kwargs={"person_id": clinic.patient.pk, "code": "x"})
    assert signed_in.get(missing).status_code == 404


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: study_entry(p), "Патологических изменений не выявлено."),
        (lambda p: discharge_entry(p), "Терапевтическое отделение"),
        (lambda p: prescription_entry(p), "1 раз в день утром"),
        (lambda p: sick_leave_entry(p), "ООО «Ромашка»"),
        (lambda p: immunization_entry(p), "I-120921"),
        (lambda p: condition_factory(p), "I10"),
    ],
)
def test_every_section_has_its_entry_page(signed_in, clinic, make, expected):
    entry = make(clinic.patient)
    response = signed_in.get(entry_url(entry))
    assert response.status_code == 200
    assert expected in text(response)


def test_an_amended_entry_links_to_its_previous_version(signed_in, clinic):
    original = encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=3))
    newer = encounter_entry(
        clinic.patient,
        occurred_at=original.occurred_at,
        diagnoses=(("J20.9", "main", ""),),
        finalised=False,
    )
    Entry.objects.filter(pk=newer.pk).update(amends=original, amendment_reason="Уточнён диагноз")
    finalise(newer, at=timezone.now())
    Entry.objects.filter(pk=original.pk).update(superseded_at=timezone.now())

    html = text(signed_in.get(entry_url(newer)))
    assert "Исправлено 25 ноября 2026: Уточнён диагноз" in html
    previous = f"{entry_url(original)}?of={newer.pk}"
    assert f'href="{previous}"' in html

    assert signed_in.get(entry_url(original)).status_code == 404
    old = text(signed_in.get(previous))
    assert "Это прежняя версия записи" in old
    assert "J06.9" in old
    assert f'href="{entry_url(newer)}"' in old
    assert signed_in.get(f"{entry_url(original)}?of=abc").status_code == 404


def test_print_view_is_the_bare_layout(signed_in, clinic):
    entry = lab_entry(clinic.patient)
    html = text(signed_in.get(entry_url(entry) + "?print=1"))
    assert 'class="record-print-page"' in html
    assert "site-header" not in html
    assert "record-nav" not in html
    assert "Распечатано 25 ноября 2026" in html
    assert "Гемоглобин" in html


def test_an_ordered_certificate_is_listed_with_its_status(signed_in, clinic):
    certificate_entry(clinic.patient)
    html = text(signed_in.get(timeline_url(clinic.patient)))
    assert "Справка в бассейн" in html
    assert "заказана" in html


def test_a_draft_is_not_shown_to_the_patient(signed_in, clinic):
    role = RoleFactory()
    draft = encounter_entry(clinic.patient, role=role, finalised=False)
    assert signed_in.get(entry_url(draft)).status_code == 404
    assert "Приём:" not in text(signed_in.get(timeline_url(clinic.patient)))
