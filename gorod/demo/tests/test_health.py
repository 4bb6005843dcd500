"""The demo city's clinics: what the citizen's, the registrar's and the doctor's pages need,
made through the booking services (so every rule holds), the same for the same seed."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import transaction

from gorod.accounts.models import Guardianship, User
from gorod.accounts.tests.factories import PersonFactory
from gorod.appointments.models import HOLDS_SLOT, Appointment, Schedule, Slot
from gorod.appointments.selectors import booking as selectors
from gorod.appointments.tests.fixtures import MOSCOW
from gorod.clinics import selectors as clinic_selectors
from gorod.clinics.models import Attachment, Organisation, Practitioner, PractitionerRole, Specialty
from gorod.core.errors import DomainError
from gorod.core.tests.module_data import rolled_back_after_module
from gorod.demo import clinics as clinics_demo
from gorod.demo import health as health_demo_module

# A Wednesday after the day's slots opened: today has visits behind and ahead.
NOW = datetime(2026, 11, 25, 12, 30, tzinfo=MOSCOW)
PATIENTS = 40


def new_citizen() -> User:
    return PersonFactory(
        user__email="demo@gorod.local", last_name="Демонстрационная", first_name="Анна"
    ).user


@pytest.fixture(params=["invented", "registry"], scope="module")
def registry(request) -> Path | None:
    if request.param == "invented":
        return None
    if not clinics_demo.REGISTRY_FILE.exists():
        pytest.skip(
            f"{clinics_demo.REGISTRY_FILE} is not there (third-party data, not in the project)"
        )
    return clinics_demo.REGISTRY_FILE


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, registry):
    """The clinics built once per registry for the tests that only read them (a build costs
    seconds). It stays until the module ends: the tests that build their own come first."""
    with rolled_back_after_module(django_db_blocker):
        citizen = new_citizen()
        yield (
            citizen,
            health_demo_module.health_demo(
                citizen=citizen, seed=7, patients=PATIENTS, registry=registry, now=NOW
            ),
        )


@pytest.fixture
def citizen(request, db) -> User:
    """The demo city's citizen for a test that reads the city; else a new one."""
    if "made" in request.fixturenames:
        return request.getfixturevalue("demo_city")[0]
    return new_citizen()


@pytest.fixture
def made(db, demo_city):
    return demo_city[1]


# The tests that build a demo of their own run first, before the module's city exists.
def snapshot() -> list[tuple]:
    return list(
        Appointment.objects.order_by("start", "person__first_name", "specialty__code").values_list(
            "person__first_name",
            "person__birth_date",
            "specialty__code",
            "organisation__registry_code",
            "start",
            "status",
            "channel",
        )
    ) + list(
        Practitioner.objects.order_by(
            "roles__organisation__registry_code", "roles__room"
        ).values_list("last_name", "first_name", "roles__organisation__registry_code")
    )


def test_the_same_seed_gives_the_same_city(citizen):
    made = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            health_demo_module.health_demo(
                citizen=citizen, seed=seed, patients=20, registry=None, now=NOW
            )
            made.append(snapshot())
            transaction.set_rollback(True)

    assert made[0] == made[1]
    assert made[0] != made[2]


def own_appointments(person, **filters):
    return Appointment.objects.filter(person=person, **filters).select_related("specialty")


def test_the_demo_citizen_has_a_clinic_a_child_a_referral_and_free_slots(citizen, made):
    me = citizen.person
    attachment = clinic_selectors.current_attachment(me.pk)
    assert attachment.organisation.kind == Organisation.Kind.ADULT_POLYCLINIC
    clinic = attachment.organisation
    staffed = set(
        PractitionerRole.objects.filter(organisation=clinic).values_list(
            "specialty__code", flat=True
        )
    )
    assert staffed == {code for code, _count in clinics_demo.ADULT_STAFF}
    assert clinic.locations.count() >= 2 or not made.imported

    # Every specialty has free slots on the portal within the horizon.
    for code in ("therapist", "cardiologist", "ophthalmologist"):
        slots = selectors.free_slots(
            organisation_id=clinic.pk, specialty_id=Specialty.objects.get(code=code).pk, now=NOW
        )
        assert slots.count() > 10, code
    last = max(Slot.objects.filter(organisation=clinic).values_list("start", flat=True))
    assert (last.astimezone(MOSCOW).date() - NOW.date()).days >= 13
    assert Schedule.objects.filter(online_percent=clinics_demo.REGISTRY_QUOTA).exists()
    assert Slot.objects.filter(organisation=clinic, online=False).exists()

    patients = {
        patient.person.first_name: patient for patient in clinic_selectors.patients_of(citizen)
    }
    assert set(patients) == {"Анна", "Миша", "Катя", "Галина"}
    child = patients["Миша"]
    assert child.refusal is None
    assert child.age_today < 15
    assert clinic_selectors.current_attachment(child.person.pk).organisation.kind == (
        Organisation.Kind.CHILDREN_POLYCLINIC
    )
    # The teen books alone: her parent hears why.
    assert patients["Катя"].refusal.code == "not_guardian"
    with pytest.raises(DomainError) as refused:
        clinic_selectors.bookable_patient_for(citizen, patients["Катя"].person.pk)
    assert refused.value.code == "not_guardian"
    assert patients["Галина"].representation.delegated_scopes

    # A cardiologist's referral to book with; the neurologist's is used.
    referrals = {
        referral.specialty.code: referral for referral in selectors.referrals_of(patients["Анна"])
    }
    assert not selectors.referral_in_use(referrals["cardiologist"].pk)
    assert selectors.referral_in_use(referrals["neurologist"].pk)


def test_the_family_has_coming_and_past_visits(citizen, made):
    me = citizen.person
    coming = own_appointments(me, status=Appointment.Status.BOOKED, start__gt=NOW)
    assert {appointment.specialty.code for appointment in coming} == {"therapist", "neurologist"}
    assert coming.get(specialty__code="neurologist").referral is not None
    assert {appointment.channel for appointment in coming} == {"web"}
    assert all(appointment.booked_by == citizen for appointment in coming)
    past = own_appointments(me, start__lt=NOW)
    assert {(appointment.specialty.code, appointment.status) for appointment in past} == {
        ("therapist", Appointment.Status.FULFILLED),
        ("ophthalmologist", Appointment.Status.NOSHOW),
    }
    wards = Guardianship.objects.filter(guardian=me).values_list("child", flat=True)
    (for_child,) = Appointment.objects.filter(person__in=wards).select_related("specialty")
    assert for_child.specialty.code == "pediatrician"
    assert for_child.booked_by == citizen
    mother = next(
        patient.person
        for patient in clinic_selectors.patients_of(citizen)
        if patient.representation.delegated_scopes
    )
    assert own_appointments(mother, status=Appointment.Status.BOOKED).count() == 1


def test_the_registrar_and_the_doctor_have_their_desk_and_day(citizen, made):
    logins = {login: password for login, password, _hint in made.credentials}
    assert set(logins) == {
        clinics_demo.DEMO_REGISTRAR,
        clinics_demo.DEMO_DOCTOR,
        clinics_demo.DEMO_SUPERVISOR,
    }
    registrar = User.objects.get(email=clinics_demo.DEMO_REGISTRAR)
    doctor = User.objects.get(email=clinics_demo.DEMO_DOCTOR)
    assert registrar.check_password(logins[clinics_demo.DEMO_REGISTRAR])
    assert doctor.check_password(logins[clinics_demo.DEMO_DOCTOR])
    clinic = clinic_selectors.current_attachment(citizen.person.pk).organisation
    assert clinic_selectors.registrar_organisation_ids(registrar) == [clinic.pk]
    assert doctor.groups.filter(name="doctor").exists()
    supervisor = User.objects.get(email=clinics_demo.DEMO_SUPERVISOR)
    assert supervisor.check_password(logins[clinics_demo.DEMO_SUPERVISOR])
    assert supervisor.has_perm("medrecord.review_emergencyaccess")
    assert list(supervisor.supervisor_posts.values_list("organisation", flat=True)) == [clinic.pk]
    assert registrar.is_staff
    assert doctor.is_staff

    role = PractitionerRole.objects.get(practitioner__user=doctor)
    assert (role.organisation, role.specialty.code) == (clinic, "therapist")
    day = Appointment.objects.filter(slot__role=role)
    today = [
        appointment
        for appointment in day
        if appointment.start.astimezone(MOSCOW).date() == NOW.date()
    ]
    assert {appointment.status for appointment in today if appointment.start < NOW} <= {
        Appointment.Status.FULFILLED,
        Appointment.Status.NOSHOW,
    }
    later = {appointment.status for appointment in today if appointment.start > NOW}
    assert later == {Appointment.Status.BOOKED}
    assert len(today) >= 10
    earlier = day.filter(start__lt=NOW - timedelta(days=1))
    assert earlier.filter(status=Appointment.Status.FULFILLED).count() >= 10
    assert earlier.filter(status=Appointment.Status.NOSHOW).exists()
    # The desk booked the coming days for invented patients.
    assert Appointment.objects.filter(
        organisation=clinic, channel="registry", status=Appointment.Status.BOOKED, start__gt=NOW
    ).exists()


def test_every_booking_obeys_the_rules(made):
    appointments = Appointment.objects.select_related("slot", "person")
    assert appointments.count() == made.appointments
    attached = dict(
        Attachment.objects.filter(until__isnull=True).values_list("person", "organisation")
    )
    booked_per_specialty = set()
    for appointment in appointments:
        slot = appointment.slot
        assert (appointment.start, appointment.end) == (slot.start, slot.end)
        assert (
            appointment.organisation_id == slot.organisation_id == attached[appointment.person_id]
        )
        assert appointment.status in HOLDS_SLOT
        assert slot.status == Slot.Status.BUSY
        if appointment.status == Appointment.Status.BOOKED:
            key = (appointment.person_id, appointment.specialty_id)
            assert key not in booked_per_specialty
            booked_per_specialty.add(key)
            assert appointment.start >= NOW
    assert made.patients == PATIENTS
    invented = Attachment.objects.filter(person__user__isnull=True).exclude(
        person__guardians__guardian__user__isnull=False
    )
    assert invented.count() >= PATIENTS
    # Only the family's and a few more clinics have doctors.
    assert made.staffed == Organisation.objects.filter(roles__isnull=False).distinct().count()
    assert made.staffed == 2 + 2 * clinics_demo.EXTRA_CLINICS or not made.imported
