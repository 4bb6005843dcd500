"""The one door to a person's medical record: decide, log, then read.

Every page, API endpoint and FHIR read of record data first calls `record_open`. It reads
what the reader is to the patient in one query, lets `record_rules.record_read_decision`
decide, and writes the access-log row in the same request, allowed or denied. A denied look
is "not found" (404), like a record that does not exist, so ids reveal nothing.

The section selectors (selectors/record.py) take the `RecordAccess` it returns, not a user:
there is no way to read record data that skipped the log.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gorod.accounts.models import Person
from gorod.accounts.rules import GUARDIAN_REPRESENTS_UNDER, age_on
from gorod.core.clock import local_now
from gorod.core.errors import NotFound, Unauthenticated
from gorod.core.ids import valid_id
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.record import AccessLogEntry
from gorod.medrecord.selectors import record_sql


class NotSignedIn(Unauthenticated):
    """An anonymous look: the pages send the reader to sign in, the API answers 401."""


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
    # The log row of this look: `record_also` logs further sections as its copies. None
    # only where nothing is read: the demo placing a citizen's orders through the services.
    look: AccessLogEntry | None

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
        in_care=role == "clinician",
        emergency_granted=role == "emergency",
        is_clinic_registrar=role == "operator",
    )


# What the reader is to the patient, in one statement written out by hand: the ORM spent
# more time building this query (five subqueries) than the database spent running it, on
# the most used page of the portal. Table names are the models' own; %(…)s are parameters,
# {person_columns} the patient's own columns (record_sql.annotated_person).
READER_FACTS_SQL = """
SELECT {person_columns},
    EXISTS (
        SELECT 1 FROM accounts_guardianship g
        JOIN accounts_person gp ON gp.id = g.guardian_id
        WHERE g.child_id = p.id AND gp.user_id = %(actor)s
    ) AS guardian,
    EXISTS (
        SELECT 1 FROM accounts_guardianship g
        JOIN accounts_person gp ON gp.id = g.guardian_id
        WHERE g.child_id = p.id AND gp.user_id = %(actor)s AND g.verified_at IS NOT NULL
    ) AS guardian_verified,
    (
        SELECT d.scopes FROM accounts_delegation d
        JOIN accounts_person dp ON dp.id = d.delegate_id
        WHERE d.principal_id = p.id AND dp.user_id = %(actor)s
          AND d.confirmed_at IS NOT NULL AND d.revoked_at IS NULL
          AND (d.valid_until IS NULL OR d.valid_until >= %(today)s)
        LIMIT 1
    ) AS scopes,
    EXISTS (
        SELECT 1 FROM health_practitioner pr WHERE pr.user_id = %(actor)s AND pr.active
    ) AS clinician,
    EXISTS (
        SELECT 1 FROM health_appointment a
        JOIN health_slot s ON s.id = a.slot_id
        JOIN health_practitionerrole r ON r.id = s.role_id
        JOIN health_practitioner pr ON pr.id = r.practitioner_id
        WHERE a.person_id = p.id AND pr.user_id = %(actor)s AND pr.active
          AND a.start >= %(window_start)s AND a.start <= %(window_end)s
          AND a.status NOT IN ('cancelled', 'entered-in-error')
    ) OR EXISTS (
        SELECT 1 FROM health_entry e
        JOIN health_practitioner pr ON pr.id = e.practitioner_id
        WHERE e.patient_id = p.id AND pr.user_id = %(actor)s AND pr.active
          AND e.finalised_at IS NOT NULL
          AND e.occurred_at >= %(window_start)s AND e.occurred_at <= %(window_end)s
    ) AS in_care,
    (
        SELECT o.name FROM health_attachment at
        JOIN health_registrarpost rp ON rp.organisation_id = at.organisation_id
        JOIN health_organisation o ON o.id = at.organisation_id
        WHERE at.person_id = p.id AND at.until IS NULL AND rp.user_id = %(actor)s
        LIMIT 1
    ) AS registrar_clinic,
    (
        SELECT ea.reason FROM health_emergencyaccess ea
        JOIN health_practitioner pr ON pr.id = ea.practitioner_id
        WHERE ea.id = %(grant)s AND ea.patient_id = p.id AND pr.user_id = %(actor)s
          AND ea.expires_at > %(now)s
    ) AS emergency_reason,
    (
        SELECT pr.last_name || ' ' || pr.first_name || ' ' || pr.middle_name
        FROM health_practitioner pr WHERE pr.user_id = %(actor)s AND pr.active
    ) AS reader_doctor,
    (
        SELECT o.name FROM health_practitioner pr
        JOIN health_practitionerrole r ON r.practitioner_id = pr.id AND r.active
        JOIN health_organisation o ON o.id = r.organisation_id
        WHERE pr.user_id = %(actor)s AND pr.active
        ORDER BY r.id LIMIT 1
    ) AS reader_doctor_clinic,
    (
        SELECT rp.last_name || ' ' || rp.first_name || ' ' || rp.middle_name
        FROM accounts_person rp WHERE rp.user_id = %(actor)s
    ) AS reader_person
FROM accounts_person p
WHERE p.id = %(person)s
"""


def _reader_facts(actor, person_id: int, emergency_access: int | None) -> Person | None:
    """The patient's row, annotated with what the reader is to them."""
    now = timezone.now()
    window = timedelta(days=settings.GOROD_HEALTH_CARE_WINDOW_DAYS)
    operations = connection.ops
    row = record_sql.annotated_person(
        READER_FACTS_SQL,
        {
            "actor": actor.pk,
            "person": person_id,
            "grant": emergency_access,
            "now": operations.adapt_datetimefield_value(now),
            "today": operations.adapt_datefield_value(local_now(now).date()),
            "window_start": operations.adapt_datetimefield_value(now - window),
            "window_end": operations.adapt_datetimefield_value(now + window),
        },
    )
    if row is not None and isinstance(row.scopes, str):
        # SQLite answers 0/1 and JSON as text; PostgreSQL booleans and a decoded list.
        row.scopes = json.loads(row.scopes)
    return row


def _account_name(actor, row: Person | None) -> str:
    """The reader as their account names them, for staff (a citizen's name is self-typed)."""
    shown = (row.reader_doctor or row.reader_person) if row is not None else ""
    return (shown or str(actor)).strip()[:255]


def _reader_label(role: str, row: Person | None) -> str:
    """The reader as the patient is shown them: verified data only, or nothing (the page
    then names the role). A doctor's name and clinic come from the registry, a registry
    desk is its clinic, a guardian is named once an operator checked the documents."""
    if row is None:
        return ""
    if role in ("clinician", "emergency") and row.reader_doctor:
        doctor = " ".join(row.reader_doctor.split())
        label = f"{doctor}, {row.reader_doctor_clinic}" if row.reader_doctor_clinic else doctor
    elif role == "operator" and row.registrar_clinic:
        label = _("регистратура: %(clinic)s") % {"clinic": row.registrar_clinic}
    elif role == "guardian" and row.guardian_verified and row.reader_person:
        label = " ".join(row.reader_person.split())
    else:
        return ""
    return label[:255]


def _anonymous_look_logged_lately(person_id: int, channel: str) -> bool:
    """Whether an anonymous look at this id by this door was logged within the hour.

    Nobody is behind an anonymous look, so a thousand of them say no more than one; a
    flood of them must not grow the log by a row each.
    """
    return not cache.add(f"record-anonymous-look:{channel}:{person_id}", 1, timeout=3600)


def _log(
    *,
    actor,
    row: Person | None,
    person_id: int,
    section: str,
    channel: str,
    decision: record_rules.ReadDecision,
    entry_id: int | None,
) -> AccessLogEntry:
    signed_in = getattr(actor, "is_authenticated", False)
    emergency = decision.role == "emergency"
    look = AccessLogEntry(
        actor_id=actor.pk if signed_in else None,
        actor_name=_account_name(actor, row) if signed_in else "",
        reader_label=_reader_label(decision.role, row),
        role=decision.role,
        patient_id=person_id,
        section=section,
        entry_id=entry_id,
        channel=channel,
        allowed=decision.allowed,
        shown_to_patient=decision.shown_to_patient,
        reason_code=decision.reason,
        emergency_reason=row.emergency_reason if emergency else "",
        emergency_access_id=row.emergency_access_id if emergency else None,
    )
    # Every look writes its row: the INSERT is built once per process, not per look.
    record_sql.insert(look)
    return look


def record_open(
    *,
    actor,
    person_id,
    section: str,
    channel: str,
    emergency_access: int | None = None,
    entry_id: int | None = None,
) -> RecordAccess:
    """Open a person's record for one look, or raise NotFound/NotSignedIn; logged either way.

    `person_id` comes from a URL or a body as it was given: a malformed id is logged as a
    look at id 0 and is "not found", like any other id the reader may not see. A doctor's
    emergency look names its grant (`emergency_access`), which must be the doctor's own,
    for this patient, and still running. Anonymous looks (no credentials, or a forged,
    revoked or garbage token) are the security log's, one row per id and door an hour.
    """
    patient_key = int(person_id) if valid_id(person_id) else 0
    if actor is None or not getattr(actor, "is_authenticated", False):
        decision = record_rules.record_read_decision(
            record_rules.ReaderFacts(authenticated=False),
            section,
            child_age_limit=GUARDIAN_REPRESENTS_UNDER,
        )
        if not _anonymous_look_logged_lately(patient_key, channel):
            _log(
                actor=None,
                row=None,
                person_id=patient_key,
                section=section,
                channel=channel,
                decision=decision,
                entry_id=entry_id,
            )
        raise NotSignedIn("not_authenticated", _("Войдите, чтобы открыть медицинскую карту."))
    row = _reader_facts(actor, patient_key, emergency_access) if patient_key else None
    facts = record_rules.ReaderFacts(record_exists=False)
    if row is not None:
        row.emergency_access_id = emergency_access
        facts = record_rules.ReaderFacts(
            is_self=row.user_id == actor.pk,
            is_guardian=bool(row.guardian),
            patient_age=age_on(row.birth_date, local_now().date()),
            delegated_scopes=frozenset(row.scopes or ()),
            is_clinician=bool(row.clinician),
            in_care=bool(row.in_care),
            is_clinic_registrar=row.registrar_clinic is not None,
            emergency_granted=row.emergency_reason is not None,
        )
    decision = record_rules.record_read_decision(
        facts, section, child_age_limit=GUARDIAN_REPRESENTS_UNDER
    )
    look = _log(
        actor=actor,
        row=row,
        person_id=patient_key,
        section=section,
        channel=channel,
        decision=decision,
        entry_id=entry_id,
    )
    if not decision.allowed:
        raise record_not_found()
    return RecordAccess(
        actor=actor,
        patient=row,
        role=decision.role,
        section=section,
        channel=channel,
        look=look,
    )


def record_also(access: RecordAccess, sections) -> None:
    """Log the other sections one look reads besides its own (a FHIR type that spans
    several), so that the patient's log names everything that was read."""
    look = access.look
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            actor_id=look.actor_id,
            actor_name=look.actor_name,
            reader_label=look.reader_label,
            role=look.role,
            patient_id=look.patient_id,
            section=section,
            channel=look.channel,
            allowed=True,
            shown_to_patient=look.shown_to_patient,
            reason_code=look.reason_code,
            emergency_reason=look.emergency_reason,
            emergency_access_id=look.emergency_access_id,
        )
        for section in dict.fromkeys(sections)
        if section != access.section
    )


def patient_looks(access: RecordAccess) -> QuerySet[AccessLogEntry]:
    """The looks at the patient's record the patient's log shows, newest first."""
    if access.section != record_rules.ACCESS_LOG:
        # The log is its own section: a look opened for anything else does not cover it.
        raise record_not_found()
    return AccessLogEntry.objects.filter(
        patient_id=access.patient.pk, shown_to_patient=True
    ).order_by("-at", "-id")


def look_reader(look: AccessLogEntry, viewer) -> str:
    """Who looked, as the patient's log names them: "вы", verified data, or the role."""
    if look.actor_id is not None and look.actor_id == getattr(viewer, "pk", None):
        return _("вы")
    return look.reader_label or look.get_role_display()


def look_reason(look: AccessLogEntry) -> str:
    """Why, in the reader's language; a look logged before codes keeps its words."""
    if not look.reason_code:
        return look.legacy_reason
    return record_rules.read_reason_text(
        look.reason_code,
        child_age_limit=GUARDIAN_REPRESENTS_UNDER,
        emergency_reason=look.emergency_reason,
    )
