"""The hand-over of health's models to clinics, appointments and medrecord keeps every row.

Rows are written at health 0008 through the historical models (app label "health"), the
database is migrated forward, and the same rows are read through the new apps' models; the
permissions a group was granted on the health models are the new apps' permissions after.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gorod.appointments.models import Appointment, Slot
from gorod.clinics.models import Attachment, Organisation, PractitionerRole
from gorod.medrecord.models import REVIEW_PERMISSION, Icd10

HEALTH_0008 = ("health", "0008_attachment_application")
BEFORE = [
    ("medrecord", None),
    ("appointments", None),
    ("clinics", None),
    HEALTH_0008,
]
MOSCOW = ZoneInfo("Europe/Moscow")


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)


def apps_at_0008():
    return MigrationExecutor(connection).loader.project_state([HEALTH_0008]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_rows(apps) -> dict:
    """A clinic, a doctor with a slot booked by an attached patient, an ICD-10 code, and a
    group granted a permission on a health model, all as health 0008 knew them."""
    Person = apps.get_model("accounts", "Person")
    Attachment = apps.get_model("health", "Attachment")
    Icd10 = apps.get_model("health", "Icd10")

    person = Person.objects.create(
        last_name="Иванова", first_name="Анна", birth_date=date(1980, 5, 1)
    )
    role = old_doctor(apps)
    slot, appointment = old_booking(apps, person, role)
    attachment = Attachment.objects.create(
        person=person, organisation=role.organisation, since=date(2026, 1, 1)
    )
    Icd10.objects.create(code="U99.9", name="Проверка миграции")
    group = old_group(apps)
    return {
        "organisation": role.organisation.pk,
        "role": role.pk,
        "slot": slot.pk,
        "appointment": appointment.pk,
        "attachment": attachment.pk,
        "group": group.pk,
    }


def old_doctor(apps):
    """A therapist's role at a clinic with one building."""
    Organisation = apps.get_model("health", "Organisation")
    Location = apps.get_model("health", "Location")
    Specialty = apps.get_model("health", "Specialty")
    Practitioner = apps.get_model("health", "Practitioner")
    PractitionerRole = apps.get_model("health", "PractitionerRole")

    organisation = Organisation.objects.create(
        registry_code="MIGR-1", name="Поликлиника № 1", kind="adult_polyclinic"
    )
    location = Location.objects.create(
        organisation=organisation,
        registry_code="MIGR-1-1",
        name="Главное здание",
        address="ул. Тверская, 1",
    )
    practitioner = Practitioner.objects.create(last_name="Петров", first_name="Пётр")
    return PractitionerRole.objects.create(
        practitioner=practitioner,
        organisation=organisation,
        location=location,
        specialty=Specialty.objects.get_or_create(
            code="therapist", defaults={"name": "Терапевт", "slot_minutes": 15}
        )[0],
    )


def old_booking(apps, person, role):
    """The role's schedule, one of its slots, and the person's appointment in it."""
    Schedule = apps.get_model("health", "Schedule")
    Slot = apps.get_model("health", "Slot")
    Appointment = apps.get_model("health", "Appointment")

    schedule = Schedule.objects.create(
        role=role,
        valid_from=date(2026, 11, 1),
        weekdays="1,2,3,4,5",
        day_start=time(8),
        day_end=time(20),
        slot_minutes=15,
    )
    start = datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW)
    slot = Slot.objects.create(
        schedule=schedule,
        role=role,
        organisation=role.organisation,
        specialty=role.specialty,
        start=start,
        end=start + timedelta(minutes=15),
        status="busy",
    )
    appointment = Appointment.objects.create(
        person=person,
        slot=slot,
        organisation=role.organisation,
        specialty=role.specialty,
        start=slot.start,
        end=slot.end,
        channel="web",
    )
    return slot, appointment


def old_group(apps):
    """A group granted the health model's permission to review emergency access."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    GroupThen = apps.get_model("auth", "Group")

    group = GroupThen.objects.create(name="migration-supervisors")
    group.permissions.add(
        Permission.objects.get(
            content_type=ContentType.objects.get(app_label="health", model="emergencyaccess"),
            codename="review_emergencyaccess",
        )
    )
    return group


@pytest.mark.django_db(transaction=True)
def test_rows_written_in_health_are_read_through_the_new_apps():
    migrate(BEFORE)
    made = old_rows(apps_at_0008())

    migrate(latest())

    appointment = Appointment.objects.select_related("slot__role__practitioner").get(
        pk=made["appointment"]
    )
    assert appointment.slot_id == made["slot"]
    assert appointment.slot.role.practitioner.last_name == "Петров"
    assert Slot.objects.get(pk=made["slot"]).organisation_id == made["organisation"]
    assert PractitionerRole.objects.get(pk=made["role"]).specialty.code == "therapist"
    assert Attachment.objects.get(pk=made["attachment"]).person.last_name == "Иванова"
    assert Organisation.objects.get(pk=made["organisation"]).name == "Поликлиника № 1"
    assert Icd10.objects.get(code="U99.9").name == "Проверка миграции"
    granted = Group.objects.get(pk=made["group"]).permissions.get()
    assert f"{granted.content_type.app_label}.{granted.codename}" == REVIEW_PERMISSION
    assert not ContentType.objects.filter(app_label="health").exists()
