"""The medical record's tables: the record itself and the oversight of emergency looks."""

from gorod.medrecord.models.oversight import (
    REVIEW_PERMISSION,
    EmergencyAccess,
    SecurityLook,
    SupervisorPost,
)
from gorod.medrecord.models.record import (
    AccessLogEntry,
    Certificate,
    Condition,
    Diagnosis,
    DiaryReading,
    DischargeSummary,
    EncounterNote,
    Entry,
    Icd10,
    Immunization,
    LabReport,
    Observation,
    Prescription,
    Section,
    SickLeave,
    StudyReport,
)

__all__ = [
    "REVIEW_PERMISSION",
    "AccessLogEntry",
    "Certificate",
    "Condition",
    "Diagnosis",
    "DiaryReading",
    "DischargeSummary",
    "EmergencyAccess",
    "EncounterNote",
    "Entry",
    "Icd10",
    "Immunization",
    "LabReport",
    "Observation",
    "Prescription",
    "Section",
    "SecurityLook",
    "SickLeave",
    "StudyReport",
    "SupervisorPost",
]
