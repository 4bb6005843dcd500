"""The record's services: each happy path, each refusal, the audit row, amendments, labs,
certificates (ordered → ready → issued, by the next working day) and the health diary.
"""

import sys
import types
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.analytics.models import UsageEvent
from gorod.core.errors import DomainError, NotFound
from gorod.core.models import AuditEvent
from gorod.health import tasks
from gorod.health.models import (
    Appointment,
    Certificate,
    DiaryReading,
    EncounterNote,
    Entry,
    LabReport,
    Observation,
    RegistrarPost,
    SickLeave,
)
from gorod.health.selectors.access import RecordAccess
from gorod.health.services import record
from gorod.health.tests.conftest import MOSCOW, NOW
from gorod.health.tests.factories import AppointmentFactory, RoleFactory
from gorod.health.tests.record_factories import finalise, lab_entry, prescription_entry
from gorod.notifications.models import Message

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


@pytest.fixture
def doctor(clinic):
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save()
    return practitioner.user


@pytest.fixture
def appointment(clinic):
    return AppointmentFactory(person=clinic.patient, slot=clinic.slot_at(0))


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
    entry = record.encounter_open(actor=doctor, appointment=appointment)
    return record.encounter_record(
        actor=doctor,
        entry=entry,
        complaints="Насморк, кашель",
        anamnesis="Болеет два дня",
        examination="Зев гиперемирован",
        recommendations="Обильное питьё",
        diagnoses=list(diagnoses),
    )


# --- Encounters -----------------------------------------------------------------------


def test_the_appointments_doctor_opens_the_visit_once(clinic, doctor, appointment):
    entry = record.encounter_open(actor=doctor, appointment=appointment)

    assert (entry.section, entry.status, entry.patient) == (
        "encounters",
        "in-progress",
        clinic.patient,
    )
    assert entry.practitioner == clinic.therapist.practitioner
    assert entry.finalised_at is None
    assert EncounterNote.objects.filter(entry=entry).exists()
    assert record.encounter_open(actor=doctor, appointment=appointment) == entry
    assert audited("health.encounter_open", entry).data["appointment"] == appointment.pk


def test_another_doctor_or_a_citizen_cannot_open_the_visit(clinic, appointment, doctor):
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal("not_the_practitioner", record.encounter_open, actor=other, appointment=appointment)
    refusal(
        "not_a_practitioner",
        record.encounter_open,
        actor=clinic.patient.user,
        appointment=appointment,
    )


def test_a_cancelled_appointment_opens_no_visit(doctor, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(
        status=Appointment.Status.CANCELLED, cancelled_at=NOW, cancellation_reason="patient"
    )
    appointment.refresh_from_db()
    refusal("appointment_cancelled", record.encounter_open, actor=doctor, appointment=appointment)


def test_the_protocol_is_written_and_signed_with_its_main_diagnosis(doctor, appointment):
    entry = written(
        doctor, appointment, diagnoses=[("j06.9", "main", ""), ("I10", "concomitant", "давно")]
    )
    assert audited("health.encounter_record", entry).data["diagnoses"] == ["j06.9", "I10"]

    entry = record.entry_finalise(actor=doctor, entry=entry)

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
    entry = record.encounter_open(actor=doctor, appointment=appointment)
    text = {"complaints": "", "anamnesis": "", "examination": "", "recommendations": ""}
    cases = [
        ("icd10_unknown", [("Q99.99", "main", "")]),
        ("diagnosis_repeated", [("J06.9", "main", ""), ("J06.9", "concomitant", "")]),
        ("diagnosis_kind_invalid", [("J06.9", "suspected", "")]),
        ("diagnosis_main_repeated", [("J06.9", "main", ""), ("I10", "main", "")]),
    ]
    for code, diagnoses in cases:
        error = refusal(
            code, record.encounter_record, actor=doctor, entry=entry, diagnoses=diagnoses, **text
        )
        assert error.field == "diagnoses"
    record.encounter_record(
        actor=doctor, entry=entry, diagnoses=[("I10", "concomitant", "")], **text
    )
    refusal("diagnosis_main_required", record.entry_finalise, actor=doctor, entry=entry)
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal("entry_not_yours", record.entry_finalise, actor=other, entry=entry)


def test_a_signed_protocol_is_not_edited_or_signed_again(doctor, appointment):
    entry = record.entry_finalise(actor=doctor, entry=written(doctor, appointment))
    refusal("entry_final", record.entry_finalise, actor=doctor, entry=entry)
    refusal(
        "entry_final",
        record.encounter_record,
        actor=doctor,
        entry=entry,
        complaints="",
        anamnesis="",
        examination="",
        recommendations="",
        diagnoses=[("J00", "main", "")],
    )


# --- Amendments -----------------------------------------------------------------------


def test_an_amendment_keeps_both_versions_and_the_original_words(doctor, appointment):
    original = record.entry_finalise(actor=doctor, entry=written(doctor, appointment))

    draft = record.entry_amendment_start(actor=doctor, entry=original, reason="Уточнён диагноз")
    assert draft.amends == original
    assert draft.finalised_at is None
    assert draft.encounter.complaints == "Насморк, кашель"
    assert [d.icd10_id for d in draft.diagnoses.all()] == ["J06.9"]
    assert audited("health.entry_amendment_start", draft).data["amends"] == original.pk
    # Asked again, the same draft.
    assert record.entry_amendment_start(actor=doctor, entry=original, reason="Ещё") == draft

    record.encounter_record(
        actor=doctor,
        entry=draft,
        complaints="Насморк, кашель, боль в горле",
        anamnesis="Болеет два дня",
        examination="Миндалины увеличены",
        recommendations="Обильное питьё",
        diagnoses=[("J03.9", "main", "")],
    )
    record.entry_finalise(actor=doctor, entry=draft)

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
    draft = record.encounter_open(actor=doctor, appointment=appointment)
    refusal("entry_not_final", record.entry_amendment_start, actor=doctor, entry=draft, reason="x")
    record.encounter_record(
        actor=doctor,
        entry=draft,
        complaints="",
        anamnesis="",
        examination="",
        recommendations="",
        diagnoses=[("J00", "main", "")],
    )
    original = record.entry_finalise(actor=doctor, entry=draft)
    error = refusal(
        "amendment_reason_required",
        record.entry_amendment_start,
        actor=doctor,
        entry=original,
        reason="  ",
    )
    assert error.field == "reason"
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal(
        "entry_not_yours", record.entry_amendment_start, actor=other, entry=original, reason="x"
    )
    amendment = record.entry_amendment_start(actor=doctor, entry=original, reason="Опечатка")
    record.entry_finalise(actor=doctor, entry=amendment)
    refusal(
        "entry_superseded", record.entry_amendment_start, actor=doctor, entry=original, reason="x"
    )


def test_a_lab_reports_amendment_drops_the_laboratorys_identifier(clinic):
    lab = lab_entry(clinic.patient, finalised=False)
    Entry.objects.filter(pk=lab.pk).update(created_by=UserFactory())
    lab.refresh_from_db()
    finalise(lab)
    amendment = record.entry_amendment_start(actor=lab.created_by, entry=lab, reason="Пересчёт")
    assert amendment.lab_report.lab_identifier is None
    assert amendment.observations.count() == lab.observations.count()


# --- Prescriptions, sick leaves, immunizations, conditions, studies, discharges -----


def test_a_prescription_gets_a_unique_number(clinic, doctor, time_machine):
    time_machine.move_to(NOW)
    practitioner, organisation = clinic.therapist.practitioner, clinic.organisation
    values = {
        "actor": doctor,
        "patient": clinic.patient,
        "organisation": organisation,
        "practitioner": practitioner,
        "drug": "Амлодипин",
        "dosage_form": "таблетки 5 мг",
        "dose": "1 таблетка",
        "schedule": "утром",
        "duration_days": 30,
        "valid_until": date(2027, 1, 24),
    }
    first = record.prescription_write(**values)
    second = record.prescription_write(**values, preferential=True)

    assert first.finalised_at is not None
    assert first.section == "prescriptions"
    number = first.prescription.number
    assert number.startswith(f"{organisation.registry_code[:6]}-2026-")
    assert len(number) == 20
    assert number != second.prescription.number
    assert second.prescription.preferential
    assert audited("health.prescription_write", first)
    refusal(
        "prescription_expired",
        record.prescription_write,
        **{**values, "valid_until": date(2026, 11, 1)},
    )
    refusal(
        "prescription_duration_invalid", record.prescription_write, **{**values, "duration_days": 0}
    )
    other = RoleFactory(practitioner__user=UserFactory()).practitioner.user
    refusal("not_the_practitioner", record.prescription_write, **{**values, "actor": other})
    refusal("not_a_practitioner", record.prescription_write, **{**values, "actor": UserFactory()})
    refusal("record_invalid", record.prescription_write, **{**values, "dose": ""})


def test_a_number_collision_is_retried(clinic, doctor, monkeypatch, time_machine):
    time_machine.move_to(NOW)
    code = clinic.organisation.registry_code[:6]
    taken = prescription_entry(clinic.patient, number=f"{code}-2026-00000007")
    draws = iter([7, 7, 8])
    monkeypatch.setattr(record.secrets, "randbelow", lambda _limit: next(draws))
    entry = record.prescription_write(
        actor=doctor,
        patient=clinic.patient,
        organisation=clinic.organisation,
        practitioner=clinic.therapist.practitioner,
        drug="Ибупрофен",
        dosage_form="",
        dose="200 мг",
        schedule="при боли",
        duration_days=None,
        valid_until=date(2099, 1, 1),
    )
    assert taken.prescription.number.endswith("00000007")
    assert entry.prescription.number.endswith("-00000008")


def test_a_sick_leave_opens_extends_and_closes(clinic, doctor):
    values = {
        "actor": doctor,
        "patient": clinic.patient,
        "organisation": clinic.organisation,
        "practitioner": clinic.therapist.practitioner,
    }
    refusal(
        "sick_leave_dates",
        record.sick_leave_open,
        **values,
        starts_on=date(2026, 11, 25),
        ends_on=date(2026, 11, 24),
    )
    leave = record.sick_leave_open(
        **values, starts_on=date(2026, 11, 25), ends_on=date(2026, 11, 29), employer="ООО «Ромашка»"
    )
    assert leave.status == "open"
    assert len(leave.sick_leave.number) == 12
    assert audited("health.sick_leave_open", leave)

    refusal(
        "sick_leave_not_longer",
        record.sick_leave_extend,
        actor=doctor,
        entry=leave,
        ends_on=date(2026, 11, 29),
        reason="Продление",
    )
    longer = record.sick_leave_extend(
        actor=doctor, entry=leave, ends_on=date(2026, 12, 3), reason="Не выздоровела"
    )
    leave.refresh_from_db()
    assert leave.superseded_at is not None
    assert leave.sick_leave.ends_on == date(2026, 11, 29)
    assert longer.sick_leave.number == leave.sick_leave.number
    assert SickLeave.objects.get(entry=longer).ends_on == date(2026, 12, 3)
    assert longer.summary == "25.11.2026 – 03.12.2026"
    assert longer.finalised_at is not None

    refusal("entry_superseded", record.sick_leave_close, actor=doctor, entry=leave)
    record.sick_leave_close(actor=doctor, entry=longer)
    assert Entry.objects.get(pk=longer.pk).status == "closed"
    assert audited("health.sick_leave_close", longer)
    refusal("sick_leave_closed", record.sick_leave_close, actor=doctor, entry=longer)
    refusal(
        "sick_leave_closed",
        record.sick_leave_extend,
        actor=doctor,
        entry=longer,
        ends_on=date(2026, 12, 9),
        reason="x",
    )


def test_an_immunization_a_condition_a_study_and_a_discharge(clinic, doctor, time_machine):
    time_machine.move_to(NOW)
    values = {
        "actor": doctor,
        "patient": clinic.patient,
        "organisation": clinic.organisation,
        "practitioner": clinic.therapist.practitioner,
    }
    shot = record.immunization_record(
        **values, occurred_at=NOW, vaccine="Спутник V", target_disease="COVID-19", dose_number=2
    )
    assert (shot.title, shot.summary) == ("Прививка: COVID-19", "Спутник V, доза 2")
    refusal(
        "immunization_dose_invalid",
        record.immunization_record,
        **values,
        occurred_at=NOW,
        vaccine="x",
        target_disease="x",
        dose_number=0,
    )
    refusal(
        "immunization_in_future",
        record.immunization_record,
        **values,
        occurred_at=NOW + timedelta(days=1),
        vaccine="x",
        target_disease="x",
        dose_number=1,
    )

    condition = record.condition_record(
        **values, icd10_code="i10", clinical_status="active", onset_on=date(2019, 3, 1)
    )
    assert condition.summary == "I10 Эссенциальная [первичная] гипертензия"
    refusal(
        "icd10_unknown",
        record.condition_record,
        **values,
        icd10_code="ZZZ",
        clinical_status="active",
    )
    refusal(
        "condition_dates",
        record.condition_record,
        **values,
        icd10_code="I10",
        clinical_status="resolved",
        onset_on=date(2020, 1, 1),
        abated_on=date(2019, 1, 1),
    )
    refusal(
        "record_invalid",
        record.condition_record,
        **values,
        icd10_code="I10",
        clinical_status="gone",
    )

    study = record.study_record(
        **values,
        occurred_at=NOW,
        modality="FLG",
        body_site="органы грудной клетки",
        description="",
        conclusion="Без патологии.",
    )
    assert study.title == "флюорография: органы грудной клетки"
    refusal(
        "study_conclusion_required",
        record.study_record,
        **values,
        occurred_at=NOW,
        modality="FLG",
        body_site="",
        description="",
        conclusion=" ",
    )

    discharge = record.discharge_record(
        **values,
        hospital="ГКБ № 1",
        department="Терапия",
        admitted_on=date(2026, 10, 1),
        discharged_on=date(2026, 10, 10),
        diagnoses=[("J18.9", "main", "")],
    )
    assert discharge.summary == "J18.9 Пневмония неуточненная"
    assert discharge.finalised_at
    refusal(
        "discharge_dates",
        record.discharge_record,
        **values,
        hospital="x",
        department="",
        admitted_on=date(2026, 10, 10),
        discharged_on=date(2026, 10, 1),
        diagnoses=[],
    )
    refusal(
        "diagnosis_main_required",
        record.discharge_record,
        **values,
        hospital="x",
        department="",
        admitted_on=date(2026, 10, 1),
        discharged_on=date(2026, 10, 1),
        diagnoses=[("I10", "concomitant", "")],
    )
    for action, entry in [
        ("health.immunization_record", shot),
        ("health.condition_record", condition),
        ("health.study_record", study),
        ("health.discharge_record", discharge),
    ]:
        assert audited(action, entry)


# --- Lab reports ----------------------------------------------------------------------


def lab_values(patient, identifier="LIS-1"):
    return {
        "actor": None,
        "patient": patient,
        "lab_system": "invitro",
        "lab_identifier": identifier,
        "laboratory": "ИНВИТРО",
        "category": LabReport.Category.HAEMATOLOGY,
        "specimen": "venous blood",
        "issued_at": NOW,
        "observations": BLOOD,
    }


def test_a_lab_report_is_stored_flagged_and_signed(clinic):
    entry, created = record.lab_report_store(**lab_values(clinic.patient))

    assert created
    assert entry.finalised_at is not None
    assert entry.source == "laboratory"
    assert entry.flagged
    assert entry.summary == "Вне нормы: 2 из 4"
    assert entry.title == "Гематология"
    flags = dict(Observation.objects.filter(entry=entry).values_list("code", "flag"))
    assert flags == {"718-7": "N", "6690-2": "H", "777-3": "L", "ABO": ""}
    assert Observation.objects.get(entry=entry, code="6690-2").value == Decimal("11.8")
    assert audited("health.lab_report_store", entry).data["observations"] == 4


def test_the_same_report_twice_is_stored_once(clinic):
    first, created = record.lab_report_store(**lab_values(clinic.patient))
    again, created_again = record.lab_report_store(**lab_values(clinic.patient))

    assert created
    assert not created_again
    assert again == first
    assert LabReport.objects.filter(lab_identifier="LIS-1").count() == 1
    assert AuditEvent.objects.filter(action="health.lab_report_store").count() == 1


def test_a_race_on_the_same_report_returns_the_stored_one(clinic, monkeypatch):
    first, _created = record.lab_report_store(**lab_values(clinic.patient))
    # The other request's insert committed after this one's look: the look misses it.
    real = record.Entry.objects.filter
    calls = iter([Entry.objects.none()])
    monkeypatch.setattr(
        record.Entry.objects,
        "filter",
        lambda *a, **k: next(calls, None) or real(*a, **k),
    )
    again, created = record.lab_report_store(**lab_values(clinic.patient))
    assert not created
    assert again == first


def test_a_lab_report_the_rules_refuse(clinic):
    values = lab_values(clinic.patient)
    refusal("lab_report_empty", record.lab_report_store, **{**values, "observations": []})
    refusal(
        "observation_value_missing",
        record.lab_report_store,
        **{**values, "observations": [{"code": "1", "name": "Пусто"}]},
    )
    refusal(
        "observation_value_invalid",
        record.lab_report_store,
        **{**values, "observations": [{"code": "1", "name": "x", "value": "много"}]},
    )
    refusal(
        "observation_range_invalid",
        record.lab_report_store,
        **{
            **values,
            "observations": [
                {"code": "1", "name": "x", "value": 1, "reference_low": 5, "reference_high": 2}
            ],
        },
    )
    assert not Entry.objects.filter(section="labs").exists()


def test_all_results_in_range_say_so(clinic):
    entry, _created = record.lab_report_store(
        **{**lab_values(clinic.patient), "observations": BLOOD[:1], "title": "Гемоглобин"}
    )
    assert (entry.title, entry.summary, entry.flagged) == (
        "Гемоглобин",
        "Все показатели в норме",
        False,
    )


# --- Certificates ---------------------------------------------------------------------


@pytest.fixture
def signed_pdf(monkeypatch):
    """H3's signed PDF is tested by H3 (test_documents.py); here a stand-in."""
    import gorod.health

    try:
        from gorod.health import documents
    except ImportError:
        documents = types.ModuleType("gorod.health.documents")
        monkeypatch.setitem(sys.modules, "gorod.health.documents", documents)
        monkeypatch.setattr(gorod.health, "documents", documents, raising=False)
    monkeypatch.setattr(documents, "certificate_pdf", lambda entry: PDF, raising=False)


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
    entry = record.certificate_order(access=access(clinic.patient), kind="pool", purpose="")
    assert entry.certificate.ready_by == ready_by


def test_an_extra_day_off_moves_the_day(clinic, time_machine, settings):
    settings.GOROD_HEALTH_EXTRA_DAYS_OFF = frozenset({date(2026, 11, 26)})
    time_machine.move_to(NOW)
    entry = record.certificate_order(access=access(clinic.patient), kind="pool")
    assert entry.certificate.ready_by == date(2026, 11, 27)


def test_a_certificate_goes_ordered_ready_issued(clinic, time_machine, signed_pdf):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    entry = record.certificate_order(access=mine, kind="pool", purpose="Бассейн «Чайка»")

    assert (entry.status, entry.finalised_at, entry.source) == ("ordered", None, "patient")
    assert entry.organisation == clinic.organisation
    assert entry.title == "Справка в бассейн"
    assert entry.certificate.number.startswith(f"{clinic.organisation.registry_code[:6]}-С2026-")
    assert audited("health.certificate_order", entry).data["kind"] == "pool"
    assert (
        UsageEvent.objects.filter(service__slug="medical-certificates", action="submit").count()
        == 1
    )
    refusal("certificate_already_ordered", record.certificate_order, access=mine, kind="pool")
    refusal("certificate_not_ready", record.certificate_mark_issued, access=mine, entry=entry)

    # Not yet the day: the hourly task leaves it.
    assert record.certificates_prepare_due(now=NOW) == 0
    time_machine.move_to(NOW + timedelta(days=1))
    assert tasks.prepare_due_certificates.call() == {"prepared": 1}
    entry.refresh_from_db()
    assert entry.status == "ready"
    assert entry.finalised_at is not None
    assert bytes(Certificate.objects.get(entry=entry).pdf) == PDF
    assert audited("health.certificate_prepare", entry)
    message = Message.objects.get(topic="health.certificate")
    assert message.person == clinic.patient
    assert "готова" in message.subject
    assert record.certificates_prepare_due() == 0

    record.certificate_mark_issued(access=mine, entry=entry)
    record.certificate_mark_issued(access=mine, entry=entry)
    assert Entry.objects.get(pk=entry.pk).status == "issued"
    assert AuditEvent.objects.filter(action="health.certificate_issue").count() == 1
    refusal("certificate_not_cancellable", record.certificate_cancel, access=mine, entry=entry)


def test_a_childs_certificate_is_announced_to_the_guardian(
    clinic, time_machine, signed_pdf, monkeypatch
):
    time_machine.move_to(NOW)
    parent = access(clinic.child, role="guardian", actor=clinic.patient.user)
    entry = record.certificate_order(access=parent, kind="camp")
    registrar = UserFactory()
    refusal("certificate_not_your_clinic", record.certificate_prepare, actor=registrar, entry=entry)
    RegistrarPost.objects.create(user=registrar, organisation=clinic.organisation)
    monkeypatch.setattr(
        record, "is_registrar_of", lambda actor, organisation_id: actor == registrar
    )
    record.certificate_prepare(actor=registrar, entry=entry)

    assert Message.objects.get(topic="health.certificate").person == clinic.patient
    refusal("certificate_not_ordered", record.certificate_prepare, actor=None, entry=entry)


def test_an_order_is_cancelled_while_ordered(clinic, time_machine, signed_pdf):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    entry = record.certificate_order(access=mine, kind="sport")
    record.certificate_cancel(access=mine, entry=entry)

    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert entry.summary == "Заказ отменён"
    assert audited("health.certificate_cancel", entry)
    refusal("certificate_not_cancellable", record.certificate_cancel, access=mine, entry=entry)
    assert record.certificates_prepare_due(now=NOW + timedelta(days=7)) == 0
    # A cancelled order does not block a new one.
    record.certificate_order(access=mine, kind="sport")


def test_the_certificate_refusals(clinic, time_machine):
    time_machine.move_to(NOW)
    doctor_look = access(clinic.patient, role="clinician", actor=UserFactory())
    refusal("record_patient_only", record.certificate_order, access=doctor_look, kind="pool")
    refusal(
        "certificate_kind_invalid",
        record.certificate_order,
        access=access(clinic.patient),
        kind="driver",
    )
    stranger = PersonFactory()
    refusal(
        "certificate_no_attachment", record.certificate_order, access=access(stranger), kind="pool"
    )
    entry = record.certificate_order(access=access(clinic.patient), kind="pool")
    with pytest.raises(NotFound):
        record.certificate_cancel(access=access(stranger), entry=entry)


# --- Health diary ---------------------------------------------------------------------


def test_a_diary_reading_is_added_and_deleted(clinic, time_machine):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    reading = record.diary_reading_add(
        access=mine, kind="pressure", value="128", value_low=82, measured_at=NOW, note="утром"
    )
    assert (reading.value, reading.value_low, reading.entered_by) == (
        Decimal(128),
        Decimal(82),
        clinic.patient.user,
    )
    assert audited("health.diary_reading_add", reading).data["kind"] == "pressure"
    child = record.diary_reading_add(
        access=access(clinic.child, role="guardian", actor=clinic.patient.user),
        kind="temperature",
        value="37,2",
        measured_at=NOW,
    )
    assert child.patient == clinic.child

    with pytest.raises(NotFound):
        record.diary_reading_delete(access=mine, reading_id=child.pk)
    record.diary_reading_delete(access=mine, reading_id=reading.pk)
    assert not DiaryReading.objects.filter(pk=reading.pk).exists()
    assert AuditEvent.objects.filter(action="health.diary_reading_delete").count() == 1


def test_the_diarys_refusals(clinic, time_machine):
    time_machine.move_to(NOW)
    mine = access(clinic.patient)
    delegate = access(clinic.patient, role="delegate", actor=UserFactory())
    refusal(
        "record_patient_only",
        record.diary_reading_add,
        access=delegate,
        kind="pulse",
        value=70,
        measured_at=NOW,
    )
    refusal(
        "diary_kind_invalid",
        record.diary_reading_add,
        access=mine,
        kind="mood",
        value=5,
        measured_at=NOW,
    )
    refusal(
        "diary_value_out_of_range",
        record.diary_reading_add,
        access=mine,
        kind="pulse",
        value=700,
        measured_at=NOW,
    )
    refusal(
        "diary_pressure_incomplete",
        record.diary_reading_add,
        access=mine,
        kind="pressure",
        value=120,
        measured_at=NOW,
    )
    error = refusal(
        "diary_pressure_order",
        record.diary_reading_add,
        access=mine,
        kind="pressure",
        value=80,
        value_low=120,
        measured_at=NOW,
    )
    assert error.field == "value_low"
    refusal(
        "diary_value_invalid",
        record.diary_reading_add,
        access=mine,
        kind="pulse",
        value="abc",
        measured_at=NOW,
    )
    refusal(
        "diary_in_future",
        record.diary_reading_add,
        access=mine,
        kind="pulse",
        value=70,
        measured_at=NOW + timedelta(hours=1),
    )
    assert not DiaryReading.objects.exists()


def test_a_reused_identifier_from_another_lab_or_patient_is_a_conflict(clinic):
    record.lab_report_store(**lab_values(clinic.patient))
    # Padded with spaces it is still the same identifier, found before the insert.
    _again, created = record.lab_report_store(**lab_values(clinic.patient, " LIS-1 "))
    assert not created
    other_lab = UserFactory()
    conflict = refusal(
        "lab_identifier_conflict",
        record.lab_report_store,
        **{**lab_values(clinic.patient), "actor": other_lab},
    )
    assert conflict.status == 409
    refusal("lab_identifier_conflict", record.lab_report_store, **lab_values(clinic.child))
    assert LabReport.objects.count() == 1


def test_a_ready_certificate_of_a_teen_is_not_told_to_the_parent(clinic, time_machine, signed_pdf):
    """From 15 the record is the teen's: a teen without a login hears nothing through the
    parent, who may not read it."""
    time_machine.move_to(NOW)
    teen = clinic.child
    teen.birth_date = date(2010, 1, 1)
    teen.save(update_fields=["birth_date"])
    entry = record.certificate_order(
        access=access(teen, role="delegate", actor=clinic.patient.user), kind="pool"
    )
    time_machine.move_to(NOW + timedelta(days=1))
    record.certificates_prepare_due()
    assert Entry.objects.get(pk=entry.pk).status == "ready"
    assert not Message.objects.filter(topic="health.certificate").exists()


def test_a_diary_time_without_a_zone_is_moscow_time(clinic, time_machine):
    time_machine.move_to(NOW)
    reading = record.diary_reading_add(
        access=access(clinic.patient),
        kind="pulse",
        value="72",
        measured_at=datetime(2026, 11, 25, 8, 30),
    )
    assert reading.measured_at == datetime(2026, 11, 25, 8, 30, tzinfo=MOSCOW)
