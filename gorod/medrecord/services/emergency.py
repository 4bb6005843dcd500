"""A doctor's emergency opening of a stranger's record, and its review by a supervisor.

One service for every door: the staff page and the API's `POST …/emergency-access` both
call `emergency_open`, so both demand the patient's OMS policy and birth date and a written
reason, share one failure throttle per account, write the same audit row and raise each
opening to the doctor's clinics' supervisors. The grant it returns is what later looks
present (ADR 0008).
"""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts import rules as account_rules
from gorod.appointments.selectors.desk import patient_by_policy
from gorod.clinics.models import Practitioner, PractitionerRole
from gorod.core.audit import audit_record
from gorod.core.errors import Forbidden, Invalid, NotFound
from gorod.core.throttle import FailureThrottle
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.oversight import EmergencyAccess
from gorod.medrecord.selectors.oversight import clinic_supervisors, emergency_access_for_review
from gorod.notifications.services import Draft, in_every_language, messages_enqueue

# Guessing whose policy number this is: 10 misses an hour per account, on every door.
EMERGENCY_LOOKUP_THROTTLE = FailureThrottle("emergency-lookup", limit=10)
LASTS = timedelta(hours=1)
TOPIC = "health.emergency_access"
AUDIT_OPENED = "health.record_emergency_access"


def _practitioner(actor) -> Practitioner:
    practitioner = (
        Practitioner.objects.filter(user=actor, active=True).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if practitioner is None:
        raise NotFound(
            "practitioner_not_found", _("Экстренный доступ к карте открывает только врач.")
        )
    return practitioner


def emergency_open(
    *, actor, oms_policy: str, birth_date: date, reason: str, channel: str
) -> EmergencyAccess:
    """Find the patient by policy and birth date and open their record to this doctor for
    an hour, for the reason given; NotFound (a throttled miss) when nobody matches."""
    practitioner = _practitioner(actor)
    reason = reason.strip()
    if refusal := record_rules.emergency_reason_refusal(reason):
        raise Invalid(refusal.code, refusal.message, field="reason")
    clinic_ids = sorted(
        set(
            PractitionerRole.objects.filter(practitioner=practitioner, active=True).values_list(
                "organisation_id", flat=True
            )
        )
    )
    if not clinic_ids:
        # Nobody would review it: an emergency look is a clinic doctor's act.
        raise Forbidden(
            "emergency_no_clinic",
            _("Экстренный доступ открывает врач поликлиники, а вы не числитесь ни в одной."),
        )
    EMERGENCY_LOOKUP_THROTTLE.check(actor.pk)
    policy = account_rules.digits_only(oms_policy or "")
    person = (
        patient_by_policy(oms_policy=policy, birth_date=birth_date)
        if account_rules.oms_policy_is_valid(policy)
        else None
    )
    if person is None:
        # The miss is recorded with its reason too: a policy number opens a whole record.
        with transaction.atomic():
            audit_record(
                actor=actor, action=AUDIT_OPENED, found=False, reason=reason, channel=channel
            )
        EMERGENCY_LOOKUP_THROTTLE.failed(actor.pk)
        raise NotFound(
            "emergency_patient_not_found",
            _("Пациента с таким полисом и датой рождения нет. Проверьте номер полиса и дату."),
            field="oms_policy",
        )
    now = timezone.now()
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            practitioner=practitioner,
            patient=person,
            reason=reason,
            channel=channel,
            opened_at=now,
            expires_at=now + LASTS,
        )
        grant.clinics.set(clinic_ids)
        audit_record(
            actor=actor,
            action=AUDIT_OPENED,
            target=person,
            found=True,
            reason=reason,
            channel=channel,
            grant=grant.pk,
        )
        transaction.on_commit(lambda: _tell_supervisors(grant, clinic_ids))
    return grant


def _tell_supervisors(grant: EmergencyAccess, clinic_ids: list[int]) -> None:
    # The patient is not named in the message: the review list shows who, to staff only.
    values = {"doctor": grant.practitioner.full_name, "reason": grant.reason}

    def compose() -> tuple[str, str]:
        return _("Экстренный доступ к медицинской карте: нужен разбор"), _(
            "Врач %(doctor)s открыл медицинскую карту пациента в экстренном порядке. "
            "Причина: «%(reason)s». Разберите этот доступ в списке экстренных доступов."
        ) % values

    texts = in_every_language(compose)
    link = reverse("health_staff:emergency_reviews")
    messages_enqueue(
        topic=TOPIC,
        drafts=[
            Draft(
                person_id=supervisor.person.pk,
                key=f"{TOPIC}:{grant.pk}:{supervisor.pk}",
                texts=texts,
                link=link,
            )
            for supervisor in clinic_supervisors(clinic_ids)
            if getattr(supervisor, "person", None) is not None
        ],
    )


def emergency_review(*, actor, grant_id, note: str = "") -> EmergencyAccess:
    """A supervisor marks an emergency opening reviewed, with an optional conclusion.

    Once: a second mark changes nothing. A doctor's own opening is reviewed by another
    supervisor.
    """
    grant = emergency_access_for_review(actor, grant_id)
    if grant.practitioner.user_id == actor.pk:
        raise Forbidden(
            "emergency_own_review",
            _("Свой экстренный доступ разбирает другой руководитель."),
        )
    with transaction.atomic():
        reviewed = EmergencyAccess.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by=actor, review_note=note.strip()[:500]
        )
        if reviewed:
            audit_record(
                actor=actor,
                action="health.emergency_access_reviewed",
                target=grant,
                note=note.strip()[:500],
            )
    grant.refresh_from_db()
    return grant
