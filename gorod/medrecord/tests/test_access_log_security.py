"""The patient's «Кто смотрел карту» cannot be flooded or spoofed, at any door.

Strangers' and anonymous looks go to the staff's security log, not the patient's; anonymous
ones once an hour per record and door, however many come. What the patient reads of a reader
is verified data (a doctor's registry name and clinic), never a self-typed profile name. The
reason is a code, put into words in the language of whoever reads the log.
"""

from importlib import import_module

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from gorod.accounts import services as accounts
from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.tests.factories import AppointmentFactory
from gorod.appointments.tests.fixtures import NOW, health_models
from gorod.medrecord import guards
from gorod.medrecord import rules as record_rules
from gorod.medrecord.models.oversight import SecurityLook
from gorod.medrecord.models.record import AccessLogEntry

pytestmark = pytest.mark.django_db

BAIT = "Служба безопасности поликлиники: позвоните 8-800-000-00-00"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def token_client(user, **headers) -> Client:
    _token, plaintext = accounts.api_token_create(actor=user, name="log")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", **headers)


def patients_log(person, reader=None, **headers) -> dict:
    api = token_client(reader or person.user, **headers)
    response = api.get(f"/api/v1/health/record/{person.pk}/access-log", {"page_size": 100})
    assert response.status_code == 200, response.content
    return response.json()


def test_anonymous_floods_leave_the_patients_log_alone(clinic):
    patients = [clinic.patient, *(PersonFactory() for _other in range(4))]
    anonymous = Client()
    forged = Client(
        HTTP_AUTHORIZATION="Bearer gorod_nope_nope", HTTP_ACCEPT="application/fhir+json"
    )
    for patient in patients:
        for _again in range(20):
            assert anonymous.get(f"/health/record/{patient.pk}/").status_code == 302
            assert anonymous.get(f"/api/v1/health/record/{patient.pk}/timeline").status_code == 401
            assert forged.get(f"/fhir/r4/Patient/{patient.pk}/$everything").status_code == 401
    for patient in patients:
        assert not AccessLogEntry.objects.filter(patient_id=patient.pk, shown_to_patient=True)
        # One row an hour per record and door, in the staff's security log.
        logged = SecurityLook.objects.filter(patient_id=patient.pk)
        assert sorted(logged.values_list("channel", flat=True)) == ["api", "fhir", "web"]
        assert {look.role for look in logged} == {"anonymous"}
    seen = patients_log(clinic.patient)["items"]
    assert [item["section"] for item in seen] == ["access_log"]


def test_a_forged_fhir_token_is_logged_like_the_apis(clinic):
    """The FHIR door refused forged tokens without a log row while the API logged them."""
    response = Client(HTTP_AUTHORIZATION="Bearer gorod_0123456789ab_forged").get(
        f"/fhir/r4/Condition?patient={clinic.patient.pk}"
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    look = SecurityLook.objects.get(patient_id=clinic.patient.pk)
    assert (look.channel, look.role, look.section) == ("fhir", "anonymous", "conditions")


def test_a_strangers_bait_name_never_reaches_the_patient(client, clinic):
    stranger = PersonFactory(last_name=BAIT)
    api = token_client(stranger.user)
    for path in ("timeline", "labs", "access-log"):
        assert api.get(f"/api/v1/health/record/{clinic.patient.pk}/{path}").status_code == 404
    client.force_login(stranger.user)
    assert client.get(f"/health/record/{clinic.patient.pk}/").status_code == 404

    assert BAIT not in str(patients_log(clinic.patient))
    client.force_login(clinic.patient.user)
    page = client.get(f"/health/record/{clinic.patient.pk}/access-log/").content.decode()
    assert "Служба безопасности поликлиники" not in page
    # Staff still see who tried, and what the account called itself.
    tries = SecurityLook.objects.filter(patient_id=clinic.patient.pk, actor_id=stranger.user.pk)
    assert tries.count() == 4
    assert {look.actor_name for look in tries} == {stranger.full_name}


def test_a_doctor_is_named_by_the_registry_and_the_clinic(clinic):
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save(update_fields=["user"])
    PersonFactory(user=practitioner.user, last_name=BAIT)
    AppointmentFactory(person=clinic.patient, slot=clinic.slot_at(0))
    response = token_client(practitioner.user).get(
        f"/api/v1/health/record/{clinic.patient.pk}/timeline"
    )
    assert response.status_code == 200

    item = patients_log(clinic.patient)["items"][1]
    assert item["reader"] == f"{practitioner.full_name}, {clinic.organisation.name}"
    assert (item["role"], item["reason_code"]) == ("clinician", "in_care")
    assert item["reason"] == "пациент на приёме у врача"


def test_patient_side_readers_are_you_or_a_checked_guardian(clinic):
    """The child's log, read by one parent, after both parents looked."""
    other_parent = PersonFactory(last_name=BAIT)
    guardianship = Guardianship.objects.create(
        guardian=other_parent, child=clinic.child, kind=Guardianship.Kind.PARENT
    )
    child_timeline = f"/api/v1/health/record/{clinic.child.pk}/timeline"
    assert token_client(other_parent.user).get(child_timeline).status_code == 200
    assert token_client(clinic.patient.user).get(child_timeline).status_code == 200
    readers = [item["reader"] for item in patients_log(clinic.child, clinic.patient.user)["items"]]
    # Newest first: this very look, the parent's own look, the other parent's.
    assert readers == ["вы", "вы", "законный представитель"]

    guardianship.verified_at = NOW
    guardianship.save(update_fields=["verified_at"])
    assert token_client(other_parent.user).get(child_timeline).status_code == 200
    newest_other = patients_log(clinic.child, clinic.patient.user)["items"][1]
    assert newest_other["reader"] == other_parent.full_name


def test_the_reason_is_a_code_put_in_words_for_whoever_reads(client, clinic):
    english = token_client(clinic.patient.user, HTTP_ACCEPT_LANGUAGE="en")
    assert english.get(f"/api/v1/health/record/{clinic.patient.pk}/timeline").status_code == 200
    look = AccessLogEntry.objects.get(patient_id=clinic.patient.pk)
    assert (look.reason_code, look.legacy_reason) == ("own_record", "")

    client.force_login(clinic.patient.user)
    page = client.get(f"/health/record/{clinic.patient.pk}/access-log/").content.decode()
    assert "своя карта" in page
    assert "own record" not in page
    item = patients_log(clinic.patient, HTTP_ACCEPT_LANGUAGE="en")["items"][-1]
    assert (item["reason_code"], item["reason"]) == ("own_record", "own record")


def test_the_migration_gives_old_rows_codes_and_audiences(clinic):
    def legacy(**fields):
        return AccessLogEntry.objects.create(
            actor_id=None,
            actor_name=fields.pop("actor_name", ""),
            patient_id=clinic.patient.pk,
            section="timeline",
            channel="web",
            reason_code="",
            **fields,
        )

    own = legacy(role="self", allowed=True, legacy_reason="own record")
    emergency = legacy(
        role="emergency",
        allowed=True,
        legacy_reason="экстренный доступ: Без сознания, доставлен скорой",
        actor_name="Смирнова Анна Петровна",
    )
    stranger = legacy(role="none", allowed=False, legacy_reason="нет отношения к пациенту")
    delegate = legacy(role="delegate", allowed=True, legacy_reason="доверенность", actor_name=BAIT)
    migration = import_module("gorod.health.migrations.0006_record_oversight")
    guards.drop(connection)
    try:
        migration.fill_from_legacy(health_models, None)
    finally:
        guards.install(connection)
    rows = {row.pk: row for row in AccessLogEntry.objects.all()}
    assert rows[own.pk].reason_code == "own_record"
    assert (rows[emergency.pk].reason_code, rows[emergency.pk].emergency_reason) == (
        "emergency",
        "Без сознания, доставлен скорой",
    )
    assert rows[emergency.pk].reader_label == "Смирнова Анна Петровна"
    assert (rows[stranger.pk].reason_code, rows[stranger.pk].shown_to_patient) == (
        "no_relation",
        False,
    )
    # A text the code never wrote keeps its words; a self-typed name is not shown.
    assert (rows[delegate.pk].reason_code, rows[delegate.pk].reader_label) == ("", "")
    items = {item["reason"]: item for item in patients_log(clinic.patient)["items"]}
    assert items["доверенность"]["reader"] == "доверенное лицо"
    assert items["своя карта"]["reason_code"] == "own_record"
    assert "экстренный доступ: Без сознания, доставлен скорой" in items


@pytest.mark.parametrize(
    ("facts", "shown"),
    [
        ({"authenticated": False}, False),
        ({"record_exists": False}, False),
        ({}, False),
        ({"is_clinician": True}, True),
        ({"is_guardian": True, "patient_age": 16}, True),
        ({"delegated_scopes": frozenset({"appointments"})}, True),
        ({"is_self": True}, True),
    ],
)
def test_which_looks_the_patient_is_shown_is_a_rule(facts, shown):
    decision = record_rules.record_read_decision(
        record_rules.ReaderFacts(**facts), "timeline", child_age_limit=15
    )
    assert decision.shown_to_patient is shown
    assert decision.reason in record_rules.READ_REASONS


def test_every_reason_code_reads_in_words():
    for code in record_rules.READ_REASONS:
        text = record_rules.read_reason_text(code, child_age_limit=15, emergency_reason="ДТП")
        assert "%(" not in text
    with translation.override("ru"):
        teen = record_rules.read_reason_text("teen_sees_own_record", child_age_limit=15)
    assert teen.startswith("с 15 лет")
    assert record_rules.read_reason_text("gone", child_age_limit=15) == "gone"
