"""Certificates on the citizen's record: order (ready the next working day), follow, download
the signed PDF (the first download by the patient side issues it); strangers get 404."""

from datetime import date

import pytest
from django.urls import reverse

from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.models import RegistrarPost
from gorod.medrecord import documents
from gorod.medrecord.models.record import AccessLogEntry, Entry
from gorod.medrecord.services import certificates as certificate_services
from gorod.medrecord.tests.factories import certificate_entry

PDF = b"%PDF-1.7 test"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(documents, "certificate_pdf", lambda entry: PDF)


def list_url(person) -> str:
    return reverse("record:certificates", kwargs={"person_id": person.pk})


def order_url(person) -> str:
    return reverse("record:certificate_order", kwargs={"person_id": person.pk})


def pdf_url(entry) -> str:
    return reverse(
        "record:certificate_pdf", kwargs={"person_id": entry.patient_id, "entry_id": entry.pk}
    )


def test_order_is_ready_by_the_next_working_day(client, clinic):
    client.force_login(clinic.patient.user)
    assert client.get(order_url(clinic.patient)).status_code == 200

    response = client.post(
        order_url(clinic.patient), {"kind": "pool", "purpose": "бассейн «Лужники»"}, follow=True
    )

    entry = Entry.objects.get(patient=clinic.patient, section="certificates")
    assert entry.status == "ordered"
    # Ordered on Wednesday 25 November: ready on Thursday.
    assert entry.certificate.ready_by == date(2026, 11, 26)
    page = response.content.decode()
    assert "Справка заказана. Она будет готова 26 ноября" in page
    assert "будет готова 26 ноября" in page
    assert entry.certificate.number in page
    assert "заказана" in page


def test_a_friday_order_is_ready_on_monday(client, clinic, time_machine):
    time_machine.move_to(date(2026, 11, 27))
    client.force_login(clinic.patient.user)
    client.post(order_url(clinic.patient), {"kind": "school"})
    assert Entry.objects.get(patient=clinic.patient).certificate.ready_by == date(2026, 11, 30)


def test_a_refusal_is_shown_next_to_the_kind(client, clinic):
    client.force_login(clinic.patient.user)
    client.post(order_url(clinic.patient), {"kind": "pool"})

    again = client.post(order_url(clinic.patient), {"kind": "pool"})

    assert again.context["form"].errors["kind"] == ["Такая справка уже заказана и готовится."]
    assert Entry.objects.filter(patient=clinic.patient).count() == 1


def test_a_guardian_orders_for_the_child(client, clinic):
    client.force_login(clinic.patient.user)
    client.post(order_url(clinic.child), {"kind": "camp"})
    assert Entry.objects.get(patient=clinic.child).certificate.kind == "camp"


def test_download_issues_the_certificate_at_the_first_download(client, clinic, fake_pdf):
    client.force_login(clinic.patient.user)
    client.post(order_url(clinic.patient), {"kind": "pool"})
    entry = Entry.objects.get(patient=clinic.patient)
    certificate_services.certificate_prepare(actor=None, entry=entry)
    entry.refresh_from_db()
    assert entry.status == "ready"
    listed = client.get(list_url(clinic.patient)).content.decode()
    assert pdf_url(entry) in listed

    response = client.get(pdf_url(entry))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == PDF
    number = entry.certificate.number
    assert response["Content-Disposition"].startswith("attachment;")
    assert number.split("-")[-1] in response["Content-Disposition"]
    entry.refresh_from_db()
    assert entry.status == "issued"
    # A second download changes nothing and still works.
    assert client.get(pdf_url(entry)).content == PDF
    look = AccessLogEntry.objects.filter(patient_id=clinic.patient.pk).first()
    assert (look.section, look.entry_id, look.role) == ("certificates", entry.pk, "self")


def test_an_ordered_certificate_has_no_file_yet(client, clinic):
    entry = certificate_entry(clinic.patient)
    client.force_login(clinic.patient.user)
    assert client.get(pdf_url(entry)).status_code == 404


def test_download_is_404_for_a_stranger_and_anonymous_signs_in(client, clinic):
    entry = certificate_entry(clinic.patient, status="ready")
    client.force_login(PersonFactory().user)
    assert client.get(pdf_url(entry)).status_code == 404
    assert client.get(list_url(clinic.patient)).status_code == 404
    client.logout()
    response = client.get(pdf_url(entry))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    entry.refresh_from_db()
    assert entry.status == "ready"


def test_another_patients_certificate_through_my_record_is_404(client, clinic):
    other = certificate_entry(PersonFactory(), status="ready")
    client.force_login(clinic.patient.user)
    url = reverse(
        "record:certificate_pdf", kwargs={"person_id": clinic.patient.pk, "entry_id": other.pk}
    )
    assert client.get(url).status_code == 404


def test_a_delegate_orders_and_downloads(client, clinic):
    delegate = PersonFactory()
    Delegation.objects.create(
        principal=clinic.patient, delegate=delegate, scopes=["record"], confirmed_at=NOW
    )
    entry = certificate_entry(clinic.patient, status="ready")
    client.force_login(delegate.user)
    assert client.get(pdf_url(entry)).status_code == 200
    entry.refresh_from_db()
    assert entry.status == "issued"
    assert client.get(order_url(clinic.patient)).status_code == 200


def test_the_clinics_registrar_reads_and_downloads_but_does_not_order_or_issue(client, clinic):
    registrar = UserFactory()
    RegistrarPost.objects.create(user=registrar, organisation=clinic.organisation)
    entry = certificate_entry(clinic.patient, status="ready", organisation=clinic.organisation)
    client.force_login(registrar)

    listed = client.get(list_url(clinic.patient))
    assert listed.status_code == 200
    assert "Заказать справку" not in listed.content.decode().split("<h1>")[1]
    assert client.get(pdf_url(entry)).status_code == 200
    entry.refresh_from_db()
    assert entry.status == "ready"
    assert client.get(order_url(clinic.patient)).status_code == 404
    # The registrar's look is certificates only.
    assert (
        client.get(reverse("record:diary", kwargs={"person_id": clinic.patient.pk})).status_code
        == 404
    )


def test_a_head_request_does_not_issue(client, clinic):
    entry = certificate_entry(clinic.patient, status="ready")
    client.force_login(clinic.patient.user)
    assert client.head(pdf_url(entry)).status_code == 200
    entry.refresh_from_db()
    assert entry.status == "ready"
