"""Writes of attachment (прикрепление) by application, as the city does it online.

The citizen (or a parent for a child under 15) applies to a polyclinic; its registry
confirms or declines with a reason. Confirming ends the old attachment and starts the new
one in the same transaction as the application's status change, which is a conditional
update (pending → confirmed): of two registrars confirming at once, one changes the row
and the other hears `application_decided`. One pending application per person is a
partial unique index. Each write is audited; the family hears the decision after commit.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER
from gorod.clinics import rules, selectors
from gorod.clinics.models import Attachment, AttachmentApplication
from gorod.core import clock
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, DomainError, Forbidden, RuleError
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

DECISION_TOPIC = "health.attachment_decided"
Status = AttachmentApplication.Status


def _refused(error: RuleError, *, field: str | None = None, kind: type[DomainError] = Conflict):
    return kind(error.code, error.message, field=field)


def attachment_apply(
    *, actor, person_id: int, organisation_id: int, reason: str, now: datetime | None = None
) -> AttachmentApplication:
    """Apply to attach the actor (or their child under 15) to a polyclinic."""
    now = now or timezone.now()
    today = clock.local_now(now).date()
    patient = selectors.patient_for(actor, person_id)
    if refusal := rules.attachment_applicant_refusal(
        patient.representation,
        patient_age=patient.age_today,
        child_age_limit=GUARDIAN_REPRESENTS_UNDER,
    ):
        raise _refused(refusal, field="person", kind=Forbidden)
    if reason not in AttachmentApplication.Reason.values:
        raise DomainError(
            "attachment_reason_wrong", _("Выберите основание для прикрепления."), field="reason"
        )
    clinic = selectors.attachable_clinic(patient, organisation_id)
    with transaction.atomic():
        lock_person(patient.person.pk)
        if selectors.pending_of(patient.person.pk) is not None:
            raise _pending()
        current = selectors.current_attachment(patient.person.pk)
        if refusal := rules.attachment_refusal_of(
            rules.AttachmentFacts(
                patient_age=patient.age_today,
                reason=reason,
                chosen_organisation_id=clinic.pk,
                chosen_kind=clinic.kind,
                chosen_active=clinic.active,
                current_organisation_id=current.organisation_id if current else None,
                current_since=current.since if current else None,
            ),
            today=today,
            change_days=settings.GOROD_HEALTH_ATTACHMENT_CHANGE_DAYS,
        ):
            raise _refused(refusal, field="organisation")
        try:
            with transaction.atomic():
                application = AttachmentApplication.objects.create(
                    person=patient.person,
                    organisation=clinic,
                    reason=reason,
                    submitted_by=actor,
                )
        except IntegrityError as error:  # a pending one written past the lock: a bug
            raise _pending() from error
        audit_record(
            actor=actor,
            action="health.attachment_apply",
            target=application,
            person=patient.person.pk,
            organisation=clinic.pk,
            reason=reason,
        )
    return application


def _pending() -> DomainError:
    return Conflict(
        "application_pending",
        _("Заявление о прикреплении уже подано. Дождитесь ответа поликлиники или отзовите его."),
        field="organisation",
    )


def _move(application: AttachmentApplication, target: str, **fields) -> None:
    """pending → target, only if still pending: the statement that settles a race."""
    if refusal := rules.application_transition_refusal(application.status, target):
        raise _refused(refusal)
    changed = AttachmentApplication.objects.filter(
        pk=application.pk, status=application.status
    ).update(status=target, **fields)
    if not changed:  # another registrar, or the applicant, was first
        raise _refused(rules.application_decided())
    application.status = target
    for name, value in fields.items():
        setattr(application, name, value)


def attachment_withdraw(*, actor, application_id: int) -> AttachmentApplication:
    """The applicant takes back an application the clinic has not decided yet."""
    application = selectors.application_for(actor, application_id)
    with transaction.atomic():
        lock_person(application.person_id)
        _move(application, Status.WITHDRAWN)
        audit_record(
            actor=actor,
            action="health.attachment_withdraw",
            target=application,
            person=application.person_id,
        )
    return application


def attachment_decide(
    *,
    actor,
    application_id: int,
    confirm: bool,
    decline_reason: str = "",
    now: datetime | None = None,
) -> AttachmentApplication:
    """The clinic's registrar confirms (the patient is attached from today) or declines
    with a reason the family reads."""
    now = now or timezone.now()
    application = selectors.desk_application(actor, application_id)
    decline_reason = decline_reason.strip()
    if not confirm and not decline_reason:
        raise DomainError(
            "decline_reason_required",
            _("Напишите причину отказа: её прочитает заявитель."),
            field="decline_reason",
        )
    target = Status.CONFIRMED if confirm else Status.DECLINED
    today = clock.local_now(now).date()
    with transaction.atomic():
        lock_person(application.person_id)
        # Read again under the person's lock: a colleague's decision may have just committed.
        application.status = (
            AttachmentApplication.objects.filter(pk=application.pk)
            .values_list("status", flat=True)
            .get()
        )
        if refusal := rules.application_transition_refusal(application.status, target):
            raise _refused(refusal)
        ended, started = _reattach(application, today=today) if confirm else (None, None)
        _move(
            application,
            target,
            decided_at=now,
            decided_by=actor,
            decline_reason="" if confirm else decline_reason,
            attachment=started,
        )
        audit_record(
            actor=actor,
            action="health.attachment_confirm" if confirm else "health.attachment_decline",
            target=application,
            person=application.person_id,
            organisation=application.organisation_id,
            ended_attachment=ended,
        )
        transaction.on_commit(lambda: _tell(application))
    return application


def _reattach(application: AttachmentApplication, *, today) -> tuple[int | None, Attachment]:
    """End the current attachment (if any) and start the new one from today."""
    current = selectors.current_attachment(application.person_id)
    if current is not None:
        Attachment.objects.filter(pk=current.pk, until__isnull=True).update(until=today)
    started = Attachment.objects.create(
        person_id=application.person_id, organisation_id=application.organisation_id, since=today
    )
    return (current.pk if current else None), started


def _tell(application: AttachmentApplication) -> None:
    values = {"person": application.person.full_name, "clinic": application.organisation.name}
    confirmed = application.status == Status.CONFIRMED

    def compose() -> tuple[str, str]:
        if confirmed:
            return _("Прикрепление к поликлинике оформлено"), _(
                "%(person)s прикреплён(а) к поликлинике «%(clinic)s». "
                "Теперь можно записаться к врачу."
            ) % values
        return _("Поликлиника отказала в прикреплении"), _(
            "«%(clinic)s» не прикрепила пациента %(person)s. Причина: %(reason)s"
        ) % {**values, "reason": application.decline_reason}

    texts = in_every_language(compose)
    link = reverse("health:book" if confirmed else "health:attach")
    messages_enqueue(
        topic=DECISION_TOPIC,
        drafts=[
            Draft(
                person_id=person_id,
                key=f"{DECISION_TOPIC}:{application.pk}:{person_id}",
                texts=texts,
                link=link,
            )
            for person_id in selectors.recipients_of(application.person)
        ],
    )


def lock_person(person_id: int) -> None:
    # The lock serialises one person's bookings (SQLite's IMMEDIATE transactions already
    # serialise every writer, so there it is a plain read).
    list(Person.objects.select_for_update().filter(pk=person_id).values_list("pk"))
