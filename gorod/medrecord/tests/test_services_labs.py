"""Lab reports: stored once, flagged and signed; the refusals and the identifier conflicts."""

from decimal import Decimal

from gorod.accounts.tests.factories import UserFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.core.models import AuditEvent
from gorod.core.problems import status_of
from gorod.medrecord.models.record import Entry, LabReport, Observation
from gorod.medrecord.services import labs as lab_services
from gorod.medrecord.tests.test_services_encounters import BLOOD, audited, refusal


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
    entry, created = lab_services.lab_report_store(**lab_values(clinic.patient))

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
    first, created = lab_services.lab_report_store(**lab_values(clinic.patient))
    again, created_again = lab_services.lab_report_store(**lab_values(clinic.patient))

    assert created
    assert not created_again
    assert again == first
    assert LabReport.objects.filter(lab_identifier="LIS-1").count() == 1
    assert AuditEvent.objects.filter(action="health.lab_report_store").count() == 1


def test_a_race_on_the_same_report_returns_the_stored_one(clinic, monkeypatch):
    first, _created = lab_services.lab_report_store(**lab_values(clinic.patient))
    # The other request's insert committed after this one's look: the look misses it.
    real = lab_services.Entry.objects.filter
    calls = iter([Entry.objects.none()])
    monkeypatch.setattr(
        lab_services.Entry.objects,
        "filter",
        lambda *a, **k: next(calls, None) or real(*a, **k),
    )
    again, created = lab_services.lab_report_store(**lab_values(clinic.patient))
    assert not created
    assert again == first


def test_a_lab_report_the_rules_refuse(clinic):
    values = lab_values(clinic.patient)
    refusal("lab_report_empty", lab_services.lab_report_store, **{**values, "observations": []})
    refusal(
        "observation_value_missing",
        lab_services.lab_report_store,
        **{**values, "observations": [{"code": "1", "name": "Пусто"}]},
    )
    refusal(
        "observation_value_invalid",
        lab_services.lab_report_store,
        **{**values, "observations": [{"code": "1", "name": "x", "value": "много"}]},
    )
    refusal(
        "observation_range_invalid",
        lab_services.lab_report_store,
        **{
            **values,
            "observations": [
                {"code": "1", "name": "x", "value": 1, "reference_low": 5, "reference_high": 2}
            ],
        },
    )
    assert not Entry.objects.filter(section="labs").exists()


def test_all_results_in_range_say_so(clinic):
    entry, _created = lab_services.lab_report_store(
        **{**lab_values(clinic.patient), "observations": BLOOD[:1], "title": "Гемоглобин"}
    )
    assert (entry.title, entry.summary, entry.flagged) == (
        "Гемоглобин",
        "Все показатели в норме",
        False,
    )


def test_a_reused_identifier_from_another_lab_or_patient_is_a_conflict(clinic):
    lab_services.lab_report_store(**lab_values(clinic.patient))
    # Padded with spaces it is still the same identifier, found before the insert.
    _again, created = lab_services.lab_report_store(**lab_values(clinic.patient, " LIS-1 "))
    assert not created
    other_lab = UserFactory()
    conflict = refusal(
        "lab_identifier_conflict",
        lab_services.lab_report_store,
        **{**lab_values(clinic.patient), "actor": other_lab},
    )
    assert status_of(conflict) == 409
    refusal("lab_identifier_conflict", lab_services.lab_report_store, **lab_values(clinic.child))
    assert LabReport.objects.count() == 1
