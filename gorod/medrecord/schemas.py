"""Shapes of the medical record's API.

Measured values (lab results, reference ranges, diary readings) are decimal strings, never
JSON numbers: "5.20" must not come back as 5.2000000001 from a client's float. Times are in
the city's zone with their offset, as in the appointments API.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from gorod.core.ids import MAX_ID
from gorod.core.moments import SaneDate, SaneDateTime
from gorod.medrecord.models.record import AccessLogEntry, Certificate, DiaryReading, Section

# A decimal as the client sends it: digits, a dot and at most two places (the diary's
# DecimalField(6, 2)); a comma or an exponent is a validation error naming the field.
ReadingValue = Annotated[str, Field(pattern=r"^[0-9]{1,4}(\.[0-9]{1,2})?$", examples=["36.6"])]
DecimalText = Annotated[
    str, Field(examples=["142", "11.8"], description="A decimal number as a string")
]

SectionName = Literal[tuple(Section.values)]
# The sections the timeline lists: the diary has endpoints of its own.
ListedSection = Literal[tuple(section for section in Section.values if section != Section.DIARY)]
# The sections listed at /{person_id}/{section}: certificates have a list of their own there.
PlainSection = Literal[
    tuple(
        section
        for section in Section.values
        if section not in (Section.DIARY, Section.CERTIFICATES)
    )
]
DiaryKind = Literal[tuple(DiaryReading.Kind.values)]
CertificateKind = Literal[tuple(Certificate.Kind.values)]
ReaderRole = Literal[tuple(AccessLogEntry.Role.values)]


class TimelineQuery(Schema):
    cursor: str | None = Field(
        None, max_length=200, description="`next_cursor` of the previous page"
    )
    since: SaneDate | None = Field(None, description="Entries from this day on (Moscow time)")
    until: SaneDate | None = Field(None, description="Entries up to this day, inclusive")
    specialty: int | None = Field(None, ge=1, le=MAX_ID, description="A specialty id")
    clinic: int | None = Field(None, ge=1, le=MAX_ID, description="An organisation id")


class TimelineSectionQuery(TimelineQuery):
    section: ListedSection | None = Field(None, description="Only this section's entries")


class EntryQuery(Schema):
    amended_by: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description=(
            "Read the earlier version that this (signed) amendment replaced: the only way "
            "to a superseded version"
        ),
    )


class RecordPageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class DiaryQuery(RecordPageQuery):
    kind: DiaryKind | None = Field(None, description="Only this kind of reading")


class DiaryReadingIn(Schema):
    kind: DiaryKind
    value: ReadingValue = Field(..., description="The value; systolic for pressure")
    value_low: ReadingValue | None = Field(None, description="Diastolic; pressure only")
    measured_at: SaneDateTime = Field(
        ..., description="With its offset; without one, Moscow time. 1900–2100 only"
    )
    note: str = Field("", max_length=255)


class CertificateOrderIn(Schema):
    kind: CertificateKind
    purpose: str = Field("", max_length=255, description="Where it is to be shown")


class BriefOut(Schema):
    id: int
    name: str


class EntrySpecialtyOut(Schema):
    id: int
    code: str
    name: str


class EntryOut(Schema):
    """The envelope of one record entry, as the timeline lists it."""

    id: int
    section: SectionName
    occurred_at: datetime
    title: str
    summary: str
    flagged: bool = Field(..., description="Something outside its reference range")
    status: str = Field(..., description="The section's lifecycle: finished, ready, open…")
    source: Literal["clinician", "laboratory", "patient", "import"]
    organisation: BriefOut | None
    practitioner: BriefOut | None
    specialty: EntrySpecialtyOut | None
    url: str = Field(..., description="This entry with its details")


class TimelineOut(Schema):
    entries: list[EntryOut] = Field(..., description="Newest first")
    next_cursor: str | None = Field(..., description="Pass as `cursor` for the next page")


class EncounterOut(Schema):
    complaints: str
    anamnesis: str
    examination: str
    recommendations: str


class DiagnosisOut(Schema):
    code: str = Field(..., examples=["J06.9"], description="ICD-10 (МКБ-10)")
    name: str
    kind: Literal["main", "concomitant", "complication"]
    comment: str


class ConditionOut(Schema):
    code: str
    name: str
    clinical_status: str
    onset_on: date | None
    abated_on: date | None
    note: str


class LabReportOut(Schema):
    laboratory: str
    category: str
    specimen: str
    conclusion: str


class ObservationOut(Schema):
    code: str = Field(..., description="LOINC or the laboratory's own stable code")
    name: str
    value: DecimalText | None
    value_text: str = Field(..., description="A result that is not a number")
    unit: str
    reference_low: DecimalText | None
    reference_high: DecimalText | None
    reference_text: str
    flag: Literal["N", "H", "L", "A", ""] = Field(
        ..., description="N normal, H above, L below, A abnormal; empty: nothing to compare"
    )
    status: str


class StudyOut(Schema):
    modality: str
    body_site: str
    description: str
    conclusion: str


class DischargeOut(Schema):
    hospital: str
    department: str
    admitted_on: date
    discharged_on: date
    treatment: str
    outcome: str
    recommendations: str


class PrescriptionOut(Schema):
    drug: str
    dosage_form: str
    dose: str
    schedule: str
    duration_days: int | None
    valid_until: date
    number: str | None
    preferential: bool


class SickLeaveOut(Schema):
    number: str
    starts_on: date
    ends_on: date
    employer: str
    cared_for: str


class ImmunizationOut(Schema):
    vaccine: str
    target_disease: str
    dose_number: int
    lot_number: str
    site: str


class CertificateOut(Schema):
    kind: CertificateKind
    purpose: str
    number: str
    ready_by: date = Field(..., description="The working day it will be ready")
    pdf_url: str | None = Field(..., description="The signed PDF, once it is ready")


class EntryDetailOut(EntryOut):
    """One entry with its section's details; the members of other sections are null."""

    finalised_at: datetime | None
    amends: int | None = Field(..., description="The earlier version this one corrects")
    amendment_reason: str
    amended_by: int | None = Field(
        ..., description="The signed correction that replaced this version"
    )
    superseded_at: datetime | None
    encounter: EncounterOut | None = None
    diagnoses: list[DiagnosisOut] | None = None
    condition: ConditionOut | None = None
    lab_report: LabReportOut | None = None
    observations: list[ObservationOut] | None = None
    study: StudyOut | None = None
    discharge: DischargeOut | None = None
    prescription: PrescriptionOut | None = None
    sick_leave: SickLeaveOut | None = None
    immunization: ImmunizationOut | None = None
    certificate: CertificateOut | None = None


class AnalytePointOut(Schema):
    entry_id: int
    occurred_at: datetime
    value: DecimalText | None
    value_text: str
    unit: str
    reference_low: DecimalText | None
    reference_high: DecimalText | None
    flag: Literal["N", "H", "L", "A", ""]


class AnalyteOut(Schema):
    code: str
    name: str
    points: list[AnalytePointOut] = Field(..., description="Oldest first")


class DiaryReadingOut(Schema):
    id: int
    kind: DiaryKind
    value: DecimalText
    value_low: DecimalText | None
    measured_at: datetime
    note: str


class DiaryPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[DiaryReadingOut] = Field(..., description="Newest first")


class CertificateEntryOut(EntryOut):
    certificate: CertificateOut


class CertificateOrderedOut(CertificateEntryOut):
    rating_token: str | None = Field(
        None,
        description=(
            "The receipt of this use: POST it to /api/v1/feedback/ratings with 1–5 stars to "
            "rate the service."
        ),
    )


class CertificatesOut(Schema):
    entries: list[CertificateEntryOut] = Field(..., description="Newest first")
    next_cursor: str | None


class AccessLogItemOut(Schema):
    at: datetime
    reader: str = Field(
        ...,
        description="Who looked: 'you', a doctor's registry name and clinic, a registry desk's "
        "clinic, a verified guardian's name, or else the role",
    )
    role: ReaderRole
    section: str = Field(..., description="A section, timeline, everything or access_log")
    entry_id: int | None
    channel: Literal["web", "api", "fhir"]
    allowed: bool
    reason_code: str | None = Field(
        ...,
        description="Why, as a stable code (own_record, in_care, emergency, …); null for "
        "looks logged before codes",
    )
    reason: str = Field(..., description="Why, in words, in the request's language")
    emergency_reason: str | None = Field(
        ..., description="The doctor's own words for an emergency look"
    )


class AccessLogPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[AccessLogItemOut] = Field(..., description="Newest first")
