"""The emergency look at every door: the API and FHIR demand what the staff page demands.

A doctor's whole flow over HTTP — look the patient up by policy and birth date with a
written reason, get a grant, read the record with it over the API and FHIR — and the
clinic's supervisor who is told and reviews it. The page and the API share one service,
so they share one throttle.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from gorod.accounts import services as accounts
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.tests.factories import PractitionerFactory, RoleFactory
from gorod.core.models import AuditEvent
from gorod.medrecord.models.oversight import EmergencyAccess, SupervisorPost
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.services.emergency import EMERGENCY_LOOKUP_THROTTLE, LASTS
from gorod.notifications.models import Message

pytestmark = pytest.mark.django_db

OPEN = "/api/v1/health/record/emergency-access"
POLICY = "7700000000000077"
REASON = "Доставлен скорой без сознания, нужна история болезни"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def patient(db):
    """Attached elsewhere, never seen by the doctor."""
    return PersonFactory(oms_policy=POLICY)


@pytest.fixture
def doctor(clinic):
    role = RoleFactory(
        practitioner=PractitionerFactory(user=UserFactory()), location=clinic.therapist.location
    )
    return role.practitioner.user


def supervisor_of(organisation):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="health_supervisor"))
    SupervisorPost.objects.create(user=user, organisation=organisation)
    PersonFactory(user=user)
    return user


@pytest.fixture
def supervisor(clinic):
    return supervisor_of(clinic.organisation)


def token_client(user) -> Client:
    _token, plaintext = accounts.api_token_create(actor=user, name="emergency")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT="application/json")


def open_grant(api: Client, **changes):
    body = {"oms_policy": POLICY, "birth_date": "1985-05-17", "reason": REASON, **changes}
    return api.post(OPEN, json.dumps(body), content_type="application/json")


def test_the_whole_flow_lookup_grant_read_and_review(
    client, doctor, patient, supervisor, django_capture_on_commit_callbacks
):
    api = token_client(doctor)
    timeline = f"/api/v1/health/record/{patient.pk}/timeline"
    everything = f"/fhir/r4/Patient/{patient.pk}/$everything"

    # Without a grant the doctor reads nothing, whatever reason a header gives.
    assert api.get(timeline, HTTP_X_EMERGENCY_REASON=REASON).status_code == 404

    # A wrong birth date: not found, audited, and a miss for the throttle.
    missed = open_grant(api, birth_date="1990-01-01")
    assert missed.status_code == 404
    assert missed.json()["code"] == "emergency_patient_not_found"
    assert AuditEvent.objects.get(action="health.record_emergency_access").data["found"] is False

    with django_capture_on_commit_callbacks(execute=True):
        opened = open_grant(api, oms_policy="7700 0000 0000 0077")
    assert opened.status_code == 201, opened.content
    grant = opened.json()
    assert grant["patient_id"] == patient.pk
    assert grant["header"] == "X-Emergency-Access"
    header = {"HTTP_X_EMERGENCY_ACCESS": str(grant["id"])}

    assert api.get(timeline, **header).status_code == 200
    bundle = api.get(everything, HTTP_ACCEPT="application/fhir+json", **header)
    assert bundle.status_code == 200
    assert bundle.json()["entry"][0]["resource"]["id"] == str(patient.pk)
    looks = AccessLogEntry.objects.filter(patient_id=patient.pk, allowed=True)
    assert {(look.role, look.channel, look.emergency_access_id) for look in looks} == {
        ("emergency", "api", grant["id"]),
        ("emergency", "fhir", grant["id"]),
    }
    assert {look.emergency_reason for look in looks} == {REASON}

    # The supervisor was told, without the patient's name, and reviews it.
    message = Message.objects.get(person=supervisor.person)
    assert message.topic == "health.emergency_access"
    assert "Доставлен скорой" in message.body
    assert patient.last_name not in message.body + message.subject
    client.force_login(supervisor)
    page = client.get("/health/staff/emergency/reviews/")
    assert page.status_code == 200
    body = page.content.decode()
    doctor_name = doctor.practitioner.full_name
    for shown in (doctor_name, patient.full_name, REASON, "API: 1", "FHIR: 1", "25.11.2026 09:00"):
        assert shown in body, shown
    reviewed = client.post(
        f"/health/staff/emergency/reviews/{grant['id']}/", {"note": "Обоснованно: реанимация"}
    )
    assert reviewed.status_code == 302
    row = EmergencyAccess.objects.get(pk=grant["id"])
    assert (row.reviewed_by, row.review_note) == (supervisor, "Обоснованно: реанимация")
    assert AuditEvent.objects.filter(action="health.emergency_access_reviewed").count() == 1
    assert patient.full_name not in client.get("/health/staff/emergency/reviews/").content.decode()
    assert (
        patient.full_name
        in client.get("/health/staff/emergency/reviews/?show=all").content.decode()
    )


def test_a_grant_is_the_doctors_own_for_that_patient_and_an_hour(
    clinic, doctor, patient, time_machine
):
    grant = open_grant(token_client(doctor)).json()["id"]
    header = {"HTTP_X_EMERGENCY_ACCESS": str(grant)}
    colleague = RoleFactory(practitioner=PractitionerFactory(user=UserFactory())).practitioner
    assert (
        token_client(colleague.user)
        .get(f"/api/v1/health/record/{patient.pk}/timeline", **header)
        .status_code
        == 404
    )
    other = PersonFactory()
    api = token_client(doctor)
    assert api.get(f"/api/v1/health/record/{other.pk}/timeline", **header).status_code == 404
    time_machine.move_to(NOW + LASTS, tick=False)
    assert api.get(f"/api/v1/health/record/{patient.pk}/timeline", **header).status_code == 404


def test_the_api_demands_what_the_page_demands(clinic, doctor, patient):
    api = token_client(doctor)
    short = open_grant(api, reason="надо")
    assert short.status_code == 422
    assert short.json()["code"] == "emergency_reason_required"
    assert open_grant(api, oms_policy="123").status_code == 404
    assert open_grant(token_client(clinic.patient.user)).status_code == 404
    # A doctor of no clinic has nobody to review the look: refused.
    loner = PractitionerFactory(user=UserFactory()).user
    assert open_grant(token_client(loner)).json()["code"] == "emergency_no_clinic"
    assert not EmergencyAccess.objects.exists()
    assert Client().post(OPEN, "{}", content_type="application/json").status_code == 401


def test_the_page_and_the_api_share_one_throttle(client, doctor, patient):
    api = token_client(doctor)
    for _miss in range(EMERGENCY_LOOKUP_THROTTLE.limit):
        assert open_grant(api, birth_date="1990-01-01").status_code == 404
    assert open_grant(api).status_code == 429
    client.force_login(doctor)
    right = {"oms_policy": POLICY, "birth_date": "1985-05-17", "reason": REASON}
    assert client.post("/health/staff/emergency/", right).status_code == 429
    assert not EmergencyAccess.objects.exists()


def test_the_staff_pages_grant_is_reviewed_too(
    client, doctor, patient, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(doctor)
    right = {"oms_policy": POLICY, "birth_date": "1985-05-17", "reason": REASON}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/health/staff/emergency/", right)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    grant = EmergencyAccess.objects.get()
    assert (grant.channel, list(grant.clinics.all())) == (
        "web",
        [doctor.practitioner.roles.get().organisation],
    )
    assert Message.objects.filter(person=supervisor.person).count() == 1
    look = AccessLogEntry.objects.get(patient_id=patient.pk, allowed=True)
    assert (look.channel, look.emergency_access_id) == ("web", grant.pk)


def test_only_the_clinics_supervisors_review_and_not_their_own(client, clinic, doctor, patient):
    grant = open_grant(token_client(doctor)).json()["id"]
    elsewhere = supervisor_of(RoleFactory().organisation)
    for outsider, list_status in ((elsewhere, 200), (doctor, 404), (UserFactory(), 404)):
        client.force_login(outsider)
        assert client.get("/health/staff/emergency/reviews/").status_code == list_status
        assert client.post(f"/health/staff/emergency/reviews/{grant}/").status_code == 404
    client.force_login(elsewhere)
    assert (
        str(patient.full_name)
        not in client.get("/health/staff/emergency/reviews/").content.decode()
    )
    # A supervisor who is also the doctor does not review their own look.
    doctor.groups.add(Group.objects.get(name="health_supervisor"))
    SupervisorPost.objects.create(user=doctor, organisation=clinic.organisation)
    client.force_login(doctor)
    client.post(f"/health/staff/emergency/reviews/{grant}/")
    assert EmergencyAccess.objects.get(pk=grant).reviewed_at is None
    # The staff home leads a supervisor (who is no registrar) to the list.
    client.force_login(elsewhere)
    assert client.get("/health/staff/")["Location"] == "/health/staff/emergency/reviews/"


def test_text_no_column_can_hold_is_refused_not_a_500(client, doctor, patient, supervisor):
    api = token_client(doctor)
    assert open_grant(api, reason="Без сознания\x00, доставлен").status_code == 422
    grant = open_grant(api).json()["id"]
    client.force_login(supervisor)
    client.post(f"/health/staff/emergency/reviews/{grant}/", {"note": "Обоснованно\x00"})
    assert EmergencyAccess.objects.get(pk=grant).reviewed_at is None
