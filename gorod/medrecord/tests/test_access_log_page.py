"""«Кто смотрел мою карту»: the patient and a young child's guardian read the log of looks,
allowed and denied, filtered and paged; nobody else gets the page, and opening it is a look."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.tests.factories import AppointmentFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.tests.factories import PractitionerFactory, RoleFactory
from gorod.core.errors import NotFound
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.selectors.access import record_open
from gorod.medrecord.views import access_log


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def log_url(person) -> str:
    return reverse("record:access_log", kwargs={"person_id": person.pk})


@pytest.fixture
def doctor(clinic):
    """The clinic's therapist, with an account, who sees the patient tomorrow."""
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save(update_fields=["user"])
    AppointmentFactory(person=clinic.patient, slot=clinic.slot_at(0))
    return practitioner


def test_the_patient_sees_a_doctors_look_and_a_denied_attempt(client, clinic, doctor):
    record_open(actor=doctor.user, person_id=clinic.patient.pk, section="labs", channel="web")
    # A doctor of the registry with no appointment: refused, and the patient is told.
    other_doctor = RoleFactory(practitioner=PractitionerFactory(user=UserFactory())).practitioner
    with pytest.raises(NotFound):
        record_open(
            actor=other_doctor.user, person_id=clinic.patient.pk, section="timeline", channel="api"
        )
    stranger = PersonFactory()
    with pytest.raises(NotFound):
        record_open(
            actor=stranger.user, person_id=clinic.patient.pk, section="timeline", channel="api"
        )
    client.force_login(clinic.patient.user)

    response = client.get(log_url(clinic.patient))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Кто смотрел мою карту" in page
    # Doctors by the registry's name and clinic.
    assert f"{doctor.full_name}, {clinic.organisation.name}" in page
    assert "лечащий врач" in page
    assert "Анализы" in page
    assert other_doctor.full_name in page
    assert "отказано" in page
    assert "пациент не был на приёме у этого врача" in page
    assert "API" in page
    # A stranger's refused look is the staff's security log, not the patient's.
    assert stranger.full_name not in page
    assert "нет отношения к пациенту" not in page
    # Opening the log is itself a logged look, shown at the top, as the patient's own.
    newest = AccessLogEntry.objects.filter(patient_id=clinic.patient.pk).first()
    assert (newest.section, newest.role, newest.allowed) == ("access_log", "self", True)
    looks = response.context["page"].object_list
    assert looks[0].pk == newest.pk
    assert looks[0].reader == "вы"
    assert [look.at for look in looks] == sorted((look.at for look in looks), reverse=True)
    # Moscow time, as the citizen lives it.
    assert "25.11.2026 09:00" in page


def test_filters_by_role_and_period(client, clinic, doctor):
    record_open(actor=doctor.user, person_id=clinic.patient.pk, section="labs", channel="web")
    client.force_login(clinic.patient.user)

    by_role = client.get(log_url(clinic.patient), {"role": "clinician"})
    assert {look.role for look in by_role.context["page"].object_list} == {"clinician"}

    tomorrow = (NOW + timedelta(days=1)).date()
    later = client.get(log_url(clinic.patient), {"since": tomorrow.isoformat()})
    assert list(later.context["page"].object_list) == []
    assert "Просмотров с такими условиями нет." in later.content.decode()

    backwards = client.get(
        log_url(clinic.patient), {"since": "2026-11-25", "until": date(2026, 11, 1).isoformat()}
    )
    assert "Конец периода раньше его начала." in backwards.content.decode()


def test_the_log_is_paged(client, clinic):
    for _look in range(access_log.ACCESS_LOG_PAGE + 5):
        record_open(
            actor=clinic.patient.user, person_id=clinic.patient.pk, section="labs", channel="web"
        )
    client.force_login(clinic.patient.user)

    first = client.get(log_url(clinic.patient))
    second = client.get(log_url(clinic.patient), {"page": 2})

    assert len(first.context["page"].object_list) == access_log.ACCESS_LOG_PAGE
    assert "Страница 1 из 2" in first.content.decode()
    assert len(second.context["page"].object_list) == 7  # 5 + the two looks at the log


def test_a_guardian_sees_the_childs_log_and_the_switch_keeps_the_log(client, clinic):
    client.force_login(clinic.patient.user)

    response = client.get(log_url(clinic.child))

    assert response.status_code == 200
    newest = AccessLogEntry.objects.filter(patient_id=clinic.child.pk).first()
    assert (newest.role, newest.allowed) == ("guardian", True)
    switch = {item["person"].pk: item["url"] for item in response.context["record_people"]}
    assert switch == {
        clinic.patient.pk: log_url(clinic.patient),
        clinic.child.pk: log_url(clinic.child),
    }


def test_a_delegate_with_the_record_scope_cannot_read_the_log(client, clinic):
    delegate = PersonFactory()
    Delegation.objects.create(
        principal=clinic.patient, delegate=delegate, scopes=["record"], confirmed_at=NOW
    )
    client.force_login(delegate.user)

    assert client.get(log_url(clinic.patient)).status_code == 404
    refused = AccessLogEntry.objects.filter(patient_id=clinic.patient.pk).first()
    assert (refused.section, refused.allowed) == ("access_log", False)


def test_a_doctor_and_a_stranger_get_404(client, clinic, doctor):
    for user in (doctor.user, PersonFactory().user):
        client.force_login(user)
        assert client.get(log_url(clinic.patient)).status_code == 404


def test_anonymous_is_sent_to_sign_in_and_the_attempt_is_in_the_security_log(client, clinic):
    response = client.get(log_url(clinic.patient))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]
    look = AccessLogEntry.objects.get(patient_id=clinic.patient.pk)
    assert (look.role, look.allowed, look.shown_to_patient) == ("anonymous", False, False)
