"""The health diary page: the patient (or a child's guardian) adds and deletes home readings,
refusals sit next to their fields, each kind has its chart; delegates and doctors only read."""

from datetime import timedelta

import pytest
from django.urls import reverse

from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.medrecord.models.record import DiaryReading
from gorod.medrecord.tests.factories import diary_reading


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def diary_url(person) -> str:
    return reverse("record:diary", kwargs={"person_id": person.pk})


def delete_url(reading) -> str:
    return reverse(
        "record:diary_delete", kwargs={"person_id": reading.patient_id, "reading_id": reading.pk}
    )


def test_the_patient_adds_a_pressure_reading(client, clinic):
    client.force_login(clinic.patient.user)

    response = client.post(
        diary_url(clinic.patient),
        {
            "kind": "pressure",
            "value": "135",
            "value_low": "85",
            "measured_at": "2026-11-25T08:30",
            "note": "утром",
        },
        follow=True,
    )

    reading = DiaryReading.objects.get(patient=clinic.patient)
    assert (reading.value, reading.value_low, reading.note) == (135, 85, "утром")
    assert reading.measured_at == NOW - timedelta(minutes=30)
    page = response.content.decode()
    assert "Показание записано в дневник." in page
    assert "135/85" in page
    assert "Внесено пациентом" in page


def test_a_refusal_is_shown_next_to_its_field(client, clinic):
    client.force_login(clinic.patient.user)

    response = client.post(
        diary_url(clinic.patient),
        {"kind": "pressure", "value": "120", "value_low": "130", "measured_at": "2026-11-25T08:30"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["value_low"] == [
        "Нижнее давление должно быть меньше верхнего и не меньше 40."
    ]
    out_of_range = client.post(
        diary_url(clinic.patient),
        {"kind": "pulse", "value": "400", "measured_at": "2026-11-25T08:30"},
    )
    assert out_of_range.context["form"].errors["value"] == ["Значение должно быть от 20 до 250."]
    assert not DiaryReading.objects.exists()


def test_each_kind_is_listed_with_its_chart(client, clinic):
    for day, (high, low) in enumerate([(130, 85), (125, 80), (140, 90)]):
        diary_reading(
            clinic.patient,
            kind="pressure",
            value=high,
            value_low=low,
            measured_at=NOW - timedelta(days=3 - day),
        )
    diary_reading(clinic.patient, kind="pulse", value=70)
    client.force_login(clinic.patient.user)

    response = client.get(diary_url(clinic.patient))

    kinds = {item.kind: item for item in response.context["kinds"]}
    assert set(kinds) == {"pressure", "pulse"}
    assert [reading.value for reading in kinds["pressure"].readings] == [140, 125, 130]
    # Pressure draws two lines; a single pulse reading is no trend.
    assert len(kinds["pressure"].chart.series) == 2
    assert kinds["pulse"].chart is None
    page = response.content.decode()
    assert page.count("<svg") == 1
    assert 'id="diary-chart-pressure-title"' in page


def test_the_patient_deletes_a_reading_after_confirming(client, clinic):
    reading = diary_reading(clinic.patient)
    client.force_login(clinic.patient.user)

    confirm = client.get(delete_url(reading))
    assert confirm.status_code == 200
    assert "Удалить показание?" in confirm.content.decode()
    response = client.post(delete_url(reading), follow=True)

    assert not DiaryReading.objects.exists()
    assert "Показание удалено из дневника." in response.content.decode()


def test_a_guardian_writes_the_childs_diary(client, clinic):
    client.force_login(clinic.patient.user)
    client.post(
        diary_url(clinic.child),
        {"kind": "temperature", "value": "37.8", "measured_at": "2026-11-25T07:00"},
    )
    reading = DiaryReading.objects.get(patient=clinic.child)
    assert reading.entered_by == clinic.patient.user


def test_a_delegate_reads_but_does_not_write(client, clinic):
    delegate = PersonFactory()
    Delegation.objects.create(
        principal=clinic.patient, delegate=delegate, scopes=["record"], confirmed_at=NOW
    )
    reading = diary_reading(clinic.patient, value=64)
    client.force_login(delegate.user)

    page = client.get(diary_url(clinic.patient))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Внесено пациентом" in page.content.decode()
    assert delete_url(reading) not in page.content.decode()
    assert (
        client.post(diary_url(clinic.patient), {"kind": "pulse", "value": "70"}).status_code == 404
    )
    assert client.post(delete_url(reading)).status_code == 404
    assert DiaryReading.objects.filter(pk=reading.pk).exists()


def test_someone_elses_reading_is_404_and_strangers_are_404(client, clinic):
    others = diary_reading(PersonFactory())
    client.force_login(clinic.patient.user)
    url = reverse(
        "record:diary_delete", kwargs={"person_id": clinic.patient.pk, "reading_id": others.pk}
    )
    assert client.post(url).status_code == 404
    assert DiaryReading.objects.filter(pk=others.pk).exists()
    client.force_login(PersonFactory().user)
    assert client.get(diary_url(clinic.patient)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, clinic):
    response = client.get(diary_url(clinic.patient))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
