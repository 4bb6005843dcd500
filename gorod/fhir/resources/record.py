"""The medical record's rows as FHIR R4 resources (dicts), like resources.py's directory.

Diagnoses are coded by the Russian ICD-10 (НСИ OID below), lab results by LOINC where the
laboratory sends a LOINC code and by the laboratory's own code otherwise; quantities carry
a UCUM code when the unit is one we know. Diary readings are vital signs the patient
measured at home: their performer is the Patient, so no one takes them for a clinic's.
"""

import base64
import hashlib

from django.utils.translation import gettext as _

from gorod.core.clock import local_now
from gorod.fhir.resources.booking import (
    CODE_SYSTEM_BASE,
    _without_empty,
    coding,
    concept,
    instant,
    reference,
    specialty_concept,
)
from gorod.medrecord.models.record import DiaryReading, Entry

__all__ = ["instant"]


ICD10_SYSTEM = "urn:oid:1.2.643.5.1.13.13.11.1005"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNILS_SYSTEM = "urn:oid:1.2.643.100.3"
OMS_SYSTEM = "https://gorod.example/fhir/sid/oms-policy"
LAB_CODE_SYSTEM = f"{CODE_SYSTEM_BASE}/lab-analyte"
DOCUMENT_TYPE_SYSTEM = f"{CODE_SYSTEM_BASE}/record-document"
MODALITY_SYSTEM = f"{CODE_SYSTEM_BASE}/study-modality"
CONDITION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
REPORT_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0074"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PROBLEM_LIST = "problem-list-item"
ENCOUNTER_DIAGNOSIS = "encounter-diagnosis"

# The units our laboratories and the diary write, as UCUM codes.
UCUM_CODES = {
    "г/л": "g/L",
    "г/дл": "g/dL",
    "мг/л": "mg/L",
    "ммоль/л": "mmol/L",
    "мкмоль/л": "umol/L",
    "10^9/л": "10*9/L",
    "10^12/л": "10*12/L",
    "%": "%",
    "мм/ч": "mm/h",
    "фл": "fL",
    "пг": "pg",
    "ед/л": "U/L",
    "мЕд/л": "mU/L",
    "пмоль/л": "pmol/L",
    "/мин": "/min",
    "мм рт. ст.": "mm[Hg]",
    "°C": "Cel",
    "кг": "kg",
}

# A diary reading as a vital sign: (LOINC code, display, unit shown, UCUM code).
DIARY_CODES = {
    DiaryReading.Kind.PULSE: ("8867-4", "Heart rate", "/мин", "/min"),
    DiaryReading.Kind.SUGAR: ("2339-0", "Glucose [Mass/volume] in Blood", "ммоль/л", "mmol/L"),
    DiaryReading.Kind.SPO2: ("59408-5", "Oxygen saturation by Pulse oximetry", "%", "%"),
    DiaryReading.Kind.TEMPERATURE: ("8310-5", "Body temperature", "°C", "Cel"),
    DiaryReading.Kind.WEIGHT: ("29463-7", "Body weight", "кг", "kg"),
}
PRESSURE_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")

INTERPRETATIONS = {"H": "High", "L": "Low", "N": "Normal", "A": "Abnormal"}
# A study's modality as a report category of HL7 v2 table 0074.
STUDY_CATEGORIES = {"ECG": ("EC", "Electrocardiac"), "ES": ("OTH", "Other")}
RADIOLOGY = ("RAD", "Radiology")


def _loinc_like(code: str) -> bool:
    number, _dash, check = code.partition("-")
    return number.isdigit() and len(number) <= 6 and len(check) == 1 and check.isdigit()


def _quantity(value, unit: str) -> dict:
    found = {"value": float(value), "unit": unit}
    ucum = UCUM_CODES.get(unit)
    if ucum:
        found.update(system=UCUM, code=ucum)
    return _without_empty(found)


def _date(moment) -> str:
    return moment.isoformat()


def _patient_ref(entry: Entry) -> dict:
    return reference("Patient", entry.patient_id, entry.patient.full_name)


def _practitioner_ref(entry: Entry) -> dict | None:
    if entry.practitioner_id is None:
        return None
    return reference("Practitioner", entry.practitioner_id, entry.practitioner.full_name)


def _organisation_ref(entry: Entry) -> dict | None:
    if entry.organisation_id is None:
        return None
    return reference("Organization", entry.organisation_id, entry.organisation.name)


def _text_concept(text: str) -> dict:
    return {"text": text}


def patient(person) -> dict:
    given = [part for part in (person.first_name, person.middle_name) if part]
    identifiers = []
    if person.snils:
        identifiers.append({"system": SNILS_SYSTEM, "value": person.snils})
    if person.oms_policy:
        identifiers.append({"system": OMS_SYSTEM, "value": person.oms_policy})
    return _without_empty(
        {
            "resourceType": "Patient",
            "id": str(person.pk),
            "identifier": identifiers,
            "active": True,
            "name": [
                _without_empty(
                    {
                        "use": "official",
                        "text": person.full_name,
                        "family": person.last_name,
                        "given": given,
                    }
                )
            ],
            "birthDate": person.birth_date.isoformat(),
        }
    )


def encounter(entry: Entry) -> dict:
    """A visit; needs `encounter` and `diagnoses__icd10` loaded."""
    resource = {
        "resourceType": "Encounter",
        "id": str(entry.pk),
        "status": "finished",
        "class": coding(ACT_CODE_SYSTEM, "AMB", "ambulatory"),
        "type": [specialty_concept(entry.specialty)] if entry.specialty_id else [],
        "subject": _patient_ref(entry),
        "participant": (
            [{"individual": _practitioner_ref(entry)}] if entry.practitioner_id else []
        ),
        "period": {"start": instant(entry.occurred_at)},
        "diagnosis": [
            {
                "condition": reference("Condition", f"dx-{item.pk}", str(item.icd10)),
                "rank": rank,
            }
            for rank, item in enumerate(
                sorted(entry.diagnoses.all(), key=lambda item: item.kind != "main"), start=1
            )
        ],
        "serviceProvider": _organisation_ref(entry),
    }
    if entry.appointment_id:
        resource["appointment"] = [reference("Appointment", entry.appointment_id)]
    return _without_empty(resource)


def _icd10_concept(code) -> dict:
    return concept(ICD10_SYSTEM, code.code, code.name)


def problem(entry: Entry) -> dict:
    """A problem on the list; needs `condition__icd10` loaded."""
    condition = entry.condition
    resource = {
        "resourceType": "Condition",
        "id": str(entry.pk),
        "clinicalStatus": concept(
            CONDITION_CLINICAL_SYSTEM, condition.clinical_status, condition.clinical_status
        ),
        "verificationStatus": concept(CONDITION_VERIFICATION_SYSTEM, "confirmed", "Confirmed"),
        "category": [concept(CONDITION_CATEGORY_SYSTEM, PROBLEM_LIST, "Problem List Item")],
        "code": _icd10_concept(condition.icd10),
        "subject": _patient_ref(entry),
        "recordedDate": instant(entry.occurred_at),
        "recorder": _practitioner_ref(entry),
        "note": [{"text": condition.note}] if condition.note else [],
    }
    if condition.onset_on:
        resource["onsetDateTime"] = _date(condition.onset_on)
    if condition.abated_on:
        resource["abatementDateTime"] = _date(condition.abated_on)
    return _without_empty(resource)


def diagnosis(item) -> dict:
    """A diagnosis of a visit or a discharge; needs `icd10` and the entry loaded."""
    entry = item.entry
    resource = {
        "resourceType": "Condition",
        "id": f"dx-{item.pk}",
        "verificationStatus": concept(CONDITION_VERIFICATION_SYSTEM, "confirmed", "Confirmed"),
        "category": [
            concept(CONDITION_CATEGORY_SYSTEM, ENCOUNTER_DIAGNOSIS, "Encounter Diagnosis")
        ],
        "code": _icd10_concept(item.icd10),
        "subject": _patient_ref(entry),
        "recordedDate": instant(entry.occurred_at),
        "recorder": _practitioner_ref(entry),
        "note": [{"text": item.comment}] if item.comment else [],
    }
    if entry.section == "encounters":
        resource["encounter"] = reference("Encounter", entry.pk)
    return _without_empty(resource)


def _lab_code(item) -> dict:
    if _loinc_like(item.code):
        return concept(LOINC, item.code, item.name)
    return concept(LAB_CODE_SYSTEM, item.code, item.name)


def lab_observation(item) -> dict:
    """One lab result; needs the entry (with patient and lab_report) loaded."""
    entry = item.entry
    resource = {
        "resourceType": "Observation",
        "id": str(item.pk),
        "status": item.status,
        "category": [concept(OBSERVATION_CATEGORY_SYSTEM, "laboratory", "Laboratory")],
        "code": _lab_code(item),
        "subject": _patient_ref(entry),
        "effectiveDateTime": instant(entry.occurred_at),
        "performer": [{"display": entry.lab_report.laboratory}],
    }
    if item.value is not None:
        resource["valueQuantity"] = _quantity(item.value, item.unit)
    else:
        resource["valueString"] = item.value_text
    if item.flag:
        resource["interpretation"] = [
            concept(INTERPRETATION_SYSTEM, item.flag, INTERPRETATIONS[item.flag])
        ]
    bounds = {}
    if item.reference_low is not None:
        bounds["low"] = _quantity(item.reference_low, item.unit)
    if item.reference_high is not None:
        bounds["high"] = _quantity(item.reference_high, item.unit)
    if item.reference_text:
        bounds["text"] = item.reference_text
    if bounds:
        resource["referenceRange"] = [bounds]
    return resource


def diary_observation(reading: DiaryReading) -> dict:
    """A home reading as a patient-reported vital sign."""
    person = reading.patient
    resource = {
        "resourceType": "Observation",
        "id": f"diary-{reading.pk}",
        "status": "final",
        "category": [concept(OBSERVATION_CATEGORY_SYSTEM, "vital-signs", "Vital Signs")],
        "subject": reference("Patient", person.pk, person.full_name),
        "effectiveDateTime": instant(reading.measured_at),
        "issued": instant(reading.created_at),
        "performer": [reference("Patient", person.pk, person.full_name)],
    }
    if reading.kind == DiaryReading.Kind.PRESSURE:
        resource["code"] = concept(LOINC, *PRESSURE_PANEL)
        resource["component"] = [
            {
                "code": concept(LOINC, *part),
                "valueQuantity": _quantity(value, "мм рт. ст."),
            }
            for part, value in ((SYSTOLIC, reading.value), (DIASTOLIC, reading.value_low))
        ]
    else:
        code, display, unit, _ucum = DIARY_CODES[reading.kind]
        resource["code"] = concept(LOINC, code, display)
        resource["valueQuantity"] = _quantity(reading.value, unit)
    if reading.note:
        resource["note"] = [{"text": reading.note}]
    return resource


def _report_status(entry: Entry) -> str:
    return "amended" if entry.amends_id else "final"


def lab_report(entry: Entry) -> dict:
    """A lab report; needs `lab_report` and `observations` loaded."""
    report = entry.lab_report
    return _without_empty(
        {
            "resourceType": "DiagnosticReport",
            "id": str(entry.pk),
            "status": _report_status(entry),
            "category": [concept(REPORT_CATEGORY_SYSTEM, "LAB", "Laboratory")],
            "code": _text_concept(entry.title),
            "subject": _patient_ref(entry),
            "effectiveDateTime": instant(entry.occurred_at),
            "issued": instant(entry.finalised_at or entry.occurred_at),
            "performer": [{"display": report.laboratory}],
            "result": [
                reference("Observation", item.pk, item.name) for item in entry.observations.all()
            ],
            "conclusion": report.conclusion,
        }
    )


def study_report(entry: Entry) -> dict:
    """An imaging or instrumental study; needs `study` loaded."""
    study = entry.study
    category = STUDY_CATEGORIES.get(study.modality, RADIOLOGY)
    return _without_empty(
        {
            "resourceType": "DiagnosticReport",
            "id": str(entry.pk),
            "status": _report_status(entry),
            "category": [concept(REPORT_CATEGORY_SYSTEM, *category)],
            "code": concept(MODALITY_SYSTEM, study.modality, study.get_modality_display()),
            "subject": _patient_ref(entry),
            "effectiveDateTime": instant(entry.occurred_at),
            "issued": instant(entry.finalised_at or entry.occurred_at),
            "performer": [found for found in (_practitioner_ref(entry),) if found],
            "conclusion": study.conclusion,
        }
    )


def medication_request(entry: Entry) -> dict:
    """A prescription; needs `prescription` loaded."""
    prescription = entry.prescription

    today = local_now().date()
    supply = {"validityPeriod": {"end": _date(prescription.valid_until)}}
    if prescription.duration_days:
        supply["expectedSupplyDuration"] = {
            "value": prescription.duration_days,
            "unit": "d",
            "system": UCUM,
            "code": "d",
        }
    return _without_empty(
        {
            "resourceType": "MedicationRequest",
            "id": str(entry.pk),
            "identifier": (
                [{"system": f"{CODE_SYSTEM_BASE}/e-prescription", "value": prescription.number}]
                if prescription.number
                else []
            ),
            "status": "active" if prescription.valid_until >= today else "completed",
            "intent": "order",
            "medicationCodeableConcept": _text_concept(
                ", ".join(part for part in (prescription.drug, prescription.dosage_form) if part)
            ),
            "subject": _patient_ref(entry),
            "authoredOn": instant(entry.occurred_at),
            "requester": _practitioner_ref(entry),
            "dosageInstruction": [{"text": f"{prescription.dose}, {prescription.schedule}"}],
            "dispenseRequest": supply,
        }
    )


def immunization(entry: Entry) -> dict:
    """A vaccination; needs `immunization` loaded."""
    shot = entry.immunization
    return _without_empty(
        {
            "resourceType": "Immunization",
            "id": str(entry.pk),
            "status": "completed",
            "vaccineCode": _text_concept(shot.vaccine),
            "patient": _patient_ref(entry),
            "occurrenceDateTime": instant(entry.occurred_at),
            "recorded": instant(entry.finalised_at or entry.occurred_at),
            "lotNumber": shot.lot_number,
            "site": _text_concept(shot.site) if shot.site else None,
            "performer": ([{"actor": _practitioner_ref(entry)}] if entry.practitioner_id else []),
            "protocolApplied": [
                {
                    "targetDisease": [_text_concept(shot.target_disease)],
                    "doseNumberPositiveInt": shot.dose_number,
                }
            ],
        }
    )


def _document(entry: Entry, code: str, display: str, attachment: dict, **extra) -> dict:
    return _without_empty(
        {
            "resourceType": "DocumentReference",
            "id": str(entry.pk),
            "status": "current",
            "docStatus": "amended" if entry.amends_id else "final",
            "type": concept(DOCUMENT_TYPE_SYSTEM, code, display),
            "subject": _patient_ref(entry),
            "date": instant(entry.finalised_at or entry.occurred_at),
            "author": [
                found for found in (_practitioner_ref(entry), _organisation_ref(entry)) if found
            ],
            "description": entry.title,
            "content": [{"attachment": _without_empty({"title": entry.title, **attachment})}],
            **extra,
        }
    )


def _inline(content: bytes, content_type: str) -> dict:
    """The document itself, inside the resource (R4 Attachment.data with its size and SHA-1).

    Not a link: the portal's pages and downloads need the portal's session, which a FHIR
    client holding a token does not have, and R4 wants an absolute URL a client can fetch.
    """
    return {
        "contentType": content_type,
        "data": base64.b64encode(content).decode(),
        "size": len(content),
        "hash": base64.b64encode(hashlib.sha1(content, usedforsecurity=False).digest()).decode(),
    }


def _text_document(lines: list[tuple[str, object]]) -> dict:
    """A plain-text rendering of a document the clinic keeps as structured fields."""
    text = "\n".join(f"{label}: {value}" for label, value in lines if value not in ("", None))
    return _inline(text.encode(), "text/plain; charset=utf-8")


def _day(value) -> str:
    return value.strftime("%d.%m.%Y")


def certificate_document(entry: Entry) -> dict:
    """A certificate with its signed PDF once it is ready; needs `certificate` loaded."""
    certificate = entry.certificate
    ready = entry.finalised_at is not None and certificate.pdf
    return _document(
        entry,
        "certificate",
        "Медицинская справка",
        {**_inline(bytes(certificate.pdf), "application/pdf"), "language": "ru"} if ready else {},
        identifier=[{"system": f"{CODE_SYSTEM_BASE}/certificate", "value": certificate.number}],
    )


def discharge_document(entry: Entry) -> dict:
    """A discharge summary; needs `discharge` loaded."""
    summary = entry.discharge
    return _document(
        entry,
        "discharge",
        "Выписной эпикриз",
        _text_document(
            [
                (_("Стационар"), summary.hospital),
                (_("Отделение"), summary.department),
                (_("Поступил"), _day(summary.admitted_on)),
                (_("Выписан"), _day(summary.discharged_on)),
                *[(_("Диагноз"), str(item.icd10)) for item in entry.diagnoses.all()],
                (_("Лечение"), summary.treatment),
                (_("Исход"), summary.outcome),
                (_("Рекомендации"), summary.recommendations),
            ]
        ),
        context={
            "period": {
                "start": _date(summary.admitted_on),
                "end": _date(summary.discharged_on),
            },
            "related": [
                reference("Condition", f"dx-{item.pk}", str(item.icd10))
                for item in entry.diagnoses.all()
            ],
        },
    )


def sick_leave_document(entry: Entry) -> dict:
    """An electronic sick leave (ЭЛН); needs `sick_leave` loaded."""
    leave = entry.sick_leave
    return _document(
        entry,
        "sick-leave",
        "Электронный листок нетрудоспособности",
        _text_document(
            [
                (_("Номер"), leave.number),
                (_("Освобождён от работы"), f"{_day(leave.starts_on)} – {_day(leave.ends_on)}"),
                (_("Работодатель"), leave.employer),
                (_("Уход за"), leave.cared_for),
            ]
        ),
        identifier=[{"system": f"{CODE_SYSTEM_BASE}/sick-leave", "value": leave.number}],
        context={"period": {"start": _date(leave.starts_on), "end": _date(leave.ends_on)}},
    )
