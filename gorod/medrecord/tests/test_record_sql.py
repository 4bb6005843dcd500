"""record_sql reads what the ORM would: the same visible entries, the same field values."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict

from gorod.appointments.tests.fixtures import NOW
from gorod.medrecord.models.record import Entry
from gorod.medrecord.selectors import record as selectors
from gorod.medrecord.selectors.access import record_open
from gorod.medrecord.tests.factories import certificate_entry, encounter_entry, lab_entry


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_the_listing_is_visible_entries_as_the_orm_loads_them(clinic):
    encounter_entry(clinic.patient, role=clinic.therapist, occurred_at=NOW - timedelta(days=3))
    encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=2), finalised=False)
    lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))
    certificate_entry(clinic.patient)
    access = record_open(
        actor=clinic.patient.user, person_id=clinic.patient.pk, section="timeline", channel="web"
    )

    page = selectors.timeline(access, filters=selectors.RecordFilters())

    expected = list(
        Entry.objects.filter(
            selectors.VISIBLE, patient=clinic.patient, section__in=selectors.LISTED_SECTIONS
        )
        .select_related("organisation", "specialty", "practitioner")
        .order_by("-occurred_at", "-pk")
    )
    assert [model_to_dict(entry) for entry in page.entries] == [
        model_to_dict(entry) for entry in expected
    ]
    for read, orm in zip(page.entries, expected, strict=True):
        assert read.occurred_at == orm.occurred_at
        assert read.finalised_at == orm.finalised_at
        for relation in ("organisation", "specialty", "practitioner"):
            assert str(getattr(read, relation)) == str(getattr(orm, relation))
