"""The record pages' reads: what the patient side sees, filters, paging, one entry, an analyte."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gorod.accounts.models import Delegation, Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.appointments.tests.fixtures import NOW
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import RoleFactory, specialty
from gorod.core.errors import NotFound
from gorod.medrecord.models.record import Entry, Section
from gorod.medrecord.selectors import record as selectors
from gorod.medrecord.selectors.access import record_open
from gorod.medrecord.tests.factories import (
    certificate_entry,
    encounter_entry,
    finalise,
    lab_entry,
    prescription_entry,
)

ALL = selectors.RecordFilters()


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def look(person, section="timeline", actor=None):
    return record_open(
        actor=actor or person.user, person_id=person.pk, section=section, channel="web"
    )


def amend(original: Entry, *, reason="Уточнён диагноз") -> Entry:
    """A signed amendment of `original`, which it supersedes (as the services do)."""
    newer = encounter_entry(
        original.patient,
        occurred_at=original.occurred_at,
        diagnoses=(("J20.9", "main", ""),),
        finalised=False,
    )
    Entry.objects.filter(pk=newer.pk).update(amends=original, amendment_reason=reason)
    finalise(newer, at=timezone.now())
    Entry.objects.filter(pk=original.pk).update(superseded_at=timezone.now())
    return Entry.objects.get(pk=newer.pk)


def test_timeline_lists_signed_current_entries_and_ordered_certificates(clinic):
    signed = encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=3))
    encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=2), finalised=False)
    ordered = certificate_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))
    someone_elses = encounter_entry(PersonFactory(), occurred_at=NOW)

    page = selectors.timeline(look(clinic.patient), filters=ALL)

    assert [entry.pk for entry in page.entries] == [ordered.pk, signed.pk]
    assert someone_elses.pk not in [entry.pk for entry in page.entries]
    assert page.next_cursor is None


def test_a_superseded_version_is_replaced_by_its_amendment(clinic):
    original = encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=3))
    newer = amend(original)
    access = look(clinic.patient)

    assert [entry.pk for entry in selectors.timeline(access, filters=ALL).entries] == [newer.pk]
    with pytest.raises(NotFound):
        selectors.entry_detail(access, Section.ENCOUNTERS, original.pk)
    # Reached from the amendment, the previous version opens; from anything else it does not.
    previous = selectors.entry_detail(access, Section.ENCOUNTERS, original.pk, newer_id=newer.pk)
    assert previous.pk == original.pk
    assert previous.amendment.pk == newer.pk
    with pytest.raises(NotFound):
        selectors.entry_detail(access, Section.ENCOUNTERS, original.pk, newer_id=original.pk)


def test_entry_detail_refuses_drafts_other_sections_and_other_people(clinic):
    draft = encounter_entry(clinic.patient, finalised=False)
    mine = encounter_entry(clinic.patient)
    theirs = encounter_entry(PersonFactory())
    access = look(clinic.patient)

    for section, entry_id in (
        (Section.ENCOUNTERS, draft.pk),
        (Section.LABS, mine.pk),
        (Section.ENCOUNTERS, theirs.pk),
    ):
        with pytest.raises(NotFound):
            selectors.entry_detail(access, section, entry_id)

    entry = selectors.entry_detail(access, Section.ENCOUNTERS, mine.pk)
    assert entry.encounter.complaints.startswith("Насморк")
    assert [(d.icd10.code, d.kind) for d in entry.diagnoses.all()] == [("J06.9", "main")]


def test_entry_detail_loads_everything_in_two_queries(clinic, django_assert_num_queries):
    entry = lab_entry(clinic.patient)
    access = look(clinic.patient)
    with django_assert_num_queries(2):
        loaded = selectors.entry_detail(access, Section.LABS, entry.pk)
        assert loaded.lab_report.laboratory
        assert [o.code for o in loaded.observations.all()] == ["718-7", "6690-2", "777-3"]


def test_filters_by_period_specialty_clinic_and_section(clinic):
    cardiologist = RoleFactory(specialty=specialty("cardiologist"))
    old = encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=40))
    recent = encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=2), role=cardiologist)
    lab = lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1))
    access = look(clinic.patient)

    def shown(filters=ALL, section=None):
        page = selectors.timeline(access, filters=filters, section=section)
        return {entry.pk for entry in page.entries}

    today = NOW.date()
    assert shown(selectors.RecordFilters(since=today - timedelta(days=10))) == {recent.pk, lab.pk}
    assert shown(selectors.RecordFilters(until=today - timedelta(days=40))) == {old.pk}
    assert shown(selectors.RecordFilters(specialty_id=cardiologist.specialty_id)) == {recent.pk}
    assert shown(selectors.RecordFilters(organisation_id=cardiologist.organisation.pk)) == {
        recent.pk
    }
    assert shown(section=Section.LABS) == {lab.pk}

    specialties, organisations = selectors.filter_choices(access)
    assert cardiologist.specialty in specialties
    assert cardiologist.organisation in organisations


def test_the_until_date_includes_its_whole_moscow_day(clinic):
    late = encounter_entry(clinic.patient, occurred_at=NOW.replace(hour=23, minute=30))
    access = look(clinic.patient)
    page = selectors.timeline(access, filters=selectors.RecordFilters(until=NOW.date()))
    assert [entry.pk for entry in page.entries] == [late.pk]


def test_cursor_pages_are_stable_when_entries_share_a_moment(clinic, settings):
    settings.GOROD_HEALTH_TIMELINE_PAGE = 3
    same_moment = NOW - timedelta(days=1)
    entries = [prescription_entry(clinic.patient, occurred_at=same_moment) for _ in range(7)]
    access = look(clinic.patient)

    seen, cursor, pages = [], None, 0
    while True:
        page = selectors.timeline(access, filters=ALL, cursor=cursor)
        seen += [entry.pk for entry in page.entries]
        pages += 1
        if page.next_cursor is None:
            break
        # An entry arriving meanwhile at the newest end does not shift the next pages.
        prescription_entry(clinic.patient, occurred_at=NOW)
        cursor = page.next_cursor
    assert pages == 3
    assert seen == sorted((entry.pk for entry in entries), reverse=True)


def test_a_cursor_that_is_not_ours_starts_from_the_top(clinic):
    first = encounter_entry(clinic.patient)
    page = selectors.timeline(look(clinic.patient), filters=ALL, cursor="not-a-cursor!")
    assert [entry.pk for entry in page.entries] == [first.pk]


def test_a_section_the_role_does_not_cover_is_not_found(clinic):
    # The clinic's registrar reads certificates only.
    registrar = UserFactory()
    RegistrarPost.objects.create(user=registrar, organisation=clinic.organisation)
    ordered = certificate_entry(clinic.patient)
    lab = lab_entry(clinic.patient)
    access = look(clinic.patient, section=Section.CERTIFICATES, actor=registrar)

    page = selectors.timeline(access, filters=ALL, section=Section.CERTIFICATES)
    assert [entry.pk for entry in page.entries] == [ordered.pk]
    for read in (
        lambda: selectors.timeline(access, filters=ALL),
        lambda: selectors.timeline(access, filters=ALL, section=Section.LABS),
        lambda: selectors.timeline(look(clinic.patient), filters=ALL, section="diary"),
        lambda: selectors.entry_detail(access, Section.LABS, lab.pk),
        lambda: selectors.analyte_history(access, "718-7"),
        lambda: selectors.filter_choices(access),
    ):
        with pytest.raises(NotFound):
            read()


def test_analyte_history_is_oldest_first_and_only_visible_reports(clinic):
    older = lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=60))
    newer = lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=2))
    lab_entry(clinic.patient, occurred_at=NOW - timedelta(days=1), finalised=False)
    lab_entry(PersonFactory(), occurred_at=NOW - timedelta(days=1))
    access = look(clinic.patient, section=Section.LABS)

    history = selectors.analyte_history(access, "718-7")

    assert [observation.entry_id for observation in history] == [older.pk, newer.pk]
    with pytest.raises(NotFound):
        selectors.analyte_history(access, "no-such-code")


def test_record_people_are_me_my_young_children_and_record_delegations(clinic):
    teen = ChildFactory(birth_date=date(2010, 1, 1))
    Guardianship.objects.create(guardian=clinic.patient, child=teen, kind="parent")
    mother = PersonFactory()
    Delegation.objects.create(
        principal=mother, delegate=clinic.patient, scopes=["record"], confirmed_at=NOW
    )
    appointments_only = PersonFactory()
    Delegation.objects.create(
        principal=appointments_only,
        delegate=clinic.patient,
        scopes=["appointments"],
        confirmed_at=NOW,
    )

    people = selectors.record_people(clinic.patient.user)

    assert [(person.pk, role) for person, role in people] == [
        (clinic.patient.pk, "self"),
        (clinic.child.pk, "guardian"),
        (mother.pk, "delegate"),
    ]


def test_a_timeline_page_is_one_query(clinic, django_assert_num_queries):
    for days in range(3):
        encounter_entry(clinic.patient, occurred_at=NOW - timedelta(days=days + 1))
    access = look(clinic.patient)
    with django_assert_num_queries(1):
        page = selectors.timeline(access, filters=ALL)
        shown = [
            (e.organisation.name, e.practitioner.full_name, e.specialty.name) for e in page.entries
        ]
    assert len(shown) == 3
