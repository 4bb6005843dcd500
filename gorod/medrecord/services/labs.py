"""Laboratory results arriving from outside: a FHIR bundle or a CSV file, one way in.

Both channels reduce what they receive to a `LabReportInput` — plain values, no FHIR
types — and hand it to `lab_report_receive`, which finds the patient and stores the
report through `record.lab_report_store` (idempotent on the laboratory's identifier).
The parsing here knows FHIR's shape; what a report may contain is the store's business.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError

from gorod.accounts.models import Person
from gorod.clinics.models import Organisation
from gorod.core.audit import audit_record
from gorod.core.clock import city_zone
from gorod.core.errors import DomainError, Invalid
from gorod.core.moments import moment_refusal
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.record import Entry, LabReport, Observation, Section
from gorod.medrecord.services.entries import _clean, _finalise, _new_entry, _repeat_of


def _decimal(value, *, field: str, code: str = "observation_value_invalid") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise DomainError(
            code,
            _("%(field)s: нужно число, а не «%(value)s»") % {"field": field, "value": value},
            field=field,
        )
    return number


def _observation_row(item: dict, position: int) -> Observation:
    value = _decimal(item.get("value"), field="value")
    low = _decimal(item.get("reference_low"), field="reference_low")
    high = _decimal(item.get("reference_high"), field="reference_high")
    flag = item.get("flag") or record_rules.observation_flag(value, low, high)
    observation = Observation(
        position=position,
        code=str(item.get("code") or "").strip(),
        name=str(item.get("name") or "").strip(),
        value=value,
        value_text=str(item.get("value_text") or "").strip(),
        unit=str(item.get("unit") or "").strip(),
        reference_low=low,
        reference_high=high,
        reference_text=str(item.get("reference_text") or "").strip(),
        flag=flag,
        status=item.get("status") or Observation.Status.FINAL,
    )
    if value is None and not observation.value_text:
        raise DomainError(
            "observation_value_missing",
            _("У показателя «%(name)s» нет значения.") % {"name": observation.name},
            field="value",
        )
    if low is not None and high is not None and high < low:
        raise DomainError(
            "observation_range_invalid",
            _("У показателя «%(name)s» верхняя граница нормы ниже нижней.")
            % {"name": observation.name},
            field="reference_high",
        )
    # The model leaves `value` non-blank; a text result without a number is checked above.
    _clean(observation, exclude=("entry", "value"))
    return observation


def lab_summary(observations: list[Observation]) -> tuple[str, bool]:
    """("Вне нормы: 2 из 5", flagged) or ("Все показатели в норме", False)."""
    abnormal = sum(observation.flag in ("H", "L", "A") for observation in observations)
    if not abnormal:
        return _("Все показатели в норме"), False
    return (
        _("Вне нормы: %(abnormal)d из %(total)d")
        % {"abnormal": abnormal, "total": len(observations)},
        True,
    )


def _stored_report(lab_system: str, lab_identifier: str) -> Entry | None:
    return (
        Entry.objects.filter(
            lab_report__lab_system=lab_system, lab_report__lab_identifier=lab_identifier
        )
        .order_by("pk")
        .first()
    )


def _lab_rows_save(
    entry: Entry, report: LabReport, rows: list[Observation], *, actor, patient: Person
) -> None:
    """The report and its results under a new entry, signed and audited (in its transaction)."""
    report.entry = entry
    report.save()
    for row in rows:
        row.entry = entry
    Observation.objects.bulk_create(rows)
    _finalise(entry, actor=actor)
    audit_record(
        actor=actor,
        action="health.lab_report_store",
        target=entry,
        person=patient.pk,
        lab_system=report.lab_system,
        lab_identifier=report.lab_identifier,
        observations=len(rows),
    )


def lab_report_store(
    *,
    actor,
    patient: Person,
    lab_system: str,
    lab_identifier: str,
    laboratory: str,
    category: str,
    specimen: str,
    issued_at: datetime,
    observations: list[dict],
    conclusion: str = "",
    organisation: Organisation | None = None,
    title: str = "",
) -> tuple[Entry, bool]:
    """Store a laboratory's report once: the same (system, identifier) again returns it.

    Returns (entry, created). The results' flags come from their reference ranges when the
    laboratory sends none; the entry is flagged when any result is outside its range.
    """
    refusal = moment_refusal(issued_at)
    if refusal is not None:
        raise DomainError(refusal.code, refusal.message, field="issued")
    lab_system, lab_identifier = lab_system.strip(), lab_identifier.strip()
    stored = _stored_report(lab_system, lab_identifier)
    if stored is not None:
        return _repeat_of(stored, actor=actor, patient=patient), False
    if not observations:
        raise DomainError("lab_report_empty", _("В результате нет ни одного показателя."))
    rows = [_observation_row(item, position) for position, item in enumerate(observations)]
    report = LabReport(
        lab_system=lab_system,
        lab_identifier=lab_identifier,
        laboratory=laboratory.strip(),
        category=category,
        specimen=specimen.strip(),
        conclusion=conclusion.strip(),
    )
    _clean(report)
    summary, flagged = lab_summary(rows)
    try:
        with transaction.atomic():
            entry = _new_entry(
                actor=actor,
                patient=patient,
                section=Section.LABS,
                occurred_at=issued_at,
                title=title.strip() or report.get_category_display().capitalize(),
                summary=summary,
                status="final",
                organisation=organisation,
                source=Entry.Source.LABORATORY,
                flagged=flagged,
            )
            _lab_rows_save(entry, report, rows, actor=actor, patient=patient)
    except IntegrityError:
        # The same report arrived twice at once: the other request stored it.
        entry = Entry.objects.get(
            lab_report__lab_system=lab_system, lab_report__lab_identifier=lab_identifier
        )
        return _repeat_of(entry, actor=actor, patient=patient), False
    return entry, True


# The federal OMS policy number's identifier system (16 digits).
OMS_POLICY_SYSTEM = "urn:oid:1.2.643.2.69.1.1.1.58"
OMS_POLICY = re.compile(r"[0-9]{16}")
PATIENT_REFERENCE = re.compile(r"Patient/(?P<id>[0-9]{1,18})")
REPORT_STATUSES = frozenset({"final", "amended", "corrected"})
# FHIR's observation statuses worth storing, as our statuses ("amended" is a correction).
OBSERVATION_STATUSES = {
    "final": Observation.Status.FINAL,
    "preliminary": Observation.Status.PRELIMINARY,
    "amended": Observation.Status.CORRECTED,
    "corrected": Observation.Status.CORRECTED,
}
# HL7 v2-0074 service sections as laboratories send them, and our own category codes.
CATEGORIES = {
    "HM": LabReport.Category.HAEMATOLOGY,
    "CH": LabReport.Category.BIOCHEMISTRY,
    "IMM": LabReport.Category.IMMUNOLOGY,
    "SR": LabReport.Category.IMMUNOLOGY,
    "MB": LabReport.Category.MICROBIOLOGY,
    **{category.value: category.value for category in LabReport.Category},
}
# v3 ObservationInterpretation codes reduced to our four flags.
FLAGS = {
    "H": "H",
    "HH": "H",
    "HU": "H",
    "L": "L",
    "LL": "L",
    "LU": "L",
    "N": "N",
    "A": "A",
    "AA": "A",
}


@dataclass
class LabReportInput:
    """One laboratory report as plain values; the patient by id or by OMS policy."""

    lab_system: str
    lab_identifier: str
    laboratory: str
    category: str
    issued_at: datetime
    observations: list[dict]
    patient_id: int | None = None
    oms_policy: str = ""
    specimen: str = ""
    conclusion: str = ""
    # The report's name as the laboratory gives it ("Общий анализ крови"); empty → by category.
    title: str = ""


def _width(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _at(where: str, name: str) -> str:
    """A place in the input: "Bundle.entry[1].resource.unit", or the CSV column "unit"."""
    return f"{where}.{name}" if where else name


def lab_error(code: str, message: str, *, where: str | None = None) -> DomainError:
    """A refusal of the incoming data: 400 with a stable code and where it was found."""
    return DomainError(code, message, field=where)


def checked_text(value, *, model, column: str, where: str, required: bool = True) -> str:
    """A text value that fits its column; a missing required one is refused."""
    text = (value or "").strip()
    if required and not text:
        raise lab_error(
            f"{column}_missing", _("Не заполнено: %(where)s.") % {"where": where}, where=where
        )
    limit = _width(model, column)
    if len(text) > limit:
        raise lab_error(
            "value_too_long",
            _("%(where)s: длиннее %(limit)d знаков.") % {"where": where, "limit": limit},
            where=where,
        )
    return text


def observation_values(
    *,
    where: str,
    code: str,
    name: str,
    value: Decimal | None,
    value_text: str,
    unit: str,
    reference_low: Decimal | None,
    reference_high: Decimal | None,
    reference_text: str,
    flag: str = "",
    status: str = Observation.Status.FINAL,
) -> dict:
    """One observation's values, checked the same way for a bundle and a CSV line.

    `where` is the observation's place in a bundle; empty for a CSV line, whose problems
    name the columns (the line number is the importer's).
    """
    values = {
        "code": checked_text(code, model=Observation, column="code", where=_at(where, "code")),
        "name": checked_text(name, model=Observation, column="name", where=_at(where, "name")),
        "value": value,
        "value_text": checked_text(
            value_text,
            model=Observation,
            column="value_text",
            where=_at(where, "valueString"),
            required=False,
        ),
        "unit": checked_text(
            unit, model=Observation, column="unit", where=_at(where, "unit"), required=False
        ),
        "reference_low": reference_low,
        "reference_high": reference_high,
        "reference_text": checked_text(
            reference_text,
            model=Observation,
            column="reference_text",
            where=_at(where, "referenceRange"),
            required=False,
        ),
        "status": status,
    }
    if value is None and not values["value_text"]:
        raise lab_error(
            "observation_value_missing",
            _("%(where)s: нет значения (ни числа, ни текста).") % {"where": _at(where, "value")},
            where=_at(where, "value"),
        )
    if value is not None and not values["unit"]:
        raise lab_error(
            "observation_unit_missing",
            _("%(where)s: у числового значения нет единицы измерения.")
            % {"where": _at(where, "unit")},
            where=_at(where, "unit"),
        )
    for number in (value, reference_low, reference_high):
        if number is not None and (not number.is_finite() or abs(number) >= Decimal("1e10")):
            raise lab_error(
                "observation_value_invalid",
                _("%(where)s: число вне допустимого диапазона.") % {"where": _at(where, "value")},
                where=_at(where, "value"),
            )
    if reference_low is not None and reference_high is not None and reference_low > reference_high:
        raise lab_error(
            "reference_range_invalid",
            _("%(where)s: нижняя граница нормы больше верхней.")
            % {"where": _at(where, "referenceRange")},
            where=_at(where, "referenceRange"),
        )
    if flag:
        values["flag"] = flag
    return values


def _coding(concept) -> tuple[str, str, str]:
    """(code, system, display) of a CodeableConcept's first coding, text as the fallback."""
    if concept is None:
        return "", "", ""
    first = concept.coding[0] if concept.coding else None
    code = (first.code or "") if first else ""
    system = (first.system or "") if first else ""
    display = (first.display or "") if first else ""
    return code, system, concept.text or display


# A date without a time (allowed by FHIR) is taken as the start of that day in the city.
def _moment(value, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=city_zone())
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=city_zone())
    raise lab_error(
        "report_date_missing",
        _("У отчёта нет даты: нужны issued или effectiveDateTime."),
        where=where,
    )


def _patient(subject, where: str) -> tuple[int | None, str]:
    """The subject as (person id, "") or (None, OMS policy)."""
    reference = (subject.reference if subject is not None else None) or ""
    if match := PATIENT_REFERENCE.fullmatch(reference):
        return int(match["id"]), ""
    identifier = subject.identifier if subject is not None else None
    if (
        identifier is not None
        and identifier.system == OMS_POLICY_SYSTEM
        and OMS_POLICY.fullmatch(identifier.value or "")
    ):
        return None, identifier.value
    raise lab_error(
        "subject_invalid",
        _(
            "Пациент указывается ссылкой Patient/{id} или идентификатором с системой "
            "%(system)s и номером полиса ОМС из 16 цифр."
        )
        % {"system": OMS_POLICY_SYSTEM},
        where=where,
    )


def _observation(resource, where: str) -> dict:
    code, _system, display = _coding(resource.code)
    status = OBSERVATION_STATUSES.get(resource.status)
    if status is None:
        raise lab_error(
            "observation_status_invalid",
            _("%(where)s: результат со статусом «%(status)s» не принимается.")
            % {"where": where, "status": resource.status},
            where=f"{where}.status",
        )
    quantity = resource.valueQuantity
    if quantity is not None and quantity.value is None:
        raise lab_error(
            "observation_value_missing",
            _("%(where)s: в valueQuantity нет числа.") % {"where": where},
            where=f"{where}.valueQuantity",
        )
    reference = resource.referenceRange[0] if resource.referenceRange else None
    low = reference.low.value if reference is not None and reference.low is not None else None
    high = reference.high.value if reference is not None and reference.high is not None else None
    interpretation = resource.interpretation[0] if resource.interpretation else None
    flag_code = _coding(interpretation)[0]
    return observation_values(
        where=where,
        code=code,
        name=display,
        value=quantity.value if quantity is not None else None,
        value_text=resource.valueString or "",
        unit=(quantity.unit or quantity.code or "") if quantity is not None else "",
        reference_low=low,
        reference_high=high,
        reference_text=(reference.text or "") if reference is not None else "",
        flag=FLAGS.get(flag_code, ""),
        status=status,
    )


def _validated_bundle(data):
    # Imported here: the FHIR models are large, and only this channel needs them.
    from fhir.resources.R4B.bundle import Bundle

    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise lab_error("bundle_invalid", _("Ожидается ресурс Bundle."), where="resourceType")
    try:
        return Bundle.model_validate(data)
    except (ValidationError, ValueError, TypeError) as error:
        first = error.errors()[0] if isinstance(error, ValidationError) else None
        where = ".".join(str(part) for part in first["loc"]) if first else "Bundle"
        detail = first["msg"] if first else str(error)
        raise lab_error(
            "bundle_invalid",
            _("Bundle не соответствует FHIR R4: %(where)s: %(detail)s")
            % {"where": where, "detail": detail},
            where=where,
        ) from error


def _the_report(entries: list[tuple[int, object]]) -> tuple[int, object]:
    """The bundle's one DiagnosticReport and its position among the entries."""
    reports = [
        (index, item.resource)
        for index, item in entries
        if item.resource is not None and item.resource.get_resource_type() == "DiagnosticReport"
    ]
    if len(reports) != 1:
        raise lab_error(
            "report_count_invalid",
            _("В Bundle должен быть ровно один DiagnosticReport, а их %(count)d.")
            % {"count": len(reports)},
            where="Bundle.entry",
        )
    return reports[0]


def _results(report, entries: list[tuple[int, object]], where: str) -> list[dict]:
    """The Observations the report's `result` references, in its order; at least one."""
    by_url = {
        item.fullUrl: (position, item.resource)
        for position, item in entries
        if item.fullUrl and item.resource is not None
    }
    observations = []
    for number, result in enumerate(report.result or []):
        position, resource = by_url.get(result.reference, (None, None))
        if resource is None or resource.get_resource_type() != "Observation":
            raise lab_error(
                "result_reference_unresolved",
                _(
                    "%(where)s.result[%(number)d]: ссылка «%(reference)s» не ведёт "
                    "к Observation в этом Bundle."
                )
                % {"where": where, "number": number, "reference": result.reference or ""},
                where=f"{where}.result[{number}]",
            )
        observations.append(_observation(resource, f"Bundle.entry[{position}].resource"))
    if not observations:
        raise lab_error(
            "observations_missing",
            _("В отчёте нет результатов (DiagnosticReport.result)."),
            where=f"{where}.result",
        )
    return observations


def lab_report_from_bundle(data) -> LabReportInput:
    """A laboratory's Bundle (transaction or collection) as one report's plain values.

    The bundle holds exactly one DiagnosticReport and the Observations its `result`
    references by fullUrl; FHIR's own structure is checked by the R4B models first.
    """
    bundle = _validated_bundle(data)
    if bundle.type not in ("transaction", "collection"):
        raise lab_error(
            "bundle_type_invalid",
            _("Bundle.type должен быть transaction или collection."),
            where="Bundle.type",
        )
    entries = list(enumerate(bundle.entry or []))
    index, report = _the_report(entries)
    where = f"Bundle.entry[{index}].resource"
    identifier = report.identifier[0] if report.identifier else None
    lab_system = checked_text(
        identifier.system if identifier else "",
        model=LabReport,
        column="lab_system",
        where=f"{where}.identifier[0].system",
    )
    lab_identifier = checked_text(
        identifier.value if identifier else "",
        model=LabReport,
        column="lab_identifier",
        where=f"{where}.identifier[0].value",
    )
    if report.status not in REPORT_STATUSES:
        raise lab_error(
            "report_status_invalid",
            _(
                "Принимаются только готовые результаты (final, amended, corrected), "
                "а не «%(status)s»."
            )
            % {"status": report.status},
            where=f"{where}.status",
        )
    patient_id, oms_policy = _patient(report.subject, f"{where}.subject")
    performer = report.performer[0] if report.performer else None
    laboratory = checked_text(
        performer.display if performer else "",
        model=LabReport,
        column="laboratory",
        where=f"{where}.performer[0].display",
    )
    category = LabReport.Category.OTHER
    for concept in report.category or []:
        category = CATEGORIES.get(_coding(concept)[0], category)
    specimen = report.specimen[0].display if report.specimen else ""
    observations = _results(report, entries, where)
    return LabReportInput(
        lab_system=lab_system,
        lab_identifier=lab_identifier,
        laboratory=laboratory,
        category=category,
        issued_at=_moment(report.issued or report.effectiveDateTime, f"{where}.issued"),
        observations=observations,
        patient_id=patient_id,
        oms_policy=oms_policy,
        specimen=checked_text(
            specimen, model=LabReport, column="specimen", where=f"{where}.specimen", required=False
        ),
        conclusion=report.conclusion or "",
        title=checked_text(
            _coding(report.code)[2],
            model=Entry,
            column="title",
            where=f"{where}.code",
            required=False,
        ),
    )


def lab_patient(data: LabReportInput) -> Person:
    """The report's patient; an unknown one is refused (422), never created."""
    if data.patient_id is not None:
        person = Person.objects.filter(pk=data.patient_id).first()
    else:
        person = Person.objects.filter(oms_policy=data.oms_policy).first()
    if person is None:
        raise Invalid(
            "patient_not_found",
            _("Пациент отчёта не найден: проверьте ссылку на пациента или номер полиса ОМС."),
            field="subject",
        )
    return person


def lab_report_receive(*, actor, data: LabReportInput) -> tuple[Entry, bool]:
    """Store one incoming report: (entry, created); the same identifier again is a no-op."""
    return lab_report_store(
        actor=actor,
        patient=lab_patient(data),
        lab_system=data.lab_system,
        lab_identifier=data.lab_identifier,
        laboratory=data.laboratory,
        category=data.category,
        specimen=data.specimen,
        issued_at=data.issued_at,
        observations=data.observations,
        conclusion=data.conclusion,
        title=data.title,
    )
