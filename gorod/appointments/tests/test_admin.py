"""The staff admin of appointments: reference data edited and audited, what the services
write only looked at."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.models import Absence
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import ReferralFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.models import Attachment, Organisation, RegistrarPost
from gorod.clinics.tests.factories import AttachmentFactory, OrganisationFactory
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db

MODELS = [
    "organisation",
    "location",
    "specialty",
    "practitioner",
    "practitionerrole",
    "registrarpost",
    "schedule",
    "absence",
    "slot",
    "referral",
    "attachment",
    "appointment",
]
# The admin lists each model under the app that holds it.
APP = {
    "organisation": "clinics",
    "location": "clinics",
    "specialty": "clinics",
    "practitioner": "clinics",
    "practitionerrole": "clinics",
    "registrarpost": "clinics",
    "attachment": "clinics",
    "schedule": "appointments",
    "absence": "appointments",
    "slot": "appointments",
    "referral": "appointments",
    "appointment": "appointments",
}
WRITTEN_BY_SERVICES = ["schedule", "absence", "slot", "appointment"]


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def booked(clinic):
    """An appointment tomorrow, a referral, a registrar's posting and an absence next week."""
    clinic.patient.oms_policy = "7700000000000001"
    clinic.patient.save()
    ReferralFactory(person=clinic.patient)
    RegistrarPost.objects.create(user=UserFactory(), organisation=clinic.organisation)
    Absence.objects.create(
        role=clinic.therapist,
        starts_at=NOW + timedelta(days=7),
        ends_at=NOW + timedelta(days=8),
        reason="отпуск",
    )
    return booking.appointment_book(
        actor=clinic.patient.user,
        person_id=clinic.patient.pk,
        slot_id=clinic.slots[0].pk,
        channel="web",
        now=NOW,
    ).appointment


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_listed_and_opened(client, admin_user, booked, model):
    client.force_login(admin_user)
    response = client.get(f"/staff/{APP[model]}/{model}/")
    assert response.status_code == 200
    first = response.context["cl"].result_list[0]
    assert client.get(f"/staff/{APP[model]}/{model}/{first.pk}/change/").status_code == 200


@pytest.mark.parametrize("model", WRITTEN_BY_SERVICES)
def test_what_the_services_write_is_read_only(client, admin_user, booked, model):
    client.force_login(admin_user)
    first = client.get(f"/staff/{APP[model]}/{model}/").context["cl"].result_list[0]
    page = client.get(f"/staff/{APP[model]}/{model}/{first.pk}/change/")
    assert 'name="_save"' not in text(page)
    assert client.post(f"/staff/{APP[model]}/{model}/{first.pk}/change/", {}).status_code == 403
    assert client.get(f"/staff/{APP[model]}/{model}/add/").status_code == 403
    assert client.get(f"/staff/{APP[model]}/{model}/{first.pk}/delete/").status_code == 403


def test_appointments_are_found_by_policy_number(client, admin_user, booked):
    client.force_login(admin_user)
    response = client.get("/staff/appointments/appointment/", {"q": "7700000000000001"})
    assert list(response.context["cl"].result_list) == [booked]
    response = client.get("/staff/appointments/appointment/", {"q": "7700000000000002"})
    assert list(response.context["cl"].result_list) == []


def test_a_clinic_is_edited_with_an_audit_row_but_keeps_its_registry_code(
    client, admin_user, clinic
):
    client.force_login(admin_user)
    organisation = clinic.organisation
    url = f"/staff/clinics/organisation/{organisation.pk}/change/"
    assert 'name="registry_code"' not in text(client.get(url))
    response = client.post(
        url,
        {
            "registry_code": "HACKED",
            "name": "Городская поликлиника № 12 имени Пирогова",
            "kind": Organisation.Kind.ADULT_POLYCLINIC,
            "district": "ЮАО",
            "phone": "",
            "active": "on",
            "_save": "1",
            # The buildings' inline, read-only: only its management form.
            "locations-TOTAL_FORMS": "1",
            "locations-INITIAL_FORMS": "1",
            "locations-MIN_NUM_FORMS": "0",
            "locations-MAX_NUM_FORMS": "1000",
            "locations-0-id": clinic.therapist.location.pk,
            "locations-0-organisation": organisation.pk,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    organisation.refresh_from_db()
    assert (organisation.name, organisation.district) == (
        "Городская поликлиника № 12 имени Пирогова",
        "ЮАО",
    )
    assert organisation.registry_code != "HACKED"
    audit = AuditEvent.objects.get(action="health.organisation_changed")
    assert audit.data["fields"] == ["district", "name"]


def test_a_second_current_attachment_is_a_form_error_not_a_crash(client, admin_user, clinic):
    client.force_login(admin_user)
    other = OrganisationFactory()
    response = client.post(
        "/staff/clinics/attachment/add/",
        {"person": clinic.patient.pk, "organisation": other.pk, "since": "2026-11-01"},
    )
    assert response.status_code == 200
    assert "errornote" in text(response)
    assert Attachment.objects.filter(person=clinic.patient).count() == 1


def test_registrar_postings_are_given_and_taken_away_with_audit_rows(client, admin_user, clinic):
    client.force_login(admin_user)
    registrar = UserFactory()
    response = client.post(
        "/staff/clinics/registrarpost/add/",
        {"user": registrar.pk, "organisation": clinic.organisation.pk, "_save": "1"},
    )
    assert response.status_code == 302
    post = RegistrarPost.objects.get(user=registrar)
    created = AuditEvent.objects.get(action="health.registrar_post_created")
    assert (created.target_id, created.data) == (str(post.pk), {"fields": ["organisation", "user"]})
    response = client.post(f"/staff/clinics/registrarpost/{post.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RegistrarPost.objects.exists()
    deleted = AuditEvent.objects.get(action="health.registrar_post_deleted")
    assert deleted.target_id == str(post.pk)


def test_a_registrar_in_the_admin_sees_appointments_and_cannot_change_them(client, booked, clinic):
    registrar = UserFactory(is_staff=True)
    registrar.groups.add(Group.objects.get(name="registrar"))
    client.force_login(registrar)
    assert client.get("/staff/appointments/appointment/").status_code == 200
    page = client.get(f"/staff/appointments/appointment/{booked.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in text(page)
    assert client.get("/staff/clinics/organisation/add/").status_code == 403
    assert client.get("/staff/clinics/registrarpost/").status_code == 403


def test_the_appointment_list_costs_the_same_for_more_rows(
    client, admin_user, clinic, django_assert_max_num_queries
):
    def book(index):
        person = PersonFactory()
        AttachmentFactory(person=person, organisation=clinic.organisation)
        booking.appointment_book(
            actor=person.user,
            person_id=person.pk,
            slot_id=clinic.slots[index].pk,
            channel="web",
            now=NOW,
        )

    book(0)
    client.force_login(admin_user)
    client.get("/staff/appointments/appointment/")
    with django_assert_max_num_queries(20) as few:
        client.get("/staff/appointments/appointment/")
    for index in range(1, 8):
        book(index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/staff/appointments/appointment/")
    assert len(response.context["cl"].result_list) == 8
