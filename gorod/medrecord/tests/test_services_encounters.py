"""The visit protocol and amendments; the helpers the other record-service tests share."""

import pytest

from gorod.accounts.tests.factories import UserFactory
from gorod.appointments.models import Appointment
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.tests.factories import RoleFactory
from gorod.core.errors import DomainError
from gorod.core.models import AuditEvent
from gorod.medrecord.models.record import EncounterNote, Entry
from gorod.medrecord.selectors.access import RecordAccess
from gorod.medrecord.services import entries as entry_services
from gorod.medrecord.tests.factories import finalise, lab_entry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 signed\n%%EOF\n"
BLOOD = [
    {
        "code": "718-7",
        "name": "Гемоглобин",
        "value": "142",
        "unit": "г/л",
        "reference_low": "120",
        "reference_high": "160",
    },
    {
        "code": "6690-2",
        "name": "Лейкоциты",
        "value": "11,8",
        "unit": "10^9/л",
        "reference_low": "4",
        "reference_high": "9",
    },
    {
        "code": "777-3",
        "name": "Тромбоциты",
        "value": "120",
        "unit": "10^9/л",
        "reference_low": "150",
        "reference_high": "400",
    },
    {"code": "ABO", "name": "Группа крови", "value_text": "A(II) Rh+"},
]


def refusal(code: str, action, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def audited(action: str, entry=None) -> AuditEvent:
    events = AuditEvent.objects.filter(action=action)
    if entry is not None:
        events = events.filter(target_id=str(entry.pk))
    return events.get()


def access(person, role="self", actor=None, channel="web"):
    return RecordAccess(
        actor=actor or person.user,
        patient=person,
        role=role,
        section="certificates",
        channel=channel,
        look=None,
    )


def written(doctor, appointment, *, diagnoses=(("J06.9", "main", ""),)):
    entry = entry_services.encounter_open(actor=doctor, appointment=appointment)
    return entry_services.encounter_record(
        actor=doctor,
        entry=entry,
        complaints="Насморк, кашель",
        anamnesis="Болеет два дня",
        examination="Зев гиперемирован",
        recommendations="Обильное питьё",
        diagnoses=list(diagnoses),
    )


def test_the_appointments_doctor_opens_the_visit_once(clinic, doctor, appointment):
    entry = entry_services.encounter_open(actor=doctor, appointment=appointment)

    assert (entry.section, entry.status, entry.patient) == (
        "encounters",
        "in-progress",
        clinic.patient,
    )
    assert entry.practitioner == clinic.therapist.practitioner
    assert entry.finalised_at is None
    assert EncounterNote.objects.filter(entry=entry).exists()
    assert entry_services.encounter_open(actor=doctor, appointment=appointment) == entry
    assert audited("health.encounter_open", entry).data["appointment"] == appointment.pk


def test_another_doctor_or_a_citizen_cannot_open_the_visit(clinic, appointment, doctor):
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal(
        "not_the_practitioner", entry_services.encounter_open, actor=other, appointment=appointment
    )
    refusal(
        "not_a_practitioner",
        entry_services.encounter_open,
        actor=clinic.patient.user,
        appointment=appointment,
    )


def test_a_cancelled_appointment_opens_no_visit(doctor, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(
        status=Appointment.Status.CANCELLED, cancelled_at=NOW, cancellation_reason="patient"
    )
    appointment.refresh_from_db()
    refusal(
        "appointment_cancelled",
        entry_services.encounter_open,
        actor=doctor,
        appointment=appointment,
    )


def test_the_protocol_is_written_and_signed_with_its_main_diagnosis(doctor, appointment):
    entry = written(
        doctor, appointment, diagnoses=[("j06.9", "main", ""), ("I10", "concomitant", "давно")]
    )
    assert audited("health.encounter_record", entry).data["diagnoses"] == ["j06.9", "I10"]

    entry = entry_services.entry_finalise(actor=doctor, entry=entry)

    entry.refresh_from_db()
    assert entry.finalised_at is not None
    assert entry.finalised_by == doctor
    assert entry.status == "finished"
    assert entry.summary == "J06.9 Острая инфекция верхних дыхательных путей неуточненная"
    assert [(d.icd10_id, d.kind) for d in entry.diagnoses.all()] == [
        ("J06.9", "main"),
        ("I10", "concomitant"),
    ]
    assert audited("health.encounters_finalise", entry)


def test_the_protocols_refusals(doctor, appointment):
    entry = entry_services.encounter_open(actor=doctor, appointment=appointment)
    text = {"complaints": "", "anamnesis": "", "examination": "", "recommendations": ""}
    cases = [
        ("icd10_unknown", [("Q99.99", "main", "")]),
        ("diagnosis_repeated", [("J06.9", "main", ""), ("J06.9", "concomitant", "")]),
        ("diagnosis_kind_invalid", [("J06.9", "suspected", "")]),
        ("diagnosis_main_repeated", [("J06.9", "main", ""), ("I10", "main", "")]),
    ]
    for code, diagnoses in cases:
        error = refusal(
            code,
            entry_services.encounter_record,
            actor=doctor,
            entry=entry,
            diagnoses=diagnoses,
            **text,
        )
        assert error.field == "diagnoses"
    entry_services.encounter_record(
        actor=doctor, entry=entry, diagnoses=[("I10", "concomitant", "")], **text
    )
    refusal("diagnosis_main_required", entry_services.entry_finalise, actor=doctor, entry=entry)
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal("entry_not_yours", entry_services.entry_finalise, actor=other, entry=entry)


def test_a_signed_protocol_is_not_edited_or_signed_again(doctor, appointment):
    entry = entry_services.entry_finalise(actor=doctor, entry=written(doctor, appointment))
    refusal("entry_final", entry_services.entry_finalise, actor=doctor, entry=entry)
    refusal(
        "entry_final",
        entry_services.encounter_record,
        actor=doctor,
        entry=entry,
        complaints="",
        anamnesis="",
        examination="",
        recommendations="",
        diagnoses=[("J00", "main", "")],
    )


def test_an_amendment_keeps_both_versions_and_the_original_words(doctor, appointment):
    original = entry_services.entry_finalise(actor=doctor, entry=written(doctor, appointment))

    draft = entry_services.entry_amendment_start(
        actor=doctor, entry=original, reason="Уточнён диагноз"
    )
    assert draft.amends == original
    assert draft.finalised_at is None
    assert draft.encounter.complaints == "Насморк, кашель"
    assert [d.icd10_id for d in draft.diagnoses.all()] == ["J06.9"]
    assert audited("health.entry_amendment_start", draft).data["amends"] == original.pk
    # Asked again, the same draft.
    assert entry_services.entry_amendment_start(actor=doctor, entry=original, reason="Ещё") == draft

    entry_services.encounter_record(
        actor=doctor,
        entry=draft,
        complaints="Насморк, кашель, боль в горле",
        anamnesis="Болеет два дня",
        examination="Миндалины увеличены",
        recommendations="Обильное питьё",
        diagnoses=[("J03.9", "main", "")],
    )
    entry_services.entry_finalise(actor=doctor, entry=draft)

    original.refresh_from_db()
    draft.refresh_from_db()
    assert original.superseded_at == draft.finalised_at
    assert original.encounter.complaints == "Насморк, кашель"
    assert [d.icd10_id for d in original.diagnoses.all()] == ["J06.9"]
    assert original.summary.startswith("J06.9")
    assert draft.summary == "J03.9 Острый тонзиллит неуточненный"
    assert draft.superseded_at is None
    assert draft.appointment == original.appointment


def test_the_amendments_refusals(doctor, appointment):
    draft = entry_services.encounter_open(actor=doctor, appointment=appointment)
    refusal(
        "entry_not_final",
        entry_services.entry_amendment_start,
        actor=doctor,
        entry=draft,
        reason="x",
    )
    entry_services.encounter_record(
        actor=doctor,
        entry=draft,
        complaints="",
        anamnesis="",
        examination="",
        recommendations="",
        diagnoses=[("J00", "main", "")],
    )
    original = entry_services.entry_finalise(actor=doctor, entry=draft)
    error = refusal(
        "amendment_reason_required",
        entry_services.entry_amendment_start,
        actor=doctor,
        entry=original,
        reason="  ",
    )
    assert error.field == "reason"
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal(
        "entry_not_yours",
        entry_services.entry_amendment_start,
        actor=other,
        entry=original,
        reason="x",
    )
    amendment = entry_services.entry_amendment_start(
        actor=doctor, entry=original, reason="Опечатка"
    )
    entry_services.entry_finalise(actor=doctor, entry=amendment)
    refusal(
        "entry_superseded",
        entry_services.entry_amendment_start,
        actor=doctor,
        entry=original,
        reason="x",
    )


def test_a_lab_reports_amendment_drops_the_laboratorys_identifier(clinic):
    lab = lab_entry(clinic.patient, finalised=False)
    Entry.objects.filter(pk=lab.pk).update(created_by=UserFactory())
    lab.refresh_from_db()
    finalise(lab)
    amendment = entry_services.entry_amendment_start(
        actor=lab.created_by, entry=lab, reason="Пересчёт"
    )
    assert amendment.lab_report.lab_identifier is None
    assert amendment.observations.count() == lab.observations.count()
