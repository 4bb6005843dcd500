"""Doctors' signed entries: prescriptions, sick leaves, immunizations, conditions, studies."""

import secrets
from datetime import date, timedelta

from gorod.accounts.tests.factories import UserFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.tests.factories import RoleFactory
from gorod.medrecord.models.record import Entry, SickLeave
from gorod.medrecord.services import doctor_entries as record
from gorod.medrecord.tests.factories import prescription_entry
from gorod.medrecord.tests.test_services_encounters import audited, refusal


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
    monkeypatch.setattr(secrets, "randbelow", lambda _limit: next(draws))
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
    shot = _immunization_and_its_refusals(values)
    condition = _condition_and_its_refusals(values)
    study = _study_and_its_refusals(values)
    discharge = _discharge_and_its_refusals(values)
    for action, entry in [
        ("health.immunization_record", shot),
        ("health.condition_record", condition),
        ("health.study_record", study),
        ("health.discharge_record", discharge),
    ]:
        assert audited(action, entry)


def _immunization_and_its_refusals(values):
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
    return shot


def _condition_and_its_refusals(values):
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
    return condition


def _study_and_its_refusals(values):
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
    return study


def _discharge_and_its_refusals(values):
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
    return discharge
