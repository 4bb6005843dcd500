"""The authorisation matrix of the medical record, through the pages, the API and FHIR.

For every kind of reader and every section: the expected allow or deny, the answer each
channel gives (200; 404 that reveals nothing; sign-in for the anonymous), and the access-log
row that the look left behind — denied looks included, strangers' and anonymous ones in the
security log only (anonymous ones once an hour per record and door).
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from gorod.accounts import services as accounts
from gorod.accounts.models import Delegation, Guardianship, Person
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import AttachmentFactory, PractitionerFactory, RoleFactory
from gorod.medrecord import rules as record_rules
from gorod.medrecord.emergency import emergency_remember
from gorod.medrecord.models.oversight import EmergencyAccess
from gorod.medrecord.models.record import AccessLogEntry, Entry
from gorod.medrecord.services.emergency import emergency_open

SECTIONS = sorted(record_rules.MEDICAL_SECTIONS)
LOOKS = [record_rules.TIMELINE, *SECTIONS, record_rules.ACCESS_LOG]
# What each reader may see: True everywhere, a set of sections, or nothing.
EVERYTHING_BUT_THE_LOG = frozenset(LOOKS) - {record_rules.ACCESS_LOG}
EXPECTED: dict[str, frozenset[str]] = {
    "self": frozenset(LOOKS),
    "guardian_of_child": frozenset(LOOKS),
    "guardian_of_teen": frozenset(),
    "teen_granted_guardian": EVERYTHING_BUT_THE_LOG,
    "delegate_with_record_scope": EVERYTHING_BUT_THE_LOG,
    "delegate_without_record_scope": frozenset(),
    "clinician_in_care": EVERYTHING_BUT_THE_LOG,
    "clinician_without_relation": frozenset(),
    "emergency_override": EVERYTHING_BUT_THE_LOG,
    "operator_of_the_clinic": frozenset({"certificates"}),
    "stranger": frozenset(),
    "anonymous": frozenset(),
}
# The role each reader's look is logged under.
LOGGED_ROLE = {
    "self": "self",
    "guardian_of_child": "guardian",
    "guardian_of_teen": "guardian",
    "teen_granted_guardian": "delegate",
    "delegate_with_record_scope": "delegate",
    "delegate_without_record_scope": "delegate",
    "clinician_in_care": "clinician",
    "clinician_without_relation": "clinician",
    "emergency_override": "emergency",
    "operator_of_the_clinic": "operator",
    "stranger": "none",
    "anonymous": "anonymous",
}
# Readers whose refused looks the patient is not shown.
SECURITY_ONLY = {"stranger", "anonymous"}
EMERGENCY_REASON = "Без сознания, доставлен скорой, нужна история болезни"
# The FHIR types whose patient search reads exactly one section.
FHIR_TYPES = {
    "encounters": "Encounter",
    "conditions": "Condition",
    "prescriptions": "MedicationRequest",
    "immunizations": "Immunization",
}


@dataclass
class World:
    adult: Person
    child: Person
    teen: Person
    teen_with_grant: Person
    readers: dict[str, object]


def _patient_of(kind: str, world: World) -> Person:
    if kind == "guardian_of_child":
        return world.child
    if kind == "guardian_of_teen":
        return world.teen
    if kind == "teen_granted_guardian":
        return world.teen_with_grant
    return world.adult


def _delegation(principal: Person, delegate: Person, scopes: list[str]) -> None:
    Delegation.objects.create(
        principal=principal, delegate=delegate, scopes=scopes, confirmed_at=timezone.now()
    )


@pytest.fixture
def world(db) -> World:
    today = timezone.localdate()
    adult = PersonFactory(oms_policy="7700000000000001")
    parent = PersonFactory()
    child = PersonFactory(user=None, birth_date=today - timedelta(days=8 * 365))
    # 15 and 16 years and some days, whatever leap days lie between.
    teen = PersonFactory(user=None, birth_date=today - timedelta(days=15 * 365 + 10))
    teen_with_grant = PersonFactory(birth_date=today - timedelta(days=16 * 365 + 10))
    for ward in (child, teen, teen_with_grant):
        Guardianship.objects.create(guardian=parent, child=ward, kind=Guardianship.Kind.PARENT)
    _delegation(teen_with_grant, parent, [record_rules.RECORD_SCOPE])
    delegate = PersonFactory()
    _delegation(adult, delegate, [record_rules.RECORD_SCOPE, "appointments"])
    appointments_only = PersonFactory()
    _delegation(adult, appointments_only, ["appointments"])

    attachment = AttachmentFactory(person=adult)
    doctor = PractitionerFactory(user=UserFactory())
    signed_at = timezone.now()
    Entry.objects.create(
        patient=adult,
        section="encounters",
        occurred_at=timezone.now() - timedelta(days=10),
        title="Приём терапевта",
        organisation=attachment.organisation,
        practitioner=doctor,
        source=Entry.Source.CLINICIAN,
        created_by=doctor.user,
        created_at=signed_at,
        finalised_at=signed_at,
        finalised_by=doctor.user,
        status="finished",
    )
    other_doctor = PractitionerFactory(user=UserFactory())
    emergency_doctor = RoleFactory(
        practitioner=PractitionerFactory(user=UserFactory())
    ).practitioner
    registrar = UserFactory()
    RegistrarPost.objects.create(user=registrar, organisation=attachment.organisation)
    readers = {
        "self": adult.user,
        "guardian_of_child": parent.user,
        "guardian_of_teen": parent.user,
        "teen_granted_guardian": parent.user,
        "delegate_with_record_scope": delegate.user,
        "delegate_without_record_scope": appointments_only.user,
        "clinician_in_care": doctor.user,
        "clinician_without_relation": other_doctor.user,
        "emergency_override": emergency_doctor.user,
        "operator_of_the_clinic": registrar,
        "stranger": PersonFactory().user,
        "anonymous": None,
    }
    return World(adult, child, teen, teen_with_grant, readers)


def _web_path(person_id: int, look: str) -> str:
    if look == record_rules.TIMELINE:
        return f"/health/record/{person_id}/"
    if look == record_rules.ACCESS_LOG:
        return f"/health/record/{person_id}/access-log/"
    return f"/health/record/{person_id}/{look}/"


def _api_path(person_id: int, look: str) -> str:
    return f"/api/v1/health/record/{person_id}/{look.replace('_log', '-log')}"


def _emergency_grant(kind: str, world: World, patient: Person) -> EmergencyAccess | None:
    """The emergency doctor's grant for the patient, opened as the staff page opens it."""
    if kind != "emergency_override":
        return None
    return emergency_open(
        actor=world.readers[kind],
        oms_policy=patient.oms_policy,
        birth_date=patient.birth_date,
        reason=EMERGENCY_REASON,
        channel="api",
    )


def _sign_in(client, kind: str, world: World, patient: Person):
    user = world.readers[kind]
    if user is not None:
        client.force_login(user)
    if grant := _emergency_grant(kind, world, patient):
        session = client.session
        emergency_remember(_SessionHolder(session), grant)
        session.save()
    return user


def _token_headers(kind: str, world: World, patient: Person, **headers) -> dict:
    user = world.readers[kind]
    if user is not None:
        _token, plaintext = accounts.api_token_create(actor=user, name="matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    if grant := _emergency_grant(kind, world, patient):
        headers["HTTP_X_EMERGENCY_ACCESS"] = str(grant.pk)
    return headers


class _SessionHolder:
    """What emergency_remember needs of a request: its session."""

    def __init__(self, session):
        self.session = session


def _last_look(patient: Person) -> AccessLogEntry:
    return AccessLogEntry.objects.filter(patient_id=patient.pk).order_by("-id").first()


def _assert_logged(kind, user, patient, look, channel, allowed, row=None, first=True):
    """The look's log row (the patient's last one unless given) says who, what and how.

    An anonymous look leaves one row an hour per record and door: only the first here."""
    if kind == "anonymous" and not first:
        assert AccessLogEntry.objects.filter(patient_id=patient.pk, channel=channel).count() == 1
        return
    row = row or _last_look(patient)
    assert row is not None, (kind, look, channel)
    assert (row.actor_id, row.section, row.channel, row.allowed, row.role) == (
        user.pk if user is not None else None,
        look,
        channel,
        allowed,
        LOGGED_ROLE[kind],
    ), (kind, look, channel)
    assert row.shown_to_patient is (kind not in SECURITY_ONLY), (kind, look, channel)
    if kind == "emergency_override" and allowed:
        assert (row.reason_code, row.emergency_reason) == ("emergency", EMERGENCY_REASON)
        assert row.emergency_access_id is not None


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_pages(client, world, kind):
    patient = _patient_of(kind, world)
    user = _sign_in(client, kind, world, patient)
    for number, look in enumerate(LOOKS):
        allowed = look in EXPECTED[kind]
        response = client.get(_web_path(patient.pk, look))
        if kind == "anonymous":
            assert response.status_code == 302, look
            assert response["Location"].startswith("/accounts/login/"), look
        else:
            assert response.status_code == (200 if allowed else 404), (kind, look)
        _assert_logged(kind, user, patient, look, "web", allowed, first=number == 0)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_api(client, world, kind):
    patient = _patient_of(kind, world)
    user = world.readers[kind]
    headers = _token_headers(kind, world, patient)
    for number, look in enumerate(LOOKS):
        allowed = look in EXPECTED[kind]
        response = client.get(_api_path(patient.pk, look), **headers)
        expected = 401 if kind == "anonymous" else (200 if allowed else 404)
        assert response.status_code == expected, (kind, look, response.content[:200])
        if not allowed:
            assert response["Content-Type"] == "application/problem+json"
        _assert_logged(kind, user, patient, look, "api", allowed, first=number == 0)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_fhir(client, world, kind):
    patient = _patient_of(kind, world)
    user = world.readers[kind]
    headers = _token_headers(kind, world, patient, HTTP_ACCEPT="application/fhir+json")
    searches = [
        (section, f"/fhir/r4/{resource}?patient={patient.pk}")
        for section, resource in FHIR_TYPES.items()
    ]
    searches.append((record_rules.EVERYTHING, f"/fhir/r4/Patient/{patient.pk}/$everything"))
    for number, (look, path) in enumerate(searches):
        # Whoever may read the whole timeline may take the whole record.
        seen = record_rules.TIMELINE if look == record_rules.EVERYTHING else look
        allowed = seen in EXPECTED[kind]
        before = AccessLogEntry.objects.count()
        response = client.get(path, **headers)
        expected = 401 if kind == "anonymous" else (200 if allowed else 404)
        assert response.status_code == expected, (kind, path, response.content[:200])
        if response.status_code != 200:
            assert response.json()["resourceType"] == "OperationOutcome"
        # A type that spans sections logs each section it read, its own first.
        looks = AccessLogEntry.objects.order_by("id")[before:]
        first = number == 0
        row = looks[0] if looks else None
        _assert_logged(kind, user, patient, look, "fhir", allowed, row=row, first=first)
        assert {row.allowed for row in looks} <= {allowed}


def test_another_persons_entry_id_is_not_found_and_logged(client, world):
    entry = Entry.objects.filter(patient=world.adult).get()
    stranger = world.readers["stranger"]
    client.force_login(stranger)
    mine = PersonFactory(user=None, birth_date=timezone.localdate() - timedelta(days=5 * 365))
    Guardianship.objects.create(guardian=stranger.person, child=mine, kind=Guardianship.Kind.PARENT)
    # Another person's entry under a record the reader may see is as absent as a bad id.
    for person_id in (world.adult.pk, mine.pk):
        response = client.get(f"/health/record/{person_id}/encounters/{entry.pk}/")
        assert response.status_code == 404
    assert _last_look(world.adult).allowed is False
    assert AccessLogEntry.objects.filter(patient_id=mine.pk, allowed=True).exists()


def test_a_denied_look_at_an_id_that_does_not_exist_is_logged(client, world):
    client.force_login(world.readers["self"])
    missing = Person.objects.order_by("-pk").first().pk + 1000
    assert client.get(f"/health/record/{missing}/").status_code == 404
    row = AccessLogEntry.objects.get(patient_id=missing)
    assert (row.allowed, row.role) == (False, "none")


def test_a_teen_turning_fifteen_closes_the_parents_view(client, world):
    """The same parent, the same child: allowed the day before the birthday, not on it."""
    parent = world.readers["guardian_of_child"]
    today = timezone.localdate()
    world.child.birth_date = date(today.year - 15, today.month, today.day)
    world.child.save(update_fields=["birth_date"])
    client.force_login(parent)
    assert client.get(f"/health/record/{world.child.pk}/").status_code == 404
    world.child.birth_date += timedelta(days=1)
    world.child.save(update_fields=["birth_date"])
    assert client.get(f"/health/record/{world.child.pk}/").status_code == 200


def test_a_revoked_delegation_stops_the_next_look(client, world):
    delegate = world.readers["delegate_with_record_scope"]
    client.force_login(delegate)
    assert client.get(f"/health/record/{world.adult.pk}/").status_code == 200
    delegation = Delegation.objects.get(delegate__user=delegate)
    accounts.delegation_revoke(actor=world.adult.user, delegation_id=delegation.pk)
    assert client.get(f"/health/record/{world.adult.pk}/").status_code == 404


def test_the_pages_take_an_emergency_grant_only_from_the_staff_page(client, world):
    """A header on a browser's request does not skip the staff page's lookup and audit."""
    grant = _emergency_grant("emergency_override", world, world.adult)
    client.force_login(world.readers["emergency_override"])
    response = client.get(
        f"/health/record/{world.adult.pk}/",
        HTTP_X_EMERGENCY_REASON=EMERGENCY_REASON,
        HTTP_X_EMERGENCY_ACCESS=str(grant.pk),
    )
    assert response.status_code == 404


def test_a_written_reason_alone_opens_nothing_over_the_api_or_fhir(client, world):
    """The bypass of issue 13: a doctor's token plus an X-Emergency-Reason header opened
    any record. Now only a grant from the emergency opening does."""
    _token, plaintext = accounts.api_token_create(
        actor=world.readers["emergency_override"], name="matrix"
    )
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {plaintext}",
        "HTTP_X_EMERGENCY_REASON": EMERGENCY_REASON,
        "HTTP_ACCEPT": "application/fhir+json",
    }
    adult = world.adult.pk
    assert client.get(f"/api/v1/health/record/{adult}/timeline", **headers).status_code == 404
    assert client.get(f"/fhir/r4/Patient/{adult}/$everything", **headers).status_code == 404
    assert client.get(f"/fhir/r4/Encounter?patient={adult}", **headers).status_code == 404
    assert not AccessLogEntry.objects.filter(patient_id=adult, allowed=True).exists()


def test_a_doctor_who_left_the_clinic_reads_no_more(client, world):
    doctor = world.readers["clinician_in_care"]
    client.force_login(doctor)
    assert client.get(f"/health/record/{world.adult.pk}/").status_code == 200
    doctor.practitioner.active = False
    doctor.practitioner.save(update_fields=["active"])
    assert client.get(f"/health/record/{world.adult.pk}/").status_code == 404


def test_a_doctors_unsigned_draft_opens_no_record(client, world):
    """Opening a protocol draft for any patient must not make the doctor their doctor."""
    stranger_doctor = world.readers["clinician_without_relation"]
    Entry.objects.create(
        patient=world.adult,
        section="encounters",
        occurred_at=timezone.now(),
        title="Приём",
        practitioner=stranger_doctor.practitioner,
        source=Entry.Source.CLINICIAN,
        created_by=stranger_doctor,
    )
    client.force_login(stranger_doctor)
    assert client.get(f"/health/record/{world.adult.pk}/").status_code == 404


def test_a_fhir_type_spanning_sections_logs_each_it_read(client, world):
    _token, plaintext = accounts.api_token_create(actor=world.adult.user, name="matrix")
    before = AccessLogEntry.objects.count()
    response = client.get(
        f"/fhir/r4/Observation?patient={world.adult.pk}",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
        HTTP_ACCEPT="application/fhir+json",
    )
    assert response.status_code == 200
    looks = AccessLogEntry.objects.order_by("id")[before:]
    # Lab results, and the diary's readings served as vital signs.
    assert [row.section for row in looks] == ["labs", "diary"]
