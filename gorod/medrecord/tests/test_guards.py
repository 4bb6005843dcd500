"""The record's triggers, on whichever database the suite runs (SQLite and PostgreSQL).

A finalised entry changes only its status and, once, `superseded_at`; it and its details
are never deleted; its details take no insert or update; the access log is append-only.
A draft is the doctor's to edit freely.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gorod.accounts.tests.factories import PersonFactory
from gorod.medrecord.models.record import (
    AccessLogEntry,
    Diagnosis,
    EncounterNote,
    Entry,
    Observation,
    Prescription,
)
from gorod.medrecord.tests.factories import encounter_entry, icd10, lab_entry, prescription_entry

pytestmark = pytest.mark.django_db


def refused(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


@pytest.fixture
def final():
    return encounter_entry(PersonFactory())


def test_a_finalised_entrys_title_cannot_change(final):
    refused(lambda: Entry.objects.filter(pk=final.pk).update(title="Другое"))
    final.title = "Другое"
    refused(final.save)
    assert Entry.objects.get(pk=final.pk).title != "Другое"


def test_a_finalised_entry_cannot_be_unsigned_or_moved_to_another_patient(final):
    refused(lambda: Entry.objects.filter(pk=final.pk).update(finalised_at=None))
    other = PersonFactory()
    refused(lambda: Entry.objects.filter(pk=final.pk).update(patient=other))


def test_a_finalised_entry_cannot_be_deleted(final):
    refused(lambda: Entry.objects.filter(pk=final.pk).delete())
    refused(lambda: Diagnosis.objects.filter(entry=final).delete())
    refused(lambda: EncounterNote.objects.filter(entry=final).delete())
    assert Entry.objects.filter(pk=final.pk).exists()


def test_the_details_of_a_finalised_entry_take_no_update_or_insert(final):
    refused(lambda: EncounterNote.objects.filter(entry=final).update(complaints="Другое"))
    refused(lambda: Diagnosis.objects.filter(entry=final).update(comment="Другое"))
    refused(lambda: Diagnosis.objects.create(entry=final, icd10=icd10("I10"), kind="concomitant"))
    assert final.diagnoses.count() == 1


def test_lab_results_and_prescriptions_are_guarded_too():
    patient = PersonFactory()
    lab = lab_entry(patient)
    refused(lambda: Observation.objects.filter(entry=lab).update(value=1))
    refused(lambda: Observation.objects.create(entry=lab, code="1-1", name="Новый", value_text="+"))
    prescription = prescription_entry(patient)
    refused(lambda: Prescription.objects.filter(entry=prescription).update(dose="2 таблетки"))


def test_the_status_of_a_finalised_entry_may_move(final):
    assert Entry.objects.filter(pk=final.pk).update(status="entered-in-error") == 1
    assert Entry.objects.get(pk=final.pk).status == "entered-in-error"


def test_superseded_at_is_stamped_once_and_not_again(final):
    stamp = timezone.now()
    assert Entry.objects.filter(pk=final.pk).update(superseded_at=stamp) == 1
    refused(
        lambda: Entry.objects.filter(pk=final.pk).update(superseded_at=stamp + timedelta(days=1))
    )
    refused(lambda: Entry.objects.filter(pk=final.pk).update(superseded_at=None))
    assert Entry.objects.get(pk=final.pk).superseded_at == stamp


def test_a_draft_can_be_edited_and_deleted():
    draft = encounter_entry(PersonFactory(), finalised=False)
    Entry.objects.filter(pk=draft.pk).update(title="Приём: исправлено")
    EncounterNote.objects.filter(entry=draft).update(complaints="Кашель")
    Diagnosis.objects.create(entry=draft, icd10=icd10("R05"), kind="concomitant")
    Diagnosis.objects.filter(entry=draft).delete()
    EncounterNote.objects.filter(entry=draft).delete()
    Entry.objects.filter(pk=draft.pk).delete()
    assert not Entry.objects.filter(pk=draft.pk).exists()


def test_the_details_are_written_before_signing_in_one_transaction():
    draft = encounter_entry(PersonFactory(), finalised=False)
    with transaction.atomic():
        EncounterNote.objects.filter(entry=draft).update(complaints="Кашель")
        Entry.objects.filter(pk=draft.pk).update(finalised_at=timezone.now())
        refused(lambda: EncounterNote.objects.filter(entry=draft).update(complaints="Другое"))
    assert EncounterNote.objects.get(entry=draft).complaints == "Кашель"


def test_the_access_log_takes_no_update_and_no_delete():
    row = AccessLogEntry.objects.create(
        actor_id=1,
        actor_name="Петрова А. В.",
        role="clinician",
        patient_id=2,
        section="labs",
        channel="web",
        allowed=True,
        reason_code="in_care",
    )
    refused(lambda: AccessLogEntry.objects.filter(pk=row.pk).update(allowed=False))
    refused(lambda: AccessLogEntry.objects.filter(pk=row.pk).delete())
    row.reason_code = "own_record"
    refused(row.save)
    assert AccessLogEntry.objects.get(pk=row.pk).allowed
