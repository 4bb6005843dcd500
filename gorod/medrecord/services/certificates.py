"""Medical certificates: ordered by the citizen, prepared (a signed PDF) by the registry or the
hourly task, issued, or cancelled while ordered."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER, age_on
from gorod.analytics.services import usage_record
from gorod.clinics.selectors import current_attachment, is_registrar_of, recipients_of
from gorod.core.audit import audit_record
from gorod.core.calendar import next_working_day
from gorod.core.clock import local_now
from gorod.core.errors import DomainError, NotFound
from gorod.medrecord import documents
from gorod.medrecord.models.record import Certificate, Entry, Section
from gorod.medrecord.selectors.access import RecordAccess
from gorod.medrecord.services.entries import (
    CERTIFICATE_MOVES,
    CERTIFICATE_TOPIC,
    CERTIFICATES_SERVICE,
    _clean,
    _finalise,
    _forbidden,
    _locked,
    _moved,
    _new_entry,
    _numbered,
    _patient_side,
    _today,
)
from gorod.notifications.services import Draft, in_every_language, messages_enqueue


def _certificate_of(access: RecordAccess, entry: Entry) -> Entry:
    entry = _locked(entry)
    if entry.patient_id != access.patient.pk or entry.section != Section.CERTIFICATES:
        raise NotFound("record_not_found", _("Справка не найдена."))
    return entry


@transaction.atomic
def certificate_order(*, access: RecordAccess, kind: str, purpose: str = "") -> Entry:
    """Order a certificate from the patient's clinic: ready by the next working day."""
    _patient_side(access)
    if kind not in Certificate.Kind.values:
        raise DomainError("certificate_kind_invalid", _("Выберите вид справки."), field="kind")
    patient = access.patient
    attachment = current_attachment(patient.pk)
    if attachment is None:
        raise DomainError(
            "certificate_no_attachment",
            _("Справку готовит поликлиника прикрепления, а прикрепления нет."),
        )
    if Entry.objects.filter(
        patient=patient, section=Section.CERTIFICATES, status="ordered", certificate__kind=kind
    ).exists():
        raise DomainError(
            "certificate_already_ordered",
            _("Такая справка уже заказана и готовится."),
            field="kind",
        )
    today = _today()
    ready_by = next_working_day(today)
    label = Certificate.Kind(kind).label
    organisation = attachment.organisation
    prefix = f"{organisation.registry_code[:6]}-С{today.year}-"

    def make(number: str) -> Entry:
        entry = _new_entry(
            actor=access.actor,
            patient=patient,
            section=Section.CERTIFICATES,
            occurred_at=timezone.now(),
            title=_("Справка %(kind)s") % {"kind": label},
            summary=_("Будет готова %(date)s") % {"date": f"{ready_by:%d.%m.%Y}"},
            status="ordered",
            organisation=organisation,
            source=Entry.Source.PATIENT,
        )
        detail = Certificate(
            entry=entry, kind=kind, purpose=purpose.strip(), number=number, ready_by=ready_by
        )
        _clean(detail)
        detail.save()
        return entry

    entry = _numbered(make, prefix, digits=8)
    audit_record(
        actor=access.actor,
        action="health.certificate_order",
        target=entry,
        person=patient.pk,
        kind=kind,
        role=access.role,
    )
    # The use this order counts as: the page and the API offer to rate it.
    entry.use_id = usage_record(
        service=CERTIFICATES_SERVICE, actor=access.actor, action="submit", channel=access.channel
    )
    return entry


def _ready_drafts(entry: Entry) -> list[Draft]:
    certificate = entry.certificate

    def compose() -> tuple[str, str]:
        values = {
            "patient": entry.patient.full_name,
            "kind": certificate.get_kind_display(),
            "number": certificate.number,
        }
        return _("Справка %(kind)s готова") % values, _(
            "%(patient)s: справка %(kind)s № %(number)s готова. Её можно скачать с "
            "электронной подписью в медицинской карте, раздел «Справки»."
        ) % values

    texts = in_every_language(compose)
    link = reverse("record:certificates", args=[entry.patient_id])
    return [
        Draft(
            person_id=person_id,
            key=f"{CERTIFICATE_TOPIC}:{entry.pk}:ready:{person_id}",
            texts=texts,
            link=link,
        )
        for person_id in _record_recipients(entry.patient)
    ]


def _record_recipients(patient: Person) -> list[int]:
    """Who may hear of a record's news: the patient with a login, else the guardians while
    the child is under 15 — from 15 the record is the teen's own (record_rules)."""
    if patient.user_id is None and not _represented_by_guardians(patient):
        return []
    return recipients_of(patient)


def _represented_by_guardians(patient: Person) -> bool:
    return age_on(patient.birth_date, _today()) < GUARDIAN_REPRESENTS_UNDER


@transaction.atomic
def certificate_prepare(*, actor, entry: Entry) -> Entry:
    """Render and sign the PDF, store it, sign the entry: the certificate is ready.

    `actor` is a registrar of the patient's clinic, or None for the hourly task.
    """
    entry = _locked(entry)
    if entry.section != Section.CERTIFICATES:
        raise DomainError("entry_wrong_section", _("Это запись другого раздела карты."))
    if actor is not None and not is_registrar_of(actor, entry.organisation_id):
        raise _forbidden(
            "certificate_not_your_clinic", _("Справку готовит регистратура поликлиники пациента.")
        )
    if entry.status != "ordered" or entry.finalised_at is not None:
        raise DomainError("certificate_not_ordered", _("Справка уже готова или отменена."))
    pdf = documents.certificate_pdf(entry)
    Certificate.objects.filter(entry=entry).update(pdf=pdf)
    now = timezone.now()
    _finalise(entry, actor=actor, now=now, summary=_("Готова, можно скачать"))
    if not _moved(entry, "ready", CERTIFICATE_MOVES):
        raise DomainError("certificate_not_ordered", _("Справка уже готова или отменена."))
    messages_enqueue(topic=CERTIFICATE_TOPIC, drafts=_ready_drafts(entry))
    audit_record(actor=actor, action="health.certificate_prepare", target=entry, size=len(pdf))
    return entry


def certificates_prepare_due(*, now: datetime | None = None) -> int:
    """Prepare every ordered certificate whose day has come; how many became ready.

    Each in its own transaction: one that a registrar prepared meanwhile is skipped.
    """
    today = local_now(now).date()
    due = Entry.objects.filter(
        section=Section.CERTIFICATES,
        status="ordered",
        finalised_at__isnull=True,
        certificate__ready_by__lte=today,
    ).order_by("pk")
    prepared = 0
    for entry in due.iterator():
        try:
            certificate_prepare(actor=None, entry=entry)
        except DomainError:
            continue
        prepared += 1
    return prepared


@transaction.atomic
def certificate_mark_issued(*, access: RecordAccess, entry: Entry) -> Entry:
    """The first download by the patient's side issues a ready certificate (idempotent)."""
    _patient_side(access)
    entry = _certificate_of(access, entry)
    if entry.status == "issued":
        return entry
    if not _moved(entry, "issued", CERTIFICATE_MOVES):
        raise DomainError("certificate_not_ready", _("Справка ещё не готова."))
    audit_record(
        actor=access.actor, action="health.certificate_issue", target=entry, role=access.role
    )
    usage_record(
        service=CERTIFICATES_SERVICE, actor=access.actor, action="download", channel=access.channel
    )
    return entry


@transaction.atomic
def certificate_cancel(*, access: RecordAccess, entry: Entry) -> Entry:
    """The patient's side withdraws an order the clinic has not prepared yet."""
    _patient_side(access)
    entry = _certificate_of(access, entry)
    if not _moved(entry, "cancelled", CERTIFICATE_MOVES, summary=_("Заказ отменён")):
        raise DomainError(
            "certificate_not_cancellable", _("Отменить можно только заказанную справку.")
        )
    audit_record(
        actor=access.actor, action="health.certificate_cancel", target=entry, role=access.role
    )
    usage_record(
        service=CERTIFICATES_SERVICE, actor=access.actor, action="cancel", channel=access.channel
    )
    return entry
