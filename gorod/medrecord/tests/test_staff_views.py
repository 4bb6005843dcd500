"""The doctor's record pages: the visit protocol from the day list to the signature, its
correction, and the emergency look at a stranger's record.

The clinic fixture's slots are tomorrow (26 November) from 10:00; the pages are opened
on that day, after the first visit began.
"""

from datetime import datetime

import pytest
from django.core.cache import cache

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.services import booking
from gorod.appointments.tests.fixtures import MOSCOW, NOW
from gorod.clinics.tests.factories import PractitionerFactory, RoleFactory
from gorod.core.models import AuditEvent
from gorod.medrecord.models.record import AccessLogEntry, Entry
from gorod.medrecord.services.emergency import EMERGENCY_LOOKUP_THROTTLE
from gorod.medrecord.tests.factories import icd10

pytestmark = pytest.mark.django_db

VISIT_DAY = datetime(2026, 11, 26, 10, 20, tzinfo=MOSCOW)
POLICY = "7700000000000077"


@pytest.fixture(autouse=True)
def on_the_visit_day(time_machine):
    time_machine.move_to(VISIT_DAY, tick=False)
    cache.clear()  # the emergency look-up's failure counter


@pytest.fixture
def doctor(clinic):
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save()
    return practitioner.user


@pytest.fixture
def appointment(clinic):
    return booking.appointment_book(
        actor=clinic.patient.user,
        person_id=clinic.patient.pk,
        slot_id=clinic.slots[0].pk,
        channel="web",
        now=NOW,
    ).appointment


@pytest.fixture
def codes(db):
    return {code: icd10(code) for code in ("J06.9", "I10", "E11.9")}


def open_protocol(client, appointment) -> Entry:
    response = client.post(f"/health/staff/appointments/{appointment.pk}/encounter/")
    assert response.status_code == 302, response.content
    entry_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert response["Location"] == f"/health/staff/encounters/{entry_id}/"
    return Entry.objects.get(pk=entry_id)


PROTOCOL = {
    "complaints": "Насморк, температура 37,8.",
    "anamnesis": "Болеет третий день.",
    "examination": "Зев гиперемирован.",
    "recommendations": "Обильное питьё.",
    "main_code": "j06.9",
    "main_comment": "",
    "concomitant_codes": "I10, E11.9",
}


def test_the_day_list_offers_the_protocol(client, doctor, appointment):
    client.force_login(doctor)
    body = client.get("/health/staff/doctor/").content.decode()
    assert f'action="/health/staff/appointments/{appointment.pk}/encounter/"' in body
    assert "Открыть протокол" in body
    assert 'href="/health/staff/emergency/"' in body


def test_the_doctor_opens_records_and_signs(client, doctor, appointment, codes):
    client.force_login(doctor)
    entry = open_protocol(client, appointment)
    assert open_protocol(client, appointment) == entry  # a second click finds the same one
    assert entry.appointment == appointment
    assert entry.finalised_at is None
    page = client.get(f"/health/staff/encounters/{entry.pk}/")
    assert page.status_code == 200
    assert "Подписать" in page.content.decode()

    saved = client.post(f"/health/staff/encounters/{entry.pk}/", {**PROTOCOL, "action": "save"})
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert entry.finalised_at is None
    assert entry.encounter.complaints == PROTOCOL["complaints"]
    assert sorted((row.icd10_id, row.kind) for row in entry.diagnoses.all()) == [
        ("E11.9", "concomitant"),
        ("I10", "concomitant"),
        ("J06.9", "main"),
    ]
    body = client.get(f"/health/staff/encounters/{entry.pk}/").content.decode()
    assert "Острая инфекция верхних дыхательных путей неуточненная" in body
    assert 'value="J06.9"' in body

    signed = client.post(f"/health/staff/encounters/{entry.pk}/", {**PROTOCOL, "action": "sign"})
    assert signed.status_code == 302
    entry.refresh_from_db()
    assert entry.finalised_at is not None
    body = client.get(f"/health/staff/encounters/{entry.pk}/").content.decode()
    assert "Исправить" in body
    assert "Подписать" not in body
    # A signed protocol takes no more edits.
    again = client.post(f"/health/staff/encounters/{entry.pk}/", {**PROTOCOL, "action": "save"})
    assert again.status_code == 400


def test_codes_are_checked_and_a_protocol_needs_a_main_diagnosis(
    client, doctor, appointment, codes
):
    client.force_login(doctor)
    entry = open_protocol(client, appointment)
    url = f"/health/staff/encounters/{entry.pk}/"
    unknown = client.post(url, {**PROTOCOL, "concomitant_codes": "I10, Q99.X", "action": "save"})
    assert unknown.status_code == 400
    assert "Нет в справочнике МКБ-10: Q99.X." in unknown.content.decode()
    two = client.post(url, {**PROTOCOL, "main_code": "J06.9 I10", "action": "save"})
    assert two.status_code == 400
    no_main = client.post(url, {**PROTOCOL, "main_code": "", "action": "sign"})
    assert no_main.status_code == 400
    entry.refresh_from_db()
    assert entry.finalised_at is None
    assert not entry.diagnoses.exists()  # the refused signature kept nothing of that save


def test_another_doctor_and_a_patient_find_nothing(client, clinic, doctor, appointment, codes):
    client.force_login(doctor)
    entry = open_protocol(client, appointment)
    colleague = RoleFactory(
        practitioner=PractitionerFactory(user=UserFactory()), location=clinic.therapist.location
    )
    for user in (colleague.practitioner.user, clinic.patient.user):
        client.force_login(user)
        assert (
            client.post(f"/health/staff/appointments/{appointment.pk}/encounter/").status_code
            == 404
        )
        assert client.get(f"/health/staff/encounters/{entry.pk}/").status_code == 404
        assert client.post(f"/health/staff/encounters/{entry.pk}/", {**PROTOCOL}).status_code == 404
    assert Entry.objects.count() == 1


def test_a_signed_protocol_is_corrected_by_an_amendment(client, doctor, appointment, codes):
    client.force_login(doctor)
    original = open_protocol(client, appointment)
    client.post(f"/health/staff/encounters/{original.pk}/", {**PROTOCOL, "action": "sign"})
    amend_url = f"/health/staff/encounters/{original.pk}/amend/"
    assert client.post(amend_url, {"reason": ""}).status_code == 400
    response = client.post(amend_url, {"reason": "Опечатка в рекомендациях"})
    assert response.status_code == 302
    amendment = Entry.objects.get(amends=original)
    assert response["Location"] == f"/health/staff/encounters/{amendment.pk}/"
    assert amendment.amendment_reason == "Опечатка в рекомендациях"
    page = client.get(response["Location"]).content.decode()
    assert "Опечатка в рекомендациях" in page
    assert "Обильное питьё." in page  # the copy starts from the signed text

    fixed = {**PROTOCOL, "recommendations": "Обильное тёплое питьё.", "action": "sign"}
    assert client.post(response["Location"], fixed).status_code == 302
    original.refresh_from_db()
    amendment.refresh_from_db()
    assert original.superseded_at is not None
    assert original.encounter.recommendations == "Обильное питьё."  # the original keeps its words
    assert amendment.encounter.recommendations == "Обильное тёплое питьё."
    assert amendment.finalised_at is not None


@pytest.fixture
def stranger():
    return PersonFactory(oms_policy=POLICY)


@pytest.fixture
def emergency_doctor(db):
    """A doctor of a clinic (whose supervisors review the look), with no appointment with
    the stranger."""
    return RoleFactory(practitioner=PractitionerFactory(user=UserFactory())).practitioner.user


def test_an_emergency_look_opens_the_record_with_its_reason_logged(
    client, emergency_doctor, stranger
):
    client.force_login(emergency_doctor)
    assert client.get("/health/staff/emergency/").status_code == 200
    reason = "Доставлен скорой без сознания"
    response = client.post(
        "/health/staff/emergency/",
        {"oms_policy": "7700 0000 0000 0077", "birth_date": "1985-05-17", "reason": reason},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/health/record/{stranger.pk}/"
    audit = AuditEvent.objects.get(action="health.record_emergency_access")
    assert audit.target_id == str(stranger.pk)
    assert audit.data["found"] is True
    assert audit.data["reason"] == reason

    assert client.get(response["Location"]).status_code == 200
    look = AccessLogEntry.objects.filter(patient_id=stranger.pk, allowed=True).latest("at")
    assert look.role == "emergency"
    assert (look.reason_code, look.emergency_reason) == ("emergency", reason)


def test_an_emergency_look_needs_a_reason_and_the_right_person(client, emergency_doctor, stranger):
    client.force_login(emergency_doctor)
    short = client.post(
        "/health/staff/emergency/",
        {"oms_policy": POLICY, "birth_date": "1985-05-17", "reason": "надо"},
    )
    assert short.status_code == 400
    assert "не короче 10" in short.content.decode()
    wrong = {"oms_policy": POLICY, "birth_date": "1990-01-01", "reason": "Доставлен скорой"}
    missed = client.post("/health/staff/emergency/", wrong)
    assert missed.status_code == 404
    assert "Пациента с таким полисом" in missed.content.decode()
    audit = AuditEvent.objects.get(action="health.record_emergency_access")
    assert audit.data["found"] is False
    assert client.session.get("health_record_emergency") is None


def test_emergency_guesses_are_throttled(client, emergency_doctor, stranger):
    client.force_login(emergency_doctor)
    wrong = {"oms_policy": POLICY, "birth_date": "1990-01-01", "reason": "Доставлен скорой"}
    for _attempt in range(EMERGENCY_LOOKUP_THROTTLE.limit):
        assert client.post("/health/staff/emergency/", wrong).status_code == 404
    right = {**wrong, "birth_date": "1985-05-17"}
    assert client.post("/health/staff/emergency/", right).status_code == 429


def test_the_emergency_page_is_for_doctors_only(client, clinic):
    client.force_login(clinic.patient.user)
    assert client.get("/health/staff/emergency/").status_code == 404
