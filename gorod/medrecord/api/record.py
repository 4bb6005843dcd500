"""The medical record over HTTP: timeline, sections, entries, analytes, diary, certificates
and the log of looks.

Mounted at /api/v1/health/record. Unlike the other routers it lets anonymous requests in:
every endpoint first calls `record_open`, which logs the look, allowed or denied, and an
anonymous look must be in the patient's log too (then answered 401). So the router's auth
is the personal token, then the session, then a pass for nobody, never a bare 401 from
Ninja. Any look the reader may not take is 404 `record_not_found`, as if the person had no
record. A session write without the CSRF token is 403, as in the rest of the API.
"""

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.security import SessionAuth

from gorod.accounts.auth import PersonalTokenAuth
from gorod.core.errors import Conflict
from gorod.core.ids import MAX_ID
from gorod.core.pagination import api_page
from gorod.core.renderers import CityTimeRenderer
from gorod.core.schemas import with_problems
from gorod.feedback.selectors import rating_receipt
from gorod.medrecord import documents
from gorod.medrecord import rules as record_rules
from gorod.medrecord.api.emergency import router as emergency_router
from gorod.medrecord.emergency import emergency_header_grant
from gorod.medrecord.models.record import DiaryReading, Entry, Section
from gorod.medrecord.schemas import (
    AccessLogPage,
    AnalyteOut,
    CertificateEntryOut,
    CertificateOrderedOut,
    CertificateOrderIn,
    CertificatesOut,
    DiaryPage,
    DiaryQuery,
    DiaryReadingIn,
    DiaryReadingOut,
    EntryDetailOut,
    EntryQuery,
    ListedSection,
    PlainSection,
    RecordPageQuery,
    TimelineOut,
    TimelineQuery,
    TimelineSectionQuery,
)
from gorod.medrecord.selectors import record as selectors
from gorod.medrecord.selectors.access import (
    RecordAccess,
    look_reader,
    look_reason,
    patient_looks,
    record_open,
)
from gorod.medrecord.selectors.diary import diary_reading_get, diary_readings
from gorod.medrecord.services import certificates as certificate_services
from gorod.medrecord.services import diary as diary_services
from gorod.medrecord.services import entries as services

PDF_CONTENT_TYPE = "application/pdf"
# The API's own renderer (gorod/api.py), for the pages answered as built.
RENDERER = CityTimeRenderer()


class SignedInSessionAuth(SessionAuth):
    """The session, and its CSRF check, only when it signs someone in.

    Ninja's SessionAuth checks CSRF before looking at the user, so an anonymous POST would
    be a 403 CSRF failure that never reaches `record_open` and is never logged. Without a
    signed-in session there is nothing for a forged request to ride on.
    """

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


def nobody(request: HttpRequest) -> AnonymousUser:
    """Let an anonymous request through: `record_open` logs the look and answers 401."""
    return AnonymousUser()


router = Router(tags=["medical record"], auth=[PersonalTokenAuth(), SignedInSessionAuth(), nobody])
# A doctor's emergency opening is no look at a record yet: it takes a signed-in caller.
router.add_router("", emergency_router)

# Any integer: a person id the reader may not see, or one past the bigint range, is a
# logged look that answers 404; only a non-number is refused before the look (422).
PERSON_ID = Path(..., description="The patient: me, my child under 15, my principal…")
ENTRY_ID = Path(..., ge=1, le=MAX_ID)
SECTION = Path(..., description="A section of the record; the diary has endpoints of its own")


def _open(request, person_id: int, section: str, *, entry_id: int | None = None) -> RecordAccess:
    """The look this endpoint takes, decided and logged before any record data is read."""
    return record_open(
        actor=request.auth,
        person_id=person_id,
        section=section,
        channel="api",
        emergency_access=emergency_header_grant(request),
        entry_id=entry_id,
    )


def _filters(query: TimelineQuery) -> selectors.RecordFilters:
    return selectors.RecordFilters(
        since=query.since,
        until=query.until,
        specialty_id=query.specialty,
        organisation_id=query.clinic,
    )


def _decimal(value: Decimal | None) -> str | None:
    """ "11.8", not "11.8000" (the column's scale) and never "1.18E+1"."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _entry_out(entry: Entry, url: str | None = None) -> dict:
    practitioner = entry.practitioner
    return {
        "id": entry.pk,
        "section": entry.section,
        "occurred_at": entry.occurred_at,
        "title": entry.title,
        "summary": entry.summary,
        "flagged": entry.flagged,
        "status": entry.status,
        "source": entry.source,
        "organisation": None
        if entry.organisation is None
        else {"id": entry.organisation_id, "name": entry.organisation.name},
        "practitioner": None
        if practitioner is None
        else {"id": practitioner.pk, "name": practitioner.full_name},
        "specialty": None
        if entry.specialty is None
        else {
            "id": entry.specialty_id,
            "code": entry.specialty.code,
            "name": entry.specialty.name,
        },
        "url": url or reverse("api:record_entry", args=[entry.patient_id, entry.section, entry.pk]),
    }


def _listing_out(request, entries: list[Entry], next_cursor: str | None) -> HttpResponse:
    """A page of the timeline as `TimelineOut`, answered as built.

    The record's most used endpoint: Ninja's validation of 20 entries against the schema
    they are built to cost more than reading them (test_api checks the page validates to
    itself). One reverse for the page: every entry's address differs only in its tail.
    """
    prefix = ""
    if entries:
        first = entries[0]
        tail = f"/{first.section}/{first.pk}"
        prefix = reverse("api:record_entry", args=[first.patient_id, first.section, first.pk])
        prefix = prefix.removesuffix(tail)
    page = {
        "entries": [_entry_out(e, f"{prefix}/{e.section}/{e.pk}") for e in entries],
        "next_cursor": next_cursor,
    }
    return HttpResponse(
        RENDERER.render(request, page, response_status=200),
        content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}",
    )


def _certificate_out(entry: Entry) -> dict:
    certificate = entry.certificate
    ready = entry.finalised_at is not None
    return {
        "kind": certificate.kind,
        "purpose": certificate.purpose,
        "number": certificate.number,
        "ready_by": certificate.ready_by,
        "pdf_url": reverse("api:record_certificate_pdf", args=[entry.patient_id, entry.pk])
        if ready
        else None,
    }


def _observation_out(observation) -> dict:
    return {
        "code": observation.code,
        "name": observation.name,
        "value": _decimal(observation.value),
        "value_text": observation.value_text,
        "unit": observation.unit,
        "reference_low": _decimal(observation.reference_low),
        "reference_high": _decimal(observation.reference_high),
        "reference_text": observation.reference_text,
        "flag": observation.flag,
        "status": observation.status,
    }


def _fields(detail, *names: str) -> dict:
    return {name: getattr(detail, name) for name in names}


# The sections whose details are plain fields of one related row, named like the relation.
PLAIN_DETAILS = {
    Section.ENCOUNTERS: (
        "encounter",
        ("complaints", "anamnesis", "examination", "recommendations"),
    ),
    Section.STUDIES: ("study", ("modality", "body_site", "description", "conclusion")),
    Section.DISCHARGES: (
        "discharge",
        (
            "hospital",
            "department",
            "admitted_on",
            "discharged_on",
            "treatment",
            "outcome",
            "recommendations",
        ),
    ),
    Section.PRESCRIPTIONS: (
        "prescription",
        (
            "drug",
            "dosage_form",
            "dose",
            "schedule",
            "duration_days",
            "valid_until",
            "number",
            "preferential",
        ),
    ),
    Section.SICK_LEAVES: (
        "sick_leave",
        ("number", "starts_on", "ends_on", "employer", "cared_for"),
    ),
    Section.IMMUNIZATIONS: (
        "immunization",
        ("vaccine", "target_disease", "dose_number", "lot_number", "site"),
    ),
}


def _section_details(entry: Entry) -> dict:
    section = entry.section
    if section in PLAIN_DETAILS:
        relation, names = PLAIN_DETAILS[section]
        return {relation: _fields(getattr(entry, relation), *names)}
    if section == Section.CONDITIONS:
        condition = entry.condition
        return {
            "condition": {
                "code": condition.icd10_id,
                "name": condition.icd10.name,
                **_fields(condition, "clinical_status", "onset_on", "abated_on", "note"),
            }
        }
    if section == Section.LABS:
        return {
            "lab_report": _fields(
                entry.lab_report, "laboratory", "category", "specimen", "conclusion"
            ),
            "observations": [_observation_out(item) for item in entry.observations.all()],
        }
    return {"certificate": _certificate_out(entry)}


def _details(entry: Entry) -> dict:
    """The section's own members of one entry (the others stay null)."""
    details = _section_details(entry)
    if entry.section in selectors.DIAGNOSED_SECTIONS:
        details["diagnoses"] = [
            {
                "code": diagnosis.icd10_id,
                "name": diagnosis.icd10.name,
                "kind": diagnosis.kind,
                "comment": diagnosis.comment,
            }
            for diagnosis in entry.diagnoses.all()
        ]
    return details


def _entry_detail_out(entry: Entry) -> dict:
    # A draft correction is the doctor's: only a signed one is named to the reader.
    amendment = getattr(entry, "amendment", None)
    return {
        **_entry_out(entry),
        "finalised_at": entry.finalised_at,
        "amends": entry.amends_id,
        "amendment_reason": entry.amendment_reason,
        "amended_by": amendment.pk
        if amendment is not None and amendment.finalised_at is not None
        else None,
        "superseded_at": entry.superseded_at,
        **_details(entry),
    }


def _reading_out(reading: DiaryReading) -> dict:
    return {
        "id": reading.pk,
        "kind": reading.kind,
        "value": _decimal(reading.value),
        "value_low": _decimal(reading.value_low),
        "measured_at": reading.measured_at,
        "note": reading.note,
    }


@router.get(
    "/{person_id}/timeline",
    response=with_problems({200: TimelineOut}, 401, 404, 422),
    summary="The record's entries of every section, newest first, a page at a time",
)
def timeline(request, query: Query[TimelineSectionQuery], person_id: int = PERSON_ID):
    """Signed entries and ordered certificates; a corrected entry shows its latest
    version. Follow `next_cursor` for older entries: pages stay stable while new entries
    arrive. Filters: `since`/`until` (days, Moscow time), `specialty`, `clinic`, `section`."""
    access = _open(request, person_id, query.section or record_rules.TIMELINE)
    page = selectors.timeline(
        access, filters=_filters(query), cursor=query.cursor, section=query.section
    )
    return _listing_out(request, page.entries, page.next_cursor)


@router.get(
    "/{person_id}/diary",
    response=with_problems({200: DiaryPage}, 401, 404, 422),
    summary="The health diary: readings the patient took at home, newest first",
)
def diary(request, query: Query[DiaryQuery], person_id: int = PERSON_ID):
    access = _open(request, person_id, Section.DIARY)
    readings = diary_readings(access, kind=query.kind)
    page = api_page(
        readings,
        count=readings.count(),
        page=query.page,
        page_size=query.page_size,
    )
    page["items"] = [_reading_out(reading) for reading in page["items"]]
    return page


@router.post(
    "/{person_id}/diary",
    response=with_problems({201: DiaryReadingOut}, 400, 401, 403, 404, 422),
    summary="Add a home reading to the diary (the patient or a guardian)",
)
def diary_add(request, payload: DiaryReadingIn, person_id: int = PERSON_ID):
    """An implausible reading is 400: `diary_value_out_of_range`,
    `diary_pressure_incomplete`, `diary_pressure_order` (diastolic below systolic),
    `diary_value_extra` (a second value for a kind that has one). A malformed value
    (`36,6`) is 422. A delegate or a doctor reads the diary but does not write it."""
    access = _open(request, person_id, Section.DIARY)
    reading = diary_services.diary_reading_add(
        access=access,
        kind=payload.kind,
        value=Decimal(payload.value),
        value_low=None if payload.value_low is None else Decimal(payload.value_low),
        measured_at=payload.measured_at,
        note=payload.note,
    )
    return Status(201, _reading_out(reading))


@router.get(
    "/{person_id}/diary/{reading_id}",
    response=with_problems({200: DiaryReadingOut}, 401, 404, 422),
    summary="One reading of the health diary",
)
def diary_reading(request, person_id: int = PERSON_ID, reading_id: int = ENTRY_ID):
    access = _open(request, person_id, Section.DIARY)
    return _reading_out(diary_reading_get(access, reading_id))


@router.delete(
    "/{person_id}/diary/{reading_id}",
    response=with_problems({204: None}, 400, 401, 403, 404, 422),
    summary="Delete a reading from the diary (the patient or a guardian)",
)
def diary_delete(request, person_id: int = PERSON_ID, reading_id: int = ENTRY_ID):
    access = _open(request, person_id, Section.DIARY)
    diary_services.diary_reading_delete(access=access, reading_id=reading_id)
    return Status(204, None)


def _certificate_entry_out(entry: Entry) -> dict:
    return {**_entry_out(entry), "certificate": _certificate_out(entry)}


@router.get(
    "/{person_id}/certificates",
    response=with_problems({200: CertificatesOut}, 401, 404, 422),
    summary="Ordered certificates with their status: ordered, ready, issued",
)
def certificates(request, query: Query[TimelineQuery], person_id: int = PERSON_ID):
    access = _open(request, person_id, Section.CERTIFICATES)
    page = selectors.timeline(
        access, filters=_filters(query), cursor=query.cursor, section=Section.CERTIFICATES
    )
    prefetch_related_objects(page.entries, "certificate")
    return {
        "entries": [_certificate_entry_out(entry) for entry in page.entries],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/{person_id}/certificates",
    response=with_problems({201: CertificateOrderedOut}, 400, 401, 403, 404, 422),
    summary="Order a certificate: ready as a signed PDF by the next working day",
)
def certificate_order(request, payload: CertificateOrderIn, person_id: int = PERSON_ID):
    """201 with the certificate, `status: ordered` and `ready_by`; its `pdf_url` appears
    once it is ready. The patient, a guardian or a delegate orders; a doctor does not."""
    access = _open(request, person_id, Section.CERTIFICATES)
    ordered = certificate_services.certificate_order(
        access=access, kind=payload.kind, purpose=payload.purpose
    )
    entry = selectors.entry_detail(access, Section.CERTIFICATES, ordered.pk)
    receipt = rating_receipt(
        actor=request.auth, service_slug=services.CERTIFICATES_SERVICE, use_id=ordered.use_id
    )
    return Status(201, {**_certificate_entry_out(entry), "rating_token": receipt})


@router.post(
    "/{person_id}/certificates/{entry_id}/cancel",
    response=with_problems({200: CertificateEntryOut}, 400, 401, 403, 404, 422),
    summary="Withdraw a certificate order the clinic has not prepared yet",
)
def certificate_cancel(request, person_id: int = PERSON_ID, entry_id: int = ENTRY_ID):
    """400 `certificate_not_cancellable` once it is ready (or already cancelled)."""
    access = _open(request, person_id, Section.CERTIFICATES, entry_id=entry_id)
    entry = selectors.entry_detail(access, Section.CERTIFICATES, entry_id)
    certificate_services.certificate_cancel(access=access, entry=entry)
    return _certificate_entry_out(selectors.entry_detail(access, Section.CERTIFICATES, entry_id))


@router.get(
    "/{person_id}/certificates/{entry_id}/pdf",
    response=with_problems({200: None}, 401, 404, 409, 422),
    url_name="record_certificate_pdf",
    summary="A ready certificate as its signed PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The certificate, signed (PAdES)",
                "content": {PDF_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def certificate_pdf(request, person_id: int = PERSON_ID, entry_id: int = ENTRY_ID):
    """409 `certificate_not_ready` before it is ready. The patient's first download marks
    it issued."""
    access = _open(request, person_id, Section.CERTIFICATES, entry_id=entry_id)
    entry = selectors.entry_detail(access, Section.CERTIFICATES, entry_id)
    pdf = entry.certificate.pdf
    if entry.finalised_at is None or not pdf:
        raise Conflict(
            "certificate_not_ready",
            _("Справка ещё не готова: она будет готова %(day)s.")
            % {"day": entry.certificate.ready_by.strftime("%d.%m.%Y")},
        )
    if access.is_patient_side:
        certificate_services.certificate_mark_issued(access=access, entry=entry)
    response = HttpResponse(bytes(pdf), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.certificate_filename(entry)}"'
    )
    return response


@router.get(
    "/{person_id}/access-log",
    response=with_problems({200: AccessLogPage}, 401, 404, 422),
    summary="Who looked at the record, when, as whom and why; denied looks too",
)
def access_log(request, query: Query[RecordPageQuery], person_id: int = PERSON_ID):
    """The patient's and a guardian's alone (a delegate or a doctor gets 404). Newest
    first; this very look is the first row. Strangers' and anonymous looks are the staff's
    security log, not here; readers are named from verified data only."""
    access = _open(request, person_id, record_rules.ACCESS_LOG)
    looks = patient_looks(access)
    page = api_page(
        looks,
        count=looks.count(),
        page=query.page,
        page_size=query.page_size,
    )
    page["items"] = [
        {
            "at": look.at,
            "reader": look_reader(look, request.auth),
            "role": look.role,
            "section": look.section,
            "entry_id": look.entry_id,
            "channel": look.channel,
            "allowed": look.allowed,
            "reason_code": look.reason_code or None,
            "reason": look_reason(look),
            "emergency_reason": look.emergency_reason or None,
        }
        for look in page["items"]
    ]
    return page


@router.get(
    "/{person_id}/labs/analytes/{code}",
    response=with_problems({200: AnalyteOut}, 401, 404, 422),
    summary="One analyte's results across lab reports, oldest first (for a trend chart)",
)
def analyte(request, person_id: int = PERSON_ID, code: str = Path(..., max_length=32)):
    """`code` is an observation's code from a lab report (LOINC where the laboratory sends
    one). 404 `analyte_not_found` when no report of this record has it."""
    access = _open(request, person_id, Section.LABS)
    history = selectors.analyte_history(access, code)
    return {
        "code": code,
        "name": history[-1].name,
        "points": [
            {
                "entry_id": observation.entry_id,
                "occurred_at": observation.entry.occurred_at,
                "value": _decimal(observation.value),
                "value_text": observation.value_text,
                "unit": observation.unit,
                "reference_low": _decimal(observation.reference_low),
                "reference_high": _decimal(observation.reference_high),
                "flag": observation.flag,
            }
            for observation in history
        ],
    }


@router.get(
    "/{person_id}/{section}",
    response=with_problems({200: TimelineOut}, 401, 404, 422),
    summary="One section's entries, newest first, a page at a time",
)
def section_entries(
    request,
    query: Query[TimelineQuery],
    person_id: int = PERSON_ID,
    section: PlainSection = SECTION,
):
    """The timeline of one section: the same entries, filters and cursor (certificates,
    with their status, at /certificates)."""
    access = _open(request, person_id, section)
    page = selectors.timeline(access, filters=_filters(query), cursor=query.cursor, section=section)
    return _listing_out(request, page.entries, page.next_cursor)


@router.get(
    "/{person_id}/{section}/{entry_id}",
    response=with_problems({200: EntryDetailOut}, 401, 404, 422),
    url_name="record_entry",
    summary="One entry with its section's details",
)
def entry(
    request,
    query: Query[EntryQuery],
    person_id: int = PERSON_ID,
    section: ListedSection = SECTION,
    entry_id: int = ENTRY_ID,
):
    """An encounter's protocol and ICD-10 diagnoses, a lab report's results (values as
    decimal strings, with unit, reference range and flag), a study, a discharge summary, a
    prescription, a sick leave, a vaccination, a condition or a certificate. `amends` names
    the version a correction replaced (read it with `?amended_by=<this id>`)."""
    access = _open(request, person_id, section, entry_id=entry_id)
    return _entry_detail_out(
        selectors.entry_detail(access, section, entry_id, newer_id=query.amended_by)
    )
