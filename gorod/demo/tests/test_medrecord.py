"""The demo's medical records: every section for the family, the child's calendar, a trend
worth charting, an amendment, and the same history for the same seed."""

import random
from datetime import datetime

import pytest

from gorod.accounts.models import Guardianship, Person
from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.models import Appointment
from gorod.appointments.tests.fixtures import MOSCOW
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.demo import health as health_demo_module
from gorod.demo.medrecord_family import record_history
from gorod.medrecord.models.record import (
    AccessLogEntry,
    DiaryReading,
    Entry,
    Immunization,
    Observation,
    Section,
)

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=MOSCOW)
PATIENTS = 20


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo built once for the tests that only read it (a build costs seconds)."""
    with rolled_back_after_module(django_db_blocker):
        citizen = PersonFactory(
            user__email="demo@gorod.local", last_name="Демонстрационная", first_name="Анна"
        ).user
        yield (
            citizen,
            health_demo_module.health_demo(
                citizen=citizen, seed=7, patients=PATIENTS, registry=None, now=NOW
            ),
        )


@pytest.fixture
def citizen(db, demo_city):
    return demo_city[0]


@pytest.fixture
def made(db, demo_city):
    return demo_city[1]


def family(citizen) -> dict[str, Person]:
    me = citizen.person
    wards = [g.child for g in Guardianship.objects.filter(guardian=me).select_related("child")]
    child = min(wards, key=lambda ward: NOW.date() - ward.birth_date)
    teen = max(wards, key=lambda ward: NOW.date() - ward.birth_date)
    mother = Person.objects.get(first_name="Галина", middle_name="Петровна", user=None)
    return {"citizen": me, "child": child, "teen": teen, "mother": mother}


def sections(person: Person) -> set[str]:
    return set(Entry.objects.filter(patient=person).values_list("section", flat=True))


def test_the_family_records_hold_every_section(citizen, made):
    people = family(citizen)
    own = sections(people["citizen"])
    assert own >= {
        Section.ENCOUNTERS,
        Section.CONDITIONS,
        Section.LABS,
        Section.STUDIES,
        Section.PRESCRIPTIONS,
        Section.SICK_LEAVES,
        Section.IMMUNIZATIONS,
        Section.CERTIFICATES,
    }
    assert sections(people["mother"]) >= {
        Section.ENCOUNTERS,
        Section.DISCHARGES,
        Section.PRESCRIPTIONS,
        Section.LABS,
        Section.STUDIES,
        Section.CONDITIONS,
    }
    assert sections(people["child"]) >= {
        Section.ENCOUNTERS,
        Section.IMMUNIZATIONS,
        Section.LABS,
        Section.CERTIFICATES,
    }
    assert Section.ENCOUNTERS in sections(people["teen"])
    # Everything but the certificate ordered today is signed.
    drafts = Entry.objects.filter(finalised_at__isnull=True)
    assert list(drafts.values_list("section", "status")) == [("certificates", "ordered")]
    ready = Entry.objects.get(patient=people["child"], section=Section.CERTIFICATES)
    assert ready.status == "ready"
    assert ready.certificate.pdf
    # Hypertension, with e-prescriptions of both drugs.
    assert Entry.objects.filter(
        patient=people["citizen"], section=Section.CONDITIONS, condition__icd10="I10"
    ).exists()
    drugs = set(
        Entry.objects.filter(
            patient=people["citizen"], prescription__number__isnull=False
        ).values_list("prescription__drug", flat=True)
    )
    assert drugs == {"Амлодипин", "Лизиноприл"}
    carer = Entry.objects.filter(patient=people["citizen"], sick_leave__cared_for__gt="")
    assert carer.count() == 1
    pressure = DiaryReading.objects.filter(kind=DiaryReading.Kind.PRESSURE)
    assert pressure.filter(patient=people["citizen"]).count() >= 30
    assert pressure.filter(patient=people["mother"]).count() >= 30
    # The fulfilled visit of the booking demo has its protocol.
    visit = Appointment.objects.get(person=people["citizen"], status=Appointment.Status.FULFILLED)
    assert visit.record_entries.get().encounter.examination
    # The demo looks at nothing: the log holds only real looks.
    assert not AccessLogEntry.objects.exists()


# One demo for the pages' sake: the calendar, a trend and an amendment (each demo costs
# seconds, so these share one).
def test_the_calendar_a_trend_and_an_amendment(citizen, made):
    people = family(citizen)
    child = people["child"]
    given = set(
        Immunization.objects.filter(entry__patient=child).values_list(
            "target_disease", "dose_number"
        )
    )
    for expected in [
        ("гепатит B", 1),
        ("гепатит B", 2),
        ("гепатит B", 3),
        ("туберкулёз", 1),
        ("пневмококковая инфекция", 3),
        ("корь, краснуха, эпидемический паротит", 1),
        ("корь, краснуха, эпидемический паротит", 2),
    ]:
        assert expected in given
    six_in_one = [dose for target, dose in given if "коклюш" in target]
    assert sorted(six_in_one) == [1, 2, 3, 4]
    assert Immunization.objects.filter(entry__patient=child, target_disease="грипп").count() >= 8
    assert not Immunization.objects.filter(entry__patient=child, lot_number="").exists()

    # The citizen's cholesterol creeps up and out of its range.
    me = people["citizen"]
    cholesterol = list(
        Observation.objects.filter(entry__patient=me, code="2093-3")
        .order_by("entry__occurred_at")
        .values_list("value", "flag")
    )
    assert len(cholesterol) >= 5
    assert cholesterol[0][1] == "N"
    assert cholesterol[-1][1] == "H"
    assert [value for value, _flag in cholesterol] == sorted(v for v, _f in cholesterol)
    assert Entry.objects.filter(patient=me, section=Section.LABS, flagged=True).exists()

    # One visit is corrected; the original keeps every word and is superseded.
    amendment = Entry.objects.select_related("amends").get(amends__isnull=False)
    original = amendment.amends
    assert amendment.patient == me
    assert amendment.amendment_reason
    assert original.superseded_at == amendment.finalised_at
    assert amendment.superseded_at is None
    assert original.diagnoses.get().icd10_id == "J02.9"
    assert amendment.diagnoses.get().icd10_id == "J03.9"
    assert original.encounter.complaints == amendment.encounter.complaints


def test_the_history_is_the_same_for_the_same_seed(clinic):
    def shape(patient):
        entries = record_history(patient, years=3, entries=60, rng=random.Random(5), now=NOW)
        return [
            (entry.section, entry.occurred_at, entry.title, entry.summary, entry.flagged)
            for entry in entries
        ]

    first, second = PersonFactory(), PersonFactory()
    second.birth_date = first.birth_date
    assert shape(first) == shape(second)
    assert Entry.objects.filter(patient=first, finalised_at__isnull=True).count() == 0
    assert len(sections(first)) >= 6
