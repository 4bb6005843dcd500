"""Certificates: the ready-by day, ordered → ready → issued, cancelling, the refusals."""

from datetime import date, datetime, timedelta

import pytest

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.analytics.models import UsageEvent
from gorod.appointments.tests.fixtures import MOSCOW, NOW
from gorod.clinics.models import RegistrarPost
from gorod.core.errors import NotFound
from gorod.core.models import AuditEvent
from gorod.medrecord import documents
from gorod.medrecord import tasks as record_tasks
from gorod.medrecord.models.record import (
    Certificate,
    Entry,
)
from gorod.medrecord.services import certificates as certificate_services
from gorod.medrecord.tests.test_services_encounters import PDF, access, audited, refusal
from gorod.notifications.models import Message


@pytest.fixture
def signed_pdf(monkeypatch):
    """The signed PDF has tests of its own (test_documents.py); here a stand-in."""
    monkeypatch.setattr(documents, "certificate_pdf", lambda entry: PDF)


@pytest.mark.parametrize(
    ("ordered", "ready_by"),
    [
        (datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW), date(2026, 11, 26)),  # Wednesday
        (datetime(2026, 11, 27, 18, 0, tzinfo=MOSCOW), date(2026, 11, 30)),  # Friday → Monday
        (datetime(2026, 11, 3, 10, 0, tzinfo=MOSCOW), date(2026, 11, 5)),  # before 4 November
        (datetime(2026, 12, 31, 23, 30, tzinfo=MOSCOW), date(2027, 1, 11)),  # New Year holidays
    ],
)
def test_a_certificate_is_ready_by_the_next_working_day(clinic, time_machine, ordered, ready_by):
    time_machine.move_to(ordered)
    entry = certificate_services.certificate_order(
        access=access(clinic.patient), kind="pool", purpose=""
    )
    assert entry.certificate.ready_by == ready_by


def test_an_extra_day_off_moves_the_day(clinic, time_machine, settings):
    settings.GOROD_EXTRA_DAYS_OFF = frozenset({date(2026, 11, 26)})
    time_machine.move_to(NOW)
    entry = certificate_services.certificate_order(access=access(clinic.patient), kind="pool")
    assert entry.certificate.ready_by == date(2026, 11, 27)


def test_a_certificate_goes_ordered_ready_issued(clinic, time_machine, signed_pdf):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    entry = certificate_services.certificate_order(
        access=mine, kind="pool", purpose="Бассейн «Чайка»"
    )

    assert (entry.status, entry.finalised_at, entry.source) == ("ordered", None, "patient")
    assert entry.organisation == clinic.organisation
    assert entry.title == "Справка в бассейн"
    assert entry.certificate.number.startswith(f"{clinic.organisation.registry_code[:6]}-С2026-")
    assert audited("health.certificate_order", entry).data["kind"] == "pool"
    assert (
        UsageEvent.objects.filter(service__slug="medical-certificates", action="submit").count()
        == 1
    )
    refusal(
        "certificate_already_ordered",
        certificate_services.certificate_order,
        access=mine,
        kind="pool",
    )
    refusal(
        "certificate_not_ready",
        certificate_services.certificate_mark_issued,
        access=mine,
        entry=entry,
    )

    # Not yet the day: the hourly task leaves it.
    assert certificate_services.certificates_prepare_due(now=NOW) == 0
    time_machine.move_to(NOW + timedelta(days=1))
    assert record_tasks.prepare_due_certificates.call() == {"prepared": 1}
    entry.refresh_from_db()
    assert entry.status == "ready"
    assert entry.finalised_at is not None
    assert bytes(Certificate.objects.get(entry=entry).pdf) == PDF
    assert audited("health.certificate_prepare", entry)
    message = Message.objects.get(topic="health.certificate")
    assert message.person == clinic.patient
    assert "готова" in message.subject
    assert certificate_services.certificates_prepare_due() == 0

    certificate_services.certificate_mark_issued(access=mine, entry=entry)
    certificate_services.certificate_mark_issued(access=mine, entry=entry)
    assert Entry.objects.get(pk=entry.pk).status == "issued"
    assert AuditEvent.objects.filter(action="health.certificate_issue").count() == 1
    refusal(
        "certificate_not_cancellable",
        certificate_services.certificate_cancel,
        access=mine,
        entry=entry,
    )


def test_a_childs_certificate_is_announced_to_the_guardian(
    clinic, time_machine, signed_pdf, monkeypatch
):
    time_machine.move_to(NOW)
    parent = access(clinic.child, role="guardian", actor=clinic.patient.user)
    entry = certificate_services.certificate_order(access=parent, kind="camp")
    registrar = UserFactory()
    refusal(
        "certificate_not_your_clinic",
        certificate_services.certificate_prepare,
        actor=registrar,
        entry=entry,
    )
    RegistrarPost.objects.create(user=registrar, organisation=clinic.organisation)
    monkeypatch.setattr(
        certificate_services, "is_registrar_of", lambda actor, organisation_id: actor == registrar
    )
    certificate_services.certificate_prepare(actor=registrar, entry=entry)

    assert Message.objects.get(topic="health.certificate").person == clinic.patient
    refusal(
        "certificate_not_ordered", certificate_services.certificate_prepare, actor=None, entry=entry
    )


def test_an_order_is_cancelled_while_ordered(clinic, time_machine, signed_pdf):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    entry = certificate_services.certificate_order(access=mine, kind="sport")
    certificate_services.certificate_cancel(access=mine, entry=entry)

    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert entry.summary == "Заказ отменён"
    assert audited("health.certificate_cancel", entry)
    refusal(
        "certificate_not_cancellable",
        certificate_services.certificate_cancel,
        access=mine,
        entry=entry,
    )
    assert certificate_services.certificates_prepare_due(now=NOW + timedelta(days=7)) == 0
    # A cancelled order does not block a new one.
    certificate_services.certificate_order(access=mine, kind="sport")


def test_the_certificate_refusals(clinic, time_machine):
    time_machine.move_to(NOW)
    doctor_look = access(clinic.patient, role="clinician", actor=UserFactory())
    refusal(
        "record_patient_only",
        certificate_services.certificate_order,
        access=doctor_look,
        kind="pool",
    )
    refusal(
        "certificate_kind_invalid",
        certificate_services.certificate_order,
        access=access(clinic.patient),
        kind="driver",
    )
    stranger = PersonFactory()
    refusal(
        "certificate_no_attachment",
        certificate_services.certificate_order,
        access=access(stranger),
        kind="pool",
    )
    entry = certificate_services.certificate_order(access=access(clinic.patient), kind="pool")
    with pytest.raises(NotFound):
        certificate_services.certificate_cancel(access=access(stranger), entry=entry)


def test_a_ready_certificate_of_a_teen_is_not_told_to_the_parent(clinic, time_machine, signed_pdf):
    """From 15 the record is the teen's: a teen without a login hears nothing through the
    parent, who may not read it."""
    time_machine.move_to(NOW)
    teen = clinic.child
    teen.birth_date = date(2010, 1, 1)
    teen.save(update_fields=["birth_date"])
    entry = certificate_services.certificate_order(
        access=access(teen, role="delegate", actor=clinic.patient.user), kind="pool"
    )
    time_machine.move_to(NOW + timedelta(days=1))
    certificate_services.certificates_prepare_due()
    assert Entry.objects.get(pk=entry.pk).status == "ready"
    assert not Message.objects.filter(topic="health.certificate").exists()
