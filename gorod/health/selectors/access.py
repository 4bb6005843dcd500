"""The one door to a person's medical record: decide, log, then read.

Every page, API endpoint and FHIR read of record data first calls `record_open`. It reads
what the reader is to the patient in one query, lets `record_rules.record_read_decision`
decide, and writes the access-log row in the same request, allowed or denied. A denied look
is "not found" (404), like a record that does not exist, so ids reveal nothing.

The section selectors (selectors/record.py) take the `RecordAccess` it returns, not a user:
there is no way to read record data that skipped the log.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, JSONField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Delegation, Guardianship, Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER, age_on
from gorod.core.errors import DomainError, NotFound
from gorod.core.ids import valid_id
from gorod.health import record_rules
from gorod.health.models import (
    AccessLogEntry,
    Appointment,
    Attachment,
    Entry,
    Practitioner,
    RegistrarPost,
)
from gorod.health.selectors.booking import local_now


class NotSignedIn(DomainError):
    """An anonymous look: the pages send the reader to sign in, the API answers 401."""

    status = 401


def record_not_found() -> NotFound:
    return NotFound("record_not_found", _("Медицинская карта не найдена."))


@dataclass(frozen=True)
class RecordAccess:
    """An allowed, logged look at one person's record, as one role."""

    actor: object
    patient: Person
    role: str
    section: str
    channel: str

    @property
    def is_patient_side(self) -> bool:
        """The patient, a guardian or a delegate: the citizen's pages, not a doctor's."""
        return self.role in ("self", "guardian", "delegate")

    def allows(self, section: str) -> bool:
        """Whether this look also covers `section` (a timeline covers every section)."""
        decision = record_rules.record_read_decision(
            _facts_for_role(self.role), section, child_age_limit=GUARDIAN_REPRESENTS_UNDER
        )
        return decision.allowed


def _facts_for_role(role: str) -> record_rules.ReaderFacts:
    # The decision was taken on the real facts; re-deriving it for another section only
    # needs to know which role won.
    return record_rules.ReaderFacts(
        is_self=role == "self",
        is_guardian=role == "guardian",
        delegated_scopes=frozenset({record_rules.RECORD_SCOPE})
        if role == "delegate"
        else frozenset(),
        is_clinician=role in ("clinician", "emergency"),
        in_care=role in ("clinician", "emergency"),
        is_clinic_registrar=role == "operator",
    )


def _reader_facts_query(actor, person_id: int):
    """The patient's row with what the reader is to them, in one statement."""
    now = timezone.now()
    today = local_now(now).date()
    window = timedelta(days=settings.GOROD_HEALTH_CARE_WINDOW_DAYS)
    practitioner = Practitioner.objects.filter(user_id=actor.pk)
    live_delegations = Delegation.objects.filter(
        principal=OuterRef("pk"),
        delegate__user_id=actor.pk,
        confirmed_at__isnull=False,
        revoked_at__isnull=True,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return Person.objects.filter(pk=person_id).annotate(
        guardian=Exists(
            Guardianship.objects.filter(child=OuterRef("pk"), guardian__user_id=actor.pk)
        ),
        scopes=Subquery(live_delegations.values("scopes")[:1], output_field=JSONField()),
        clinician=Exists(practitioner),
        seen_by_appointment=Exists(
            Appointment.objects.filter(
                person=OuterRef("pk"),
                slot__role__practitioner__user_id=actor.pk,
                start__gte=now - window,
                start__lte=now + window,
            ).exclude(status__in=("cancelled", "entered-in-error"))
        ),
        seen_by_encounter=Exists(
            Entry.objects.filter(
                patient=OuterRef("pk"),
                practitioner__user_id=actor.pk,
                occurred_at__gte=now - window,
            )
        ),
        clinic_registrar=Exists(
            Attachment.objects.filter(
                person=OuterRef("pk"),
                until__isnull=True,
                organisation__in=RegistrarPost.objects.filter(user_id=actor.pk).values(
                    "organisation"
                ),
            )
        ),
        reader_doctor=Subquery(
            practitioner.annotate(
                shown=Concat(
                    F("last_name"), Value(" "), F("first_name"), Value(" "), F("middle_name")
                )
            ).values("shown")[:1]
        ),
        reader_person=Subquery(
            Person.objects.filter(user_id=actor.pk)
            .annotate(
                shown=Concat(
                    F("last_name"), Value(" "), F("first_name"), Value(" "), F("middle_name")
                )
            )
            .values("shown")[:1]
        ),
    )


def _reader_name(actor, row: Person | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _("без входа")
    shown = (row.reader_doctor or row.reader_person) if row is not None else ""
    return (shown or str(actor)).strip()[:255]


def _log(
    *,
    actor,
    actor_name: str,
    person_id: int,
    section: str,
    channel: str,
    decision: record_rules.ReadDecision,
    entry_id: int | None,
) -> None:
    AccessLogEntry.objects.create(
        actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_name,
        role=decision.role,
        patient_id=person_id,
        section=section,
        entry_id=entry_id,
        channel=channel,
        allowed=decision.allowed,
        reason=decision.reason[:500],
    )


def record_open(
    *,
    actor,
    person_id,
    section: str,
    channel: str,
    emergency_reason: str = "",
    entry_id: int | None = None,
) -> RecordAccess:
    """Open a person's record for one look, or raise NotFound/NotSignedIn; logged either way.

    `person_id` comes from a URL or a body as it was given: a malformed id is logged as a
    look at id 0 and is "not found", like any other id the reader may not see.
    """
    patient_key = int(person_id) if valid_id(person_id) else 0
    if actor is None or not getattr(actor, "is_authenticated", False):
        decision = record_rules.record_read_decision(
            record_rules.ReaderFacts(authenticated=False),
            section,
            child_age_limit=GUARDIAN_REPRESENTS_UNDER,
        )
        _log(
            actor=None,
            actor_name=_reader_name(None, None),
            person_id=patient_key,
            section=section,
            channel=channel,
            decision=decision,
            entry_id=entry_id,
        )
        raise NotSignedIn("not_authenticated", _("Войдите, чтобы открыть медицинскую карту."))
    row = _reader_facts_query(actor, patient_key).first() if patient_key else None
    if row is None:
        decision = record_rules.ReadDecision(False, "none", _("карты с таким номером нет"))
    else:
        facts = record_rules.ReaderFacts(
            is_self=row.user_id == actor.pk,
            is_guardian=row.guardian,
            patient_age=age_on(row.birth_date, local_now().date()),
            delegated_scopes=frozenset(row.scopes or ()),
            is_clinician=row.clinician,
            in_care=row.seen_by_appointment or row.seen_by_encounter,
            is_clinic_registrar=row.clinic_registrar,
            emergency_reason=emergency_reason,
        )
        decision = record_rules.record_read_decision(
            facts, section, child_age_limit=GUARDIAN_REPRESENTS_UNDER
        )
    _log(
        actor=actor,
        actor_name=_reader_name(actor, row),
        person_id=patient_key,
        section=section,
        channel=channel,
        decision=decision,
        entry_id=entry_id,
    )
    if not decision.allowed:
        raise record_not_found()
    return RecordAccess(
        actor=actor, patient=row, role=decision.role, section=section, channel=channel
    )
